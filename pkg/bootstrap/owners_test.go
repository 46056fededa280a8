package bootstrap

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestClusterOwner(t *testing.T) {
	for _, c := range []struct {
		refs []metav1.OwnerReference
		want string
	}{
		{nil, ""},
		{[]metav1.OwnerReference{{APIVersion: "run.tanzu.vmware.com/v1alpha3", Kind: "Cluster", Name: "not-capi"}}, ""},
		{[]metav1.OwnerReference{{APIVersion: "cluster.x-k8s.io/v1beta1", Kind: "Cluster", Name: "old"}}, "old"},
		{[]metav1.OwnerReference{{APIVersion: "v1", Kind: "Secret", Name: "s"}, {APIVersion: "cluster.x-k8s.io/v1beta2", Kind: "Cluster", Name: "new"}}, "new"},
	} {
		got, ok := ClusterOwner(&metav1.ObjectMeta{OwnerReferences: c.refs})
		if got != c.want || ok != (c.want != "") {
			t.Errorf("ClusterOwner(%v) = %q, %v; want %q", c.refs, got, ok, c.want)
		}
	}
}

// C1i's templates: the credentials of a CPI and a CSI config, at any depth, in lists too.
func TestLocalObjRefs(t *testing.T) {
	obj := map[string]any{
		"metadata": map[string]any{"ignoredLocalObjRef": map[string]any{"kind": "Secret", "name": "not-spec"}},
		"spec": map[string]any{
			"vsphereCPI": map[string]any{
				"vSphereCredentialLocalObjRef": map[string]any{"kind": "Secret", "name": "cpi-vsphere-credential"},
				"nsxt":                         map[string]any{"credentialLocalObjRef": map[string]any{"apiGroup": "example.com", "kind": "Credential", "name": "nsxt"}},
			},
			"list":       []any{map[string]any{"itemLocalObjRef": map[string]any{"kind": "ConfigMap", "name": "in-a-list"}}},
			"incomplete": map[string]any{"halfLocalObjRef": map[string]any{"kind": "Secret"}},
		},
	}
	got := map[string]string{}
	for _, r := range LocalObjRefs(obj) {
		got[r.Name] = *r.APIGroup + "/" + r.Kind
	}
	want := map[string]string{"cpi-vsphere-credential": "/Secret", "nsxt": "example.com/Credential", "in-a-list": "/ConfigMap"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LocalObjRefs (-want +got):\n%s", diff)
	}
}
