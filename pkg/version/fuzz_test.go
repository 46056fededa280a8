/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package version

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
	utilversion "k8s.io/apimachinery/pkg/util/version"
)

// seedVersions are realistic TKR and OSImage versions, in both forms, plus the corner cases
// of the ordering, so that mutations start near the inputs that matter.
var seedVersions = []string{
	"v1.24.9+vmware.1-tkg.1",
	"v1.24.9---vmware.1-tkg.1",
	"v1.24.9+vmware.1",
	"v1.24.9+vmware.1-tiny.1-tkg.1",
	"v1.24.10+vmware.1-tkg.2",
	"v1.25.7+vmware.2-fips.1-tkg.1",
	"v1.23.8+vmware.2-tkg.2-zshippable",
	"v1.22.9+vmware.1-tkg.1.cc71bc8",
	"v1.21.2+vmware.1-tkg.1-226b7a84",
	"1.17.9+vmware.2-tkg.3",
	"1.16.2+vmware.1-tkg.1.cafebabe",
	"1.16.2+vmware.1-tkg.2.ab123fed",
	"1.16.2+vmware.2-tkg.2.covfefe1",
	"v1.26.0-rc.1+vmware.1-tkg.1",
	"v1.0.0-alpha.1",
	"v1.0.0+01",
	"v1.0.0+1",
	"v1.0.0+1g",
	"v1.0.0+a",
	"v1.0.0+A",
	"v1.0.0+10",
	"v1.0.0+8000000000000000",
	"v1.2.3-rc-+b",
	"v1.2.3+-b",
	"v1.24",
	"1.24",
	"v1",
	"v",
	"",
	"covfefe",
	" v1.2.3\t",
	"v1.2.3\n",
	"v1.2é3",
}

func FuzzNoPanic(f *testing.F) {
	for i, s := range seedVersions {
		f.Add(s, seedVersions[(i+1)%len(seedVersions)])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		_, _, _, _ = Label(a), FromLabel(a), WithV(a), LabelInvertible(a)
		_, _ = ImageTag(a), FromImageTag(a)
		_, _ = Prefixes(a), PrefixLabels(a)
		_ = HasPrefix(a, b)
		_ = ValidatePrefix(a)
		va, _ := Parse(a)
		vb, _ := Parse(b)
		for _, v := range []*Version{va, vb} {
			_ = v.String()
			if v != nil {
				_, _, _ = v.Major(), v.Minor(), v.Patch()
				_, _ = v.PreRelease(), v.BuildMetadata()
			}
		}
		_, _, _ = Compare(va, vb), CompareStrict(va, vb), va.LessThan(vb)
		_ = compareBuild(a, b)
	})
}

// FuzzLabelRoundTrip checks that LabelInvertible describes the round trip exactly: it holds
// for every input LabelInvertible accepts and fails for every input it rejects.
func FuzzLabelRoundTrip(f *testing.F) {
	for _, s := range seedVersions {
		f.Add(s)
	}
	f.Add("v1.2.3+---b")
	f.Add("a-+-+b")
	f.Add("v+--+")
	f.Fuzz(func(t *testing.T, v string) {
		roundTrips := FromLabel(Label(v)) == WithV(v)
		if roundTrips != LabelInvertible(v) {
			t.Errorf("FromLabel(Label(%q)) = %q, WithV = %q, but LabelInvertible = %v",
				v, FromLabel(Label(v)), WithV(v), LabelInvertible(v))
		}
		if l := Label(v); Label(l) != l || !strings.HasPrefix(l, "v") || strings.Contains(l, "+") {
			t.Errorf("Label(%q) = %q is not a fixed point in label form", v, l)
		}
		if got := FromImageTag(ImageTag(v)); (got == v) != !strings.Contains(v, "_") {
			t.Errorf("FromImageTag(ImageTag(%q)) = %q", v, got)
		}
		if pv, err := Parse(v); err == nil {
			// Every parsed version round-trips through its image tag, and through its label
			// whenever the label encoding allows.
			if got := FromImageTag(ImageTag(pv.String())); got != pv.String() {
				t.Errorf("image tag round trip of %v gave %q", pv, got)
			}
			if LabelInvertible(pv.String()) {
				back, err := Parse(FromLabel(Label(pv.String())))
				if err != nil || back.String() != pv.String() {
					t.Errorf("label round trip of %v gave %v, %v", pv, back, err)
				}
			}
		}
	})
}

// fuzzVersion turns arbitrary fuzz input into a version, or nil, so that most inputs exercise
// the ordering instead of failing to parse. Inputs that are versions are used as they are;
// others are spelled with a small alphabet that is dense in hexadecimal, non-hexadecimal and
// delimiter tokens, and put in the pre-release, the build metadata or both of v1.2.3.
func fuzzVersion(s string) *Version {
	if v, err := Parse(s); err == nil {
		return v
	}
	if s == "" {
		return nil
	}
	const alphabet = "0019aAfgzG.-"
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		b.WriteByte(alphabet[int(s[i])%len(alphabet)])
	}
	body := b.String()
	var text string
	switch s[0] % 3 {
	case 0:
		text = "1.2.3+" + body
	case 1:
		text = "1.2.3-" + body
	default:
		text = "1.2.3-" + body + "+" + body
	}
	v, err := Parse(text)
	if err != nil {
		return nil
	}
	return v
}

// FuzzOrder checks that Compare is a strict weak order and that LessThan, Compare and
// CompareStrict agree with one another, over triples that include nil.
func FuzzOrder(f *testing.F) {
	n := len(seedVersions)
	for i := range seedVersions {
		f.Add(seedVersions[i], seedVersions[(i+1)%n], seedVersions[(i+7)%n])
	}
	f.Add("v1.0.0+9", "v1.0.0+10", "v1.0.0+1g") // a cycle in the original ordering
	f.Add("v1.0.0+01.2", "v1.0.0+1.1", "v1.0.0+1.3")
	f.Add("v1.0.0-9", "v1.0.0-10", "v1.0.0-1a") // a cycle in apimachinery's pre-release ordering
	f.Fuzz(func(t *testing.T, as, bs, cs string) {
		vs := [3]*Version{fuzzVersion(as), fuzzVersion(bs), fuzzVersion(cs)}
		less := func(i, j int) bool { return vs[i].LessThan(vs[j]) }
		for i := range vs {
			if less(i, i) {
				t.Fatalf("irreflexivity: %v < itself", vs[i])
			}
			if c := CompareStrict(vs[i], vs[i]); c != 0 {
				t.Fatalf("CompareStrict(%v, itself) = %d", vs[i], c)
			}
			for j := range vs {
				c := Compare(vs[i], vs[j])
				if c < -1 || c > 1 || c != -Compare(vs[j], vs[i]) {
					t.Fatalf("Compare(%v, %v) = %d, reversed %d", vs[i], vs[j], c, Compare(vs[j], vs[i]))
				}
				if less(i, j) != (c < 0) {
					t.Fatalf("LessThan(%v, %v) = %v, Compare = %d", vs[i], vs[j], less(i, j), c)
				}
				if less(i, j) && less(j, i) {
					t.Fatalf("asymmetry: %v and %v are each less than the other", vs[i], vs[j])
				}
				s := CompareStrict(vs[i], vs[j])
				if c != 0 && s != c {
					t.Fatalf("CompareStrict(%v, %v) = %d, Compare = %d", vs[i], vs[j], s, c)
				}
				if (s == 0) != (vs[i].String() == vs[j].String()) {
					t.Fatalf("CompareStrict(%v, %v) = %d", vs[i], vs[j], s)
				}
				for k := range vs {
					if less(i, j) && less(j, k) && !less(i, k) {
						t.Fatalf("transitivity: %v < %v < %v but not %v < %v", vs[i], vs[j], vs[k], vs[i], vs[k])
					}
					if Compare(vs[i], vs[j]) == 0 && Compare(vs[j], vs[k]) == 0 && Compare(vs[i], vs[k]) != 0 {
						t.Fatalf("transitivity of incomparability: %v ~ %v ~ %v but Compare(%v, %v) = %d",
							vs[i], vs[j], vs[k], vs[i], vs[k], Compare(vs[i], vs[k]))
					}
					if s, t2 := CompareStrict(vs[i], vs[j]), CompareStrict(vs[j], vs[k]); s < 0 && t2 < 0 && CompareStrict(vs[i], vs[k]) >= 0 {
						t.Fatalf("CompareStrict not transitive on %v, %v, %v", vs[i], vs[j], vs[k])
					}
				}
			}
		}
	})
}

// FuzzPrefixes checks that Prefixes, PrefixLabels and HasPrefix describe the same set.
func FuzzPrefixes(f *testing.F) {
	for i, s := range seedVersions {
		f.Add(s, seedVersions[(i+3)%len(seedVersions)])
	}
	f.Add("v1.21.1", "v1.2")
	f.Add("v1.2-", "v1.2-")
	f.Fuzz(func(t *testing.T, v, w string) {
		ps := Prefixes(v)
		labels := PrefixLabels(v)
		if len(labels) != len(ps) {
			t.Fatalf("PrefixLabels(%q) has %d keys, Prefixes %d", v, len(labels), len(ps))
		}
		for i, p := range ps {
			if p == "v" || Label(p) != p {
				t.Fatalf("Prefixes(%q) contains %q, which is no label-form prefix", v, p)
			}
			if i > 0 && len(p) >= len(ps[i-1]) {
				t.Fatalf("Prefixes(%q) = %q is not strictly longest first", v, ps)
			}
			if _, ok := labels[p]; !ok {
				t.Fatalf("PrefixLabels(%q) lacks %q", v, p)
			}
			if !HasPrefix(v, p) {
				t.Fatalf("HasPrefix(%q, %q) = false for an element of Prefixes", v, p)
			}
			for _, q := range Prefixes(p) {
				if !slices.Contains(ps, q) {
					t.Fatalf("Prefixes(%q) contains %q, which is not in Prefixes(%q) = %q", p, q, v, ps)
				}
			}
		}
		if got, want := HasPrefix(v, w), slices.Contains(ps, Label(w)); got != want {
			t.Fatalf("HasPrefix(%q, %q) = %v, but membership in Prefixes = %v", v, w, got, want)
		}
		if pv, err := Parse(v); err == nil {
			// The proper prefixes of a version end in a letter or digit, so each is a usable
			// prefix whenever it is short enough to be a label key.
			for _, p := range Prefixes(pv.String())[1:] {
				if err := ValidatePrefix(p); err != nil && len(p) <= maxLabelKeyLen {
					t.Fatalf("prefix %q of %v is rejected: %v", p, pv, err)
				}
			}
		}
	})
}

// FuzzValidatePrefix checks ValidatePrefix against apimachinery's label validation.
func FuzzValidatePrefix(f *testing.F) {
	for _, s := range seedVersions {
		f.Add(s)
	}
	f.Add("v1.24 ")
	f.Add("v1.24+")
	f.Add("v1.2+" + strings.Repeat("a", 57))
	f.Fuzz(func(t *testing.T, p string) {
		err := ValidatePrefix(p)
		l := Label(p)
		want := l != "v" && len(validation.IsValidLabelValue(l)) == 0
		if (err == nil) != want {
			t.Fatalf("ValidatePrefix(%q) = %v, but label %q validity is %v: %q", p, err, l, want, validation.IsValidLabelValue(l))
		}
		if err == nil {
			if errs := validation.IsQualifiedName(l); len(errs) != 0 {
				t.Fatalf("ValidatePrefix(%q) accepted label key %q, which is not a qualified name: %q", p, l, errs)
			}
		} else if prefix := "version prefix " + strconv.Quote(p) + " is not usable: "; !strings.HasPrefix(err.Error(), prefix) {
			t.Fatalf("ValidatePrefix(%q) error %q does not start with %q", p, err, prefix)
		}
	})
}

// FuzzParse compares Parse with apimachinery's ParseSemantic, and Compare with a model of the
// original service's ordering, which must agree except in the documented deviations.
func FuzzParse(f *testing.F) {
	for i, s := range seedVersions {
		f.Add(s, seedVersions[(i+5)%len(seedVersions)])
	}
	f.Add("1.2.3-0999999999999999999999", "1.2.3-1a")
	f.Add("1.0.0+01.2", "1.0.0+1.1")
	f.Fuzz(func(t *testing.T, as, bs string) {
		a, aErr := Parse(as)
		ref, refErr := utilversion.ParseSemantic(as)
		if (aErr == nil) != (refErr == nil) {
			t.Fatalf("Parse(%q) error %v, apimachinery error %v", as, aErr, refErr)
		}
		if aErr != nil {
			if a != nil {
				t.Fatalf("Parse(%q) returned %v with error %v", as, a, aErr)
			}
			return
		}
		if a.String() != "v"+ref.String() || a.Major() != ref.Major() || a.Minor() != ref.Minor() ||
			a.Patch() != ref.Patch() || a.PreRelease() != ref.PreRelease() || a.BuildMetadata() != ref.BuildMetadata() {
			t.Fatalf("Parse(%q) = %v (%d %d %d %q %q), apimachinery %v", as, a, a.Major(), a.Minor(), a.Patch(),
				a.PreRelease(), a.BuildMetadata(), ref)
		}
		b, err := Parse(bs)
		if err != nil {
			return
		}
		refB := utilversion.MustParseSemantic(bs)
		if deviates(a, b) {
			return
		}
		for _, p := range [][2]*Version{{a, b}, {b, a}} {
			x, y := p[0], p[1]
			rx, ry := ref, refB
			if x == b {
				rx, ry = refB, ref
			}
			if got, want := x.LessThan(y), originalLess(x, y, rx, ry); got != want {
				t.Fatalf("%v.LessThan(%v) = %v, original ordering says %v", x, y, got, want)
			}
		}
	})
}

// originalLess models the original service's LessThan as resolver.md §2.3 describes it:
// apimachinery's SemVer comparison, then build-metadata tokens decided at the first pair of
// different strings, numerically if both parse as base-16 int64, else as strings.
func originalLess(x, y *Version, rx, ry *utilversion.Version) bool {
	if ry.LessThan(rx) {
		return false
	}
	if rx.LessThan(ry) {
		return true
	}
	xt, yt := tokens(x.BuildMetadata()), tokens(y.BuildMetadata())
	for len(xt) > 0 && len(yt) > 0 && xt[0] == yt[0] {
		xt, yt = xt[1:], yt[1:]
	}
	switch {
	case len(yt) == 0:
		return false
	case len(xt) == 0:
		return true
	}
	xn, xErr := strconv.ParseInt(xt[0], 16, 64)
	yn, yErr := strconv.ParseInt(yt[0], 16, 64)
	if xErr == nil && yErr == nil {
		return xn < yn
	}
	return xt[0] < yt[0]
}

// deviates reports whether x and y are decided by one of the cases where Compare
// intentionally differs from the original: a numeric against a non-numeric pre-release
// identifier or a numeric one too large for a uint (apimachinery compares those as strings), numerically equal but different
// hexadecimal tokens, or a hexadecimal against a non-hexadecimal alphanumeric token.
func deviates(x, y *Version) bool {
	if x.PreRelease() != y.PreRelease() && x.PreRelease() != "" && y.PreRelease() != "" {
		xs, ys := strings.Split(x.PreRelease(), "."), strings.Split(y.PreRelease(), ".")
		for i := 0; i < len(xs) && i < len(ys); i++ {
			if xs[i] == ys[i] {
				continue
			}
			_, xErr := strconv.ParseUint(xs[i], 10, 0)
			_, yErr := strconv.ParseUint(ys[i], 10, 0)
			// apimachinery compares the pair as strings unless both fit a uint; SemVer
			// compares it as strings only if neither is numeric.
			return (xErr != nil || yErr != nil) && (isDigits(xs[i]) || isDigits(ys[i]))
		}
	}
	xt, yt := tokens(x.BuildMetadata()), tokens(y.BuildMetadata())
	for i := 0; i < len(xt) && i < len(yt); i++ {
		if xt[i] == yt[i] {
			continue
		}
		xk, xv := classify(xt[i])
		yk, yv := classify(yt[i])
		alnum := xk != delimiterToken && yk != delimiterToken
		return alnum && xk != yk || xk == hexToken && yk == hexToken && xv == yv
	}
	return false
}
