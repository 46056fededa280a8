/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha3

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// OSImageSpec describes one machine image for one Kubernetes version.
type OSImageSpec struct {
	// KubernetesVersion is the Kubernetes SemVer the image carries, e.g. v1.24.9+vmware.1.
	// +required
	KubernetesVersion string `json:"kubernetesVersion"`

	// OS describes the operating system of the image.
	// +required
	OS OSInfo `json:"os"`

	// Image locates the image for the infrastructure provider.
	// +required
	Image MachineImageInfo `json:"image"`
}

// OSInfo describes an operating system.
type OSInfo struct {
	// Type is the OS family, e.g. linux or windows.
	// +required
	Type string `json:"type"`
	// Name is the distribution, e.g. ubuntu or photon.
	// +required
	Name string `json:"name"`
	// Version is the distribution version, e.g. "20.04".
	// +required
	Version string `json:"version"`
	// Arch is the CPU architecture, e.g. amd64.
	// +required
	Arch string `json:"arch"`
}

// MachineImageInfo locates a machine image. Its DeepCopyInto is written by
// hand because the generator cannot copy Ref.
//
// +kubebuilder:object:generate=false
type MachineImageInfo struct {
	// Type is the kind of image, roughly the infrastructure provider: ami,
	// azure, docker, ova or vmop.
	// +required
	Type string `json:"type"`

	// Ref identifies the image in the provider's terms, e.g. {id, region} for
	// an AMI. It is free-form because every provider needs different fields;
	// it is injected into the infrastructure machine templates.
	// +required
	// +kubebuilder:validation:Schemaless
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Ref map[string]interface{} `json:"ref"`
}

// OSImageStatus is the observed state of an OSImage.
type OSImageStatus struct {
	// Conditions are the observations about the OSImage.
	// +optional
	Conditions Conditions `json:"conditions,omitempty"`
}

// OSImage is a machine image that TKRs reference and that clusters resolve
// to through label selectors.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:resource:path=osimages,shortName=osimg,scope=Cluster
// +kubebuilder:printcolumn:name="K8S Version",type="string",JSONPath=".spec.kubernetesVersion"
// +kubebuilder:printcolumn:name="OS Name",type="string",JSONPath=".spec.os.name"
// +kubebuilder:printcolumn:name="OS Version",type="string",JSONPath=".spec.os.version"
// +kubebuilder:printcolumn:name="Arch",type="string",JSONPath=".spec.os.arch"
// +kubebuilder:printcolumn:name="Type",type="string",JSONPath=".spec.image.type"
// +kubebuilder:printcolumn:name="Compatible",type="string",JSONPath=".status.conditions[?(@.type=='Compatible')].status"
// +kubebuilder:printcolumn:name="Created",type="date",JSONPath=".metadata.creationTimestamp"
type OSImage struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec describes the image.
	// +required
	Spec OSImageSpec `json:"spec"`
	// Status is what the controllers observed about the image.
	// +optional
	Status OSImageStatus `json:"status,omitzero"`
}

// GetConditions returns the conditions of the OSImage.
func (i *OSImage) GetConditions() Conditions {
	return i.Status.Conditions
}

// SetConditions replaces the conditions of the OSImage.
func (i *OSImage) SetConditions(conditions Conditions) {
	i.Status.Conditions = conditions
}

// OSImageList is a list of OSImage.
//
// +kubebuilder:object:root=true
type OSImageList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the OSImages.
	Items []OSImage `json:"items"`
}

func init() {
	objectTypes = append(objectTypes, &OSImage{}, &OSImageList{})
}
