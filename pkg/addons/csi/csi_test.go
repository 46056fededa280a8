package csi

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	csiv1alpha1 "github.com/tkr-project/tkr/api/addons/csi/v1alpha1"
	"github.com/tkr-project/tkr/pkg/addons"
	"github.com/tkr-project/tkr/pkg/addons/addonstest"
)

var ptr = addonstest.Ptr[bool]

func nonParavirtualSpec() *csiv1alpha1.VSphereCSIConfigSpec {
	return &csiv1alpha1.VSphereCSIConfigSpec{VSphereCSI: csiv1alpha1.VSphereCSI{
		Mode: csiv1alpha1.ModeVSphereCSI,
		Config: csiv1alpha1.NonParavirtualConfig{
			TLSThumbprint: "AA:BB:CC", Namespace: "vmware-system-csi", ClusterName: "mycl-in-vcenter",
			Server: "vcenter.example.com", Datacenter: "/dc0", PublicNetwork: "VM Network",
			VSphereCredentialLocalObjRef: &corev1.TypedLocalObjectReference{Kind: "Secret", Name: "mycl-vsphere-credential"},
			Region:                       "k8s-region", Zone: "k8s-zone", InsecureFlag: ptr(false), UseTopologyCategories: ptr(true),
			ProvisionTimeout: "600s", AttachTimeout: "600s", ResizerTimeout: "600s", VSphereVersion: "8.0.0",
			HTTPProxy: "http://proxy:3128", HTTPSProxy: "http://proxy:3128", NoProxy: "localhost",
			DeploymentReplicas: addonstest.Ptr[int32](2), WindowsSupport: ptr(true),
			NetPermissions: map[string]csiv1alpha1.NetPermissionConfig{
				"A": {Ips: "10.20.30.0/24", Permissions: "READ_ONLY", RootSquash: true},
			},
		},
	}}
}

func TestGolden(t *testing.T) {
	in := Inputs{VSphere: &addons.Credentials{Username: "administrator@vsphere.local", Password: "vsphere-secret"}}
	t.Run("vsphereCSI", func(t *testing.T) {
		got, err := Render(nonParavirtualSpec(), addonstest.Cluster(), in)
		if err != nil {
			t.Fatal(err)
		}
		addonstest.Golden(t, "vsphere-csi", got)
		// §1.14's field list, under the names the package uses.
		addonstest.RequirePaths(t, got, "vsphereCSI.tlsThumbprint", "vsphereCSI.namespace", "vsphereCSI.clusterName",
			"vsphereCSI.server", "vsphereCSI.datacenter", "vsphereCSI.publicNetwork", "vsphereCSI.username",
			"vsphereCSI.password", "vsphereCSI.region", "vsphereCSI.zone", "vsphereCSI.insecureFlag",
			"vsphereCSI.useTopologyCategories", "vsphereCSI.provisionTimeout", "vsphereCSI.attachTimeout",
			"vsphereCSI.resizerTimeout", "vsphereCSI.vSphereVersion", "vsphereCSI.http_proxy", "vsphereCSI.https_proxy",
			"vsphereCSI.no_proxy", "vsphereCSI.deployment_replicas", "vsphereCSI.windows_support",
			"vsphereCSI.netpermissions.A.ips", "vsphereCSI.netpermissions.A.permissions", "vsphereCSI.netpermissions.A.rootsquash")
	})
	t.Run("vsphereParavirtualCSI", func(t *testing.T) {
		spec := &csiv1alpha1.VSphereCSIConfigSpec{VSphereCSI: csiv1alpha1.VSphereCSI{Mode: csiv1alpha1.ModeVSphereParavirtualCSI}}
		got, err := Render(spec, addonstest.Cluster(), in)
		if err != nil {
			t.Fatal(err)
		}
		addonstest.Golden(t, "vsphere-pv-csi", got)
		addonstest.RequirePaths(t, got, "vspherePVCSI.cluster_api_version", "vspherePVCSI.cluster_kind",
			"vspherePVCSI.cluster_name", "vspherePVCSI.cluster_uid", "vspherePVCSI.namespace",
			"vspherePVCSI.supervisor_master_endpoint_hostname", "vspherePVCSI.supervisor_master_port", "vspherePVCSI.zone")
	})
}

func TestDefaults(t *testing.T) {
	v, err := Values(&csiv1alpha1.VSphereCSIConfigSpec{VSphereCSI: csiv1alpha1.VSphereCSI{Mode: csiv1alpha1.ModeVSphereCSI}}, addonstest.Cluster(), Inputs{})
	if err != nil {
		t.Fatal(err)
	}
	d := v.VSphereCSI
	if d.Namespace != "kube-system" || d.ClusterName != "mycl" || !d.InsecureFlag || d.ProvisionTimeout != "300s" || d.DeploymentReplicas != 3 {
		t.Errorf("defaults: %+v", d)
	}
}

func TestReplicas(t *testing.T) {
	for _, tt := range []struct {
		user, cp *int32
		want     int32
	}{
		{nil, nil, 1}, {nil, addonstest.Ptr[int32](5), 3}, {addonstest.Ptr[int32](0), addonstest.Ptr[int32](3), 1}, {addonstest.Ptr[int32](2), nil, 2},
	} {
		if got := replicas(tt.user, tt.cp); got != tt.want {
			t.Errorf("replicas(%v, %v) = %d, want %d", tt.user, tt.cp, got, tt.want)
		}
	}
}

func TestModes(t *testing.T) {
	if Addon(csiv1alpha1.ModeVSphereParavirtualCSI) != "vsphere-pv-csi" || Addon(csiv1alpha1.ModeVSphereCSI) != "vsphere-csi" {
		t.Error("addon names")
	}
	s := &csiv1alpha1.VSphereCSIConfigSpec{VSphereCSI: csiv1alpha1.VSphereCSI{Mode: "bogus"}}
	if _, err := Values(s, addonstest.Cluster(), Inputs{}); err == nil || err.Error() != "Invalid CSI mode 'bogus', must either be 'vsphereParavirtualCSI' or 'vsphereCSI'" {
		t.Errorf("error = %v", err)
	}
}
