/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// CalicoConfig is the Calico CNI configuration of one workload cluster. Its
// controller renders spec into the data-values Secret of the Calico package.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:resource:path=calicoconfigs,shortName=calicoconf,scope=Namespaced
// +kubebuilder:printcolumn:name="VethMTU",type="integer",JSONPath=".spec.calico.config.vethMTU",description="MTU of the Pod veth interfaces; 0 means detected automatically"
// +kubebuilder:printcolumn:name="SecretRef",type="string",JSONPath=".status.secretRef",description="Name of the Calico data-values Secret"
type CalicoConfig struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired Calico configuration.
	// +required
	Spec CalicoConfigSpec `json:"spec"`
	// Status is what the controller last produced.
	// +optional
	Status CalicoConfigStatus `json:"status,omitzero"`
}

// CalicoConfigList is a list of CalicoConfig.
//
// +kubebuilder:object:root=true
type CalicoConfigList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the CalicoConfigs.
	Items []CalicoConfig `json:"items"`
}

// CalicoConfigSpec is the desired state of a CalicoConfig.
type CalicoConfigSpec struct {
	// Calico holds the Calico settings.
	// +optional
	// +kubebuilder:default={}
	Calico Calico `json:"calico,omitzero"`
}

// Calico wraps the Calico configuration the way the package's data values nest it.
type Calico struct {
	// Config is the Calico configuration.
	// +optional
	// +kubebuilder:default={}
	Config CalicoConfigDataValue `json:"config,omitzero"`
}

// CalicoConfigDataValue is the Calico configuration rendered into the
// package's data values. Both defaults equal Go's zero values, so plain
// (non-pointer) fields lose nothing: an unset field and the default mean the
// same thing.
type CalicoConfigDataValue struct {
	// VethMTU is the MTU of the Pod veth interfaces; 0 means detected
	// automatically.
	// +optional
	// +kubebuilder:default=0
	// +kubebuilder:validation:Minimum=0
	VethMTU int32 `json:"vethMTU,omitempty"`

	// SkipCNIBinaries skips installing the CNI plugin binaries, for node
	// images that already ship them.
	// +optional
	// +kubebuilder:default=false
	SkipCNIBinaries bool `json:"skipCNIBinaries,omitempty"`
}

// CalicoConfigStatus is the observed state of a CalicoConfig.
type CalicoConfigStatus struct {
	// SecretRef is the name of the data-values Secret the controller wrote.
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
}
