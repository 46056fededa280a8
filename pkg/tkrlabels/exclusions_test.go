package tkrlabels

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

func cond(t string, s corev1.ConditionStatus) runv1alpha3.Condition {
	return runv1alpha3.Condition{Type: runv1alpha3.ConditionType(t), Status: s}
}

func TestExclusions(t *testing.T) {
	both := []string{runv1alpha3.LabelIncompatible, runv1alpha3.LabelInvalid}
	tests := []struct {
		name      string
		conds     runv1alpha3.Conditions
		wantSet   map[string]string
		wantUnset []string
	}{
		{name: "no conditions", wantUnset: both},
		{
			name:      "both true",
			conds:     runv1alpha3.Conditions{cond("Compatible", corev1.ConditionTrue), cond("Valid", corev1.ConditionTrue)},
			wantUnset: both,
		},
		{
			name:      "unknown is not false",
			conds:     runv1alpha3.Conditions{cond("Compatible", corev1.ConditionUnknown), cond("Valid", corev1.ConditionUnknown)},
			wantUnset: both,
		},
		{
			name:      "incompatible",
			conds:     runv1alpha3.Conditions{cond("Compatible", corev1.ConditionFalse), cond("Valid", corev1.ConditionTrue)},
			wantSet:   map[string]string{"incompatible": ""},
			wantUnset: []string{"invalid"},
		},
		{
			name:      "invalid",
			conds:     runv1alpha3.Conditions{cond("Valid", corev1.ConditionFalse)},
			wantSet:   map[string]string{"invalid": ""},
			wantUnset: []string{"incompatible"},
		},
		{
			name:    "both false",
			conds:   runv1alpha3.Conditions{cond("Ready", corev1.ConditionFalse), cond("Valid", corev1.ConditionFalse), cond("Compatible", corev1.ConditionFalse)},
			wantSet: map[string]string{"incompatible": "", "invalid": ""},
		},
		{
			// Nothing derives deactivated, whatever the conditions say.
			name:      "deactivated is never derived",
			conds:     runv1alpha3.Conditions{cond("Deactivated", corev1.ConditionTrue), cond("Ready", corev1.ConditionFalse)},
			wantUnset: both,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, unset := Exclusions(tt.conds)
			if diff := cmp.Diff(tt.wantSet, set, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("set (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantUnset, unset, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("unset (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExcludedAndReady(t *testing.T) {
	tests := []struct {
		labels     map[string]string
		want       string
		wantReason string
	}{
		{labels: nil},
		{labels: map[string]string{"v1.24": "", "deprecated": ""}},
		{labels: map[string]string{"invalid": ""}, want: "invalid", wantReason: "Invalid"},
		{labels: map[string]string{"invalid": "", "deactivated": ""}, want: "deactivated", wantReason: "Deactivated"},
		{labels: map[string]string{"invalid": "", "deactivated": "", "incompatible": ""}, want: "incompatible", wantReason: "Incompatible"},
		// The value does not matter: the selector !incompatible only tests presence.
		{labels: map[string]string{"incompatible": "yes"}, want: "incompatible", wantReason: "Incompatible"},
	}
	for _, tt := range tests {
		if got := Excluded(tt.labels); got != tt.want {
			t.Errorf("Excluded(%v) = %q, want %q", tt.labels, got, tt.want)
		}
		got := Ready(tt.labels)
		want := runv1alpha3.Condition{Type: "Ready", Status: corev1.ConditionTrue}
		if tt.want != "" {
			want = runv1alpha3.Condition{
				Type: "Ready", Status: corev1.ConditionFalse, Severity: runv1alpha3.ConditionSeverityWarning,
				Reason:  tt.wantReason,
				Message: `It carries the label "` + tt.want + `", which excludes it from TKR resolution.`,
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Ready(%v) (-want +got):\n%s", tt.labels, diff)
		}
	}
}

func TestExclusionCondition(t *testing.T) {
	for l, want := range map[string]string{"incompatible": "Compatible", "invalid": "Valid", "deactivated": "", "other": ""} {
		if got := ExclusionCondition(l); got != want {
			t.Errorf("ExclusionCondition(%q) = %q, want %q", l, got, want)
		}
	}
}

func TestCondition(t *testing.T) {
	conds := runv1alpha3.Conditions{cond("Ready", corev1.ConditionTrue), cond("Valid", corev1.ConditionFalse)}
	if got := Condition(conds, "Valid"); got != &conds[1] {
		t.Errorf("Condition(Valid) = %v, want the second element", got)
	}
	if got := Condition(conds, "Compatible"); got != nil {
		t.Errorf("Condition(Compatible) = %v, want nil", got)
	}
}
