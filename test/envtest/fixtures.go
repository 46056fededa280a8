package envtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/apply"
	"github.com/tkr-project/tkr/pkg/catalog"
)

// ApplyFiles applies YAML files or directories as `kubectl apply --server-side -f` would, failing
// the test on any error, and returns what it loaded.
func (e *Environment) ApplyFiles(t testing.TB, paths ...string) []catalog.Object {
	t.Helper()
	objs, err := apply.Files(context.Background(), e.Client, "test", paths...)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// ApplyYAML applies YAML given as text and returns the API server's answer, for tests that
// expect a denial.
func (e *Environment) ApplyYAML(t testing.TB, content string) error {
	t.Helper()
	p := filepath.Join(t.TempDir(), "objects.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := apply.Files(context.Background(), e.Client, "test", p)
	return err
}

// ExampleCluster returns a Cluster like examples/cluster.yaml (ClusterClass tkg-vsphere-default,
// version v1.24, Ubuntu control plane) with mds machine deployments of class tkg-worker.
func ExampleCluster(name string, mds int) *clusterv1beta1.Cluster {
	c := &clusterv1beta1.Cluster{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: "default", Name: name,
			Annotations: map[string]string{runv1alpha3.AnnotationResolveTKR: ""},
		},
		Spec: clusterv1beta1.ClusterSpec{Topology: &clusterv1beta1.Topology{
			Class:   "tkg-vsphere-default",
			Version: "v1.24",
			ControlPlane: clusterv1beta1.ControlPlaneTopology{Metadata: clusterv1beta1.ObjectMeta{
				Annotations: map[string]string{runv1alpha3.AnnotationResolveOSImage: "os-name=ubuntu"},
			}},
		}},
	}
	if mds > 0 {
		c.Spec.Topology.Workers = &clusterv1beta1.WorkersTopology{}
		for i := 0; i < mds; i++ {
			c.Spec.Topology.Workers.MachineDeployments = append(c.Spec.Topology.Workers.MachineDeployments,
				clusterv1beta1.MachineDeploymentTopology{Name: fmt.Sprintf("md-%d", i), Class: "tkg-worker"})
		}
	}
	return c
}

// WaitUntilResolving waits until the resolver webhook resolves an ExampleCluster (a dry run). Its
// catalogue follows the API server through informers, so releases applied a moment ago may not
// be in it yet, as they might not be for a user either.
func (e *Environment) WaitUntilResolving(t testing.TB) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		probe := ExampleCluster(fmt.Sprintf("resolver-probe-%d", time.Now().UnixNano()), 0)
		err = e.Client.Create(context.Background(), probe, client.DryRunAll)
		if err == nil && probe.Labels[runv1alpha3.LabelTKR] != "" {
			return
		}
	}
	t.Fatalf("the resolver webhook did not resolve an example Cluster within 30s (last error: %v)", err)
}
