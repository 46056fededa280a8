/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package legacytkr

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tkr-project/tkr/api/run/v1alpha3"
)

func TestMarshalData(t *testing.T) {
	src := &v1alpha3.TanzuKubernetesRelease{
		ObjectMeta: metav1.ObjectMeta{
			Name:   "v1.24.9---vmware.1-tkg.1",
			Labels: map[string]string{"label1": ""},
		},
		Spec: v1alpha3.TanzuKubernetesReleaseSpec{
			Version:    "v1.24.9+vmware.1-tkg.1",
			Kubernetes: v1alpha3.KubernetesSpec{Version: "v1.24.9+vmware.1"},
		},
	}
	dst := &unstructured.Unstructured{}
	dst.SetAnnotations(map[string]string{"annotation": "kept"})

	if err := MarshalData(src, dst); err != nil {
		t.Fatalf("MarshalData: %v", err)
	}

	annotations := dst.GetAnnotations()
	if len(annotations) != 2 {
		t.Errorf("dst has %d annotations, want 2: %v", len(annotations), annotations)
	}
	if annotations["annotation"] != "kept" {
		t.Errorf("the existing annotation was not kept: %v", annotations)
	}
	data := annotations[v1alpha3.AnnotationConversionData]
	for _, want := range []string{"v1.24.9+vmware.1-tkg.1", "v1.24.9+vmware.1"} {
		if !strings.Contains(data, want) {
			t.Errorf("conversion data %s does not contain %q", data, want)
		}
	}
	for _, unwanted := range []string{"metadata", "label1", src.Name} {
		if strings.Contains(data, unwanted) {
			t.Errorf("conversion data %s contains %q", data, unwanted)
		}
	}
}

func TestUnmarshalData(t *testing.T) {
	const saved = `{"spec":{"version":"v1.24.9+vmware.1-tkg.1","kubernetes":{"version":"v1.24.9+vmware.1"}}}`
	tests := []struct {
		name            string
		annotations     map[string]string
		wantOK          bool
		wantVersion     string
		wantAnnotations map[string]string
	}{
		{
			name: "no annotation",
		},
		{
			name:        "valid annotation",
			annotations: map[string]string{v1alpha3.AnnotationConversionData: saved},
			wantOK:      true,
			wantVersion: "v1.24.9+vmware.1-tkg.1",
		},
		{
			name:            "other annotations are kept",
			annotations:     map[string]string{v1alpha3.AnnotationConversionData: saved, "annotation": "kept"},
			wantOK:          true,
			wantVersion:     "v1.24.9+vmware.1-tkg.1",
			wantAnnotations: map[string]string{"annotation": "kept"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := &unstructured.Unstructured{}
			from.SetAnnotations(tt.annotations)
			to := &v1alpha3.TanzuKubernetesRelease{}

			ok, err := UnmarshalData(from, to)
			if err != nil {
				t.Fatalf("UnmarshalData: %v", err)
			}
			if ok != tt.wantOK {
				t.Errorf("UnmarshalData reported %v, want %v", ok, tt.wantOK)
			}
			if to.Spec.Version != tt.wantVersion {
				t.Errorf("restored version %q, want %q", to.Spec.Version, tt.wantVersion)
			}
			if diff := cmp.Diff(tt.wantAnnotations, from.GetAnnotations()); diff != "" {
				t.Errorf("annotations left on from (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnmarshalDataRejectsGarbage(t *testing.T) {
	from := &metav1.ObjectMeta{Annotations: map[string]string{v1alpha3.AnnotationConversionData: "{"}}
	if _, err := UnmarshalData(from, &v1alpha3.TanzuKubernetesRelease{}); err == nil {
		t.Error("UnmarshalData accepted invalid JSON")
	}
	if _, ok := from.Annotations[v1alpha3.AnnotationConversionData]; !ok {
		t.Error("UnmarshalData removed an annotation it could not decode")
	}
}
