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

func TestVSphereCSIConfigWireFormat(t *testing.T) {
	const doc = `apiVersion: csi.tanzu.vmware.com/v1alpha1
kind: VSphereCSIConfig
metadata:
  name: vick-wl
  namespace: vick
spec:
  vsphereCSI:
    config:
      datacenter: /dc0
      deploymentReplicas: 3
      netPermissions:
        lab:
          ips: 10.20.30.0/24
          permissions: READ_ONLY
          rootsquash: true
      server: vc.example
      vSphereCredentialLocalObjRef:
        apiGroup: ""
        kind: Secret
        name: vsphere-creds
    mode: vsphereCSI
`
	var cfg VSphereCSIConfig
	if err := yaml.UnmarshalStrict([]byte(doc), &cfg); err != nil {
		t.Fatalf("UnmarshalStrict: %v", err)
	}
	csi := cfg.Spec.VSphereCSI
	if csi.Mode != ModeVSphereCSI || csi.Config.Server != "vc.example" ||
		csi.Config.DeploymentReplicas == nil || *csi.Config.DeploymentReplicas != 3 ||
		!csi.Config.NetPermissions["lab"].RootSquash {
		t.Errorf("decoded spec = %+v", csi)
	}

	out, err := yaml.Marshal(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(doc, string(out)); diff != "" {
		t.Errorf("re-encoded object differs (-want +got):\n%s", diff)
	}

	// Paravirtual mode needs no config at all, and none is written back.
	var pv VSphereCSIConfig
	pv.Spec.VSphereCSI.Mode = ModeVSphereParavirtualCSI
	out, err = yaml.Marshal(&pv.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if want := "vsphereCSI:\n  mode: vsphereParavirtualCSI\n"; string(out) != want {
		t.Errorf("paravirtual spec encodes as %q, want %q", out, want)
	}
}
