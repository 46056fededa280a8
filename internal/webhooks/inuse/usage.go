package inuse

import (
	"fmt"
	"maps"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/tkrdata"
)

// Field indexes on Cluster API v1beta2 Clusters in the manager's cache. The names are private to
// this package, so that another component indexing Clusters cannot collide with them.
const (
	// indexTKR holds the TKR names a Cluster is labelled with.
	indexTKR = "inuse.tkr.run.tanzu.vmware.com/tkr"
	// indexOSImage holds the OSImage names the current TKR_DATA entries of a Cluster name.
	indexOSImage = "inuse.tkr.run.tanzu.vmware.com/os-image"
)

// clusterTKRs returns the TKRs a Cluster runs: the one named by the run.tanzu.vmware.com/tkr
// label (ClusterClass clusters) and the one named by the legacy tanzuKubernetesRelease label
// (clusters created before ClusterClasses), without duplicates. Both count, because a Cluster
// converted from the legacy shape may carry both, and deleting either release would strand it.
func clusterTKRs(obj client.Object) []string {
	var names []string
	for _, key := range []string{runv1alpha3.LabelTKR, runv1alpha3.LabelLegacyClusterTKR} {
		if n := obj.GetLabels()[key]; n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}

// osImageUse says which parts of a Cluster use an OSImage.
type osImageUse struct {
	// cluster is true when the cluster-level TKR_DATA names the image: the control plane and
	// every machine deployment without an override of its own use it.
	cluster bool
	// machineDeployments names the machine deployments whose TKR_DATA override names the image.
	machineDeployments []string
}

// clusterOSImages returns the OSImages a Cluster uses and where, read from its TKR_DATA: the
// cluster-level value and the override of every machine deployment that has one.
//
// Only the entry of the Kubernetes version the Cluster runs (spec.topology.version) counts.
// TKR_DATA keeps the entries of earlier versions after an upgrade, so that machines still on the
// old version keep finding their data; those entries carry copies of what they need, so they do
// not keep the old OSImage in use, and counting them would keep every image a Cluster ever ran
// from being deleted. When no entry matches the version (TKR_DATA edited by hand, or a version
// not resolved yet) every entry counts: the guard would rather refuse a delete than allow one
// it cannot judge.
func clusterOSImages(c tkrdata.Cluster) (map[string]*osImageUse, error) {
	if !c.HasTopology() {
		return nil, nil
	}
	uses := map[string]*osImageUse{}
	use := func(name string) *osImageUse {
		u := uses[name]
		if u == nil {
			u = &osImageUse{}
			uses[name] = u
		}
		return u
	}
	data, err := tkrdata.Get(c)
	if err != nil {
		return nil, fmt.Errorf("reading the TKR_DATA variable of Cluster %s/%s: %w", c.GetNamespace(), c.GetName(), err)
	}
	for _, name := range osImagesOf(data, c.TopologyVersion()) {
		use(name).cluster = true
	}
	for i, md := range c.MachineDeployments() {
		if _, ok := c.MDOverride(i, tkrdata.VarTKRData); !ok {
			continue
		}
		data, err := tkrdata.GetForMD(c, i)
		if err != nil {
			return nil, fmt.Errorf("reading the TKR_DATA override of machine deployment %s of Cluster %s/%s: %w", md.Name, c.GetNamespace(), c.GetName(), err)
		}
		for _, name := range osImagesOf(data, c.TopologyVersion()) {
			if u := use(name); !slices.Contains(u.machineDeployments, md.Name) {
				u.machineDeployments = append(u.machineDeployments, md.Name)
			}
		}
	}
	return uses, nil
}

// osImagesOf returns the OSImage names in the entries of data that count for a Cluster running
// Kubernetes version (see clusterOSImages), sorted and without duplicates.
func osImagesOf(data tkrdata.TKRData, version string) []string {
	entries := []*tkrdata.Entry{data[version]}
	if entries[0] == nil {
		entries = slices.Collect(maps.Values(data))
	}
	var names []string
	for _, e := range entries {
		if e == nil {
			continue
		}
		if n := e.Labels[runv1alpha3.LabelOSImage]; n != "" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// indexTKRs is the indexer of indexTKR.
func indexTKRs(obj client.Object) []string { return clusterTKRs(obj) }

// indexOSImages is the indexer of indexOSImage. A Cluster whose TKR_DATA does not decode is
// not indexed under any OSImage: an indexer cannot report errors, no image name can be read
// from such a value, and the TKR resolver, which writes TKR_DATA, never admits one.
func indexOSImages(obj client.Object) []string {
	c, err := tkrdata.ForCluster(obj)
	if err != nil {
		return nil
	}
	uses, err := clusterOSImages(c)
	if err != nil {
		return nil
	}
	return slices.Sorted(maps.Keys(uses))
}
