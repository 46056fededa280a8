// Package csi renders a VSphereCSIConfig into the data values of the vsphere-csi package
// (mode vsphereCSI, under vsphereCSI) or of the vsphere-pv-csi package (mode
// vsphereParavirtualCSI, under vspherePVCSI).
package csi

import (
	"fmt"

	csiv1alpha1 "github.com/tkr-project/tkr/api/addons/csi/v1alpha1"
	"github.com/tkr-project/tkr/pkg/addons"
)

// Defaults of the vsphere-csi and vsphere-pv-csi packages that the original product wrote
// into every data-values Secret.
const (
	DefaultNamespace                = "kube-system"
	DefaultTimeout                  = "300s"
	DefaultPVNamespace              = "vmware-system-csi"
	DefaultSupervisorMasterEndpoint = "supervisor.default.svc"
	DefaultSupervisorMasterPort     = 6443
	minReplicas, maxReplicas        = 1, 3
)

// Addon is the add-on name (middle of <cluster>-<addon>-data-values) of a CSI mode.
func Addon(mode string) string {
	if mode == csiv1alpha1.ModeVSphereParavirtualCSI {
		return addons.AddonVSpherePVCSI
	}
	return addons.AddonVSphereCSI
}

// Inputs are what the renderer needs besides the config's spec and its Cluster.
type Inputs struct {
	// VSphere holds the credentials from vSphereCredentialLocalObjRef, nil if it is unset.
	VSphere *addons.Credentials
}

// DataValues are the data values of either package; exactly one field is set.
type DataValues struct {
	VSphereCSI   *VSphereCSI   `yaml:"vsphereCSI,omitempty"`
	VSpherePVCSI *VSpherePVCSI `yaml:"vspherePVCSI,omitempty"`
}

// VSphereCSI is vsphereCSI of the vsphere-csi package.
type VSphereCSI struct {
	TLSThumbprint         string                   `yaml:"tlsThumbprint"`
	Namespace             string                   `yaml:"namespace"`
	ClusterName           string                   `yaml:"clusterName"`
	Server                string                   `yaml:"server"`
	Datacenter            string                   `yaml:"datacenter"`
	PublicNetwork         string                   `yaml:"publicNetwork"`
	Username              string                   `yaml:"username"`
	Password              string                   `yaml:"password"`
	Region                string                   `yaml:"region"`
	Zone                  string                   `yaml:"zone"`
	InsecureFlag          bool                     `yaml:"insecureFlag"`
	UseTopologyCategories bool                     `yaml:"useTopologyCategories"`
	ProvisionTimeout      string                   `yaml:"provisionTimeout"`
	AttachTimeout         string                   `yaml:"attachTimeout"`
	ResizerTimeout        string                   `yaml:"resizerTimeout"`
	VSphereVersion        string                   `yaml:"vSphereVersion"`
	HTTPProxy             string                   `yaml:"http_proxy"`
	HTTPSProxy            string                   `yaml:"https_proxy"`
	NoProxy               string                   `yaml:"no_proxy"`
	DeploymentReplicas    int32                    `yaml:"deployment_replicas"`
	WindowsSupport        bool                     `yaml:"windows_support"`
	NetPermissions        map[string]NetPermission `yaml:"netpermissions"`
}

// NetPermission is one entry of vsphereCSI.netpermissions.
type NetPermission struct {
	Ips         string `yaml:"ips"`
	Permissions string `yaml:"permissions"`
	RootSquash  bool   `yaml:"rootsquash"`
}

// VSpherePVCSI is vspherePVCSI of the vsphere-pv-csi package.
type VSpherePVCSI struct {
	ClusterAPIVersion                string            `yaml:"cluster_api_version"`
	ClusterKind                      string            `yaml:"cluster_kind"`
	ClusterName                      string            `yaml:"cluster_name"`
	ClusterUID                       string            `yaml:"cluster_uid"`
	Namespace                        string            `yaml:"namespace"`
	SupervisorMasterEndpointHostname string            `yaml:"supervisor_master_endpoint_hostname"`
	SupervisorMasterPort             int32             `yaml:"supervisor_master_port"`
	FeatureStates                    map[string]string `yaml:"feature_states,omitempty"`
	Zone                             bool              `yaml:"zone"`
}

// Values computes the data values of spec on cluster.
//
// Values renders only. In paravirtual mode the original product also created a
// ProviderServiceAccount in the supervisor and read the supervisor's CSI feature states and
// zones; this project does not (yet), so feature_states is left out and zone is false.
func Values(spec *csiv1alpha1.VSphereCSIConfigSpec, cluster addons.Cluster, in Inputs) (*DataValues, error) {
	switch spec.VSphereCSI.Mode {
	case csiv1alpha1.ModeVSphereCSI:
		return &DataValues{VSphereCSI: nonParavirtual(&spec.VSphereCSI.Config, cluster, in)}, nil
	case csiv1alpha1.ModeVSphereParavirtualCSI:
		return &DataValues{VSpherePVCSI: &VSpherePVCSI{
			ClusterAPIVersion:                cluster.APIVersion,
			ClusterKind:                      cluster.Kind,
			ClusterName:                      cluster.Name,
			ClusterUID:                       cluster.UID,
			Namespace:                        DefaultPVNamespace,
			SupervisorMasterEndpointHostname: DefaultSupervisorMasterEndpoint,
			SupervisorMasterPort:             DefaultSupervisorMasterPort,
		}}, nil
	}
	return nil, fmt.Errorf("Invalid CSI mode '%s', must either be '%s' or '%s'", //nolint:staticcheck // the original's wording
		spec.VSphereCSI.Mode, csiv1alpha1.ModeVSphereParavirtualCSI, csiv1alpha1.ModeVSphereCSI)
}

// Render is Values encoded as the YAML of the data-values Secret.
func Render(spec *csiv1alpha1.VSphereCSIConfigSpec, cluster addons.Cluster, in Inputs) ([]byte, error) {
	v, err := Values(spec, cluster, in)
	if err != nil {
		return nil, err
	}
	return addons.Marshal(v)
}

// nonParavirtual starts from the package defaults and the Cluster, then lets every field the
// user set win.
func nonParavirtual(c *csiv1alpha1.NonParavirtualConfig, cluster addons.Cluster, in Inputs) *VSphereCSI {
	d := &VSphereCSI{
		Namespace:          or(c.Namespace, DefaultNamespace),
		ClusterName:        or(c.ClusterName, cluster.Name),
		TLSThumbprint:      c.TLSThumbprint,
		Server:             c.Server,
		Datacenter:         c.Datacenter,
		PublicNetwork:      c.PublicNetwork,
		Region:             c.Region,
		Zone:               c.Zone,
		InsecureFlag:       addons.Bool(c.InsecureFlag, true),
		ProvisionTimeout:   or(c.ProvisionTimeout, DefaultTimeout),
		AttachTimeout:      or(c.AttachTimeout, DefaultTimeout),
		ResizerTimeout:     or(c.ResizerTimeout, DefaultTimeout),
		VSphereVersion:     c.VSphereVersion,
		HTTPProxy:          c.HTTPProxy,
		HTTPSProxy:         c.HTTPSProxy,
		NoProxy:            c.NoProxy,
		WindowsSupport:     addons.Bool(c.WindowsSupport, false),
		DeploymentReplicas: replicas(c.DeploymentReplicas, cluster.ControlPlaneReplicas),
	}
	d.UseTopologyCategories = addons.Bool(c.UseTopologyCategories, false)
	if in.VSphere != nil {
		d.Username, d.Password = in.VSphere.Username, in.VSphere.Password
	}
	if c.NetPermissions != nil {
		d.NetPermissions = make(map[string]NetPermission, len(c.NetPermissions))
		for k, p := range c.NetPermissions {
			d.NetPermissions[k] = NetPermission{Ips: p.Ips, Permissions: p.Permissions, RootSquash: p.RootSquash}
		}
	}
	return d
}

// replicas is the CSI controller's replica count: the user's, else one per control plane
// machine, kept between 1 and 3 either way (more would only contend for the leader lease).
func replicas(user, controlPlane *int32) int32 {
	n := int32(minReplicas)
	switch {
	case user != nil:
		n = *user
	case controlPlane != nil:
		n = *controlPlane
	}
	return min(max(n, minReplicas), maxReplicas)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
