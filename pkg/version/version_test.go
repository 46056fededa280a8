/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package version

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	type fields struct {
		String, PreRelease, BuildMetadata string
		Major, Minor, Patch               uint
	}
	nines := strings.Repeat("9", 24)
	tests := []struct {
		in   string
		want fields
	}{
		{"1.16.2+vmware.1-tkg.1.cafebabe", fields{"v1.16.2+vmware.1-tkg.1.cafebabe", "", "vmware.1-tkg.1.cafebabe", 1, 16, 2}},
		{"v1.24.9+vmware.1-tkg.1", fields{"v1.24.9+vmware.1-tkg.1", "", "vmware.1-tkg.1", 1, 24, 9}},
		{"v1.0.0-rc.1+build.5", fields{"v1.0.0-rc.1+build.5", "rc.1", "build.5", 1, 0, 0}},
		{"v1.0.0-x-y-z.--", fields{"v1.0.0-x-y-z.--", "x-y-z.--", "", 1, 0, 0}},
		{"0.0.0", fields{"v0.0.0", "", "", 0, 0, 0}},
		{" \t\n\f\rv1.2.3 \t\f\r", fields{"v1.2.3", "", "", 1, 2, 3}},
		{"1.2.3+0001", fields{"v1.2.3+0001", "", "0001", 1, 2, 3}},                // leading zeros are fine in build metadata
		{"1.2.3-01a", fields{"v1.2.3-01a", "01a", "", 1, 2, 3}},                   // and in alphanumeric identifiers
		{"1.2.3-0" + nines, fields{"v1.2.3-0" + nines, "0" + nines, "", 1, 2, 3}}, // too large for the reference's leading-zero check
		{"18446744073709551615.0.0", fields{"v18446744073709551615.0.0", "", "", 18446744073709551615, 0, 0}},
	}
	for _, tt := range tests {
		v, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q) failed: %v", tt.in, err)
			continue
		}
		got := fields{v.String(), v.PreRelease(), v.BuildMetadata(), v.Major(), v.Minor(), v.Patch()}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"covfefe", `version "covfefe" is not a valid semantic version: it must start with a major.minor.patch version number such as v1.24.9`},
		{"", `version "" is not a valid semantic version: it must start with a major.minor.patch version number such as v1.24.9`},
		{"v", `version "v" is not a valid semantic version: it must start with a major.minor.patch version number such as v1.24.9`},
		{"V1.2.3", `version "V1.2.3" is not a valid semantic version: it must start with a major.minor.patch version number such as v1.24.9`},
		{"\v1.2.3", `version "\v1.2.3" is not a valid semantic version: it must start with a major.minor.patch version number such as v1.24.9`},
		{"v1.24", `version "v1.24" is not a valid semantic version: it must have exactly three numeric components, major.minor.patch`},
		{"1.2.", `version "1.2." is not a valid semantic version: it must have exactly three numeric components, major.minor.patch`},
		{"1.2.3.4", `version "1.2.3.4" is not a valid semantic version: it must have exactly three numeric components, major.minor.patch`},
		{"01.2.3", `version "01.2.3" is not a valid semantic version: its component "01" has a leading zero`},
		{"1.2.18446744073709551616", `version "1.2.18446744073709551616" is not a valid semantic version: its component "18446744073709551616" is too large`},
		{"1.2.3-01", `version "1.2.3-01" is not a valid semantic version: its pre-release identifier "01" has a leading zero`},
		{"1.2.3-", `version "1.2.3-" is not a valid semantic version: its pre-release is empty`},
		{"1.2.3+", `version "1.2.3+" is not a valid semantic version: its build metadata is empty`},
		{"1.2.3+vmware.", `version "1.2.3+vmware." is not a valid semantic version: its build metadata "vmware." has an empty identifier`},
		{"1.2.3+a+b", `version "1.2.3+a+b" is not a valid semantic version: its build metadata "a+b" contains '+', but only letters, digits, '-' and '.' are allowed`},
		{"1.2.3-a b", `version "1.2.3-a b" is not a valid semantic version: its pre-release "a b" contains ' ', but only letters, digits, '-' and '.' are allowed`},
		{"1.2.3\n", `version "1.2.3\n" is not a valid semantic version: "\n" after the patch number is neither a "-" pre-release nor "+" build metadata`},
		{"1.2.3.a", `version "1.2.3.a" is not a valid semantic version: ".a" after the patch number is neither a "-" pre-release nor "+" build metadata`},
		{"1.2.3_vmware.1", `version "1.2.3_vmware.1" is not a valid semantic version: "_vmware.1" after the patch number is neither a "-" pre-release nor "+" build metadata`},
	}
	for _, tt := range tests {
		v, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %v, want error %q", tt.in, v, tt.want)
			continue
		}
		if v != nil {
			t.Errorf("Parse(%q) returned %v together with an error", tt.in, v)
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q) error = %q, want %q", tt.in, err, tt.want)
		}
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse(\"covfefe\") did not panic")
		}
	}()
	MustParse("covfefe")
}

func TestParseAllocations(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"v1.24.9+vmware.1-tkg.1", 1}, // the Version only
		{"1.24.9+vmware.1-tkg.1", 2},  // and its "v"-prefixed text
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, func() { _, _ = Parse(tt.in) }); n > tt.want {
			t.Errorf("Parse(%q) allocates %v times, want at most %v", tt.in, n, tt.want)
		}
	}
}

func TestString(t *testing.T) {
	var v *Version
	if got := v.String(); got != "<nil>" {
		t.Errorf("nil String() = %q, want %q", got, "<nil>")
	}
	if got := MustParse("1.2.3-rc.1+vmware.1").String(); got != "v1.2.3-rc.1+vmware.1" {
		t.Errorf("String() = %q, want %q", got, "v1.2.3-rc.1+vmware.1")
	}
}

// parseOrNil lets tables name nil versions with "".
func parseOrNil(t *testing.T, s string) *Version {
	t.Helper()
	if s == "" {
		return nil
	}
	v, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestLessThan(t *testing.T) {
	tests := []struct {
		name string
		a, b string // "" means nil
		want bool
	}{
		// resolver.md §2.3 and §5.5.
		{"nil, nil", "", "", false},
		{"nil, non-nil", "", "1.16.2+vmware.1-tkg.1.cafebabe", true},
		{"non-nil, nil", "1.16.2+vmware.1-tkg.1.cafebabe", "", false},
		{"patch lower", "1.16.1+vmware.1-tkg.1.cafebabe", "1.16.2+vmware.1-tkg.1.cafebabe", true},
		{"patch higher", "1.16.2+vmware.1-tkg.1.cafebabe", "1.16.1+vmware.1-tkg.1.cafebabe", false},
		{"build number lower", "1.16.2+vmware.1-tkg.2.ab123fed", "1.16.2+vmware.2-tkg.2.ab123fed", true},
		{"build number higher", "1.16.2+vmware.2-tkg.2.ab123fed", "1.16.2+vmware.1-tkg.2.ab123fed", false},
		{"build number and hash", "1.16.2+vmware.1-tkg.2.ab123fed", "1.16.2+vmware.2-tkg.2.fed98bef", true},
		{"build string is prefix", "1.16.2+vmware.2-tkg.2.covfefe", "1.16.2+vmware.2-tkg.2.covfefe1", true},
		{"build string is extension", "1.16.2+vmware.2-tkg.2.covfefe1", "1.16.2+vmware.2-tkg.2.covfefe", false},
		{"equal", "1.16.2+vmware.1-tkg.1", "1.16.2+vmware.1-tkg.1", false},

		// SemVer precedence comes before build metadata.
		{"minor beats build", "1.16.9+vmware.9", "1.17.0+vmware.1", true},
		{"major beats minor", "1.99.0", "2.0.0", true},
		{"pre-release before release", "1.0.0-rc.1+vmware.9", "1.0.0+vmware.1", true},
		{"release after pre-release", "1.0.0", "1.0.0-rc.1", false},
		{"pre-release numeric", "1.0.0-rc.2", "1.0.0-rc.11", true},
		{"pre-release numeric before alphanumeric", "1.0.0-1", "1.0.0-alpha", true},
		{"pre-release numeric before leading-digit word", "1.0.0-2", "1.0.0-1a", true},
		{"pre-release fewer identifiers", "1.0.0-alpha", "1.0.0-alpha.1", true},
		{"no build metadata first", "1.16.2", "1.16.2+vmware.1", true},
		{"build metadata after none", "1.16.2+vmware.1", "1.16.2", false},

		// Build metadata tokens.
		{"tkg build", "1.24.9+vmware.1-tkg.1", "1.24.9+vmware.1-tkg.2", true},
		{"tkg build two digits", "1.24.9+vmware.1-tkg.9", "1.24.9+vmware.1-tkg.10", true},
		{"suffix after tkg build", "1.23.8+vmware.2-tkg.2", "1.23.8+vmware.2-tkg.2-zshippable", true},
		{"hyphen before dot", "1.0.0+a-b", "1.0.0+a.b", true},
		{"delimiter before digit", "1.0.0+a.-b", "1.0.0+a.b", true},
		{"digits before word", "1.0.0+vmware.1", "1.0.0+vmware.x", true},

		// The hexadecimal quirk, kept.
		{"hex: a after 9", "1.0.0+9", "1.0.0+a", true},
		{"hex: 10 after f", "1.0.0+f", "1.0.0+10", true},
		{"hex: ab after 99", "1.0.0+99", "1.0.0+ab", true},
		{"hex: 01 not below 1", "1.0.0+01", "1.0.0+1", false},
		{"hex: 1 not below 01", "1.0.0+1", "1.0.0+01", false},
		{"hex: case-insensitive", "1.0.0+A", "1.0.0+a", false},
		{"hex: 2^63-1 is a number", "1.0.0+2", "1.0.0+7fffffffffffffff", true},
		{"hex: 2^63 is a word", "1.0.0+8000000000000000", "1.0.0+7fffffffffffffff", false},
		{"word: bytes", "1.0.0+8000000000000000", "1.0.0+9000000000000000", true},

		// Where this package deviates from the original to stay a strict weak order.
		{"numerically equal tokens are skipped", "1.0.0+01.1", "1.0.0+1.2", true},
		{"numerically equal tokens, other way", "1.0.0+1.2", "1.0.0+01.1", false},
		{"hex before word", "1.0.0+9", "1.0.0+1g", true},
		{"hex before word starting with a hex letter", "1.0.0+cafebabe", "1.0.0+beta", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := parseOrNil(t, tt.a), parseOrNil(t, tt.b)
			if got := a.LessThan(b); got != tt.want {
				t.Errorf("%v.LessThan(%v) = %v, want %v", a, b, got, tt.want)
			}
			if got := Compare(a, b) < 0; got != tt.want {
				t.Errorf("Compare(%v, %v) = %d, want negative: %v", a, b, Compare(a, b), tt.want)
			}
		})
	}
}

func TestCompareBuild(t *testing.T) {
	// Build metadata that Parse rejects still has a defined order; the reference tests
	// compared these token lists directly.
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"vmware.1", "", 1},
		{"", "vmware.1", -1},
		{"vmware.", "vmware.1", -1},
		{"vmware.1-tkg.2.ab123fed", "vmware.2-tkg.2.fed98bef", -1},
		{"-", ".", -1},
		{"-", "123", -1},
		{".", "123", -1},
		{"-", "abc", -1},
		{".", "abc", -1},
		{".", "-", 1},
		{"vmware.01", "vmware.1", 0},
	}
	for _, tt := range tests {
		if got := compareBuild(tt.a, tt.b); got != tt.want {
			t.Errorf("compareBuild(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// tokens collects the build-metadata tokens the comparison walks through.
func tokens(s string) []string {
	var out []string
	for s != "" {
		var tok string
		tok, s = nextToken(s)
		out = append(out, tok)
	}
	return out
}

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"vmware.1-tkg.2.ab123fed", []string{"vmware", ".", "1", "-", "tkg", ".", "2", ".", "ab123fed"}}, // resolver.md §2.3
		{"vmware.2-tkg.2.fed98bef", []string{"vmware", ".", "2", "-", "tkg", ".", "2", ".", "fed98bef"}},
		{"a--b", []string{"a", "-", "-", "b"}},
		{"-", []string{"-"}},
		{"", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tokens(tt.in)); diff != "" {
			t.Errorf("tokens(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestCompareStrict(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "1.0.0", -1},
		{"1.0.0", "", 1},
		{"1.0.0+01", "1.0.0+1", -1}, // equal under Compare, ordered by text
		{"1.0.0+1", "1.0.0+01", 1},
		{"1.0.0+A", "1.0.0+a", -1},
		{"v1.0.0+1", " 1.0.0+1 ", 0}, // same canonical text
		{"1.0.0+2", "1.0.0+10", -1},  // Compare decides first
	}
	for _, tt := range tests {
		a, b := parseOrNil(t, tt.a), parseOrNil(t, tt.b)
		if got := CompareStrict(a, b); got != tt.want {
			t.Errorf("CompareStrict(%v, %v) = %d, want %d", a, b, got, tt.want)
		}
	}
}

func TestSortRealisticVersions(t *testing.T) {
	want := []string{
		"v1.21.2+vmware.1-tkg.1",
		"v1.21.2+vmware.1-tkg.2",
		"v1.22.9+vmware.1-tkg.1",
		"v1.22.9+vmware.1-tkg.1.cc71bc8",
		"v1.23.8+vmware.2-tkg.2",
		"v1.23.8+vmware.2-tkg.2-zshippable",
		"v1.24.9-rc.1+vmware.1-tkg.1",
		"v1.24.9+vmware.1-tiny.1-tkg.1",
		"v1.24.9+vmware.1-tkg.1",
		"v1.24.9+vmware.1-tkg.1-fips.1",
		"v1.24.9+vmware.1-tkg.2",
		"v1.24.10+vmware.1-tkg.1",
		"v1.25.7+vmware.2-fips.1-tkg.1",
		"v1.25.7+vmware.2-tkg.1",
		"v1.25.7+vmware.3-tkg.1",
	}
	vs := make([]*Version, len(want))
	for i, s := range want {
		vs[i] = MustParse(s)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		r.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
		slices.SortFunc(vs, Compare)
		got := make([]string, len(vs))
		for i, v := range vs {
			got[i] = v.String()
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("sorted mismatch (-want +got):\n%s", diff)
		}
	}
}

func TestCompareDoesNotAllocate(t *testing.T) {
	a, b := MustParse("v1.24.9+vmware.1-tkg.1.cafebabe"), MustParse("v1.24.9+vmware.1-tkg.1.deadbeef")
	if n := testing.AllocsPerRun(100, func() { _ = Compare(a, b) }); n != 0 {
		t.Errorf("Compare allocates %v times, want 0", n)
	}
}
