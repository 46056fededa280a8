/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha1

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// The mode-specific settings are Go-embedded structs but flat on the wire, as
// in the original API; this pins that down in both directions.
func TestVSphereCPIConfigWireFormat(t *testing.T) {
	const doc = `apiVersion: cpi.tanzu.vmware.com/v1alpha1
kind: VSphereCPIConfig
metadata:
  name: vick-wl
  namespace: vick
spec:
  vsphereCPI:
    antreaNSXPodRoutingEnabled: false
    datacenter: /dc0
    ipFamily: ipv4,ipv6
    mode: vsphereCPI
    nsxt:
      podRoutingEnabled: true
      route:
        routerPath: /infra/tier-1s/t1
    proxy:
      http_proxy: http://proxy:3128
    vCenterAPIEndpoint: vc.example
`
	var cfg VSphereCPIConfig
	if err := yaml.UnmarshalStrict([]byte(doc), &cfg); err != nil {
		t.Fatalf("UnmarshalStrict: %v", err)
	}
	cpi := cfg.Spec.VSphereCPI
	if cpi.Mode != ModeVSphereCPI || cpi.Datacenter != "/dc0" || cpi.VCenterAPIEndpoint != "vc.example" ||
		cpi.NSXT.Route.RouterPath != "/infra/tier-1s/t1" || cpi.Proxy.HTTPProxy != "http://proxy:3128" ||
		cpi.AntreaNSXPodRoutingEnabled == nil || *cpi.AntreaNSXPodRoutingEnabled {
		t.Errorf("decoded spec = %+v", cpi)
	}

	out, err := yaml.Marshal(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(doc, string(out)); diff != "" {
		t.Errorf("re-encoded object differs (-want +got):\n%s", diff)
	}
}
