package clusterbootstrap_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/test/envtest"
)

var env *envtest.Environment

func TestMain(m *testing.M) {
	envtest.Main(m, &env, envtest.Options{Components: []string{"conversion-webhook", "clusterbootstrap-webhooks"}})
}

// The example catalogue's TKRs; their Packages, templates and template configs are in tkg-system.
const (
	tkr122 = "v1.22.17---vmware.1-tkg.1"
	tkr123 = "v1.23.15---vmware.1-tkg.1"
)

var catalogOnce sync.Once

// catalog applies the example catalogue once per package (TKRs, templates, Packages).
func catalog(t *testing.T) {
	t.Helper()
	catalogOnce.Do(func() { env.ApplyFiles(t, "../../../examples/catalog") })
}

// apply applies YAML documents (e.g. providers, Secrets, Packages) and fails the test on error.
func apply(t *testing.T, y string) {
	t.Helper()
	if err := env.ApplyYAML(t, y); err != nil {
		t.Fatal(err)
	}
}

// cb builds a ClusterBootstrap in namespace default from YAML.
func cb(t *testing.T, name string, annotations map[string]string, spec string) *runv1alpha3.ClusterBootstrap {
	t.Helper()
	obj := &runv1alpha3.ClusterBootstrap{}
	obj.Namespace, obj.Name, obj.Annotations = "default", name, annotations
	obj.Spec = &runv1alpha3.ClusterBootstrapTemplateSpec{}
	if err := yaml.Unmarshal([]byte(spec), obj.Spec); err != nil {
		t.Fatalf("parsing spec of %s: %v", name, err)
	}
	return obj
}

func create(t *testing.T, obj client.Object) error {
	t.Helper()
	return env.Client.Create(context.Background(), obj)
}

func mustCreate(t *testing.T, obj client.Object) {
	t.Helper()
	if err := create(t, obj); err != nil {
		t.Fatalf("creating %s: %v", obj.GetName(), err)
	}
}

// update re-reads the ClusterBootstrap, changes it and updates it, returning the update's error.
func update(t *testing.T, name string, change func(*runv1alpha3.ClusterBootstrap)) error {
	t.Helper()
	obj := &runv1alpha3.ClusterBootstrap{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: name}, obj); err != nil {
		t.Fatal(err)
	}
	change(obj)
	return env.Client.Update(context.Background(), obj)
}

// wantInvalid checks err is a 422 whose message contains every part.
func wantInvalid(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if !apierrors.IsInvalid(err) {
		t.Errorf("%s: error %v, want Invalid (422)", what, err)
		return
	}
	wantContains(t, what, err, parts...)
}

func wantContains(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: accepted, want an error containing %q", what, parts)
		return
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not contain %q", what, err, p)
		}
	}
}

// eventually polls cond until it holds, for things that follow the API server moments later.
func eventually(t *testing.T, what string, cond func() error) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err = cond(); err == nil {
			return
		}
	}
	t.Fatalf("%s: not within 30s: %v", what, err)
}
