// Package addons holds what the add-on config renderers share: the cluster facts they read,
// the infrastructure-provider and service-CIDR rules, and the YAML encoding of data values.
// One sub-package per config kind (antrea, calico, cpi, csi, kappcontroller) turns a config's
// spec plus these facts into the data values of its package. Everything here is pure: no
// client, no manager, so the rules are table- and golden-file-tested without an API server.
package addons

import (
	"bytes"
	"errors"
	"fmt"
	"net"

	"go.yaml.in/yaml/v3"
)

// ValuesKey is the key of the data values in a data-values Secret.
const ValuesKey = "values.yaml"

// Add-on names: the middle part of <cluster>-<addon>-data-values, as the original product
// named each package's Secret.
const (
	AddonAntrea         = "antrea"
	AddonCalico         = "calico"
	AddonVSphereCPI     = "vsphere-cpi"
	AddonVSphereCSI     = "vsphere-csi"
	AddonVSpherePVCSI   = "vsphere-pv-csi"
	AddonKappController = "kapp-controller"
)

// DataValuesName is the name of the Secret an add-on config of cluster renders into,
// e.g. "mycl-antrea-data-values".
func DataValuesName(cluster, addon string) string {
	return cluster + "-" + addon + "-data-values"
}

// Cluster is what the renderers need to know about the Cluster that owns a config. The
// controller fills it from the Cluster object; tests write it out.
type Cluster struct {
	// Name, Namespace and UID identify the Cluster.
	Name, Namespace, UID string
	// APIVersion and Kind are what paravirtual packages put into references to the Cluster.
	APIVersion, Kind string
	// InfrastructureKind is the kind of spec.infrastructureRef, e.g. VSphereCluster.
	InfrastructureKind string
	// ServiceCIDRs and PodCIDRs are spec.clusterNetwork.{services,pods}.cidrBlocks.
	ServiceCIDRs, PodCIDRs []string
	// ControlPlaneReplicas is spec.topology.controlPlane.replicas, nil when unset.
	ControlPlaneReplicas *int32
}

// Infrastructure providers as data values name them.
const (
	ProviderVSphere = "vsphere"
	ProviderAWS     = "aws"
	ProviderAzure   = "azure"
	ProviderDocker  = "docker"
	ProviderOCI     = "oci"
)

var providers = map[string]string{
	"VSphereCluster": ProviderVSphere,
	"AWSCluster":     ProviderAWS,
	"AzureCluster":   ProviderAzure,
	"DockerCluster":  ProviderDocker,
	"OCICluster":     ProviderOCI,
}

// InfraProvider maps the kind of a Cluster's infrastructureRef to the infraProvider data value.
// The first words of the error are the original product's, which runbooks search for.
func InfraProvider(kind string) (string, error) {
	if p, ok := providers[kind]; ok {
		return p, nil
	}
	if kind == "" {
		return "", errors.New("unknown error in getting infraProvider: the Cluster has no spec.infrastructureRef yet")
	}
	return "", fmt.Errorf("unknown error in getting infraProvider: infrastructure kind %q is not one of VSphereCluster, AWSCluster, AzureCluster, DockerCluster or OCICluster", kind)
}

// ServiceCIDRs splits a Cluster's service CIDR blocks into the IPv4 and the IPv6 one. A Cluster
// has one block per IP family, so more than two is an error, as is having none: Antrea's
// configuration needs the range. Error texts are the original product's.
func ServiceCIDRs(blocks []string) (v4, v6 string, err error) {
	if len(blocks) == 0 {
		return "", "", errors.New("Unable to get service CIDRBlocks from cluster") //nolint:staticcheck // the original's wording
	}
	if len(blocks) > 2 {
		return "", "", fmt.Errorf("too many CIDRs specified: %d service CIDR blocks, at most one IPv4 and one IPv6 block are allowed", len(blocks))
	}
	for _, b := range blocks {
		ip, _, err := net.ParseCIDR(b)
		if err != nil {
			return "", "", fmt.Errorf("could not parse CIDR: %w", err)
		}
		if ip.To4() != nil {
			v4 = b
		} else {
			v6 = b
		}
	}
	return v4, v6, nil
}

// Marshal encodes data values as YAML with two-space indentation, the layout the packages'
// own default values use, so a rendered Secret reads like them.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding data values as YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding data values as YAML: %w", err)
	}
	return buf.Bytes(), nil
}

// Bool reads an optional boolean, def when unset. The API types use pointers so that the
// CRD defaults apply; data values want plain values.
func Bool(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

// Credentials are a username and password read from a Secret a config refers to
// (vSphereCredentialLocalObjRef, nsxt.credentialLocalObjRef).
type Credentials struct {
	Username, Password string
}

// CredentialsFromSecret reads the username and password keys of the Secret namespace/name
// whose data is data. Error texts are the original product's.
func CredentialsFromSecret(namespace, name string, data map[string][]byte) (Credentials, error) {
	u, ok := data["username"]
	if !ok {
		return Credentials{}, fmt.Errorf("Secret %s/%s doesn't have string data with username", namespace, name) //nolint:staticcheck // the original's wording
	}
	p, ok := data["password"]
	if !ok {
		return Credentials{}, fmt.Errorf("Secret %s/%s doesn't have string data with password", namespace, name) //nolint:staticcheck // the original's wording
	}
	return Credentials{Username: string(u), Password: string(p)}, nil
}
