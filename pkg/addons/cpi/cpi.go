// Package cpi renders a VSphereCPIConfig into the data values of the vsphere-cpi package, in
// either mode: vsphereCPI (the cloud provider talks to a vCenter) or vsphereParavirtualCPI
// (the cluster is nested in a vSphere with Tanzu supervisor).
package cpi

import (
	"errors"
	"fmt"
	"strconv"

	cpiv1alpha1 "github.com/tkr-project/tkr/api/addons/cpi/v1alpha1"
	"github.com/tkr-project/tkr/pkg/addons"
)

// Inputs are what the renderer needs besides the config's spec and its Cluster: the contents
// of the Secrets the config refers to, and for paravirtual mode the supervisor's API endpoint.
type Inputs struct {
	// VSphere holds the credentials from vSphereCredentialLocalObjRef, nil if it is unset.
	VSphere *addons.Credentials
	// NSXT holds the credentials from nsxt.credentialLocalObjRef, nil if it is unset.
	NSXT *addons.Credentials
	// SupervisorHost and SupervisorPort are the supervisor API endpoint (paravirtual mode).
	SupervisorHost string
	SupervisorPort int32
}

// DataValues are the vsphere-cpi package's data values; exactly one of the two is set,
// and either is written under vsphereCPI.
type DataValues struct {
	NonParavirtual *NonParavirtual `yaml:"-"`
	Paravirtual    *Paravirtual    `yaml:"-"`
}

// MarshalYAML writes whichever mode is set under the package's vsphereCPI key.
func (d DataValues) MarshalYAML() (any, error) {
	if d.Paravirtual != nil {
		return map[string]any{"vsphereCPI": d.Paravirtual}, nil
	}
	return map[string]any{"vsphereCPI": d.NonParavirtual}, nil
}

// NonParavirtual is vsphereCPI in vsphereCPI mode.
type NonParavirtual struct {
	Mode                               string    `yaml:"mode"`
	TLSThumbprint                      string    `yaml:"tlsThumbprint"`
	Server                             string    `yaml:"server"`
	Datacenter                         string    `yaml:"datacenter"`
	Username                           string    `yaml:"username"`
	Password                           string    `yaml:"password"`
	Region                             string    `yaml:"region"`
	Zone                               string    `yaml:"zone"`
	InsecureFlag                       bool      `yaml:"insecureFlag"`
	IPFamily                           string    `yaml:"ipFamily"`
	VMInternalNetwork                  string    `yaml:"vmInternalNetwork"`
	VMExternalNetwork                  string    `yaml:"vmExternalNetwork"`
	VMExcludeInternalNetworkSubnetCidr string    `yaml:"vmExcludeInternalNetworkSubnetCidr"`
	VMExcludeExternalNetworkSubnetCidr string    `yaml:"vmExcludeExternalNetworkSubnetCidr"`
	CloudProviderExtraArgs             ExtraArgs `yaml:"cloudProviderExtraArgs"`
	NSXT                               NSXT      `yaml:"nsxt"`
	HTTPProxy                          string    `yaml:"http_proxy"`
	HTTPSProxy                         string    `yaml:"https_proxy"`
	NoProxy                            string    `yaml:"no_proxy"`
}

// ExtraArgs are extra command-line arguments of the cloud controller manager.
type ExtraArgs struct {
	TLSCipherSuites string `yaml:"tls-cipher-suites"`
}

// NSXT is vsphereCPI.nsxt.
type NSXT struct {
	PodRoutingEnabled bool   `yaml:"podRoutingEnabled"`
	Routes            Routes `yaml:"routes"`
	Username          string `yaml:"username"`
	Password          string `yaml:"password"`
	Host              string `yaml:"host"`
	Insecure          bool   `yaml:"insecure"`
	RemoteAuthEnabled bool   `yaml:"remoteAuthEnabled"`
	VMCAccessToken    string `yaml:"vmcAccessToken"`
	VMCAuthHost       string `yaml:"vmcAuthHost"`
	ClientCertKeyData string `yaml:"clientCertKeyData"`
	ClientCertData    string `yaml:"clientCertData"`
	RootCAData        string `yaml:"rootCAData"`
	SecretName        string `yaml:"secretName"`
	SecretNamespace   string `yaml:"secretNamespace"`
}

// Routes is vsphereCPI.nsxt.routes.
type Routes struct {
	RouterPath  string `yaml:"routerPath"`
	ClusterCidr string `yaml:"clusterCidr"`
}

// Paravirtual is vsphereCPI in vsphereParavirtualCPI mode.
type Paravirtual struct {
	Mode                       string `yaml:"mode"`
	ClusterAPIVersion          string `yaml:"clusterAPIVersion"`
	ClusterKind                string `yaml:"clusterKind"`
	ClusterName                string `yaml:"clusterName"`
	ClusterUID                 string `yaml:"clusterUID"`
	SupervisorMasterEndpointIP string `yaml:"supervisorMasterEndpointIP"`
	SupervisorMasterPort       string `yaml:"supervisorMasterPort"`
	AntreaNSXPodRoutingEnabled bool   `yaml:"antreaNSXPodRoutingEnabled"`
}

// Values computes the data values of spec on cluster. A spec without a mode has no values; the
// caller leaves such a config alone.
//
// Values renders only. In paravirtual mode the original product also created a
// ProviderServiceAccount and an aggregated ClusterRole in the supervisor; this project does not
// (yet), and the supervisor endpoint comes from in.
func Values(spec *cpiv1alpha1.VSphereCPIConfigSpec, cluster addons.Cluster, in Inputs) (*DataValues, error) {
	switch spec.VSphereCPI.Mode {
	case cpiv1alpha1.ModeVSphereCPI:
		v, err := nonParavirtual(&spec.VSphereCPI.NonParavirtualConfig, cluster, in)
		if err != nil {
			return nil, err
		}
		return &DataValues{NonParavirtual: v}, nil
	case cpiv1alpha1.ModeVSphereParavirtualCPI:
		return &DataValues{Paravirtual: &Paravirtual{
			Mode:                       cpiv1alpha1.ModeVSphereParavirtualCPI,
			ClusterAPIVersion:          cluster.APIVersion,
			ClusterKind:                cluster.Kind,
			ClusterName:                cluster.Name,
			ClusterUID:                 cluster.UID,
			SupervisorMasterEndpointIP: in.SupervisorHost,
			SupervisorMasterPort:       portString(in.SupervisorPort),
			AntreaNSXPodRoutingEnabled: addons.Bool(spec.VSphereCPI.AntreaNSXPodRoutingEnabled, false),
		}}, nil
	}
	return nil, fmt.Errorf("Invalid CPI mode %s, must either be %s or %s", //nolint:staticcheck // the original's wording
		spec.VSphereCPI.Mode, cpiv1alpha1.ModeVSphereParavirtualCPI, cpiv1alpha1.ModeVSphereCPI)
}

// Render is Values encoded as the YAML of the data-values Secret.
func Render(spec *cpiv1alpha1.VSphereCPIConfigSpec, cluster addons.Cluster, in Inputs) ([]byte, error) {
	v, err := Values(spec, cluster, in)
	if err != nil {
		return nil, err
	}
	return addons.Marshal(v)
}

func nonParavirtual(c *cpiv1alpha1.NonParavirtualConfig, cluster addons.Cluster, in Inputs) (*NonParavirtual, error) {
	d := &NonParavirtual{
		Mode:                               cpiv1alpha1.ModeVSphereCPI,
		TLSThumbprint:                      c.TLSThumbprint,
		Server:                             c.VCenterAPIEndpoint,
		Datacenter:                         c.Datacenter,
		Region:                             c.Region,
		Zone:                               c.Zone,
		IPFamily:                           c.IPFamily,
		VMInternalNetwork:                  c.VMNetwork.Internal,
		VMExternalNetwork:                  c.VMNetwork.External,
		VMExcludeInternalNetworkSubnetCidr: c.VMNetwork.ExcludeInternalSubnetCidr,
		VMExcludeExternalNetworkSubnetCidr: c.VMNetwork.ExcludeExternalSubnetCidr,
		CloudProviderExtraArgs:             ExtraArgs{TLSCipherSuites: c.TLSCipherSuites},
		HTTPProxy:                          c.Proxy.HTTPProxy,
		HTTPSProxy:                         c.Proxy.HTTPSProxy,
		NoProxy:                            c.Proxy.NoProxy,
	}
	if in.VSphere != nil {
		d.Username, d.Password = in.VSphere.Username, in.VSphere.Password
	}
	// Without a thumbprint there is nothing to verify the vCenter against, so verification is
	// off unless the user asks for it, and asking for it without a thumbprint cannot work.
	d.InsecureFlag = addons.Bool(c.Insecure, d.TLSThumbprint == "")
	if !d.InsecureFlag && d.TLSThumbprint == "" {
		return nil, errors.New("empty thumbprint is provided while TLS peer verification is enabled")
	}
	if len(cluster.PodCIDRs) > 0 {
		d.NSXT.Routes.ClusterCidr = cluster.PodCIDRs[0]
	}
	n := &c.NSXT
	d.NSXT.PodRoutingEnabled = addons.Bool(n.PodRoutingEnabled, false)
	d.NSXT.Insecure = addons.Bool(n.Insecure, false)
	d.NSXT.Routes.RouterPath = n.Route.RouterPath
	if n.CredentialLocalObjRef != nil {
		d.NSXT.SecretName = n.CredentialLocalObjRef.Name
		d.NSXT.SecretNamespace = cluster.Namespace
	}
	if in.NSXT != nil {
		d.NSXT.Username, d.NSXT.Password = in.NSXT.Username, in.NSXT.Password
	}
	d.NSXT.Host = n.APIHost
	d.NSXT.RemoteAuthEnabled = addons.Bool(n.RemoteAuth, false)
	d.NSXT.VMCAccessToken = n.VMCAccessToken
	// Quirk not kept: the original fell back to the access token for an unset auth host.
	d.NSXT.VMCAuthHost = n.VMCAuthHost
	d.NSXT.ClientCertKeyData = n.ClientCertKeyData
	d.NSXT.ClientCertData = n.ClientCertData
	d.NSXT.RootCAData = n.RootCAData
	return d, nil
}

func portString(p int32) string {
	if p == 0 {
		return ""
	}
	return strconv.Itoa(int(p))
}
