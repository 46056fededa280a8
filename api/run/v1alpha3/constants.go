/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha3

// The constants in this file are untyped so that they can be used both with
// this package's ConditionType and with Cluster API's condition types.

// Condition types.
const (
	// ConditionCompatible on a TKR is True when spec.version is compatible with
	// this management cluster.
	ConditionCompatible = "Compatible"
	// ConditionValid on a TKR or OSImage is False when the object is internally
	// inconsistent (for example its versions do not parse or disagree).
	ConditionValid = "Valid"
	// ConditionReady on a TKR is True when none of LabelIncompatible,
	// LabelDeactivated and LabelInvalid is set.
	ConditionReady = "Ready"
	// ConditionUpdatesAvailable is set on Clusters. Its message lists the TKR
	// versions the cluster can be updated to, e.g. "[v1.24.10+vmware.1-tkg.1]".
	ConditionUpdatesAvailable = "UpdatesAvailable"
)

// Condition reasons.
const (
	// ReasonCannotParseTKR is the reason of UpdatesAvailable=Unknown when the
	// cluster's TKR name does not parse as a version.
	ReasonCannotParseTKR = "CannotParseTKR"
	// ReasonAlreadyUpToDate is the reason of UpdatesAvailable=False.
	ReasonAlreadyUpToDate = "AlreadyUpToDate"
	// ReasonIncompatible is the reason of Ready=False on a TKR labelled LabelIncompatible.
	ReasonIncompatible = "Incompatible"
	// ReasonDeactivated is the reason of Ready=False on a TKR labelled LabelDeactivated.
	ReasonDeactivated = "Deactivated"
	// ReasonInvalid is the reason of Ready=False on a TKR labelled LabelInvalid.
	ReasonInvalid = "Invalid"
)

// Exclusion labels on TKRs and OSImages. Their value is always "".
const (
	// LabelIncompatible marks a TKR whose Compatible condition is False.
	LabelIncompatible = "incompatible"
	// LabelDeactivated marks a TKR an administrator has taken out of use.
	LabelDeactivated = "deactivated"
	// LabelInvalid marks an object whose Valid condition is False.
	LabelInvalid = "invalid"
)

// Labels and annotations of TKR resolution.
const (
	// AnnotationResolveTKR on a Cluster or ClusterClass holds the label
	// selector for TKRs. Its presence, even with value "", asks for resolution.
	AnnotationResolveTKR = "run.tanzu.vmware.com/resolve-tkr"
	// AnnotationResolveOSImage on control plane or machine deployment metadata
	// holds the label selector for OSImages, e.g. "os-name=ubuntu,os-arch=amd64".
	AnnotationResolveOSImage = "run.tanzu.vmware.com/resolve-os-image"
	// LabelTKR on a Cluster names its resolved TKR.
	LabelTKR = "run.tanzu.vmware.com/tkr"
	// LabelOSImage names the resolved OSImage inside the TKR_DATA labels.
	LabelOSImage = "run.tanzu.vmware.com/os-image"
	// LabelLegacyTKR marks (with value "") a TKR that has no spec.bootstrapPackages.
	LabelLegacyTKR = "run.tanzu.vmware.com/legacy-tkr"
	// LabelLegacyClusterTKR names the TKR of a Cluster that does not use a ClusterClass.
	LabelLegacyClusterTKR = "tanzuKubernetesRelease"
)

// OSImage labels, derived from the OSImage spec and also found in TKR_DATA.
const (
	// LabelImageType holds spec.image.type.
	LabelImageType = "image-type"
	// LabelOSType holds spec.os.type.
	LabelOSType = "os-type"
	// LabelOSName holds spec.os.name.
	LabelOSName = "os-name"
	// LabelOSVersion holds spec.os.version.
	LabelOSVersion = "os-version"
	// LabelOSArch holds spec.os.arch.
	LabelOSArch = "os-arch"
)

// Names used by the TKR source controller.
const (
	// LabelManagementCluster marks, with any value, the management Cluster object.
	LabelManagementCluster = "cluster-role.tkg.tanzu.vmware.com/management"
	// AnnotationTKGVersion on the management Cluster holds its TKG version, e.g. "v1.6.0".
	AnnotationTKGVersion = "TKGVERSION"
	// LabelAdditionalCompatibleTKRs marks, with any value, a ConfigMap that
	// lists further compatible TKR versions.
	LabelAdditionalCompatibleTKRs = "run.tanzu.vmware.com/additional-compatible-tkrs"
	// LabelTKRPackage marks, with any value, a kapp Package that delivers a TKR.
	LabelTKRPackage = "run.tanzu.vmware.com/tkr-package"
)

// AnnotationConversionData holds, as JSON, the fields of another API version
// of the object that this version cannot represent, so that conversions
// round-trip without loss.
const AnnotationConversionData = "run.tanzu.vmware.com/conversion-data"
