package status

import (
	"maps"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func TestWithExclusions(t *testing.T) {
	tests := []struct {
		name        string
		labels, set map[string]string
		unset       []string
		want        map[string]string
		wantChanged bool
	}{
		{name: "nothing to do", labels: map[string]string{"v1": ""}, unset: []string{"incompatible", "invalid"}, want: map[string]string{"v1": ""}},
		{name: "nil labels", unset: []string{"incompatible", "invalid"}},
		{
			name: "set and remove, keep the rest", labels: map[string]string{"v1": "", "invalid": "", "deactivated": ""},
			set: map[string]string{"incompatible": ""}, unset: []string{"invalid"},
			want: map[string]string{"v1": "", "incompatible": "", "deactivated": ""}, wantChanged: true,
		},
		{
			name: "a wrong value is corrected", labels: map[string]string{"incompatible": "yes"}, set: map[string]string{"incompatible": ""},
			want: map[string]string{"incompatible": ""}, wantChanged: true,
		},
		{name: "onto nil labels", set: map[string]string{"invalid": ""}, want: map[string]string{"invalid": ""}, wantChanged: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := maps.Clone(tt.labels)
			got, changed := withExclusions(tt.labels, tt.set, tt.unset)
			if changed != tt.wantChanged {
				t.Errorf("changed = %t, want %t", changed, tt.wantChanged)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if !maps.Equal(tt.labels, before) {
				t.Error("withExclusions modified its input, which belongs to the cache")
			}
		})
	}
}

func TestReadyCondition(t *testing.T) {
	tests := []struct {
		labels     map[string]string
		wantStatus corev1.ConditionStatus
		wantReason string
		wantIn     string
	}{
		{labels: map[string]string{"v1": ""}, wantStatus: corev1.ConditionTrue},
		{labels: map[string]string{"incompatible": "", "deactivated": ""}, wantStatus: corev1.ConditionFalse, wantReason: "Incompatible", wantIn: "because its Compatible condition is False"},
		{labels: map[string]string{"invalid": "", "deactivated": ""}, wantStatus: corev1.ConditionFalse, wantReason: "Deactivated", wantIn: "remove the deactivated label to use it again"},
		{labels: map[string]string{"invalid": ""}, wantStatus: corev1.ConditionFalse, wantReason: "Invalid", wantIn: "fix what that condition names"},
	}
	for _, tt := range tests {
		got := readyCondition(tt.labels)
		if got.Status != tt.wantStatus || got.Reason != tt.wantReason || !strings.Contains(got.Message, tt.wantIn) {
			t.Errorf("readyCondition(%v) = %s (%s) %q, want %s (%s) with %q", tt.labels, got.Status, got.Reason, got.Message, tt.wantStatus, tt.wantReason, tt.wantIn)
		}
	}
}
