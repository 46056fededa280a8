package status

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

func TestValidTKR(t *testing.T) {
	image := func(name, k8s string) *runv1alpha3.OSImage {
		return &runv1alpha3.OSImage{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: runv1alpha3.OSImageSpec{KubernetesVersion: k8s}}
	}
	release := func(name, ver, k8s string, images ...string) *runv1alpha3.TanzuKubernetesRelease {
		r := &runv1alpha3.TanzuKubernetesRelease{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: runv1alpha3.TanzuKubernetesReleaseSpec{
			Version: ver, Kubernetes: runv1alpha3.KubernetesSpec{Version: k8s}}}
		for _, i := range images {
			r.Spec.OSImages = append(r.Spec.OSImages, runv1alpha3.OSImageReference{Name: i})
		}
		return r
	}
	withPackages := func(r *runv1alpha3.TanzuKubernetesRelease) *runv1alpha3.TanzuKubernetesRelease {
		r.Spec.BootstrapPackages = []runv1alpha3.BootstrapPackageReference{{Name: "a"}, {Name: "b"}}
		return r
	}
	const name, ver, k8s = "v1.24.9---vmware.1-tkg.1", "v1.24.9+vmware.1-tkg.1", "v1.24.9+vmware.1"
	ok := map[string]*runv1alpha3.OSImage{"ubuntu": image("ubuntu", k8s), "photon": image("photon", "1.24.9+vmware.1")}

	tests := []struct {
		name        string
		tkr         *runv1alpha3.TanzuKubernetesRelease
		images      map[string]*runv1alpha3.OSImage
		hasTemplate bool
		wantStatus  corev1.ConditionStatus
		wantReason  string
		// wantMessage lists the sentences the message consists of, in order.
		wantMessage []string
	}{
		{name: "valid", tkr: release(name, ver, k8s, "ubuntu", "photon"), images: ok, wantStatus: corev1.ConditionTrue},
		{name: "legacy TKR needs no template", tkr: release(name, ver, k8s), wantStatus: corev1.ConditionTrue},
		{name: "template present", tkr: withPackages(release(name, ver, k8s)), hasTemplate: true, wantStatus: corev1.ConditionTrue},
		{
			name: "version", tkr: release("latest", "latest", k8s), wantStatus: corev1.ConditionFalse, wantReason: ReasonInvalidVersion,
			wantMessage: []string{`spec.version is invalid: version "latest" is not a valid semantic version: it must start with a major.minor.patch version number such as v1.24.9. Set it to the release's full SemVer, e.g. v1.24.9+vmware.1-tkg.1.`},
		},
		{
			name: "name", tkr: release("v1.24.9---custom", ver, k8s), wantStatus: corev1.ConditionFalse, wantReason: ReasonNameMismatch,
			wantMessage: []string{"The name v1.24.9---custom does not match spec.version v1.24.9+vmware.1-tkg.1, which requires the name v1.24.9---vmware.1-tkg.1 (the version with every + written as ---). Recreate the release under that name, or correct spec.version."},
		},
		{
			name: "Kubernetes version", tkr: release(name, ver, "1.24"), wantStatus: corev1.ConditionFalse, wantReason: ReasonInvalidKubernetesVersion,
			wantMessage: []string{`spec.kubernetes.version is invalid: version "1.24" is not a valid semantic version`},
		},
		{
			name: "every problem is named, the first gives the reason",
			tkr:  withPackages(release(name, ver, k8s, "ubuntu", "gone", "gone", "old")), images: map[string]*runv1alpha3.OSImage{"ubuntu": ok["ubuntu"], "old": image("old", "v1.23.15+vmware.1")},
			wantStatus: corev1.ConditionFalse, wantReason: ReasonOSImageMissing,
			wantMessage: []string{
				"spec.osImages references OSImage gone, which does not exist. Create the OSImage, or remove it from spec.osImages.",
				"OSImage old has spec.kubernetesVersion v1.23.15+vmware.1, but this release's spec.kubernetes.version is v1.24.9+vmware.1. Reference an OSImage built for v1.24.9+vmware.1, or correct the versions.",
				"spec.bootstrapPackages lists packages, but there is no ClusterBootstrapTemplate tkg-system/v1.24.9---vmware.1-tkg.1 with their add-on defaults. Create it (the release's package normally installs it), or remove spec.bootstrapPackages.",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := validTKR(tt.tkr, tt.images, tt.hasTemplate, "tkg-system")
			if got.Type != runv1alpha3.ConditionValid || got.Status != tt.wantStatus || got.Reason != tt.wantReason {
				t.Errorf("validTKR() = %s %s (%s), want %s (%s)", got.Type, got.Status, got.Reason, tt.wantStatus, tt.wantReason)
			}
			rest := got.Message
			for _, s := range tt.wantMessage {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Fatalf("message %q lacks, at that place, %q", got.Message, s)
				}
				rest = rest[i+len(s):]
			}
			if len(tt.wantMessage) == 0 && got.Message != "" {
				t.Errorf("message = %q, want none", got.Message)
			}
		})
	}
}

func TestValidOSImage(t *testing.T) {
	for k8s, want := range map[string]runv1alpha3.Condition{
		"v1.24.9+vmware.1": {Type: runv1alpha3.ConditionValid, Status: corev1.ConditionTrue},
		"": {Type: runv1alpha3.ConditionValid, Status: corev1.ConditionFalse, Severity: runv1alpha3.ConditionSeverityWarning, Reason: ReasonInvalidKubernetesVersion,
			Message: `spec.kubernetesVersion is invalid: version "" is not a valid semantic version: it must start with a major.minor.patch version number such as v1.24.9. Set it to the Kubernetes SemVer the image carries, e.g. v1.24.9+vmware.1.`},
	} {
		got := validOSImage(&runv1alpha3.OSImage{Spec: runv1alpha3.OSImageSpec{KubernetesVersion: k8s}})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("validOSImage(%q) (-want +got):\n%s", k8s, diff)
		}
	}
}
