// Package antrea renders an AntreaConfig into the data values of the Antrea package. Fields
// are copied one by one, and those the package only understands from some Antrea version on
// are left out for older packages, so an older package's schema never sees a key it rejects.
package antrea

import (
	"fmt"
	"strings"

	cniv1alpha2 "github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
	"github.com/tkr-project/tkr/pkg/addons"
	"github.com/tkr-project/tkr/pkg/version"
)

// Versions from which the package accepts the gated fields.
var (
	// v171 adds multicluster, bridging mode, TX checksum offload, the DNS server override,
	// the IGMP query interval and the SecondaryNetwork, TrafficControl and Multicluster gates.
	v171 = version.MustParse("v1.7.1")
	// v190 adds tunnelPort, tunnelCsum and the TopologyAwareHints gate.
	v190 = version.MustParse("v1.9.0")
)

// packagePrefix is the refName prefix of the Antrea package in the package-name label.
const packagePrefix = "antrea.tanzu.vmware.com."

// Version derives the Antrea version from an AntreaConfig's tkg.tanzu.vmware.com/package-name
// label: everything from "---" (the label-safe "+") on is dropped, then the package prefix,
// and "v" is prepended, so "antrea.tanzu.vmware.com.1.7.2---vmware.1-tkg.1-advanced" gives
// "v1.7.2".
func Version(packageNameLabel string) string {
	v, _, _ := strings.Cut(packageNameLabel, "---")
	return "v" + strings.TrimPrefix(v, packagePrefix)
}

// atLeast reports whether v is a version no older than min. A label that does not yield a
// version counts as old, as it did in the original (x/mod/semver ranks invalid versions
// first), so the gated fields stay out rather than break an unknown package.
func atLeast(v string, min *version.Version) bool {
	parsed, err := version.Parse(v)
	return err == nil && version.Compare(parsed, min) >= 0
}

// DataValues are the Antrea package's data values.
type DataValues struct {
	InfraProvider string `yaml:"infraProvider"`
	Antrea        Antrea `yaml:"antrea,omitempty"`
	AntreaNsx     *Nsx   `yaml:"antreaNsx,omitempty"`
}

// Antrea nests the configuration as the package expects it.
type Antrea struct {
	Config Config `yaml:"config,omitempty"`
}

// Config is antrea.config of the data values.
type Config struct {
	Egress                   Egress        `yaml:"egress,omitempty"`
	NodePortLocal            NodePortLocal `yaml:"nodePortLocal,omitempty"`
	AntreaProxy              Proxy         `yaml:"antreaProxy,omitempty"`
	FlowExporter             FlowExporter  `yaml:"flowExporter,omitempty"`
	Multicast                Multicast     `yaml:"multicast,omitempty"`
	MultiCluster             MultiCluster  `yaml:"multicluster,omitempty"`
	KubeAPIServerOverride    string        `yaml:"kubeAPIServerOverride,omitempty"`
	TransportInterface       string        `yaml:"transportInterface,omitempty"`
	TransportInterfaceCIDRs  []string      `yaml:"transportInterfaceCIDRs,omitempty"`
	MulticastInterfaces      []string      `yaml:"multicastInterfaces,omitempty"`
	TunnelType               string        `yaml:"tunnelType,omitempty"`
	TunnelPort               int32         `yaml:"tunnelPort,omitempty"`
	TunnelCsum               bool          `yaml:"tunnelCsum,omitempty"`
	TrafficEncryptionMode    string        `yaml:"trafficEncryptionMode,omitempty"`
	EnableUsageReporting     bool          `yaml:"enableUsageReporting,omitempty"`
	WireGuard                WireGuard     `yaml:"wireGuard,omitempty"`
	ServiceCIDR              string        `yaml:"serviceCIDR,omitempty"`
	ServiceCIDRv6            string        `yaml:"serviceCIDRv6,omitempty"`
	TrafficEncapMode         string        `yaml:"trafficEncapMode,omitempty"`
	NoSNAT                   bool          `yaml:"noSNAT,omitempty"`
	TLSCipherSuites          string        `yaml:"tlsCipherSuites,omitempty"`
	DisableUDPTunnelOffload  bool          `yaml:"disableUdpTunnelOffload"`
	DefaultMTU               string        `yaml:"defaultMTU,omitempty"`
	EnableBridgingMode       bool          `yaml:"enableBridgingMode,omitempty"`
	DisableTXChecksumOffload bool          `yaml:"disableTXChecksumOffload,omitempty"`
	DNSServerOverride        string        `yaml:"dnsServerOverride,omitempty"`
	FeatureGates             FeatureGates  `yaml:"featureGates,omitempty"`
}

// Egress is antrea.config.egress.
type Egress struct {
	ExceptCIDRs []string `yaml:"exceptCIDRs,omitempty"`
}

// NodePortLocal is antrea.config.nodePortLocal.
type NodePortLocal struct {
	Enabled   bool   `yaml:"enabled,omitempty"`
	PortRange string `yaml:"portRange,omitempty"`
}

// Proxy is antrea.config.antreaProxy.
type Proxy struct {
	ProxyAll             bool     `yaml:"proxyAll,omitempty"`
	NodePortAddresses    []string `yaml:"nodePortAddresses,omitempty"`
	SkipServices         []string `yaml:"skipServices,omitempty"`
	ProxyLoadBalancerIPs bool     `yaml:"proxyLoadBalancerIPs,omitempty"`
}

// FlowExporter is antrea.config.flowExporter.
type FlowExporter struct {
	CollectorAddress  string `yaml:"collectorAddress,omitempty"`
	PollInterval      string `yaml:"pollInterval,omitempty"`
	ActiveFlowTimeout string `yaml:"activeFlowTimeout,omitempty"`
	IdleFlowTimeout   string `yaml:"idleFlowTimeout,omitempty"`
}

// Multicast is antrea.config.multicast.
type Multicast struct {
	IGMPQueryInterval string `yaml:"igmpQueryInterval,omitempty"`
}

// MultiCluster is antrea.config.multicluster.
type MultiCluster struct {
	Enable    bool   `yaml:"enable,omitempty"`
	Namespace string `yaml:"namespace,omitempty"`
}

// WireGuard is antrea.config.wireGuard.
type WireGuard struct {
	Port int32 `yaml:"port,omitempty"`
}

// FeatureGates is antrea.config.featureGates. The ungated gates are always written, so the
// package never falls back to a default of its own; the gated ones are nil for packages that
// do not know them.
type FeatureGates struct {
	AntreaProxy        bool  `yaml:"AntreaProxy"`
	EndpointSlice      bool  `yaml:"EndpointSlice"`
	AntreaPolicy       bool  `yaml:"AntreaPolicy"`
	FlowExporter       bool  `yaml:"FlowExporter"`
	Egress             bool  `yaml:"Egress"`
	NodePortLocal      bool  `yaml:"NodePortLocal"`
	AntreaTraceflow    bool  `yaml:"AntreaTraceflow"`
	NetworkPolicyStats bool  `yaml:"NetworkPolicyStats"`
	AntreaIPAM         bool  `yaml:"AntreaIPAM"`
	ServiceExternalIP  bool  `yaml:"ServiceExternalIP"`
	Multicast          bool  `yaml:"Multicast"`
	MultiCluster       *bool `yaml:"Multicluster,omitempty"`
	SecondaryNetwork   *bool `yaml:"SecondaryNetwork,omitempty"`
	TrafficControl     *bool `yaml:"TrafficControl,omitempty"`
	TopologyAwareHints *bool `yaml:"TopologyAwareHints,omitempty"`
}

// Nsx is antreaNsx of the data values, written only when the config has spec.antreaNsx.
type Nsx struct {
	Enable        bool             `yaml:"enable,omitempty"`
	BootstrapFrom NsxBootstrapFrom `yaml:"bootstrapFrom,omitempty"`
	Config        NsxAdapterConfig `yaml:"config,omitempty"`
}

// NsxBootstrapFrom is antreaNsx.bootstrapFrom.
type NsxBootstrapFrom struct {
	ProviderRef *NsxProviderRef `yaml:"providerRef,omitempty"`
	Inline      *NsxInline      `yaml:"inline,omitempty"`
}

// NsxProviderRef is antreaNsx.bootstrapFrom.providerRef; the package calls the group apiVersion.
type NsxProviderRef struct {
	APIVersion string `yaml:"apiVersion,omitempty"`
	Kind       string `yaml:"kind,omitempty"`
	Name       string `yaml:"name,omitempty"`
}

// NsxInline is antreaNsx.bootstrapFrom.inline.
type NsxInline struct {
	NsxManagers []string `yaml:"nsxManagers,omitempty"`
	ClusterName string   `yaml:"clusterName,omitempty"`
	NsxCertName string   `yaml:"nsxCertName,omitempty"`
}

// NsxAdapterConfig is antreaNsx.config.
type NsxAdapterConfig struct {
	InfraType string `yaml:"infraType,omitempty"`
}

// Values computes the data values of spec for an Antrea package of antreaVersion (see Version)
// on cluster. Unset fields read as their CRD defaults, which the API server has normally
// filled in already.
func Values(spec *cniv1alpha2.AntreaConfigSpec, antreaVersion string, cluster addons.Cluster) (*DataValues, error) {
	infra, err := addons.InfraProvider(cluster.InfrastructureKind)
	if err != nil {
		return nil, fmt.Errorf("Unable to get InfraProvider: %w", err) //nolint:staticcheck // the original's wording
	}
	v4, v6, err := addons.ServiceCIDRs(cluster.ServiceCIDRs)
	if err != nil {
		return nil, fmt.Errorf("Unable to get serviceCIDR: %w", err) //nolint:staticcheck // the original's wording
	}
	s := &spec.Antrea.Config
	c := Config{
		Egress:        Egress{ExceptCIDRs: s.Egress.ExceptCIDRs},
		NodePortLocal: NodePortLocal{Enabled: addons.Bool(s.NodePortLocal.Enabled, false), PortRange: s.NodePortLocal.PortRange},
		AntreaProxy: Proxy{
			ProxyAll:             addons.Bool(s.AntreaProxy.ProxyAll, false),
			NodePortAddresses:    s.AntreaProxy.NodePortAddresses,
			SkipServices:         s.AntreaProxy.SkipServices,
			ProxyLoadBalancerIPs: addons.Bool(s.AntreaProxy.ProxyLoadBalancerIPs, false),
		},
		FlowExporter: FlowExporter{
			CollectorAddress:  s.FlowExporter.CollectorAddress,
			PollInterval:      s.FlowExporter.PollInterval,
			ActiveFlowTimeout: s.FlowExporter.ActiveFlowTimeout,
			IdleFlowTimeout:   s.FlowExporter.IdleFlowTimeout,
		},
		KubeAPIServerOverride:   s.KubeAPIServerOverride,
		TransportInterface:      s.TransportInterface,
		TransportInterfaceCIDRs: s.TransportInterfaceCIDRs,
		MulticastInterfaces:     s.MulticastInterfaces,
		TunnelType:              s.TunnelType,
		TrafficEncryptionMode:   s.TrafficEncryptionMode,
		EnableUsageReporting:    addons.Bool(s.EnableUsageReporting, false),
		WireGuard:               WireGuard{Port: deref(s.WireGuard.Port)},
		// The package ignores the service CIDRs while AntreaProxy is on; they are written
		// anyway so that turning the proxy off later needs no re-render.
		ServiceCIDR:             v4,
		ServiceCIDRv6:           v6,
		TrafficEncapMode:        orDefault(s.TrafficEncapMode, cniv1alpha2.TrafficEncapModeEncap),
		NoSNAT:                  addons.Bool(s.NoSNAT, false),
		TLSCipherSuites:         orDefault(s.TLSCipherSuites, cniv1alpha2.DefaultTLSCipherSuites),
		DisableUDPTunnelOffload: addons.Bool(s.DisableUDPTunnelOffload, false),
		DefaultMTU:              s.DefaultMTU,
	}
	g := &s.FeatureGates
	c.FeatureGates = FeatureGates{
		AntreaProxy:        addons.Bool(g.AntreaProxy, true),
		EndpointSlice:      addons.Bool(g.EndpointSlice, false),
		AntreaPolicy:       addons.Bool(g.AntreaPolicy, true),
		FlowExporter:       addons.Bool(g.FlowExporter, false),
		Egress:             addons.Bool(g.Egress, true),
		NodePortLocal:      addons.Bool(g.NodePortLocal, true),
		AntreaTraceflow:    addons.Bool(g.AntreaTraceflow, true),
		NetworkPolicyStats: addons.Bool(g.NetworkPolicyStats, false),
		AntreaIPAM:         addons.Bool(g.AntreaIPAM, false),
		ServiceExternalIP:  addons.Bool(g.ServiceExternalIP, false),
		Multicast:          addons.Bool(g.Multicast, false),
	}
	if atLeast(antreaVersion, v171) {
		c.MultiCluster = MultiCluster{Enable: addons.Bool(s.MultiCluster.Enable, false), Namespace: s.MultiCluster.Namespace}
		c.EnableBridgingMode = addons.Bool(s.EnableBridgingMode, false)
		c.DisableTXChecksumOffload = addons.Bool(s.DisableTXChecksumOffload, false)
		c.DNSServerOverride = s.DNSServerOverride
		c.Multicast.IGMPQueryInterval = s.Multicast.IGMPQueryInterval
		c.FeatureGates.SecondaryNetwork = boolPtr(addons.Bool(g.SecondaryNetwork, false))
		c.FeatureGates.TrafficControl = boolPtr(addons.Bool(g.TrafficControl, false))
		c.FeatureGates.MultiCluster = boolPtr(addons.Bool(g.Multicluster, false))
	}
	if atLeast(antreaVersion, v190) {
		c.TunnelPort = deref(s.TunnelPort)
		c.TunnelCsum = addons.Bool(s.TunnelCsum, false)
		c.FeatureGates.TopologyAwareHints = boolPtr(addons.Bool(g.TopologyAwareHints, false))
	}
	return &DataValues{InfraProvider: infra, Antrea: Antrea{Config: c}, AntreaNsx: nsx(spec.AntreaNsx)}, nil
}

// Render is Values encoded as the YAML of the data-values Secret.
func Render(spec *cniv1alpha2.AntreaConfigSpec, antreaVersion string, cluster addons.Cluster) ([]byte, error) {
	v, err := Values(spec, antreaVersion, cluster)
	if err != nil {
		return nil, err
	}
	return addons.Marshal(v)
}

// BothBootstrapSourcesMessage is the status message of an AntreaConfig whose
// spec.antreaNsx.bootstrapFrom sets both sources (the original product's text).
const BothBootstrapSourcesMessage = "providerRef and inline should not be both set in AntreaConfig.spec.antreaNsx.bootstrapFrom"

// StatusMessage is the status.message spec calls for: BothBootstrapSourcesMessage or "".
func StatusMessage(spec *cniv1alpha2.AntreaConfigSpec) string {
	if n := spec.AntreaNsx; n != nil && n.BootstrapFrom.ProviderRef != nil && n.BootstrapFrom.Inline != nil {
		return BothBootstrapSourcesMessage
	}
	return ""
}

func nsx(n *cniv1alpha2.AntreaNsx) *Nsx {
	if n == nil {
		return nil
	}
	out := &Nsx{Enable: addons.Bool(n.Enable, false), Config: NsxAdapterConfig{InfraType: n.Config.InfraType}}
	if p := n.BootstrapFrom.ProviderRef; p != nil {
		out.BootstrapFrom.ProviderRef = &NsxProviderRef{APIVersion: p.APIGroup, Kind: p.Kind, Name: p.Name}
	}
	if i := n.BootstrapFrom.Inline; i != nil {
		out.BootstrapFrom.Inline = &NsxInline{NsxManagers: i.NsxManagers, ClusterName: i.ClusterName, NsxCertName: i.NsxCertName}
	}
	return out
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func boolPtr(b bool) *bool { return &b }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
