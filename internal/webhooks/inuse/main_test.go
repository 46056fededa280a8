package inuse_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	webhookconfig "github.com/tkr-project/tkr/config/webhook"
	"github.com/tkr-project/tkr/internal/webhooks/inuse"
	"github.com/tkr-project/tkr/pkg/tkrdata"
	"github.com/tkr-project/tkr/pkg/version"
	"github.com/tkr-project/tkr/test/envtest"
)

var env *envtest.Environment

func TestMain(m *testing.M) {
	envtest.Main(m, &env, envtest.Options{
		ValidatingWebhooks: webhookConfiguration(),
		Setup:              func(_ context.Context, mgr ctrl.Manager) error { return inuse.Setup(mgr) },
	})
}

// webhookConfiguration returns the webhook's entry in config/webhook once `make generate` has
// written it from the +kubebuilder:webhook marker, and until then the same configuration
// written out here. Only this package's tests register it, so the harness does not depend on
// the component being wired into the manager.
func webhookConfiguration() []*admissionv1.ValidatingWebhookConfiguration {
	if _, generated, err := webhookconfig.Configurations([]string{inuse.Name}); err == nil && len(generated) > 0 {
		return generated
	}
	fail, none, equivalent := admissionv1.Fail, admissionv1.SideEffectClassNone, admissionv1.Equivalent
	path := inuse.Path
	return []*admissionv1.ValidatingWebhookConfiguration{{
		ObjectMeta: metav1.ObjectMeta{Name: "validating-webhook-configuration"},
		Webhooks: []admissionv1.ValidatingWebhook{{
			Name:                    inuse.Name,
			AdmissionReviewVersions: []string{"v1"},
			ClientConfig:            admissionv1.WebhookClientConfig{Service: &admissionv1.ServiceReference{Name: "webhook-service", Namespace: "system", Path: &path}},
			FailurePolicy:           &fail,
			MatchPolicy:             &equivalent,
			SideEffects:             &none,
			Rules: []admissionv1.RuleWithOperations{{
				Operations: []admissionv1.OperationType{admissionv1.Delete},
				Rule: admissionv1.Rule{
					APIGroups:   []string{runv1alpha3.GroupVersion.Group},
					APIVersions: []string{runv1alpha3.GroupVersion.Version},
					Resources:   []string{"tanzukubernetesreleases", "osimages"},
				},
			}},
		}},
	}}
}

// release is a TKR and its OSImages, created in the API server.
type release struct {
	tkr    *runv1alpha3.TanzuKubernetesRelease
	images []*runv1alpha3.OSImage
}

// createRelease creates a TKR of version v (e.g. v1.30.1+inuse.1-tkg.1) with one OSImage per
// OS name, named <tkr name>-<os>. Every test uses versions of its own, so tests do not see each
// other's releases.
func createRelease(t *testing.T, v string, oses ...string) release {
	t.Helper()
	ver := version.MustParse(v)
	k8s := fmt.Sprintf("v%d.%d.%d+%s", ver.Major(), ver.Minor(), ver.Patch(), strings.Split(ver.BuildMetadata(), "-")[0])
	r := release{tkr: &runv1alpha3.TanzuKubernetesRelease{
		ObjectMeta: metav1.ObjectMeta{Name: version.Label(v)},
		Spec: runv1alpha3.TanzuKubernetesReleaseSpec{
			Version:    v,
			Kubernetes: runv1alpha3.KubernetesSpec{Version: k8s, ImageRepository: "registry.example.com/tkg"},
		},
	}}
	for _, os := range oses {
		img := &runv1alpha3.OSImage{
			ObjectMeta: metav1.ObjectMeta{Name: r.tkr.Name + "-" + os},
			Spec: runv1alpha3.OSImageSpec{
				KubernetesVersion: k8s,
				OS:                runv1alpha3.OSInfo{Type: "linux", Name: os, Version: "1", Arch: "amd64"},
				Image:             runv1alpha3.MachineImageInfo{Type: "ova", Ref: map[string]any{"version": v + "-" + os}},
			},
		}
		create(t, img)
		r.images = append(r.images, img)
		r.tkr.Spec.OSImages = append(r.tkr.Spec.OSImages, runv1alpha3.OSImageReference{Name: img.Name})
	}
	create(t, r.tkr)
	return r
}

// data returns the TKR_DATA of a Cluster on r with OSImage number i.
func (r release) data(i int) tkrdata.TKRData {
	return tkrdata.TKRData{r.tkr.Spec.Kubernetes.Version: tkrdata.NewEntry(r.tkr, r.images[i], "")}
}

// clusterOn returns a ClusterClass-based Cluster resolved as the TKR resolver would write it:
// labelled with r's TKR, on its Kubernetes version, with TKR_DATA naming OSImage number cp at
// cluster level, and an override naming OSImage number mds[name] for each named machine
// deployment. Machine deployment md-0 always exists and has no override.
func clusterOn(t *testing.T, name string, r release, cp int, mds map[string]int) *clusterv1.Cluster {
	t.Helper()
	c := &clusterv1.Cluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, Labels: map[string]string{runv1alpha3.LabelTKR: r.tkr.Name}},
		Spec: clusterv1.ClusterSpec{Topology: clusterv1.Topology{
			ClassRef: clusterv1.ClusterClassRef{Name: "tkg-vsphere-default"},
			Version:  r.tkr.Spec.Kubernetes.Version,
			Workers:  clusterv1.WorkersTopology{MachineDeployments: []clusterv1.MachineDeploymentTopology{{Class: "tkg-worker", Name: "md-0"}}},
		}},
	}
	for _, md := range slices.Sorted(maps.Keys(mds)) {
		c.Spec.Topology.Workers.MachineDeployments = append(c.Spec.Topology.Workers.MachineDeployments, clusterv1.MachineDeploymentTopology{Class: "tkg-worker", Name: md})
	}
	resolveTo(t, c, r, cp, mds)
	return c
}

// resolveTo points c at r as the resolver does on an upgrade: the label, the version and a new
// TKR_DATA entry; entries of other versions are kept.
func resolveTo(t *testing.T, c *clusterv1.Cluster, r release, cp int, mds map[string]int) {
	t.Helper()
	c.Labels[runv1alpha3.LabelTKR] = r.tkr.Name
	c.Spec.Topology.Version = r.tkr.Spec.Kubernetes.Version
	data := tkrDataOf(t, c)
	if data == nil {
		data = tkrdata.TKRData{}
	}
	view, err := tkrdata.ForCluster(c)
	if err != nil {
		t.Fatal(err)
	}
	data[r.tkr.Spec.Kubernetes.Version] = r.data(cp)[r.tkr.Spec.Kubernetes.Version]
	if err := tkrdata.Set(view, data); err != nil {
		t.Fatal(err)
	}
	for i, md := range view.MachineDeployments() {
		mdData, err := tkrdata.GetForMD(view, i)
		if err != nil {
			t.Fatal(err)
		}
		img, ok := mds[md.Name]
		if !ok {
			img = cp
		}
		mdData = maps.Clone(mdData)
		if mdData == nil {
			mdData = tkrdata.TKRData{}
		}
		mdData[r.tkr.Spec.Kubernetes.Version] = r.data(img)[r.tkr.Spec.Kubernetes.Version]
		if err := tkrdata.SetForMD(view, i, mdData); err != nil {
			t.Fatal(err)
		}
	}
}

func tkrDataOf(t *testing.T, c *clusterv1.Cluster) tkrdata.TKRData {
	t.Helper()
	view, err := tkrdata.ForCluster(c)
	if err != nil {
		t.Fatal(err)
	}
	data, err := tkrdata.Get(view)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := env.Client.Create(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
}

// removeCluster deletes a Cluster and waits until the webhook's cache no longer has it.
func removeCluster(t *testing.T, c *clusterv1.Cluster) {
	t.Helper()
	if err := env.Client.Delete(context.Background(), c); err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	waitCache(t, c, func(err error, _ *clusterv1.Cluster) bool { return apierrors.IsNotFound(err) })
}

// applyCluster creates or updates c and waits until the webhook's cache holds that version of
// it: the webhook reads Clusters from the manager's cache, which follows the API server
// moments later, as it would for a user who deletes a release right after creating a Cluster.
func applyCluster(t *testing.T, c *clusterv1.Cluster) {
	t.Helper()
	var err error
	if c.ResourceVersion == "" {
		err = env.Client.Create(context.Background(), c)
	} else {
		err = env.Client.Update(context.Background(), c)
	}
	if err != nil {
		t.Fatal(err)
	}
	rv := c.ResourceVersion
	waitCache(t, c, func(err error, cached *clusterv1.Cluster) bool { return err == nil && cached.ResourceVersion == rv })
}

func waitCache(t *testing.T, c *clusterv1.Cluster, done func(error, *clusterv1.Cluster) bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		cached := &clusterv1.Cluster{}
		err := env.Manager.GetClient().Get(context.Background(), client.ObjectKeyFromObject(c), cached)
		if done(err, cached) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the manager's cache did not catch up with Cluster %s/%s within 10s (last error: %v)", c.Namespace, c.Name, err)
		}
	}
}

// denialPrefix is how the API server reports the webhook's denials.
const denialPrefix = `admission webhook "` + inuse.Name + `" denied the request: `
