/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

// Package version is the one place that decides how TanzuKubernetesRelease versions are
// written as label keys, which label keys a version carries, and how versions are ordered.
// The resolver engine, the controllers, the webhooks and the CLI all call it, so that a
// version prefix typed by a user selects exactly the releases the status controller labelled,
// and every component picks the same "newest" release.
//
// # Label encoding
//
// Label keys cannot hold '+', so [Label] writes build metadata after "---" instead
// (v1.24.9+vmware.1-tkg.1 becomes v1.24.9---vmware.1-tkg.1) and always starts the key with
// "v". [FromLabel] undoes that. The encoding is not injective on arbitrary strings:
// FromLabel(Label(v)) == WithV(v) holds exactly when v contains neither "---" nor "-+"
// (see [LabelInvertible]); released TKR versions such as v1.24.9+vmware.1-tkg.1 always do.
//
// # Prefixes
//
// A release carries one label per version prefix ([Prefixes]) so that a prefix can be
// matched with a plain "label exists" selector. Prefixes end only at a boundary between an
// alphanumeric run and a delimiter, so v1.2 never selects v1.21.
//
// # Ordering
//
// [Compare] orders by SemVer precedence and then by build metadata, split into tokens and
// compared token by token, where tokens that parse as hexadecimal integers compare by value.
// That hexadecimal rule is a compatibility quirk of the original service (a token "a" sorts
// after "9", and "01" equals "1"); it is kept because clusters are upgraded according to it.
// Where the original was not a consistent order, this package deviates just enough to make
// Compare a strict weak order that sort functions can rely on; see [Compare] for the cases.
package version
