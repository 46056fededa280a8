package clusterupdates_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/apply"
	"github.com/tkr-project/tkr/pkg/catalog"
	"github.com/tkr-project/tkr/test/envtest"
)

var env *envtest.Environment

const examples = "../../../examples"

func TestMain(m *testing.M) {
	envtest.Main(m, &env, envtest.Options{
		Components: []string{"conversion-webhook", "status", "resolver-webhook"},
	})
}

// timeout bounds every wait for the controller: it reacts to watch events within milliseconds,
// so reaching it means the condition never came.
const timeout = 30 * time.Second

var examplesLoaded bool

// loadExamples applies the example catalogue and ClusterClass once, and waits until the resolver
// webhook resolves with them (its catalogue follows the API through informers).
func loadExamples(t *testing.T) {
	t.Helper()
	if examplesLoaded {
		return
	}
	objs, err := catalog.Load(filepath.Join(examples, "catalog"), filepath.Join(examples, "clusterclass.yaml"))
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
	for deadline := time.Now().Add(timeout); ; time.Sleep(100 * time.Millisecond) {
		probe := exampleCluster(t, fmt.Sprintf("probe-%d", time.Now().UnixNano()), "v1.24.9+vmware.1")
		err := env.Client.Create(context.Background(), probe, client.DryRunAll)
		if err == nil && probe.Labels[runv1alpha3.LabelTKR] != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the resolver webhook did not resolve with the example catalogue (last error: %v)", err)
		}
	}
	examplesLoaded = true
}

// loadExample decodes the single object of an example file into out.
func loadExample(t *testing.T, file string, out runtime.Object) {
	t.Helper()
	objs, err := catalog.Load(filepath.Join(examples, file))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 {
		t.Fatalf("%s holds %d objects, want 1", file, len(objs))
	}
	if err := objs[0].Into(env.Scheme, out); err != nil {
		t.Fatal(err)
	}
}

// exampleCluster returns examples/cluster.yaml (v1beta1: Ubuntu OVAs for the control plane and
// md-0, class tkg-vsphere-default) named name, on topology version v.
func exampleCluster(t *testing.T, name, v string) *clusterv1beta1.Cluster {
	t.Helper()
	c := &clusterv1beta1.Cluster{}
	loadExample(t, "cluster.yaml", c)
	c.Name, c.Spec.Topology.Version = name, v
	return c
}

// legacyCluster returns a Cluster without topology carrying labels. It has a cluster network,
// as any real Cluster has some spec: Cluster API v1beta2 refuses updates to a Cluster without.
func legacyCluster(name string, labels map[string]string) *clusterv1beta1.Cluster {
	return &clusterv1beta1.Cluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, Labels: labels},
		Spec: clusterv1beta1.ClusterSpec{ClusterNetwork: &clusterv1beta1.ClusterNetwork{
			Pods: &clusterv1beta1.NetworkRanges{CIDRBlocks: []string{"100.96.0.0/11"}},
		}},
	}
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := env.Client.Create(context.Background(), obj); err != nil {
		t.Fatalf("creating %s: %v", obj.GetName(), err)
	}
	t.Cleanup(func() { _ = env.Client.Delete(context.Background(), obj) })
}

// conditions is what readers of both Cluster API versions see of UpdatesAvailable.
type conditions struct {
	// v1beta2 is status.conditions read as v1beta2; v1beta1 is status.conditions read as
	// v1beta1; v1beta1V2 is status.v1beta2.conditions read as v1beta1.
	v1beta2, v1beta1V2 *metav1.Condition
	v1beta1            *clusterv1beta1.Condition
}

func read(t *testing.T, name string) conditions {
	t.Helper()
	key := client.ObjectKey{Namespace: "default", Name: name}
	var got conditions
	c2 := &clusterv1.Cluster{}
	if err := env.Client.Get(context.Background(), key, c2); err != nil {
		t.Fatal(err)
	}
	got.v1beta2 = meta.FindStatusCondition(c2.Status.Conditions, runv1alpha3.ConditionUpdatesAvailable)
	c1 := &clusterv1beta1.Cluster{}
	if err := env.Client.Get(context.Background(), key, c1); err != nil {
		t.Fatal(err)
	}
	for i := range c1.Status.Conditions {
		if c1.Status.Conditions[i].Type == runv1alpha3.ConditionUpdatesAvailable {
			got.v1beta1 = &c1.Status.Conditions[i]
		}
	}
	if c1.Status.V1Beta2 != nil {
		got.v1beta1V2 = meta.FindStatusCondition(c1.Status.V1Beta2.Conditions, runv1alpha3.ConditionUpdatesAvailable)
	}
	return got
}

// eventually polls the condition of Cluster name until ok accepts it, and fails the test with
// the last one seen otherwise.
func eventually(t *testing.T, name string, what string, ok func(conditions) bool) conditions {
	t.Helper()
	var got conditions
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if got = read(t, name); ok(got) {
			return got
		}
	}
	t.Fatalf("Cluster %s: UpdatesAvailable never became %s; last seen: %s", name, what, describe(got))
	return got
}

func describe(c conditions) string {
	if c.v1beta2 == nil {
		return "absent"
	}
	return fmt.Sprintf("%s/%s %q", c.v1beta2.Status, c.v1beta2.Reason, c.v1beta2.Message)
}

// messageIs waits until the condition is True with message msg, in both API versions.
func messageIs(t *testing.T, name, msg string) conditions {
	t.Helper()
	return eventually(t, name, "True "+msg, func(c conditions) bool {
		return c.v1beta2 != nil && c.v1beta2.Status == metav1.ConditionTrue && c.v1beta2.Message == msg &&
			c.v1beta1 != nil && c.v1beta1.Message == msg
	})
}

// upToDate waits until the condition is False/AlreadyUpToDate.
func upToDate(t *testing.T, name string) conditions {
	t.Helper()
	return eventually(t, name, "False/AlreadyUpToDate", func(c conditions) bool {
		return c.v1beta2 != nil && c.v1beta2.Status == metav1.ConditionFalse && c.v1beta2.Reason == runv1alpha3.ReasonAlreadyUpToDate
	})
}

// versions returns the versions listed in a True condition's message.
func versions(msg string) []string {
	return strings.Fields(strings.Trim(msg, "[]"))
}

// newRelease creates TKR version (Kubernetes version k8s) with one OVA per OS name in oses,
// copied from the example release v1.24.9+vmware.1-tkg.1, and removes them after the test.
// The release is valid and compatible, as a published one is: it lists no bootstrap packages
// (which would need a ClusterBootstrapTemplate), and an additional-compatible-tkrs ConfigMap
// blesses its version, which the example management cluster's metadata does not list.
func newRelease(t *testing.T, v, k8s string, oses ...string) *runv1alpha3.TanzuKubernetesRelease {
	t.Helper()
	tkr := &runv1alpha3.TanzuKubernetesRelease{}
	loadExample(t, "catalog/v1.24.9---vmware.1-tkg.1/tkr.yaml", tkr)
	name := strings.ReplaceAll(v, "+", "---")
	tkr.Name, tkr.Spec.Version, tkr.Spec.Kubernetes.Version, tkr.Spec.OSImages, tkr.Spec.BootstrapPackages = name, v, k8s, nil, nil
	create(t, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: "tkg-system", Name: "compatible-" + name,
			Labels: map[string]string{runv1alpha3.LabelAdditionalCompatibleTKRs: ""}},
		Data: map[string]string{"tkrVersions": "- " + v + "\n"},
	})
	for _, os := range oses {
		img := &runv1alpha3.OSImage{
			ObjectMeta: metav1.ObjectMeta{Name: name + "-" + os},
			Spec: runv1alpha3.OSImageSpec{
				KubernetesVersion: k8s,
				OS:                runv1alpha3.OSInfo{Type: "linux", Name: os, Version: "1", Arch: "amd64"},
				Image:             runv1alpha3.MachineImageInfo{Type: "ova", Ref: map[string]interface{}{"version": v + "-" + os}},
			},
		}
		create(t, img)
		tkr.Spec.OSImages = append(tkr.Spec.OSImages, runv1alpha3.OSImageReference{Name: img.Name})
	}
	create(t, tkr)
	return tkr
}

// exampleClass returns examples/clusterclass.yaml named name, with the given annotations in
// place of its resolve-tkr: "".
func exampleClass(t *testing.T, name string, annotations map[string]string) *clusterv1beta1.ClusterClass {
	t.Helper()
	cc := &clusterv1beta1.ClusterClass{}
	loadExample(t, "clusterclass.yaml", cc)
	cc.Name, cc.Annotations = name, annotations
	return cc
}

// consistently checks for a while that Cluster name's condition keeps satisfying ok: used where
// the expected outcome is that nothing changes.
func consistently(t *testing.T, name, what string, ok func(conditions) bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if got := read(t, name); !ok(got) {
			t.Fatalf("Cluster %s: UpdatesAvailable is no longer %s: %s", name, what, describe(got))
		}
	}
}

func hasVersion(c conditions, v string) bool {
	return c.v1beta2 != nil && slices.Contains(versions(c.v1beta2.Message), v)
}
