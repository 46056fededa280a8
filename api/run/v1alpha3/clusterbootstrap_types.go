/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha3

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ClusterBootstrapTemplateSpec lists the packages that bootstrap a cluster.
// ClusterBootstrapTemplate and ClusterBootstrap share it.
type ClusterBootstrapTemplateSpec struct {
	// Paused stops the controllers from processing the object. Only
	// ClusterBootstrap honours it.
	// +optional
	// +kubebuilder:default:=false
	Paused bool `json:"paused,omitempty"`

	// CNI is the container network interface package.
	// +optional
	CNI *ClusterBootstrapPackage `json:"cni,omitempty"`

	// CSI is the container storage interface package.
	// +optional
	CSI *ClusterBootstrapPackage `json:"csi,omitempty"`

	// CPI is the cloud provider interface package.
	// +optional
	CPI *ClusterBootstrapPackage `json:"cpi,omitempty"`

	// Kapp is the kapp-controller package.
	// +optional
	Kapp *ClusterBootstrapPackage `json:"kapp,omitempty"`

	// AdditionalPackages are the further packages to install.
	// +optional
	AdditionalPackages []*ClusterBootstrapPackage `json:"additionalPackages,omitempty"`
}

// ClusterBootstrapPackage is one package to install and where its values come from.
type ClusterBootstrapPackage struct {
	// RefName is the name of the Carvel Package object, i.e. package name and
	// version, e.g. antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced.
	// +required
	RefName string `json:"refName"`

	// ValuesFrom says where the package's data values come from.
	// +optional
	ValuesFrom *ValuesFrom `json:"valuesFrom,omitempty"`
}

// ValuesFrom is the source of a package's data values. At most one of its
// fields may be set; the webhooks enforce that with CountFields.
//
// Its DeepCopyInto is written by hand because the generator cannot copy Inline.
//
// +kubebuilder:object:generate=false
type ValuesFrom struct {
	// Inline holds the values themselves.
	// +optional
	// +kubebuilder:validation:Schemaless
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Inline map[string]interface{} `json:"inline,omitempty"`

	// SecretRef names a Secret in the same namespace that holds the values.
	// +optional
	SecretRef string `json:"secretRef,omitempty"`

	// ProviderRef points at an add-on config object (e.g. an AntreaConfig)
	// whose controller produces the values. APIGroup must be set.
	// +optional
	ProviderRef *corev1.TypedLocalObjectReference `json:"providerRef,omitempty"`
}

// CountFields returns how many of Inline, SecretRef and ProviderRef are set.
func (v *ValuesFrom) CountFields() int {
	n := 0
	if v.Inline != nil {
		n++
	}
	if v.SecretRef != "" {
		n++
	}
	if v.ProviderRef != nil {
		n++
	}
	return n
}

// ClusterBootstrapStatus is the observed state of a ClusterBootstrap.
type ClusterBootstrapStatus struct {
	// ResolvedTKR is the TKR whose template the ClusterBootstrap was last
	// created or upgraded from.
	// +optional
	ResolvedTKR string `json:"resolvedTKR,omitempty"`

	// Conditions report the state of the cluster's packages.
	// +optional
	Conditions Conditions `json:"conditions,omitempty"`
}

// ClusterBootstrap is the set of packages of one cluster. It is named after
// its Cluster and lives in the Cluster's namespace.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:resource:path=clusterbootstraps,shortName=cb,scope=Namespaced
// +kubebuilder:printcolumn:name="CNI",type="string",JSONPath=".spec.cni.refName"
// +kubebuilder:printcolumn:name="CSI",type="string",JSONPath=".spec.csi.refName"
// +kubebuilder:printcolumn:name="CPI",type="string",JSONPath=".spec.cpi.refName"
// +kubebuilder:printcolumn:name="Kapp",type="string",JSONPath=".spec.kapp.refName"
// +kubebuilder:printcolumn:name="Additional Packages",type="string",JSONPath=".spec.additionalPackages[*].refName",priority=10
// +kubebuilder:printcolumn:name="Resolved_TKR",type="string",JSONPath=".status.resolvedTKR"
type ClusterBootstrap struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec lists the packages of the cluster.
	// +required
	Spec *ClusterBootstrapTemplateSpec `json:"spec"`
	// Status is what the controllers observed.
	// +optional
	Status ClusterBootstrapStatus `json:"status,omitzero"`
}

// GetConditions returns the conditions of the ClusterBootstrap.
func (b *ClusterBootstrap) GetConditions() Conditions {
	return b.Status.Conditions
}

// SetConditions replaces the conditions of the ClusterBootstrap.
func (b *ClusterBootstrap) SetConditions(conditions Conditions) {
	b.Status.Conditions = conditions
}

// ClusterBootstrapList is a list of ClusterBootstrap.
//
// +kubebuilder:object:root=true
type ClusterBootstrapList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the ClusterBootstraps.
	Items []ClusterBootstrap `json:"items"`
}

func init() {
	objectTypes = append(objectTypes, &ClusterBootstrap{}, &ClusterBootstrapList{})
}
