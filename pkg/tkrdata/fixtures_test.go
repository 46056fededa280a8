/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package tkrdata

import (
	"encoding/json"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1beta2 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// The seed's TKR v1.24.9---vmware.1-tkg.1 and its Ubuntu OVA, as in examples/catalog. They are
// repeated here so that changes to the examples cannot change what these tests mean.
func seedTKR() *runv1alpha3.TanzuKubernetesRelease {
	return &runv1alpha3.TanzuKubernetesRelease{
		ObjectMeta: metav1.ObjectMeta{Name: "v1.24.9---vmware.1-tkg.1"},
		Spec: runv1alpha3.TanzuKubernetesReleaseSpec{
			Version: "v1.24.9+vmware.1-tkg.1",
			Kubernetes: runv1alpha3.KubernetesSpec{
				Version:         "v1.24.9+vmware.1",
				ImageRepository: "projects.registry.vmware.com/tkg",
				Etcd:            &runv1alpha3.ContainerImageInfo{ImageTag: "v3.5.6_vmware.3"},
				Pause:           &runv1alpha3.ContainerImageInfo{ImageTag: "3.7"},
				CoreDNS:         &runv1alpha3.ContainerImageInfo{ImageTag: "v1.8.6_vmware.15"},
				KubeVIP:         &runv1alpha3.ContainerImageInfo{ImageTag: "v0.5.7_vmware.1"},
			},
			OSImages: []runv1alpha3.OSImageReference{
				{Name: "v1.24.9---vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93"},
				{Name: "v1.24.9---vmware.1-tkg.1-f5e94dab9dfbb9988aeb94f1ffdc6e5e"},
			},
		},
	}
}

func seedUbuntu() *runv1alpha3.OSImage {
	return &runv1alpha3.OSImage{
		ObjectMeta: metav1.ObjectMeta{Name: "v1.24.9---vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93"},
		Spec: runv1alpha3.OSImageSpec{
			KubernetesVersion: "v1.24.9+vmware.1",
			OS:                runv1alpha3.OSInfo{Type: "linux", Name: "ubuntu", Version: "2004", Arch: "amd64"},
			Image: runv1alpha3.MachineImageInfo{Type: "ova", Ref: map[string]interface{}{
				"version": "v1.24.9+vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93",
			}},
		},
	}
}

func seedPhoton() *runv1alpha3.OSImage {
	return &runv1alpha3.OSImage{
		ObjectMeta: metav1.ObjectMeta{Name: "v1.24.9---vmware.1-tkg.1-f5e94dab9dfbb9988aeb94f1ffdc6e5e"},
		Spec: runv1alpha3.OSImageSpec{
			KubernetesVersion: "v1.24.9+vmware.1",
			OS:                runv1alpha3.OSInfo{Type: "linux", Name: "photon", Version: "3", Arch: "amd64"},
			Image: runv1alpha3.MachineImageInfo{Type: "ova", Ref: map[string]interface{}{
				"version": "v1.24.9+vmware.1-tkg.1-f5e94dab9dfbb9988aeb94f1ffdc6e5e",
			}},
		},
	}
}

// ubuntuData and photonData are TKR_DATA for the seed TKR on either OSImage.
func ubuntuData() TKRData { return TKRData{"v1.24.9+vmware.1": NewEntry(seedTKR(), seedUbuntu(), "")} }
func photonData() TKRData { return TKRData{"v1.24.9+vmware.1": NewEntry(seedTKR(), seedPhoton(), "")} }

// mustJSON returns the JSON of v.
func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// variable is a cluster variable or override: its name and raw JSON value ("" for none).
type variable struct {
	Name, Value string
}

// mdFixture describes one machine deployment topology.
type mdFixture struct {
	Name, Class string
	Annotations map[string]string
	Overrides   []variable // nil: no variables at all
}

// clusterFixture describes a classy Cluster in terms both Cluster API versions can express.
type clusterFixture struct {
	Labels, Annotations map[string]string
	Paused              bool
	NoTopology          bool
	Class, ClassNS      string
	Version             string
	CPAnnotations       map[string]string
	Vars                []variable
	MDs                 []mdFixture
}

func (f clusterFixture) meta() metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: "default", Name: "workload-1", Labels: f.Labels, Annotations: f.Annotations}
}

func (f clusterFixture) v1beta1() *clusterv1beta1.Cluster {
	c := &clusterv1beta1.Cluster{ObjectMeta: f.meta(), Spec: clusterv1beta1.ClusterSpec{Paused: f.Paused}}
	if f.NoTopology {
		return c
	}
	t := &clusterv1beta1.Topology{
		Class:          f.Class,
		ClassNamespace: f.ClassNS,
		Version:        f.Version,
		ControlPlane:   clusterv1beta1.ControlPlaneTopology{Metadata: clusterv1beta1.ObjectMeta{Annotations: f.CPAnnotations}},
	}
	for _, v := range f.Vars {
		t.Variables = append(t.Variables, clusterv1beta1.ClusterVariable{Name: v.Name, Value: rawJSON(v.Value)})
	}
	if f.MDs != nil {
		t.Workers = &clusterv1beta1.WorkersTopology{}
	}
	for _, md := range f.MDs {
		mdt := clusterv1beta1.MachineDeploymentTopology{
			Name: md.Name, Class: md.Class, Metadata: clusterv1beta1.ObjectMeta{Annotations: md.Annotations},
		}
		if md.Overrides != nil {
			mdt.Variables = &clusterv1beta1.MachineDeploymentVariables{}
			for _, v := range md.Overrides {
				mdt.Variables.Overrides = append(mdt.Variables.Overrides, clusterv1beta1.ClusterVariable{Name: v.Name, Value: rawJSON(v.Value)})
			}
		}
		t.Workers.MachineDeployments = append(t.Workers.MachineDeployments, mdt)
	}
	c.Spec.Topology = t
	return c
}

func (f clusterFixture) v1beta2() *clusterv1beta2.Cluster {
	c := &clusterv1beta2.Cluster{ObjectMeta: f.meta()}
	if f.Paused {
		c.Spec.Paused = &f.Paused
	}
	if f.NoTopology {
		return c
	}
	t := &c.Spec.Topology
	t.ClassRef = clusterv1beta2.ClusterClassRef{Name: f.Class, Namespace: f.ClassNS}
	t.Version = f.Version
	t.ControlPlane.Metadata.Annotations = f.CPAnnotations
	for _, v := range f.Vars {
		t.Variables = append(t.Variables, clusterv1beta2.ClusterVariable{Name: v.Name, Value: rawJSON(v.Value)})
	}
	for _, md := range f.MDs {
		mdt := clusterv1beta2.MachineDeploymentTopology{
			Name: md.Name, Class: md.Class, Metadata: clusterv1beta2.ObjectMeta{Annotations: md.Annotations},
		}
		for _, v := range md.Overrides {
			mdt.Variables.Overrides = append(mdt.Variables.Overrides, clusterv1beta2.ClusterVariable{Name: v.Name, Value: rawJSON(v.Value)})
		}
		t.Workers.MachineDeployments = append(t.Workers.MachineDeployments, mdt)
	}
	return c
}

func rawJSON(s string) apiextensionsv1.JSON {
	if s == "" {
		return apiextensionsv1.JSON{}
	}
	return apiextensionsv1.JSON{Raw: []byte(s)}
}

// forEachVersion runs test on a v1beta1 and a v1beta2 Cluster built from f.
func forEachVersion(t *testing.T, f clusterFixture, test func(t *testing.T, c Cluster)) {
	t.Helper()
	for _, obj := range []struct {
		name string
		obj  func() Cluster
	}{
		{"v1beta1", func() Cluster { return mustView(t, f.v1beta1()) }},
		{"v1beta2", func() Cluster { return mustView(t, f.v1beta2()) }},
	} {
		t.Run(obj.name, func(t *testing.T) { test(t, obj.obj()) })
	}
}

func mustView(t testing.TB, obj runtime.Object) Cluster {
	t.Helper()
	c, err := ForCluster(obj)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// clusterState is what a test expects of the variables of a Cluster, read straight from
// the wrapped object rather than through the view under test.
type clusterState struct {
	Vars []variable
	// MDOverrides holds per machine deployment its overrides: nil when it has no variables
	// (v1beta1) or no overrides (v1beta2), so an empty "variables: {}" left behind shows up.
	MDOverrides [][]variable
}

func stateOf(t testing.TB, c Cluster) clusterState {
	t.Helper()
	var s clusterState
	switch obj := c.Object().(type) {
	case *clusterv1beta1.Cluster:
		tp := obj.Spec.Topology
		if tp == nil {
			return s
		}
		s.Vars = v1beta1Vars(tp.Variables)
		if tp.Workers != nil {
			for _, md := range tp.Workers.MachineDeployments {
				var o []variable
				if md.Variables != nil {
					o = v1beta1Vars(md.Variables.Overrides)
					if o == nil {
						o = []variable{}
					}
				}
				s.MDOverrides = append(s.MDOverrides, o)
			}
		}
	case *clusterv1beta2.Cluster:
		tp := obj.Spec.Topology
		s.Vars = v1beta2Vars(tp.Variables)
		for _, md := range tp.Workers.MachineDeployments {
			o := v1beta2Vars(md.Variables.Overrides)
			if o == nil && md.Variables.Overrides != nil {
				o = []variable{}
			}
			s.MDOverrides = append(s.MDOverrides, o)
		}
	default:
		t.Fatalf("unexpected object %T", obj)
	}
	return s
}

func v1beta1Vars(in []clusterv1beta1.ClusterVariable) []variable {
	var out []variable
	for _, v := range in {
		out = append(out, variable{v.Name, string(v.Value.Raw)})
	}
	return out
}

func v1beta2Vars(in []clusterv1beta2.ClusterVariable) []variable {
	var out []variable
	for _, v := range in {
		out = append(out, variable{v.Name, string(v.Value.Raw)})
	}
	return out
}
