package vspheretemplate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/tkr-project/tkr/internal/scheme"
	"github.com/tkr-project/tkr/internal/vcenter"
	"github.com/tkr-project/tkr/pkg/vsphere"
)

const version = "v1.22.3+vmware.1"

// stubReader serves Get from a fixed set of objects, counting calls; it fails every Get of a
// key in fail. (The fake client is not used: it cannot serve VSphereClusterIdentity, whose type
// tkr does not register.)
type stubReader struct {
	objects map[string]any
	fail    map[string]error
	gets    map[string]int
}

func newStub() *stubReader {
	return &stubReader{objects: map[string]any{}, fail: map[string]error{}, gets: map[string]int{}}
}

func (s *stubReader) add(kind string, key client.ObjectKey, obj any) {
	s.objects[kind+":"+key.String()] = obj
}

func kindOf(obj client.Object) string {
	switch o := obj.(type) {
	case *unstructured.Unstructured:
		return o.GetKind()
	case *corev1.Secret:
		return "Secret"
	case *clusterv1.ClusterClass:
		return "ClusterClass"
	}
	return fmt.Sprintf("%T", obj)
}

func (s *stubReader) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	k := kindOf(obj) + ":" + key.String()
	s.gets[k]++
	if err := s.fail[k]; err != nil {
		return err
	}
	o, ok := s.objects[k]
	if !ok {
		return apierrors.NewNotFound(schema.GroupResource{Resource: kindOf(obj)}, key.Name)
	}
	raw, _ := json.Marshal(o)
	return json.Unmarshal(raw, obj)
}

func (s *stubReader) List(context.Context, client.ObjectList, ...client.ListOption) error {
	return errors.New("not supported")
}

// fakeResolver answers every query with <ova>Template / <ova>MOID unless err is set.
type fakeResolver struct {
	calls int
	ep    vcenter.Endpoint
	err   error
}

func (f *fakeResolver) Resolve(_ context.Context, ep vcenter.Endpoint, wanted map[vsphere.Query][]string) (map[vsphere.Query]vsphere.Result, error) {
	f.calls++
	f.ep = ep
	if f.err != nil {
		return nil, f.err
	}
	out := map[vsphere.Query]vsphere.Result{}
	for q := range wanted {
		out[q] = vsphere.Result{TemplatePath: q.OVAVersion + "Template", TemplateMOID: q.OVAVersion + "MOID"}
	}
	return out, nil
}

func entry(ova string) string {
	return `{"kubernetesSpec":{"version":"` + version + `"},"osImageRef":{"version":"` + ova + `"},` +
		`"labels":{"run.tanzu.vmware.com/tkr":"v1.22.3---vmware.1-tkg.1","os-name":"ubuntu","os-version":"2004","os-arch":"amd64"}}`
}

func data(ova string) string { return `{"` + version + `":` + entry(ova) + `}` }

// cluster returns a v1beta1 Cluster's JSON with the given cluster variables and machine
// deployments (each a JSON object).
func cluster(vars map[string]string, mds ...string) []byte {
	var vs []string
	for _, name := range []string{"TKR_DATA", "vcenter", "identityRef"} {
		if v, ok := vars[name]; ok {
			vs = append(vs, `{"name":"`+name+`","value":`+v+`}`)
		}
	}
	return []byte(`{"apiVersion":"cluster.x-k8s.io/v1beta1","kind":"Cluster",
		"metadata":{"name":"cluster","namespace":"clusterNamespace","labels":{"run.tanzu.vmware.com/tkr":"v1.22.3---vmware.1-tkg.1"}},
		"spec":{"topology":{"class":"tkg-vsphere-default","version":"` + version + `",
			"variables":[` + strings.Join(vs, ",") + `],
			"workers":{"machineDeployments":[` + strings.Join(mds, ",") + `]}}}}`)
}

func md(name, override string) string {
	if override == "" {
		return `{"class":"tkg-worker","name":"` + name + `"}`
	}
	return `{"class":"tkg-worker","name":"` + name + `","variables":{"overrides":[{"name":"TKR_DATA","value":` + override + `}]}}`
}

const vc = `{"server":"vc.example.com","datacenter":"/dc0","tlsThumbprint":""}`

type fixture struct {
	w        *Webhook
	reader   *stubReader
	secrets  *stubReader
	resolver *fakeResolver
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{reader: newStub(), secrets: newStub(), resolver: &fakeResolver{}}
	f.secrets.add("Secret", client.ObjectKey{Namespace: "clusterNamespace", Name: "cluster"}, &corev1.Secret{
		Data: map[string][]byte{"username": []byte("user"), "password": []byte("pass")}})
	f.w = &Webhook{Reader: f.reader, SecretReader: f.secrets, Decoder: admission.NewDecoder(scheme.New()), Resolver: f.resolver}
	return f
}

func (f *fixture) handle(raw []byte) admission.Response {
	return f.w.Handle(context.Background(), admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		Operation: admissionv1.Create, Namespace: "clusterNamespace", Name: "cluster",
		Kind:   metav1.GroupVersionKind{Group: "cluster.x-k8s.io", Version: "v1beta1", Kind: "Cluster"},
		Object: runtime.RawExtension{Raw: raw},
	}})
}

func patches(resp admission.Response) map[string]any {
	out := map[string]any{}
	for _, p := range resp.Patches {
		out[p.Operation+" "+p.Path] = p.Value
	}
	return out
}

func TestDecodeError(t *testing.T) { // T1
	f := newFixture(t)
	resp := f.handle([]byte(`{"apiVersion":"cluster.x-k8s.io/v1beta1","kind":"Cluster","spec":"foo"}`))
	if resp.Allowed || resp.Result.Code != http.StatusBadRequest ||
		!strings.Contains(resp.Result.Message, "json: cannot unmarshal string into Go struct field Cluster.spec of type v1beta1.ClusterSpec") {
		t.Fatalf("response = %+v", resp.Result)
	}
}

func TestResolvesEveryPart(t *testing.T) { // T3, T4, T5
	f := newFixture(t)
	resp := f.handle(cluster(map[string]string{"TKR_DATA": data("foo"), "vcenter": vc},
		md("md1", data("baz")), md("md2", ""), md("md3", data("qux"))))
	if !resp.Allowed {
		t.Fatalf("denied: %s", resp.Result.Message)
	}
	got := patches(resp)
	for path, want := range map[string]string{
		"add /spec/topology/variables/0/value/v1.22.3+vmware.1/osImageRef/template":                                        "fooTemplate",
		"add /spec/topology/variables/0/value/v1.22.3+vmware.1/osImageRef/moid":                                            "fooMOID",
		"add /spec/topology/workers/machineDeployments/0/variables/overrides/0/value/v1.22.3+vmware.1/osImageRef/template": "bazTemplate",
		"add /spec/topology/workers/machineDeployments/2/variables/overrides/0/value/v1.22.3+vmware.1/osImageRef/moid":     "quxMOID",
	} {
		if got[path] != want {
			t.Errorf("patch %s = %v, want %s\nall patches: %v", path, got[path], want, got)
		}
	}
	for p := range got {
		if strings.Contains(p, "machineDeployments/1/") {
			t.Errorf("md2 inherits the control plane's TKR_DATA and must not get an override: %s", p)
		}
	}
	if n := f.secrets.gets["Secret:clusterNamespace/cluster"]; n != 1 || f.resolver.calls != 1 {
		t.Errorf("Secret Get called %d times and Resolve %d times; want 1 and 1", n, f.resolver.calls)
	}
	if ep := f.resolver.ep; ep.Username != "user" || ep.Password != "pass" || !ep.Insecure || ep.Server != "vc.example.com" || ep.Datacenter != "/dc0" {
		t.Errorf("endpoint = %+v", ep)
	}
}

func TestSkips(t *testing.T) { // T2, T6, T8, T21 at the admission level, and non-vSphere Clusters
	f := newFixture(t)
	f.reader.add("ClusterClass", client.ObjectKey{Namespace: "clusterNamespace", Name: "tkg-vsphere-default"}, &clusterv1.ClusterClass{
		ObjectMeta: metav1.ObjectMeta{Namespace: "clusterNamespace", Name: "tkg-vsphere-default"},
		Spec: clusterv1.ClusterClassSpec{Infrastructure: clusterv1.InfrastructureClass{
			TemplateRef: clusterv1.ClusterClassTemplateReference{Kind: "AWSClusterTemplate"}}},
	})
	noLabel := []byte(strings.Replace(string(cluster(map[string]string{"TKR_DATA": data("foo")})), `"labels":{"run.tanzu.vmware.com/tkr":"v1.22.3---vmware.1-tkg.1"}`, `"labels":{}`, 1))
	for name, tc := range map[string]struct {
		raw  []byte
		want string
	}{
		"being deleted": {[]byte(strings.Replace(string(cluster(map[string]string{"TKR_DATA": data("foo"), "vcenter": vc})), `"namespace":"clusterNamespace",`,
			`"namespace":"clusterNamespace","deletionTimestamp":"2026-01-01T00:00:00Z","finalizers":["cluster.cluster.x-k8s.io"],`, 1)), SkipDeleting},
		"T2 no topology":  {[]byte(`{"apiVersion":"cluster.x-k8s.io/v1beta1","kind":"Cluster","metadata":{"name":"c"},"spec":{}}`), vsphere.SkipNoTopology},
		"T6 no TKR label": {noLabel, vsphere.SkipNoTKRLabel},
		"T8 no TKR_DATA":  {cluster(nil), vsphere.SkipNotResolved},
		"not vSphere":     {cluster(map[string]string{"TKR_DATA": data("foo")}), "skipping VM template resolution: the Cluster clusterNamespace/cluster is not a vSphere cluster (its ClusterClass clusterNamespace/tkg-vsphere-default uses AWSClusterTemplate, and it has no vcenter variable)"},
		"not vSphere, with an AMI": {cluster(map[string]string{"TKR_DATA": strings.Replace(data("foo"), `"osImageRef":{"version":"foo"}`, `"osImageRef":{"id":"ami-1","region":"us-west-2"}`, 1)}),
			"skipping VM template resolution: the Cluster clusterNamespace/cluster is not a vSphere cluster (its ClusterClass clusterNamespace/tkg-vsphere-default uses AWSClusterTemplate, and it has no vcenter variable)"},
		"T21 already done": {cluster(map[string]string{"TKR_DATA": strings.Replace(data("foo"), `"version":"foo"`, `"version":"foo","template":"/dc0/vm/t"`, 1), "vcenter": vc}), vsphere.SkipNoQueries},
	} {
		t.Run(name, func(t *testing.T) {
			resp := f.handle(tc.raw)
			if !resp.Allowed || resp.Result.Message != tc.want || len(resp.Patches) != 0 {
				t.Fatalf("response = %v %q %v, want allowed with %q and no patch", resp.Allowed, resp.Result.Message, resp.Patches, tc.want)
			}
		})
	}
	if f.resolver.calls != 0 {
		t.Errorf("vCenter was asked %d times for skipped Clusters", f.resolver.calls)
	}
}

func TestDenials(t *testing.T) {
	vsphereClass := &clusterv1.ClusterClass{Spec: clusterv1.ClusterClassSpec{Infrastructure: clusterv1.InfrastructureClass{
		TemplateRef: clusterv1.ClusterClassTemplateReference{Kind: InfrastructureKind}}}}
	notReady := map[string]any{"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1", "kind": "VSphereClusterIdentity",
		"metadata": map[string]any{"name": "not-ready"}, "spec": map[string]any{"secretName": "s"}}
	for name, tc := range map[string]struct {
		vars     map[string]string
		setup    func(*fixture)
		contains string
	}{
		"T9 the Secret cannot be read": {map[string]string{"vcenter": vc}, func(f *fixture) {
			f.secrets.fail["Secret:clusterNamespace/cluster"] = errors.New("Error while getting secret")
		}, "could not get secret for key: clusterNamespace/cluster: Error while getting secret"},
		"the Secret is missing": {map[string]string{"vcenter": vc}, func(f *fixture) {
			delete(f.secrets.objects, "Secret:clusterNamespace/cluster")
		}, "create it with the keys username and password"},
		"T10 vCenter cannot be reached": {map[string]string{"vcenter": vc}, func(f *fixture) {
			f.resolver.err = errors.New("cannot reach vCenter https://vc.example.com/sdk")
		}, "cannot reach vCenter https://vc.example.com/sdk\nCluster clusterNamespace/cluster was checked against vCenter vc.example.com, datacenter /dc0."},
		"T11 no template": {map[string]string{"vcenter": vc}, func(f *fixture) {
			f.resolver.err = errors.New("unable to find VM Template associated with OVA Version foo. Please upload at least one VM Template to continue")
		}, "unable to find VM Template associated with OVA Version foo. Please upload at least one VM Template to continue"},
		"T17 identityRef is not JSON of a reference": {map[string]string{"vcenter": vc, "identityRef": `"x"`}, nil, "could not parse variable identityRef"},
		"T17 unsupported identityRef kind":           {map[string]string{"vcenter": vc, "identityRef": `{"kind":"ConfigMap","name":"x"}`}, nil, "not supported identityRef type ConfigMap"},
		"T17 identity not ready": {map[string]string{"vcenter": vc, "identityRef": `{"kind":"VSphereClusterIdentity","name":"not-ready"}`}, func(f *fixture) {
			f.secrets.add("VSphereClusterIdentity", client.ObjectKey{Name: "not-ready"}, notReady)
		}, "VShereClusterIdentity not-ready is not ready yet"},
		"T17 identity missing":           {map[string]string{"vcenter": vc, "identityRef": `{"kind":"VSphereClusterIdentity","name":"nope"}`}, nil, "could not get VSphereClusterIdentity nope"},
		"T20 vcenter has the wrong type": {map[string]string{"vcenter": `"vc.example.com"`}, nil, "error parsing vcenter cluster variable"},
		"vcenter without datacenter":     {map[string]string{"vcenter": `{"server":"vc"}`}, nil, "the vcenter variable of the Cluster clusterNamespace/cluster has no datacenter"},
		"vSphere class without vcenter": {nil, func(f *fixture) {
			f.reader.add("ClusterClass", client.ObjectKey{Namespace: "clusterNamespace", Name: "tkg-vsphere-default"}, vsphereClass)
		}, "the Cluster clusterNamespace/cluster has no vcenter variable; add spec.topology.variables"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			if tc.setup != nil {
				tc.setup(f)
			}
			vars := map[string]string{"TKR_DATA": data("foo")}
			for k, v := range tc.vars {
				vars[k] = v
			}
			resp := f.handle(cluster(vars))
			if resp.Allowed || !strings.Contains(resp.Result.Message, tc.contains) {
				t.Fatalf("response = allowed %v, %q\nwant denied containing %q", resp.Allowed, resp.Result.Message, tc.contains)
			}
		})
	}
}

func TestIdentities(t *testing.T) { // T18, T19
	f := newFixture(t)
	f.secrets.add("VSphereClusterIdentity", client.ObjectKey{Name: "id"}, map[string]any{
		"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1", "kind": "VSphereClusterIdentity", "metadata": map[string]any{"name": "id"},
		"spec": map[string]any{"secretName": "vc-creds"}, "status": map[string]any{"ready": true}})
	f.secrets.add("Secret", client.ObjectKey{Namespace: CAPVNamespace, Name: "vc-creds"}, &corev1.Secret{
		Data: map[string][]byte{"username": []byte("idUser"), "password": []byte("idPass")}})
	f.secrets.add("Secret", client.ObjectKey{Namespace: "clusterNamespace", Name: "other"}, &corev1.Secret{
		Data: map[string][]byte{"username": []byte("otherUser"), "password": []byte("otherPass")}})
	thumb := `{"server":"vc.example.com","datacenter":"dc0","tlsThumbprint":"AA:BB"}`
	for ref, want := range map[string]string{
		`{"kind":"VSphereClusterIdentity","name":"id"}`: "idUser/idPass",
		`{"kind":"Secret","name":"other"}`:              "otherUser/otherPass",
	} {
		resp := f.handle(cluster(map[string]string{"TKR_DATA": data("foo"), "vcenter": thumb, "identityRef": ref}))
		if !resp.Allowed {
			t.Fatalf("%s: denied: %s", ref, resp.Result.Message)
		}
		ep := f.resolver.ep
		if got := ep.Username + "/" + ep.Password; got != want {
			t.Errorf("%s: credentials %s, want %s", ref, got, want)
		}
		if ep.Insecure || ep.Thumbprint != "AA:BB" || ep.Datacenter != "dc0" || ep.Server != "vc.example.com" {
			t.Errorf("%s: endpoint = %+v; a thumbprint means a verified, pinned connection", ref, ep)
		}
	}
}
