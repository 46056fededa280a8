/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package version

import "strings"

// labelPlus stands in for '+' in label keys, which may only hold letters, digits, '-', '_'
// and '.'.
const labelPlus = "---"

// Label returns the label-key form of version v, in SemVer or label form, with or without
// a leading "v": one leading "v" is dropped, every '+' becomes "---", and "v" is put back,
// so 1.22.0+vmware.1-tkg.3 and v1.22.0+vmware.1-tkg.3 both give v1.22.0---vmware.1-tkg.3.
// Label("") is "v". A string already in label form is returned unchanged, without
// allocating.
func Label(v string) string {
	s := strings.TrimPrefix(v, "v")
	n := strings.Count(s, "+")
	if n == 0 && len(s) != len(v) {
		return v
	}
	var b strings.Builder
	b.Grow(1 + len(s) + n*(len(labelPlus)-1))
	b.WriteByte('v')
	for n > 0 {
		i := strings.IndexByte(s, '+')
		b.WriteString(s[:i])
		b.WriteString(labelPlus)
		s = s[i+1:]
		n--
	}
	b.WriteString(s)
	return b.String()
}

// FromLabel returns the SemVer form of label key l: one leading "v" is dropped, every
// "---" (leftmost first, not overlapping) becomes '+', and "v" is put back.
// FromLabel("") is "v", which does not parse. FromLabel inverts [Label] only for the
// versions [LabelInvertible] accepts.
func FromLabel(l string) string {
	s := strings.TrimPrefix(l, "v")
	i := strings.Index(s, labelPlus)
	if i < 0 && len(s) != len(l) {
		return l
	}
	var b strings.Builder
	b.Grow(1 + len(s))
	b.WriteByte('v')
	for ; i >= 0; i = strings.Index(s, labelPlus) {
		b.WriteString(s[:i])
		b.WriteByte('+')
		s = s[i+len(labelPlus):]
	}
	b.WriteString(s)
	return b.String()
}

// LabelInvertible reports whether FromLabel(Label(v)) == WithV(v).
//
// Label turns each '+' into three hyphens, and FromLabel reads hyphens back greedily from the
// left, so a run of '+' and '-' characters survives the trip only when all its '+' come
// before its '-' and it ends in at most two '-'. Equivalently, v must contain neither "---"
// (which would come back as '+') nor "-+" (which would come back as "+-"). Callers that
// derive a version from a label key can use this to tell whether the key is trustworthy.
func LabelInvertible(v string) bool {
	return !strings.Contains(v, "---") && !strings.Contains(v, "-+")
}

// WithV returns s with a leading "v", adding one only when s does not already start with
// "v". WithV("") is "v".
func WithV(s string) string {
	if strings.HasPrefix(s, "v") {
		return s
	}
	return "v" + s
}

// ImageTag returns the OCI image-tag form of version v: tags cannot hold '+', so every '+'
// becomes '_' (v1.24.9+vmware.1-tkg.1 gives v1.24.9_vmware.1-tkg.1). Unlike [Label], it
// neither adds nor removes a leading "v".
func ImageTag(v string) string {
	return strings.ReplaceAll(v, "+", "_")
}

// FromImageTag returns the version that [ImageTag] turned into tag t, turning every '_' back
// into '+'. This is unambiguous for SemVer versions, which cannot contain '_':
// FromImageTag(ImageTag(v)) == v for every v without '_'.
func FromImageTag(t string) string {
	return strings.ReplaceAll(t, "_", "+")
}
