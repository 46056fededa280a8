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
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
)

// v1beta1Cluster is the view of a v1beta1 Cluster, where the topology and its workers and
// machine deployment variables are pointers that may be nil.
type v1beta1Cluster struct {
	*metav1.ObjectMeta
	c *clusterv1beta1.Cluster
}

var _ Cluster = v1beta1Cluster{}

func (v v1beta1Cluster) Object() runtime.Object { return v.c }

func (v v1beta1Cluster) Paused() bool { return v.c.Spec.Paused }

func (v v1beta1Cluster) HasTopology() bool { return v.c.Spec.Topology != nil }

func (v v1beta1Cluster) TopologyVersion() string {
	if t := v.c.Spec.Topology; t != nil {
		return t.Version
	}
	return ""
}

func (v v1beta1Cluster) SetTopologyVersion(ver string) error {
	t := v.c.Spec.Topology
	if t == nil {
		return errNoTopology(v, "spec.topology.version")
	}
	t.Version = ver
	return nil
}

func (v v1beta1Cluster) ClassName() string {
	if t := v.c.Spec.Topology; t != nil {
		return t.Class
	}
	return ""
}

func (v v1beta1Cluster) ClassNamespace() string {
	if t := v.c.Spec.Topology; t != nil {
		return cmp.Or(t.ClassNamespace, v.c.Namespace)
	}
	return ""
}

func (v v1beta1Cluster) ControlPlaneAnnotations() map[string]string {
	if t := v.c.Spec.Topology; t != nil {
		return t.ControlPlane.Metadata.Annotations
	}
	return nil
}

// mds returns the machine deployment topologies, nil if there are none.
func (v v1beta1Cluster) mds() []clusterv1beta1.MachineDeploymentTopology {
	if t := v.c.Spec.Topology; t != nil && t.Workers != nil {
		return t.Workers.MachineDeployments
	}
	return nil
}

// md returns machine deployment i, nil if there is none.
func (v v1beta1Cluster) md(i int) *clusterv1beta1.MachineDeploymentTopology {
	mds := v.mds()
	if i < 0 || i >= len(mds) {
		return nil
	}
	return &mds[i]
}

func (v v1beta1Cluster) MachineDeployments() []MachineDeployment {
	mds := v.mds()
	if len(mds) == 0 {
		return nil
	}
	out := make([]MachineDeployment, len(mds))
	for i := range mds {
		out[i] = MachineDeployment{Name: mds[i].Name, Class: mds[i].Class, Annotations: mds[i].Metadata.Annotations}
	}
	return out
}

func (v v1beta1Cluster) Variable(name string) ([]byte, bool) {
	t := v.c.Spec.Topology
	if t == nil {
		return nil, false
	}
	return v1beta1Lookup(t.Variables, name)
}

func (v v1beta1Cluster) SetVariable(name string, raw []byte) error {
	t := v.c.Spec.Topology
	if t == nil {
		return errNoTopology(v, "variable "+name)
	}
	t.Variables = v1beta1Set(t.Variables, name, raw)
	return nil
}

func (v v1beta1Cluster) MDOverride(i int, name string) ([]byte, bool) {
	md := v.md(i)
	if md == nil || md.Variables == nil {
		return nil, false
	}
	return v1beta1Lookup(md.Variables.Overrides, name)
}

func (v v1beta1Cluster) SetMDOverride(i int, name string, raw []byte) error {
	md := v.md(i)
	if md == nil {
		return errNoMD(v, i, len(v.mds()))
	}
	if md.Variables == nil {
		md.Variables = &clusterv1beta1.MachineDeploymentVariables{}
	}
	md.Variables.Overrides = v1beta1Set(md.Variables.Overrides, name, raw)
	return nil
}

func (v v1beta1Cluster) RemoveMDOverride(i int, name string) error {
	md := v.md(i)
	if md == nil {
		return errNoMD(v, i, len(v.mds()))
	}
	if md.Variables == nil {
		return nil
	}
	j := slices.IndexFunc(md.Variables.Overrides, func(cv clusterv1beta1.ClusterVariable) bool { return cv.Name == name })
	if j < 0 {
		return nil
	}
	md.Variables.Overrides = slices.Delete(md.Variables.Overrides, j, j+1)
	if len(md.Variables.Overrides) == 0 {
		// An empty variables object would be written back as "variables: {}", noise the user
		// never wrote.
		md.Variables = nil
	}
	return nil
}

// v1beta1Lookup returns the value of the variable name in vars. The deprecated definitionFrom
// field is ignored: Cluster API no longer allows it to be set.
func v1beta1Lookup(vars []clusterv1beta1.ClusterVariable, name string) ([]byte, bool) {
	for i := range vars {
		if vars[i].Name == name {
			return vars[i].Value.Raw, true
		}
	}
	return nil, false
}

// v1beta1Set sets the variable name in vars to raw, appending it if it is not there.
func v1beta1Set(vars []clusterv1beta1.ClusterVariable, name string, raw []byte) []clusterv1beta1.ClusterVariable {
	for i := range vars {
		if vars[i].Name == name {
			vars[i].Value = apiextensionsv1.JSON{Raw: raw}
			return vars
		}
	}
	return append(vars, clusterv1beta1.ClusterVariable{Name: name, Value: apiextensionsv1.JSON{Raw: raw}})
}

// v1beta1ClusterClass is the view of a v1beta1 ClusterClass.
type v1beta1ClusterClass struct {
	*metav1.ObjectMeta
	cc *clusterv1beta1.ClusterClass
}

var _ ClusterClass = v1beta1ClusterClass{}

func (v v1beta1ClusterClass) Object() runtime.Object { return v.cc }

func (v v1beta1ClusterClass) ControlPlaneAnnotations() map[string]string {
	return v.cc.Spec.ControlPlane.Metadata.Annotations
}

func (v v1beta1ClusterClass) MachineDeploymentClassAnnotations(class string) (map[string]string, bool) {
	for i := range v.cc.Spec.Workers.MachineDeployments {
		if mdc := &v.cc.Spec.Workers.MachineDeployments[i]; mdc.Class == class {
			return mdc.Template.Metadata.Annotations, true
		}
	}
	return nil, false
}
