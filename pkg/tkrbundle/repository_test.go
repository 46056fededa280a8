package tkrbundle_test

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tkr-project/tkr/pkg/imageslock"
	"github.com/tkr-project/tkr/pkg/tkrbundle"
)

const (
	testDigest = "sha256:b56a0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"
	pkgRepo    = "registry.example.com:5000/tkg/tkr-vsphere-nonparavirt"
	digestRef  = pkgRepo + "@" + testDigest
	tagRef     = pkgRepo + ":v1.24.9_vmware.1-tkg.1"
)

func TestRepositoryRoundTrip(t *testing.T) {
	files, err := tkrbundle.RepositoryFiles("v1.24.9+vmware.1-tkg.1", digestRef, tagRef)
	if err != nil {
		t.Fatal(err)
	}
	const dir = "packages/tkr-vsphere-nonparavirt.tanzu.vmware.com/"
	for _, name := range []string{dir + "1.24.9+vmware.1-tkg.1.yml", dir + "metadata.yml", imageslock.Path} {
		if _, ok := files[name]; !ok {
			t.Errorf("no %s in %v", name, keys(files))
		}
	}
	if len(files) != 3 {
		t.Errorf("files %v", keys(files))
	}
	pkgs, err := tkrbundle.ParseRepository(files)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 1 {
		t.Fatalf("packages %+v", pkgs)
	}
	p := pkgs[0]
	if p.File != dir+"1.24.9+vmware.1-tkg.1.yml" || p.Name != "tkr-vsphere-nonparavirt.tanzu.vmware.com.1.24.9+vmware.1-tkg.1" ||
		p.Version != "v1.24.9+vmware.1-tkg.1" || p.BundleImage != digestRef {
		t.Errorf("package %+v", p)
	}
	if got, _, _ := unstructured.NestedString(p.Object.Object, "spec", "refName"); got != "tkr-vsphere-nonparavirt.tanzu.vmware.com" {
		t.Errorf("refName %q", got)
	}
	lock, err := imageslock.Parse(files[imageslock.Path])
	if err != nil {
		t.Fatal(err)
	}
	if len(lock.Images) != 1 || lock.Images[0].Image != digestRef || lock.Images[0].Annotations[imageslock.AnnotationKbldID] != tagRef {
		t.Errorf("lock %+v", lock)
	}
	// What kapp-controller needs to install it is there too.
	for _, want := range []string{"ytt:", "config/", "kbld:", "- '-'", "intoNs: tkg-system", "run.tanzu.vmware.com/tkr-package: \"\""} {
		if !strings.Contains(string(files[dir+"1.24.9+vmware.1-tkg.1.yml"]), want) {
			t.Errorf("the Package does not contain %q:\n%s", want, files[dir+"1.24.9+vmware.1-tkg.1.yml"])
		}
	}

	// The same input gives the same bytes, so the same image.
	again, err := tkrbundle.RepositoryFiles("v1.24.9+vmware.1-tkg.1", digestRef, tagRef)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if string(again[name]) != string(data) {
			t.Errorf("%s differs between two calls", name)
		}
	}
}

func TestRepositoryFilesWithoutV(t *testing.T) {
	files, err := tkrbundle.RepositoryFiles("1.24.9+vmware.1-tkg.1", digestRef, tagRef)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := tkrbundle.ParseRepository(files)
	if err != nil || len(pkgs) != 1 || pkgs[0].Version != "v1.24.9+vmware.1-tkg.1" {
		t.Fatalf("ParseRepository() = %+v, %v", pkgs, err)
	}
}

func TestRefName(t *testing.T) {
	if got := tkrbundle.RefName("tkg/tkr-aws"); got != "tkr-aws.tanzu.vmware.com" {
		t.Errorf("RefName() = %q", got)
	}
}

func TestRepositoryFilesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, version, digest, tag, want string
	}{
		{"bad version", "v1.24", digestRef, tagRef, "is not a version"},
		{"blank version", " v1.24.9 ", digestRef, tagRef, "blanks"},
		{"tag instead of digest", "v1.24.9", tagRef, tagRef, "@sha256"},
		{"digest instead of tag", "v1.24.9", digestRef, digestRef, "<repository>:<tag>"},
		{"different repositories", "v1.24.9", digestRef, "registry.example.com:5000/tkg/other:v1", "different repositories"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tkrbundle.RepositoryFiles(tc.version, tc.digest, tc.tag)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

const labelledPackage = `apiVersion: data.packaging.carvel.dev/v1alpha1
kind: Package
metadata:
  name: tkr.tanzu.vmware.com.1.25.0+vmware.1-tkg.1
  labels:
    run.tanzu.vmware.com/tkr-package: ""
spec:
  version: 1.25.0+vmware.1-tkg.1
  template:
    spec:
      fetch:
      - imgpkgBundle:
          image: r.example/tkr@sha256:0000
`

func TestParseRepository(t *testing.T) {
	files := map[string][]byte{
		// Skipped: not under packages/, a metadata.yml, another kind, an unlabelled Package.
		"config/x.yaml": []byte("not: [yaml"),
		"packages/tkr.tanzu.vmware.com/metadata.yml": []byte("garbage: ["),
		"packages/other.yml": []byte("apiVersion: data.packaging.carvel.dev/v1alpha1\nkind: PackageMetadata\nmetadata: {name: x}\n---\n" +
			"apiVersion: data.packaging.carvel.dev/v1alpha1\nkind: Package\nmetadata: {name: antrea.1.0.0}\nspec: {version: 1.0.0}\n"),
		// Both documents of a file are read.
		"packages/tkr.tanzu.vmware.com/two.yml": []byte(labelledPackage + "---\n" + strings.ReplaceAll(labelledPackage, "1.25.0", "1.26.0")),
		"packages/a.yml":                        []byte(strings.ReplaceAll(labelledPackage, "1.25.0", "1.24.0")),
	}
	pkgs, err := tkrbundle.ParseRepository(files)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pkgs {
		got = append(got, p.File+"="+p.Version)
	}
	want := "packages/a.yml=v1.24.0+vmware.1-tkg.1 packages/tkr.tanzu.vmware.com/two.yml=v1.25.0+vmware.1-tkg.1 packages/tkr.tanzu.vmware.com/two.yml=v1.26.0+vmware.1-tkg.1"
	if strings.Join(got, " ") != want {
		t.Errorf("packages %q, want %q", strings.Join(got, " "), want)
	}
}

func TestParseRepositoryErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file, want string
	}{
		{"not YAML", "a: [", "packages/p.yml, document 1: invalid YAML"},
		{"not an object", "- a\n", "packages/p.yml, document 1"},
		{"second document broken", labelledPackage + "---\nfoo: [\n", "packages/p.yml, document 2"},
		{"no image", strings.Replace(labelledPackage, "      - imgpkgBundle:\n          image: r.example/tkr@sha256:0000\n", "      - git: {url: x}\n", 1),
			"has no spec.template.spec.fetch[0].imgpkgBundle.image"},
		{"no fetch", strings.Replace(labelledPackage, "  template:\n    spec:\n      fetch:\n      - imgpkgBundle:\n          image: r.example/tkr@sha256:0000\n", "", 1),
			"has no spec.template.spec.fetch"},
		{"fetch not a mapping", strings.Replace(labelledPackage, "      - imgpkgBundle:\n          image: r.example/tkr@sha256:0000\n", "      - just-a-string\n", 1),
			"is not a mapping"},
		{"no version", strings.Replace(labelledPackage, "  version: 1.25.0+vmware.1-tkg.1\n", "", 1), "has no spec.version"},
		{"no name", strings.Replace(labelledPackage, "  name: tkr.tanzu.vmware.com.1.25.0+vmware.1-tkg.1\n", "", 1), "has no metadata.name"},
		{"no TKR package", strings.Replace(labelledPackage, "  labels:\n    run.tanzu.vmware.com/tkr-package: \"\"\n", "", 1), "holds no Package labelled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tkrbundle.ParseRepository(map[string][]byte{"packages/p.yml": []byte(tc.file)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
