package vspheretemplate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/vcenter/vcentertest"
	"github.com/tkr-project/tkr/internal/webhooks/vspheretemplate"
	"github.com/tkr-project/tkr/pkg/tkrdata"
	"github.com/tkr-project/tkr/test/envtest"
)

const examples = "../../../examples"

var (
	env *envtest.Environment
	vc  *vcentertest.Server
)

// The example catalogue's Ubuntu OVAs of v1.22.17 (imported, not yet a template), v1.23.15 and
// v1.24.9.
const (
	ova122  = "v1.22.17+vmware.1-tkg.1-5e1b48aaaf4aa83ff4cb104ac6faec85"
	ova124  = "v1.24.9+vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93"
	path122 = "/dc0/vm/imported/ubuntu-2004-kube-v1.22.17+vmware.1-tkg.1"
	path123 = "/dc0/vm/ubuntu-2004-kube-v1.23.15+vmware.1-tkg.1"
	path124 = "/dc0/vm/ubuntu-2004-kube-v1.24.9+vmware.1-tkg.1" // the seed's
)

// TestMain starts one vcsim holding a template of every OVA of the example catalogue (as the
// seed's /dc0/vm/ubuntu-2004-kube-v1.24.9+vmware.1-tkg.1), v1.22.17's Ubuntu OVA imported into a
// folder but not marked as a template, and a second datacenter dc1; then one API server with
// both mutating webhooks.
func TestMain(m *testing.M) {
	var err error
	if vc, err = vcentertest.Start(exampleImages()); err != nil {
		fmt.Fprintln(os.Stderr, "starting vcsim:", err)
		os.Exit(1)
	}
	envtest.Main(m, &env, envtest.Options{Components: []string{"conversion-webhook", "status", "resolver-webhook", "vsphere-webhook"}})
}

func exampleImages() []vcentertest.Image {
	osImages, err := vcentertest.ExampleOSImages()
	if err != nil {
		panic(err)
	}
	images := vcentertest.ImagesFor(osImages, "dc0", "")
	for i := range images {
		if images[i].Version == ova122 && images[i].DistroName == "ubuntu" {
			images[i].Folder, images[i].Template = "imported", false
		}
	}
	for _, img := range osImages {
		if img.Spec.Image.Ref["version"] == ova124 {
			images = append(images, vcentertest.ImagesFor([]runv1alpha3.OSImage{img}, "dc1", "")...)
		}
	}
	return images
}

var loaded bool

// setup loads the example catalogue and ClusterClass once and waits until Clusters resolve.
func setup(t *testing.T) {
	t.Helper()
	if loaded {
		return
	}
	env.ApplyFiles(t, filepath.Join(examples, "catalog"), filepath.Join(examples, "clusterclass.yaml"))
	var err error
	var last *clusterv1beta1.Cluster
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		probe := exampleCluster(fmt.Sprintf("probe-%d", time.Now().UnixNano()), "v1.24")
		probe.Spec.Topology.Variables = nil // a vSphere Cluster without vcenter is denied only once resolved
		last = probe
		if err = env.Client.Create(context.Background(), probe, client.DryRunAll); err != nil && strings.Contains(err.Error(), "has no vcenter variable") {
			loaded = true
			return
		}
	}
	t.Fatalf("the webhooks did not resolve an example Cluster within 30s (last answer: %v, labels %v)", err, last.Labels)
}

func vcenterValue(dc string) apiextensionsv1.JSON {
	raw, _ := json.Marshal(map[string]string{"server": vc.Host, "datacenter": dc, "tlsThumbprint": vc.Thumbprint})
	return apiextensionsv1.JSON{Raw: raw}
}

// exampleCluster is examples/cluster.yaml's shape in vcsim's dc0, with one machine deployment.
func exampleCluster(name, version string) *clusterv1beta1.Cluster {
	c := envtest.ExampleCluster(name, 1)
	c.Spec.Topology.Version = version
	c.Spec.Topology.Variables = []clusterv1beta1.ClusterVariable{{Name: "vcenter", Value: vcenterValue("/dc0")}}
	return c
}

// credentials creates the Secret named after the Cluster that holds vcsim's login.
func credentials(t *testing.T, name string) {
	t.Helper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name},
		StringData: map[string]string{"username": vc.Username, "password": vc.Password}}
	if err := env.Client.Create(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}

func ref(t *testing.T, obj client.Object, version string, md int) map[string]any {
	t.Helper()
	c, err := tkrdata.ForCluster(obj)
	if err != nil {
		t.Fatal(err)
	}
	var d tkrdata.TKRData
	if md < 0 {
		d, err = tkrdata.Get(c)
	} else {
		d, err = tkrdata.GetForMD(c, md)
	}
	if err != nil || d[version] == nil {
		t.Fatalf("TKR_DATA has no %s entry (%v): %v", version, err, d)
	}
	return d[version].OSImageRef
}

func checkTemplate(t *testing.T, got map[string]any, path string) {
	t.Helper()
	if got["template"] != path || got["moid"] != vc.MOID(path) || vc.MOID(path) == "" {
		t.Errorf("osImageRef = %v, want template %s and moid %s", got, path, vc.MOID(path))
	}
}

// The seed's Cluster, as a user writes it (v1beta1), and the same Cluster as current Cluster API
// clients write it (v1beta2), both end with the seed's template path and MOID.
func TestClusterGetsTemplateAndMOID(t *testing.T) {
	setup(t)
	credentials(t, "seed-v1beta1")
	c := exampleCluster("seed-v1beta1", "v1.24.9+vmware.1")
	if err := env.Client.Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	got := ref(t, c, "v1.24.9+vmware.1", -1)
	checkTemplate(t, got, path124)
	if got["version"] != ova124 {
		t.Errorf("osImageRef.version = %v, want it kept", got["version"])
	}
	if raw, ok := mustView(t, c).MDOverride(0, "TKR_DATA"); ok {
		t.Errorf("md-0 runs the control plane's image but got an override: %s", raw)
	}

	credentials(t, "seed-v1beta2")
	c2 := &clusterv1.Cluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "seed-v1beta2"},
		Spec: clusterv1.ClusterSpec{Topology: clusterv1.Topology{
			ClassRef: clusterv1.ClusterClassRef{Name: "tkg-vsphere-default"}, Version: "v1.24.9+vmware.1",
			ControlPlane: clusterv1.ControlPlaneTopology{Metadata: clusterv1.ObjectMeta{
				Annotations: map[string]string{runv1alpha3.AnnotationResolveOSImage: "os-name=ubuntu"}}},
			Variables: []clusterv1.ClusterVariable{{Name: "vcenter", Value: vcenterValue("/dc0")}},
		}},
	}
	if err := env.Client.Create(context.Background(), c2); err != nil {
		t.Fatal(err)
	}
	checkTemplate(t, ref(t, c2, "v1.24.9+vmware.1", -1), path124)
}

func mustView(t *testing.T, obj client.Object) tkrdata.Cluster {
	t.Helper()
	c, err := tkrdata.ForCluster(obj)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// An upgrade resolves the new version's template and keeps the old version's entry, which the
// machines still on it read.
func TestUpgradeKeepsOldTemplate(t *testing.T) {
	setup(t)
	credentials(t, "upgrade")
	c := exampleCluster("upgrade", "v1.23")
	if err := env.Client.Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	checkTemplate(t, ref(t, c, "v1.23.15+vmware.1", -1), path123)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(c), c); err != nil {
			t.Fatal(err)
		}
		delete(c.Labels, runv1alpha3.LabelTKR)
		c.Spec.Topology.Version = "v1.24.9+vmware.1"
		err := env.Client.Update(context.Background(), c)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
	}
	checkTemplate(t, ref(t, c, "v1.24.9+vmware.1", -1), path124)
	checkTemplate(t, ref(t, c, "v1.23.15+vmware.1", -1), path123)
	// kubectl describe cluster shows which templates the upgrade got.
	want := "Resolved the VM templates of control plane, machine deployment md-0: " + path124 + " (" + vc.MOID(path124) + ")."
	var notes []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		list := &eventsv1.EventList{}
		if err := env.Client.List(context.Background(), list, client.InNamespace("default")); err != nil {
			t.Fatal(err)
		}
		notes = notes[:0]
		for _, e := range list.Items {
			if e.Regarding.Name == "upgrade" && e.Regarding.UID == c.UID && e.Reason == "VMTemplateResolved" {
				notes = append(notes, e.Note)
			}
		}
		if slices.Contains(notes, want) {
			return
		}
	}
	t.Errorf("VMTemplateResolved Events on the upgraded Cluster: %q, want one saying %q", notes, want)
}

// An OVA that was imported but not marked as a template is named in the denial with the command
// that fixes it; once it is a template, the next attempt is admitted (the index refreshes once
// on a miss, so nobody waits for the periodic resync).
func TestNotYetTemplateThenConverted(t *testing.T) {
	setup(t)
	credentials(t, "convert")
	err := env.Client.Create(context.Background(), exampleCluster("convert", "v1.22"))
	for _, want := range []string{
		`admission webhook "` + vspheretemplate.Name + `" denied the request: unable to find VM Template associated with OVA Version ` + ova122 +
			", but found these VM(s) [" + path122 + "] that can be used once converted to a VM Template",
		"govc vm.markastemplate " + path122,
		"Cluster default/convert was checked against vCenter " + vc.Host + ", datacenter /dc0.",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("create answered %v\nwant it to contain %q", err, want)
		}
	}
	if err := vc.MarkAsTemplate(path122); err != nil {
		t.Fatal(err)
	}
	c := exampleCluster("convert", "v1.22")
	if err := env.Client.Create(context.Background(), c); err != nil {
		t.Fatalf("after converting the VM: %v", err)
	}
	checkTemplate(t, ref(t, c, "v1.22.17+vmware.1", -1), path122)
}

// A Cluster of another infrastructure is left to its own provider, and a vSphere Cluster without
// credentials is told which Secret is missing.
func TestScoping(t *testing.T) {
	setup(t)
	env.ApplyFiles(t, "testdata/aws-clusterclass.yaml")
	aws := exampleCluster("aws", "v1.24")
	aws.Spec.Topology.Class = "aws"
	aws.Spec.Topology.Variables = nil
	if err := env.Client.Create(context.Background(), aws); err != nil {
		t.Fatalf("a non-vSphere Cluster was not admitted: %v", err)
	}
	if got := ref(t, aws, "v1.24.9+vmware.1", -1); got["template"] != nil {
		t.Errorf("a non-vSphere Cluster got a template: %v", got)
	}

	err := env.Client.Create(context.Background(), exampleCluster("no-secret", "v1.24"))
	if err == nil || !strings.Contains(err.Error(), "could not get secret for key: default/no-secret") {
		t.Fatalf("create answered %v, want a denial naming the Secret", err)
	}
}

// With vCenter down, an admission that needs it is denied with a message naming the server (not
// a webhook timeout); once vCenter is back, the same Cluster is admitted.
func TestVCenterDownAndBack(t *testing.T) {
	setup(t)
	credentials(t, "outage")
	c := exampleCluster("outage", "v1.24")
	c.Spec.Topology.Variables = []clusterv1beta1.ClusterVariable{{Name: "vcenter", Value: vcenterValue("/dc1")}}
	vc.Stop()
	err := env.Client.Create(context.Background(), c.DeepCopy())
	vc.Restart()
	// The session outlives the outage, so the first call to fail is the datacenter lookup.
	want := "cannot reach vCenter https://" + vc.Host + "/sdk"
	if err == nil || !strings.Contains(err.Error(), "denied the request: failed to get the datacenter MOID: "+want) || strings.Contains(err.Error(), "check the vcenter variable's datacenter") {
		t.Fatalf("create during the outage answered %v, want a denial naming %s", err, vc.Host)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		err = env.Client.Create(context.Background(), c)
		if err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("after vCenter came back: %v", err)
	}
	checkTemplate(t, ref(t, c, "v1.24.9+vmware.1", -1), "/dc1/vm/"+filepath.Base(path124))
}
