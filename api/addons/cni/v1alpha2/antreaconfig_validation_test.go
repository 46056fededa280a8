/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha2

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func ptr[T any](v T) *T { return &v }

// withConfig returns an AntreaConfig whose spec.antrea.config is set by edit.
func withConfig(edit func(*AntreaConfigDataValue)) *AntreaConfig {
	cfg := &AntreaConfig{}
	if edit != nil {
		edit(&cfg.Spec.Antrea.Config)
	}
	return cfg
}

func TestValidateCreate(t *testing.T) {
	endpointSlice := field.NewPath("spec", "antrea", "config", "featureGates", "EndpointSlice")
	noSNAT := field.NewPath("spec", "antrea", "config", "noSNAT")

	tests := []struct {
		name string
		cfg  *AntreaConfig
		want field.ErrorList
	}{
		{name: "empty spec is valid", cfg: withConfig(nil)},
		{
			name: "EndpointSlice with AntreaProxy on",
			cfg: withConfig(func(c *AntreaConfigDataValue) {
				c.FeatureGates.EndpointSlice = ptr(true)
				c.FeatureGates.AntreaProxy = ptr(true)
			}),
		},
		{
			name: "EndpointSlice with AntreaProxy unset (defaults to on)",
			cfg: withConfig(func(c *AntreaConfigDataValue) {
				c.FeatureGates.EndpointSlice = ptr(true)
			}),
		},
		{
			name: "EndpointSlice with AntreaProxy off",
			cfg: withConfig(func(c *AntreaConfigDataValue) {
				c.FeatureGates.EndpointSlice = ptr(true)
				c.FeatureGates.AntreaProxy = ptr(false)
			}),
			want: field.ErrorList{field.Invalid(endpointSlice, true, "field cannot be enabled if AntreaProxy is disabled")},
		},
		{
			name: "EndpointSlice off with AntreaProxy off",
			cfg: withConfig(func(c *AntreaConfigDataValue) {
				c.FeatureGates.EndpointSlice = ptr(false)
				c.FeatureGates.AntreaProxy = ptr(false)
			}),
		},
		{
			name: "noSNAT in encap mode",
			cfg: withConfig(func(c *AntreaConfigDataValue) {
				c.NoSNAT = ptr(true)
				c.TrafficEncapMode = TrafficEncapModeEncap
			}),
			want: field.ErrorList{field.Invalid(noSNAT, true, "field must be disabled for encap and hybrid mode")},
		},
		{
			name: "noSNAT with mode unset (defaults to encap)",
			cfg: withConfig(func(c *AntreaConfigDataValue) {
				c.NoSNAT = ptr(true)
			}),
			want: field.ErrorList{field.Invalid(noSNAT, true, "field must be disabled for encap and hybrid mode")},
		},
		{
			name: "noSNAT in hybrid mode",
			cfg: withConfig(func(c *AntreaConfigDataValue) {
				c.NoSNAT = ptr(true)
				c.TrafficEncapMode = TrafficEncapModeHybrid
			}),
			want: field.ErrorList{field.Invalid(noSNAT, true, "field must be disabled for encap and hybrid mode")},
		},
		{
			name: "noSNAT in noEncap mode",
			cfg: withConfig(func(c *AntreaConfigDataValue) {
				c.NoSNAT = ptr(true)
				c.TrafficEncapMode = TrafficEncapModeNoEncap
			}),
		},
		{
			name: "noSNAT in networkPolicyOnly mode",
			cfg: withConfig(func(c *AntreaConfigDataValue) {
				c.NoSNAT = ptr(true)
				c.TrafficEncapMode = TrafficEncapModeNetworkPolicyOnly
			}),
		},
		{
			name: "both rules broken",
			cfg: withConfig(func(c *AntreaConfigDataValue) {
				c.FeatureGates.EndpointSlice = ptr(true)
				c.FeatureGates.AntreaProxy = ptr(false)
				c.NoSNAT = ptr(true)
				c.TrafficEncapMode = TrafficEncapModeHybrid
			}),
			want: field.ErrorList{
				field.Invalid(endpointSlice, true, "field cannot be enabled if AntreaProxy is disabled"),
				field.Invalid(noSNAT, true, "field must be disabled for encap and hybrid mode"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ValidateCreate(tt.cfg)); diff != "" {
				t.Errorf("ValidateCreate() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	config := field.NewPath("spec", "antrea", "config")
	immutable := func(p *field.Path, v any) *field.Error { return field.Invalid(p, v, "field is immutable") }
	nsx := func(enable *bool) func(*AntreaConfig) {
		return func(c *AntreaConfig) { c.Spec.AntreaNsx = &AntreaNsx{Enable: enable} }
	}
	onConfig := func(edit func(*AntreaConfigDataValue)) func(*AntreaConfig) {
		return func(c *AntreaConfig) { edit(&c.Spec.Antrea.Config) }
	}

	tests := []struct {
		name     string
		old, new func(*AntreaConfig)
		want     field.ErrorList
	}{
		{name: "no change"},
		{
			name: "mutable fields may change",
			new: onConfig(func(c *AntreaConfigDataValue) {
				c.DefaultMTU = "1400"
				c.FeatureGates.Multicast = ptr(true)
				c.Egress.ExceptCIDRs = []string{"10.0.0.0/8"}
			}),
		},
		{
			name: "noSNAT changed",
			new:  onConfig(func(c *AntreaConfigDataValue) { c.NoSNAT = ptr(true) }),
			want: field.ErrorList{immutable(config.Child("noSNAT"), true)},
		},
		{
			name: "noSNAT set to its default is no change",
			new:  onConfig(func(c *AntreaConfigDataValue) { c.NoSNAT = ptr(false) }),
		},
		{
			name: "disableUdpTunnelOffload changed",
			old:  onConfig(func(c *AntreaConfigDataValue) { c.DisableUDPTunnelOffload = ptr(true) }),
			new:  onConfig(func(c *AntreaConfigDataValue) { c.DisableUDPTunnelOffload = ptr(false) }),
			want: field.ErrorList{immutable(config.Child("disableUdpTunnelOffload"), false)},
		},
		{
			name: "tlsCipherSuites changed",
			new:  onConfig(func(c *AntreaConfigDataValue) { c.TLSCipherSuites = "TLS_RSA_WITH_AES_256_GCM_SHA384" }),
			want: field.ErrorList{immutable(config.Child("tlsCipherSuites"), "TLS_RSA_WITH_AES_256_GCM_SHA384")},
		},
		{
			name: "tlsCipherSuites spelled out as the default is no change",
			new:  onConfig(func(c *AntreaConfigDataValue) { c.TLSCipherSuites = DefaultTLSCipherSuites }),
		},
		{
			name: "trafficEncapMode changed",
			old:  onConfig(func(c *AntreaConfigDataValue) { c.TrafficEncapMode = TrafficEncapModeEncap }),
			new:  onConfig(func(c *AntreaConfigDataValue) { c.TrafficEncapMode = TrafficEncapModeNoEncap }),
			want: field.ErrorList{immutable(config.Child("trafficEncapMode"), TrafficEncapModeNoEncap)},
		},
		{
			name: "antreaNsx.enable turned on",
			new:  nsx(ptr(true)),
			want: field.ErrorList{immutable(field.NewPath("spec", "antreaNsx", "enable"), true)},
		},
		{
			name: "antreaNsx.enable turned off",
			old:  nsx(ptr(true)),
			new:  nsx(nil),
			want: field.ErrorList{immutable(field.NewPath("spec", "antreaNsx", "enable"), false)},
		},
		{
			name: "antreaNsx added disabled is no change",
			new:  nsx(ptr(false)),
		},
		{
			name: "every immutable field changed",
			new: func(c *AntreaConfig) {
				cfg := &c.Spec.Antrea.Config
				cfg.NoSNAT = ptr(true)
				cfg.DisableUDPTunnelOffload = ptr(true)
				cfg.TLSCipherSuites = "X"
				cfg.TrafficEncapMode = TrafficEncapModeHybrid
				c.Spec.AntreaNsx = &AntreaNsx{Enable: ptr(true)}
			},
			want: field.ErrorList{
				immutable(config.Child("noSNAT"), true),
				immutable(config.Child("disableUdpTunnelOffload"), true),
				immutable(config.Child("tlsCipherSuites"), "X"),
				immutable(config.Child("trafficEncapMode"), TrafficEncapModeHybrid),
				immutable(field.NewPath("spec", "antreaNsx", "enable"), true),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oldCfg, newCfg := &AntreaConfig{}, &AntreaConfig{}
			if tt.old != nil {
				tt.old(oldCfg)
			}
			if tt.new != nil {
				tt.new(newCfg)
			}
			if diff := cmp.Diff(tt.want, ValidateUpdate(oldCfg, newCfg)); diff != "" {
				t.Errorf("ValidateUpdate() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
