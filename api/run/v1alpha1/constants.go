/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha1

// Condition types of v1alpha1 TKRs.
const (
	// ConditionCompatible is True when the TKR is compatible with the management cluster.
	ConditionCompatible = "Compatible"
	// ConditionUpdatesAvailable lists the versions a cluster can be updated to.
	ConditionUpdatesAvailable = "UpdatesAvailable"
	// ConditionUpgradeAvailable is the former name of ConditionUpdatesAvailable.
	//
	// Deprecated: use ConditionUpdatesAvailable.
	ConditionUpgradeAvailable = "UpgradeAvailable"
)
