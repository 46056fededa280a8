// Package addonstest holds the golden-file helpers of the add-on renderers' tests: comparing
// rendered data values with testdata/*.golden.yaml (rewritten with -update) and listing the
// key paths of a YAML document, so a test can check that every field the specification names
// is rendered.
package addonstest

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Golden compares got with the file testdata/<name>.golden.yaml, or rewrites the file when the
// test runs with -update.
func Golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden.yaml")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the golden file (run the test with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("rendered data values differ from %s (-want +got; rerun with -update if the change is intended):\n%s", path, diff)
	}
}

// Paths returns the dotted key path of every mapping key in a YAML document, sorted, e.g.
// "antrea.config.featureGates.AntreaProxy". Keys of sequence items are listed under the
// sequence's path.
func Paths(t *testing.T, doc []byte) []string {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(doc, &v); err != nil {
		t.Fatalf("rendered data values are not YAML: %v", err)
	}
	var out []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				out = append(out, p)
				walk(p, child)
			}
		case []any:
			for _, child := range x {
				walk(prefix, child)
			}
		}
	}
	walk("", v)
	slices.Sort(out)
	return slices.Compact(out)
}

// RequirePaths fails the test for each of want missing from the document's key paths.
func RequirePaths(t *testing.T, doc []byte, want ...string) {
	t.Helper()
	have := Paths(t, doc)
	var missing []string
	for _, w := range want {
		if _, found := slices.BinarySearch(have, w); !found {
			missing = append(missing, w)
		}
	}
	if len(missing) > 0 {
		t.Errorf("rendered data values lack %s; they have:\n%s", strings.Join(missing, ", "), strings.Join(have, "\n"))
	}
}
