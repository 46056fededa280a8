/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha3

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ClusterBootstrapTemplate is the default set of packages of the clusters of
// one TKR. It is named after the TKR and lives in the system namespace;
// a cluster's ClusterBootstrap is cloned from it.
//
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:path=clusterbootstraptemplates,shortName=cbt,scope=Namespaced
// +kubebuilder:printcolumn:name="CNI",type="string",JSONPath=".spec.cni.refName"
// +kubebuilder:printcolumn:name="CSI",type="string",JSONPath=".spec.csi.refName"
// +kubebuilder:printcolumn:name="CPI",type="string",JSONPath=".spec.cpi.refName"
// +kubebuilder:printcolumn:name="Kapp",type="string",JSONPath=".spec.kapp.refName"
// +kubebuilder:printcolumn:name="Additional Packages",type="string",JSONPath=".spec.additionalPackages[*].refName",priority=10
type ClusterBootstrapTemplate struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec lists the packages.
	// +required
	Spec *ClusterBootstrapTemplateSpec `json:"spec"`
}

// ClusterBootstrapTemplateList is a list of ClusterBootstrapTemplate.
//
// +kubebuilder:object:root=true
type ClusterBootstrapTemplateList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the ClusterBootstrapTemplates.
	Items []ClusterBootstrapTemplate `json:"items"`
}

func init() {
	objectTypes = append(objectTypes, &ClusterBootstrapTemplate{}, &ClusterBootstrapTemplateList{})
}
