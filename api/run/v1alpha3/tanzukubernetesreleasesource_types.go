/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha3

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// NOT IN THE ORIGINAL: tkr-source-controller reported progress only in its logs, so a platform
// engineer whose release never appeared had to find the pod and read them. A
// TanzuKubernetesReleaseSource is the controller's report: one cluster-scoped object per source
// controller, written by it, read with `kubectl get tkrsource`.

// Conditions of a TanzuKubernetesReleaseSource.
const (
	// ConditionMetadataSynced is True when the newest readable compatibility metadata image is
	// in the bom-metadata ConfigMap.
	ConditionMetadataSynced ConditionType = "MetadataSynced"
	// ConditionBOMsSynced is True when every compatible release's BOM image is in a BOM
	// ConfigMap.
	ConditionBOMsSynced ConditionType = "BOMsSynced"
	// ConditionReleasesSynced is True when every compatible release's package bundle is applied.
	ConditionReleasesSynced ConditionType = "ReleasesSynced"
)

// AnnotationSyncRequest on a TanzuKubernetesReleaseSource asks for a sync now: the controller
// syncs whenever its value changes (`kubectl annotate tkrsource default
// run.tanzu.vmware.com/sync-request="$(date +%s)" --overwrite`), and records the value it acted on
// in status.observedSyncRequest.
const AnnotationSyncRequest = "run.tanzu.vmware.com/sync-request"

// Phases of a release in a TanzuKubernetesReleaseSource.
const (
	// ReleasePhaseApplied: the release's package bundle is applied at status digest.
	ReleasePhaseApplied = "Applied"
	// ReleasePhaseFailed: the last attempt to download or apply the release failed; message says
	// why. What an earlier sync applied is left as it was.
	ReleasePhaseFailed = "Failed"
	// ReleasePhaseNotPublished: the release is compatible but the registry has no repository
	// bundle for it.
	ReleasePhaseNotPublished = "NotPublished"
)

// TanzuKubernetesReleaseSourceSpec is empty: the source is configured by the controller's flags,
// which status.registry reports.
type TanzuKubernetesReleaseSourceSpec struct{}

// SourceRegistry is where a source controller reads from, as configured by its flags.
type SourceRegistry struct {
	// BOMImagePath is the repository of the TKR BOM images (--bom-image-path).
	// +optional
	BOMImagePath string `json:"bomImagePath,omitempty"`
	// BOMMetadataImagePath is the repository of the compatibility metadata images
	// (--bom-metadata-image-path).
	// +optional
	BOMMetadataImagePath string `json:"bomMetadataImagePath,omitempty"`
	// TKRRepoImagePath is the repository of the TKR repository bundles (--tkr-repo-image-path).
	// +optional
	TKRRepoImagePath string `json:"tkrRepoImagePath,omitempty"`
	// SkipVerify reports --skip-verify-registry-cert.
	// +optional
	SkipVerify bool `json:"skipVerify,omitempty"`
}

// SourceImage is one image the controller read, pinned by digest.
type SourceImage struct {
	// Ref is the tag reference the image was found under.
	Ref string `json:"ref"`
	// Digest is the manifest digest that was read.
	// +optional
	Digest string `json:"digest,omitempty"`
}

// SourceRelease is what the controller did with one compatible release.
type SourceRelease struct {
	// Version is the TKR version, e.g. v1.24.9+vmware.1-tkg.1.
	Version string `json:"version"`
	// Phase is Applied, Failed or NotPublished.
	Phase string `json:"phase"`
	// Bundle is the package bundle that is (or was being) applied, by digest, after relocation.
	// +optional
	Bundle string `json:"bundle,omitempty"`
	// BOM is the BOM ConfigMap of the release, or empty when its BOM image is missing or broken.
	// +optional
	BOM string `json:"bom,omitempty"`
	// Message says what went wrong and what to do, when Phase is not Applied or the BOM is
	// missing.
	// +optional
	Message string `json:"message,omitempty"`
	// LastAppliedTime is when the bundle was last applied.
	// +optional
	LastAppliedTime *metav1.Time `json:"lastAppliedTime,omitempty"`
}

// TanzuKubernetesReleaseSourceStatus is the source controller's report.
type TanzuKubernetesReleaseSourceStatus struct {
	// Registry is where the controller reads from.
	// +optional
	Registry SourceRegistry `json:"registry,omitempty"`

	// TKGVersion is the management cluster version the compatible set was computed for.
	// +optional
	TKGVersion string `json:"tkgVersion,omitempty"`
	// TKGVersionFrom says where TKGVersion comes from: the --tkg-version flag or the TKGVERSION
	// annotation of the management Cluster.
	// +optional
	TKGVersionFrom string `json:"tkgVersionFrom,omitempty"`

	// Metadata is the compatibility metadata image in the bom-metadata ConfigMap.
	// +optional
	Metadata *SourceImage `json:"metadata,omitempty"`

	// Releases lists every compatible release and what became of it, by version.
	// +optional
	// +listType=map
	// +listMapKey=version
	Releases []SourceRelease `json:"releases,omitempty"`

	// Summary counts the compatible releases by phase, e.g. "3/3 applied".
	// +optional
	Summary string `json:"summary,omitempty"`

	// LastSyncTime is when the last sync ended, successful or not.
	// +optional
	LastSyncTime *metav1.Time `json:"lastSyncTime,omitempty"`
	// NextSyncTime is when the next sync is due, unless an event triggers one sooner.
	// +optional
	NextSyncTime *metav1.Time `json:"nextSyncTime,omitempty"`
	// ConsecutiveFailures counts the syncs that failed in a row; it sets the retry backoff.
	// +optional
	ConsecutiveFailures int32 `json:"consecutiveFailures,omitempty"`
	// ObservedSyncRequest is the value of the run.tanzu.vmware.com/sync-request annotation the
	// last sync acted on.
	// +optional
	ObservedSyncRequest string `json:"observedSyncRequest,omitempty"`

	// Conditions: Ready, MetadataSynced, BOMsSynced, ReleasesSynced.
	// +optional
	Conditions Conditions `json:"conditions,omitempty"`
}

// GetConditions returns the conditions.
func (s *TanzuKubernetesReleaseSource) GetConditions() Conditions { return s.Status.Conditions }

// SetConditions sets the conditions.
func (s *TanzuKubernetesReleaseSource) SetConditions(c Conditions) { s.Status.Conditions = c }

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:resource:path=tanzukubernetesreleasesources,shortName=tkrsource,scope=Cluster
// +kubebuilder:printcolumn:name="TKG Version",type="string",JSONPath=".status.tkgVersion"
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="Releases",type="string",JSONPath=".status.summary"
// +kubebuilder:printcolumn:name="Last Sync",type="date",JSONPath=".status.lastSyncTime"
// +kubebuilder:printcolumn:name="Message",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].message",priority=1
// +kubebuilder:printcolumn:name="Created",type="date",JSONPath=".metadata.creationTimestamp"

// TanzuKubernetesReleaseSource is the report of one source controller: which registry it reads,
// the management cluster version and compatible releases it pulls, and how each one fared.
type TanzuKubernetesReleaseSource struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   TanzuKubernetesReleaseSourceSpec   `json:"spec,omitempty"`
	Status TanzuKubernetesReleaseSourceStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// TanzuKubernetesReleaseSourceList is a list of TanzuKubernetesReleaseSources.
type TanzuKubernetesReleaseSourceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []TanzuKubernetesReleaseSource `json:"items"`
}

func init() {
	objectTypes = append(objectTypes, &TanzuKubernetesReleaseSource{}, &TanzuKubernetesReleaseSourceList{})
}
