package publish_test

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tkr-project/tkr/examples"
	"github.com/tkr-project/tkr/internal/publish"
	"github.com/tkr-project/tkr/pkg/tkrbundle"
)

var exampleVersions = []string{
	"v1.21.14+vmware.1-tkg.5",
	"v1.22.17+vmware.1-tkg.1",
	"v1.23.15+vmware.1-tkg.1",
	"v1.24.9+vmware.1-gpu-efi",
	"v1.24.9+vmware.1-tkg.1",
}

func versions(l *publish.Layout) []string {
	var vs []string
	for _, r := range l.Releases {
		vs = append(vs, r.Version)
	}
	return vs
}

func TestLoadExamples(t *testing.T) {
	l, err := publish.Load(examples.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Metadata) == 0 {
		t.Error("no compatibility metadata")
	}
	if got, want := slices.Sorted(maps.Keys(l.BOMs)), []string{"v1.22.17_vmware.1-tkg.1", "v1.23.15_vmware.1-tkg.1", "v1.24.9_vmware.1-tkg.1"}; !slices.Equal(got, want) {
		t.Errorf("BOM tags %v, want %v", got, want)
	}
	if got := versions(l); !slices.Equal(got, exampleVersions) {
		t.Errorf("releases %v, want %v", got, exampleVersions)
	}
	for _, r := range l.Releases {
		if _, err := tkrbundle.ParseRelease(r.Files, r.Version); err != nil {
			t.Errorf("%s: %v", r.Version, err)
		}
		for name, data := range r.Files {
			if strings.Contains(string(data), "additional-compatible-tkrs") {
				t.Errorf("%s: %s holds the additional-compatible-tkrs ConfigMap", r.Version, name)
			}
		}
	}
	if len(l.Notes) != 1 || !strings.Contains(l.Notes[0], "ConfigMap tkg-system/byo-tkrs from catalog/v1.24.9---vmware.1-gpu-efi/additional-compatible-tkrs.yaml (document 1)") {
		t.Errorf("notes %q", l.Notes)
	}
}

func TestLoadOneReleaseDirectory(t *testing.T) {
	sub, err := fs.Sub(examples.FS, "catalog/v1.24.9---vmware.1-gpu-efi")
	if err != nil {
		t.Fatal(err)
	}
	l, err := publish.Load(sub)
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(l); !slices.Equal(got, []string{"v1.24.9+vmware.1-gpu-efi"}) || l.Metadata != nil || len(l.BOMs) != 0 {
		t.Errorf("layout %v, metadata %q, BOMs %d", got, l.Metadata, len(l.BOMs))
	}
	if got, want := slices.Sorted(maps.Keys(l.Releases[0].Files)), []string{".imgpkg/images.yml", "config/clusterbootstraptemplate.yaml", "config/osimages.yaml", "config/packages.yaml", "config/tkr.yaml"}; !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	if len(l.Notes) != 1 {
		t.Errorf("notes %q", l.Notes)
	}
}

// writeDir writes files below a new temporary directory and returns it.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	tkrYAML = `apiVersion: run.tanzu.vmware.com/v1alpha3
kind: TanzuKubernetesRelease
metadata: {name: v1.25.0---vmware.1-tkg.1}
spec: {version: v1.25.0+vmware.1-tkg.1}
`
	bomYAML = `release: {version: v1.25.0+vmware.1-tkg.1}
components: {kubernetes: [{version: v1.25.0+vmware.1}]}
imageConfig: {imageRepository: example.com/tkg}
`
	metadataYAML = `managementClusterVersions:
- version: v2.3.0
  supportedKubernetesVersions: [v1.25.0+vmware.1-tkg.1]
`
)

func TestLoadDir(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"compatibility/metadata.yaml":   metadataYAML,
		"boms/whatever.yml":             bomYAML,
		"catalog/00-namespaces.yaml":    "not: [even YAML", // not read
		"catalog/a/tkr.yaml":            tkrYAML,
		"catalog/a/nested/secret.yaml":  "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
		"catalog/not-a-release/x.yaml":  "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
		"catalog/.hidden/tkr.yaml":      "not: [even YAML",
		"catalog/a/.editor-backup.yaml": "not: [even YAML",
	})
	l, err := publish.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if string(l.Metadata) != metadataYAML || string(l.BOMs["v1.25.0_vmware.1-tkg.1"]) != bomYAML {
		t.Errorf("metadata %q, BOMs %v", l.Metadata, l.BOMs)
	}
	if got := versions(l); !slices.Equal(got, []string{"v1.25.0+vmware.1-tkg.1"}) {
		t.Errorf("releases %v", got)
	}
	if got, want := slices.Sorted(maps.Keys(l.Releases[0].Files)), []string{".imgpkg/images.yml", "config/nested/secret.yaml", "config/tkr.yaml"}; !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	if l.Releases[0].Dir != filepath.Join(dir, "catalog", "a") {
		t.Errorf("Dir = %q", l.Releases[0].Dir)
	}
	wantNote := "Left out " + filepath.Join(dir, "catalog", "not-a-release") + ": it holds no TanzuKubernetesRelease"
	if len(l.Notes) != 1 || !strings.HasPrefix(l.Notes[0], wantNote) {
		t.Errorf("notes %q, want one starting %q", l.Notes, wantNote)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string // with DIR standing for the directory
	}{
		{"empty", map[string]string{}, "no TanzuKubernetesRelease found in DIR"},
		{"no TKR", map[string]string{"x.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"}, "no TanzuKubernetesRelease found in DIR"},
		{"empty layout", map[string]string{"catalog/README": "x", "boms/README": "x"}, "DIR holds nothing to publish"},
		{"bad YAML in a release", map[string]string{"tkr.yaml": tkrYAML + "---\nfoo: [\n"}, "DIR/tkr.yaml, document 2: invalid YAML"},
		{"bad YAML in a catalogue release", map[string]string{"catalog/a/tkr.yaml": "kind: [\n"}, "DIR/catalog/a/tkr.yaml, document 1: invalid YAML"},
		{"two TKRs", map[string]string{"catalog/a/tkr.yaml": tkrYAML, "catalog/a/tkr2.yaml": strings.ReplaceAll(tkrYAML, "1.25.0", "1.26.0")},
			"DIR/catalog/a is not a release directory: the release holds 2 TanzuKubernetesReleases"},
		{"a Namespace", map[string]string{"tkr.yaml": tkrYAML + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n"},
			"DIR is not a release directory: DIR/tkr.yaml, document 2: a release must not hold Namespaces"},
		{"same version twice", map[string]string{"catalog/a/tkr.yaml": tkrYAML, "catalog/b/tkr.yaml": tkrYAML},
			"DIR/catalog/a and DIR/catalog/b both hold TKR v1.25.0+vmware.1-tkg.1"},
		{"bad metadata", map[string]string{"compatibility/metadata.yaml": "managementClusterVersions: []\n"},
			"DIR/compatibility/metadata.yaml lists no managementClusterVersions"},
		{"bad BOM", map[string]string{"boms/x.yaml": "release: {}\n"}, "the BOM DIR/boms/x.yaml has no release.version"},
		{"same BOM twice", map[string]string{"boms/a.yaml": bomYAML, "boms/b.yaml": bomYAML},
			"the BOMs DIR/boms/a.yaml and DIR/boms/b.yaml are both for release v1.25.0+vmware.1-tkg.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, tc.files)
			_, err := publish.LoadDir(dir)
			want := strings.ReplaceAll(tc.want, "DIR", dir)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error = %v, want one containing %q", err, want)
			}
		})
	}
}

func TestLoadDirNotADirectory(t *testing.T) {
	dir := writeDir(t, map[string]string{"tkr.yaml": tkrYAML})
	if _, err := publish.LoadDir(filepath.Join(dir, "tkr.yaml")); err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("error = %v", err)
	}
	if _, err := publish.LoadDir(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "cannot read the directory") {
		t.Errorf("error = %v", err)
	}
}

func TestLoadMapFS(t *testing.T) {
	l, err := publish.Load(fstest.MapFS{"tkr.yaml": {Data: []byte(tkrYAML)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(l); !slices.Equal(got, []string{"v1.25.0+vmware.1-tkg.1"}) || l.Releases[0].Dir != "." {
		t.Errorf("releases %v, dir %q", got, l.Releases[0].Dir)
	}
}

func TestSelect(t *testing.T) {
	for _, tc := range []struct {
		name     string
		select_  []string
		releases []string
		boms     []string
	}{
		{"nothing selected", nil, exampleVersions, []string{"v1.22.17_vmware.1-tkg.1", "v1.23.15_vmware.1-tkg.1", "v1.24.9_vmware.1-tkg.1"}},
		{"as versions", []string{"v1.24.9+vmware.1-tkg.1", "v1.24.9+vmware.1-gpu-efi"}, []string{"v1.24.9+vmware.1-gpu-efi", "v1.24.9+vmware.1-tkg.1"}, []string{"v1.24.9_vmware.1-tkg.1"}},
		{"as a label", []string{"v1.23.15---vmware.1-tkg.1"}, []string{"v1.23.15+vmware.1-tkg.1"}, []string{"v1.23.15_vmware.1-tkg.1"}},
		{"as a tag without v", []string{"1.21.14_vmware.1-tkg.5"}, []string{"v1.21.14+vmware.1-tkg.5"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := publish.Load(examples.FS)
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Select(tc.select_); err != nil {
				t.Fatal(err)
			}
			if got := versions(l); !slices.Equal(got, tc.releases) {
				t.Errorf("releases %v, want %v", got, tc.releases)
			}
			if got := slices.Sorted(maps.Keys(l.BOMs)); !slices.Equal(got, tc.boms) {
				t.Errorf("BOMs %v, want %v", got, tc.boms)
			}
			if l.Metadata == nil {
				t.Error("the metadata was dropped")
			}
		})
	}
}

func TestSelectUnknown(t *testing.T) {
	l, err := publish.Load(examples.FS)
	if err != nil {
		t.Fatal(err)
	}
	err = l.Select([]string{"v1.24.9+vmware.1-tkg.1", "v9.9.9"})
	if err == nil || !strings.Contains(err.Error(), "there is no release or BOM for v9.9.9; the directory has releases v1.21.14+vmware.1-tkg.5, ") ||
		!strings.Contains(err.Error(), "and BOMs for v1.22.17+vmware.1-tkg.1, ") {
		t.Fatalf("error = %v", err)
	}
	if len(l.Releases) != 5 {
		t.Error("a failed Select changed the layout")
	}
}
