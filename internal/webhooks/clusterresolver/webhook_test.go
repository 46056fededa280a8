package clusterresolver

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
	"sigs.k8s.io/yaml"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/scheme"
	"github.com/tkr-project/tkr/pkg/catalog"
	"github.com/tkr-project/tkr/pkg/resolution"
	"github.com/tkr-project/tkr/pkg/resolver"
	"github.com/tkr-project/tkr/pkg/tkrdata"
)

// newTestWebhook serves the example catalogue and ClusterClass from memory.
func newTestWebhook(t *testing.T) *Webhook {
	t.Helper()
	s := scheme.New()
	r := resolver.New()
	objs, err := catalog.Load("../../../examples/catalog")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		switch o.GetKind() {
		case "TanzuKubernetesRelease":
			tkr := &runv1alpha3.TanzuKubernetesRelease{}
			if err := o.Into(s, tkr); err != nil {
				t.Fatal(err)
			}
			r.Add(tkr)
		case "OSImage":
			img := &runv1alpha3.OSImage{}
			if err := o.Into(s, img); err != nil {
				t.Fatal(err)
			}
			r.Add(img)
		}
	}
	ccObjs, err := catalog.Load("../../../examples/clusterclass.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v1cc := &clusterv1beta1.ClusterClass{}
	if err := ccObjs[0].Into(s, v1cc); err != nil {
		t.Fatal(err)
	}
	cc := &clusterv1.ClusterClass{}
	if err := clusterv1beta1.Convert_v1beta1_ClusterClass_To_v1beta2_ClusterClass(v1cc, cc, nil); err != nil {
		t.Fatal(err)
	}
	c := NewCatalog(r, fake.NewClientBuilder().WithScheme(s).Build())
	c.once.Do(func() { close(c.loaded) })
	return &Webhook{
		Catalog: c,
		Reader:  fake.NewClientBuilder().WithScheme(s).WithObjects(cc).Build(),
		Decoder: admission.NewDecoder(s),
	}
}

func request(t *testing.T, yamlPath string, edit func(map[string]any)) admission.Request {
	t.Helper()
	y, err := os.ReadFile(yamlPath)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := yaml.Unmarshal(y, &obj); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(obj)
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		Operation: admissionv1.Create,
		Kind:      metav1.GroupVersionKind{Group: "cluster.x-k8s.io", Version: "v1beta1", Kind: "Cluster"},
		Namespace: "default", Name: "workload-1",
		Object: runtime.RawExtension{Raw: raw},
	}}
}

// The patch carries what resolution changed and nothing the typed round trip invents.
func TestPatchHoldsOnlyResolution(t *testing.T) {
	w := newTestWebhook(t)
	resp := w.Handle(context.Background(), request(t, "../../../examples/cluster.yaml", nil))
	if !resp.Allowed {
		t.Fatalf("denied: %v", resp.Result)
	}
	var paths []string
	for _, p := range resp.Patches {
		paths = append(paths, p.Path)
		if !strings.HasPrefix(p.Path, "/metadata/labels") && !strings.HasPrefix(p.Path, "/spec/topology/variables") && p.Path != "/spec/topology/version" {
			t.Errorf("patch touches %s (%s); only the tkr label, spec.topology.version and TKR_DATA may change", p.Path, p.Operation)
		}
	}
	if len(paths) == 0 {
		t.Fatal("a cluster that needed resolving got no patch")
	}

	// Re-admitting the resolved Cluster (an update that changes nothing) gets no patch at all.
	resolved := resolvedCopy(t, w, "../../../examples/cluster.yaml")
	again := request(t, "../../../examples/cluster.yaml", nil)
	again.Operation = admissionv1.Update
	again.Object.Raw = resolved
	if resp := w.Handle(context.Background(), again); !resp.Allowed || len(resp.Patches) != 0 {
		t.Errorf("re-admitting a resolved Cluster: allowed %t, patch %v; want allowed with no patch", resp.Allowed, resp.Patches)
	}
	noTopology := request(t, "../../../examples/cluster.yaml", func(o map[string]any) {
		delete(o["spec"].(map[string]any), "topology")
	})
	if resp := w.Handle(context.Background(), noTopology); !resp.Allowed || len(resp.Patches) != 0 {
		t.Errorf("a Cluster without topology: allowed %t, %d patch ops; want allowed with none", resp.Allowed, len(resp.Patches))
	}
}

// resolvedCopy returns the Cluster in yamlPath as the webhook would admit it, resolved.
func resolvedCopy(t *testing.T, w *Webhook, yamlPath string) []byte {
	t.Helper()
	req := request(t, yamlPath, nil)
	c := &clusterv1beta1.Cluster{}
	if err := json.Unmarshal(req.Object.Raw, c); err != nil {
		t.Fatal(err)
	}
	view, err := tkrdata.ForCluster(c)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := w.clusterClass(context.Background(), view)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := resolution.ResolveAndSetMetadata(view, cc, w.Catalog.Resolver, w.Options); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
