package v1alpha3

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestConditionsWith(t *testing.T) {
	then := metav1.NewTime(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	now := metav1.NewTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	other := Condition{Type: "UpdatesAvailable", Status: corev1.ConditionTrue, LastTransitionTime: then}
	current := Conditions{
		other,
		{Type: "Compatible", Status: corev1.ConditionTrue, Reason: "Listed", Message: "old", LastTransitionTime: then},
		{Type: "Valid", Status: corev1.ConditionTrue, LastTransitionTime: then},
		{Type: "Ready", Status: corev1.ConditionTrue},
	}
	want := Conditions{
		{Type: "Compatible", Status: corev1.ConditionTrue, Reason: "ListedAsAdditional", Message: "new"},
		{Type: "Valid", Status: corev1.ConditionFalse, Reason: "NameMismatch"},
		{Type: "Ready", Status: corev1.ConditionTrue},
		{Type: "New", Status: corev1.ConditionUnknown},
	}
	got := current
	for _, w := range want {
		got = got.With(w, now)
	}
	wantOut := Conditions{
		other, // untouched, in place
		// Same status: the transition time stays, reason and message follow.
		{Type: "Compatible", Status: corev1.ConditionTrue, Reason: "ListedAsAdditional", Message: "new", LastTransitionTime: then},
		// Another status: a transition now.
		{Type: "Valid", Status: corev1.ConditionFalse, Reason: "NameMismatch", LastTransitionTime: now},
		// A missing transition time is filled in.
		{Type: "Ready", Status: corev1.ConditionTrue, LastTransitionTime: now},
		{Type: "New", Status: corev1.ConditionUnknown, LastTransitionTime: now},
	}
	if diff := cmp.Diff(wantOut, got); diff != "" {
		t.Errorf("With() (-want +got):\n%s", diff)
	}
	if current[1].Message != "old" {
		t.Error("With modified its input, which belongs to the cache")
	}
}
