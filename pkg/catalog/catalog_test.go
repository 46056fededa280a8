package catalog

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// summary is the part of an Object the tests compare: enough to tell objects apart and to see
// where they came from.
type summary struct {
	Kind, Name string
	Source     Source
}

func summarize(objs []Object) []summary {
	out := make([]summary, 0, len(objs))
	for _, o := range objs {
		out = append(out, summary{Kind: o.GetKind(), Name: o.GetName(), Source: o.Source})
	}
	return out
}

// writeFiles creates the given files (relative path → content) below a fresh directory and
// returns that directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func configMap(name string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n"
}

func TestParseDocuments(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []summary
	}{{
		name: "single document",
		data: configMap("a"),
		want: []summary{{"ConfigMap", "a", Source{"f.yaml", 1}}},
	}, {
		name: "several documents",
		data: configMap("a") + "---\n" + configMap("b") + "---\n" + configMap("c"),
		want: []summary{
			{"ConfigMap", "a", Source{"f.yaml", 1}},
			{"ConfigMap", "b", Source{"f.yaml", 2}},
			{"ConfigMap", "c", Source{"f.yaml", 3}},
		},
	}, {
		name: "leading and trailing separators, empty and comment-only documents are not counted",
		data: "# header\n---\n" + configMap("a") + "---\n---\n\n  \n---\n# just a comment\n---\n" + configMap("b") + "---\n",
		want: []summary{
			{"ConfigMap", "a", Source{"f.yaml", 1}},
			{"ConfigMap", "b", Source{"f.yaml", 2}},
		},
	}, {
		name: "CRLF line endings",
		data: strings.ReplaceAll("# windows\n"+configMap("a")+"---\n"+configMap("b"), "\n", "\r\n"),
		want: []summary{
			{"ConfigMap", "a", Source{"f.yaml", 1}},
			{"ConfigMap", "b", Source{"f.yaml", 2}},
		},
	}, {
		name: "separator with a comment, document end marker, directive and byte order mark",
		data: "\ufeff%YAML 1.2\n--- # first\n" + configMap("a") + "...\n--- \t\n" + configMap("b"),
		want: []summary{
			{"ConfigMap", "a", Source{"f.yaml", 1}},
			{"ConfigMap", "b", Source{"f.yaml", 2}},
		},
	}, {
		name: "content on the separator line",
		data: "--- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n",
		want: []summary{{"ConfigMap", "a", Source{"f.yaml", 1}}},
	}, {
		name: "dashes that are not separators",
		data: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: |\n    ---\n    indented, so content\n  y: ----\n",
		want: []summary{{"ConfigMap", "a", Source{"f.yaml", 1}}},
	}, {
		name: "null document is skipped but keeps its number",
		data: "null\n---\n" + configMap("a"),
		want: []summary{{"ConfigMap", "a", Source{"f.yaml", 2}}},
	}, {
		name: "nothing at all",
		data: "",
		want: []summary{},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := Parse("f.yaml", []byte(tt.data))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, summarize(objs)); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseKeepsValues(t *testing.T) {
	objs, err := Parse("f.yaml", []byte("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 3\n  ratio: 1.5\n  tag: \"3.7\"\n  enabled: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"size": int64(3), "ratio": 1.5, "tag": "3.7", "enabled": true}
	if diff := cmp.Diff(want, objs[0].Object["spec"]); diff != "" {
		t.Errorf("spec (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string // the complete message, or its start when it ends in "..."
	}{{
		name: "bad YAML names file and document",
		data: configMap("a") + "---\n" + configMap("b") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: [\n",
		want: "examples/catalog/bad.yaml, document 3: invalid YAML: ...",
	}, {
		name: "duplicate keys",
		data: "apiVersion: v1\nkind: ConfigMap\nkind: Secret\n",
		want: "examples/catalog/bad.yaml, document 1: invalid YAML: ...",
	}, {
		name: "missing kind",
		data: configMap("a") + "---\napiVersion: v1\nmetadata:\n  name: b\n",
		want: "examples/catalog/bad.yaml, document 2: the object with apiVersion v1 has no kind",
	}, {
		name: "missing apiVersion",
		data: "kind: ConfigMap\n",
		want: "examples/catalog/bad.yaml, document 1: the ConfigMap object has no apiVersion",
	}, {
		name: "neither",
		data: "metadata:\n  name: a\n",
		want: "examples/catalog/bad.yaml, document 1: the document has neither apiVersion nor kind, so it is not a Kubernetes object",
	}, {
		name: "not a mapping",
		data: "- a\n- b\n",
		want: "examples/catalog/bad.yaml, document 1: the document is a list, but a Kubernetes object must be a mapping",
	}, {
		name: "scalar",
		data: "hello\n",
		want: "examples/catalog/bad.yaml, document 1: the document is a string, but a Kubernetes object must be a mapping",
	}, {
		name: "bad apiVersion",
		data: "apiVersion: a/b/c\nkind: X\n",
		want: "examples/catalog/bad.yaml, document 1: the X object has an invalid apiVersion: ...",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := Parse("examples/catalog/bad.yaml", []byte(tt.data))
			if err == nil {
				t.Fatalf("Parse returned %d objects and no error", len(objs))
			}
			if objs != nil {
				t.Errorf("Parse returned %d objects together with the error", len(objs))
			}
			checkMessage(t, err, tt.want)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *catalog.Error", err)
			}
		})
	}
}

// checkMessage compares an error's message with want, which may end in "..." to compare only
// the start.
func checkMessage(t *testing.T, err error, want string) {
	t.Helper()
	got := err.Error()
	if prefix, ok := strings.CutSuffix(want, "..."); ok {
		if !strings.HasPrefix(got, prefix) {
			t.Errorf("error = %q, want it to start with %q", got, prefix)
		}
		return
	}
	if got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestLoadDirectories(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"b.yaml":              configMap("b"),
		"a/z.yml":             configMap("az"),
		"a.yaml":              configMap("a1") + "---\n" + configMap("a2"),
		"a/b/c.yaml":          configMap("abc"),
		"a/notes.txt":         "not yaml, not read",
		"a/README.md":         "# neither",
		"a/UPPER.YAML":        configMap("upper"),
		".hidden/x.yaml":      "broken: [",
		"a/.editor-tmp.yaml":  "broken: [",
		"c/empty.yaml":        "",
		"c/only-comment.yaml": "# nothing here\n",
	})
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	// Lexical path order: "a.yaml" < "a/..." because '.' sorts before '/'; "a/UPPER.YAML" sorts
	// before "a/b" because upper case sorts first.
	want := []summary{
		{"ConfigMap", "a1", Source{f("a.yaml"), 1}},
		{"ConfigMap", "a2", Source{f("a.yaml"), 2}},
		{"ConfigMap", "upper", Source{f("a/UPPER.YAML"), 1}},
		{"ConfigMap", "abc", Source{f("a/b/c.yaml"), 1}},
		{"ConfigMap", "az", Source{f("a/z.yml"), 1}},
		{"ConfigMap", "b", Source{f("b.yaml"), 1}},
	}
	if diff := cmp.Diff(want, summarize(got)); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}

	// Deterministic: loading again gives the same order.
	again, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(summarize(got), summarize(again)); diff != "" {
		t.Errorf("second load differs (-first +second):\n%s", diff)
	}
}

func TestLoadPaths(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"cat/a.yaml":      configMap("a"),
		"cat/b.yaml":      configMap("b"),
		"extra.manifest":  configMap("extra"),
		"other/c.yaml":    configMap("c"),
		"other/d.notyaml": configMap("d"),
	})
	f := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	// Paths keep the caller's order; a file named explicitly is read whatever its extension; a
	// file reached twice is read once.
	got, err := Load(f("other"), f("extra.manifest"), f("cat"), f("cat/a.yaml"), f("other/"))
	if err != nil {
		t.Fatal(err)
	}
	want := []summary{
		{"ConfigMap", "c", Source{f("other/c.yaml"), 1}},
		{"ConfigMap", "extra", Source{f("extra.manifest"), 1}},
		{"ConfigMap", "a", Source{f("cat/a.yaml"), 1}},
		{"ConfigMap", "b", Source{f("cat/b.yaml"), 1}},
	}
	if diff := cmp.Diff(want, summarize(got)); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}

	empty, err := Load()
	if err != nil || len(empty) != 0 {
		t.Errorf("Load() = %d objects, %v; want none and no error", len(empty), err)
	}
}

func TestLoadFS(t *testing.T) {
	fsys := fstest.MapFS{
		"cat/b.yaml":         {Data: []byte(configMap("b"))},
		"cat/a/x.yml":        {Data: []byte(configMap("ax1") + "---\n" + configMap("ax2"))},
		"cat/a.yaml":         {Data: []byte(configMap("a"))},
		"cat/.hidden.yaml":   {Data: []byte("broken: [")},
		"cat/notes.txt":      {Data: []byte("ignored")},
		"single.manifest":    {Data: []byte(configMap("single"))},
		"other/broken.yaml":  {Data: []byte("kind: [")},
		"cat/sub/empty.yaml": {Data: nil},
	}
	got, err := LoadFS(fsys, "single.manifest", "cat")
	if err != nil {
		t.Fatal(err)
	}
	want := []summary{
		{"ConfigMap", "single", Source{"single.manifest", 1}},
		{"ConfigMap", "a", Source{"cat/a.yaml", 1}},
		{"ConfigMap", "ax1", Source{"cat/a/x.yml", 1}},
		{"ConfigMap", "ax2", Source{"cat/a/x.yml", 2}},
		{"ConfigMap", "b", Source{"cat/b.yaml", 1}},
	}
	if diff := cmp.Diff(want, summarize(got)); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}

	_, err = LoadFS(fsys, ".")
	if err == nil {
		t.Fatal("LoadFS(\".\") read the broken file without an error")
	}
	checkMessage(t, err, "other/broken.yaml, document 1: invalid YAML: ...")

	_, err = LoadFS(fsys, "missing")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadFS(missing) = %v, want a not-exist error", err)
	}
}

// TestLoadFSMatchesLoad checks that an fs.FS view of the examples (as the playground embeds
// them) loads exactly like the directory on disk.
func TestLoadFSMatchesLoad(t *testing.T) {
	fromDisk, err := Load(filepath.Join(examplesDir, "catalog"))
	if err != nil {
		t.Fatal(err)
	}
	fromFS, err := LoadFS(os.DirFS(examplesDir), "catalog")
	if err != nil {
		t.Fatal(err)
	}
	for i := range fromDisk {
		rel, err := filepath.Rel(examplesDir, fromDisk[i].Source.File)
		if err != nil {
			t.Fatal(err)
		}
		fromDisk[i].Source.File = filepath.ToSlash(rel)
	}
	if diff := cmp.Diff(summarize(fromDisk), summarize(fromFS)); diff != "" {
		t.Errorf("LoadFS differs from Load (-disk +fs):\n%s", diff)
	}
}

func TestLoadStopsAtFirstError(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"1.yaml": configMap("ok"),
		"2.yaml": configMap("ok2") + "---\n" + configMap("ok3") + "---\nkind: [\n",
		"3.yaml": "kind: ConfigMap\n", // also broken, but never reached
	})
	objs, err := Load(dir)
	if err == nil {
		t.Fatal("Load succeeded on a broken catalogue")
	}
	if objs != nil {
		t.Errorf("Load returned %d objects together with the error", len(objs))
	}
	checkMessage(t, err, filepath.Join(dir, "2.yaml")+", document 3: invalid YAML: ...")
}

func TestLoadMissingPath(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	_, err := Load(missing)
	if err == nil {
		t.Fatal("Load succeeded on a missing path")
	}
	checkMessage(t, err, missing+": cannot read the catalogue: no such file or directory")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false", err)
	}
}

func TestSourceString(t *testing.T) {
	for _, tt := range []struct {
		src  Source
		want string
	}{
		{Source{"examples/x.yaml", 2}, "examples/x.yaml (document 2)"},
		{Source{"examples/x.yaml", 0}, "examples/x.yaml"},
	} {
		if got := tt.src.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestFilter(t *testing.T) {
	objs, err := Parse("f.yaml", []byte(`apiVersion: run.tanzu.vmware.com/v1alpha3
kind: TanzuKubernetesRelease
metadata: {name: a}
---
apiVersion: run.tanzu.vmware.com/v1alpha3
kind: OSImage
metadata: {name: b}
---
apiVersion: run.tanzu.vmware.com/v1alpha1
kind: TanzuKubernetesRelease
metadata: {name: c}
---
apiVersion: other.example.com/v1alpha3
kind: TanzuKubernetesRelease
metadata: {name: d}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := Filter(objs, schema.GroupKind{Group: "run.tanzu.vmware.com", Kind: "TanzuKubernetesRelease"})
	want := []summary{
		{"TanzuKubernetesRelease", "a", Source{"f.yaml", 1}},
		{"TanzuKubernetesRelease", "c", Source{"f.yaml", 3}},
	}
	if diff := cmp.Diff(want, summarize(got)); diff != "" {
		t.Errorf("Filter (-want +got):\n%s", diff)
	}
	if got := Filter(objs, schema.GroupKind{Kind: "ConfigMap"}); len(got) != 0 {
		t.Errorf("Filter(ConfigMap) = %v, want nothing", summarize(got))
	}
}

// widget is a small typed API object for the conversion tests, so they do not depend on the
// project's API packages.
type widget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              widgetSpec `json:"spec"`
}

type widgetSpec struct {
	Size  int64  `json:"size"`
	Parts []part `json:"parts,omitempty"`
}

type part struct {
	Name string `json:"name"`
}

func (w *widget) DeepCopyObject() runtime.Object {
	c := *w
	w.ObjectMeta.DeepCopyInto(&c.ObjectMeta)
	c.Spec.Parts = append([]part(nil), w.Spec.Parts...)
	return &c
}

var widgetGV = schema.GroupVersion{Group: "example.com", Version: "v1"}

func widgetScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	s.AddKnownTypes(widgetGV, &widget{})
	return s
}

func TestInto(t *testing.T) {
	objs, err := Parse("w.yaml", []byte(`apiVersion: example.com/v1
kind: widget
metadata:
  name: w
  labels: {a: b}
spec:
  size: 3
  parts:
  - name: p
`))
	if err != nil {
		t.Fatal(err)
	}
	var got widget
	if err := objs[0].Into(widgetScheme(), &got); err != nil {
		t.Fatalf("Into: %v", err)
	}
	want := widget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "example.com/v1", Kind: "widget"},
		ObjectMeta: metav1.ObjectMeta{Name: "w", Labels: map[string]string{"a": "b"}},
		Spec:       widgetSpec{Size: 3, Parts: []part{{Name: "p"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Into (-want +got):\n%s", diff)
	}
}

func TestIntoErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{{
		name: "unknown fields are named by path",
		data: "apiVersion: example.com/v1\nkind: widget\nmetadata: {name: w}\nspec:\n  size: 3\n  colour: red\n  parts:\n  - name: p\n    nmae: q\n",
		want: `w.yaml (document 1) is wrong: w.yaml, document 1: cannot convert widget "w": strict decoding error: unknown field "spec.colour", unknown field "spec.parts[0].nmae"`,
	}, {
		name: "wrong type",
		data: "apiVersion: example.com/v1\nkind: widget\nmetadata: {name: w}\nspec:\n  size: big\n",
		want: `w.yaml (document 1) is wrong: w.yaml, document 1: cannot convert widget "w": ...`,
	}, {
		name: "kind that is not the target type",
		data: "apiVersion: example.com/v2\nkind: widget\nmetadata: {name: w}\n",
		want: `w.yaml (document 1) is wrong: w.yaml, document 1: cannot convert widget "w" into *catalog.widget: the scheme registers that type as example.com/v1, Kind=widget, not as example.com/v2, Kind=widget`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := Parse("w.yaml", []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			var w widget
			err = objs[0].Into(widgetScheme(), &w)
			if err == nil {
				t.Fatal("Into succeeded")
			}
			// Callers typically prefix the source themselves; the error already names it too.
			checkMessage(t, errors.New(objs[0].Source.String()+" is wrong: "+err.Error()), tt.want)
		})
	}

	t.Run("type not in scheme", func(t *testing.T) {
		objs, err := Parse("w.yaml", []byte("apiVersion: example.com/v1\nkind: widget\nmetadata: {name: w}\n"))
		if err != nil {
			t.Fatal(err)
		}
		var w widget
		err = objs[0].Into(runtime.NewScheme(), &w)
		if err == nil {
			t.Fatal("Into succeeded with an empty scheme")
		}
		checkMessage(t, err, `w.yaml, document 1: cannot convert widget "w": no kind is registered for the type catalog.widget in scheme ...`)
	})
}
