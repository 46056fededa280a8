package imageslock

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	digestB56a    = "sha256:b56a2bf1b6b5b3c4b3cf8c06ad9b5e3f8c18b2e6f1bd5fdcbe1fd3c0f1b1a9f1"
	digestOther   = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	lockKbldID    = "projects-stg.registry.vmware.com/tkg/tkr-vsphere-nonparavirt:v1.24.9_vmware.1-tkg.1-zshippable"
	lockImage     = "projects-stg.registry.vmware.com/tkg/tkr-vsphere-nonparavirt@" + digestB56a
	bundleTag     = "v1.24.9_vmware.1-tkg.1-zshippable"
	airGapRepoTag = "10.92.174.209:8443/library/tkg/tkr-repository-vsphere-nonparavirt"
)

// specLock is the lock of the original's imgpkgutil tests.
func specLock() *Lock {
	return New(Image{Image: lockImage, Annotations: map[string]string{AnnotationKbldID: lockKbldID}})
}

func TestParseMarshalRoundTrip(t *testing.T) {
	l := specLock()
	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := "apiVersion: imgpkg.carvel.dev/v1alpha1\n" +
		"images:\n" +
		"- annotations:\n" +
		"    kbld.carvel.dev/id: " + lockKbldID + "\n" +
		"  image: " + lockImage + "\n" +
		"kind: ImagesLock\n"
	if diff := cmp.Diff(want, string(data)); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
	got, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l, got); diff != "" {
		t.Errorf("Parse(Marshal(l)) (-want +got):\n%s", diff)
	}
}

func TestMarshalEmpty(t *testing.T) {
	data, err := New().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := "apiVersion: imgpkg.carvel.dev/v1alpha1\nimages: []\nkind: ImagesLock\n"
	if string(data) != want {
		t.Errorf("Marshal of an empty lock = %q, want %q", data, want)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		want    *Lock
		wantErr string
	}{
		// I4, adapted: no lock file is an empty lock rather than nothing.
		{name: "I4 nil", data: nil, want: New()},
		{name: "whitespace", data: []byte("\n  \n"), want: New()},
		// I5
		{name: "I5 not YAML", data: []byte("%%%%"), wantErr: "parsing .imgpkg/images.yml"},
		{name: "scalar", data: []byte("garbage"), wantErr: "parsing .imgpkg/images.yml"},
		{
			name:    "wrong kind",
			data:    []byte("apiVersion: imgpkg.carvel.dev/v1alpha1\nkind: Bundle\n"),
			wantErr: `expected apiVersion imgpkg.carvel.dev/v1alpha1 and kind ImagesLock, found apiVersion "imgpkg.carvel.dev/v1alpha1" and kind "Bundle"`,
		},
		{
			name:    "no kind",
			data:    []byte("images: []\n"),
			wantErr: `found apiVersion "" and kind ""`,
		},
		{
			name: "imgpkg output",
			data: []byte(`---
apiVersion: imgpkg.carvel.dev/v1alpha1
kind: ImagesLock
images:
- image: ` + lockImage + `
  annotations:
    kbld.carvel.dev/id: ` + lockKbldID + `
    kbld.carvel.dev/origins: |
      - resolved: {}
`),
			want: New(Image{Image: lockImage, Annotations: map[string]string{
				AnnotationKbldID:          lockKbldID,
				"kbld.carvel.dev/origins": "- resolved: {}\n",
			}}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.data)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse error = %v, want one containing %q", err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("Parse returned %+v with its error, want nil", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}
