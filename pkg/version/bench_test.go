/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package version

import (
	"testing"

	utilversion "k8s.io/apimachinery/pkg/util/version"
)

func BenchmarkParse(b *testing.B) {
	b.Run("with-v", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = Parse("v1.24.9+vmware.1-tkg.1.cafebabe")
		}
	})
	b.Run("without-v", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = Parse("1.24.9+vmware.1-tkg.1.cafebabe")
		}
	})
	// The parser the original service used, for comparison.
	b.Run("apimachinery", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = utilversion.ParseSemantic("v1.24.9+vmware.1-tkg.1.cafebabe")
		}
	})
}

func BenchmarkCompare(b *testing.B) {
	cases := []struct {
		name string
		x, y *Version
	}{
		{"patch", MustParse("v1.24.9+vmware.1-tkg.1"), MustParse("v1.24.10+vmware.1-tkg.1")},
		{"build-hex", MustParse("v1.24.9+vmware.1-tkg.1.cafebabe"), MustParse("v1.24.9+vmware.1-tkg.1.deadbeef")},
		{"equal", MustParse("v1.24.9+vmware.1-tkg.1"), MustParse("v1.24.9+vmware.1-tkg.1")},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Compare(c.x, c.y)
			}
		})
	}
}

func BenchmarkPrefixes(b *testing.B) {
	for _, v := range []string{"v1.24.9---vmware.1-tkg.1", "v1.24.9+vmware.1-tkg.1"} {
		b.Run(v, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Prefixes(v)
			}
		})
	}
}

func BenchmarkLabel(b *testing.B) {
	for _, v := range []string{"v1.24.9+vmware.1-tkg.1", "v1.24.9---vmware.1-tkg.1"} {
		b.Run(v, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Label(v)
			}
		})
	}
}
