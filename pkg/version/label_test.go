/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package version

import "testing"

func TestLabel(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"1.22.0+vmware.1-tkg.3", "v1.22.0---vmware.1-tkg.3"}, // resolver.md §2.1
		{"v1.22.0+vmware.1-tkg.3", "v1.22.0---vmware.1-tkg.3"},
		{"v1.22", "v1.22"},
		{"1.22", "v1.22"},
		{"v1.22.0---vmware.1-tkg.3", "v1.22.0---vmware.1-tkg.3"},
		{"v1.24.9+vmware.1-tkg.1", "v1.24.9---vmware.1-tkg.1"},
		{"", "v"},
		{"v", "v"},
		{"+", "v---"},
		{"v1+a+b", "v1---a---b"},
		{"vv1.2", "vv1.2"}, // only one "v" is dropped and put back
		{"V1.2", "vV1.2"},
	}
	for _, tt := range tests {
		if got := Label(tt.in); got != tt.want {
			t.Errorf("Label(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFromLabel(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"v1.22.0---vmware.1-tkg.3", "v1.22.0+vmware.1-tkg.3"},
		{"v1.24.9---vmware.1-tkg.1", "v1.24.9+vmware.1-tkg.1"},
		{"v1.22", "v1.22"},
		{"1.22", "v1.22"},
		{"", "v"}, // source-status.md §1: unparseable, but well defined
		{"v", "v"},
		{"v----", "v+-"},   // hyphens are read back greedily from the left
		{"v------", "v++"}, // so a run of six is two '+'
		{"v-----x", "v+--x"},
	}
	for _, tt := range tests {
		if got := FromLabel(tt.in); got != tt.want {
			t.Errorf("FromLabel(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWithV(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "v"},
		{"v", "v"},
		{"1.2.3", "v1.2.3"},
		{"v1.2.3", "v1.2.3"},
		{"vmware", "vmware"}, // WithV only looks at the first byte
	}
	for _, tt := range tests {
		if got := WithV(tt.in); got != tt.want {
			t.Errorf("WithV(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLabelInvertible(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{"v1.24.9+vmware.1-tkg.1", true},
		{"1.24.9+vmware.1-tkg.1", true},
		{"v1.24.9---vmware.1", false}, // already a label: comes back with '+'
		{"v1.2.3-rc-+b", false},       // "-+" comes back as "+-"
		{"v1.2.3+-b", true},           // "+-" survives
		{"v1.2.3+--b", true},
		{"v1.2.3-a--b", true},
		{"v1.2.3++b", true},
		{"v1.2.3+---b", false},
	}
	for _, tt := range tests {
		if got := LabelInvertible(tt.in); got != tt.want {
			t.Errorf("LabelInvertible(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if roundTrips := FromLabel(Label(tt.in)) == WithV(tt.in); roundTrips != tt.want {
			t.Errorf("FromLabel(Label(%q)) = %q, round trip %v, want %v", tt.in, FromLabel(Label(tt.in)), roundTrips, tt.want)
		}
	}
}

func TestImageTag(t *testing.T) {
	tests := []struct {
		version, tag string
	}{
		{"v1.24.9+vmware.1-tkg.1", "v1.24.9_vmware.1-tkg.1"}, // source-status.md §1
		{"1.24.9+vmware.1", "1.24.9_vmware.1"},               // no "v" is added
		{"v1.24.9", "v1.24.9"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ImageTag(tt.version); got != tt.tag {
			t.Errorf("ImageTag(%q) = %q, want %q", tt.version, got, tt.tag)
		}
		if got := FromImageTag(tt.tag); got != tt.version {
			t.Errorf("FromImageTag(%q) = %q, want %q", tt.tag, got, tt.version)
		}
	}
}

func TestLabelDoesNotAllocateForLabels(t *testing.T) {
	for _, s := range []string{"v1.24.9---vmware.1-tkg.1", "v1.24"} {
		if n := testing.AllocsPerRun(100, func() { _ = Label(s) }); n != 0 {
			t.Errorf("Label(%q) allocates %v times, want 0", s, n)
		}
		if n := testing.AllocsPerRun(100, func() { _ = FromLabel("v1.24.9") }); n != 0 {
			t.Errorf("FromLabel(%q) allocates %v times, want 0", "v1.24.9", n)
		}
	}
}
