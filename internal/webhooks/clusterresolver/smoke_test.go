package clusterresolver_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	eventsv1 "k8s.io/api/events/v1"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// The example Cluster (the seed's shape, v1beta1) resolves to the seed's release and image.
func TestExampleClusterResolves(t *testing.T) {
	setup(t)
	applyFiles(t, filepath.Join(examples, "cluster.yaml"))
	c := &clusterv1beta1.Cluster{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: "workload-1"}, c); err != nil {
		t.Fatal(err)
	}
	if c.Labels[runv1alpha3.LabelTKR] != tkr124 || c.Spec.Topology.Version != "v1.24.9+vmware.1" {
		t.Errorf("examples/cluster.yaml resolved to %s / %s, want %s / v1.24.9+vmware.1", c.Labels[runv1alpha3.LabelTKR], c.Spec.Topology.Version, tkr124)
	}
	entry := tkrDataOf(t, c)["v1.24.9+vmware.1"]
	if entry == nil || entry.Labels[runv1alpha3.LabelOSImage] != ubuntu124 || entry.OSImageRef["version"] != "v1.24.9+vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93" {
		t.Errorf("TKR_DATA entry is not the seed's: %s", mustJSON(entry))
	}
	if hasOverride(c, 0) {
		t.Error("md-0 uses the control plane's image but carries a TKR_DATA override")
	}
}

// Users see what happened on the Cluster (Events) and operators in metrics.
func TestEventsAndMetrics(t *testing.T) {
	setup(t)
	observed := create(t, spec{name: "observed", cpSelector: "os-name=ubuntu"})
	denied(t, spec{name: "observed-denied", cpSelector: "os-name=windows"}, "os-name=windows")

	var reasons []string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		list := &eventsv1.EventList{}
		if err := env.Client.List(context.Background(), list, client.InNamespace("default")); err != nil {
			t.Fatal(err)
		}
		reasons = reasons[:0]
		for _, e := range list.Items {
			if e.Regarding.Name == "observed" || e.Regarding.Name == "observed-denied" {
				reasons = append(reasons, e.Regarding.Name+"/"+e.Reason)
			}
			// An Event about a created Cluster names it by UID, or kubectl describe hides it.
			if e.Regarding.Name == "observed" && e.Regarding.UID != observed.UID {
				t.Errorf("the TKRResolved Event regards UID %q, want the Cluster's %q", e.Regarding.UID, observed.UID)
			}
		}
		if len(reasons) == 2 {
			break
		}
	}
	want := map[string]bool{"observed/TKRResolved": true, "observed-denied/TKRResolutionFailed": true}
	for _, r := range reasons {
		delete(want, r)
	}
	if len(want) > 0 {
		t.Errorf("missing events %v; found %v", want, reasons)
	}
	if out := env.Kubectl(t, "describe", "cluster", "-n", "default", "observed"); !strings.Contains(out, "TKRResolved") {
		t.Errorf("kubectl describe cluster observed does not show the TKRResolved Event:\n%s", out)
	}

	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "tkr_resolver_admissions_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				counts[l.GetValue()] = m.GetCounter().GetValue()
			}
		}
	}
	if counts["resolved"] < 1 || counts["denied"] < 1 {
		t.Errorf("tkr_resolver_admissions_total = %v, want resolved and denied counted", counts)
	}
}
