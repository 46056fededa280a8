/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tkr-project/tkr/api/run/internal/legacytkr"
)

// The spec and status are the same in v1alpha1 and v1alpha2, so both alias
// one definition and share one conversion.

// TanzuKubernetesReleaseSpec is the spec of a v1alpha1 TKR.
type TanzuKubernetesReleaseSpec = legacytkr.Spec

// TanzuKubernetesReleaseStatus is the status of a v1alpha1 TKR.
type TanzuKubernetesReleaseStatus = legacytkr.Status

// ContainerImage locates one container image; its String form is [repository/]name[:tag].
type ContainerImage = legacytkr.ContainerImage

// TanzuKubernetesRelease is the v1alpha1 form of a TKR.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=tanzukubernetesreleases,shortName=tkr,scope=Cluster
// +kubebuilder:printcolumn:name="Version",type="string",JSONPath=".spec.version"
// +kubebuilder:printcolumn:name="Compatible",type="string",JSONPath=".status.conditions[?(@.type=='Compatible')].status"
// +kubebuilder:printcolumn:name="Created",type="date",JSONPath=".metadata.creationTimestamp"
type TanzuKubernetesRelease struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec describes the release.
	// +required
	Spec TanzuKubernetesReleaseSpec `json:"spec"`
	// Status is what the controllers observed about the release.
	// +optional
	Status TanzuKubernetesReleaseStatus `json:"status,omitzero"`
}

// TanzuKubernetesReleaseList is a list of TanzuKubernetesRelease.
//
// +kubebuilder:object:root=true
type TanzuKubernetesReleaseList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the TKRs.
	Items []TanzuKubernetesRelease `json:"items"`
}
