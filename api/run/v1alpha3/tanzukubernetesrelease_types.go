/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha3

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TanzuKubernetesReleaseSpec describes one Kubernetes release: the core
// images a cluster boots with, the OS images it can run on and the packages
// that bootstrap it.
type TanzuKubernetesReleaseSpec struct {
	// Version is the TKR version, a SemVer unique across TKRs, e.g. v1.24.9+vmware.1-tkg.1.
	// +required
	Version string `json:"version"`

	// Kubernetes describes the Kubernetes release and its core images.
	// +required
	Kubernetes KubernetesSpec `json:"kubernetes"`

	// OSImages lists the OSImages this release can run on.
	// +optional
	OSImages []OSImageReference `json:"osImages,omitempty"`

	// BootstrapPackages lists the Carvel Packages that bootstrap a cluster
	// of this release. A TKR without any is a legacy TKR.
	// +optional
	BootstrapPackages []BootstrapPackageReference `json:"bootstrapPackages,omitempty"`
}

// KubernetesSpec is the Kubernetes part of a TKR.
type KubernetesSpec struct {
	// Version is the Kubernetes SemVer, e.g. v1.24.9+vmware.1. Several TKRs may share it.
	// +required
	Version string `json:"version"`

	// ImageRepository is the registry path of the core Kubernetes images.
	// +optional
	ImageRepository string `json:"imageRepository,omitempty"`

	// The images below are written as null when unset rather than left out,
	// matching the objects existing tooling produces and reads.

	// Etcd is the etcd image.
	// +optional
	// +nullable
	Etcd *ContainerImageInfo `json:"etcd"`

	// Pause is the pause image.
	// +optional
	// +nullable
	Pause *ContainerImageInfo `json:"pause"`

	// CoreDNS is the CoreDNS image.
	// +optional
	// +nullable
	CoreDNS *ContainerImageInfo `json:"coredns"`

	// KubeVIP is the kube-vip image.
	// +optional
	// +nullable
	KubeVIP *ContainerImageInfo `json:"kube-vip"`
}

// ContainerImageInfo locates one container image.
type ContainerImageInfo struct {
	// ImageRepository is the registry path of the image. Empty means the
	// ImageRepository of the enclosing KubernetesSpec.
	// +optional
	ImageRepository string `json:"imageRepository,omitempty"`

	// ImageTag is the tag of the image.
	// +optional
	ImageTag string `json:"imageTag,omitempty"`
}

// OSImageReference names an OSImage.
type OSImageReference struct {
	// Name is the name of the OSImage.
	// +required
	Name string `json:"name"`
}

// BootstrapPackageReference names a Carvel Package.
type BootstrapPackageReference struct {
	// Name is the name of the Package, e.g. antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1.
	// +required
	Name string `json:"name"`
}

// TanzuKubernetesReleaseStatus is the observed state of a TKR.
type TanzuKubernetesReleaseStatus struct {
	// Conditions are the observations about the TKR, e.g. Ready and Compatible.
	// +optional
	Conditions Conditions `json:"conditions,omitempty"`
}

// TanzuKubernetesRelease (TKR) is a Kubernetes release that clusters of the
// management cluster can be created with or upgraded to.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:resource:path=tanzukubernetesreleases,shortName=tkr,scope=Cluster
// +kubebuilder:printcolumn:name="Version",type="string",JSONPath=".spec.version"
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
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

// GetConditions returns the conditions of the TKR.
func (r *TanzuKubernetesRelease) GetConditions() Conditions {
	return r.Status.Conditions
}

// SetConditions replaces the conditions of the TKR.
func (r *TanzuKubernetesRelease) SetConditions(conditions Conditions) {
	r.Status.Conditions = conditions
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

func init() {
	objectTypes = append(objectTypes, &TanzuKubernetesRelease{}, &TanzuKubernetesReleaseList{})
}
