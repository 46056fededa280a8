// Package load measures what the resolver webhook adds to Cluster admission through a real API
// server. Only the conversion and resolver webhooks run here, so the figures are the webhook's
// and not those of other controllers reacting to the same Clusters.
package load

import (
	"flag"
	"os"
	"testing"

	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"

	"github.com/tkr-project/tkr/test/envtest"
)

var env *envtest.Environment

func TestMain(m *testing.M) {
	flag.Parse()
	// The package holds only benchmarks: without -bench there is nothing to start a control
	// plane for.
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		os.Exit(m.Run())
	}
	envtest.Main(m, &env, envtest.Options{Components: []string{"conversion-webhook", "resolver-webhook"}})
}

// noResolveClass is a ClusterClass without the resolve-tkr annotation: Clusters using it call the
// webhook, which has nothing to do.
const noResolveClass = `
apiVersion: cluster.x-k8s.io/v1beta1
kind: ClusterClass
metadata:
  name: no-resolve
  namespace: default
spec:
  controlPlane:
    ref: {apiVersion: controlplane.cluster.x-k8s.io/v1beta1, kind: KubeadmControlPlaneTemplate, name: cp}
  infrastructure:
    ref: {apiVersion: infrastructure.cluster.x-k8s.io/v1beta1, kind: VSphereClusterTemplate, name: infra}
`

// setupB loads the example catalogue and ClusterClasses and waits until the webhook resolves.
func setupB(b *testing.B) {
	b.Helper()
	env.ApplyFiles(b, "../../examples/catalog", "../../examples/clusterclass.yaml")
	if err := env.ApplyYAML(b, noResolveClass); err != nil {
		b.Fatal(err)
	}
	env.WaitUntilResolving(b)
}

// loadCluster is the example Cluster with three machine deployments, labelled for cleanup.
func loadCluster(name string) *clusterv1beta1.Cluster {
	c := envtest.ExampleCluster(name, 3)
	c.Labels = map[string]string{"load-test": ""}
	return c
}
