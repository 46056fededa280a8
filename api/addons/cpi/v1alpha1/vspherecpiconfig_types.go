/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Values of VSphereCPI.Mode.
const (
	// ModeVSphereCPI runs the vSphere cloud provider against a vCenter.
	ModeVSphereCPI = "vsphereCPI"
	// ModeVSphereParavirtualCPI runs the paravirtual cloud provider of a
	// cluster nested in a vSphere with Tanzu supervisor.
	ModeVSphereParavirtualCPI = "vsphereParavirtualCPI"
)

// Printer columns deviate from the original API on purpose: it printed a
// "Name" column read from .spec.namespace, a field that does not exist, so the
// column was always empty (and kubectl prints NAME anyway). Mode and SecretRef
// replace it, being what an operator looks for.

// VSphereCPIConfig is the vSphere cloud provider configuration of one
// workload cluster. Its controller renders spec into the data-values Secret
// of the vsphere-cpi package.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=vspherecpiconfigs,shortName=vcpic,scope=Namespaced
// +kubebuilder:printcolumn:name="Mode",type="string",JSONPath=".spec.vsphereCPI.mode",description="vsphereCPI or vsphereParavirtualCPI"
// +kubebuilder:printcolumn:name="SecretRef",type="string",JSONPath=".status.secretRef",description="Name of the vSphere CPI data-values Secret"
type VSphereCPIConfig struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired cloud provider configuration.
	// +required
	Spec VSphereCPIConfigSpec `json:"spec"`
	// Status is what the controller last produced.
	// +optional
	Status VSphereCPIConfigStatus `json:"status,omitzero"`
}

// VSphereCPIConfigList is a list of VSphereCPIConfig.
//
// +kubebuilder:object:root=true
type VSphereCPIConfigList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the VSphereCPIConfigs.
	Items []VSphereCPIConfig `json:"items"`
}

// VSphereCPIConfigSpec is the desired state of a VSphereCPIConfig.
type VSphereCPIConfigSpec struct {
	// VSphereCPI is the cloud provider configuration.
	// +required
	VSphereCPI VSphereCPI `json:"vsphereCPI"`
}

// VSphereCPI is the cloud provider configuration. Which of the embedded field
// groups applies depends on Mode; on the wire both are flattened into this
// object.
type VSphereCPI struct {
	// Mode selects the cloud provider flavour. Unset, the controller leaves
	// the object alone.
	// +optional
	// +kubebuilder:validation:Enum=vsphereCPI;vsphereParavirtualCPI
	Mode string `json:"mode,omitempty"`

	// NonParavirtualConfig holds the settings used in vsphereCPI mode.
	NonParavirtualConfig `json:",inline"`

	// ParavirtualConfig holds the settings used in vsphereParavirtualCPI mode.
	ParavirtualConfig `json:",inline"`
}

// NonParavirtualConfig holds the cloud provider settings of vsphereCPI mode.
type NonParavirtualConfig struct {
	// VCenterAPIEndpoint is the IP address or FQDN of the vCenter.
	// +optional
	VCenterAPIEndpoint string `json:"vCenterAPIEndpoint,omitempty"`

	// Datacenter is the datacenter the VMs live in.
	// +optional
	Datacenter string `json:"datacenter,omitempty"`

	// VSphereCredentialLocalObjRef points at a Secret in the same namespace
	// with the vCenter username and password.
	// +optional
	VSphereCredentialLocalObjRef *corev1.TypedLocalObjectReference `json:"vSphereCredentialLocalObjRef,omitempty"`

	// TLSThumbprint is the thumbprint of the vCenter's certificate.
	// +optional
	TLSThumbprint string `json:"tlsThumbprint,omitempty"`

	// Region is the vSphere tag category used as the region in multi-AZ setups.
	// +optional
	Region string `json:"region,omitempty"`

	// Zone is the vSphere tag category used as the zone in multi-AZ setups.
	// +optional
	Zone string `json:"zone,omitempty"`

	// Insecure turns off verification of the vCenter's certificate.
	// +optional
	Insecure *bool `json:"insecure,omitempty"`

	// IPFamily is the cluster's IP family and, for dual stack, the order.
	// +optional
	// +kubebuilder:validation:Enum="ipv4";"ipv6";"ipv4,ipv6";"ipv6,ipv4"
	IPFamily string `json:"ipFamily,omitempty"`

	// VMNetwork selects the VM networks used for Node addresses.
	// +optional
	VMNetwork VMNetwork `json:"vmNetwork,omitzero"`

	// TLSCipherSuites is a comma-separated list of allowed TLS cipher suites.
	// The default is the original API's.
	// +optional
	// +kubebuilder:default="TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
	TLSCipherSuites string `json:"tlsCipherSuites,omitempty"`

	// NSXT configures NSX-T pod routing.
	// +optional
	NSXT NSXT `json:"nsxt,omitzero"`

	// Proxy configures the proxy the cloud provider uses to reach vCenter.
	// +optional
	Proxy Proxy `json:"proxy,omitzero"`
}

// ParavirtualConfig holds the cloud provider settings of vsphereParavirtualCPI mode.
type ParavirtualConfig struct {
	// AntreaNSXPodRoutingEnabled turns on pod routing through Antrea NSX.
	// +optional
	// +kubebuilder:default=false
	AntreaNSXPodRoutingEnabled *bool `json:"antreaNSXPodRoutingEnabled,omitempty"`
}

// VMNetwork selects the VM networks whose addresses become Node addresses.
type VMNetwork struct {
	// Internal is the name of the internal VM network.
	// +optional
	Internal string `json:"internal,omitempty"`
	// External is the name of the external VM network.
	// +optional
	External string `json:"external,omitempty"`
	// ExcludeInternalSubnetCidr excludes internal addresses in this CIDR.
	// +optional
	ExcludeInternalSubnetCidr string `json:"excludeInternalSubnetCidr,omitempty"`
	// ExcludeExternalSubnetCidr excludes external addresses in this CIDR.
	// +optional
	ExcludeExternalSubnetCidr string `json:"excludeExternalSubnetCidr,omitempty"`
}

// NSXT configures NSX-T pod routing for the cloud provider.
type NSXT struct {
	// PodRoutingEnabled turns NSX-T pod routing on.
	// +optional
	// +kubebuilder:default=false
	PodRoutingEnabled *bool `json:"podRoutingEnabled,omitempty"`
	// Route configures the NSX-T router.
	// +optional
	Route NSXTRoute `json:"route,omitzero"`
	// CredentialLocalObjRef points at a Secret in the same namespace with the
	// NSX-T username and password.
	// +optional
	CredentialLocalObjRef *corev1.TypedLocalObjectReference `json:"credentialLocalObjRef,omitempty"`
	// APIHost is the NSX-T manager's address.
	// +optional
	APIHost string `json:"apiHost,omitempty"`
	// Insecure turns off verification of NSX-T's certificate.
	// +optional
	Insecure *bool `json:"insecure,omitempty"`
	// RemoteAuth makes the provider authenticate through vIDM.
	// +optional
	RemoteAuth *bool `json:"remoteAuth,omitempty"`
	// VMCAccessToken is the VMC token for token-based authentication.
	// +optional
	VMCAccessToken string `json:"vmcAccessToken,omitempty"`
	// VMCAuthHost is the VMC host that verifies the token.
	// +optional
	VMCAuthHost string `json:"vmcAuthHost,omitempty"`
	// ClientCertKeyData is the key of the client certificate for NSX-T.
	// +optional
	ClientCertKeyData string `json:"clientCertKeyData,omitempty"`
	// ClientCertData is the client certificate for NSX-T.
	// +optional
	ClientCertData string `json:"clientCertData,omitempty"`
	// RootCAData is the CA of NSX-T's certificate when it is locally signed.
	// +optional
	RootCAData string `json:"rootCAData,omitempty"`
}

// NSXTRoute configures the NSX-T router the cloud provider programs.
type NSXTRoute struct {
	// RouterPath is the policy path of the NSX-T T0 or T1 router.
	// +optional
	RouterPath string `json:"routerPath,omitempty"`
}

// Proxy holds proxy settings. The JSON names use underscores, as the
// package's data values do.
type Proxy struct {
	// HTTPProxy is the proxy for HTTP requests.
	// +optional
	HTTPProxy string `json:"http_proxy,omitempty"`
	// HTTPSProxy is the proxy for HTTPS requests.
	// +optional
	HTTPSProxy string `json:"https_proxy,omitempty"`
	// NoProxy lists destinations reached without the proxy.
	// +optional
	NoProxy string `json:"no_proxy,omitempty"`
}

// VSphereCPIConfigStatus is the observed state of a VSphereCPIConfig.
type VSphereCPIConfigStatus struct {
	// SecretRef is the name of the data-values Secret the controller wrote.
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
}
