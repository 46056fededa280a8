package clusterpause_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/scheme"
	"github.com/tkr-project/tkr/internal/webhooks/clusterpause"
	"github.com/tkr-project/tkr/test/envtest"
)

var env *envtest.Environment

func TestMain(m *testing.M) {
	envtest.Main(m, &env, envtest.Options{Components: []string{"conversion-webhook", "clusterbootstrap-webhooks"}})
}

func tkr(t *testing.T, name string, labels map[string]string) {
	t.Helper()
	obj := &runv1alpha3.TanzuKubernetesRelease{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: runv1alpha3.TanzuKubernetesReleaseSpec{
			Version:    "v1.30.1+vmware.1-tkg.1",
			Kubernetes: runv1alpha3.KubernetesSpec{Version: "v1.30.1+vmware.1", ImageRepository: "registry.example.com/tkg"},
		},
	}
	if err := env.Client.Create(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
	// The webhook reads TKRs from the manager's cache.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if err := env.Manager.GetClient().Get(context.Background(), client.ObjectKeyFromObject(obj), &runv1alpha3.TanzuKubernetesRelease{}); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("TKR %s did not reach the manager's cache within 30s", name)
		}
	}
}

// state is what the webhook decides: spec.paused and the paused annotation.
type state struct {
	paused     bool
	annotation string
}

// relabel creates a Cluster of the given API version with labels before, then updates its
// labels to after, and returns the stored state.
func relabel(t *testing.T, version, name string, before, after map[string]string) state {
	t.Helper()
	ctx := context.Background()
	var obj client.Object
	if version == "v1beta1" {
		obj = &clusterv1beta1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, Labels: before}}
	} else {
		f := false
		obj = &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, Labels: before}, Spec: clusterv1.ClusterSpec{Paused: &f}}
	}
	if err := env.Client.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	if _, ok := obj.GetAnnotations()[runv1alpha3.AnnotationClusterPaused]; ok {
		t.Errorf("%s: a new Cluster was paused", name)
	}
	obj.SetLabels(after)
	if err := env.Client.Update(ctx, obj); err != nil {
		t.Fatal(err)
	}
	s := state{annotation: obj.GetAnnotations()[runv1alpha3.AnnotationClusterPaused]}
	switch c := obj.(type) {
	case *clusterv1beta1.Cluster:
		s.paused = c.Spec.Paused
	case *clusterv1.Cluster:
		s.paused = c.Spec.Paused != nil && *c.Spec.Paused
	}
	return s
}

func label(tkr string) map[string]string { return map[string]string{runv1alpha3.LabelTKR: tkr} }

// TestPause covers P2-P11 through the API server, for both Cluster API versions.
func TestPause(t *testing.T) {
	tkr(t, "v1.30.1---vmware.1-tkg.1", nil)
	tkr(t, "v1.30.1---vmware.1-tkg.2", map[string]string{"some": "label"})
	tkr(t, "v1.30.1---vmware.1-legacy", map[string]string{runv1alpha3.LabelLegacyTKR: ""})
	const newTKR = "v1.30.2---vmware.1-tkg.1"
	paused := state{paused: true, annotation: newTKR}
	for _, version := range []string{"v1beta1", "v1beta2"} {
		for _, c := range []struct {
			name          string
			before, after map[string]string
			want          state
		}{
			{"no-labels", label("v1.30.1---vmware.1-tkg.1"), nil, state{}},
			{"empty-labels", label("v1.30.1---vmware.1-tkg.1"), map[string]string{"other": "x"}, state{}},
			{"same-label", label("v1.30.1---vmware.1-tkg.1"), map[string]string{runv1alpha3.LabelTKR: "v1.30.1---vmware.1-tkg.1", "other": "x"}, state{}},
			{"old-nil-labels", nil, label(newTKR), paused},
			{"old-no-tkr-label", map[string]string{"other": "x"}, label(newTKR), paused},
			{"old-empty-tkr-label", label(""), label(newTKR), paused},
			{"tkr-without-labels", label("v1.30.1---vmware.1-tkg.1"), label(newTKR), paused},
			{"tkr-not-legacy", label("v1.30.1---vmware.1-tkg.2"), label(newTKR), paused},
			{"tkr-legacy", label("v1.30.1---vmware.1-legacy"), label(newTKR), state{}},
			{"tkr-not-found", label("v1.30.0---vmware.1-gone"), label(newTKR), state{}},
		} {
			name := "p-" + version + "-" + c.name
			if got := relabel(t, version, name, c.before, c.after); got != c.want {
				t.Errorf("%s: paused=%v annotation=%q, want paused=%v annotation=%q", name, got.paused, got.annotation, c.want.paused, c.want.annotation)
			}
		}
	}
}

// failingReader fails every read, as an API server that is not reachable would.
type failingReader struct{ client.Reader }

func (failingReader) Get(context.Context, client.ObjectKey, client.Object, ...client.GetOption) error {
	return errors.New("connection refused")
}

func request(t *testing.T, version string, oldObj, newObj runtime.Object) admission.Request {
	t.Helper()
	raw := func(o runtime.Object) runtime.RawExtension {
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		return runtime.RawExtension{Raw: b}
	}
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		Operation: admissionv1.Update, Namespace: "default", Name: "c",
		Kind:   metav1.GroupVersionKind{Group: "cluster.x-k8s.io", Version: version, Kind: "Cluster"},
		Object: raw(newObj), OldObject: raw(oldObj),
	}}
}

// TestErrors covers P1 (not a Cluster) and P12 (a TKR read fails).
func TestErrors(t *testing.T) {
	w := &clusterpause.Webhook{Reader: failingReader{}, Decoder: admission.NewDecoder(scheme.New())}
	c := func(tkr string) *clusterv1beta1.Cluster {
		return &clusterv1beta1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "c", Labels: label(tkr)}}
	}
	resp := w.Handle(context.Background(), request(t, "v1alpha9", c("a"), c("b")))
	if resp.Allowed || resp.Result.Code != http.StatusBadRequest {
		t.Errorf("another version: allowed=%v code=%d, want a 400", resp.Allowed, resp.Result.Code)
	}
	resp = w.Handle(context.Background(), request(t, "v1beta1", c("a"), c("b")))
	if resp.Allowed || resp.Result.Code != http.StatusServiceUnavailable {
		t.Errorf("a failing TKR read: allowed=%v result=%+v, want a 503", resp.Allowed, resp.Result)
	}
}
