/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha2

// Condition types of v1alpha2 TKRs.
const (
	// ConditionCompatible is True when the TKR is compatible with the management cluster.
	ConditionCompatible = "Compatible"
	// ConditionUpdatesAvailable lists the versions a cluster can be updated to.
	ConditionUpdatesAvailable = "UpdatesAvailable"
)

// Condition reasons.
const (
	// ReasonNoUpdates says there is nothing newer to update to.
	ReasonNoUpdates = "NoUpdates"
	// ReasonNotAvailable says the TKR is not available.
	ReasonNotAvailable = "NotAvailable"
	// ReasonIncompatible says the TKR is not compatible with the management cluster.
	ReasonIncompatible = "Incompatible"
	// ReasonDeactivated says an administrator has taken the TKR out of use.
	ReasonDeactivated = "Deactivated"
)

// Labels on TKRs. The first three have the value "".
const (
	// LabelIncompatible marks a TKR that is not compatible with the management cluster.
	LabelIncompatible = "incompatible"
	// LabelDeactivated marks a TKR an administrator has taken out of use.
	LabelDeactivated = "deactivated"
	// LabelDeleted marks a TKR whose source has gone away.
	LabelDeleted = "deleted"

	// LabelOSType holds the OS family of the TKR's node image.
	LabelOSType = "os-type"
	// LabelOSName holds the distribution of the TKR's node image.
	LabelOSName = "os-name"
	// LabelOSVersion holds the distribution version of the TKR's node image.
	LabelOSVersion = "os-version"
	// LabelOSArch holds the CPU architecture of the TKR's node image.
	LabelOSArch = "os-arch"
)

// The OS a v1alpha2 TKR's node image is assumed to have when nothing says otherwise.
const (
	// DefaultOSType is the default OS family.
	DefaultOSType = "linux"
	// DefaultOSName is the default distribution.
	DefaultOSName = "photon"
	// DefaultOSVersion is the default distribution version.
	DefaultOSVersion = "3.0"
	// DefaultOSArch is the default CPU architecture.
	DefaultOSArch = "amd64"
)
