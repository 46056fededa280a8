/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package tkrdata

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1beta2 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// viewState is everything a Cluster view reads, for comparing views.
type viewState struct {
	Name, Namespace string
	Labels          map[string]string
	Annotations     map[string]string
	Deleting        bool
	Paused          bool
	HasTopology     bool
	Version         string
	Class, ClassNS  string
	CPAnnotations   map[string]string
	MDs             []MachineDeployment
}

func readView(c Cluster) viewState {
	return viewState{
		Name: c.GetName(), Namespace: c.GetNamespace(),
		Labels: c.GetLabels(), Annotations: c.GetAnnotations(),
		Deleting: c.GetDeletionTimestamp() != nil, Paused: c.Paused(), HasTopology: c.HasTopology(),
		Version: c.TopologyVersion(), Class: c.ClassName(), ClassNS: c.ClassNamespace(),
		CPAnnotations: c.ControlPlaneAnnotations(), MDs: c.MachineDeployments(),
	}
}

// fullFixture uses every field the views read.
func fullFixture() clusterFixture {
	return clusterFixture{
		Labels:        map[string]string{runv1alpha3.LabelTKR: "v1.24.9---vmware.1-tkg.1"},
		Annotations:   map[string]string{runv1alpha3.AnnotationResolveTKR: ""},
		Class:         "tkg-vsphere-default",
		Version:       "v1.24",
		CPAnnotations: map[string]string{runv1alpha3.AnnotationResolveOSImage: "os-name=ubuntu"},
		Vars:          []variable{{"imageRepository", `{"host":"r.example/tkg"}`}},
		MDs: []mdFixture{
			{Name: "md-0", Class: "tkg-worker", Annotations: map[string]string{runv1alpha3.AnnotationResolveOSImage: "os-name=photon"}},
			{Name: "md-1", Class: "tkg-worker-windows", Overrides: []variable{{"other", `true`}}},
			{Name: "md-2", Class: "tkg-worker"},
		},
	}
}

func TestClusterView(t *testing.T) {
	tests := []struct {
		name string
		in   clusterFixture
		want viewState
	}{{
		name: "classy Cluster, ClusterClass in the Cluster's namespace",
		in:   fullFixture(),
		want: viewState{
			Name: "workload-1", Namespace: "default",
			Labels:      map[string]string{runv1alpha3.LabelTKR: "v1.24.9---vmware.1-tkg.1"},
			Annotations: map[string]string{runv1alpha3.AnnotationResolveTKR: ""},
			HasTopology: true, Version: "v1.24", Class: "tkg-vsphere-default", ClassNS: "default",
			CPAnnotations: map[string]string{runv1alpha3.AnnotationResolveOSImage: "os-name=ubuntu"},
			MDs: []MachineDeployment{
				{Name: "md-0", Class: "tkg-worker", Annotations: map[string]string{runv1alpha3.AnnotationResolveOSImage: "os-name=photon"}},
				{Name: "md-1", Class: "tkg-worker-windows"},
				{Name: "md-2", Class: "tkg-worker"},
			},
		},
	}, {
		name: "paused, ClusterClass in another namespace, no workers",
		in:   clusterFixture{Paused: true, Class: "cc", ClassNS: "shared", Version: "v1.25"},
		want: viewState{Name: "workload-1", Namespace: "default", Paused: true, HasTopology: true, Version: "v1.25", Class: "cc", ClassNS: "shared"},
	}, {
		name: "no topology",
		in:   clusterFixture{NoTopology: true},
		want: viewState{Name: "workload-1", Namespace: "default"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachVersion(t, tt.in, func(t *testing.T, c Cluster) {
				if diff := cmp.Diff(tt.want, readView(c)); diff != "" {
					t.Errorf("view (-want +got):\n%s", diff)
				}
			})
		})
	}
}

func TestClusterViewWritesThrough(t *testing.T) {
	forEachVersion(t, fullFixture(), func(t *testing.T, c Cluster) {
		if err := c.SetTopologyVersion("v1.24.9+vmware.1"); err != nil {
			t.Fatal(err)
		}
		c.SetLabels(map[string]string{runv1alpha3.LabelTKR: "other"})
		now := metav1.Now()
		c.SetDeletionTimestamp(&now)

		var version string
		var meta metav1.Object
		switch obj := c.Object().(type) {
		case *clusterv1beta1.Cluster:
			version, meta = obj.Spec.Topology.Version, obj
		case *clusterv1beta2.Cluster:
			version, meta = obj.Spec.Topology.Version, obj
		}
		if version != "v1.24.9+vmware.1" {
			t.Errorf("spec.topology.version = %q", version)
		}
		if got := meta.GetLabels()[runv1alpha3.LabelTKR]; got != "other" {
			t.Errorf("label %s = %q", runv1alpha3.LabelTKR, got)
		}
		if meta.GetDeletionTimestamp() == nil {
			t.Error("deletion timestamp not set on the object")
		}
	})
}

func TestForClusterRejects(t *testing.T) {
	tests := []struct {
		name string
		obj  runtime.Object
		want string
	}{
		{"another kind", &clusterv1beta2.Machine{}, "tkrdata cannot read a Cluster of type *v1beta2.Machine: it reads only Cluster API v1beta1 and v1beta2 Clusters"},
		{"a ClusterClass", &clusterv1beta1.ClusterClass{}, "tkrdata cannot read a Cluster of type *v1beta1.ClusterClass: it reads only Cluster API v1beta1 and v1beta2 Clusters"},
		{"nil", nil, "tkrdata cannot read a Cluster of type <nil>: it reads only Cluster API v1beta1 and v1beta2 Clusters"},
		{"nil v1beta1", (*clusterv1beta1.Cluster)(nil), "tkrdata cannot read a nil *v1beta1.Cluster"},
		{"nil v1beta2", (*clusterv1beta2.Cluster)(nil), "tkrdata cannot read a nil *v1beta2.Cluster"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ForCluster(tt.obj)
			if c != nil || err == nil || err.Error() != tt.want {
				t.Errorf("ForCluster() = %v, %v; want nil, %q", c, err, tt.want)
			}
		})
	}
	if _, err := ForClusterClass(&clusterv1beta1.Cluster{}); err == nil {
		t.Error("ForClusterClass accepted a Cluster")
	}
	if _, err := ForClusterClass((*clusterv1beta2.ClusterClass)(nil)); err == nil {
		t.Error("ForClusterClass accepted a nil ClusterClass")
	}
}

// The annotations a ClusterClass carries for resolution, in both versions.
var (
	ccAnnotations   = map[string]string{runv1alpha3.AnnotationResolveTKR: ""}
	ccCPAnnotations = map[string]string{runv1alpha3.AnnotationResolveOSImage: "os-name=ubuntu"}
	ccMDAnnotations = map[string]string{runv1alpha3.AnnotationResolveOSImage: "os-name=photon"}
)

func v1beta1ClusterClassFixture() *clusterv1beta1.ClusterClass {
	cc := &clusterv1beta1.ClusterClass{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "tkg-vsphere-default", Annotations: ccAnnotations}}
	cc.Spec.ControlPlane.Metadata.Annotations = ccCPAnnotations
	cc.Spec.Workers.MachineDeployments = []clusterv1beta1.MachineDeploymentClass{
		{Class: "tkg-worker", Template: clusterv1beta1.MachineDeploymentClassTemplate{Metadata: clusterv1beta1.ObjectMeta{Annotations: ccMDAnnotations}}},
		{Class: "tkg-worker-windows"},
	}
	return cc
}

func v1beta2ClusterClassFixture() *clusterv1beta2.ClusterClass {
	cc := &clusterv1beta2.ClusterClass{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "tkg-vsphere-default", Annotations: ccAnnotations}}
	cc.Spec.ControlPlane.Metadata.Annotations = ccCPAnnotations
	cc.Spec.Workers.MachineDeployments = []clusterv1beta2.MachineDeploymentClass{
		{Class: "tkg-worker", Metadata: clusterv1beta2.ObjectMeta{Annotations: ccMDAnnotations}},
		{Class: "tkg-worker-windows"},
	}
	return cc
}

// classState is everything a ClusterClass view reads for the classes of fullFixture.
type classState struct {
	Annotations, CPAnnotations map[string]string
	MDClasses                  map[string]map[string]string
	Missing                    []string
}

func readClassView(cc ClusterClass) classState {
	s := classState{Annotations: cc.GetAnnotations(), CPAnnotations: cc.ControlPlaneAnnotations(), MDClasses: map[string]map[string]string{}}
	for _, class := range []string{"tkg-worker", "tkg-worker-windows", "non-existent"} {
		if a, ok := cc.MachineDeploymentClassAnnotations(class); ok {
			s.MDClasses[class] = a
		} else {
			s.Missing = append(s.Missing, class)
		}
	}
	return s
}

func TestClusterClassView(t *testing.T) {
	want := classState{
		Annotations:   ccAnnotations,
		CPAnnotations: ccCPAnnotations,
		MDClasses:     map[string]map[string]string{"tkg-worker": ccMDAnnotations, "tkg-worker-windows": nil},
		Missing:       []string{"non-existent"},
	}
	for _, obj := range []runtime.Object{v1beta1ClusterClassFixture(), v1beta2ClusterClassFixture()} {
		cc, err := ForClusterClass(obj)
		if err != nil {
			t.Fatal(err)
		}
		if cc.Object() != obj {
			t.Errorf("%T: Object() does not return the wrapped ClusterClass", obj)
		}
		if diff := cmp.Diff(want, readClassView(cc)); diff != "" {
			t.Errorf("%T view (-want +got):\n%s", obj, diff)
		}
	}
}
