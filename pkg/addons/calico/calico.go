// Package calico renders a CalicoConfig into the data values of the Calico package.
package calico

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	cniv1alpha1 "github.com/tkr-project/tkr/api/addons/cni/v1alpha1"
	"github.com/tkr-project/tkr/pkg/addons"
)

// DataValues are the Calico package's data values.
type DataValues struct {
	InfraProvider string `yaml:"infraProvider"`
	IPFamily      string `yaml:"ipFamily,omitempty"`
	Calico        Calico `yaml:"calico,omitempty"`
}

// Calico nests the configuration as the package expects it.
type Calico struct {
	Config Config `yaml:"config,omitempty"`
}

// Config is calico.config of the data values. VethMTU is a string because the package's
// schema declares it so; "0" means detected automatically.
type Config struct {
	VethMTU         string `yaml:"vethMTU,omitempty"`
	ClusterCIDR     string `yaml:"clusterCIDR"`
	SkipCNIBinaries bool   `yaml:"skipCNIBinaries"`
}

// Values computes the data values of spec on cluster: the infrastructure provider, and the IP
// family and cluster CIDR from the Cluster's pod CIDR blocks, which Calico needs to set up
// its IP pools.
func Values(spec *cniv1alpha1.CalicoConfigSpec, cluster addons.Cluster) (*DataValues, error) {
	infra, err := addons.InfraProvider(cluster.InfrastructureKind)
	if err != nil {
		return nil, fmt.Errorf("Unable to get 'InfraProvider' setting for CalicoConfig: %w", err) //nolint:staticcheck // the original's wording
	}
	family, cidrs, err := podNetwork(cluster)
	if err != nil {
		return nil, fmt.Errorf("Could not get 'clusterCIDR' and 'ipFamily' settings for CalicoConfig: %w", err) //nolint:staticcheck // the original's wording
	}
	return &DataValues{
		InfraProvider: infra,
		IPFamily:      family,
		Calico: Calico{Config: Config{
			VethMTU:         strconv.FormatInt(int64(spec.Calico.Config.VethMTU), 10),
			ClusterCIDR:     cidrs,
			SkipCNIBinaries: spec.Calico.Config.SkipCNIBinaries,
		}},
	}, nil
}

// Render is Values encoded as the YAML of the data-values Secret.
func Render(spec *cniv1alpha1.CalicoConfigSpec, cluster addons.Cluster) ([]byte, error) {
	v, err := Values(spec, cluster)
	if err != nil {
		return nil, err
	}
	return addons.Marshal(v)
}

// podNetwork returns the IP families of the pod CIDR blocks in their order ("ipv4",
// "ipv6,ipv4", ...) and the blocks joined by commas.
func podNetwork(cluster addons.Cluster) (family, cidrs string, err error) {
	if len(cluster.PodCIDRs) == 0 {
		return "", "", fmt.Errorf("cluster.Spec.ClusterNetwork.Pods is not set for cluster '%s'", cluster.Name)
	}
	families := make([]string, 0, len(cluster.PodCIDRs))
	for _, b := range cluster.PodCIDRs {
		ip, _, err := net.ParseCIDR(b)
		if err != nil {
			return "", "", fmt.Errorf("could not parse CIDR '%s': %w", b, err)
		}
		if ip.To4() != nil {
			families = append(families, "ipv4")
		} else {
			families = append(families, "ipv6")
		}
	}
	return strings.Join(families, ","), strings.Join(cluster.PodCIDRs, ","), nil
}
