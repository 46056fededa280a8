package clusterupdates_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/controllers/clusterupdates"
)

const gpuLabel = "tkr.tanzu.vmware.com/gpu-efi"

// The example catalogue, then releases added and removed: each step's expectation follows from
// the previous state, so the steps run in order in one test. (The other tests of the package
// judge only what these releases cannot change; the releases are deleted at the end.)
//
// The example ClusterClass carries resolve-tkr: "", which matches every TKR, the bring-your-own
// v1.24.9+vmware.1-gpu-efi included: its label tkr.tanzu.vmware.com/gpu-efi restricts only
// selectors that mention it, and its Ubuntu OVA satisfies the example Cluster's
// image-type=ova,os-name=ubuntu. The resolver webhook would resolve the Cluster to it when
// asked for its version, so it is offered; a Cluster (or class) that wants BYO TKRs kept out
// says so with resolve-tkr: '!tkr.tanzu.vmware.com/gpu-efi', as on-v123-no-byo does.
func TestExampleCatalogue(t *testing.T) {
	loadExamples(t)

	create(t, exampleCluster(t, "on-v123", "v1.23"))
	noBYO := exampleCluster(t, "on-v123-no-byo", "v1.23")
	noBYO.Annotations = map[string]string{runv1alpha3.AnnotationResolveTKR: "!" + gpuLabel}
	create(t, noBYO)
	create(t, exampleCluster(t, "on-v124", "v1.24.9+vmware.1"))
	photon := exampleCluster(t, "on-v124-photon", "v1.24.9+vmware.1")
	photon.Spec.Topology.ControlPlane.Metadata.Annotations[runv1alpha3.AnnotationResolveOSImage] = "image-type=ova,os-name=photon"
	photon.Spec.Topology.Workers.MachineDeployments[0].Metadata.Annotations[runv1alpha3.AnnotationResolveOSImage] = "image-type=ova,os-name=photon"
	create(t, photon)

	// The next minor version is offered, to readers of both API versions.
	const msg = "[v1.24.9+vmware.1-gpu-efi v1.24.9+vmware.1-tkg.1]"
	got := messageIs(t, "on-v123", msg)
	want := conditions{
		v1beta2: &metav1.Condition{Type: runv1alpha3.ConditionUpdatesAvailable, Status: metav1.ConditionTrue,
			Reason: clusterupdates.ReasonUpdatesAvailable, Message: msg},
		// Cluster API's conversion shows v1beta1 readers the v1beta2 conditions here too.
		v1beta1V2: &metav1.Condition{Type: runv1alpha3.ConditionUpdatesAvailable, Status: metav1.ConditionTrue,
			Reason: clusterupdates.ReasonUpdatesAvailable, Message: msg},
		// The original's v1beta1 condition: True without reason or severity.
		v1beta1: &clusterv1beta1.Condition{Type: runv1alpha3.ConditionUpdatesAvailable, Status: "True", Message: msg},
	}
	if diff := cmp.Diff(want, got, ignoreTimes); diff != "" {
		t.Errorf("conditions (-want +got):\n%s", diff)
	}
	if got.v1beta2.LastTransitionTime.IsZero() || got.v1beta1.LastTransitionTime.IsZero() {
		t.Error("LastTransitionTime is not set")
	}
	messageIs(t, "on-v123-no-byo", "[v1.24.9+vmware.1-tkg.1]")

	// Clusters on the newest TKR are up to date.
	got = upToDate(t, "on-v124")
	if c := got.v1beta1; c == nil || c.Status != "False" || c.Reason != runv1alpha3.ReasonAlreadyUpToDate || c.Severity != clusterv1beta1.ConditionSeverityInfo {
		t.Errorf("v1beta1 condition = %+v, want False/AlreadyUpToDate with severity Info", c)
	}
	if !strings.HasSuffix(got.v1beta2.Message, ".") {
		t.Errorf("message %q is not a sentence", got.v1beta2.Message)
	}
	upToDate(t, "on-v124-photon")

	// A newer TKR with OSImages for both selectors is offered to every cluster it suits.
	v12410 := newRelease(t, "v1.24.10+vmware.1-tkg.1", "v1.24.10+vmware.1", "ubuntu", "photon")
	messageIs(t, "on-v124", "[v1.24.10+vmware.1-tkg.1]")
	messageIs(t, "on-v124-photon", "[v1.24.10+vmware.1-tkg.1]")
	messageIs(t, "on-v123", "[v1.24.9+vmware.1-gpu-efi v1.24.9+vmware.1-tkg.1 v1.24.10+vmware.1-tkg.1]")

	// A TKR whose only OSImage is Photon is not offered to the Ubuntu cluster. The Photon
	// cluster is the witness that the controller has seen the release.
	newRelease(t, "v1.24.11+vmware.1-tkg.1", "v1.24.11+vmware.1", "photon")
	messageIs(t, "on-v124-photon", "[v1.24.10+vmware.1-tkg.1 v1.24.11+vmware.1-tkg.1]")
	consistently(t, "on-v124", "[v1.24.10+vmware.1-tkg.1]", func(c conditions) bool {
		return c.v1beta2 != nil && c.v1beta2.Message == "[v1.24.10+vmware.1-tkg.1]"
	})

	// A deleted TKR is no longer offered.
	if err := env.Client.Delete(context.Background(), v12410); err != nil {
		t.Fatal(err)
	}
	upToDate(t, "on-v124")
	messageIs(t, "on-v124-photon", "[v1.24.11+vmware.1-tkg.1]")
}

// Times are the API server's; only their presence is checked.
var ignoreTimes = cmp.Options{
	cmp.Comparer(func(a, b metav1.Time) bool { return true }),
	cmp.AllowUnexported(conditions{}),
	// ObservedGeneration is the Cluster's generation, whatever it is by then.
	cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".ObservedGeneration" }, cmp.Ignore()),
}

// A Cluster without topology is judged by its tanzuKubernetesRelease label alone.
func TestLegacyCluster(t *testing.T) {
	loadExamples(t)
	create(t, legacyCluster("legacy-v123", map[string]string{runv1alpha3.LabelLegacyClusterTKR: "v1.23.15---vmware.1-tkg.1"}))
	got := eventually(t, "legacy-v123", "True with v1.24.9+vmware.1-tkg.1", func(c conditions) bool {
		return c.v1beta2 != nil && c.v1beta2.Status == metav1.ConditionTrue && hasVersion(c, "v1.24.9+vmware.1-tkg.1")
	})
	for _, v := range versions(got.v1beta2.Message) {
		if !strings.HasPrefix(v, "v1.24.") {
			t.Errorf("legacy v1.23.15 cluster is offered %s, want only newer v1.23 and v1.24 releases", v)
		}
	}
	if got.v1beta1 == nil || got.v1beta1.Message != got.v1beta2.Message {
		t.Errorf("v1beta1 readers see %+v, want the message %q", got.v1beta1, got.v1beta2.Message)
	}
}

// Unusable labels and classes give Unknown conditions, never a crash.
func TestUnknown(t *testing.T) {
	loadExamples(t)
	create(t, exampleClass(t, "no-resolve", nil))

	unparsable := func(t *testing.T, name string) {
		t.Helper()
		got := eventually(t, name, "Unknown/CannotParseTKR", func(c conditions) bool {
			return c.v1beta2 != nil && c.v1beta2.Status == metav1.ConditionUnknown && c.v1beta2.Reason == runv1alpha3.ReasonCannotParseTKR
		})
		const prefix = "Cannot parse TKR version from TKR name 'not-a-version': "
		if !strings.HasPrefix(got.v1beta2.Message, prefix) || !strings.HasSuffix(got.v1beta2.Message, ".") {
			t.Errorf("message %q, want a sentence starting with %q", got.v1beta2.Message, prefix)
		}
		if c := got.v1beta1; c == nil || c.Status != "Unknown" || c.Reason != runv1alpha3.ReasonCannotParseTKR || c.Severity != "" {
			t.Errorf("v1beta1 condition = %+v, want Unknown/CannotParseTKR without severity", c)
		}
	}

	t.Run("legacy cluster with an unparsable tkr label", func(t *testing.T) {
		create(t, legacyCluster("unparsable-legacy", map[string]string{runv1alpha3.LabelTKR: "not-a-version"}))
		unparsable(t, "unparsable-legacy")
	})

	// The resolver webhook would replace the label of a Cluster it resolves, so these use a
	// class without resolve-tkr, which it leaves alone.
	t.Run("ClusterClass cluster with an unparsable tkr label", func(t *testing.T) {
		c := exampleCluster(t, "unparsable-classy", "v1.24.9+vmware.1")
		c.Spec.Topology.Class = "no-resolve"
		c.Labels = map[string]string{runv1alpha3.LabelTKR: "not-a-version"}
		create(t, c)
		unparsable(t, "unparsable-classy")
	})

	t.Run("ClusterClass cluster without resolve-tkr", func(t *testing.T) {
		c := exampleCluster(t, "without-resolve-tkr", "v1.24.9+vmware.1")
		c.Spec.Topology.Class = "no-resolve"
		c.Labels = map[string]string{runv1alpha3.LabelTKR: "v1.24.9---vmware.1-tkg.1"}
		create(t, c)
		got := eventually(t, c.Name, "Unknown/CannotComputeUpdates", func(c conditions) bool {
			return c.v1beta2 != nil && c.v1beta2.Status == metav1.ConditionUnknown && c.v1beta2.Reason == clusterupdates.ReasonCannotComputeUpdates
		})
		if !strings.Contains(got.v1beta2.Message, runv1alpha3.AnnotationResolveTKR) {
			t.Errorf("message %q does not name the missing annotation", got.v1beta2.Message)
		}
	})

	t.Run("ClusterClass deleted and recreated", func(t *testing.T) {
		class := exampleClass(t, "short-lived", map[string]string{runv1alpha3.AnnotationResolveTKR: ""})
		create(t, class)
		c := exampleCluster(t, "on-short-lived", "v1.24.9+vmware.1")
		c.Spec.Topology.Class = class.Name
		create(t, c)
		eventually(t, c.Name, "known", func(c conditions) bool {
			return c.v1beta2 != nil && c.v1beta2.Status != metav1.ConditionUnknown
		})
		if err := env.Client.Delete(context.Background(), class); err != nil {
			t.Fatal(err)
		}
		got := eventually(t, c.Name, "Unknown/CannotComputeUpdates", func(c conditions) bool {
			return c.v1beta2 != nil && c.v1beta2.Reason == clusterupdates.ReasonCannotComputeUpdates
		})
		if !strings.Contains(got.v1beta2.Message, "default/short-lived does not exist") {
			t.Errorf("message %q does not name the missing ClusterClass", got.v1beta2.Message)
		}
		create(t, exampleClass(t, "short-lived", map[string]string{runv1alpha3.AnnotationResolveTKR: ""}))
		eventually(t, c.Name, "known again", func(c conditions) bool {
			return c.v1beta2 != nil && c.v1beta2.Status != metav1.ConditionUnknown
		})
	})
}

// The controller changes only its own condition, follows the TKR label, and removes the
// condition with the label.
func TestOnlyOwnConditionAndLabelChanges(t *testing.T) {
	loadExamples(t)
	const name = "label-changes"
	create(t, legacyCluster(name, map[string]string{runv1alpha3.LabelLegacyClusterTKR: "v1.24.9---vmware.1-tkg.1"}))
	upToDate(t, name)

	// Conditions of Cluster API's controllers, in both places.
	key := client.ObjectKey{Namespace: "default", Name: name}
	c := &clusterv1.Cluster{}
	if err := env.Client.Get(context.Background(), key, c); err != nil {
		t.Fatal(err)
	}
	orig := c.DeepCopy()
	now := metav1.Now()
	meta.SetStatusCondition(&c.Status.Conditions, metav1.Condition{Type: "Available", Status: metav1.ConditionFalse, Reason: "NotYet", Message: "Not yet.", LastTransitionTime: now})
	c.Status.Deprecated.V1Beta1.Conditions = append(c.Status.Deprecated.V1Beta1.Conditions,
		clusterv1.Condition{Type: "Ready", Status: "False", Severity: clusterv1.ConditionSeverityInfo, Reason: "NotYet", LastTransitionTime: now})
	if err := env.Client.Status().Patch(context.Background(), c, client.MergeFrom(orig)); err != nil {
		t.Fatal(err)
	}

	relabel(t, key, "v1.23.15---vmware.1-tkg.1")
	eventually(t, name, "True with v1.24.9+vmware.1-tkg.1", func(c conditions) bool { return hasVersion(c, "v1.24.9+vmware.1-tkg.1") })
	foreignKept(t, key)

	relabel(t, key, "")
	eventually(t, name, "absent", func(c conditions) bool { return c.v1beta2 == nil && c.v1beta1 == nil })
	foreignKept(t, key)
}

// relabel sets the Cluster's tanzuKubernetesRelease label to tkr, or removes it if tkr is "".
func relabel(t *testing.T, key client.ObjectKey, tkr string) {
	t.Helper()
	c := &clusterv1.Cluster{}
	if err := env.Client.Get(context.Background(), key, c); err != nil {
		t.Fatal(err)
	}
	orig := c.DeepCopy()
	if tkr == "" {
		delete(c.Labels, runv1alpha3.LabelLegacyClusterTKR)
	} else {
		c.Labels[runv1alpha3.LabelLegacyClusterTKR] = tkr
	}
	if err := env.Client.Patch(context.Background(), c, client.MergeFrom(orig)); err != nil {
		t.Fatal(err)
	}
}

func foreignKept(t *testing.T, key client.ObjectKey) {
	t.Helper()
	c := &clusterv1.Cluster{}
	if err := env.Client.Get(context.Background(), key, c); err != nil {
		t.Fatal(err)
	}
	if meta.FindStatusCondition(c.Status.Conditions, "Available") == nil {
		t.Error("the v1beta2 condition Available was removed")
	}
	found := false
	if d := c.Status.Deprecated; d != nil && d.V1Beta1 != nil {
		for _, cond := range d.V1Beta1.Conditions {
			found = found || cond.Type == "Ready"
		}
	}
	if !found {
		t.Error("the v1beta1 condition Ready was removed")
	}
}
