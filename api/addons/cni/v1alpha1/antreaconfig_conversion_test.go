/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha1

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/randfill"

	"github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
)

const fuzzIterations = 2000

// sameOnTheWire reports whether two objects are equal as the API server sees
// them: JSON cannot tell an empty list or map from an absent one. The
// apimachinery comparison treats those alike and is much cheaper than
// cmp.Diff, which therefore only runs to explain a failure.
func sameOnTheWire(a, b any) (bool, string) {
	if equality.Semantic.DeepEqual(a, b) {
		return true, ""
	}
	return false, cmp.Diff(a, b, cmpopts.EquateEmpty())
}

// filler returns a randfill.Filler set up for AntreaConfig. TypeMeta is left
// zero because conversion never writes it: the caller that allocates the
// destination object sets it. Of the metadata only the parts conversion looks
// at are filled; the rest is copied whole, and filling it would only slow the
// loop down.
func filler(f *randfill.Filler) *randfill.Filler {
	return f.NilChance(0.2).NumElements(0, 3).Funcs(
		func(tm *metav1.TypeMeta, _ randfill.Continue) { *tm = metav1.TypeMeta{} },
		func(m *metav1.ObjectMeta, c randfill.Continue) {
			c.Fill(&m.Namespace)
			c.Fill(&m.Name)
			c.Fill(&m.Labels)
			c.Fill(&m.Annotations)
		},
	)
}

func checkSpokeHubSpoke(t *testing.T, in *AntreaConfig) {
	t.Helper()
	ctx := context.Background()
	var hub v1alpha2.AntreaConfig
	if err := ConvertAntreaConfigToHub(ctx, in, &hub); err != nil {
		t.Fatalf("ConvertAntreaConfigToHub: %v", err)
	}
	var out AntreaConfig
	if err := ConvertAntreaConfigFromHub(ctx, &hub, &out); err != nil {
		t.Fatalf("ConvertAntreaConfigFromHub: %v", err)
	}
	if same, diff := sameOnTheWire(in, &out); !same {
		t.Fatalf("v1alpha1 -> v1alpha2 -> v1alpha1 lost data (-in +out):\n%s", diff)
	}
}

func checkHubSpokeHub(t *testing.T, in *v1alpha2.AntreaConfig) {
	t.Helper()
	ctx := context.Background()
	var spoke AntreaConfig
	if err := ConvertAntreaConfigFromHub(ctx, in, &spoke); err != nil {
		t.Fatalf("ConvertAntreaConfigFromHub: %v", err)
	}
	var out v1alpha2.AntreaConfig
	if err := ConvertAntreaConfigToHub(ctx, &spoke, &out); err != nil {
		t.Fatalf("ConvertAntreaConfigToHub: %v", err)
	}
	if same, diff := sameOnTheWire(in, &out); !same {
		t.Fatalf("v1alpha2 -> v1alpha1 -> v1alpha2 lost data (-in +out):\n%s", diff)
	}
}

func TestAntreaConfigRoundTripFuzz(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("randfill seed %d", seed)
	f := filler(randfill.NewWithSeed(seed))

	t.Run("spoke-hub-spoke", func(t *testing.T) {
		for range fuzzIterations {
			var in AntreaConfig
			f.Fill(&in)
			checkSpokeHubSpoke(t, &in)
		}
	})
	t.Run("hub-spoke-hub", func(t *testing.T) {
		for range fuzzIterations {
			var in v1alpha2.AntreaConfig
			f.Fill(&in)
			checkHubSpokeHub(t, &in)
		}
	})
}

// FuzzAntreaConfigRoundTrip lets `go test -fuzz` look for inputs the seeded
// loop above misses.
func FuzzAntreaConfigRoundTrip(f *testing.F) {
	f.Add([]byte("antrea"))
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		var spoke AntreaConfig
		var hub v1alpha2.AntreaConfig
		filler(randfill.NewFromGoFuzz(data)).Fill(&spoke)
		filler(randfill.NewFromGoFuzz(data)).Fill(&hub)
		checkSpokeHubSpoke(t, &spoke)
		checkHubSpokeHub(t, &hub)
	})
}

func TestConvertAntreaConfigFromHubAnnotation(t *testing.T) {
	tests := []struct {
		name string
		hub  v1alpha2.AntreaConfig
		// want is the annotation value; empty means no annotation.
		want string
	}{
		{
			name: "only fields v1alpha1 has: no annotation",
			hub: v1alpha2.AntreaConfig{
				ObjectMeta: metav1.ObjectMeta{Name: "a", Annotations: map[string]string{"keep": "me"}},
				Spec: v1alpha2.AntreaConfigSpec{Antrea: v1alpha2.Antrea{Config: v1alpha2.AntreaConfigDataValue{
					TrafficEncapMode: "noEncap",
					FeatureGates:     v1alpha2.AntreaFeatureGates{AntreaProxy: ptr(false)},
				}}},
			},
		},
		{
			name: "stale annotation on the hub is dropped",
			hub: v1alpha2.AntreaConfig{
				ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{ConversionDataAnnotation: `{"antreaNsx":{}}`}},
			},
		},
		{
			name: "every v1alpha2-only field",
			hub: v1alpha2.AntreaConfig{
				Spec: v1alpha2.AntreaConfigSpec{
					Antrea: v1alpha2.Antrea{Config: v1alpha2.AntreaConfigDataValue{
						DefaultMTU:   "1400",
						TunnelPort:   ptr[int32](6081),
						TunnelCsum:   ptr(true),
						FeatureGates: v1alpha2.AntreaFeatureGates{AntreaPolicy: ptr(true), TopologyAwareHints: ptr(false)},
					}},
					AntreaNsx: &v1alpha2.AntreaNsx{
						Enable:        ptr(true),
						BootstrapFrom: v1alpha2.AntreaNsxBootstrapFrom{Inline: &v1alpha2.AntreaNsxInline{NsxManagers: []string{"nsx.example"}}},
						Config:        v1alpha2.AntreaNsxConfig{InfraType: "vSphere"},
					},
				},
			},
			want: `{"antrea":{"config":{"tunnelPort":6081,"tunnelCsum":true,"featureGates":{"TopologyAwareHints":false}}},` +
				`"antreaNsx":{"enable":true,"bootstrapFrom":{"inline":{"nsxManagers":["nsx.example"]}},"config":{"infraType":"vSphere"}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var spoke AntreaConfig
			if err := ConvertAntreaConfigFromHub(context.Background(), &tt.hub, &spoke); err != nil {
				t.Fatal(err)
			}
			got, ok := spoke.Annotations[ConversionDataAnnotation]
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("annotation = %q (present %t), want %q", got, ok, tt.want)
			}
			if tt.hub.Annotations["keep"] != "" && spoke.Annotations["keep"] != "me" {
				t.Errorf("other annotations not kept: %v", spoke.Annotations)
			}
		})
	}
}

func TestConvertAntreaConfigToHubBadAnnotation(t *testing.T) {
	spoke := &AntreaConfig{ObjectMeta: metav1.ObjectMeta{
		Namespace: "ns", Name: "cfg",
		Annotations: map[string]string{ConversionDataAnnotation: "{not json"},
	}}
	err := ConvertAntreaConfigToHub(context.Background(), spoke, &v1alpha2.AntreaConfig{})
	if err == nil || !strings.Contains(err.Error(), ConversionDataAnnotation) || !strings.Contains(err.Error(), "ns/cfg") {
		t.Fatalf("error = %v, want one naming the annotation and the object", err)
	}
}

// Conversion output must not share memory with its input: the webhook and
// controllers go on to change the converted object.
func TestConvertAntreaConfigDoesNotAlias(t *testing.T) {
	ctx := context.Background()
	hub := &v1alpha2.AntreaConfig{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"l": "v"}},
		Spec: v1alpha2.AntreaConfigSpec{
			Antrea: v1alpha2.Antrea{Config: v1alpha2.AntreaConfigDataValue{
				Egress:     v1alpha2.AntreaEgress{ExceptCIDRs: []string{"10.0.0.0/8"}},
				NoSNAT:     ptr(false),
				TunnelPort: ptr[int32](1),
			}},
			AntreaNsx: &v1alpha2.AntreaNsx{Enable: ptr(true)},
		},
	}
	var spoke AntreaConfig
	if err := ConvertAntreaConfigFromHub(ctx, hub, &spoke); err != nil {
		t.Fatal(err)
	}
	var back v1alpha2.AntreaConfig
	if err := ConvertAntreaConfigToHub(ctx, &spoke, &back); err != nil {
		t.Fatal(err)
	}
	want := hub.DeepCopy()

	spoke.Labels["l"] = "changed"
	spoke.Spec.Antrea.Config.Egress.ExceptCIDRs[0] = "changed"
	*spoke.Spec.Antrea.Config.NoSNAT = true
	*back.Spec.Antrea.Config.TunnelPort = 2
	*back.Spec.AntreaNsx.Enable = false

	if diff := cmp.Diff(want, hub); diff != "" {
		t.Errorf("changing conversion output changed the input (-want +got):\n%s", diff)
	}
}

// A v1alpha1 webhook validates by converting to the hub; this checks that the
// errors it gets back point at the same fields a v1alpha1 user wrote.
func TestValidationThroughConversion(t *testing.T) {
	ctx := context.Background()
	toHub := func(c *AntreaConfig) *v1alpha2.AntreaConfig {
		t.Helper()
		var hub v1alpha2.AntreaConfig
		if err := ConvertAntreaConfigToHub(ctx, c, &hub); err != nil {
			t.Fatal(err)
		}
		return &hub
	}

	bad := &AntreaConfig{}
	bad.Spec.Antrea.Config.FeatureGates.EndpointSlice = ptr(true)
	bad.Spec.Antrea.Config.FeatureGates.AntreaProxy = ptr(false)
	want := field.ErrorList{field.Invalid(field.NewPath("spec", "antrea", "config", "featureGates", "EndpointSlice"),
		true, "field cannot be enabled if AntreaProxy is disabled")}
	if diff := cmp.Diff(want, v1alpha2.ValidateCreate(toHub(bad))); diff != "" {
		t.Errorf("ValidateCreate mismatch (-want +got):\n%s", diff)
	}

	// antreaNsx.enable is immutable even for a v1alpha1 client, which can
	// only reach it through the conversion annotation.
	stored := &v1alpha2.AntreaConfig{Spec: v1alpha2.AntreaConfigSpec{AntreaNsx: &v1alpha2.AntreaNsx{Enable: ptr(true)}}}
	var edited AntreaConfig
	if err := ConvertAntreaConfigFromHub(ctx, stored, &edited); err != nil {
		t.Fatal(err)
	}
	edited.Annotations[ConversionDataAnnotation] = `{"antreaNsx":{"enable":false}}`
	want = field.ErrorList{field.Invalid(field.NewPath("spec", "antreaNsx", "enable"), false, "field is immutable")}
	if diff := cmp.Diff(want, v1alpha2.ValidateUpdate(stored, toHub(&edited))); diff != "" {
		t.Errorf("ValidateUpdate mismatch (-want +got):\n%s", diff)
	}
}
