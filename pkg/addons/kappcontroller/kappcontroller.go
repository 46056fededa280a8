// Package kappcontroller renders a KappControllerConfig into the data values of the
// kapp-controller package.
package kappcontroller

import (
	"fmt"
	"maps"
	"net"
	"slices"

	netutils "k8s.io/utils/net"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/addons"
)

// DataValues are the kapp-controller package's data values.
type DataValues struct {
	Namespace      string         `yaml:"namespace,omitempty"`
	KappController KappController `yaml:"kappController,omitempty"`
	NodeSelector   NodeSelector   `yaml:"nodeSelector"`
}

// NodeSelector pins kapp-controller to control plane Nodes, which exist before any worker
// joins and before a CNI is installed.
type NodeSelector struct {
	ControlPlane string `yaml:"node-role.kubernetes.io/control-plane"`
}

// KappController is kappController of the data values.
type KappController struct {
	CreateNamespace bool       `yaml:"createNamespace,omitempty"`
	GlobalNamespace string     `yaml:"globalNamespace,omitempty"`
	Deployment      Deployment `yaml:"deployment,omitempty"`
	Config          Config     `yaml:"config,omitempty"`
}

// Deployment is kappController.deployment of the data values.
type Deployment struct {
	CoreDNSIP          string              `yaml:"coreDNSIP,omitempty"`
	HostNetwork        bool                `yaml:"hostNetwork,omitempty"`
	PriorityClassName  string              `yaml:"priorityClassName,omitempty"`
	Concurrency        int                 `yaml:"concurrency,omitempty"`
	Tolerations        []map[string]string `yaml:"tolerations,omitempty"`
	APIPort            int                 `yaml:"apiPort,omitempty"`
	MetricsBindAddress string              `yaml:"metricsBindAddress,omitempty"`
}

// Config is kappController.config of the data values.
type Config struct {
	CACerts                string `yaml:"caCerts,omitempty"`
	HTTPProxy              string `yaml:"httpProxy,omitempty"`
	HTTPSProxy             string `yaml:"httpsProxy,omitempty"`
	NoProxy                string `yaml:"noProxy,omitempty"`
	DangerousSkipTLSVerify string `yaml:"dangerousSkipTLSVerify,omitempty"`
}

// controlPlaneToleration is always among the tolerations: kapp-controller must run on the
// control plane Nodes its node selector picks.
var controlPlaneToleration = map[string]string{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}

// Values computes the data values of spec on cluster. With hostNetwork, kapp-controller
// cannot use the cluster DNS through the Pod network, so it is given CoreDNS's Service IP:
// by convention the tenth address of the first service CIDR block.
func Values(spec *runv1alpha3.KappControllerConfigSpec, cluster addons.Cluster) (*DataValues, error) {
	k := &spec.KappController
	d := &DataValues{
		Namespace: spec.Namespace,
		KappController: KappController{
			CreateNamespace: k.CreateNamespace,
			GlobalNamespace: k.GlobalNamespace,
			Deployment: Deployment{
				HostNetwork:        k.Deployment.HostNetwork,
				PriorityClassName:  k.Deployment.PriorityClassName,
				Concurrency:        k.Deployment.Concurrency,
				APIPort:            k.Deployment.APIPort,
				MetricsBindAddress: k.Deployment.MetricsBindAddress,
			},
			Config: Config{
				CACerts:                k.Config.CACerts,
				HTTPProxy:              k.Config.HTTPProxy,
				HTTPSProxy:             k.Config.HTTPSProxy,
				NoProxy:                k.Config.NoProxy,
				DangerousSkipTLSVerify: k.Config.DangerousSkipTLSVerify,
			},
		},
	}
	if d.KappController.Deployment.HostNetwork {
		ip, err := coreDNSIP(cluster.ServiceCIDRs)
		if err != nil {
			return nil, fmt.Errorf("Unable to get cluster CoreDNS IP: %w", err) //nolint:staticcheck // the original's wording
		}
		d.KappController.Deployment.CoreDNSIP = ip
	}
	tolerations := make([]map[string]string, 0, len(k.Deployment.Tolerations)+1)
	for _, t := range k.Deployment.Tolerations {
		tolerations = append(tolerations, maps.Clone(t))
	}
	if !slices.ContainsFunc(tolerations, func(t map[string]string) bool { return maps.Equal(t, controlPlaneToleration) }) {
		tolerations = append(tolerations, maps.Clone(controlPlaneToleration))
	}
	d.KappController.Deployment.Tolerations = tolerations
	return d, nil
}

// Render is Values encoded as the YAML of the data-values Secret.
func Render(spec *runv1alpha3.KappControllerConfigSpec, cluster addons.Cluster) ([]byte, error) {
	v, err := Values(spec, cluster)
	if err != nil {
		return nil, err
	}
	return addons.Marshal(v)
}

func coreDNSIP(serviceCIDRs []string) (string, error) {
	if len(serviceCIDRs) == 0 {
		return "", fmt.Errorf("Unable to get cluster serviceCIDR: the Cluster has no spec.clusterNetwork.services.cidrBlocks") //nolint:staticcheck // the original's wording
	}
	_, subnet, err := net.ParseCIDR(serviceCIDRs[0])
	if err != nil {
		return "", fmt.Errorf("parsing service CIDR %q: %w", serviceCIDRs[0], err)
	}
	ip, err := netutils.GetIndexedIP(subnet, 10)
	if err != nil {
		return "", fmt.Errorf("service CIDR %q: %w", serviceCIDRs[0], err)
	}
	return ip.String(), nil
}
