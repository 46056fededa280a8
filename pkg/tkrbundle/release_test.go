package tkrbundle_test

import (
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/examples"
	"github.com/tkr-project/tkr/pkg/catalog"
	"github.com/tkr-project/tkr/pkg/imageslock"
	"github.com/tkr-project/tkr/pkg/tkrbundle"
	"github.com/tkr-project/tkr/pkg/version"
)

func keys(m map[string][]byte) []string { return slices.Sorted(maps.Keys(m)) }

// exampleReleases loads every release directory of the example catalogue, without the
// management-cluster configuration some of them carry.
func exampleReleases(t *testing.T) map[string][]catalog.Object {
	t.Helper()
	entries, err := fs.ReadDir(examples.FS, "catalog")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]catalog.Object{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		objs, err := catalog.LoadFS(examples.FS, "catalog/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		objs = slices.DeleteFunc(objs, func(o catalog.Object) bool {
			_, ok := o.GetLabels()[runv1alpha3.LabelAdditionalCompatibleTKRs]
			return ok && o.GetKind() == "ConfigMap"
		})
		out[e.Name()] = objs
	}
	if len(out) != 5 {
		t.Fatalf("found %d example releases", len(out))
	}
	return out
}

func TestExampleReleasesRoundTrip(t *testing.T) {
	for dir, objs := range exampleReleases(t) {
		t.Run(dir, func(t *testing.T) {
			v, err := tkrbundle.Version(objs)
			if err != nil {
				t.Fatal(err)
			}
			if version.Label(v) != dir {
				t.Errorf("Version() = %q for directory %s", v, dir)
			}
			files, err := tkrbundle.ReleaseFiles(objs)
			if err != nil {
				t.Fatal(err)
			}
			// Files keep their names, below config/.
			for _, o := range objs {
				name := "config/" + strings.TrimPrefix(o.Source.File, "catalog/"+dir+"/")
				if _, ok := files[name]; !ok {
					t.Errorf("no %s among %v", name, keys(files))
				}
			}
			if lock, err := imageslock.Parse(files[imageslock.Path]); err != nil || len(lock.Images) != 0 {
				t.Errorf("images lock %q: %v", files[imageslock.Path], err)
			}

			// Through an image and back.
			img, err := tkrbundle.Image(files, true)
			if err != nil {
				t.Fatal(err)
			}
			r, err := tkrbundle.ParseRelease(imageFiles(t, img), v)
			if err != nil {
				t.Fatal(err)
			}
			if r.TKR.GetName() != dir || r.Objects[len(r.Objects)-1] != r.TKR {
				t.Errorf("TKR %q is not last", r.TKR.GetName())
			}
			if len(r.Objects) != len(objs) {
				t.Fatalf("%d objects read back, %d written", len(r.Objects), len(objs))
			}
			byName := map[string]*unstructured.Unstructured{}
			for _, o := range r.Objects {
				byName[o.GetKind()+"/"+o.GetName()] = o
			}
			for _, o := range objs {
				got := byName[o.GetKind()+"/"+o.GetName()]
				if got == nil {
					t.Errorf("%s %s not read back", o.GetKind(), o.GetName())
					continue
				}
				if diff := cmp.Diff(o.Object, got.Object); diff != "" {
					t.Errorf("%s %s changed (-written +read):\n%s", o.GetKind(), o.GetName(), diff)
				}
			}
			checkOrder(t, r.Objects)
		})
	}
}

// checkOrder checks that OSImages come after everything but CBTs and the TKR, and CBTs after
// OSImages.
func checkOrder(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	rank := map[string]int{"OSImage": 1, "ClusterBootstrapTemplate": 2, "TanzuKubernetesRelease": 3}
	last := 0
	var kinds []string
	for _, o := range objs {
		kinds = append(kinds, o.GetKind())
		if rank[o.GetKind()] < last {
			t.Fatalf("objects out of order: %v", kinds)
		}
		last = rank[o.GetKind()]
	}
}

const (
	tkrDoc = `apiVersion: run.tanzu.vmware.com/v1alpha3
kind: TanzuKubernetesRelease
metadata: {name: v1.25.0---vmware.1-tkg.1}
spec: {version: v1.25.0+vmware.1-tkg.1}
`
	osImageDoc = `apiVersion: run.tanzu.vmware.com/v1alpha3
kind: OSImage
metadata: {name: os-1}
spec: {kubernetesVersion: v1.25.0+vmware.1}
`
	cbtDoc = `apiVersion: run.tanzu.vmware.com/v1alpha3
kind: ClusterBootstrapTemplate
metadata: {name: v1.25.0---vmware.1-tkg.1, namespace: tkg-system}
`
	secretDoc = `apiVersion: v1
kind: Secret
metadata: {name: s, namespace: anywhere}
`
	antreaDoc = `apiVersion: cni.tanzu.vmware.com/v1alpha2
kind: AntreaConfig
metadata: {name: v1.25.0---vmware.1-tkg.1, namespace: tkg-system}
`
	packageDoc = `apiVersion: data.packaging.carvel.dev/v1alpha1
kind: Package
metadata: {name: antrea.tanzu.vmware.com.1.7.2---vmware.1-tkg.1-advanced, namespace: tkg-system}
spec: {refName: antrea.tanzu.vmware.com, version: 1.7.2+vmware.1-tkg.1-advanced}
`
)

func TestParseReleaseReadsEveryDocumentInOrder(t *testing.T) {
	files := map[string][]byte{
		// The TKR first in a file, to show it is still created last.
		"config/all.yaml": []byte(tkrDoc + "---\n" + cbtDoc + "---\n" + osImageDoc + "---\n" + secretDoc),
		"config/z.yml":    []byte("# comment only document\n---\n" + strings.ReplaceAll(osImageDoc, "os-1", "os-2") + "---\n" + antreaDoc),
		// Packages last among the files, to show they are still created before the templates
		// that name them.
		"config/zz-packages.yaml": []byte(packageDoc),
		".imgpkg/images.yml":      []byte("not: [parsed"),
		".hidden":                 []byte("not: [parsed"),
	}
	r, err := tkrbundle.ParseRelease(files, "1.25.0+vmware.1-tkg.1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range r.Objects {
		got = append(got, o.GetKind()+"/"+o.GetName())
	}
	want := []string{"Secret/s", "AntreaConfig/v1.25.0---vmware.1-tkg.1", "Package/antrea.tanzu.vmware.com.1.7.2---vmware.1-tkg.1-advanced",
		"OSImage/os-1", "OSImage/os-2",
		"ClusterBootstrapTemplate/v1.25.0---vmware.1-tkg.1", "TanzuKubernetesRelease/v1.25.0---vmware.1-tkg.1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	if r.TKR.GetKind() != "TanzuKubernetesRelease" {
		t.Errorf("TKR = %v", r.TKR)
	}
	// An empty version accepts the one TKR.
	if _, err := tkrbundle.ParseRelease(files, ""); err != nil {
		t.Errorf("ParseRelease(files, \"\") = %v", err)
	}
}

func TestParseReleaseErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{"no files", nil, "holds no TanzuKubernetesRelease"},
		{"garbage file", map[string][]byte{"config/tkr.yaml": []byte(tkrDoc), "config/garbage.yaml": []byte("}{")},
			"config/garbage.yaml, document 1: invalid YAML"},
		{"garbage second document", map[string][]byte{"config/tkr.yaml": []byte(tkrDoc + "---\nfoo: [\n")},
			"config/tkr.yaml, document 2: invalid YAML"},
		{"not an object", map[string][]byte{"config/tkr.yaml": []byte(tkrDoc), "config/x.yaml": []byte("just: data\n")},
			"config/x.yaml, document 1: the document has neither apiVersion nor kind"},
		{"a list", map[string][]byte{"config/tkr.yaml": []byte(tkrDoc), "config/x.yaml": []byte("- a\n")},
			"config/x.yaml, document 1: the document is a list"},
		{"no name", map[string][]byte{"config/tkr.yaml": []byte(tkrDoc + "---\napiVersion: v1\nkind: Secret\nmetadata: {}\n")},
			"config/tkr.yaml, document 2: the Secret object has no metadata.name"},
		{"no TKR", map[string][]byte{"config/os.yaml": []byte(osImageDoc)}, "holds no TanzuKubernetesRelease"},
		{"two TKRs", map[string][]byte{"config/a.yaml": []byte(tkrDoc), "config/b.yaml": []byte(strings.ReplaceAll(tkrDoc, "1.25.0", "1.26.0"))},
			`holds 2 TanzuKubernetesReleases ("v1.25.0---vmware.1-tkg.1" in config/a.yaml (document 1), "v1.26.0---vmware.1-tkg.1" in config/b.yaml (document 1))`},
		{"other version", map[string][]byte{"config/a.yaml": []byte(strings.ReplaceAll(tkrDoc, "1.25.0", "1.26.0"))},
			`config/a.yaml, document 1: the package bundle is for v1.25.0+vmware.1-tkg.1`},
		{"TKR without version", map[string][]byte{"config/a.yaml": []byte(strings.Replace(tkrDoc, "spec: {version: v1.25.0+vmware.1-tkg.1}", "spec: {}", 1))},
			"has no spec.version"},
		{"TKR with a bad version", map[string][]byte{"config/a.yaml": []byte(strings.Replace(tkrDoc, "version: v1.25.0+vmware.1-tkg.1", "version: v1.25", 1))},
			"is not a version"},
		{"Namespace", map[string][]byte{"config/a.yaml": []byte(tkrDoc + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: tkg-system}\n")},
			`config/a.yaml, document 2: a release must not hold Namespaces, but the package bundle holds Namespace "tkg-system"`},
		{"additional-compatible-tkrs ConfigMap", map[string][]byte{"config/a.yaml": []byte(tkrDoc +
			"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: byo, labels: {run.tanzu.vmware.com/additional-compatible-tkrs: \"\"}}\n")},
			`the ConfigMap "byo" is labelled run.tanzu.vmware.com/additional-compatible-tkrs`},
		{"duplicate", map[string][]byte{"config/a.yaml": []byte(tkrDoc + "---\n" + secretDoc), "config/b.yaml": []byte(strings.ReplaceAll(secretDoc, "anywhere", "elsewhere"))},
			`config/b.yaml, document 1: Secret "s" is also defined in config/a.yaml (document 2)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tkrbundle.ParseRelease(tc.files, "v1.25.0+vmware.1-tkg.1")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestParseReleaseWrongVersionMessage(t *testing.T) {
	_, err := tkrbundle.ParseRelease(map[string][]byte{"config/a.yaml": []byte(tkrDoc)}, "v1.26.0+vmware.1-tkg.1")
	want := `config/a.yaml, document 1: the package bundle is for v1.26.0+vmware.1-tkg.1, but its TanzuKubernetesRelease "v1.25.0---vmware.1-tkg.1" has spec.version "v1.25.0+vmware.1-tkg.1"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want one containing %q", err, want)
	}
}

func parse(t *testing.T, name, data string) []catalog.Object {
	t.Helper()
	objs, err := catalog.Parse(name, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestReleaseFilesNamesAndCleanup(t *testing.T) {
	objs := slices.Concat(
		parse(t, "my/release/tkr.yaml", tkrDoc),
		parse(t, "my/release/sub/os.yaml", osImageDoc+"---\n"+strings.ReplaceAll(osImageDoc, "os-1", "os-2")),
		parse(t, "", secretDoc),
	)
	// What an API server adds is dropped.
	objs[0].SetUID("1234")
	objs[0].SetResourceVersion("7")
	objs[0].SetGeneration(3)
	objs[0].SetOwnerReferences([]metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "x", UID: "9"}})
	objs[0].Object["status"] = map[string]any{"conditions": []any{}}
	files, err := tkrbundle.ReleaseFiles(objs)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keys(files), []string{".imgpkg/images.yml", "config/objects.yaml", "config/sub/os.yaml", "config/tkr.yaml"}; !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	if n := strings.Count(string(files["config/sub/os.yaml"]), "kind: OSImage"); n != 2 {
		t.Errorf("config/sub/os.yaml holds %d OSImages:\n%s", n, files["config/sub/os.yaml"])
	}
	for _, gone := range []string{"uid", "resourceVersion", "generation", "ownerReferences", "status"} {
		if strings.Contains(string(files["config/tkr.yaml"]), gone) {
			t.Errorf("config/tkr.yaml still has %s:\n%s", gone, files["config/tkr.yaml"])
		}
	}
	if objs[0].GetUID() != "1234" {
		t.Error("ReleaseFiles modified its input")
	}
	if _, err := tkrbundle.ParseRelease(files, "v1.25.0+vmware.1-tkg.1"); err != nil {
		t.Errorf("ParseRelease() = %v", err)
	}
}

func TestReleaseFilesFlat(t *testing.T) {
	objs := slices.Concat(parse(t, "tkr.yaml", tkrDoc), parse(t, "../elsewhere/os.yaml", osImageDoc))
	files, err := tkrbundle.ReleaseFiles(objs)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keys(files), []string{".imgpkg/images.yml", "config/os.yaml", "config/tkr.yaml"}; !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
}

func TestReleaseFilesErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		objs []catalog.Object
		want string
	}{
		{"no TKR", parse(t, "os.yaml", osImageDoc), "the release holds no TanzuKubernetesRelease"},
		{"Namespace", parse(t, "a.yaml", tkrDoc+"---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n"), "a.yaml, document 2: a release must not hold Namespaces"},
		{"duplicate", parse(t, "a.yaml", tkrDoc+"---\n"+tkrDoc), `a.yaml, document 2: TanzuKubernetesRelease "v1.25.0---vmware.1-tkg.1" is also defined in a.yaml (document 1)`},
		{"two TKRs", parse(t, "a.yaml", tkrDoc+"---\n"+strings.ReplaceAll(tkrDoc, "1.25", "1.26")), "the release holds 2 TanzuKubernetesReleases"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tkrbundle.ReleaseFiles(tc.objs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
			if _, err := tkrbundle.Version(tc.objs); err == nil {
				t.Error("Version() accepted what ReleaseFiles rejects")
			}
		})
	}
}
