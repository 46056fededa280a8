// Package updates computes which TanzuKubernetesReleases (TKRs) a Cluster can be updated to:
// the status controller publishes the answer as the Cluster's UpdatesAvailable condition, and
// `tkr get --cluster` prints it together with the reason each other TKR is not offered.
//
// # Which TKRs are updates
//
// The cluster's TKR is named by a label (TKRName). A TKR is an update when all of these hold:
//
//   - its version is strictly newer than the cluster's under version.Compare (so a TKR whose
//     version ties with the cluster's, such as vmware.01 against vmware.1, is not);
//   - it has the cluster's major version and the cluster's minor version or the next one:
//     Kubernetes moves one minor version at a time, so v1.22 is offered v1.22.x and v1.23.x,
//     never v1.24.x;
//   - it is not excluded: labelled (or, through its conditions, implied to be) incompatible,
//     deactivated or invalid;
//   - for a Cluster with a topology (a ClusterClass cluster), it satisfies the cluster's own
//     resolution query (resolution.ConstructQuery: the resolve-tkr selector and each part's
//     resolve-os-image selector) with exactly one matching OSImage for the control plane and
//     for every machine deployment, which is what the resolver webhook requires to move the
//     cluster onto it. A TKR whose OSImages do not suit one of the cluster's machine
//     deployments is not an update, whatever its version.
//
// Legacy clusters (no topology) have no selectors and no OSImages to match, so the first three
// rules decide, as in the original service.
//
// # Selectors that match everything
//
// resolve-tkr: "" (the value TKG ClusterClasses carry) matches every TKR, including
// bring-your-own TKRs such as v1.24.9+vmware.1-gpu-efi that carry an opt-in label: a label on a
// TKR restricts nothing unless a selector mentions it. Such a TKR is therefore offered to
// every cluster of the class whose OSImage selectors it satisfies, exactly as the resolver
// webhook would resolve the cluster to it when given its version. To keep bring-your-own TKRs
// out, the ClusterClass (or Cluster) selector must exclude them, for example
// resolve-tkr: '!tkr.tanzu.vmware.com/gpu-efi'.
//
// # Differences from the original
//
// The original also offered TKRs that several of the cluster's OSImages match (which the
// resolver webhook then refuses), did not exclude invalid TKRs of legacy clusters, excluded
// TKRs whose version extends the cluster's (v1.24.9+vmware.1-tkg.1-zshippable for a cluster on
// v1.24.9+vmware.1-tkg.1), and dereferenced nil for an unparsable TKR name or a ClusterClass
// cluster without a resolve-tkr annotation. Here those TKRs are, respectively, rejected,
// rejected, offered (they are newer) and the two cases are errors.
package updates

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/resolution"
	"github.com/tkr-project/tkr/pkg/resolver"
	"github.com/tkr-project/tkr/pkg/tkrdata"
	"github.com/tkr-project/tkr/pkg/tkrlabels"
	"github.com/tkr-project/tkr/pkg/version"
)

// ErrNoTKR is returned for a Cluster that carries no TKR label (or an empty one): it is not
// managed by TKRs, so nothing can be said about its updates.
var ErrNoTKR = errors.New("the cluster has neither the label " + runv1alpha3.LabelTKR +
	" nor the label " + runv1alpha3.LabelLegacyClusterTKR)

// ErrNotResolved is returned for a ClusterClass cluster for which neither the Cluster nor its
// ClusterClass has the resolve-tkr annotation: such a cluster is not resolved to TKRs, so there
// are no selectors that would tell which TKRs it can run.
var ErrNotResolved = errors.New("neither the Cluster nor its ClusterClass has the annotation " +
	runv1alpha3.AnnotationResolveTKR + ", so the Cluster is not resolved to TKRs")

// ParseError is returned when the cluster's TKR name does not name a version.
type ParseError struct {
	// Name is the TKR name from the cluster's label.
	Name string
	// Err is the version parser's error.
	Err error
}

// Error returns "cannot parse TKR version from TKR name '<name>': <parse error>".
func (e *ParseError) Error() string {
	return fmt.Sprintf("cannot parse TKR version from TKR name '%s': %v", e.Name, e.Err)
}

// Unwrap returns the parser's error.
func (e *ParseError) Unwrap() error { return e.Err }

// Catalog is what updates are chosen from.
type Catalog struct {
	// TKRs are the TKRs to consider, normally those Resolver holds. Legacy clusters are
	// offered from these alone. For ClusterClass clusters they name the TKRs outside the two
	// minor versions, with why they are not offered, and a minor version none of them has is
	// not looked up in Resolver (unless TKRs is empty).
	TKRs []*runv1alpha3.TanzuKubernetesRelease
	// Resolver holds the TKRs and their OSImages; ClusterClass clusters are resolved against
	// it. It may be nil when only legacy clusters are asked about.
	Resolver *resolver.Resolver
}

// Update is a TKR the cluster can be updated to.
type Update struct {
	// Name is the TKR's name.
	Name string `json:"name"`
	// Version is the TKR's spec.version.
	Version string `json:"version"`
}

// Reason classifies why a TKR is not an update.
type Reason string

// Reasons.
const (
	// ReasonNotNewer: the TKR's version is not newer than the cluster's (it may be the
	// cluster's own TKR).
	ReasonNotNewer Reason = "NotNewer"
	// ReasonTooFarAhead: the TKR is more than one minor version ahead, or of another major
	// version.
	ReasonTooFarAhead Reason = "TooFarAhead"
	// ReasonUnparsableVersion: the TKR's spec.version does not parse.
	ReasonUnparsableVersion Reason = "UnparsableVersion"
	// ReasonDeleting: the TKR is being deleted.
	ReasonDeleting Reason = "Deleting"
	// ReasonIncompatible: the TKR is labelled incompatible (its Compatible condition is False).
	ReasonIncompatible Reason = "Incompatible"
	// ReasonDeactivated: the TKR is labelled deactivated.
	ReasonDeactivated Reason = "Deactivated"
	// ReasonInvalid: the TKR is labelled invalid (its Valid condition is False).
	ReasonInvalid Reason = "Invalid"
	// ReasonTKRSelector: the TKR fails the cluster's resolve-tkr selector.
	ReasonTKRSelector Reason = "TKRSelector"
	// ReasonNoOSImage: none of the TKR's OSImages suits a part of the cluster (Rejection.Part).
	ReasonNoOSImage Reason = "NoOSImage"
	// ReasonAmbiguous: several of the TKR's OSImages suit a part of the cluster
	// (Rejection.Part), and resolution needs exactly one.
	ReasonAmbiguous Reason = "Ambiguous"
	// ReasonNotResolvable: the cluster would not resolve to the TKR for another reason, which
	// the message gives.
	ReasonNotResolvable Reason = "NotResolvable"
)

// Rejection says why a TKR is not an update.
type Rejection struct {
	// Name is the TKR's name.
	Name string `json:"name"`
	// Version is the TKR's spec.version.
	Version string `json:"version"`
	// Reason classifies the rejection.
	Reason Reason `json:"reason"`
	// Part names the part of the cluster (controlPlane or a machine deployment's name) that
	// cannot use the TKR, for ReasonNoOSImage and ReasonAmbiguous.
	Part string `json:"part,omitempty"`
	// Message says why, in one or two sentences about the TKR ("It ...").
	Message string `json:"message"`
}

// Result is the answer for one cluster.
type Result struct {
	// TKR is the name of the cluster's TKR, from its label.
	TKR string `json:"tkr"`
	// Version is the version that name stands for.
	Version string `json:"version"`
	// Updates are the TKRs the cluster can be updated to, oldest first.
	Updates []Update `json:"updates"`
	// Rejected are the other TKRs considered, oldest first, each with the reason it is not
	// an update.
	Rejected []Rejection `json:"rejected,omitempty"`
}

// Versions returns the versions of the updates, oldest first, each once.
func (r *Result) Versions() []string {
	vs := make([]string, 0, len(r.Updates))
	for _, u := range r.Updates {
		// Two TKRs can share a version; a version is what users ask for, so list it once.
		if len(vs) == 0 || vs[len(vs)-1] != u.Version {
			vs = append(vs, u.Version)
		}
	}
	return vs
}

// Message returns the UpdatesAvailable condition message of the original service: the
// versions in square brackets, separated by single spaces, e.g.
// [v1.23.10+vmware.1-tkg.1 v1.24.9+vmware.1-tkg.1]. Consumers (the Tanzu CLI among them) trim the
// brackets and split on spaces, so the format must not change.
func (r *Result) Message() string {
	return fmt.Sprint(r.Versions())
}

// TKRName returns the name of the TKR cluster runs: for a ClusterClass cluster the label
// run.tanzu.vmware.com/tkr, which the resolver webhook writes, for a legacy cluster the label
// tanzuKubernetesRelease. Each falls back to the other label, so that a cluster labelled the
// other way round is still handled. It returns "" when neither label has a value.
func TKRName(c tkrdata.Cluster) string {
	first, second := runv1alpha3.LabelLegacyClusterTKR, runv1alpha3.LabelTKR
	if c.HasTopology() {
		first, second = second, first
	}
	l := c.GetLabels()
	if name := l[first]; name != "" {
		return name
	}
	return l[second]
}

// ClusterTKR returns the name of the cluster's TKR (TKRName) and the version it stands for
// (version.FromLabel of the name). It returns ErrNoTKR if the cluster has no TKR label and a
// *ParseError if the name does not name a version.
func ClusterTKR(cluster tkrdata.Cluster) (string, *version.Version, error) {
	name := TKRName(cluster)
	if name == "" {
		return "", nil, ErrNoTKR
	}
	v, err := version.Parse(version.FromLabel(name))
	if err != nil {
		return name, nil, &ParseError{Name: name, Err: err}
	}
	return name, v, nil
}

// ForCluster computes the updates of cluster, whose ClusterClass is cc (nil for a legacy
// cluster, or when the class is unknown: then only the Cluster's own annotations count),
// from cat. It returns ErrNoTKR if the cluster has no TKR label, a *ParseError if its TKR name
// does not name a version, ErrNotResolved if it is a ClusterClass cluster that is not resolved
// to TKRs, and the error of resolution.ConstructQuery if its selectors are unusable.
func ForCluster(cluster tkrdata.Cluster, cc tkrdata.ClusterClass, cat Catalog) (*Result, error) {
	name, current, err := ClusterTKR(cluster)
	if err != nil {
		return nil, err
	}
	c := &computation{current: current, currentName: name, tkrs: map[string]*candidate{}}
	for _, tkr := range cat.TKRs {
		if tkr != nil {
			c.add(candidateOf(tkr))
		}
	}
	if cluster.HasTopology() {
		if cat.Resolver == nil {
			return nil, errors.New("a Resolver is needed to compute the updates of a ClusterClass cluster")
		}
		for _, minor := range []uint{current.Minor(), current.Minor() + 1} {
			q, err := resolution.ConstructQuery(fmt.Sprintf("v%d.%d", current.Major(), minor), cluster, cc)
			if err != nil {
				return nil, err
			}
			if q == nil {
				return nil, ErrNotResolved
			}
			// For a minor version no TKR has (typically the next one, not released yet),
			// Explain would list the nearest TKRs instead, which are judged by version anyway.
			if len(cat.TKRs) == 0 || c.hasMinor(minor) {
				c.resolve(cat.Resolver, *q)
			}
		}
	}
	return c.result(cluster.HasTopology()), nil
}

// candidate is a TKR under consideration.
type candidate struct {
	name, version string
	v             *version.Version
	vErr          error
	// tkr is the TKR itself; nil for a TKR that only the resolver holds.
	tkr *runv1alpha3.TanzuKubernetesRelease
	// accepted reports that the TKR satisfies the cluster's query (ClusterClass clusters).
	accepted bool
	// ambiguous names the first part several of whose OSImages match, with their names.
	ambiguousPart string
	ambiguousImgs []string
	// rejection is the resolver's reason for not accepting the TKR, from its explanation.
	rejection *resolver.Rejection
	// resolverPart is the part that gave rejection.
	resolverPart string
	// resolved records that the resolver judged the TKR.
	resolved bool
}

func candidateOf(tkr *runv1alpha3.TanzuKubernetesRelease) *candidate {
	v, err := version.Parse(tkr.Spec.Version)
	return &candidate{name: tkr.Name, version: tkr.Spec.Version, v: v, vErr: err, tkr: tkr}
}

type computation struct {
	current     *version.Version
	currentName string
	tkrs        map[string]*candidate
}

func (c *computation) add(cand *candidate) {
	if _, ok := c.tkrs[cand.name]; !ok {
		c.tkrs[cand.name] = cand
	}
}

// hasMinor reports whether a candidate has the cluster's major version and minor version
// minor.
func (c *computation) hasMinor(minor uint) bool {
	for _, cand := range c.tkrs {
		if cand.v != nil && cand.v.Major() == c.current.Major() && cand.v.Minor() == minor {
			return true
		}
	}
	return false
}

// explainAll is the limit that makes Explain list every candidate: the verdict on each TKR of
// the minor version is wanted, not a summary.
const explainAll = math.MaxInt32

// resolve records the resolver's verdict on every TKR with the version prefix of q: which
// satisfy the whole query with one OSImage per part, and why the others do not.
func (c *computation) resolve(r *resolver.Resolver, q resolver.Query) {
	res, x := r.Explain(q, explainAll)
	parts := partResults(q, res)
	if len(x.Parts) == 0 {
		return
	}
	// Every part lists the same TKRs (those with the prefix). The control plane's list
	// suffices: a TKR it accepts but another part rejects carries that part's reason
	// (resolver.ReasonOtherPart).
	for _, tc := range x.Parts[0].Candidates {
		if tc.Rejection != nil && tc.Rejection.Reason == resolver.ReasonVersionPrefix {
			// With no TKR of this minor version, Explain lists the nearest ones instead;
			// they are judged with their own minor version, or by version alone.
			continue
		}
		cand, ok := c.tkrs[tc.Name]
		if !ok {
			v, err := version.Parse(tc.Version)
			cand = &candidate{name: tc.Name, version: tc.Version, v: v, vErr: err}
			c.tkrs[tc.Name] = cand
		}
		cand.resolved = true
		switch {
		case tc.Rejection == nil || tc.Rejection.Reason == resolver.ReasonSuperseded || tc.Rejection.Reason == resolver.ReasonAmbiguous:
			// It satisfies every part; Explain reports ambiguity for the winner only, so
			// every accepted TKR is checked below.
			cand.accepted = true
			for _, p := range parts {
				if imgs := p.result.OSImagesByTKR[tc.Name]; len(imgs) > 1 {
					cand.ambiguousPart = p.name
					cand.ambiguousImgs = slices.Sorted(maps.Keys(imgs))
					break
				}
			}
		default:
			cand.rejection, cand.resolverPart = tc.Rejection, x.Parts[0].Part
		}
	}
}

// part is one part of a query with its result.
type part struct {
	name   string
	result *resolver.OSImageResult
}

// partResults pairs the non-nil parts of q with their results, the control plane first.
func partResults(q resolver.Query, res resolver.Result) []part {
	var ps []part
	if q.ControlPlane != nil && res.ControlPlane != nil {
		ps = append(ps, part{partName(q.ControlPlane, resolver.ControlPlaneName), res.ControlPlane})
	}
	for i, md := range q.MachineDeployments {
		if md != nil && i < len(res.MachineDeployments) && res.MachineDeployments[i] != nil {
			ps = append(ps, part{partName(md, fmt.Sprintf("machineDeployments[%d]", i)), res.MachineDeployments[i]})
		}
	}
	return ps
}

func partName(q *resolver.OSImageQuery, fallback string) string {
	if q.Name != "" {
		return q.Name
	}
	return fallback
}

// result judges every candidate and sorts the outcome.
func (c *computation) result(classy bool) *Result {
	res := &Result{TKR: c.currentName, Version: c.current.String()}
	cands := slices.Collect(maps.Values(c.tkrs))
	slices.SortFunc(cands, func(a, b *candidate) int {
		if d := version.CompareStrict(a.v, b.v); d != 0 {
			return d
		}
		return strings.Compare(a.name, b.name)
	})
	for _, cand := range cands {
		if rej := c.judge(cand, classy); rej != nil {
			rej.Name, rej.Version = cand.name, cand.version
			res.Rejected = append(res.Rejected, *rej)
			continue
		}
		res.Updates = append(res.Updates, Update{Name: cand.name, Version: cand.version})
	}
	return res
}

// judge returns why cand is not an update, or nil if it is one.
func (c *computation) judge(cand *candidate, classy bool) *Rejection {
	cur := c.current
	switch {
	case cand.tkr != nil && !cand.tkr.DeletionTimestamp.IsZero():
		return &Rejection{Reason: ReasonDeleting, Message: "It is being deleted."}
	case cand.vErr != nil:
		return &Rejection{Reason: ReasonUnparsableVersion, Message: fmt.Sprintf("Its spec.version %q does not parse: %v.", cand.version, cand.vErr)}
	case cand.name == c.currentName:
		return &Rejection{Reason: ReasonNotNewer, Message: "It is the cluster's current TKR."}
	case version.Compare(cand.v, cur) <= 0:
		return &Rejection{Reason: ReasonNotNewer, Message: fmt.Sprintf("Its version is not newer than the cluster's %s.", cur)}
	case cand.v.Major() != cur.Major():
		return &Rejection{Reason: ReasonTooFarAhead, Message: fmt.Sprintf(
			"Its major version differs from the cluster's %s; updates keep the major version.", cur)}
	case cand.v.Minor() > cur.Minor()+1:
		return &Rejection{Reason: ReasonTooFarAhead, Message: fmt.Sprintf(
			"It is %d minor versions ahead of the cluster's %s; updates go at most one minor version up.", cand.v.Minor()-cur.Minor(), cur)}
	}
	if !classy {
		// Legacy candidates all come from Catalog.TKRs, so the TKR is at hand.
		return exclusionRejection(cand.tkr)
	}
	switch {
	case cand.ambiguousPart != "":
		return &Rejection{Reason: ReasonAmbiguous, Part: cand.ambiguousPart, Message: fmt.Sprintf(
			"Part %s cannot use it: %d of its OSImages match (%s), but the resolver needs exactly one.",
			cand.ambiguousPart, len(cand.ambiguousImgs), strings.Join(cand.ambiguousImgs, ", "))}
	case cand.accepted:
		return nil
	case cand.rejection != nil:
		return fromResolver(cand.rejection, cand.resolverPart)
	case !cand.resolved:
		return &Rejection{Reason: ReasonNotResolvable, Message: "It is not in the resolver's catalogue."}
	}
	return &Rejection{Reason: ReasonNotResolvable, Message: "The cluster would not resolve to it."}
}

// exclusionRejection returns why tkr is excluded, or nil. The exclusion labels are those the
// TKR carries together with those its Compatible and Valid conditions imply, as the resolver
// sees them, so a TKR the status controller has not labelled yet is judged the same.
func exclusionRejection(tkr *runv1alpha3.TanzuKubernetesRelease) *Rejection {
	set, unset := tkrlabels.Exclusions(tkr.Status.Conditions)
	l := maps.Clone(tkr.Labels)
	if l == nil {
		l = map[string]string{}
	}
	maps.Copy(l, set)
	for _, k := range unset {
		delete(l, k)
	}
	excl := tkrlabels.Excluded(l)
	if excl == "" {
		return nil
	}
	msg := fmt.Sprintf("It is %s: it carries the label %s.", excl, excl)
	if ct := tkrlabels.ExclusionCondition(excl); ct != "" {
		if cond := tkrlabels.Condition(tkr.Status.Conditions, ct); cond != nil {
			msg = fmt.Sprintf("It is %s: its %s condition is False.", excl, ct)
			if cond.Message != "" {
				msg = fmt.Sprintf("It is %s: its %s condition is False: %s", excl, ct, sentence(cond.Message))
			}
		}
	}
	return &Rejection{Reason: exclusionReason(excl), Message: msg}
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

// fromResolver turns the resolver's rejection of a TKR for part into a Rejection. Reasons
// about the TKR itself keep the resolver's message; reasons about OSImages name the part.
func fromResolver(rej *resolver.Rejection, part string) *Rejection {
	if rej.Reason == resolver.ReasonOtherPart && rej.Cause != nil {
		return fromResolver(rej.Cause, rej.Part)
	}
	switch rej.Reason {
	case resolver.ReasonTKRSelector:
		return &Rejection{Reason: ReasonTKRSelector, Message: rej.Message}
	case resolver.ReasonIncompatible:
		return &Rejection{Reason: ReasonIncompatible, Message: rej.Message}
	case resolver.ReasonDeactivated:
		return &Rejection{Reason: ReasonDeactivated, Message: rej.Message}
	case resolver.ReasonInvalid:
		return &Rejection{Reason: ReasonInvalid, Message: rej.Message}
	case resolver.ReasonUnparsableVersion:
		return &Rejection{Reason: ReasonUnparsableVersion, Message: rej.Message}
	case resolver.ReasonNoOSImage, resolver.ReasonOSImageMissing, resolver.ReasonOSImageSelector:
		return &Rejection{Reason: ReasonNoOSImage, Part: part, Message: fmt.Sprintf("Part %s cannot use it. %s", part, rej.Message)}
	}
	return &Rejection{Reason: ReasonNotResolvable, Message: rej.Message}
}

// sentence returns s ending with a full stop.
func sentence(s string) string {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}
