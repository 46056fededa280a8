/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package tkrdata

import (
	"cmp"
	"slices"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clusterv1beta2 "sigs.k8s.io/cluster-api/api/core/v1beta2"
)

// v1beta2Cluster is the view of a v1beta2 Cluster. There the topology, its workers and the
// machine deployment variables are values; a topology counts as set when it is not the zero
// value, as in Cluster API.
type v1beta2Cluster struct {
	*metav1.ObjectMeta
	c *clusterv1beta2.Cluster
}

var _ Cluster = v1beta2Cluster{}

func (v v1beta2Cluster) Object() runtime.Object { return v.c }

func (v v1beta2Cluster) Paused() bool {
	p := v.c.Spec.Paused
	return p != nil && *p
}

func (v v1beta2Cluster) HasTopology() bool { return v.c.Spec.Topology.IsDefined() }

func (v v1beta2Cluster) TopologyVersion() string { return v.c.Spec.Topology.Version }

func (v v1beta2Cluster) SetTopologyVersion(ver string) error {
	if !v.HasTopology() {
		return errNoTopology(v, "spec.topology.version")
	}
	v.c.Spec.Topology.Version = ver
	return nil
}

func (v v1beta2Cluster) ClassName() string { return v.c.Spec.Topology.ClassRef.Name }

func (v v1beta2Cluster) ClassNamespace() string {
	if !v.HasTopology() {
		return ""
	}
	return cmp.Or(v.c.Spec.Topology.ClassRef.Namespace, v.c.Namespace)
}

func (v v1beta2Cluster) ControlPlaneAnnotations() map[string]string {
	return v.c.Spec.Topology.ControlPlane.Metadata.Annotations
}

// md returns machine deployment i, nil if there is none.
func (v v1beta2Cluster) md(i int) *clusterv1beta2.MachineDeploymentTopology {
	mds := v.c.Spec.Topology.Workers.MachineDeployments
	if i < 0 || i >= len(mds) {
		return nil
	}
	return &mds[i]
}

func (v v1beta2Cluster) MachineDeployments() []MachineDeployment {
	mds := v.c.Spec.Topology.Workers.MachineDeployments
	if len(mds) == 0 {
		return nil
	}
	out := make([]MachineDeployment, len(mds))
	for i := range mds {
		out[i] = MachineDeployment{Name: mds[i].Name, Class: mds[i].Class, Annotations: mds[i].Metadata.Annotations}
	}
	return out
}

func (v v1beta2Cluster) Variable(name string) ([]byte, bool) {
	return v1beta2Lookup(v.c.Spec.Topology.Variables, name)
}

func (v v1beta2Cluster) SetVariable(name string, raw []byte) error {
	if !v.HasTopology() {
		return errNoTopology(v, "variable "+name)
	}
	t := &v.c.Spec.Topology
	t.Variables = v1beta2Set(t.Variables, name, raw)
	return nil
}

func (v v1beta2Cluster) MDOverride(i int, name string) ([]byte, bool) {
	md := v.md(i)
	if md == nil {
		return nil, false
	}
	return v1beta2Lookup(md.Variables.Overrides, name)
}

func (v v1beta2Cluster) SetMDOverride(i int, name string, raw []byte) error {
	md := v.md(i)
	if md == nil {
		return errNoMD(v, i, len(v.c.Spec.Topology.Workers.MachineDeployments))
	}
	md.Variables.Overrides = v1beta2Set(md.Variables.Overrides, name, raw)
	return nil
}

func (v v1beta2Cluster) RemoveMDOverride(i int, name string) error {
	md := v.md(i)
	if md == nil {
		return errNoMD(v, i, len(v.c.Spec.Topology.Workers.MachineDeployments))
	}
	j := slices.IndexFunc(md.Variables.Overrides, func(cv clusterv1beta2.ClusterVariable) bool { return cv.Name == name })
	if j < 0 {
		return nil
	}
	md.Variables.Overrides = slices.Delete(md.Variables.Overrides, j, j+1)
	if len(md.Variables.Overrides) == 0 {
		// Keep the zero value, which is left out of the JSON, rather than an empty list.
		md.Variables.Overrides = nil
	}
	return nil
}

// v1beta2Lookup returns the value of the variable name in vars.
func v1beta2Lookup(vars []clusterv1beta2.ClusterVariable, name string) ([]byte, bool) {
	for i := range vars {
		if vars[i].Name == name {
			return vars[i].Value.Raw, true
		}
	}
	return nil, false
}

// v1beta2Set sets the variable name in vars to raw, appending it if it is not there.
func v1beta2Set(vars []clusterv1beta2.ClusterVariable, name string, raw []byte) []clusterv1beta2.ClusterVariable {
	for i := range vars {
		if vars[i].Name == name {
			vars[i].Value = apiextensionsv1.JSON{Raw: raw}
			return vars
		}
	}
	return append(vars, clusterv1beta2.ClusterVariable{Name: name, Value: apiextensionsv1.JSON{Raw: raw}})
}

// v1beta2ClusterClass is the view of a v1beta2 ClusterClass, where worker classes carry their
// metadata directly rather than in a template.
type v1beta2ClusterClass struct {
	*metav1.ObjectMeta
	cc *clusterv1beta2.ClusterClass
}

var _ ClusterClass = v1beta2ClusterClass{}

func (v v1beta2ClusterClass) Object() runtime.Object { return v.cc }

func (v v1beta2ClusterClass) ControlPlaneAnnotations() map[string]string {
	return v.cc.Spec.ControlPlane.Metadata.Annotations
}

func (v v1beta2ClusterClass) MachineDeploymentClassAnnotations(class string) (map[string]string, bool) {
	for i := range v.cc.Spec.Workers.MachineDeployments {
		if mdc := &v.cc.Spec.Workers.MachineDeployments[i]; mdc.Class == class {
			return mdc.Metadata.Annotations, true
		}
	}
	return nil, false
}
