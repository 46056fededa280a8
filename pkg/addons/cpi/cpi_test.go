package cpi

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	cpiv1alpha1 "github.com/tkr-project/tkr/api/addons/cpi/v1alpha1"
	"github.com/tkr-project/tkr/pkg/addons"
	"github.com/tkr-project/tkr/pkg/addons/addonstest"
)

var ptr = addonstest.Ptr[bool]

func nonParavirtualSpec() *cpiv1alpha1.VSphereCPIConfigSpec {
	return &cpiv1alpha1.VSphereCPIConfigSpec{VSphereCPI: cpiv1alpha1.VSphereCPI{
		Mode: cpiv1alpha1.ModeVSphereCPI,
		NonParavirtualConfig: cpiv1alpha1.NonParavirtualConfig{
			VCenterAPIEndpoint:           "vcenter.example.com",
			Datacenter:                   "/dc0",
			VSphereCredentialLocalObjRef: &corev1.TypedLocalObjectReference{Kind: "Secret", Name: "mycl-vsphere-credential"},
			TLSThumbprint:                "AA:BB:CC",
			Region:                       "k8s-region",
			Zone:                         "k8s-zone",
			Insecure:                     ptr(false),
			IPFamily:                     "ipv4,ipv6",
			VMNetwork: cpiv1alpha1.VMNetwork{Internal: "internal-net", External: "external-net",
				ExcludeInternalSubnetCidr: "192.168.0.10/32", ExcludeExternalSubnetCidr: "192.168.0.10/32"},
			TLSCipherSuites: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
			NSXT: cpiv1alpha1.NSXT{
				PodRoutingEnabled:     ptr(true),
				Route:                 cpiv1alpha1.NSXTRoute{RouterPath: "/infra/tier-1s/t1"},
				CredentialLocalObjRef: &corev1.TypedLocalObjectReference{Kind: "Secret", Name: "mycl-nsxt-credential"},
				APIHost:               "nsx.example.com",
				Insecure:              ptr(true),
				RemoteAuth:            ptr(true),
				VMCAccessToken:        "token",
				VMCAuthHost:           "auth.example.com",
				ClientCertKeyData:     "key",
				ClientCertData:        "cert",
				RootCAData:            "ca",
			},
			Proxy: cpiv1alpha1.Proxy{HTTPProxy: "http://proxy:3128", HTTPSProxy: "http://proxy:3128", NoProxy: "localhost"},
		},
	}}
}

func TestGolden(t *testing.T) {
	in := Inputs{
		VSphere:        &addons.Credentials{Username: "administrator@vsphere.local", Password: "vsphere-secret"},
		NSXT:           &addons.Credentials{Username: "admin", Password: "nsx-secret"},
		SupervisorHost: "192.168.100.1", SupervisorPort: 6443,
	}
	t.Run("vsphereCPI", func(t *testing.T) {
		got, err := Render(nonParavirtualSpec(), addonstest.Cluster(), in)
		if err != nil {
			t.Fatal(err)
		}
		addonstest.Golden(t, "vsphere-cpi", got)
		// §1.14's non-paravirtual field list, under the names the package uses.
		addonstest.RequirePaths(t, got, "vsphereCPI.mode", "vsphereCPI.server", "vsphereCPI.datacenter",
			"vsphereCPI.username", "vsphereCPI.password", "vsphereCPI.tlsThumbprint", "vsphereCPI.region",
			"vsphereCPI.zone", "vsphereCPI.insecureFlag", "vsphereCPI.ipFamily",
			"vsphereCPI.vmInternalNetwork", "vsphereCPI.vmExternalNetwork",
			"vsphereCPI.vmExcludeInternalNetworkSubnetCidr", "vsphereCPI.vmExcludeExternalNetworkSubnetCidr",
			"vsphereCPI.cloudProviderExtraArgs.tls-cipher-suites",
			"vsphereCPI.nsxt.podRoutingEnabled", "vsphereCPI.nsxt.routes.routerPath", "vsphereCPI.nsxt.routes.clusterCidr",
			"vsphereCPI.nsxt.username", "vsphereCPI.nsxt.password", "vsphereCPI.nsxt.secretName", "vsphereCPI.nsxt.secretNamespace",
			"vsphereCPI.nsxt.host", "vsphereCPI.nsxt.insecure", "vsphereCPI.nsxt.remoteAuthEnabled",
			"vsphereCPI.nsxt.vmcAccessToken", "vsphereCPI.nsxt.vmcAuthHost", "vsphereCPI.nsxt.clientCertKeyData",
			"vsphereCPI.nsxt.clientCertData", "vsphereCPI.nsxt.rootCAData",
			"vsphereCPI.http_proxy", "vsphereCPI.https_proxy", "vsphereCPI.no_proxy")
	})
	t.Run("vsphereParavirtualCPI", func(t *testing.T) {
		spec := &cpiv1alpha1.VSphereCPIConfigSpec{VSphereCPI: cpiv1alpha1.VSphereCPI{
			Mode:              cpiv1alpha1.ModeVSphereParavirtualCPI,
			ParavirtualConfig: cpiv1alpha1.ParavirtualConfig{AntreaNSXPodRoutingEnabled: ptr(true)},
		}}
		got, err := Render(spec, addonstest.Cluster(), in)
		if err != nil {
			t.Fatal(err)
		}
		addonstest.Golden(t, "vsphere-cpi-paravirtual", got)
		addonstest.RequirePaths(t, got, "vsphereCPI.mode", "vsphereCPI.antreaNSXPodRoutingEnabled",
			"vsphereCPI.clusterAPIVersion", "vsphereCPI.clusterKind", "vsphereCPI.clusterName", "vsphereCPI.clusterUID",
			"vsphereCPI.supervisorMasterEndpointIP", "vsphereCPI.supervisorMasterPort")
	})
}

func TestInsecureFlag(t *testing.T) {
	s := nonParavirtualSpec()
	s.VSphereCPI.TLSThumbprint = ""
	if _, err := Values(s, addonstest.Cluster(), Inputs{}); err == nil || err.Error() != "empty thumbprint is provided while TLS peer verification is enabled" {
		t.Errorf("verification without thumbprint: error = %v", err)
	}
	s.VSphereCPI.Insecure = nil
	v, err := Values(s, addonstest.Cluster(), Inputs{})
	if err != nil || !v.NonParavirtual.InsecureFlag {
		t.Errorf("no thumbprint, insecure unset: %+v, %v; want insecure", v, err)
	}
	s = nonParavirtualSpec()
	s.VSphereCPI.Insecure = nil
	if v, err := Values(s, addonstest.Cluster(), Inputs{}); err != nil || v.NonParavirtual.InsecureFlag {
		t.Errorf("thumbprint, insecure unset: %+v, %v; want verification", v, err)
	}
}

func TestInvalidMode(t *testing.T) {
	s := nonParavirtualSpec()
	s.VSphereCPI.Mode = "bogus"
	if _, err := Values(s, addonstest.Cluster(), Inputs{}); err == nil || err.Error() != "Invalid CPI mode bogus, must either be vsphereParavirtualCPI or vsphereCPI" {
		t.Errorf("error = %v", err)
	}
}
