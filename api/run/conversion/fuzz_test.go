/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package conversion

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/randfill"

	"github.com/tkr-project/tkr/api/run/internal/legacytkr"
)

const fuzzIterations = 2000

// newFiller returns a filler for TKRs of any version. Strings come from a
// small pool half of the time, so that versions with and without "v",
// matching and differing names and stale conversion data all turn up often.
func newFiller(seed int64) *randfill.Filler {
	pool := []string{"", "v1.24.9+vmware.1", "1.24.9+vmware.1", "F", "G"}
	coreNames := []string{"etcd", "coredns", "pause", "kube-vip", "nginx"}
	return randfill.NewWithSeed(seed).NilChance(0.2).NumElements(0, 3).Funcs(
		func(s *string, c randfill.Continue) {
			if c.Intn(2) == 0 {
				*s = pool[c.Intn(len(pool))]
				return
			}
			*s = c.String(0)
		},
		// Conversion copies TypeMeta and most of ObjectMeta as they are;
		// filling the fields it does touch keeps the test fast.
		func(*metav1.TypeMeta, randfill.Continue) {},
		func(m *metav1.ObjectMeta, c randfill.Continue) {
			c.Fill(&m.Name)
			c.Fill(&m.Labels)
			c.Fill(&m.Annotations)
			c.Fill(&m.Generation)
		},
		func(i *image, c randfill.Continue) {
			c.FillNoCustom(i)
			i.Name = coreNames[c.Intn(len(coreNames))]
		},
	)
}

// V2: a random hub survives hub to spoke to hub, also when it carries
// conversion data from an earlier spoke that may no longer match.
func TestFuzzHubSpokeHub(t *testing.T) {
	forEachSpoke(t, func(t *testing.T, s spokeAPI) {
		f := newFiller(1)
		for i := 0; i < fuzzIterations; i++ {
			want := &hub{}
			f.Fill(want)
			src := want.DeepCopy()
			if withStaleData(f) {
				var stale spec
				f.Fill(&stale)
				if err := legacytkr.MarshalData(s.object(legacy{Spec: stale}), &src.ObjectMeta); err != nil {
					t.Fatal(err)
				}
			}

			got := s.mustToHub(t, s.mustFromHub(t, src))
			withoutData(&got.ObjectMeta)
			mustEqual(t, i, want, got)
		}
	})
}

// V1: a random spoke survives spoke to hub to spoke, also when it carries
// conversion data from an earlier hub that may no longer match.
func TestFuzzSpokeHubSpoke(t *testing.T) {
	forEachSpoke(t, func(t *testing.T, s spokeAPI) {
		f := newFiller(2)
		for i := 0; i < fuzzIterations; i++ {
			var want legacy
			f.Fill(&want.Meta)
			f.Fill(&want.Spec)
			f.Fill(&want.Status)
			src := want
			src.Meta = *want.Meta.DeepCopy()
			if withStaleData(f) {
				stale := &hub{}
				f.Fill(stale)
				if err := legacytkr.MarshalData(stale, &src.Meta); err != nil {
					t.Fatal(err)
				}
			}

			got := s.mustFromHub(t, s.mustToHub(t, src))
			withoutData(&got.Meta)
			mustEqual(t, i, want, got)
		}
	})
}

// withStaleData decides whether the source of a round trip carries conversion data.
func withStaleData(f *randfill.Filler) bool {
	var b bool
	f.Fill(&b)
	return b
}

// mustEqual fails the test if a round trip turned want into something else.
// It compares with equality.Semantic, which is faster than cmp, and uses cmp
// only to explain a difference; both treat nil and empty alike.
func mustEqual(t *testing.T, iteration int, want, got interface{}) {
	t.Helper()
	if !equality.Semantic.DeepEqual(want, got) {
		t.Fatalf("iteration %d: round trip changed the object (-want +got):\n%s",
			iteration, cmp.Diff(want, got, compareOptions...))
	}
}
