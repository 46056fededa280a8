package resolution

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/labels"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/resolver"
	"github.com/tkr-project/tkr/pkg/tkrdata"
	"github.com/tkr-project/tkr/pkg/version"
)

// Options tune ResolveAndSetMetadata.
type Options struct {
	// CustomImageRepositoryVar names the cluster variable ({host, tlsCertificateValidation})
	// whose host replaces the TKR's image repository; empty means "imageRepository".
	CustomImageRepositoryVar string
	// ExplainLimit caps the candidates an explanation lists per part; <= 0 means the resolver's
	// default.
	ExplainLimit int
}

// Outcome says what ResolveAndSetMetadata did.
type Outcome struct {
	// Query is what was resolved after dropping the parts already satisfied; nil when the
	// Cluster asked for no resolution (no resolve-tkr annotation, or no topology).
	Query *resolver.Query
	// Result is the resolver's answer to Query.
	Result resolver.Result
	// TKRName is the TKR the cluster runs after this call ("" without a Query).
	TKRName string
	// Resolved lists the parts that got a (new) TKR_DATA entry, e.g. [controlPlane md-0].
	Resolved []string
	// Warnings are problems that did not stop resolution, e.g. an unreadable imageRepository
	// variable, which is ignored as in the original.
	Warnings []error
}

// UnresolvedError is returned when some part of a cluster has no TKR and OSImage, or several
// OSImages. Its first line is the original product's message, so existing runbooks still match;
// the explanation follows.
type UnresolvedError struct {
	// Cluster is namespace/name.
	Cluster string
	// Summary is the original first line: could not resolve TKR/OSImage for ...
	Summary string
	// Explanation says, per part, why candidates were rejected.
	Explanation *resolver.Explanation
}

// Error returns the summary line, then the explanation (when there is one) on the lines below.
func (e *UnresolvedError) Error() string {
	// Explanation.String reads its parts, so a nil explanation (an error built by hand, say in
	// a test or by another caller) must not be rendered.
	if e.Explanation == nil {
		return e.Summary
	}
	return e.Summary + "\n" + e.Explanation.String()
}

// ResolveAndSetMetadata resolves cluster (whose ClusterClass is cc; nil when unknown) against r
// and writes the result into cluster. Without a resolve-tkr annotation or a topology it changes
// nothing. On error cluster may have been partly written: callers (the webhook, the CLI)
// discard the object then.
func ResolveAndSetMetadata(cluster tkrdata.Cluster, cc tkrdata.ClusterClass, r *resolver.Resolver, opts Options) (*Outcome, error) {
	out := &Outcome{}
	q, err := queryToResolve(cluster, cc, r)
	out.Query = q
	if err != nil || q == nil {
		return out, err
	}

	out.Result = r.Resolve(*q)
	if cp, mds := unresolvedParts(q, out.Result); cp || len(mds) > 0 {
		_, explanation := r.Explain(*q, opts.ExplainLimit)
		return out, &UnresolvedError{
			Cluster:     name(cluster),
			Summary:     summary(cp, mds, *q, out.Result),
			Explanation: explanation,
		}
	}

	repo, warning := tkrdata.ReadCustomImageRepository(cluster, opts.CustomImageRepositoryVar)
	if warning != nil {
		out.Warnings = append(out.Warnings, warning)
	}
	if err := write(cluster, out, repo, r); err != nil {
		return out, fmt.Errorf("failed to set TKR_DATA: cluster '%s', TKR '%s': %w", name(cluster), cluster.GetLabels()[runv1alpha3.LabelTKR], err)
	}
	return out, nil
}

// queryToResolve returns the query for the parts of cluster that still need a TKR and OSImage
// (the original webhook's constructQuery): ConstructQuery with spec.topology.version as the
// prefix, minus the parts the current TKR_DATA already satisfies. It returns nil without a
// topology or a resolve-tkr annotation. With an unusable version it returns the query
// together with the error, so that callers can still explain it.
func queryToResolve(cluster tkrdata.Cluster, cc tkrdata.ClusterClass, r *resolver.Resolver) (*resolver.Query, error) {
	if !cluster.HasTopology() {
		return nil, nil
	}
	prefix := cluster.TopologyVersion()
	q, err := ConstructQuery(prefix, cluster, cc)
	if err != nil || q == nil {
		return nil, err
	}
	// Checked once for the whole cluster, because every part shares the prefix: the resolver
	// would report the same problem once per part, and an unusable prefix (a stray space, a
	// typo) used to match nothing without saying why.
	if err := version.ValidatePrefix(prefix); err != nil {
		return q, fmt.Errorf("the Cluster %s cannot be resolved: its spec.topology.version is not a usable version prefix: %w", name(cluster), err)
	}
	// Read TKR_DATA only for clusters that ask for resolution. The original read it first, so a
	// malformed TKR_DATA denied clusters that never asked to be resolved (a QUIRK, fixed here).
	current, err := tkrdata.Get(cluster)
	if err != nil {
		return q, err
	}
	currentTKR := r.TKR(cluster.GetLabels()[runv1alpha3.LabelTKR])
	dropSatisfied(q, cluster, currentTKR, current, r)
	return q, nil
}

// dropSatisfied sets to nil every part whose current TKR_DATA entry still satisfies it, so an
// update that changes neither version nor selectors re-resolves nothing (spec §3.4).
//
// Machine deployments are dropped only when the control plane is, and are then pinned to the
// cluster's TKR. The original also dropped them while re-resolving the control plane, so a
// control plane moving to a newer TKR with the same prefix could leave a machine deployment
// without an entry for the cluster's new Kubernetes version; re-resolving every part keeps the
// cluster on one TKR.
//
// A machine deployment is checked against the TKR_DATA it uses: its override if it has one,
// otherwise the cluster-level value. The original always checked the cluster-level value, so
// a machine deployment on another OS than the control plane (the one kind that carries an
// override) was resolved again on every update of the Cluster.
func dropSatisfied(q *resolver.Query, cluster tkrdata.Cluster, currentTKR *runv1alpha3.TanzuKubernetesRelease, current tkrdata.TKRData, r *resolver.Resolver) {
	if !satisfied(q.ControlPlane, currentTKR, current, r) {
		return
	}
	q.ControlPlane = nil
	for i, md := range q.MachineDeployments {
		if md == nil {
			continue
		}
		md.K8sVersionPrefix = currentTKR.Spec.Version
		data, err := tkrdata.GetForMD(cluster, i)
		if err != nil {
			// Resolve it again: writing its entry reads the same value and reports the error
			// with the Cluster's name and the machine deployment's index.
			continue
		}
		if satisfied(md, currentTKR, data, r) {
			q.MachineDeployments[i] = nil
		}
	}
}

func satisfied(part *resolver.OSImageQuery, tkr *runv1alpha3.TanzuKubernetesRelease, current tkrdata.TKRData, r *resolver.Resolver) bool {
	if part == nil || tkr == nil || current == nil {
		return false
	}
	entry := current[tkr.Spec.Kubernetes.Version]
	if entry == nil || entry.Labels[runv1alpha3.LabelTKR] != tkr.Name {
		return false
	}
	img := r.OSImage(entry.Labels[runv1alpha3.LabelOSImage])
	if img == nil {
		return false
	}
	if !version.HasPrefix(tkr.Spec.Version, part.K8sVersionPrefix) {
		return false
	}
	return matches(part.TKRSelector, tkr.Labels) && matches(part.OSImageSelector, img.Labels)
}

func matches(sel labels.Selector, l map[string]string) bool {
	return sel == nil || sel.Matches(labels.Set(l))
}

// unresolvedParts reports whether the control plane is unresolved and names the unresolved
// machine deployments: those with no TKR, an invalid query, or not exactly one OSImage. The
// control plane is reported apart from the names, since a machine deployment may be called
// "controlPlane" too.
func unresolvedParts(q *resolver.Query, res resolver.Result) (cp bool, mds []string) {
	cp = q.ControlPlane != nil && res.ControlPlane.OSImage() == nil
	for i, md := range q.MachineDeployments {
		if md == nil {
			continue
		}
		if i >= len(res.MachineDeployments) || res.MachineDeployments[i].OSImage() == nil {
			mds = append(mds, md.Name)
		}
	}
	return cp, mds
}

// summary is the original first line of a denial:
// could not resolve TKR/OSImage for [controlPlane, ]machineDeployments: [md-0 md-1], query: ..., result: ...
func summary(cp bool, mds []string, q resolver.Query, res resolver.Result) string {
	var b strings.Builder
	b.WriteString("could not resolve TKR/OSImage for ")
	if cp {
		b.WriteString("controlPlane, ")
	}
	fmt.Fprintf(&b, "machineDeployments: [%s], query: %s, result: %s", strings.Join(mds, " "), q.String(), res.String())
	return b.String()
}

// write records the result: the control plane's entry at cluster level with the tkr label, the
// Kubernetes version, and each resolved machine deployment's entry (as an override only when it
// differs from the cluster-level value).
func write(cluster tkrdata.Cluster, out *Outcome, repo tkrdata.CustomImageRepository, r *resolver.Resolver) error {
	res := out.Result
	if cp := res.ControlPlane; cp != nil {
		data, err := tkrdata.Get(cluster)
		if err != nil {
			return err
		}
		if data == nil {
			data = tkrdata.TKRData{}
		}
		data[cp.K8sVersion] = tkrdata.NewEntry(cp.TKR(), cp.OSImage(), repo.Host)
		l := cluster.GetLabels()
		if l == nil {
			l = map[string]string{}
		}
		l[runv1alpha3.LabelTKR] = cp.TKRName
		cluster.SetLabels(l)
		if err := tkrdata.Set(cluster, data); err != nil {
			return err
		}
		out.Resolved = append(out.Resolved, resolver.ControlPlaneName)
	}
	tkrName := cluster.GetLabels()[runv1alpha3.LabelTKR]
	tkr := r.TKR(tkrName)
	if tkr == nil {
		return fmt.Errorf("the TKR is no longer available: '%s'", tkrName)
	}
	out.TKRName = tkr.Name
	if err := cluster.SetTopologyVersion(tkr.Spec.Kubernetes.Version); err != nil {
		return err
	}
	mds := cluster.MachineDeployments()
	for i, md := range res.MachineDeployments {
		if md == nil {
			continue
		}
		data, err := tkrdata.GetForMD(cluster, i)
		if err != nil {
			return err
		}
		if data == nil {
			data = tkrdata.TKRData{}
		}
		data[md.K8sVersion] = tkrdata.NewEntry(md.TKR(), md.OSImage(), repo.Host)
		if err := tkrdata.SetForMD(cluster, i, data); err != nil {
			return err
		}
		if i < len(mds) {
			out.Resolved = append(out.Resolved, mds[i].Name)
		}
	}
	return nil
}

func name(c tkrdata.Cluster) string { return c.GetNamespace() + "/" + c.GetName() }
