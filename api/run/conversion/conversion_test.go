/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package conversion

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/tkr-project/tkr/api/run/v1alpha1"
	"github.com/tkr-project/tkr/api/run/v1alpha2"
	"github.com/tkr-project/tkr/api/run/v1alpha3"
)

// fullHub sets every hub field that conversion handles.
func fullHub() *hub {
	return &hub{
		ObjectMeta: metav1.ObjectMeta{Name: "v1.24.9---vmware.1-tkg.1", Labels: map[string]string{"v1.24": ""}},
		Spec: v1alpha3.TanzuKubernetesReleaseSpec{
			Version: "v1.24.9+vmware.1-tkg.1",
			Kubernetes: v1alpha3.KubernetesSpec{
				Version:         "v1.24.9+vmware.1",
				ImageRepository: "projects.example.com/tkg",
				Etcd:            &v1alpha3.ContainerImageInfo{ImageTag: "v3.5.6_vmware.3"},
				Pause:           &v1alpha3.ContainerImageInfo{ImageTag: "3.7"},
				CoreDNS:         &v1alpha3.ContainerImageInfo{ImageRepository: "elsewhere", ImageTag: "v1.8.6_vmware.15"},
				KubeVIP:         &v1alpha3.ContainerImageInfo{ImageTag: "v0.5.7_vmware.1"},
			},
			OSImages:          []v1alpha3.OSImageReference{{Name: "F"}},
			BootstrapPackages: []v1alpha3.BootstrapPackageReference{{Name: "BP"}},
		},
		Status: v1alpha3.TanzuKubernetesReleaseStatus{Conditions: v1alpha3.Conditions{{
			Type:               v1alpha3.ConditionReady,
			Status:             corev1.ConditionTrue,
			LastTransitionTime: metav1.NewTime(time.Date(2023, 2, 23, 1, 24, 1, 0, time.UTC)),
		}}},
	}
}

// V3: nodeImageRef and osImages.
func TestNodeImageRef(t *testing.T) {
	forEachSpoke(t, func(t *testing.T, s spokeAPI) {
		for _, ref := range []*corev1.ObjectReference{nil, {Name: "F", Kind: "OSImage"}} {
			h := s.mustToHub(t, legacy{Spec: spec{Version: "v1.24.9", NodeImageRef: ref}})
			var want []v1alpha3.OSImageReference
			if ref != nil {
				want = []v1alpha3.OSImageReference{{Name: ref.Name}}
			}
			if diff := cmp.Diff(want, h.Spec.OSImages); diff != "" {
				t.Errorf("osImages from nodeImageRef %v (-want +got):\n%s", ref, diff)
			}
		}

		for _, osImages := range [][]v1alpha3.OSImageReference{nil, {{Name: "F"}}, {{Name: "F"}, {Name: "G"}}} {
			h := fullHub()
			h.Spec.OSImages = osImages
			got := s.mustFromHub(t, h).Spec.NodeImageRef
			if len(osImages) == 0 {
				if got != nil {
					t.Errorf("nodeImageRef %v from no osImages, want nil", got)
				}
				continue
			}
			if diff := cmp.Diff(&corev1.ObjectReference{Name: osImages[0].Name}, got); diff != "" {
				t.Errorf("nodeImageRef from osImages %v (-want +got):\n%s", osImages, diff)
			}
		}
	})
}

// V4: a hub with every field survives hub to spoke to hub.
func TestHubSpokeHub(t *testing.T) {
	forEachSpoke(t, func(t *testing.T, s spokeAPI) {
		want := fullHub()
		got := s.mustToHub(t, s.mustFromHub(t, want.DeepCopy()))
		withoutData(&got.ObjectMeta)
		if diff := cmp.Diff(want, got, compareOptions...); diff != "" {
			t.Errorf("hub after round trip (-want +got):\n%s", diff)
		}
	})
}

// V5: repeated core images survive spoke to hub to spoke, in order.
func TestRepeatedImages(t *testing.T) {
	forEachSpoke(t, func(t *testing.T, s spokeAPI) {
		want := legacy{Spec: spec{
			Version:           "v1.24.9+vmware.1-tkg.1",
			KubernetesVersion: "v1.24.9+vmware.1",
			Images: []image{
				{Name: "pause", Tag: "3.6"}, {Name: "pause", Tag: "3.7"},
				{Name: "coredns", Tag: "a"}, {Name: "coredns", Tag: "b"},
				{Name: "etcd", Tag: "c"}, {Name: "etcd", Tag: "d"},
			},
		}}
		h := s.mustToHub(t, want)
		if got := h.Spec.Kubernetes.Pause; got == nil || got.ImageTag != "3.7" {
			t.Errorf("hub pause image %v, want the last one, tag 3.7", got)
		}
		got := s.mustFromHub(t, h)
		withoutData(&got.Meta)
		if diff := cmp.Diff(want, got, compareOptions...); diff != "" {
			t.Errorf("spoke after round trip (-want +got):\n%s", diff)
		}
	})
}

// V6: a hub without conversion data flattens into the legacy form.
func TestHubToSpokeWithoutData(t *testing.T) {
	forEachSpoke(t, func(t *testing.T, s spokeAPI) {
		h := fullHub()
		h.Spec.Version = "1.24.9+vmware.1-tkg.1" // copied verbatim, without gaining a "v"
		got := s.mustFromHub(t, h)
		want := legacy{
			Meta: h.ObjectMeta,
			Spec: spec{
				Version:           "1.24.9+vmware.1-tkg.1",
				KubernetesVersion: "v1.24.9+vmware.1",
				Repository:        "projects.example.com/tkg",
				Images: []image{
					{Name: "etcd", Tag: "v3.5.6_vmware.3"},
					{Repository: "elsewhere", Name: "coredns", Tag: "v1.8.6_vmware.15"},
					{Name: "pause", Tag: "3.7"},
					{Name: "kube-vip", Tag: "v0.5.7_vmware.1"},
				},
				NodeImageRef: &corev1.ObjectReference{Name: "F"},
			},
			Status: status{Conditions: h.Status.Conditions},
		}
		if _, ok := got.Meta.Annotations[v1alpha3.AnnotationConversionData]; !ok {
			t.Error("the spoke does not carry the hub as conversion data")
		}
		withoutData(&got.Meta)
		if diff := cmp.Diff(want, got, compareOptions...); diff != "" {
			t.Errorf("spoke (-want +got):\n%s", diff)
		}
	})
}

func TestSpokeToHub(t *testing.T) {
	forEachSpoke(t, func(t *testing.T, s spokeAPI) {
		got := s.mustToHub(t, legacy{Spec: spec{
			Version:           "1.24.9+vmware.1-tkg.1",
			KubernetesVersion: "1.24.9+vmware.1",
			Repository:        "repo",
			Images:            []image{{Name: "kube-vip", Tag: "t"}, {Name: "nginx", Tag: "dropped"}},
		}})
		want := v1alpha3.TanzuKubernetesReleaseSpec{
			Version: "v1.24.9+vmware.1-tkg.1",
			Kubernetes: v1alpha3.KubernetesSpec{
				Version:         "v1.24.9+vmware.1",
				ImageRepository: "repo",
				KubeVIP:         &v1alpha3.ContainerImageInfo{ImageTag: "t"},
			},
		}
		if diff := cmp.Diff(want, got.Spec); diff != "" {
			t.Errorf("hub spec (-want +got):\n%s", diff)
		}
	})
}

// An empty version stays empty instead of becoming "v" (a deliberate fix).
func TestEmptyVersionStaysEmpty(t *testing.T) {
	forEachSpoke(t, func(t *testing.T, s spokeAPI) {
		h := s.mustToHub(t, legacy{})
		if h.Spec.Version != "" || h.Spec.Kubernetes.Version != "" {
			t.Errorf("hub versions %q and %q, want both empty", h.Spec.Version, h.Spec.Kubernetes.Version)
		}
	})
}

// Conversion data restores only what the other version did not change, so
// that an edit made through one version is not undone by stale data.
func TestEditsWinOverConversionData(t *testing.T) {
	forEachSpoke(t, func(t *testing.T, s spokeAPI) {
		t.Run("edited spoke", func(t *testing.T) {
			sp := s.mustFromHub(t, fullHub())
			sp.Spec.NodeImageRef = &corev1.ObjectReference{Name: "G"}
			sp.Spec.KubernetesVersion = "v1.24.10+vmware.1"
			h := s.mustToHub(t, sp)
			if diff := cmp.Diff([]v1alpha3.OSImageReference{{Name: "G"}}, h.Spec.OSImages); diff != "" {
				t.Errorf("osImages (-want +got):\n%s", diff)
			}
			if h.Spec.Kubernetes.Version != "v1.24.10+vmware.1" {
				t.Errorf("kubernetes version %q, want the edited one", h.Spec.Kubernetes.Version)
			}
			if diff := cmp.Diff(fullHub().Spec.BootstrapPackages, h.Spec.BootstrapPackages); diff != "" {
				t.Errorf("bootstrapPackages were not restored (-want +got):\n%s", diff)
			}
		})
		t.Run("edited hub", func(t *testing.T) {
			h := s.mustToHub(t, legacy{Spec: spec{
				Version:      "1.24.9",
				Images:       []image{{Name: "etcd", Tag: "old"}, {Name: "nginx"}},
				NodeImageRef: &corev1.ObjectReference{Name: "F", Kind: "OSImage"},
			}})
			h.Spec.Version = "v1.24.10"
			h.Spec.Kubernetes.Etcd.ImageTag = "new"
			h.Spec.OSImages = []v1alpha3.OSImageReference{{Name: "G"}}
			got := s.mustFromHub(t, h).Spec
			want := spec{
				Version:      "v1.24.10",
				Images:       []image{{Name: "etcd", Tag: "new"}},
				NodeImageRef: &corev1.ObjectReference{Name: "G"},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("spoke spec (-want +got):\n%s", diff)
			}
		})
	})
}

func TestConversionDoesNotModifySource(t *testing.T) {
	forEachSpoke(t, func(t *testing.T, s spokeAPI) {
		h := s.mustToHub(t, legacy{Spec: spec{Version: "v1"}})
		before := h.DeepCopy()
		s.mustFromHub(t, h)
		if diff := cmp.Diff(before, h); diff != "" {
			t.Errorf("hub changed by conversion (-before +after):\n%s", diff)
		}
	})
}

// The converter the webhook registers links all three versions.
func TestConverter(t *testing.T) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{v1alpha1.AddToScheme, v1alpha2.AddToScheme, v1alpha3.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	converter, err := TanzuKubernetesRelease(scheme)
	if err != nil {
		t.Fatalf("building the converter: %v", err)
	}

	want := legacy{
		Meta: metav1.ObjectMeta{Name: "v1.21.2---vmware.1-tkg.1"},
		Spec: spec{
			Version:      "v1.21.2+vmware.1-tkg.1",
			Images:       []image{{Name: "etcd", Tag: "a"}, {Name: "etcd", Tag: "b"}},
			NodeImageRef: &corev1.ObjectReference{Name: "F", Kind: "OSImage"},
		},
	}
	src := spokes[0].object(want)
	dst := spokes[1].object(legacy{})
	if err := converter.ConvertObject(context.Background(), src, dst); err != nil {
		t.Fatalf("converting v1alpha1 to v1alpha2: %v", err)
	}
	got := dst.(*v1alpha2.TanzuKubernetesRelease)
	withoutData(&got.ObjectMeta)
	if diff := cmp.Diff(want, legacy{got.ObjectMeta, got.Spec, got.Status}, compareOptions...); diff != "" {
		t.Errorf("v1alpha2 TKR (-want +got):\n%s", diff)
	}
}
