package inuse

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// cluster returns a v1beta2 Cluster on Kubernetes version k8s with the given cluster-level
// TKR_DATA and one machine deployment per override (name → TKR_DATA JSON; "" for none).
func cluster(k8s, data string, overrides ...[2]string) *clusterv1.Cluster {
	c := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "c"}}
	c.Spec.Topology.ClassRef.Name = "class"
	c.Spec.Topology.Version = k8s
	if data != "" {
		c.Spec.Topology.Variables = []clusterv1.ClusterVariable{{Name: "TKR_DATA", Value: apiextensionsv1.JSON{Raw: []byte(data)}}}
	}
	for _, o := range overrides {
		md := clusterv1.MachineDeploymentTopology{Name: o[0], Class: "worker"}
		if o[1] != "" {
			md.Variables.Overrides = []clusterv1.ClusterVariable{{Name: "TKR_DATA", Value: apiextensionsv1.JSON{Raw: []byte(o[1])}}}
		}
		c.Spec.Topology.Workers.MachineDeployments = append(c.Spec.Topology.Workers.MachineDeployments, md)
	}
	return c
}

// entries returns TKR_DATA JSON with one entry per version → OSImage name.
func entries(pairs ...string) string {
	s := "{"
	for i := 0; i < len(pairs); i += 2 {
		if i > 0 {
			s += ","
		}
		s += `"` + pairs[i] + `":{"labels":{"run.tanzu.vmware.com/os-image":"` + pairs[i+1] + `"}}`
	}
	return s + "}"
}

func TestIndexOSImages(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cluster *clusterv1.Cluster
		want    []string
	}{
		{"no topology", &clusterv1.Cluster{}, nil},
		{"no TKR_DATA", cluster("v1.24.9", ""), nil},
		{"the current version's entry only", cluster("v1.24.9", entries("v1.23.1", "old", "v1.24.9", "new")), []string{"new"}},
		{"cluster level and overrides",
			cluster("v1.24.9", entries("v1.24.9", "cp"),
				[2]string{"md-0", ""},
				[2]string{"md-1", entries("v1.24.9", "gpu")},
				[2]string{"md-2", entries("v1.24.9", "gpu")},
				[2]string{"md-3", entries("v1.24.9", "cp")}),
			[]string{"cp", "gpu"}},
		{"every entry when none is for the version", cluster("v1.25", entries("v1.23.1", "a", "v1.24.9", "b")), []string{"a", "b"}},
		{"TKR_DATA that does not decode", cluster("v1.24.9", `["not","a","map"]`), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, indexOSImages(tc.cluster)); diff != "" {
				t.Errorf("indexOSImages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIndexTKRs(t *testing.T) {
	for _, tc := range []struct {
		labels map[string]string
		want   []string
	}{
		{nil, nil},
		{map[string]string{runv1alpha3.LabelTKR: "a"}, []string{"a"}},
		{map[string]string{runv1alpha3.LabelLegacyClusterTKR: "b"}, []string{"b"}},
		{map[string]string{runv1alpha3.LabelTKR: "a", runv1alpha3.LabelLegacyClusterTKR: "a"}, []string{"a"}},
		{map[string]string{runv1alpha3.LabelTKR: "a", runv1alpha3.LabelLegacyClusterTKR: "b"}, []string{"a", "b"}},
		{map[string]string{runv1alpha3.LabelTKR: ""}, nil},
	} {
		c := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Labels: tc.labels}}
		if diff := cmp.Diff(tc.want, indexTKRs(c)); diff != "" {
			t.Errorf("indexTKRs(%v) (-want +got):\n%s", tc.labels, diff)
		}
	}
}

// A Cluster being deleted, and one using an image only in some machine deployments, say so.
func TestDescribe(t *testing.T) {
	c := cluster("v1.24.9", entries("v1.24.9", "cp"),
		[2]string{"md-1", entries("v1.24.9", "gpu")}, [2]string{"md-2", entries("v1.24.9", "gpu")})
	now := metav1.Now()
	c.DeletionTimestamp = &now
	for _, tc := range []struct {
		g    guarded
		name string
		want string
	}{
		{resources["osimages"], "gpu", "ns/c [machine deployments md-1, md-2; being deleted]"},
		{resources["osimages"], "cp", "ns/c [being deleted]"},
		{resources["tanzukubernetesreleases"], "gpu", "ns/c [being deleted]"},
	} {
		if got := describe(c, tc.g, tc.name); got != tc.want {
			t.Errorf("describe(%s %s) = %q, want %q", tc.g.kind, tc.name, got, tc.want)
		}
	}
}
