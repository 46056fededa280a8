/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AntreaConfig is the v1alpha1 form of the Antrea CNI configuration of one
// workload cluster. It is served for older clients and stored as v1alpha2;
// the v1alpha2 fields it has no place for travel in the
// cni.tanzu.vmware.com/conversion-data annotation.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=antreaconfigs,shortName=antreaconf,scope=Namespaced
// +kubebuilder:printcolumn:name="TrafficEncapMode",type="string",JSONPath=".spec.antrea.config.trafficEncapMode",description="Traffic encapsulation mode: encap, noEncap, hybrid or networkPolicyOnly"
// +kubebuilder:printcolumn:name="DefaultMTU",type="string",JSONPath=".spec.antrea.config.defaultMTU",description="MTU of the host gateway and Pod interfaces; empty means discovered from the Node"
// +kubebuilder:printcolumn:name="AntreaProxy",type="boolean",JSONPath=".spec.antrea.config.featureGates.AntreaProxy",description="Whether the AntreaProxy feature gate is on"
// +kubebuilder:printcolumn:name="AntreaPolicy",type="boolean",JSONPath=".spec.antrea.config.featureGates.AntreaPolicy",description="Whether the AntreaPolicy feature gate is on"
// +kubebuilder:printcolumn:name="SecretRef",type="string",JSONPath=".status.secretRef",description="Name of the Antrea data-values Secret"
type AntreaConfig struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired Antrea configuration.
	// +required
	Spec AntreaConfigSpec `json:"spec"`
	// Status is what the controller last observed and produced.
	// +optional
	Status AntreaConfigStatus `json:"status,omitzero"`
}

// AntreaConfigList is a list of AntreaConfig.
//
// +kubebuilder:object:root=true
type AntreaConfigList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the AntreaConfigs.
	Items []AntreaConfig `json:"items"`
}

// AntreaConfigSpec is the desired state of an AntreaConfig.
type AntreaConfigSpec struct {
	// Antrea holds the Antrea agent and controller settings.
	// +optional
	// +kubebuilder:default={}
	Antrea Antrea `json:"antrea,omitzero"`
}

// Antrea wraps the Antrea configuration the way the package's data values nest it.
type Antrea struct {
	// Config is the Antrea configuration.
	// +optional
	// +kubebuilder:default={}
	Config AntreaConfigDataValue `json:"config,omitzero"`
}

// AntreaConfigDataValue is the Antrea configuration rendered into the package's
// data values. Booleans are pointers so that "not set" stays distinct from
// false: the CRD defaults then fill in what the user left out, and a value
// that differs from the default survives every round trip.
type AntreaConfigDataValue struct {
	// Egress configures the Egress feature.
	// +optional
	Egress AntreaEgress `json:"egress,omitzero"`

	// NodePortLocal configures the NodePortLocal feature.
	// +optional
	NodePortLocal AntreaNodePortLocal `json:"nodePortLocal,omitzero"`

	// AntreaProxy configures the AntreaProxy feature.
	// +optional
	AntreaProxy AntreaProxy `json:"antreaProxy,omitzero"`

	// FlowExporter configures the FlowExporter feature.
	// +optional
	FlowExporter AntreaFlowExporter `json:"flowExporter,omitzero"`

	// KubeAPIServerOverride is the address of the Kubernetes API server; it
	// takes precedence over kubeconfig and in-cluster configuration.
	// +optional
	KubeAPIServerOverride string `json:"kubeAPIServerOverride,omitempty"`

	// TransportInterface is the Node interface used for tunnelling or routing.
	// +optional
	TransportInterface string `json:"transportInterface,omitempty"`

	// TransportInterfaceCIDRs are the network CIDRs of the Node interface used
	// for tunnelling or routing.
	// +optional
	TransportInterfaceCIDRs []string `json:"transportInterfaceCIDRs,omitempty"`

	// MulticastInterfaces are the Node interfaces that forward multicast traffic.
	// +optional
	MulticastInterfaces []string `json:"multicastInterfaces,omitempty"`

	// Multicast configures the Multicast feature.
	// +optional
	Multicast AntreaMulticast `json:"multicast,omitzero"`

	// MultiCluster configures Antrea Multi-cluster.
	// +optional
	MultiCluster AntreaMultiCluster `json:"multicluster,omitzero"`

	// TunnelType is the encapsulation protocol between Nodes: geneve, vxlan,
	// gre or stt.
	// +optional
	TunnelType string `json:"tunnelType,omitempty"`

	// TrafficEncryptionMode is how tunnel traffic is encrypted: none, ipsec
	// or wireguard.
	// +optional
	TrafficEncryptionMode string `json:"trafficEncryptionMode,omitempty"`

	// WireGuard configures WireGuard encryption.
	// +optional
	WireGuard AntreaWireGuard `json:"wireGuard,omitzero"`

	// EnableUsageReporting turns on usage reporting (telemetry).
	// +optional
	// +kubebuilder:default=false
	EnableUsageReporting *bool `json:"enableUsageReporting,omitempty"`

	// ServiceCIDR is the ClusterIP range of Services.
	// +optional
	ServiceCIDR string `json:"serviceCIDR,omitempty"`

	// TrafficEncapMode is how Pod traffic crosses Nodes. It cannot change
	// after creation.
	// +optional
	// +kubebuilder:default=encap
	// +kubebuilder:validation:Enum=encap;noEncap;hybrid;networkPolicyOnly
	TrafficEncapMode string `json:"trafficEncapMode,omitempty"`

	// NoSNAT turns off SNAT of traffic from Pods to the external network. It
	// must stay off in encap and hybrid modes and cannot change after creation.
	// +optional
	// +kubebuilder:default=false
	NoSNAT *bool `json:"noSNAT,omitempty"`

	// DisableUDPTunnelOffload turns off UDP tunnel offload on the default NIC.
	// It cannot change after creation.
	// +optional
	// +kubebuilder:default=false
	DisableUDPTunnelOffload *bool `json:"disableUdpTunnelOffload,omitempty"`

	// DefaultMTU is the MTU of the host gateway and Pod interfaces; empty
	// means Antrea discovers it from the Node's primary interface.
	// +optional
	// +kubebuilder:default=""
	DefaultMTU string `json:"defaultMTU,omitempty"`

	// TLSCipherSuites is a comma-separated list of allowed TLS cipher suites.
	// It cannot change after creation.
	// +optional
	// +kubebuilder:default="TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_256_GCM_SHA384"
	TLSCipherSuites string `json:"tlsCipherSuites,omitempty"`

	// EnableBridgingMode bridges the Pod network onto the Node network.
	// +optional
	// +kubebuilder:default=false
	EnableBridgingMode *bool `json:"enableBridgingMode,omitempty"`

	// DisableTXChecksumOffload turns off TX checksum offload on container
	// network interfaces.
	// +optional
	// +kubebuilder:default=false
	DisableTXChecksumOffload *bool `json:"disableTXChecksumOffload,omitempty"`

	// DNSServerOverride is the address of a DNS server used instead of the
	// kube-dns Service.
	// +optional
	// +kubebuilder:default=""
	DNSServerOverride string `json:"dnsServerOverride,omitempty"`

	// FeatureGates turns Antrea features on or off.
	// +optional
	// +kubebuilder:default={}
	FeatureGates AntreaFeatureGates `json:"featureGates,omitzero"`
}

// AntreaEgress configures the Egress feature.
type AntreaEgress struct {
	// ExceptCIDRs are destinations whose traffic is never SNATed by Egress.
	// +optional
	ExceptCIDRs []string `json:"exceptCIDRs,omitempty"`
}

// AntreaNodePortLocal configures the NodePortLocal feature.
type AntreaNodePortLocal struct {
	// Enabled turns NodePortLocal on.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// PortRange is the Node port range NodePortLocal allocates from.
	// +optional
	PortRange string `json:"portRange,omitempty"`
}

// AntreaProxy configures the AntreaProxy feature.
type AntreaProxy struct {
	// ProxyAll makes AntreaProxy handle all Service traffic, replacing kube-proxy.
	// +optional
	ProxyAll *bool `json:"proxyAll,omitempty"`
	// NodePortAddresses are the Node addresses NodePort Services listen on.
	// +optional
	NodePortAddresses []string `json:"nodePortAddresses,omitempty"`
	// SkipServices are Services AntreaProxy ignores.
	// +optional
	SkipServices []string `json:"skipServices,omitempty"`
	// ProxyLoadBalancerIPs makes AntreaProxy load-balance traffic to LoadBalancer IPs.
	// +optional
	ProxyLoadBalancerIPs *bool `json:"proxyLoadBalancerIPs,omitempty"`
}

// AntreaFlowExporter configures the FlowExporter feature.
type AntreaFlowExporter struct {
	// CollectorAddress is the IPFIX collector's address.
	// +optional
	CollectorAddress string `json:"collectorAddress,omitempty"`
	// PollInterval is how often connections are polled.
	// +optional
	PollInterval string `json:"pollInterval,omitempty"`
	// ActiveFlowTimeout is the export timeout of active flows.
	// +optional
	ActiveFlowTimeout string `json:"activeFlowTimeout,omitempty"`
	// IdleFlowTimeout is the export timeout of idle flows.
	// +optional
	IdleFlowTimeout string `json:"idleFlowTimeout,omitempty"`
}

// AntreaMulticast configures the Multicast feature.
type AntreaMulticast struct {
	// IGMPQueryInterval is the interval between IGMP queries.
	// +optional
	IGMPQueryInterval string `json:"igmpQueryInterval,omitempty"`
}

// AntreaMultiCluster configures Antrea Multi-cluster.
type AntreaMultiCluster struct {
	// Enable turns Multi-cluster on.
	// +optional
	Enable *bool `json:"enable,omitempty"`
	// Namespace is the Multi-cluster namespace.
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// AntreaWireGuard configures WireGuard encryption.
type AntreaWireGuard struct {
	// Port is the WireGuard UDP port.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=65535
	Port *int32 `json:"port,omitempty"`
}

// AntreaFeatureGates turns Antrea features on or off. The JSON keys are the
// capitalised gate names Antrea itself uses.
type AntreaFeatureGates struct {
	// AntreaProxy turns AntreaProxy on.
	// +optional
	// +kubebuilder:default=true
	AntreaProxy *bool `json:"AntreaProxy,omitempty"`
	// EndpointSlice makes AntreaProxy use EndpointSlices; it needs AntreaProxy.
	// +optional
	// +kubebuilder:default=false
	EndpointSlice *bool `json:"EndpointSlice,omitempty"`
	// AntreaPolicy turns Antrea-native policies on.
	// +optional
	// +kubebuilder:default=true
	AntreaPolicy *bool `json:"AntreaPolicy,omitempty"`
	// FlowExporter turns the flow exporter on.
	// +optional
	// +kubebuilder:default=false
	FlowExporter *bool `json:"FlowExporter,omitempty"`
	// Egress turns SNAT IPs for Pod egress traffic on.
	// +optional
	// +kubebuilder:default=true
	Egress *bool `json:"Egress,omitempty"`
	// NodePortLocal makes Pods reachable through Node ports.
	// +optional
	// +kubebuilder:default=true
	NodePortLocal *bool `json:"NodePortLocal,omitempty"`
	// AntreaTraceflow turns Traceflow on.
	// +optional
	// +kubebuilder:default=true
	AntreaTraceflow *bool `json:"AntreaTraceflow,omitempty"`
	// NetworkPolicyStats turns network policy statistics on.
	// +optional
	// +kubebuilder:default=false
	NetworkPolicyStats *bool `json:"NetworkPolicyStats,omitempty"`
	// AntreaIPAM turns Antrea IPAM on.
	// +optional
	// +kubebuilder:default=false
	AntreaIPAM *bool `json:"AntreaIPAM,omitempty"`
	// ServiceExternalIP turns external IPs for Services on.
	// +optional
	// +kubebuilder:default=false
	ServiceExternalIP *bool `json:"ServiceExternalIP,omitempty"`
	// Multicast turns multicast on.
	// +optional
	// +kubebuilder:default=false
	Multicast *bool `json:"Multicast,omitempty"`
	// Multicluster turns the Multi-cluster Gateway on.
	// +optional
	// +kubebuilder:default=false
	Multicluster *bool `json:"Multicluster,omitempty"`
	// SecondaryNetwork turns secondary Pod network interfaces on.
	// +optional
	// +kubebuilder:default=false
	SecondaryNetwork *bool `json:"SecondaryNetwork,omitempty"`
	// TrafficControl turns mirroring and redirecting of Pod traffic on.
	// +optional
	// +kubebuilder:default=false
	TrafficControl *bool `json:"TrafficControl,omitempty"`
}

// AntreaConfigStatus is the observed state of an AntreaConfig.
type AntreaConfigStatus struct {
	// Message explains why the controller could not act on the spec.
	// +optional
	Message string `json:"message,omitempty"`
	// SecretRef is the name of the data-values Secret the controller wrote.
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
}
