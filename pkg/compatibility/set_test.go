package compatibility

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func metadataCM(key string, data []byte) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: "tkg-system", Name: MetadataConfigMap},
		BinaryData: map[string][]byte{key: data},
	}
}

func additionalCM(name, versions string) corev1.ConfigMap {
	return corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: "tkg-system", Name: name},
		Data:       map[string]string{AdditionalKey: versions},
	}
}

func TestCheck(t *testing.T) {
	meta := metadataCM("compatibility", exampleMetadata(t))
	byo := additionalCM("byo-tkrs", "- v1.24.9+vmware.1-gpu-efi\n")
	deleting := additionalCM("going", "- v1.21.14+vmware.1-tkg.5\n")
	now := metav1.Now()
	deleting.DeletionTimestamp = &now
	deleting.Finalizers = []string{"example.com/hold"}

	tests := []struct {
		name string
		src  Sources
		tkr  string
		want Verdict
		// wantIn are further fragments the message must contain.
		wantIn []string
	}{
		{
			name: "listed in the metadata",
			src:  Sources{ManagementClusterVersion: "v2.3.0", Metadata: meta, Additional: []corev1.ConfigMap{byo}},
			tkr:  "v1.24.9+vmware.1-tkg.1",
			want: Verdict{corev1.ConditionTrue, ReasonListed, "v1.24.9+vmware.1-tkg.1 is listed for management cluster version v2.3.0 in ConfigMap tkg-system/bom-metadata."},
		},
		{
			name: "listed without the v",
			src: Sources{ManagementClusterVersion: "v2.3.0", Metadata: metadataCM("compatibility",
				[]byte("managementClusterVersions:\n- version: v2.3.0\n  supportedKubernetesVersions: [1.24.9+vmware.1-tkg.1]\n"))},
			tkr:  "v1.24.9+vmware.1-tkg.1",
			want: Verdict{corev1.ConditionTrue, ReasonListed, "v1.24.9+vmware.1-tkg.1 is listed for management cluster version v2.3.0 in ConfigMap tkg-system/bom-metadata."},
		},
		{
			name: "listed in an additional ConfigMap only",
			src:  Sources{ManagementClusterVersion: "v2.3.0", Metadata: meta, Additional: []corev1.ConfigMap{byo}},
			tkr:  "v1.24.9+vmware.1-gpu-efi",
			want: Verdict{corev1.ConditionTrue, ReasonListedAsAdditional, "v1.24.9+vmware.1-gpu-efi is listed in data.tkrVersions of the additional-compatible-tkrs ConfigMap tkg-system/byo-tkrs."},
		},
		{
			name: "listed in an additional ConfigMap, nothing else known",
			src:  Sources{Additional: []corev1.ConfigMap{byo}},
			tkr:  "v1.24.9+vmware.1-gpu-efi",
			want: Verdict{corev1.ConditionTrue, ReasonListedAsAdditional, "v1.24.9+vmware.1-gpu-efi is listed in data.tkrVersions of the additional-compatible-tkrs ConfigMap tkg-system/byo-tkrs."},
		},
		{
			name: "not listed",
			src:  Sources{ManagementClusterVersion: "v2.3.0", Metadata: meta, Additional: []corev1.ConfigMap{byo}},
			tkr:  "v1.21.14+vmware.1-tkg.5",
			want: Verdict{Status: corev1.ConditionFalse, Reason: ReasonNotListed},
			wantIn: []string{
				"v1.21.14+vmware.1-tkg.5 is not listed for management cluster version v2.3.0 in ConfigMap tkg-system/bom-metadata or any additional-compatible-tkrs ConfigMap.",
				"add it to data.tkrVersions of a ConfigMap in tkg-system labelled run.tanzu.vmware.com/additional-compatible-tkrs.",
			},
		},
		{
			name:   "a ConfigMap being deleted no longer counts",
			src:    Sources{ManagementClusterVersion: "v2.3.0", Metadata: meta, Additional: []corev1.ConfigMap{deleting}},
			tkr:    "v1.21.14+vmware.1-tkg.5",
			want:   Verdict{Status: corev1.ConditionFalse, Reason: ReasonNotListed},
			wantIn: []string{"is not listed for management cluster version v2.3.0"},
		},
		{
			name: "an unreadable additional ConfigMap is named",
			src:  Sources{ManagementClusterVersion: "v2.3.0", Metadata: meta, Additional: []corev1.ConfigMap{additionalCM("bad", "garbage"), byo}},
			tkr:  "v1.21.14+vmware.1-tkg.5",
			want: Verdict{Status: corev1.ConditionFalse, Reason: ReasonNotListed},
			wantIn: []string{
				"An additional-compatible-tkrs ConfigMap was ignored: ConfigMap tkg-system/bad, key data.tkrVersions: is not a YAML list of TKR versions",
			},
		},
		{
			name: "management cluster version missing from the metadata",
			src: Sources{ManagementClusterVersion: "v9.9.9", ManagementClusterVersionFrom: "the TKGVERSION annotation of Cluster tkg-system/mc",
				Metadata: meta, Additional: []corev1.ConfigMap{byo}},
			tkr:  "v1.24.9+vmware.1-tkg.1",
			want: Verdict{Status: corev1.ConditionFalse, Reason: ReasonManagementClusterVersionNotListed},
			wantIn: []string{
				"Management cluster version v9.9.9 (from the TKGVERSION annotation of Cluster tkg-system/mc) has no entry in ConfigMap tkg-system/bom-metadata (it has entries for v2.3.0)",
				"v1.24.9+vmware.1-tkg.1 is not listed in any additional-compatible-tkrs ConfigMap in tkg-system.",
			},
		},
		{
			name: "management cluster version unknown",
			src:  Sources{Metadata: meta, Additional: []corev1.ConfigMap{byo}},
			tkr:  "v1.24.9+vmware.1-tkg.1",
			want: Verdict{Status: corev1.ConditionUnknown, Reason: ReasonManagementClusterVersionUnknown},
			wantIn: []string{
				"no Cluster labelled cluster-role.tkg.tanzu.vmware.com/management has a TKGVERSION annotation and no tkg-version is configured.",
				"or start tkr with --tkg-version.",
			},
		},
		{
			name: "no metadata ConfigMap",
			src:  Sources{ManagementClusterVersion: "v2.3.0"},
			tkr:  "v1.24.9+vmware.1-tkg.1",
			want: Verdict{Status: corev1.ConditionUnknown, Reason: ReasonMetadataMissing},
			wantIn: []string{
				"cannot be decided: ConfigMap tkg-system/bom-metadata does not exist.",
				"Create ConfigMap tkg-system/bom-metadata with the compatibility metadata in binaryData.compatibility",
			},
		},
		{
			name:   "no metadata key",
			src:    Sources{ManagementClusterVersion: "v2.3.0", Metadata: metadataCM("other", exampleMetadata(t))},
			tkr:    "v1.24.9+vmware.1-tkg.1",
			want:   Verdict{Status: corev1.ConditionUnknown, Reason: ReasonMetadataMissing},
			wantIn: []string{"ConfigMap tkg-system/bom-metadata has neither binaryData.compatibility nor data.compatibility."},
		},
		{
			name: "malformed metadata",
			src:  Sources{ManagementClusterVersion: "v2.3.0", Metadata: metadataCM("compatibility", []byte("garbage"))},
			tkr:  "v1.24.9+vmware.1-tkg.1",
			want: Verdict{Status: corev1.ConditionUnknown, Reason: ReasonMetadataInvalid},
			wantIn: []string{
				"cannot be decided: ConfigMap tkg-system/bom-metadata, key binaryData.compatibility: is not compatibility metadata",
				"Correct the compatibility metadata in ConfigMap tkg-system/bom-metadata",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.src.Namespace = "tkg-system"
			got := New(tt.src).Check(tt.tkr)
			for _, f := range tt.wantIn {
				if !strings.Contains(got.Message, f) {
					t.Errorf("message %q lacks %q", got.Message, f)
				}
			}
			if tt.want.Message == "" {
				got.Message = ""
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Check(%s) (-want +got):\n%s", tt.tkr, diff)
			}
		})
	}
}

func TestVersions(t *testing.T) {
	s := New(Sources{
		Namespace:                "tkg-system",
		ManagementClusterVersion: "v2.3.0",
		Metadata:                 metadataCM("compatibility", exampleMetadata(t)),
		Additional: []corev1.ConfigMap{
			additionalCM("byo-tkrs", "- v1.24.9+vmware.1-gpu-efi\n"),
			additionalCM("default", "- v1.24.9+vmware.1-tkg.1\n"),
			additionalCM("broken", "{}"),
		},
	})
	want := []string{"v1.22.17+vmware.1-tkg.1", "v1.23.15+vmware.1-tkg.1", "v1.24.9+vmware.1-gpu-efi", "v1.24.9+vmware.1-tkg.1"}
	if diff := cmp.Diff(want, s.Versions()); diff != "" {
		t.Errorf("Versions() (-want +got):\n%s", diff)
	}
	if len(s.Skipped()) != 1 || !strings.Contains(s.Skipped()[0].Error(), "tkg-system/broken") {
		t.Errorf("Skipped() = %v, want the error of tkg-system/broken", s.Skipped())
	}
}
