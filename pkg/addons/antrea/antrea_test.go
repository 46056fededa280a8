package antrea

import (
	"slices"
	"strings"
	"testing"

	cniv1alpha2 "github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
	"github.com/tkr-project/tkr/pkg/addons/addonstest"
)

var ptr = addonstest.Ptr[bool]

// fullSpec sets every field, each to something other than its zero value, so that every
// key of the data values shows up in the golden files.
func fullSpec() *cniv1alpha2.AntreaConfigSpec {
	return &cniv1alpha2.AntreaConfigSpec{
		Antrea: cniv1alpha2.Antrea{Config: cniv1alpha2.AntreaConfigDataValue{
			Egress:        cniv1alpha2.AntreaEgress{ExceptCIDRs: []string{"10.0.0.0/8"}},
			NodePortLocal: cniv1alpha2.AntreaNodePortLocal{Enabled: ptr(true), PortRange: "61000-62000"},
			AntreaProxy: cniv1alpha2.AntreaProxy{ProxyAll: ptr(true), NodePortAddresses: []string{"192.168.0.0/24"},
				SkipServices: []string{"kube-system/kube-dns"}, ProxyLoadBalancerIPs: ptr(true)},
			FlowExporter: cniv1alpha2.AntreaFlowExporter{CollectorAddress: "flow-aggregator.flow-aggregator.svc:4739:tls",
				PollInterval: "5s", ActiveFlowTimeout: "30s", IdleFlowTimeout: "15s"},
			KubeAPIServerOverride:    "https://192.168.0.10:6443",
			TransportInterface:       "eth0",
			TransportInterfaceCIDRs:  []string{"192.168.0.0/24"},
			MulticastInterfaces:      []string{"eth1"},
			Multicast:                cniv1alpha2.AntreaMulticast{IGMPQueryInterval: "125s"},
			MultiCluster:             cniv1alpha2.AntreaMultiCluster{Enable: ptr(true), Namespace: "antrea-multicluster"},
			TunnelType:               "geneve",
			TunnelPort:               addonstest.Ptr[int32](6081),
			TunnelCsum:               ptr(true),
			TrafficEncryptionMode:    "wireguard",
			WireGuard:                cniv1alpha2.AntreaWireGuard{Port: addonstest.Ptr[int32](51820)},
			EnableUsageReporting:     ptr(true),
			ServiceCIDR:              "ignored/the-cluster-decides",
			TrafficEncapMode:         cniv1alpha2.TrafficEncapModeNoEncap,
			NoSNAT:                   ptr(true),
			DisableUDPTunnelOffload:  ptr(true),
			DefaultMTU:               "1450",
			TLSCipherSuites:          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
			EnableBridgingMode:       ptr(true),
			DisableTXChecksumOffload: ptr(true),
			DNSServerOverride:        "10.96.0.10",
			FeatureGates: cniv1alpha2.AntreaFeatureGates{
				AntreaProxy: ptr(true), EndpointSlice: ptr(true), AntreaPolicy: ptr(true), FlowExporter: ptr(true),
				Egress: ptr(true), NodePortLocal: ptr(true), AntreaTraceflow: ptr(true), NetworkPolicyStats: ptr(true),
				AntreaIPAM: ptr(true), ServiceExternalIP: ptr(true), Multicast: ptr(true), Multicluster: ptr(true),
				SecondaryNetwork: ptr(true), TrafficControl: ptr(true), TopologyAwareHints: ptr(true),
			},
		}},
		AntreaNsx: &cniv1alpha2.AntreaNsx{
			Enable: ptr(true),
			BootstrapFrom: cniv1alpha2.AntreaNsxBootstrapFrom{
				Inline: &cniv1alpha2.AntreaNsxInline{NsxManagers: []string{"192.168.1.2"}, ClusterName: "mycl", NsxCertName: "nsx-cert"},
			},
			Config: cniv1alpha2.AntreaNsxConfig{InfraType: "vSphere"},
		},
	}
}

// The field list of the specification (§1.14), as data-value key paths.
var (
	ungated = []string{
		"infraProvider",
		"antrea.config.egress.exceptCIDRs",
		"antrea.config.nodePortLocal.enabled", "antrea.config.nodePortLocal.portRange",
		"antrea.config.antreaProxy.proxyAll", "antrea.config.antreaProxy.nodePortAddresses",
		"antrea.config.antreaProxy.skipServices", "antrea.config.antreaProxy.proxyLoadBalancerIPs",
		"antrea.config.flowExporter.collectorAddress", "antrea.config.flowExporter.pollInterval",
		"antrea.config.flowExporter.activeFlowTimeout", "antrea.config.flowExporter.idleFlowTimeout",
		"antrea.config.kubeAPIServerOverride", "antrea.config.transportInterface",
		"antrea.config.transportInterfaceCIDRs", "antrea.config.multicastInterfaces",
		"antrea.config.tunnelType", "antrea.config.trafficEncryptionMode", "antrea.config.wireGuard.port",
		"antrea.config.enableUsageReporting", "antrea.config.serviceCIDR", "antrea.config.serviceCIDRv6",
		"antrea.config.trafficEncapMode", "antrea.config.noSNAT", "antrea.config.disableUdpTunnelOffload",
		"antrea.config.defaultMTU", "antrea.config.tlsCipherSuites",
		"antrea.config.featureGates.AntreaProxy", "antrea.config.featureGates.EndpointSlice",
		"antrea.config.featureGates.AntreaPolicy", "antrea.config.featureGates.FlowExporter",
		"antrea.config.featureGates.Egress", "antrea.config.featureGates.NodePortLocal",
		"antrea.config.featureGates.AntreaTraceflow", "antrea.config.featureGates.NetworkPolicyStats",
		"antrea.config.featureGates.AntreaIPAM", "antrea.config.featureGates.ServiceExternalIP",
		"antrea.config.featureGates.Multicast",
		"antreaNsx.enable", "antreaNsx.bootstrapFrom.inline.nsxManagers", "antreaNsx.bootstrapFrom.inline.clusterName",
		"antreaNsx.bootstrapFrom.inline.nsxCertName", "antreaNsx.config.infraType",
	}
	since171 = []string{
		"antrea.config.multicluster.enable", "antrea.config.multicluster.namespace",
		"antrea.config.enableBridgingMode", "antrea.config.disableTXChecksumOffload",
		"antrea.config.dnsServerOverride", "antrea.config.multicast.igmpQueryInterval",
		"antrea.config.featureGates.SecondaryNetwork", "antrea.config.featureGates.TrafficControl",
		"antrea.config.featureGates.Multicluster",
	}
	since190 = []string{
		"antrea.config.tunnelPort", "antrea.config.tunnelCsum", "antrea.config.featureGates.TopologyAwareHints",
	}
)

func TestGolden(t *testing.T) {
	tests := []struct {
		name, label string
		present     [][]string
		absent      [][]string
	}{
		{name: "antrea-v1.5.3", label: "antrea.tanzu.vmware.com.1.5.3---vmware.1-tkg.1", present: [][]string{ungated}, absent: [][]string{since171, since190}},
		{name: "antrea-v1.7.2", label: "antrea.tanzu.vmware.com.1.7.2---vmware.1-tkg.1-advanced", present: [][]string{ungated, since171}, absent: [][]string{since190}},
		{name: "antrea-v1.11.1", label: "antrea.tanzu.vmware.com.1.11.1---vmware.1-tkg.1-advanced", present: [][]string{ungated, since171, since190}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Render(fullSpec(), Version(tt.label), addonstest.Cluster())
			if err != nil {
				t.Fatal(err)
			}
			addonstest.Golden(t, tt.name, got)
			addonstest.RequirePaths(t, got, slices.Concat(tt.present...)...)
			have := addonstest.Paths(t, got)
			for _, p := range slices.Concat(tt.absent...) {
				if slices.Contains(have, p) {
					t.Errorf("%s is rendered for %s, whose package does not know it", p, Version(tt.label))
				}
			}
		})
	}
}

// An AntreaConfig left to its CRD defaults renders the defaults, in particular the feature
// gates that are on by default, even if the API server has not filled them in.
func TestDefaults(t *testing.T) {
	v, err := Values(&cniv1alpha2.AntreaConfigSpec{}, "v1.11.1", addonstest.Cluster())
	if err != nil {
		t.Fatal(err)
	}
	c := v.Antrea.Config
	if !c.FeatureGates.AntreaProxy || !c.FeatureGates.AntreaPolicy || c.FeatureGates.EndpointSlice ||
		c.TrafficEncapMode != "encap" || c.TLSCipherSuites != cniv1alpha2.DefaultTLSCipherSuites {
		t.Errorf("defaults not applied: %+v", c)
	}
	if v.AntreaNsx != nil {
		t.Errorf("antreaNsx rendered without spec.antreaNsx: %+v", v.AntreaNsx)
	}
	if c.ServiceCIDR != "100.64.0.0/13" || c.ServiceCIDRv6 != "fd00:100:64::/108" {
		t.Errorf("service CIDRs = %q, %q", c.ServiceCIDR, c.ServiceCIDRv6)
	}
}

func TestVersion(t *testing.T) {
	for label, want := range map[string]string{
		"antrea.tanzu.vmware.com.1.7.2---vmware.1-tkg.1-advanced": "v1.7.2",
		"antrea.tanzu.vmware.com.1.9.0---vmware.1-tkg.1":          "v1.9.0",
		"antrea.tanzu.vmware.com.1.11.1":                          "v1.11.1",
		"":                                                        "v",
	} {
		if got := Version(label); got != want {
			t.Errorf("Version(%q) = %q, want %q", label, got, want)
		}
	}
	for v, want := range map[string]bool{"v1.7.1": true, "v1.7.0": false, "v1.10.0": true, "v": false, "v1.7.1-rc.1": false} {
		if got := atLeast(v, v171); got != want {
			t.Errorf("atLeast(%q, v1.7.1) = %v, want %v", v, got, want)
		}
	}
}

func TestErrors(t *testing.T) {
	c := addonstest.Cluster()
	c.ServiceCIDRs = nil
	if _, err := Values(fullSpec(), "v1.7.2", c); err == nil || !strings.Contains(err.Error(), "Unable to get service CIDRBlocks from cluster") {
		t.Errorf("no service CIDRs: error = %v", err)
	}
	c = addonstest.Cluster()
	c.InfrastructureKind = ""
	if _, err := Values(fullSpec(), "v1.7.2", c); err == nil || !strings.HasPrefix(err.Error(), "Unable to get InfraProvider") {
		t.Errorf("no infrastructure: error = %v", err)
	}
}

func TestStatusMessage(t *testing.T) {
	s := fullSpec()
	if got := StatusMessage(s); got != "" {
		t.Errorf("one source: %q", got)
	}
	s.AntreaNsx.BootstrapFrom.ProviderRef = &cniv1alpha2.AntreaNsxProvider{Kind: "NSXServiceAccount", Name: "x"}
	if got := StatusMessage(s); got != BothBootstrapSourcesMessage {
		t.Errorf("both sources: %q", got)
	}
}
