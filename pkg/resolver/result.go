package resolver

import (
	"errors"
	"fmt"
	"slices"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// TKRs is a set of TKRs keyed by name.
type TKRs map[string]*runv1alpha3.TanzuKubernetesRelease

// OSImages is a set of OSImages keyed by name.
type OSImages map[string]*runv1alpha3.OSImage

// Result is the answer to a Query, in the same shape: ControlPlane is nil exactly when the
// query's is, and MachineDeployments has the query's length with nil at the same indices.
//
// A Result is read-only, and so is everything it points to: the TKRs and OSImages are the
// resolver's own copies, and maps are shared between parts with the same answer, and the
// one-element OSImages sets even between Results. A Result stays valid, and unchanged, while
// the catalogue changes.
type Result struct {
	// ControlPlane is the result for the control plane.
	ControlPlane *OSImageResult
	// MachineDeployments holds the result for each machine deployment, by index.
	MachineDeployments []*OSImageResult
}

// OSImageResult is the result for one part of a cluster.
//
// Every part of a Result has the same TKRs: the ones that satisfy the whole query, so that the
// cluster runs one TKR. A part is usable when OSImage returns an image; a winning TKR with
// several matching OSImages is ambiguous, and the resolver does not pick one of them.
type OSImageResult struct {
	// K8sVersion is spec.kubernetes.version of the winning TKR, or "" if no TKR satisfies
	// the query.
	K8sVersion string
	// TKRName is the name of the winning TKR: the one with the highest spec.version among
	// those that satisfy the query, ties broken by name. It is "" if there is none.
	TKRName string
	// TKRsByK8sVersion holds every TKR that satisfies the whole query, not only the winner,
	// grouped by spec.kubernetes.version. It is empty, not nil, when none does.
	TKRsByK8sVersion map[string]TKRs
	// OSImagesByTKR holds, for each TKR in TKRsByK8sVersion, its OSImages that match this
	// part's query. It is empty, not nil, when no TKR satisfies the query.
	OSImagesByTKR map[string]OSImages
	// Err says why this part cannot match anything whatever the catalogue holds, such as a
	// version prefix that is not valid; it is nil otherwise.
	Err error
}

// Err returns the errors of the parts (see OSImageResult.Err), joined, or nil.
func (r Result) Err() error {
	var errs []error
	if r.ControlPlane != nil && r.ControlPlane.Err != nil {
		errs = append(errs, r.ControlPlane.Err)
	}
	for _, md := range r.MachineDeployments {
		if md != nil && md.Err != nil {
			errs = append(errs, md.Err)
		}
	}
	return errors.Join(errs...)
}

// TKR returns the winning TKR, or nil if there is none.
func (r *OSImageResult) TKR() *runv1alpha3.TanzuKubernetesRelease {
	if r == nil {
		return nil
	}
	return r.TKRsByK8sVersion[r.K8sVersion][r.TKRName]
}

// OSImage returns the one OSImage of the winning TKR that matches this part's query. It
// returns nil if there is no winning TKR, and also if several of its OSImages match: callers
// must report that ambiguity rather than pick one (Explain names the OSImages).
func (r *OSImageResult) OSImage() *runv1alpha3.OSImage {
	if r == nil {
		return nil
	}
	imgs := r.OSImagesByTKR[r.TKRName]
	if len(imgs) != 1 {
		return nil
	}
	for _, img := range imgs {
		return img
	}
	return nil
}

// String returns the result in the form the original service printed in its denials:
// {controlPlane: <cp>, machineDeployments: [<md0> <md1> ...]}, each part as
// OSImageResult.String prints it and a nil part as nil.
func (r Result) String() string {
	return formatParts(r.ControlPlane, r.MachineDeployments)
}

// String returns {k8sVersion: '<version>', tkrName: '<name>', osImagesByTKR: map[<tkr>:[<osimage>
// ...]]}, with TKRs and OSImages sorted by name, followed by , error: '<error>' when Err is set.
// TKRsByK8sVersion is not printed. A nil result prints as nil.
func (r *OSImageResult) String() string {
	if r == nil {
		return "nil"
	}
	names := make(map[string][]string, len(r.OSImagesByTKR))
	for tkr, imgs := range r.OSImagesByTKR {
		names[tkr] = sortedKeys(imgs)
	}
	s := fmt.Sprintf("{k8sVersion: '%s', tkrName: '%s', osImagesByTKR: %v", r.K8sVersion, r.TKRName, names)
	if r.Err != nil {
		s += fmt.Sprintf(", error: '%v'", r.Err)
	}
	return s + "}"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
