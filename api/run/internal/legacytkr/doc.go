/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

// Package legacytkr holds what the v1alpha1 and v1alpha2 TanzuKubernetesRelease
// APIs share: their spec and status types, which the two version packages
// alias, and the single implementation of their conversion to and from the
// v1alpha3 hub.
//
// +kubebuilder:object:generate=true
package legacytkr
