package resolver

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/tkrlabels"
	"github.com/tkr-project/tkr/pkg/version"
)

// DefaultExplainLimit is how many TKRs per part, and OSImages per TKR, an explanation lists
// when Explain is given no limit: enough to show the likely fix, short enough for a webhook
// denial.
const DefaultExplainLimit = 10

// Reason says why a TKR or an OSImage was not chosen for a part.
type Reason string

// Reasons, in about the order in which resolution tests them.
const (
	// ReasonVersionPrefix: the TKR's version does not start with the part's version prefix,
	// or the prefix is not valid.
	ReasonVersionPrefix Reason = "VersionPrefix"
	// ReasonTKRSelector: a term of the TKR selector does not match the TKR's labels.
	ReasonTKRSelector Reason = "TKRSelector"
	// ReasonIncompatible: the TKR or OSImage is labelled incompatible (condition Compatible is False).
	ReasonIncompatible Reason = "Incompatible"
	// ReasonDeactivated: the TKR or OSImage is labelled deactivated.
	ReasonDeactivated Reason = "Deactivated"
	// ReasonInvalid: the TKR or OSImage is labelled invalid (condition Valid is False).
	ReasonInvalid Reason = "Invalid"
	// ReasonUnparsableVersion: the TKR's spec.version does not parse, so it cannot be ordered.
	ReasonUnparsableVersion Reason = "UnparsableVersion"
	// ReasonExactName: another TKR is named exactly after the version prefix, and only that
	// one is considered.
	ReasonExactName Reason = "ExactName"
	// ReasonNoOSImage: none of the TKR's OSImages can be used for the part.
	ReasonNoOSImage Reason = "NoOSImage"
	// ReasonOSImageMissing: the TKR lists the OSImage, but the catalogue does not hold it.
	ReasonOSImageMissing Reason = "OSImageMissing"
	// ReasonOSImageSelector: a term of the OSImage selector does not match the OSImage's labels.
	ReasonOSImageSelector Reason = "OSImageSelector"
	// ReasonOtherPart: the part could use the TKR, but another part (Rejection.Part) cannot,
	// and the cluster must run one TKR.
	ReasonOtherPart Reason = "OtherPart"
	// ReasonSuperseded: the TKR satisfies the query, but a newer one is chosen.
	ReasonSuperseded Reason = "Superseded"
	// ReasonAmbiguous: the TKR is chosen, but several of its OSImages match the part.
	ReasonAmbiguous Reason = "Ambiguous"
)

// Outcome is how resolution ended for a part.
type Outcome string

// Outcomes.
const (
	// OutcomeResolved: a TKR was chosen and exactly one of its OSImages matches the part.
	OutcomeResolved Outcome = "Resolved"
	// OutcomeAmbiguous: a TKR was chosen, but several of its OSImages match the part.
	OutcomeAmbiguous Outcome = "Ambiguous"
	// OutcomeUnresolved: no TKR satisfies the query.
	OutcomeUnresolved Outcome = "Unresolved"
	// OutcomeInvalid: the part's query cannot match anything, whatever the catalogue holds.
	OutcomeInvalid Outcome = "Invalid"
)

// Explanation says, per part of a query, how resolution ended and why candidates were
// rejected. It is meant for people (String, for webhook denials and tkr resolve --explain) and
// for tools (it marshals to JSON).
type Explanation struct {
	// Parts has an entry per non-nil part of the query, the control plane first.
	Parts []PartExplanation `json:"parts"`
}

// PartExplanation explains the result for one part.
type PartExplanation struct {
	// Part is the part's name (see OSImageQuery.Name).
	Part string `json:"part"`
	// Query is the part's query as the caller gave it (OSImageQuery.String).
	Query string `json:"query"`
	// Outcome is how resolution ended.
	Outcome Outcome `json:"outcome"`
	// Summary says in a sentence or two what happened and, if it failed, what to look at.
	Summary string `json:"summary"`
	// TKR is the chosen TKR, if any.
	TKR string `json:"tkr,omitempty"`
	// OSImages are the chosen TKR's OSImages that match the part: one when resolved,
	// several when ambiguous.
	OSImages []string `json:"osImages,omitempty"`
	// Candidates are the TKRs considered, most promising first: the chosen one, those that
	// satisfy the query, and then those rejected, by how far they got. Within each group the
	// newest comes first. When no TKR has the version prefix, the candidates are those whose
	// version is nearest to it.
	Candidates []TKRCandidate `json:"candidates,omitempty"`
	// MoreCandidates is how many candidates were left out after the limit.
	MoreCandidates int `json:"moreCandidates,omitempty"`
}

// TKRCandidate is a TKR considered for a part.
type TKRCandidate struct {
	// Name is the TKR's name.
	Name string `json:"name"`
	// Version is the TKR's spec.version.
	Version string `json:"version"`
	// Rejection is why the TKR was not chosen, nil for the chosen TKR of a resolved part.
	Rejection *Rejection `json:"rejection,omitempty"`
	// OSImages are the TKR's OSImages as this part judged them: all of them, with the reason
	// for each, when none could be used; the matching ones for the chosen TKR. Other
	// candidates list none.
	OSImages []OSImageCandidate `json:"osImages,omitempty"`
	// MoreOSImages is how many OSImages were left out after the limit.
	MoreOSImages int `json:"moreOSImages,omitempty"`
}

// OSImageCandidate is an OSImage considered for a part.
type OSImageCandidate struct {
	// Name is the OSImage's name.
	Name string `json:"name"`
	// Rejection is why the OSImage cannot be used, nil if it matches.
	Rejection *Rejection `json:"rejection,omitempty"`
}

// Rejection is why a candidate was not chosen: the first reason found, in the order in which
// resolution tests them.
type Rejection struct {
	// Reason classifies the rejection.
	Reason Reason `json:"reason"`
	// Message says the same as the other fields, in one or two sentences.
	Message string `json:"message"`
	// Requirement is the selector term that failed, such as os-name=ubuntu, !deprecated or
	// !incompatible for an exclusion.
	Requirement string `json:"requirement,omitempty"`
	// Expected describes the label value the requirement asks for: "ubuntu" (quoted), one of
	// ..., present, absent.
	Expected string `json:"expected,omitempty"`
	// Actual is the label's actual value (quoted), or absent.
	Actual string `json:"actual,omitempty"`
	// ConditionMessage is the message of the condition behind an exclusion (Compatible for
	// incompatible, Valid for invalid).
	ConditionMessage string `json:"conditionMessage,omitempty"`
	// Part is the other part, for ReasonOtherPart.
	Part string `json:"part,omitempty"`
	// Cause is why the other part rejected the TKR, for ReasonOtherPart.
	Cause *Rejection `json:"cause,omitempty"`
}

// Explain resolves q as Resolve does and explains the result. limit caps the TKRs listed per
// part and the OSImages listed per TKR (the explanation counts the rest); limit <= 0 means
// DefaultExplainLimit. Explain reads every TKR with the version prefix, so it costs more than
// Resolve; call it when a resolution fails or when a user asks.
func (r *Resolver) Explain(q Query, limit int) (Result, *Explanation) {
	if limit <= 0 {
		limit = DefaultExplainLimit
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	ev := r.evaluate(q)
	res := ev.result()
	x := &Explanation{Parts: make([]PartExplanation, 0, len(ev.parts))}
	for _, p := range ev.parts {
		x.Parts = append(x.Parts, r.explainPart(ev, p, limit))
	}
	return res, x
}

// verdict is a TKR with the reason it was not chosen for a part.
type verdict struct {
	t      *tkrEntry
	rej    *Rejection
	images []OSImageCandidate
}

func (r *Resolver) explainPart(ev *evaluation, p *part, limit int) PartExplanation {
	pe := PartExplanation{Part: p.name, Query: p.q.String()}
	if p.err != nil {
		pe.Outcome = OutcomeInvalid
		// The line already names the part; say what is wrong with its prefix.
		pe.Summary = sentence(fmt.Sprintf("Nothing can match: %v", errors.Unwrap(p.err)))
		return pe
	}
	cands, nearest := r.byLabel[p.label], ""
	if len(cands) == 0 {
		nearest, cands = r.nearest(p.label)
	}
	verdicts := make([]verdict, 0, len(cands))
	for _, t := range cands {
		v := verdict{t: t}
		switch {
		case nearest != "":
			v.rej = prefixRejection(p, t)
		case t == ev.winner:
			v.images = matching(r.judgeImages(p, t))
			if len(v.images) > 1 {
				v.rej = &Rejection{Reason: ReasonAmbiguous, Message: sentence(fmt.Sprintf(
					"%d of its OSImages match, but exactly one must: %s", len(v.images), strings.Join(imageNames(v.images), ", ")))}
			}
		case ev.accepted(t):
			v.rej = supersededRejection(ev.winner, t)
		default:
			v.rej, v.images = r.diagnose(p, t)
			if v.rej == nil {
				v.images = nil
				v.rej = ev.otherPartRejection(r, p, t)
			}
		}
		verdicts = append(verdicts, v)
	}
	slices.SortFunc(verdicts, func(a, b verdict) int {
		if c := cmp.Compare(rank(a.rej), rank(b.rej)); c != 0 {
			return c
		}
		if c := version.CompareStrict(b.t.version, a.t.version); c != 0 {
			return c
		}
		return strings.Compare(a.t.tkr.Name, b.t.tkr.Name)
	})

	pe.Outcome, pe.Summary = r.summarize(ev, p, len(cands), nearest)
	if ev.winner != nil {
		pe.TKR = ev.winner.tkr.Name
		pe.OSImages = imageNames(matching(r.judgeImages(p, ev.winner)))
	}
	for i, v := range verdicts {
		if i == limit {
			pe.MoreCandidates = len(verdicts) - limit
			break
		}
		c := TKRCandidate{Name: v.t.tkr.Name, Version: v.t.tkr.Spec.Version, Rejection: v.rej, OSImages: v.images}
		if len(c.OSImages) > limit {
			c.OSImages, c.MoreOSImages = c.OSImages[:limit], len(c.OSImages)-limit
		}
		pe.Candidates = append(pe.Candidates, c)
	}
	return pe
}

func (r *Resolver) summarize(ev *evaluation, p *part, considered int, nearest string) (Outcome, string) {
	prefix := p.q.K8sVersionPrefix
	switch {
	case ev.winner != nil:
		imgs := imageNames(matching(r.judgeImages(p, ev.winner)))
		if len(imgs) == 1 {
			return OutcomeResolved, fmt.Sprintf("Resolved to TKR %s with OSImage %s.", ev.winner.tkr.Name, imgs[0])
		}
		return OutcomeAmbiguous, fmt.Sprintf("TKR %s satisfies every part, but %d of its OSImages match this part: %s. "+
			"The OSImage selector must match exactly one.", ev.winner.tkr.Name, len(imgs), strings.Join(imgs, ", "))
	case nearest != "":
		return OutcomeUnresolved, fmt.Sprintf("No TKR has a version starting with %s; the nearest start with %s.",
			prefix, version.FromLabel(nearest))
	case considered == 0 && len(r.tkrs) == 0:
		return OutcomeUnresolved, fmt.Sprintf("No TKR has a version starting with %s: the catalogue holds no TKRs.", prefix)
	case considered == 0:
		return OutcomeUnresolved, fmt.Sprintf("No TKR has a version starting with %s.", prefix)
	case considered == 1:
		return OutcomeUnresolved, fmt.Sprintf("The only TKR with a version starting with %s does not satisfy every part.", prefix)
	}
	return OutcomeUnresolved, fmt.Sprintf("None of the %d TKRs with a version starting with %s satisfies every part.", considered, prefix)
}

// nearest returns the longest shorter version prefix of label that some TKR carries, and
// those TKRs: when nothing has the prefix a user typed, the likely fix is a version close to it.
func (r *Resolver) nearest(label string) (string, map[string]*tkrEntry) {
	ps := version.Prefixes(label)
	for _, pre := range ps[min(1, len(ps)):] {
		if set := r.byLabel[pre]; len(set) > 0 {
			return pre, set
		}
	}
	return "", nil
}

// accepted reports whether t satisfies the whole query.
func (ev *evaluation) accepted(t *tkrEntry) bool {
	if ev.commonSet == nil {
		ev.commonSet = make(map[*tkrEntry]bool, len(ev.common))
		for _, c := range ev.common {
			ev.commonSet[c] = true
		}
	}
	return ev.commonSet[t]
}

// diagnose returns why part p rejects t, with t's OSImages judged when the part got as far as
// them; a nil Rejection means the part accepts t. It follows the steps of evalGroup.
func (r *Resolver) diagnose(p *part, t *tkrEntry) (*Rejection, []OSImageCandidate) {
	if p.err != nil {
		return &Rejection{Reason: ReasonVersionPrefix, Message: sentence(fmt.Sprintf("Nothing can match: %v", errors.Unwrap(p.err)))}, nil
	}
	if !t.labels.Has(p.label) {
		return prefixRejection(p, t), nil
	}
	switch reason := p.tkrReason(t); reason {
	case "":
	case ReasonTKRSelector:
		return selectorRejection(reason, "TKR", p.tkrSel, t.labels), nil
	case ReasonUnparsableVersion:
		return &Rejection{Reason: reason, Message: sentence(fmt.Sprintf(
			"Its spec.version %q does not parse, so it cannot be ordered: %v", t.tkr.Spec.Version, t.versionErr))}, nil
	default:
		return exclusionRejection(t.exclusion, t.labels, t.tkr.Status.Conditions), nil
	}
	if exact := p.eval.group.exact; exact != nil && exact != t {
		return &Rejection{Reason: ReasonExactName, Message: fmt.Sprintf(
			"TKR %s is named exactly after the version prefix %s, so only it is considered.",
			exact.tkr.Name, p.q.K8sVersionPrefix)}, nil
	}
	imgs := r.judgeImages(p, t)
	if len(matching(imgs)) > 0 {
		return nil, imgs
	}
	// Name the closest OSImage and why it fails: that is where a fix starts. Every OSImage
	// rejection message is a sentence about "It".
	var msg string
	switch len(imgs) {
	case 0:
		msg = "It lists no OSImages."
	case 1:
		msg = fmt.Sprintf("Its only OSImage, %s, %s.", imgs[0].Name, clause(imgs[0].Rejection.Message))
	default:
		msg = fmt.Sprintf("None of its %d OSImages can be used; the closest, %s, %s.", len(imgs), imgs[0].Name, clause(imgs[0].Rejection.Message))
	}
	return &Rejection{Reason: ReasonNoOSImage, Message: msg}, imgs
}

// judgeImages returns t's OSImages with the reason part p cannot use each, closest first: those
// it can use, then excluded ones (they match the selector), then those failing the fewest
// selector terms, then those missing from the catalogue; by name within each.
func (r *Resolver) judgeImages(p *part, t *tkrEntry) []OSImageCandidate {
	type judged struct {
		c          OSImageCandidate
		rank, miss int
	}
	js := make([]judged, len(t.refs))
	for i, ref := range t.refs {
		img, j := t.images[i], &js[i]
		j.c.Name = ref
		switch reason := imageReason(p.osSel, img, nil); reason {
		case "":
		case ReasonOSImageMissing:
			j.rank = 3
			j.c.Rejection = &Rejection{Reason: reason, Message: "It is listed by the TKR but not in the catalogue."}
		case ReasonOSImageSelector:
			j.rank, j.miss = 2, failedTerms(p.osSel, img.labels)
			j.c.Rejection = selectorRejection(reason, "OSImage", p.osSel, img.labels)
		default:
			j.rank = 1
			j.c.Rejection = exclusionRejection(img.exclusion, img.labels, img.img.Status.Conditions)
		}
	}
	slices.SortFunc(js, func(a, b judged) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.miss, b.miss), strings.Compare(a.c.Name, b.c.Name))
	})
	var imgs []OSImageCandidate
	for _, j := range js {
		imgs = append(imgs, j.c)
	}
	return imgs
}

// failedTerms counts the terms of sel that ls fails.
func failedTerms(sel labels.Selector, ls labels.Set) int {
	reqs, _ := sel.Requirements()
	n := 0
	for _, req := range reqs {
		if !req.Matches(ls) {
			n++
		}
	}
	return n
}

// otherPartRejection returns why t, which part p accepts, is rejected: the first other part,
// in query order, that does not accept it.
func (ev *evaluation) otherPartRejection(r *Resolver, p *part, t *tkrEntry) *Rejection {
	for _, o := range ev.parts {
		if o == p || o.eval.imagesOf(t) != nil {
			continue
		}
		cause, _ := r.diagnose(o, t)
		if cause == nil {
			break // cannot happen: o does not accept t
		}
		return &Rejection{Reason: ReasonOtherPart, Part: o.name, Cause: cause,
			Message: fmt.Sprintf("Part %s cannot use it. %s", o.name, cause.Message)}
	}
	// Only reachable if the evaluation and the diagnosis disagree, which tests rule out;
	// still say something true.
	return &Rejection{Reason: ReasonOtherPart, Message: "Another part cannot use it."}
}

func prefixRejection(p *part, t *tkrEntry) *Rejection {
	return &Rejection{
		Reason:      ReasonVersionPrefix,
		Requirement: p.label, Expected: "present", Actual: "absent",
		Message: fmt.Sprintf("Its version %s does not start with %s.", t.tkr.Spec.Version, p.q.K8sVersionPrefix),
	}
}

func supersededRejection(winner, t *tkrEntry) *Rejection {
	msg := fmt.Sprintf("TKR %s is newer and is chosen.", winner.tkr.Name)
	if version.CompareStrict(winner.version, t.version) == 0 {
		msg = fmt.Sprintf("TKR %s has the same version and a name that sorts first, and is chosen.", winner.tkr.Name)
	}
	return &Rejection{Reason: ReasonSuperseded, Message: msg}
}

// selectorRejection names the first term of sel that ls fails.
func selectorRejection(reason Reason, kind string, sel labels.Selector, ls labels.Set) *Rejection {
	if reqs, ok := sel.Requirements(); ok {
		for _, req := range reqs {
			if req.Matches(ls) {
				continue
			}
			actual := "absent"
			if v, ok := ls[req.Key()]; ok {
				actual = strconv.Quote(v)
			}
			expected := expectation(req)
			return &Rejection{
				Reason: reason, Requirement: req.String(), Expected: expected, Actual: actual,
				Message: fmt.Sprintf("It fails the %s selector term %s: label %s is %s, but must be %s.",
					kind, req.String(), req.Key(), actual, expected),
			}
		}
	}
	if _, selectable := sel.Requirements(); !selectable {
		return &Rejection{Reason: reason, Message: fmt.Sprintf("It does not match the %s selector, which matches nothing.", kind)}
	}
	// A Selector implementation whose terms do not tell why it fails.
	return &Rejection{Reason: reason, Message: fmt.Sprintf("It does not match the %s selector '%s'.", kind, sel.String())}
}

// expectation describes in words what label value req accepts.
func expectation(req labels.Requirement) string {
	vals := req.ValuesUnsorted()
	slices.Sort(vals)
	quoted := make([]string, len(vals))
	for i, v := range vals {
		quoted[i] = strconv.Quote(v)
	}
	list := strings.Join(quoted, ", ")
	switch req.Operator() {
	case selection.Equals, selection.DoubleEquals, selection.In:
		if len(vals) == 1 {
			return list
		}
		return "one of " + list
	case selection.NotEquals, selection.NotIn:
		return "absent or none of " + list
	case selection.Exists:
		return "present"
	case selection.DoesNotExist:
		return "absent"
	case selection.GreaterThan:
		return "an integer greater than " + list
	case selection.LessThan:
		return "an integer less than " + list
	}
	return fmt.Sprintf("as %s requires", req.String())
}

// exclusionRejection explains exclusion label l, with the condition it was derived from.
func exclusionRejection(l string, ls labels.Set, conds runv1alpha3.Conditions) *Rejection {
	rej := &Rejection{Reason: exclusionReason(l), Requirement: "!" + l, Expected: "absent", Actual: strconv.Quote(ls[l])}
	ct := tkrlabels.ExclusionCondition(l)
	c := tkrlabels.Condition(conds, ct)
	if ct == "" || c == nil {
		rej.Message = fmt.Sprintf("It is %s: it carries the label %s.", l, l)
		return rej
	}
	rej.ConditionMessage = c.Message
	msg := fmt.Sprintf("It is %s: its %s condition is False", l, ct)
	if c.Reason != "" {
		msg += " with reason " + c.Reason
	}
	if c.Message != "" {
		msg += ": " + c.Message
	}
	rej.Message = sentence(msg)
	return rej
}

// rank orders the rejections of TKRs so that the candidates closest to being chosen come
// first: their fix is usually the smallest. It follows the order in which resolution tests a
// TKR, from last to first.
func rank(r *Rejection) int {
	if r == nil {
		return 0
	}
	switch r.Reason {
	case ReasonAmbiguous:
		return 0
	case ReasonSuperseded:
		return 1
	case ReasonOtherPart:
		return 2
	case ReasonNoOSImage:
		return 3
	case ReasonExactName:
		return 4
	case ReasonUnparsableVersion:
		return 5
	case ReasonIncompatible, ReasonDeactivated, ReasonInvalid:
		return 6
	case ReasonTKRSelector:
		return 7
	}
	return 8
}

// matching returns the candidates without a rejection.
func matching(imgs []OSImageCandidate) []OSImageCandidate {
	var out []OSImageCandidate
	for _, c := range imgs {
		if c.Rejection == nil {
			out = append(out, c)
		}
	}
	return out
}

func imageNames(imgs []OSImageCandidate) []string {
	names := make([]string, len(imgs))
	for i, c := range imgs {
		names[i] = c.Name
	}
	return names
}

// clause turns a sentence about "It" into a clause that can follow another subject.
func clause(msg string) string {
	return strings.TrimSuffix(strings.TrimPrefix(msg, "It "), ".")
}

// sentence returns s ending with a full stop.
func sentence(s string) string {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// String renders the explanation as indented lines, for webhook denials and the CLI: per part
// a line "<part>: <summary>", then a line per candidate TKR and, below it, per OSImage.
func (x *Explanation) String() string {
	var b strings.Builder
	for _, p := range x.Parts {
		fmt.Fprintf(&b, "%s: %s\n", p.Part, p.Summary)
		for _, c := range p.Candidates {
			fmt.Fprintf(&b, "  TKR %s: %s\n", c.Name, c.Rejection.text("Chosen."))
			for _, img := range c.OSImages {
				fmt.Fprintf(&b, "    OSImage %s: %s\n", img.Name, img.Rejection.text("Matches."))
			}
			if c.MoreOSImages > 0 {
				fmt.Fprintf(&b, "    ... and %s.\n", plural(c.MoreOSImages, "more OSImage"))
			}
		}
		if p.MoreCandidates > 0 {
			fmt.Fprintf(&b, "  ... and %s.\n", plural(p.MoreCandidates, "more TKR"))
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (r *Rejection) text(accepted string) string {
	if r == nil {
		return accepted
	}
	return r.Message
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
