/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package version

import (
	"cmp"
	"fmt"
	"math"
	"strings"
)

// Version is a parsed SemVer version, build metadata included. Obtain one from [Parse]; the
// zero value is not a version. A *Version is immutable and safe for concurrent use. A nil
// *Version is a valid argument to [Compare] and [Version.LessThan], where it sorts first,
// because callers routinely compare against "no version found yet".
type Version struct {
	// s is "v" followed by the canonical SemVer text; pre and build are substrings of it, so
	// parsing costs at most two allocations and String costs none.
	s                   string
	major, minor, patch uint
	pre, build          string
}

// Parse parses s with the acceptance rules of ParseSemantic from
// k8s.io/apimachinery/pkg/util/version, which the original service used, so that every
// component agrees on which strings are versions: optional surrounding spaces, tabs and
// carriage returns (line breaks only before the version), an optional lowercase leading "v",
// exactly three numeric components without leading zeros, each fitting a uint, then an
// optional "-" pre-release and an optional "+" build metadata, each made of dot-separated,
// non-empty identifiers of ASCII letters, digits and '-'. Numeric pre-release identifiers
// may not have leading zeros either. Parse("covfefe") fails;
// Parse("1.16.2+vmware.1-tkg.1.cafebabe") succeeds.
func Parse(s string) (*Version, error) {
	// The reference accepts a line break before the version but not after it: its pattern
	// lets "." swallow the tail, and "." does not match '\n'.
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\f' || s[i] == '\r') {
		i++
	}
	hasV := i < len(s) && s[i] == 'v'
	if hasV {
		i++
	}
	end := len(s)
	for end > i && (s[end-1] == ' ' || s[end-1] == '\t' || s[end-1] == '\f' || s[end-1] == '\r') {
		end--
	}
	t := s[i:end]

	var nums [3]uint
	off := 0
	for k := range nums {
		j := off
		for j < len(t) && t[j] >= '0' && t[j] <= '9' {
			j++
		}
		comp := t[off:j]
		switch {
		case comp == "" && k == 0:
			return nil, parseError(s, "it must start with a major.minor.patch version number such as v1.24.9")
		case comp == "":
			return nil, parseError(s, "it must have exactly three numeric components, major.minor.patch")
		case comp[0] == '0' && len(comp) > 1:
			return nil, parseError(s, fmt.Sprintf("its component %q has a leading zero", comp))
		}
		n, ok := parseDecimal(comp)
		if !ok {
			return nil, parseError(s, fmt.Sprintf("its component %q is too large", comp))
		}
		nums[k] = n
		off = j
		if k < 2 {
			if off == len(t) || t[off] != '.' {
				return nil, parseError(s, "it must have exactly three numeric components, major.minor.patch")
			}
			off++
		}
	}

	preStart, preEnd := off, off
	if off < len(t) && t[off] == '-' {
		preStart = off + 1
		preEnd = len(t)
		if p := strings.IndexByte(t[preStart:], '+'); p >= 0 {
			preEnd = preStart + p
		}
		if err := checkIdentifiers(s, "pre-release", t[preStart:preEnd]); err != nil {
			return nil, err
		}
		off = preEnd
	}
	buildStart := len(t)
	if off < len(t) {
		switch {
		case t[off] == '+':
			buildStart = off + 1
			if err := checkIdentifiers(s, "build metadata", t[buildStart:]); err != nil {
				return nil, err
			}
		case t[off] == '.' && off+1 < len(t) && t[off+1] >= '0' && t[off+1] <= '9':
			return nil, parseError(s, "it must have exactly three numeric components, major.minor.patch")
		default:
			return nil, parseError(s, fmt.Sprintf("%q after the patch number is neither a \"-\" pre-release nor \"+\" build metadata", t[off:]))
		}
	}

	v := &Version{major: nums[0], minor: nums[1], patch: nums[2]}
	if hasV {
		v.s = s[i-1 : end]
	} else {
		v.s = "v" + t
	}
	// Offsets into t become offsets into v.s, which has the "v" in front.
	v.pre = v.s[1+preStart : 1+preEnd]
	if buildStart < len(t) {
		v.build = v.s[1+buildStart:]
	}
	return v, nil
}

// MustParse is like [Parse] but panics on error. It is meant for versions fixed in code,
// such as test fixtures and built-in defaults.
func MustParse(s string) *Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

func parseError(s, reason string) error {
	return fmt.Errorf("version %q is not a valid semantic version: %s", s, reason)
}

// parseDecimal parses an all-digit string into a uint, reporting false on overflow. Unlike
// strconv.ParseUint it has no error value to allocate, and checkIdentifiers tolerates
// overflow, so that case must be cheap.
func parseDecimal(d string) (uint, bool) {
	var n uint
	for i := 0; i < len(d); i++ {
		c := uint(d[i] - '0')
		if n > (math.MaxUint-c)/10 {
			return 0, false
		}
		n = n*10 + c
	}
	return n, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// checkIdentifiers validates a pre-release or build-metadata part. Like the reference, it
// rejects leading zeros only in numeric pre-release identifiers that fit in a uint; longer
// ones are accepted as they are.
func checkIdentifiers(s, what, part string) error {
	for id := range strings.SplitSeq(part, ".") {
		if id == "" {
			if part == "" {
				return parseError(s, fmt.Sprintf("its %s is empty", what))
			}
			return parseError(s, fmt.Sprintf("its %s %q has an empty identifier", what, part))
		}
		for i := 0; i < len(id); i++ {
			if !isAlnum(id[i]) && id[i] != '-' {
				return parseError(s, fmt.Sprintf("its %s %q contains %q, but only letters, digits, '-' and '.' are allowed",
					what, part, id[i]))
			}
		}
		if what == "pre-release" && id[0] == '0' && len(id) > 1 && isDigits(id) {
			if _, ok := parseDecimal(id); ok {
				return parseError(s, fmt.Sprintf("its pre-release identifier %q has a leading zero", id))
			}
		}
	}
	return nil
}

// String returns "v" followed by the canonical SemVer text, build metadata included, for
// example v1.24.9+vmware.1-tkg.1. A nil Version prints as "<nil>".
func (v *Version) String() string {
	if v == nil {
		return "<nil>"
	}
	return v.s
}

// Major returns the major version number.
func (v *Version) Major() uint { return v.major }

// Minor returns the minor version number.
func (v *Version) Minor() uint { return v.minor }

// Patch returns the patch version number.
func (v *Version) Patch() uint { return v.patch }

// PreRelease returns the pre-release part without its leading '-', or "" if there is none.
func (v *Version) PreRelease() string { return v.pre }

// BuildMetadata returns the build metadata without its leading '+', for example
// vmware.1-tkg.1, or "" if there is none.
func (v *Version) BuildMetadata() string { return v.build }

// LessThan reports whether v sorts before other under [Compare]. A nil Version is less than
// any non-nil one, and nil is not less than nil.
func (v *Version) LessThan(other *Version) bool {
	return Compare(v, other) < 0
}

// Compare returns -1, 0 or +1 as a sorts before, together with, or after b, and is a strict
// weak order suitable for slices.SortFunc. nil sorts before every version.
//
// Versions are ordered first by SemVer precedence, ignoring build metadata, then by build
// metadata. Build metadata is split into tokens: each maximal run of letters and digits is a
// token, and every other character is a token of its own, so vmware.1-tkg.2.ab123fed
// becomes vmware . 1 - tkg . 2 . ab123fed. Tokens are compared left to right and the first
// pair that is not equal by the rules below decides; if one list runs out first, it is the
// smaller, so no build metadata sorts first. Within a pair:
//
//   - Tokens that both parse as hexadecimal integers below 2^63 compare by value. This is
//     the original service's quirk, kept for compatibility: "a" sorts after "9", "10" after
//     "f", and "01", "1", as well as "A" and "a", are equal.
//   - A delimiter ('-' or '.') sorts before any alphanumeric token, and '-' before '.'.
//   - Other alphanumeric tokens compare byte by byte, and sort after all hexadecimal ones.
//
// Compare returns 0 for different versions whose tokens are pairwise equal in this sense,
// for example v1.0.0+vmware.01 and v1.0.0+vmware.1; use [CompareStrict] where ties must be
// broken deterministically.
//
// Two deviations from the original make this a consistent order. Both only matter when two
// versions agree up to a token pair of that shape, which the usual vmware.N-tkg.N build
// metadata does not produce. The original decided at the first pair of different
// strings, so "01" against "1" made the rest irrelevant; here such a pair is equal and
// comparison goes on. And the original compared a hexadecimal token with a non-hexadecimal
// one as strings, which is not transitive (v1.0.0+9 < v1.0.0+10 < v1.0.0+1g < v1.0.0+9);
// here the hexadecimal token is the smaller. For pre-release identifiers, numeric ones sort
// before alphanumeric ones as SemVer requires, where apimachinery compared such a mixed pair
// as strings, which is not transitive either.
func Compare(a, b *Version) int {
	switch {
	case a == b:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if c := cmp.Compare(a.major, b.major); c != 0 {
		return c
	}
	if c := cmp.Compare(a.minor, b.minor); c != 0 {
		return c
	}
	if c := cmp.Compare(a.patch, b.patch); c != 0 {
		return c
	}
	if c := comparePreRelease(a.pre, b.pre); c != 0 {
		return c
	}
	return compareBuild(a.build, b.build)
}

// CompareStrict is [Compare] with ties broken by the String form, so it returns 0 only for
// versions that print the same. It is a total order, for callers that need the same winner
// among versions Compare considers equal on every run.
func CompareStrict(a, b *Version) int {
	if c := Compare(a, b); c != 0 || a == nil || b == nil {
		return c
	}
	return strings.Compare(a.s, b.s)
}

// comparePreRelease orders pre-release parts by SemVer precedence: a release (empty
// pre-release) sorts after all of its pre-releases.
func comparePreRelease(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	for a != "" && b != "" {
		var x, y string
		x, a, _ = strings.Cut(a, ".")
		y, b, _ = strings.Cut(b, ".")
		if c := comparePreReleaseIdentifier(x, y); c != 0 {
			return c
		}
	}
	// strings.Cut leaves "" both after the last identifier and for a trailing empty one;
	// Parse rules out the latter, so running out means having fewer identifiers.
	return cmp.Compare(len(a), len(b))
}

// comparePreReleaseIdentifier compares numeric identifiers by value at any length, because
// SemVer puts no bound on them.
func comparePreReleaseIdentifier(x, y string) int {
	if x == y {
		return 0
	}
	xn, yn := isDigits(x), isDigits(y)
	switch {
	case xn && yn:
		x, y = strings.TrimLeft(x, "0"), strings.TrimLeft(y, "0")
		if c := cmp.Compare(len(x), len(y)); c != 0 {
			return c
		}
		return strings.Compare(x, y)
	case xn:
		return -1
	case yn:
		return 1
	}
	return strings.Compare(x, y)
}

// compareBuild compares build metadata token by token without building token lists, since
// sorting calls it many times per version.
func compareBuild(a, b string) int {
	if a == b {
		return 0
	}
	// Versions of one release line share long prefixes such as "vmware.1-tkg.", so skip the
	// common bytes, backing up to the start of the token they end in: everything before that
	// point tokenizes identically on both sides.
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	for i > 0 && isAlnum(a[i-1]) {
		i--
	}
	a, b = a[i:], b[i:]
	for {
		switch {
		case a == "" && b == "":
			return 0
		case a == "":
			return -1
		case b == "":
			return 1
		}
		var x, y string
		x, a = nextToken(a)
		y, b = nextToken(b)
		if c := compareToken(x, y); c != 0 {
			return c
		}
	}
}

// nextToken splits the first build-metadata token off non-empty s.
func nextToken(s string) (tok, rest string) {
	if !isAlnum(s[0]) {
		return s[:1], s[1:]
	}
	i := 1
	for i < len(s) && isAlnum(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

// Token kinds, in the order Compare sorts them.
const (
	delimiterToken = iota
	hexToken
	wordToken
)

func compareToken(x, y string) int {
	if x == y {
		return 0
	}
	xk, xv := classify(x)
	yk, yv := classify(y)
	switch {
	case xk != yk:
		return cmp.Compare(xk, yk)
	case xk == hexToken:
		return cmp.Compare(xv, yv)
	}
	return strings.Compare(x, y)
}

// classify returns the kind of non-empty token t and, for a hexadecimal token, its value.
// The 2^63 bound is the original's (strconv.ParseInt with base 16); longer hexadecimal
// strings such as full commit hashes are words there, and stay words here.
func classify(t string) (kind int, value uint64) {
	if !isAlnum(t[0]) {
		return delimiterToken, 0
	}
	for i := 0; i < len(t); i++ {
		var d uint64
		switch c := t[i]; {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return wordToken, 0
		}
		if value > (math.MaxInt64-d)/16 {
			return wordToken, 0
		}
		value = value*16 + d
	}
	return hexToken, value
}
