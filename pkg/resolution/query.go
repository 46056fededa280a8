// Package resolution resolves a ClusterClass-based Cluster: it builds the resolver query from
// the Cluster's annotations and version (falling back to its ClusterClass), leaves alone the parts
// the cluster already runs with a matching TKR and OSImage, and writes the result back as the
// TKR_DATA variable, the run.tanzu.vmware.com/tkr label and spec.topology.version.
//
// The resolver webhook and `tkr resolve` both call ResolveAndSetMetadata, so the command line
// answers exactly as the webhook would.
package resolution

import (
	"fmt"

	"k8s.io/apimachinery/pkg/labels"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/resolver"
	"github.com/tkr-project/tkr/pkg/tkrdata"
)

// ConstructQuery builds the query for cluster: one part for the control plane and one per
// machine deployment, each with the version prefix, the resolve-tkr selector and the part's
// resolve-os-image selector. It returns nil (and no error) when neither the Cluster nor its
// ClusterClass carries the resolve-tkr annotation, or the Cluster has no topology.
func ConstructQuery(prefix string, cluster tkrdata.Cluster, cc tkrdata.ClusterClass) (*resolver.Query, error) {
	tkrSelector, ok, err := selectorFrom(runv1alpha3.AnnotationResolveTKR, cluster.GetAnnotations(), ccAnnotations(cc))
	if err != nil || !ok {
		return nil, err
	}
	if !cluster.HasTopology() {
		return nil, nil
	}
	cpSelector, _, err := selectorFrom(runv1alpha3.AnnotationResolveOSImage, cluster.ControlPlaneAnnotations(), ccControlPlaneAnnotations(cc))
	if err != nil {
		return nil, err
	}
	q := &resolver.Query{ControlPlane: &resolver.OSImageQuery{
		Name:             resolver.ControlPlaneName,
		K8sVersionPrefix: prefix,
		TKRSelector:      tkrSelector,
		OSImageSelector:  cpSelector,
	}}
	mds := cluster.MachineDeployments()
	if mds == nil {
		return q, nil
	}
	q.MachineDeployments = make([]*resolver.OSImageQuery, len(mds))
	for i, md := range mds {
		var classAnnotations map[string]string
		if cc != nil {
			var found bool
			if classAnnotations, found = cc.MachineDeploymentClassAnnotations(md.Class); !found {
				return nil, fmt.Errorf("machineDeployment refers to non-existent MD class '%s'", md.Class)
			}
		}
		sel, _, err := selectorFrom(runv1alpha3.AnnotationResolveOSImage, md.Annotations, classAnnotations)
		if err != nil {
			return nil, err
		}
		q.MachineDeployments[i] = &resolver.OSImageQuery{
			Name:             md.Name,
			K8sVersionPrefix: prefix,
			TKRSelector:      tkrSelector,
			OSImageSelector:  sel,
		}
	}
	return q, nil
}

// selectorFrom parses the annotation key from primary, else from fallback. An absent annotation
// selects everything and reports ok=false; a present one that does not parse is an error (there
// is no fallback after a parse error, so a typo is never silently ignored).
func selectorFrom(key string, primary, fallback map[string]string) (labels.Selector, bool, error) {
	value, ok := primary[key]
	if !ok {
		value, ok = fallback[key]
	}
	if !ok {
		return labels.Everything(), false, nil
	}
	sel, err := labels.Parse(value)
	if err != nil {
		return nil, true, fmt.Errorf("error parsing selector: '%s': %w", value, err)
	}
	return sel, true, nil
}

func ccAnnotations(cc tkrdata.ClusterClass) map[string]string {
	if cc == nil {
		return nil
	}
	return cc.GetAnnotations()
}

func ccControlPlaneAnnotations(cc tkrdata.ClusterClass) map[string]string {
	if cc == nil {
		return nil
	}
	return cc.ControlPlaneAnnotations()
}
