/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha3

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

// freeForm returns a free-form object with nesting and every JSON kind, plus
// values only Go code produces.
func freeForm() map[string]interface{} {
	return map[string]interface{}{
		"id":      "ami-0123456789",
		"region":  "us-west-2",
		"count":   float64(3),
		"port":    8080,
		"enabled": true,
		"none":    nil,
		"nested":  map[string]interface{}{"list": []interface{}{"a", map[string]interface{}{"b": "c"}}},
	}
}

// mutate changes every nested container of a freeForm object.
func mutate(m map[string]interface{}) {
	m["id"] = "changed"
	nested := m["nested"].(map[string]interface{})
	nested["added"] = "x"
	list := nested["list"].([]interface{})
	list[0] = "changed"
	list[1].(map[string]interface{})["b"] = "changed"
}

func TestMachineImageInfoDeepCopy(t *testing.T) {
	in := &MachineImageInfo{Type: "ami", Ref: freeForm()}
	out := in.DeepCopy()
	if diff := cmp.Diff(in, out); diff != "" {
		t.Fatalf("copy differs (-original +copy):\n%s", diff)
	}
	mutate(out.Ref)
	if diff := cmp.Diff(&MachineImageInfo{Type: "ami", Ref: freeForm()}, in); diff != "" {
		t.Errorf("changing the copy changed the original (-want +got):\n%s", diff)
	}

	if got := (&MachineImageInfo{Type: "ova"}).DeepCopy(); got.Ref != nil {
		t.Errorf("copy of a nil Ref is %v, want nil", got.Ref)
	}
	if got := (*MachineImageInfo)(nil).DeepCopy(); got != nil {
		t.Errorf("copy of nil is %v, want nil", got)
	}
}

func TestValuesFromDeepCopy(t *testing.T) {
	group := "cni.tanzu.vmware.com"
	in := &ValuesFrom{
		Inline:      freeForm(),
		SecretRef:   "secret",
		ProviderRef: &corev1.TypedLocalObjectReference{APIGroup: &group, Kind: "AntreaConfig", Name: "a"},
	}
	out := in.DeepCopy()
	if diff := cmp.Diff(in, out); diff != "" {
		t.Fatalf("copy differs (-original +copy):\n%s", diff)
	}
	mutate(out.Inline)
	*out.ProviderRef.APIGroup = "changed"
	out.ProviderRef.Name = "changed"
	if diff := cmp.Diff(freeForm(), in.Inline); diff != "" {
		t.Errorf("changing the copy changed the original inline values (-want +got):\n%s", diff)
	}
	if *in.ProviderRef.APIGroup != "cni.tanzu.vmware.com" || in.ProviderRef.Name != "a" {
		t.Errorf("changing the copy changed the original providerRef: %+v", in.ProviderRef)
	}
}

// The generated deep copy of the enclosing types must use the hand-written one.
func TestEnclosingTypesCopyDeeply(t *testing.T) {
	image := &OSImage{Spec: OSImageSpec{Image: MachineImageInfo{Ref: freeForm()}}}
	mutate(image.DeepCopy().Spec.Image.Ref)
	if diff := cmp.Diff(freeForm(), image.Spec.Image.Ref); diff != "" {
		t.Errorf("OSImage copy shares Ref (-want +got):\n%s", diff)
	}

	cb := &ClusterBootstrap{Spec: &ClusterBootstrapTemplateSpec{
		AdditionalPackages: []*ClusterBootstrapPackage{{RefName: "p", ValuesFrom: &ValuesFrom{Inline: freeForm()}}},
	}}
	mutate(cb.DeepCopy().Spec.AdditionalPackages[0].ValuesFrom.Inline)
	if diff := cmp.Diff(freeForm(), cb.Spec.AdditionalPackages[0].ValuesFrom.Inline); diff != "" {
		t.Errorf("ClusterBootstrap copy shares inline values (-want +got):\n%s", diff)
	}
}

func TestDeepCopyOfOtherGoValues(t *testing.T) {
	in := map[string]interface{}{"tags": []string{"a", "b"}}
	out := deepCopyJSONObject(in)
	in["tags"].([]string)[0] = "changed"
	if diff := cmp.Diff(map[string]interface{}{"tags": []interface{}{"a", "b"}}, out); diff != "" {
		t.Errorf("copy (-want +got):\n%s", diff)
	}
}

func TestValuesFromCountFields(t *testing.T) {
	tests := []struct {
		name string
		v    ValuesFrom
		want int
	}{
		{"none", ValuesFrom{}, 0},
		{"empty inline counts", ValuesFrom{Inline: map[string]interface{}{}}, 1},
		{"secretRef", ValuesFrom{SecretRef: "s"}, 1},
		{"providerRef", ValuesFrom{ProviderRef: &corev1.TypedLocalObjectReference{}}, 1},
		{"all", ValuesFrom{Inline: freeForm(), SecretRef: "s", ProviderRef: &corev1.TypedLocalObjectReference{}}, 3},
	}
	for _, tt := range tests {
		if got := tt.v.CountFields(); got != tt.want {
			t.Errorf("%s: CountFields() = %d, want %d", tt.name, got, tt.want)
		}
	}
}
