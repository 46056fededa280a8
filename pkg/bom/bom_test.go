package bom_test

import (
	"io/fs"
	"path"
	"strings"
	"testing"

	"github.com/tkr-project/tkr/examples"
	"github.com/tkr-project/tkr/pkg/bom"
)

func TestParseExamples(t *testing.T) {
	names, err := fs.Glob(examples.FS, "boms/*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no example BOMs: %v", err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			data, err := fs.ReadFile(examples.FS, name)
			if err != nil {
				t.Fatal(err)
			}
			b, err := bom.Parse(data)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			// The examples are named after their image tag.
			if got, want := b.Tag()+".yaml", path.Base(name); got != want {
				t.Errorf("tag %q does not match the file name %q", got, want)
			}
			if !strings.HasPrefix(b.TKRName(), "v1.") || strings.Contains(b.TKRName(), "+") {
				t.Errorf("TKRName() = %q", b.TKRName())
			}
			if !strings.HasPrefix(b.Release.Version, b.KubernetesVersion()+"-") {
				t.Errorf("KubernetesVersion() = %q does not start release %q", b.KubernetesVersion(), b.Release.Version)
			}
			if b.ImageConfig.ImageRepository == "" || len(b.OVA) != 2 || b.OVA[0].OSInfo.Version != "20.04" {
				t.Errorf("image repository or OVAs not read: %+v", b)
			}
			if b.KubeadmConfigSpec == nil || b.KubeadmConfigSpec.Kind != "ClusterConfiguration" {
				t.Errorf("kubeadmConfigSpec not read: %+v", b.KubeadmConfigSpec)
			}
		})
	}
}

const minimal = `
release: {version: v1.24.9+vmware.1-tkg.1}
components:
  kubernetes:
  - version: v1.24.9+vmware.1
    images:
      pause: {imagePath: pause, tag: 3.7}
    metadata: {a: b}
imageConfig: {imageRepository: example.com/tkg}
ova:
- name: ova-ubuntu-2004
  osinfo: {name: ubuntu, version: 20.04, arch: amd64}
  version: v1.24.9+vmware.1-tkg.1-abc
ami:
  us-east-1:
  - id: ami-1
    osinfo: {name: amazon, version: 2, arch: amd64}
azure:
- sku: k8s-1dot24dot9-ubuntu-2004
  publisher: vmware-inc
  offer: tkg-capi
  version: 2023.01.20
  thirdPartyImage: true
  osinfo: {name: ubuntu, version: "20.04", arch: amd64}
  resourceGroup: not-modelled
addons:
  antrea: {category: cni}
unknownTopLevel: ignored
`

func TestParseMinimal(t *testing.T) {
	b, err := bom.Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if got := b.TKRName(); got != "v1.24.9---vmware.1-tkg.1" {
		t.Errorf("TKRName() = %q", got)
	}
	if got := b.Tag(); got != "v1.24.9_vmware.1-tkg.1" {
		t.Errorf("Tag() = %q", got)
	}
	if got := b.KubernetesVersion(); got != "v1.24.9+vmware.1" {
		t.Errorf("KubernetesVersion() = %q", got)
	}
	// Unquoted numbers stay as written, as with the original's YAML library.
	if got := b.Components["kubernetes"][0].Images["pause"].Tag; got != "3.7" {
		t.Errorf("pause tag = %q", got)
	}
	if got := b.OVA[0].OSInfo.Version; got != "20.04" {
		t.Errorf("OVA OS version = %q", got)
	}
	if got := b.AMI["us-east-1"][0].OSInfo.Version; got != "2" {
		t.Errorf("AMI OS version = %q", got)
	}
	if a := b.Azure[0]; a.Version != "2023.01.20" || !a.ThirdPartyImage || a.OSInfo.Name != "ubuntu" {
		t.Errorf("Azure = %+v", a)
	}
	if b.Addons["antrea"] == nil {
		t.Errorf("addons not kept")
	}
	if got := bom.FileName(b.Tag()); got != "tkr-bom-v1.24.9_vmware.1-tkg.1.yaml" {
		t.Errorf("FileName() = %q", got)
	}
}

func TestKubernetesVersionMissing(t *testing.T) {
	b, err := bom.Parse([]byte("release: {version: v1}\ncomponents: {etcd: [{version: v3}]}\nimageConfig: {imageRepository: r}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := b.KubernetesVersion(); got != "" {
		t.Errorf("KubernetesVersion() = %q, want empty", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"not YAML", "release: [", "is not a TKR BOM"},
		{"a list", "- a\n- b\n", "is not a TKR BOM"},
		{"wrong type", "release: {version: [a]}\n", "is not a TKR BOM"},
		{"empty", "", "release.version"},
		{"no version", "release: {}\ncomponents: {kubernetes: [{version: v1}]}\nimageConfig: {imageRepository: r}\n", "release.version"},
		{"no components", "release: {version: v1}\ncomponents: {}\nimageConfig: {imageRepository: r}\n", "components"},
		{"no image repository", "release: {version: v1}\ncomponents: {kubernetes: [{version: v1}]}\n", "imageConfig.imageRepository"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := bom.Parse([]byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse() error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestTag(t *testing.T) {
	if got := bom.Tag("v1.24.9+vmware.1-gpu-efi"); got != "v1.24.9_vmware.1-gpu-efi" {
		t.Errorf("Tag() = %q", got)
	}
}
