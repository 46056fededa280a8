/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package conversion

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tkr-project/tkr/api/run/v1alpha1"
	"github.com/tkr-project/tkr/api/run/v1alpha2"
	"github.com/tkr-project/tkr/api/run/v1alpha3"
)

// The legacy versions share their spec and status types, so the tests
// describe a legacy TKR with those and run once per version through spokeAPI.
type (
	hub    = v1alpha3.TanzuKubernetesRelease
	spec   = v1alpha1.TanzuKubernetesReleaseSpec
	status = v1alpha1.TanzuKubernetesReleaseStatus
	image  = v1alpha1.ContainerImage
)

// legacy is a version-neutral v1alpha1 or v1alpha2 TKR.
type legacy struct {
	Meta   metav1.ObjectMeta
	Spec   spec
	Status status
}

// spokeAPI converts through the exported functions of one legacy version.
type spokeAPI struct {
	version string
	toHub   func(legacy) (*hub, error)
	fromHub func(*hub) (legacy, error)
	object  func(legacy) client.Object
}

var spokes = []spokeAPI{
	newSpokeAPI(v1alpha1.ConvertTanzuKubernetesReleaseToHub, v1alpha1.ConvertTanzuKubernetesReleaseFromHub,
		func(l legacy) *v1alpha1.TanzuKubernetesRelease {
			return &v1alpha1.TanzuKubernetesRelease{TypeMeta: typeMeta(v1alpha1.GroupVersion), ObjectMeta: l.Meta, Spec: l.Spec, Status: l.Status}
		},
		func(o *v1alpha1.TanzuKubernetesRelease) legacy { return legacy{o.ObjectMeta, o.Spec, o.Status} }),
	newSpokeAPI(v1alpha2.ConvertTanzuKubernetesReleaseToHub, v1alpha2.ConvertTanzuKubernetesReleaseFromHub,
		func(l legacy) *v1alpha2.TanzuKubernetesRelease {
			return &v1alpha2.TanzuKubernetesRelease{TypeMeta: typeMeta(v1alpha2.GroupVersion), ObjectMeta: l.Meta, Spec: l.Spec, Status: l.Status}
		},
		func(o *v1alpha2.TanzuKubernetesRelease) legacy { return legacy{o.ObjectMeta, o.Spec, o.Status} }),
}

// newSpokeAPI adapts the conversion functions of one version, given how to
// wrap and unwrap that version's TKR.
func newSpokeAPI[T client.Object](
	toHub func(context.Context, T, *hub) error,
	fromHub func(context.Context, *hub, T) error,
	wrap func(legacy) T,
	unwrap func(T) legacy,
) spokeAPI {
	return spokeAPI{
		version: wrap(legacy{}).GetObjectKind().GroupVersionKind().Version,
		toHub: func(in legacy) (*hub, error) {
			out := &hub{}
			return out, toHub(context.Background(), wrap(in), out)
		},
		fromHub: func(in *hub) (legacy, error) {
			out := wrap(legacy{})
			err := fromHub(context.Background(), in, out)
			return unwrap(out), err
		},
		object: func(in legacy) client.Object { return wrap(in) },
	}
}

func typeMeta(gv schema.GroupVersion) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: gv.String(), Kind: "TanzuKubernetesRelease"}
}

// forEachSpoke runs test once per legacy version.
func forEachSpoke(t *testing.T, test func(t *testing.T, s spokeAPI)) {
	for _, s := range spokes {
		t.Run(s.version, func(t *testing.T) { test(t, s) })
	}
}

func (s spokeAPI) mustToHub(t *testing.T, in legacy) *hub {
	t.Helper()
	out, err := s.toHub(in)
	if err != nil {
		t.Fatalf("%s to hub: %v", s.version, err)
	}
	return out
}

func (s spokeAPI) mustFromHub(t *testing.T, in *hub) legacy {
	t.Helper()
	out, err := s.fromHub(in)
	if err != nil {
		t.Fatalf("hub to %s: %v", s.version, err)
	}
	return out
}

// compareOptions make comparisons ignore the difference between nil and
// empty, which JSON erases.
var compareOptions = []cmp.Option{
	cmpopts.EquateEmpty(),
}

// withoutData removes the conversion-data annotation, which round trips
// leave behind, from meta.
func withoutData(meta *metav1.ObjectMeta) {
	delete(meta.Annotations, v1alpha3.AnnotationConversionData)
}
