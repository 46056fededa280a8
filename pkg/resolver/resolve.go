package resolver

import (
	"slices"

	"k8s.io/apimachinery/pkg/labels"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/version"
)

// Resolve returns the TKRs and OSImages that satisfy q (see the package documentation). It
// never fails: a part that cannot match anything gets an empty result, and if its query is at
// fault (an invalid version prefix) its Err says so. Use Explain to learn why a part is empty
// or ambiguous.
func (r *Resolver) Resolve(q Query) Result {
	r.mu.RLock()
	ev := r.evaluate(q)
	// The evaluation holds its own slices of entries that are never modified once stored,
	// so the Result can be built without the lock.
	r.mu.RUnlock()
	return ev.result()
}

// part is one non-nil part of a query, prepared for evaluation.
type part struct {
	q *OSImageQuery
	// md is the machine deployment index, -1 for the control plane.
	md   int
	name string
	// label is Label(q.K8sVersionPrefix): TKRs carrying it have the prefix.
	label         string
	tkrSel, osSel labels.Selector
	// err is set when the prefix is not valid; eval is then empty.
	err  error
	eval *partEval
}

// selectorKey returns a string that is the same for two selectors only if they select the
// same objects. String alone is not: labels.Nothing() prints as "", like labels.Everything().
func selectorKey(sel labels.Selector) string {
	if _, selectable := sel.Requirements(); !selectable {
		return "\x00nothing"
	}
	return sel.String()
}

// tkrGroup is the parts of a query that share the version prefix and the TKR selector, which
// is usually all of them.
type tkrGroup struct {
	key string
	// part is the first part of the group; all have the same TKR-level query.
	part *part
	// osKeys and osSels are the group's distinct OSImage selectors, and evals their
	// evaluations.
	osKeys []string
	osSels []labels.Selector
	evals  []*partEval
	// cands are the TKRs that pass the group's TKR-level tests, including the exact-name
	// rule; exact is the TKR named after the prefix, if that rule applied.
	cands []*tkrEntry
	exact *tkrEntry
	// pos maps cands to their index; built on demand.
	pos map[*tkrEntry]int
}

// index returns the position of t in g.cands.
func (g *tkrGroup) index(t *tkrEntry) (int, bool) {
	if g.pos == nil {
		g.pos = make(map[*tkrEntry]int, len(g.cands))
		for i, c := range g.cands {
			g.pos[c] = i
		}
	}
	i, ok := g.pos[t]
	return i, ok
}

// partEval is what one OSImage selector of a tkrGroup accepts. Parts with identical queries
// share one.
type partEval struct {
	// group is nil for a part whose query is not valid.
	group *tkrGroup
	// images holds, for each of group.cands, its OSImages that match. The part accepts the
	// TKRs with at least one; accepted counts them.
	images   [][]*osImageEntry
	accepted int
	// osByTKR is OSImageResult.OSImagesByTKR, built by result.
	osByTKR map[string]OSImages
}

// imagesOf returns the OSImages of t that match, nil if the part does not accept t.
func (e *partEval) imagesOf(t *tkrEntry) []*osImageEntry {
	if e.group == nil {
		return nil
	}
	if i, ok := e.group.index(t); ok {
		return e.images[i]
	}
	return nil
}

// evaluation is a query evaluated against the catalogue.
type evaluation struct {
	q     Query
	parts []*part
	// evals are the distinct partEvals of parts.
	evals []*partEval
	// common are the TKRs every part accepts, and winner the newest of them. When all parts
	// are in one tkrGroup, commonAt holds the index of each in its cands.
	common   []*tkrEntry
	commonAt []int
	winner   *tkrEntry
	// commonSet holds common, for Explain; built on demand.
	commonSet map[*tkrEntry]bool
}

// evaluate evaluates q. The caller holds r.mu for reading.
func (r *Resolver) evaluate(q Query) *evaluation {
	ev := &evaluation{q: q}
	// The parts of a cluster usually share the version prefix and TKR selector, and often
	// the OSImage selector: each distinct TKR-level query reads its candidates once, and each
	// distinct OSImage selector is evaluated once (see evalGroup).
	var groups []*tkrGroup
	q.each(func(md int, oq *OSImageQuery) {
		p := &part{
			q: oq, md: md, name: partName(oq, md),
			label:  version.Label(oq.K8sVersionPrefix),
			tkrSel: orEverything(oq.TKRSelector), osSel: orEverything(oq.OSImageSelector),
			err: oq.validate(md),
		}
		ev.parts = append(ev.parts, p)
		if p.err != nil {
			p.eval = &partEval{}
			ev.evals = append(ev.evals, p.eval)
			return
		}
		tkrKey, osKey := p.label+"\x00"+selectorKey(p.tkrSel), selectorKey(p.osSel)
		i := slices.IndexFunc(groups, func(g *tkrGroup) bool { return g.key == tkrKey })
		if i < 0 {
			i = len(groups)
			groups = append(groups, &tkrGroup{key: tkrKey, part: p})
		}
		g := groups[i]
		j := slices.Index(g.osKeys, osKey)
		if j < 0 {
			j = len(g.osKeys)
			g.osKeys, g.osSels = append(g.osKeys, osKey), append(g.osSels, p.osSel)
			g.evals = append(g.evals, &partEval{group: g})
			ev.evals = append(ev.evals, g.evals[j])
		}
		p.eval = g.evals[j]
	})
	for _, g := range groups {
		r.evalGroup(g)
	}
	ev.intersect()
	for _, t := range ev.common {
		if ev.winner == nil || newer(t, ev.winner) {
			ev.winner = t
		}
	}
	return ev
}

// evalGroup finds the TKRs each OSImage selector of g accepts, reading only the TKRs that
// carry the group's version prefix.
func (r *Resolver) evalGroup(g *tkrGroup) {
	p := g.part
	cands := r.byLabel[p.label]
	g.cands = make([]*tkrEntry, 0, len(cands))
	for name, t := range cands {
		if p.tkrReason(t) != "" {
			continue
		}
		if name == p.label {
			g.exact = t
		}
		g.cands = append(g.cands, t)
	}
	// The exact-name rule: a TKR named after the prefix stands alone, even if it has no
	// usable OSImage, so that asking for a full TKR version never yields another TKR.
	if g.exact != nil {
		g.cands = append(g.cands[:0], g.exact)
	}
	// With several selectors, memo makes each label key one map lookup per OSImage.
	var ls labels.Labels
	var memo memoLabels
	if len(g.osSels) > 1 {
		ls = &memo
	}
	// One backing array per selector holds all image lists: most TKRs have one matching
	// OSImage per selector, so len(cands) is the usual need.
	bufs := make([][]*osImageEntry, len(g.evals))
	for j, e := range g.evals {
		bufs[j] = make([]*osImageEntry, 0, len(g.cands))
		e.images = make([][]*osImageEntry, len(g.cands))
	}
	for i, t := range g.cands {
		for _, img := range t.images {
			if img != nil && ls != nil {
				memo.reset(img.labels)
			}
			for j, sel := range g.osSels {
				if imageReason(sel, img, ls) == "" {
					bufs[j] = append(bufs[j], img)
				}
			}
		}
		for j, e := range g.evals {
			if n := len(bufs[j]); n > 0 {
				e.images[i], e.accepted = bufs[j][:n:n], e.accepted+1
				bufs[j] = bufs[j][n:]
			}
		}
	}
}

// intersect finds the TKRs every part accepts.
func (ev *evaluation) intersect() {
	if len(ev.evals) == 0 {
		return
	}
	for _, e := range ev.evals {
		if e.accepted == 0 {
			return
		}
	}
	g := ev.evals[0].group
	oneGroup := true
	for _, e := range ev.evals {
		oneGroup = oneGroup && e.group == g
	}
	if oneGroup {
		// The usual case, with no lookups: all evals are indexed like g.cands.
	next:
		for i, t := range g.cands {
			for _, e := range ev.evals {
				if e.images[i] == nil {
					continue next
				}
			}
			ev.common, ev.commonAt = append(ev.common, t), append(ev.commonAt, i)
		}
		return
	}
	smallest := ev.evals[0]
	for _, e := range ev.evals {
		if e.accepted < smallest.accepted {
			smallest = e
		}
	}
outer:
	for i, t := range smallest.group.cands {
		if smallest.images[i] == nil {
			continue
		}
		for _, e := range ev.evals {
			if e.imagesOf(t) == nil {
				continue outer
			}
		}
		ev.common = append(ev.common, t)
	}
}

// newer reports whether a wins over b: a higher version under version.CompareStrict, or the
// same version and a name that sorts first. Both have parsed versions.
func newer(a, b *tkrEntry) bool {
	if c := version.CompareStrict(a.version, b.version); c != 0 {
		return c > 0
	}
	return a.tkr.Name < b.tkr.Name
}

// result builds the Result. Parts with the same answer share maps; see Result.
func (ev *evaluation) result() Result {
	byK8s := make(map[string]TKRs)
	for _, t := range ev.common {
		k := t.tkr.Spec.Kubernetes.Version
		if byK8s[k] == nil {
			byK8s[k] = TKRs{}
		}
		byK8s[k][t.tkr.Name] = t.tkr
	}
	for _, e := range ev.evals {
		e.osByTKR = make(map[string]OSImages, len(ev.common))
		for i, t := range ev.common {
			var imgs []*osImageEntry
			if ev.commonAt != nil {
				imgs = e.images[ev.commonAt[i]]
			} else {
				imgs = e.imagesOf(t)
			}
			if len(imgs) == 1 {
				// The usual case; the OSImage's own one-element set avoids building a map.
				e.osByTKR[t.tkr.Name] = imgs[0].alone
				continue
			}
			set := make(OSImages, len(imgs))
			for _, img := range imgs {
				set[img.img.Name] = img.img
			}
			e.osByTKR[t.tkr.Name] = set
		}
	}
	var k8sVersion, tkrName string
	if ev.winner != nil {
		k8sVersion, tkrName = ev.winner.tkr.Spec.Kubernetes.Version, ev.winner.tkr.Name
	}
	var res Result
	if ev.q.MachineDeployments != nil {
		res.MachineDeployments = make([]*OSImageResult, len(ev.q.MachineDeployments))
	}
	for _, p := range ev.parts {
		pr := &OSImageResult{
			K8sVersion: k8sVersion, TKRName: tkrName,
			TKRsByK8sVersion: byK8s, OSImagesByTKR: p.eval.osByTKR, Err: p.err,
		}
		if p.md < 0 {
			res.ControlPlane = pr
		} else {
			res.MachineDeployments[p.md] = pr
		}
	}
	return res
}

// tkrReason returns why part p cannot use t, judged on t alone, or "" if it can. The version
// prefix is not checked: callers read candidates from the index.
func (p *part) tkrReason(t *tkrEntry) Reason {
	switch {
	case !p.tkrSel.Matches(t.labels):
		return ReasonTKRSelector
	case t.exclusion != "":
		return exclusionReason(t.exclusion)
	case t.version == nil:
		return ReasonUnparsableVersion
	}
	return ""
}

// imageReason returns why a part with OSImage selector sel cannot use the OSImage img (nil if
// not cached), or "". ls, if not nil, stands for img's labels.
func imageReason(sel labels.Selector, img *osImageEntry, ls labels.Labels) Reason {
	switch {
	case img == nil:
		return ReasonOSImageMissing
	case ls == nil:
		ls = img.labels
	}
	switch {
	case !sel.Matches(ls):
		return ReasonOSImageSelector
	case img.exclusion != "":
		return exclusionReason(img.exclusion)
	}
	return ""
}

func exclusionReason(label string) Reason {
	switch label {
	case runv1alpha3.LabelIncompatible:
		return ReasonIncompatible
	case runv1alpha3.LabelDeactivated:
		return ReasonDeactivated
	default:
		return ReasonInvalid
	}
}

// memoLabels is a labels.Labels view of an OSImage's labels that remembers the keys looked up,
// so that the several OSImage selectors of a query look each key up once per OSImage.
type memoLabels struct {
	set  labels.Set
	n    int
	keys [8]string
	vals [8]string
	oks  [8]bool
}

func (m *memoLabels) reset(set labels.Set) {
	m.set, m.n = set, 0
}

// Lookup returns the value of label k and whether it exists.
func (m *memoLabels) Lookup(k string) (string, bool) {
	for i := range m.n {
		if m.keys[i] == k {
			return m.vals[i], m.oks[i]
		}
	}
	v, ok := m.set[k]
	if m.n < len(m.keys) {
		m.keys[m.n], m.vals[m.n], m.oks[m.n] = k, v, ok
		m.n++
	}
	return v, ok
}

// Has reports whether label k exists.
func (m *memoLabels) Has(k string) bool {
	_, ok := m.Lookup(k)
	return ok
}

// Get returns the value of label k, "" if it does not exist.
func (m *memoLabels) Get(k string) string {
	v, _ := m.Lookup(k)
	return v
}
