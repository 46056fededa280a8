/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package tkrdata

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1beta2 "sigs.k8s.io/cluster-api/api/core/v1beta2"
)

// Cluster is a version-neutral view of a Cluster API Cluster, limited to what TKR resolution
// reads and writes. [ForCluster] wraps a v1beta1 or v1beta2 Cluster; every change made
// through the view is made to the wrapped object.
//
// Raw JSON returned by the getters is shared with the object and must not be modified; raw
// JSON passed to the setters is stored as is and must not be modified afterwards.
type Cluster interface {
	// metav1.Object gives access to the metadata: name, namespace, labels, annotations and
	// the deletion timestamp. Setting labels through it changes the wrapped Cluster.
	metav1.Object

	// Object returns the wrapped *v1beta1.Cluster or *v1beta2.Cluster.
	Object() runtime.Object

	// Paused reports whether spec.paused is true.
	Paused() bool
	// HasTopology reports whether spec.topology is set, i.e. whether the Cluster is based on
	// a ClusterClass. Without a topology the getters below return zero values and the
	// setters fail.
	HasTopology() bool

	// TopologyVersion returns spec.topology.version.
	TopologyVersion() string
	// SetTopologyVersion sets spec.topology.version.
	SetTopologyVersion(v string) error

	// ClassName returns the name of the ClusterClass (v1beta1 spec.topology.class, v1beta2
	// spec.topology.classRef.name).
	ClassName() string
	// ClassNamespace returns the namespace of the ClusterClass (v1beta1
	// spec.topology.classNamespace, v1beta2 spec.topology.classRef.namespace), defaulted to
	// the Cluster's namespace as Cluster API does.
	ClassNamespace() string

	// ControlPlaneAnnotations returns spec.topology.controlPlane.metadata.annotations.
	ControlPlaneAnnotations() map[string]string
	// MachineDeployments returns spec.topology.workers.machineDeployments in order.
	MachineDeployments() []MachineDeployment

	// Variable returns the value of the cluster-level variable name from
	// spec.topology.variables, and whether the variable is there. An empty value means null.
	Variable(name string) (raw []byte, ok bool)
	// SetVariable creates or replaces the cluster-level variable name.
	SetVariable(name string, raw []byte) error

	// MDOverride returns the value of the override of variable name in machine deployment i
	// (spec.topology.workers.machineDeployments[i].variables.overrides), and whether there is
	// one. An index out of range gives no override.
	MDOverride(i int, name string) (raw []byte, ok bool)
	// SetMDOverride creates or replaces the override of variable name in machine deployment
	// i, creating its variables if needed.
	SetMDOverride(i int, name string, raw []byte) error
	// RemoveMDOverride removes the override of variable name from machine deployment i, if
	// there is one. Removing the last override removes the now empty variables.
	RemoveMDOverride(i int, name string) error
}

// MachineDeployment is the part of a machine deployment topology that resolution reads.
type MachineDeployment struct {
	// Name is the machine deployment's name, unique within the Cluster.
	Name string
	// Class names the ClusterClass worker class the machine deployment uses.
	Class string
	// Annotations are metadata.annotations of the machine deployment topology. The map is
	// shared with the object and must not be modified.
	Annotations map[string]string
}

// ClusterClass is a version-neutral view of a Cluster API ClusterClass, limited to what TKR
// resolution reads. [ForClusterClass] wraps a v1beta1 or v1beta2 ClusterClass.
type ClusterClass interface {
	// metav1.Object gives access to the metadata, e.g. the resolve-tkr annotation.
	metav1.Object

	// Object returns the wrapped *v1beta1.ClusterClass or *v1beta2.ClusterClass.
	Object() runtime.Object

	// ControlPlaneAnnotations returns spec.controlPlane.metadata.annotations.
	ControlPlaneAnnotations() map[string]string
	// MachineDeploymentClassAnnotations returns the annotations of the worker class named
	// class (v1beta1 spec.workers.machineDeployments[].template.metadata.annotations, v1beta2
	// spec.workers.machineDeployments[].metadata.annotations), and whether the class exists.
	MachineDeploymentClassAnnotations(class string) (annotations map[string]string, ok bool)
}

// ForCluster returns the view of a *v1beta1.Cluster or *v1beta2.Cluster of Cluster API.
func ForCluster(obj runtime.Object) (Cluster, error) {
	switch c := obj.(type) {
	case *clusterv1beta1.Cluster:
		if c != nil {
			return v1beta1Cluster{ObjectMeta: &c.ObjectMeta, c: c}, nil
		}
	case *clusterv1beta2.Cluster:
		if c != nil {
			return v1beta2Cluster{ObjectMeta: &c.ObjectMeta, c: c}, nil
		}
	default:
		return nil, fmt.Errorf("tkrdata cannot read a Cluster of type %T: it reads only Cluster API v1beta1 and v1beta2 Clusters", obj)
	}
	return nil, fmt.Errorf("tkrdata cannot read a nil %T", obj)
}

// ForClusterClass returns the view of a *v1beta1.ClusterClass or *v1beta2.ClusterClass of
// Cluster API.
func ForClusterClass(obj runtime.Object) (ClusterClass, error) {
	switch cc := obj.(type) {
	case *clusterv1beta1.ClusterClass:
		if cc != nil {
			return v1beta1ClusterClass{ObjectMeta: &cc.ObjectMeta, cc: cc}, nil
		}
	case *clusterv1beta2.ClusterClass:
		if cc != nil {
			return v1beta2ClusterClass{ObjectMeta: &cc.ObjectMeta, cc: cc}, nil
		}
	default:
		return nil, fmt.Errorf("tkrdata cannot read a ClusterClass of type %T: it reads only Cluster API v1beta1 and v1beta2 ClusterClasses", obj)
	}
	return nil, fmt.Errorf("tkrdata cannot read a nil %T", obj)
}

// errNoTopology is the error of a setter called on a Cluster without a topology.
func errNoTopology(c metav1.Object, what string) error {
	return fmt.Errorf("the Cluster %s has no spec.topology, so %s cannot be set", key(c), what)
}

// key returns namespace/name of obj, the way kubectl users refer to it.
func key(obj metav1.Object) string {
	return obj.GetNamespace() + "/" + obj.GetName()
}

// errNoMD is the error of a write to machine deployment i of a Cluster that has only n.
func errNoMD(c metav1.Object, i, n int) error {
	return fmt.Errorf("the Cluster %s has no spec.topology.workers.machineDeployments[%d]: it has %d machine deployments", key(c), i, n)
}
