package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// checkGetGolden compares got with testdata/get/name (checkGolden's files live in
// testdata/golden), or rewrites it with -update.
func checkGetGolden(t *testing.T, name, got string) {
	t.Helper()
	checkGolden(t, filepath.Join("..", "get", name), got)
}

// TestGetCatalog runs tkr get on catalogues read from files: the example catalogue as a table,
// filtered, wide and as objects, and every way the input can be wrong.
func TestGetCatalog(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		// golden is the file under testdata/get that standard output must equal; "" means
		// standard output must be empty.
		golden   string
		wantCode int
		// wantErr must be the error (for code != 0), wantStderr standard error.
		wantErr    string
		wantStderr string
	}{
		{name: "table", args: []string{"--catalog", examplesCatalog}, golden: "table.txt"},
		{name: "selector", args: []string{"--catalog", examplesCatalog, "-l", "v1.24"}, golden: "v1.24.txt"},
		{name: "exclusion selector", args: []string{"--catalog", examplesCatalog, "--catalog", "testdata/tkg2-incompatible.yaml", "-l", "v1.24,!incompatible"}, golden: "v1.24.txt"},
		{name: "wide, with a release whose Compatible condition is False", args: []string{"--catalog", examplesCatalog, "--catalog", "testdata/tkg2-incompatible.yaml", "-o", "wide"}, golden: "wide.txt"},
		{name: "names", args: []string{"--catalog", examplesCatalog, "v1.24.9---vmware.1-tkg.1", "v1.22.17---vmware.1-tkg.1"}, golden: "names.txt"},
		{name: "one name as JSON", args: []string{"--catalog", examplesCatalog, "v1.24.9---vmware.1-gpu-efi", "-o", "json"}, golden: "gpu-efi.json"},
		{name: "a list as YAML", args: []string{"--catalog", examplesCatalog, "-l", "v1.24", "-o", "yaml"}, golden: "v1.24.yaml"},
		{
			name: "a missing name", args: []string{"--catalog", examplesCatalog, "v1.22.17---vmware.1-tkg.1", "v9.9.9", "v8.8.8"}, golden: "missing.txt",
			wantCode: 1, wantErr: "TanzuKubernetesReleases v9.9.9, v8.8.8 not found in the catalogue ../../examples/catalog; list the releases with tkr get",
		},
		{
			name: "nothing matches", args: []string{"--catalog", examplesCatalog, "-l", "v2"},
			wantStderr: "No TanzuKubernetesReleases match the selector \"v2\".\n",
		},
		{
			name: "unknown output", args: []string{"--catalog", examplesCatalog, "-o", "table"},
			wantCode: 2, wantErr: `unknown output format "table": use -o wide, -o yaml or -o json, or leave -o out for a table`,
		},
		{
			name: "bad selector", args: []string{"--catalog", examplesCatalog, "-l", "v1.24,("},
			wantCode: 2, wantErr: `the selector "v1.24,(" does not parse: `,
		},
		{
			name: "--cluster with --catalog and names", args: []string{"--catalog", examplesCatalog, "--cluster", "default/w", "v1.24.9---vmware.1-tkg.1"},
			wantCode: 2, wantErr: "--cluster shows the releases a Cluster can move to and takes no release names, but was given v1.24.9---vmware.1-tkg.1\n" +
				"--cluster reads the Cluster from the management cluster and cannot be combined with --catalog",
		},
		{
			name: "a catalogue with a typo", args: []string{"--catalog", "testdata/bad/tkr-typo.yaml"},
			wantCode: 2, wantErr: "testdata/bad/tkr-typo.yaml",
		},
		{
			name: "unknown flag", args: []string{"--catalogue", examplesCatalog},
			wantCode: 2, wantErr: "unknown flag: --catalogue",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code, err := runCommand(t, "", append([]string{"get"}, tc.args...)...)
			if code != tc.wantCode {
				t.Errorf("exit code %d (error %v), want %d", code, err, tc.wantCode)
			}
			if tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.wantErr)) {
				t.Errorf("error %v, want one starting with %q", err, tc.wantErr)
			}
			if tc.golden != "" {
				checkGetGolden(t, tc.golden, stdout)
			} else if stdout != "" {
				t.Errorf("unexpected output:\n%s", stdout)
			}
			if diff := cmp.Diff(tc.wantStderr, stderr); diff != "" {
				t.Errorf("standard error (-want +got):\n%s", diff)
			}
		})
	}
}

// testRelease returns a release of version v labelled with labels, with conditions.
func testRelease(name, v string, labels map[string]string, conds ...runv1alpha3.Condition) *release {
	return newRelease(&runv1alpha3.TanzuKubernetesRelease{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec:       runv1alpha3.TanzuKubernetesReleaseSpec{Version: v},
		Status:     runv1alpha3.TanzuKubernetesReleaseStatus{Conditions: conds},
	}, nil)
}

// TestSortReleases: by version, not by name; unparseable versions last.
func TestSortReleases(t *testing.T) {
	rs := []*release{
		testRelease("z", "bad", nil),
		testRelease("b", "v1.10.0", nil),
		testRelease("a", "bad", nil),
		testRelease("c", "v1.9.0", nil),
		testRelease("d", "v1.10.0+vmware.2", nil),
		testRelease("e", "v1.10.0+vmware.10", nil),
	}
	sortReleases(rs)
	var got []string
	for _, r := range rs {
		got = append(got, r.tkr.Name)
	}
	if diff := cmp.Diff([]string{"c", "b", "d", "e", "a", "z"}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

// readYAML decodes printed YAML or JSON into v.
func readYAML(t *testing.T, printed string, v any) {
	t.Helper()
	if err := yaml.Unmarshal([]byte(printed), v); err != nil {
		t.Fatalf("the output does not parse: %v\n%s", err, printed)
	}
}
