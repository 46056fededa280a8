/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package version

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPrefixes(t *testing.T) {
	spec := []string{ // resolver.md §2.2
		"v1.17.9---vmware.2-tkg.3",
		"v1.17.9---vmware.2-tkg",
		"v1.17.9---vmware.2",
		"v1.17.9---vmware",
		"v1.17.9",
		"v1.17",
		"v1",
	}
	tests := []struct {
		in   string
		want []string
	}{
		{"v1.17.9---vmware.2-tkg.3", spec},
		{"v1.17.9+vmware.2-tkg.3", spec},
		{"1.17.9+vmware.2-tkg.3", spec},
		{"v1.24.9+vmware.1", []string{"v1.24.9---vmware.1", "v1.24.9---vmware", "v1.24.9", "v1.24", "v1"}},
		{"v1.21.1", []string{"v1.21.1", "v1.21", "v1"}},
		{"1.22", []string{"v1.22", "v1"}},
		{"v1", []string{"v1"}},
		{"", nil},
		{"v", nil},
		{"v.1", []string{"v.1"}},                     // the cut before ".1" would leave a bare "v"
		{"v1.2-", []string{"v1.2-", "v1.2", "v1"}},   // the string itself, even when it ends oddly
		{"v1..2", []string{"v1..2", "v1"}},           // a delimiter run is cut as a whole
		{"v1.2é3", []string{"v1.2é3", "v1.2", "v1"}}, // non-ASCII bytes are delimiters
	}
	for _, tt := range tests {
		got := Prefixes(tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Prefixes(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestPrefixLabels(t *testing.T) {
	want := map[string]string{
		"v1.17.9---vmware.2-tkg.3": "",
		"v1.17.9---vmware.2-tkg":   "",
		"v1.17.9---vmware.2":       "",
		"v1.17.9---vmware":         "",
		"v1.17.9":                  "",
		"v1.17":                    "",
		"v1":                       "",
	}
	if diff := cmp.Diff(want, PrefixLabels("v1.17.9---vmware.2-tkg.3")); diff != "" {
		t.Errorf("PrefixLabels mismatch (-want +got):\n%s", diff)
	}
	if got := PrefixLabels(""); len(got) != 0 {
		t.Errorf("PrefixLabels(\"\") = %v, want empty", got)
	}
}

func TestHasPrefix(t *testing.T) {
	tests := []struct {
		version, prefix string
		want            bool
	}{
		{"v1.21.1", "v1.21", true},
		{"v1.21.1", "v1.2", false}, // resolver.md §2.2
		{"v1.21.1", "v1", true},
		{"v1.21.1", "v1.21.1", true},
		{"v1.21.1", "1.21", true},
		{"1.21.1", "v1.21", true},
		{"v1.21.1", "v1.21.", false},
		{"v1.21.1", "v1.21.1.0", false},
		{"v1.24.9+vmware.1-tkg.1", "v1.24.9+vmware.1", true},
		{"v1.24.9+vmware.1-tkg.1", "v1.24.9---vmware.1", true},
		{"v1.24.9---vmware.1-tkg.1", "v1.24.9+vmware", true},
		{"v1.24.9+vmware.1-tkg.1", "v1.24.9+vm", false},
		{"v1.24.9+vmware.1-tkg.1", "v1.24.9-", false},
		{"v1.24.9", "v", false},
		{"v1.24.9", "", false},
		{"", "", false},
		{"v.1", "v", false},
		{"v1.2-", "v1.2-", true},
	}
	for _, tt := range tests {
		if got := HasPrefix(tt.version, tt.prefix); got != tt.want {
			t.Errorf("HasPrefix(%q, %q) = %v, want %v", tt.version, tt.prefix, got, tt.want)
		}
	}
}

func TestValidatePrefix(t *testing.T) {
	valid := []string{
		"v1", "1", "v1.24", "1.24", "v1.24.9", "v1.24.9+vmware.1", "v1.24.9+vmware.1-tkg.1",
		"v1.24.9---vmware.1", "v1_2", "vv1", strings.Repeat("1", 62),
		"v1.2+" + strings.Repeat("a", 56), // label key of exactly 63 characters
	}
	for _, p := range valid {
		if err := ValidatePrefix(p); err != nil {
			t.Errorf("ValidatePrefix(%q) = %v, want nil", p, err)
		}
	}

	invalid := []struct {
		in, want string
	}{
		{"", `version prefix "" is not usable: it is empty`},
		{"v", `version prefix "v" is not usable: it needs at least a major version after the "v", like v1`},
		{"v1.24 ", `version prefix "v1.24 " is not usable: the character ' ' at byte 5 is not allowed; use only letters, digits, '.', '-', '_' and '+'`},
		{" v1.24", `version prefix " v1.24" is not usable: the character ' ' at byte 0 is not allowed; use only letters, digits, '.', '-', '_' and '+'`},
		{"v1.*", `version prefix "v1.*" is not usable: the character '*' at byte 3 is not allowed; use only letters, digits, '.', '-', '_' and '+'`},
		{"v1.2é", `version prefix "v1.2é" is not usable: the character 'é' at byte 4 is not allowed; use only letters, digits, '.', '-', '_' and '+'`},
		{"v1.24.", `version prefix "v1.24." is not usable: it ends with '.', but it must end with a letter or digit`},
		{"v1.24+", `version prefix "v1.24+" is not usable: it ends with '+', but it must end with a letter or digit`},
		{"v1/2", `version prefix "v1/2" is not usable: the character '/' at byte 2 is not allowed; use only letters, digits, '.', '-', '_' and '+'`},
		{
			"v1.2+" + strings.Repeat("a", 57),
			`version prefix "v1.2+` + strings.Repeat("a", 57) + `" is not usable: its label key "v1.2---` + strings.Repeat("a", 57) +
				`" is 64 characters long, more than the 63 a label key may have`,
		},
	}
	for _, tt := range invalid {
		err := ValidatePrefix(tt.in)
		if err == nil {
			t.Errorf("ValidatePrefix(%q) = nil, want %q", tt.in, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("ValidatePrefix(%q) = %q, want %q", tt.in, err, tt.want)
		}
	}
}
