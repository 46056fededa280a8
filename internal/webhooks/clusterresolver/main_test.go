package clusterresolver_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tkr-project/tkr/pkg/tkrdata"
	"github.com/tkr-project/tkr/test/envtest"
)

var env *envtest.Environment

const examples = "../../../examples"

func TestMain(m *testing.M) {
	envtest.Main(m, &env, envtest.Options{Components: []string{"conversion-webhook", "status", "resolver-webhook"}})
}

// applyFiles and applyYAML apply as kubectl would; see envtest.
func applyFiles(t *testing.T, paths ...string) { env.ApplyFiles(t, paths...) }

func applyYAML(t *testing.T, content string) error { return env.ApplyYAML(t, content) }

// catalogLoaded records that the example catalogue and ClusterClass were loaded into this
// package's API server (tests run one at a time).
var catalogLoaded bool

// loadExamples applies the example catalogue and waits until the webhook resolves with it.
func loadExamples(t *testing.T) {
	t.Helper()
	if catalogLoaded {
		return
	}
	applyFiles(t, filepath.Join(examples, "catalog"), filepath.Join(examples, "clusterclass.yaml"))
	env.WaitUntilResolving(t)
	catalogLoaded = true
}

func tkrDataOf(t *testing.T, obj client.Object) tkrdata.TKRData {
	t.Helper()
	c, err := tkrdata.ForCluster(obj)
	if err != nil {
		t.Fatal(err)
	}
	d, err := tkrdata.Get(c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// update re-reads the Cluster, applies mutate and writes it, retrying on conflicts: controllers
// (UpdatesAvailable, for one) write the Cluster's status concurrently.
func update(t *testing.T, name string, mutate func(*clusterv1beta1.Cluster)) *clusterv1beta1.Cluster {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c := &clusterv1beta1.Cluster{}
		if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: name}, c); err != nil {
			t.Fatal(err)
		}
		mutate(c)
		err := env.Client.Update(context.Background(), c)
		if err == nil {
			return c
		}
		if !apierrors.IsConflict(err) || time.Now().After(deadline) {
			t.Fatalf("updating Cluster %s: %v", name, err)
		}
	}
}
