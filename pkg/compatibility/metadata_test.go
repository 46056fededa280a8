package compatibility

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// exampleMetadata is the metadata the example catalogue's bom-metadata ConfigMap holds.
func exampleMetadata(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../examples/compatibility/metadata.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseMetadata(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		want    *Metadata
		wantErr string
	}{
		{
			name: "as fetched, with the top-level version tkr-source drops",
			data: "version: v19\nmanagementClusterVersions:\n- version: v1.6.0\n  supportedKubernetesVersions:\n  - v1.23.8+vmware.2-tkg.1\n  - v1.22.11+vmware.2-tkg.1\n- version: v1.6.0-fips.1\n  supportedKubernetesVersions: [v1.23.8+vmware.2-fips.1-tkg.1]\n",
			want: &Metadata{ManagementClusterVersions: []ManagementClusterVersion{
				{Version: "v1.6.0", SupportedKubernetesVersions: []string{"v1.23.8+vmware.2-tkg.1", "v1.22.11+vmware.2-tkg.1"}},
				{Version: "v1.6.0-fips.1", SupportedKubernetesVersions: []string{"v1.23.8+vmware.2-fips.1-tkg.1"}},
			}},
		},
		{
			name: "an entry supporting nothing",
			data: "managementClusterVersions:\n- version: v2.4.0\n",
			want: &Metadata{ManagementClusterVersions: []ManagementClusterVersion{{Version: "v2.4.0"}}},
		},
		{name: "malformed YAML", data: "managementClusterVersions: [\n", wantErr: "is not compatibility metadata"},
		{name: "not a mapping", data: "garbage", wantErr: "is not compatibility metadata"},
		{name: "list of the wrong type", data: "managementClusterVersions:\n- version: v2.3.0\n  supportedKubernetesVersions: v1.24.9+vmware.1-tkg.1\n", wantErr: "is not compatibility metadata"},
		{name: "empty", data: "", wantErr: "lists no managementClusterVersions"},
		{name: "no entries", data: "managementClusterVersions: []\n", wantErr: "lists no managementClusterVersions"},
		{name: "entry without version", data: "managementClusterVersions:\n- version: v2.3.0\n- supportedKubernetesVersions: [v1.24.9+vmware.1-tkg.1]\n", wantErr: "managementClusterVersions[1] has no version"},
		{name: "empty TKR version", data: "managementClusterVersions:\n- version: v2.3.0\n  supportedKubernetesVersions: [\"\"]\n", wantErr: "managementClusterVersions[0] (version v2.3.0): supportedKubernetesVersions[0] is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMetadata([]byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseMetadata() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseMetadata() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMetadataFromConfigMap(t *testing.T) {
	meta := metav1.ObjectMeta{Namespace: "tkg-system", Name: MetadataConfigMap}
	tests := []struct {
		name        string
		cm          *corev1.ConfigMap
		wantVersion string
		wantErr     string
		wantMissing bool
	}{
		{
			name:        "binaryData, as tkr-source writes it",
			cm:          &corev1.ConfigMap{ObjectMeta: meta, BinaryData: map[string][]byte{"compatibility": exampleMetadata(t)}},
			wantVersion: "v2.3.0",
		},
		{
			name:        "data, as written by hand",
			cm:          &corev1.ConfigMap{ObjectMeta: meta, Data: map[string]string{"compatibility": string(exampleMetadata(t))}},
			wantVersion: "v2.3.0",
		},
		{
			name: "binaryData wins over data",
			cm: &corev1.ConfigMap{ObjectMeta: meta, BinaryData: map[string][]byte{"compatibility": exampleMetadata(t)},
				Data: map[string]string{"compatibility": "managementClusterVersions:\n- version: v9.9.9\n"}},
			wantVersion: "v2.3.0",
		},
		{
			name:        "no key",
			cm:          &corev1.ConfigMap{ObjectMeta: meta, Data: map[string]string{"other": "x"}},
			wantErr:     "ConfigMap tkg-system/bom-metadata has neither binaryData.compatibility nor data.compatibility",
			wantMissing: true,
		},
		{
			name:    "malformed binaryData names the key",
			cm:      &corev1.ConfigMap{ObjectMeta: meta, BinaryData: map[string][]byte{"compatibility": []byte("garbage")}},
			wantErr: "ConfigMap tkg-system/bom-metadata, key binaryData.compatibility: is not compatibility metadata",
		},
		{
			name:    "malformed data names the key",
			cm:      &corev1.ConfigMap{ObjectMeta: meta, Data: map[string]string{"compatibility": "managementClusterVersions:\n- {}\n"}},
			wantErr: "ConfigMap tkg-system/bom-metadata, key data.compatibility: managementClusterVersions[0] has no version",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MetadataFromConfigMap(tt.cm)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one starting %q", err, tt.wantErr)
				}
				if errors.Is(err, ErrMissing) != tt.wantMissing {
					t.Errorf("errors.Is(%v, ErrMissing) = %t, want %t", err, !tt.wantMissing, tt.wantMissing)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{tt.wantVersion}, got.Versions()); diff != "" {
				t.Errorf("management cluster versions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSupported(t *testing.T) {
	m := &Metadata{ManagementClusterVersions: []ManagementClusterVersion{
		{Version: "v2.3.0", SupportedKubernetesVersions: []string{"a"}},
		{Version: "v2.3.0-fips.1", SupportedKubernetesVersions: []string{"b"}},
		{Version: "v2.3.0", SupportedKubernetesVersions: []string{"c"}},
	}}
	tests := []struct {
		mc     string
		want   []string
		wantOK bool
	}{
		{mc: "v2.3.0", want: []string{"a"}, wantOK: true}, // the first entry wins, as in the original
		{mc: "v2.3.0-fips.1", want: []string{"b"}, wantOK: true},
		{mc: "v2.3", wantOK: false}, // exact match only
		{mc: "", wantOK: false},
	}
	for _, tt := range tests {
		got, ok := m.Supported(tt.mc)
		if ok != tt.wantOK || !cmp.Equal(got, tt.want) {
			t.Errorf("Supported(%q) = %v, %t; want %v, %t", tt.mc, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestAdditionalFromConfigMap(t *testing.T) {
	meta := metav1.ObjectMeta{Namespace: "tkg-system", Name: "byo-tkrs"}
	tests := []struct {
		name    string
		data    map[string]string
		want    []string
		wantErr string
	}{
		{name: "example", data: map[string]string{"tkrVersions": "- v1.24.9+vmware.1-gpu-efi\n"}, want: []string{"v1.24.9+vmware.1-gpu-efi"}},
		{name: "flow list", data: map[string]string{"tkrVersions": "[v1.24.0+vmware.1-tkg.1, v1.25.0+vmware.1-tkg.1]"}, want: []string{"v1.24.0+vmware.1-tkg.1", "v1.25.0+vmware.1-tkg.1"}},
		{name: "empty list", data: map[string]string{"tkrVersions": "[]"}, want: []string{}},
		{name: "no key", data: map[string]string{"versions": "[]"}, wantErr: "ConfigMap tkg-system/byo-tkrs has no data.tkrVersions"},
		{name: "not a list", data: map[string]string{"tkrVersions": "garbage"}, wantErr: "ConfigMap tkg-system/byo-tkrs, key data.tkrVersions: is not a YAML list of TKR versions"},
		{name: "malformed YAML", data: map[string]string{"tkrVersions": "- [v1"}, wantErr: "ConfigMap tkg-system/byo-tkrs, key data.tkrVersions: is not a YAML list of TKR versions"},
		{name: "empty entry", data: map[string]string{"tkrVersions": "- v1.24.9+vmware.1-gpu-efi\n- \"\"\n"}, wantErr: "ConfigMap tkg-system/byo-tkrs, key data.tkrVersions: entry 1 is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AdditionalFromConfigMap(&corev1.ConfigMap{ObjectMeta: meta, Data: tt.data})
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one starting %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("versions (-want +got):\n%s", diff)
			}
		})
	}
}
