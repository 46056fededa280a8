package addonstest

import "github.com/tkr-project/tkr/pkg/addons"

// Cluster is the Cluster every golden file is rendered for: dual-stack services, one pod
// block, on vSphere, with three control plane machines.
func Cluster() addons.Cluster {
	three := int32(3)
	return addons.Cluster{
		Name: "mycl", Namespace: "ns1", UID: "6c1b0b0e-0000-4000-8000-000000000001",
		APIVersion: "cluster.x-k8s.io/v1beta2", Kind: "Cluster",
		InfrastructureKind:   "VSphereCluster",
		ServiceCIDRs:         []string{"100.64.0.0/13", "fd00:100:64::/108"},
		PodCIDRs:             []string{"100.96.0.0/11"},
		ControlPlaneReplicas: &three,
	}
}

// Ptr returns a pointer to v, for the optional fields of the specs under test.
func Ptr[T any](v T) *T { return &v }
