package status

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

func TestOSImageCompatible(t *testing.T) {
	release := func(name string, status corev1.ConditionStatus) runv1alpha3.TanzuKubernetesRelease {
		r := runv1alpha3.TanzuKubernetesRelease{ObjectMeta: metav1.ObjectMeta{Name: name}}
		if status != "" {
			r.Status.Conditions = runv1alpha3.Conditions{{Type: runv1alpha3.ConditionCompatible, Status: status}}
		}
		return r
	}
	deleted := release("deleted", corev1.ConditionTrue)
	deleted.DeletionTimestamp = &metav1.Time{Time: metav1.Now().Time}

	tests := []struct {
		name     string
		shipping []runv1alpha3.TanzuKubernetesRelease
		want     runv1alpha3.Condition
	}{
		{
			name:     "one compatible release is enough",
			shipping: []runv1alpha3.TanzuKubernetesRelease{release("b", corev1.ConditionTrue), release("c", corev1.ConditionFalse), release("a", corev1.ConditionTrue)},
			want:     runv1alpha3.Condition{Status: corev1.ConditionTrue, Reason: ReasonShippedByCompatibleRelease, Message: "Compatible releases ship it: a, b."},
		},
		{
			name:     "only incompatible releases",
			shipping: []runv1alpha3.TanzuKubernetesRelease{release("c", corev1.ConditionFalse), deleted},
			want: runv1alpha3.Condition{Status: corev1.ConditionFalse, Severity: runv1alpha3.ConditionSeverityWarning, Reason: ReasonOnlyIncompatibleReleases,
				Message: "Only incompatible releases ship it: c. Their Compatible conditions say why and what to do."},
		},
		{
			name:     "unknown and incompatible",
			shipping: []runv1alpha3.TanzuKubernetesRelease{release("c", corev1.ConditionFalse), release("u", corev1.ConditionUnknown), release("new", "")},
			want: runv1alpha3.Condition{Status: corev1.ConditionUnknown, Severity: runv1alpha3.ConditionSeverityInfo, Reason: ReasonReleaseCompatibilityUnknown,
				Message: "No release that ships it is known to be compatible; the compatibility of new, u is unknown (incompatible: c). Their Compatible conditions say what is missing."},
		},
		{
			name:     "shipped by none",
			shipping: []runv1alpha3.TanzuKubernetesRelease{deleted},
			want: runv1alpha3.Condition{Status: corev1.ConditionUnknown, Severity: runv1alpha3.ConditionSeverityInfo, Reason: ReasonNotShipped,
				Message: "No TanzuKubernetesRelease lists it in spec.osImages, so no release decides its compatibility. Reference it from a release's spec.osImages, or delete it if no release needs it."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.Type = runv1alpha3.ConditionCompatible
			if diff := cmp.Diff(tt.want, osImageCompatible(tt.shipping)); diff != "" {
				t.Errorf("osImageCompatible() (-want +got):\n%s", diff)
			}
		})
	}
}
