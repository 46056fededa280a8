/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package version

import (
	"fmt"
	"strings"
)

// maxLabelKeyLen is the length limit Kubernetes puts on the name part of a label key.
const maxLabelKeyLen = 63

// isAlnum reports whether c is an ASCII letter or digit. Label keys are ASCII, so any other
// byte, including every byte of a multi-byte character, counts as a delimiter.
func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// isCut reports whether l[:i] ends at a component boundary: the last kept byte is
// alphanumeric and the first dropped one is not. The "i >= 2" keeps a bare "v" out, because
// a label key "v" would select every release.
func isCut(l string, i int) bool {
	return i >= 2 && i < len(l) && isAlnum(l[i-1]) && !isAlnum(l[i])
}

// Prefixes returns the label-key form of every version prefix of v, longest first: the label
// of v itself, then each shorter string obtained by cutting off the last alphanumeric run
// together with the delimiters before it ("---" counts as one delimiter run). v may be in
// SemVer or label form. For v1.17.9+vmware.2-tkg.3 the result is v1.17.9---vmware.2-tkg.3,
// v1.17.9---vmware.2-tkg, v1.17.9---vmware.2, v1.17.9---vmware, v1.17.9, v1.17 and v1.
// A bare "v" is never a prefix, so Prefixes("") and Prefixes("v") are empty. The elements
// share memory with Label(v), so the only allocations are that label and the slice.
func Prefixes(v string) []string {
	l := Label(v)
	if l == "v" {
		return nil
	}
	n := 1
	for i := 2; i < len(l); i++ {
		if isCut(l, i) {
			n++
		}
	}
	out := make([]string, 1, n)
	out[0] = l
	for i := len(l) - 1; i >= 2; i-- {
		if isCut(l, i) {
			out = append(out, l[:i])
		}
	}
	return out
}

// PrefixLabels returns [Prefixes](v) as a label set, each key with the empty value, ready to
// be merged into the labels of a TanzuKubernetesRelease or OSImage. The result is assignable
// to k8s.io/apimachinery/pkg/labels.Set.
func PrefixLabels(v string) map[string]string {
	ps := Prefixes(v)
	m := make(map[string]string, len(ps))
	for _, p := range ps {
		m[p] = ""
	}
	return m
}

// HasPrefix reports whether prefix is one of the [Prefixes] of version, that is whether the
// label selector for prefix selects a release labelled with version. Both arguments may be
// in SemVer or label form, with or without the leading "v". The match respects component
// boundaries: v1.2 is a prefix of v1.2.3 and of v1.2+vmware.1 but not of v1.21.
func HasPrefix(version, prefix string) bool {
	l, p := Label(version), Label(prefix)
	if p == "v" || !strings.HasPrefix(l, p) {
		return false
	}
	return len(l) == len(p) || isCut(l, len(p))
}

// ValidatePrefix returns an error if version prefix p, as typed by a user (for example in a
// Cluster's spec.topology.version: v1.24, 1.24, v1.24.9+vmware.1), cannot select any
// release. [Label](p) must be a valid Kubernetes label name (letters, digits, '-', '_' and
// '.', starting and ending with a letter or digit, at most 63 characters) and p must name
// at least one version component. Checking this up front turns a typo, which used to match
// nothing without a word, into a message that says what to fix.
func ValidatePrefix(p string) error {
	s := strings.TrimPrefix(p, "v")
	if s == "" {
		if p == "" {
			return fmt.Errorf("version prefix %q is not usable: it is empty", p)
		}
		return fmt.Errorf("version prefix %q is not usable: it needs at least a major version after the \"v\", like v1", p)
	}
	for i, r := range p {
		if r >= 0x80 || !isAlnum(byte(r)) && r != '.' && r != '-' && r != '_' && r != '+' {
			return fmt.Errorf("version prefix %q is not usable: the character %q at byte %d is not allowed; "+
				"use only letters, digits, '.', '-', '_' and '+'", p, r, i)
		}
	}
	if last := s[len(s)-1]; !isAlnum(last) {
		return fmt.Errorf("version prefix %q is not usable: it ends with %q, but it must end with a letter or digit", p, last)
	}
	if n := 1 + len(s) + strings.Count(s, "+")*(len(labelPlus)-1); n > maxLabelKeyLen {
		return fmt.Errorf("version prefix %q is not usable: its label key %q is %d characters long, more than the %d a label key may have",
			p, Label(p), n, maxLabelKeyLen)
	}
	return nil
}
