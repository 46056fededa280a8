/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package conversion

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	cniv1alpha1 "github.com/tkr-project/tkr/api/addons/cni/v1alpha1"
	cniv1alpha2 "github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
)

func ptr[T any](v T) *T { return &v }

// The converter is what the webhook registers, so it is exercised here the
// way the webhook drives it: through ConvertObject, with the GroupVersionKind
// set on both objects, as the webhook's decoder and allocator leave them.
func TestAntreaConfigConverter(t *testing.T) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{cniv1alpha1.AddToScheme, cniv1alpha2.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	converter, err := AntreaConfig(scheme)
	if err != nil {
		t.Fatalf("building the converter: %v", err)
	}
	ctx := context.Background()

	hub := &cniv1alpha2.AntreaConfig{
		TypeMeta:   metav1.TypeMeta{APIVersion: cniv1alpha2.GroupVersion.String(), Kind: "AntreaConfig"},
		ObjectMeta: metav1.ObjectMeta{Namespace: "vick", Name: "vick-wl"},
		Spec: cniv1alpha2.AntreaConfigSpec{
			Antrea: cniv1alpha2.Antrea{Config: cniv1alpha2.AntreaConfigDataValue{
				TrafficEncapMode: cniv1alpha2.TrafficEncapModeEncap,
				TunnelPort:       ptr[int32](4789),
				FeatureGates:     cniv1alpha2.AntreaFeatureGates{AntreaProxy: ptr(true), TopologyAwareHints: ptr(true)},
			}},
			AntreaNsx: &cniv1alpha2.AntreaNsx{Enable: ptr(false)},
		},
		Status: cniv1alpha2.AntreaConfigStatus{SecretRef: "vick-wl-antrea-data-values"},
	}

	spoke := &cniv1alpha1.AntreaConfig{
		TypeMeta: metav1.TypeMeta{APIVersion: cniv1alpha1.GroupVersion.String(), Kind: "AntreaConfig"},
	}
	if err := converter.ConvertObject(ctx, hub, spoke); err != nil {
		t.Fatalf("v1alpha2 -> v1alpha1: %v", err)
	}
	if got := spoke.Spec.Antrea.Config.TrafficEncapMode; got != cniv1alpha2.TrafficEncapModeEncap {
		t.Errorf("v1alpha1 trafficEncapMode = %q, want encap", got)
	}
	if _, ok := spoke.Annotations[cniv1alpha1.ConversionDataAnnotation]; !ok {
		t.Errorf("v1alpha1 object lacks %s", cniv1alpha1.ConversionDataAnnotation)
	}

	back := &cniv1alpha2.AntreaConfig{
		TypeMeta: metav1.TypeMeta{APIVersion: cniv1alpha2.GroupVersion.String(), Kind: "AntreaConfig"},
	}
	if err := converter.ConvertObject(ctx, spoke, back); err != nil {
		t.Fatalf("v1alpha1 -> v1alpha2: %v", err)
	}
	if diff := cmp.Diff(hub, back); diff != "" {
		t.Errorf("round trip through the converter lost data (-want +got):\n%s", diff)
	}
}
