package clusterresolver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/apply"
	"github.com/tkr-project/tkr/pkg/catalog"
	"github.com/tkr-project/tkr/pkg/tkrdata"
	"github.com/tkr-project/tkr/test/envtest"
)

var env *envtest.Environment

const examples = "../../../examples"

func TestMain(m *testing.M) {
	envtest.Main(m, &env, envtest.Options{Components: []string{"conversion-webhook", "status", "resolver-webhook"}})
}

// applyFiles applies YAML files as `kubectl apply --server-side` would.
func applyFiles(t *testing.T, paths ...string) {
	t.Helper()
	objs, err := catalog.Load(paths...)
	if err != nil {
		t.Fatal(err)
	}
	var toApply []apply.Object
	for _, o := range objs {
		toApply = append(toApply, apply.Object{Object: o.Unstructured, Source: o.Source.String()})
	}
	if err := apply.Objects(context.Background(), env.Client, "test", toApply); err != nil {
		t.Fatal(err)
	}
}

func applyYAML(t *testing.T, content string) error {
	t.Helper()
	p := filepath.Join(t.TempDir(), "obj.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	objs, err := catalog.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	var toApply []apply.Object
	for _, o := range objs {
		toApply = append(toApply, apply.Object{Object: o.Unstructured, Source: "test"})
	}
	return apply.Objects(context.Background(), env.Client, "test", toApply)
}

// catalogLoaded records that the example catalogue and ClusterClass were loaded into this
// package's API server (tests run one at a time).
var catalogLoaded bool

// loadExamples applies the example catalogue and waits until the webhook resolves with it: the
// webhook's catalogue follows the API through informers, so a Cluster created right after its
// releases can arrive first, as it could for a user.
func loadExamples(t *testing.T) {
	t.Helper()
	if catalogLoaded {
		return
	}
	applyFiles(t, filepath.Join(examples, "catalog"), filepath.Join(examples, "clusterclass.yaml"))
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		probe := loadCluster(fmt.Sprintf("catalog-probe-%d", time.Now().UnixNano()))
		err := env.Client.Create(context.Background(), probe, client.DryRunAll)
		if err == nil && probe.Labels[runv1alpha3.LabelTKR] != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the webhook did not resolve with the example catalogue within 30s (last error: %v)", err)
		}
	}
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
