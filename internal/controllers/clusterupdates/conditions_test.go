package clusterupdates

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// set writes both condition shapes, keeps LastTransitionTime while the status holds, reports
// no change when there is none, leaves other conditions alone and removes only its own.
func TestSet(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	t1 := metav1.NewTime(t0.Add(time.Hour))
	foreign := metav1.Condition{Type: "Available", Status: metav1.ConditionTrue, Reason: "Available", LastTransitionTime: t0}
	foreignV1 := clusterv1.Condition{Type: "Ready", Status: corev1.ConditionTrue, LastTransitionTime: t0}
	c := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Generation: 3}}
	c.Status.Conditions = []metav1.Condition{foreign}
	c.Status.Deprecated = &clusterv1.ClusterDeprecatedStatus{V1Beta1: &clusterv1.ClusterV1Beta1DeprecatedStatus{Conditions: clusterv1.Conditions{foreignV1}}}

	upToDate := &condition{status: corev1.ConditionFalse, reason: runv1alpha3.ReasonAlreadyUpToDate, v1beta1Reason: runv1alpha3.ReasonAlreadyUpToDate,
		severity: clusterv1.ConditionSeverityInfo, message: "Nothing newer."}
	if !set(c, upToDate, t0) {
		t.Fatal("first set: no change reported")
	}
	if set(c, upToDate, t1) {
		t.Error("same condition again: change reported")
	}
	available := &condition{status: corev1.ConditionTrue, reason: ReasonUpdatesAvailable, message: "[v1.24.10+vmware.1-tkg.1]"}
	if !set(c, available, t1) {
		t.Error("new status: no change reported")
	}
	later := *available
	later.message = "[v1.24.10+vmware.1-tkg.1 v1.24.11+vmware.1-tkg.1]"
	if !set(c, &later, metav1.NewTime(t1.Add(time.Hour))) {
		t.Error("new message: no change reported")
	}

	wantV2 := []metav1.Condition{foreign, {Type: runv1alpha3.ConditionUpdatesAvailable, Status: metav1.ConditionTrue, ObservedGeneration: 3,
		Reason: ReasonUpdatesAvailable, Message: later.message, LastTransitionTime: t1}}
	if diff := cmp.Diff(wantV2, c.Status.Conditions); diff != "" {
		t.Errorf("v1beta2 conditions (-want +got):\n%s", diff)
	}
	wantV1 := clusterv1.Conditions{foreignV1, {Type: runv1alpha3.ConditionUpdatesAvailable, Status: corev1.ConditionTrue,
		Message: later.message, LastTransitionTime: t1}}
	if diff := cmp.Diff(wantV1, c.Status.Deprecated.V1Beta1.Conditions); diff != "" {
		t.Errorf("v1beta1 conditions (-want +got):\n%s", diff)
	}

	if !set(c, nil, t1) {
		t.Error("removal: no change reported")
	}
	if set(c, nil, t1) {
		t.Error("removal of an absent condition: change reported")
	}
	if diff := cmp.Diff([]metav1.Condition{foreign}, c.Status.Conditions); diff != "" {
		t.Errorf("v1beta2 conditions after removal (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(clusterv1.Conditions{foreignV1}, c.Status.Deprecated.V1Beta1.Conditions); diff != "" {
		t.Errorf("v1beta1 conditions after removal (-want +got):\n%s", diff)
	}

	// A Cluster Cluster API has not written yet gets the deprecated structs it needs, and
	// removing from it changes nothing.
	fresh := &clusterv1.Cluster{}
	if set(fresh, nil, t0) {
		t.Error("removal from a fresh Cluster: change reported")
	}
	if !set(fresh, upToDate, t0) || len(fresh.Status.Deprecated.V1Beta1.Conditions) != 1 {
		t.Errorf("set on a fresh Cluster: %+v", fresh.Status)
	}
}
