/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Values of VSphereCSI.Mode.
const (
	// ModeVSphereCSI runs the vSphere CSI driver against a vCenter.
	ModeVSphereCSI = "vsphereCSI"
	// ModeVSphereParavirtualCSI runs the paravirtual CSI driver of a cluster
	// nested in a vSphere with Tanzu supervisor.
	ModeVSphereParavirtualCSI = "vsphereParavirtualCSI"
)

// The original API printed no extra columns and had no short name. Mode and
// SecretRef are added because the mode decides which package and Secret the
// controller produces, and an empty SecretRef is the quickest sign that it has
// not done so. The short name vcsic is this project's choice, made to match
// vcpic.

// VSphereCSIConfig is the vSphere CSI driver configuration of one workload
// cluster. Its controller renders spec into the data-values Secret of the
// vsphere-csi or vsphere-pv-csi package.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=vspherecsiconfigs,shortName=vcsic,scope=Namespaced
// +kubebuilder:printcolumn:name="Mode",type="string",JSONPath=".spec.vsphereCSI.mode",description="vsphereCSI or vsphereParavirtualCSI"
// +kubebuilder:printcolumn:name="SecretRef",type="string",JSONPath=".status.secretRef",description="Name of the vSphere CSI data-values Secret"
type VSphereCSIConfig struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired CSI driver configuration.
	// +required
	Spec VSphereCSIConfigSpec `json:"spec"`
	// Status is what the controller last produced.
	// +optional
	Status VSphereCSIConfigStatus `json:"status,omitzero"`
}

// VSphereCSIConfigList is a list of VSphereCSIConfig.
//
// +kubebuilder:object:root=true
type VSphereCSIConfigList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the VSphereCSIConfigs.
	Items []VSphereCSIConfig `json:"items"`
}

// VSphereCSIConfigSpec is the desired state of a VSphereCSIConfig.
type VSphereCSIConfigSpec struct {
	// VSphereCSI is the CSI driver configuration.
	// +required
	VSphereCSI VSphereCSI `json:"vsphereCSI"`
}

// VSphereCSI is the CSI driver configuration.
type VSphereCSI struct {
	// Mode selects the CSI driver flavour.
	// +required
	// +kubebuilder:validation:Enum=vsphereCSI;vsphereParavirtualCSI
	Mode string `json:"mode"`

	// Config holds the settings used in vsphereCSI mode.
	// +optional
	Config NonParavirtualConfig `json:"config,omitzero"`
}

// NonParavirtualConfig holds the CSI driver settings of vsphereCSI mode.
type NonParavirtualConfig struct {
	// TLSThumbprint is the thumbprint of the vCenter's certificate.
	// +optional
	TLSThumbprint string `json:"tlsThumbprint,omitempty"`
	// Namespace is where the CSI components are deployed.
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// ClusterName is the cluster's name as the CSI driver reports it to vCenter.
	// +optional
	ClusterName string `json:"clusterName,omitempty"`
	// Server is the vCenter's address.
	// +optional
	Server string `json:"server,omitempty"`
	// Datacenter is the datacenter the VMs live in.
	// +optional
	Datacenter string `json:"datacenter,omitempty"`
	// PublicNetwork is the VM network for public traffic.
	// +optional
	PublicNetwork string `json:"publicNetwork,omitempty"`
	// VSphereCredentialLocalObjRef points at a Secret in the same namespace
	// with the vCenter username and password.
	// +optional
	VSphereCredentialLocalObjRef *corev1.TypedLocalObjectReference `json:"vSphereCredentialLocalObjRef,omitempty"`
	// Region is the vSphere tag category used as the region for topology.
	// +optional
	Region string `json:"region,omitempty"`
	// Zone is the vSphere tag category used as the zone for topology.
	// +optional
	Zone string `json:"zone,omitempty"`
	// InsecureFlag turns off verification of the vCenter's certificate.
	// +optional
	InsecureFlag *bool `json:"insecureFlag,omitempty"`
	// UseTopologyCategories makes the driver use the topology categories.
	// +optional
	UseTopologyCategories *bool `json:"useTopologyCategories,omitempty"`
	// ProvisionTimeout is the provisioner sidecar's timeout.
	// +optional
	ProvisionTimeout string `json:"provisionTimeout,omitempty"`
	// AttachTimeout is the attacher sidecar's timeout.
	// +optional
	AttachTimeout string `json:"attachTimeout,omitempty"`
	// ResizerTimeout is the resizer sidecar's timeout.
	// +optional
	ResizerTimeout string `json:"resizerTimeout,omitempty"`
	// VSphereVersion is the vSphere version the driver targets.
	// +optional
	VSphereVersion string `json:"vSphereVersion,omitempty"`
	// HTTPProxy is the proxy for HTTP requests.
	// +optional
	HTTPProxy string `json:"httpProxy,omitempty"`
	// HTTPSProxy is the proxy for HTTPS requests.
	// +optional
	HTTPSProxy string `json:"httpsProxy,omitempty"`
	// NoProxy lists destinations reached without the proxy.
	// +optional
	NoProxy string `json:"noProxy,omitempty"`
	// DeploymentReplicas is the replica count of the CSI controller Deployment.
	// +optional
	DeploymentReplicas *int32 `json:"deploymentReplicas,omitempty"`
	// WindowsSupport deploys the driver to Windows Nodes as well.
	// +optional
	WindowsSupport *bool `json:"windowsSupport,omitempty"`
	// NetPermissions restrict network access to file share volumes, keyed by
	// a name of the user's choosing.
	// +optional
	NetPermissions map[string]NetPermissionConfig `json:"netPermissions,omitempty"`
}

// NetPermissionConfig restricts which clients may reach file share volumes.
type NetPermissionConfig struct {
	// Ips is a client IP address, range or subnet such as "10.20.30.0/24";
	// the driver reads unset as "*".
	// +optional
	Ips string `json:"ips,omitempty"`
	// Permissions is READ_ONLY, READ_WRITE or NO_ACCESS; the driver reads
	// unset as READ_WRITE.
	// +optional
	Permissions string `json:"permissions,omitempty"`
	// RootSquash denies root access from these clients.
	// +optional
	RootSquash bool `json:"rootsquash,omitempty"`
}

// VSphereCSIConfigStatus is the observed state of a VSphereCSIConfig.
type VSphereCSIConfigStatus struct {
	// SecretRef is the name of the data-values Secret the controller wrote.
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
}
