package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/tkr-project/tkr/internal/scheme"
	"github.com/tkr-project/tkr/pkg/resolver"
	"github.com/tkr-project/tkr/pkg/tkrdata"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// The example catalogue and ClusterClass, as the README tells users to pass them.
const (
	examplesCatalog = "../../examples/catalog"
	examplesClass   = "../../examples/clusterclass.yaml"
	examplesCluster = "../../examples/cluster.yaml"
	examplesGPU     = "../../examples/cluster-byo-gpu.yaml"

	tkg1   = "v1.24.9---vmware.1-tkg.1"
	gpuTKR = "v1.24.9---vmware.1-gpu-efi"
	ubuntu = "v1.24.9---vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93"
	photon = "v1.24.9---vmware.1-tkg.1-f5e94dab9dfbb9988aeb94f1ffdc6e5e"
)

// TestLoadCatalog checks what loadCatalog indexes from the examples, and that every broken
// catalogue is refused with the file and the object named.
func TestLoadCatalog(t *testing.T) {
	s := scheme.New()
	t.Run("examples", func(t *testing.T) {
		cat, err := loadCatalog(s, []string{examplesCatalog, examplesClass})
		if err != nil {
			t.Fatal(err)
		}
		if tkrs, images := cat.resolver.Len(); tkrs != 5 || images != 9 {
			t.Errorf("the resolver holds %d TKRs and %d OSImages, want 5 and 9", tkrs, images)
		}
		if diff := cmp.Diff([]string{"default/tkg-vsphere-default"}, slices.Sorted(maps.Keys(cat.classes))); diff != "" {
			t.Errorf("ClusterClasses (-want +got):\n%s", diff)
		}
		// The resolver sees the labels the status controller would write.
		tkr := cat.resolver.TKR(gpuTKR)
		if tkr == nil {
			t.Fatalf("TKR %s is missing", gpuTKR)
		}
		for _, l := range []string{"v1.24", "v1.24.9---vmware.1-gpu-efi", "tkr.tanzu.vmware.com/gpu-efi"} {
			if _, ok := tkr.Labels[l]; !ok {
				t.Errorf("TKR %s lacks the label %s: %v", gpuTKR, l, tkr.Labels)
			}
		}
	})
	t.Run("conditions", func(t *testing.T) {
		cat, err := loadCatalog(s, []string{examplesCatalog, "testdata/tkg2-incompatible.yaml"})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := cat.resolver.TKR("v1.24.9---vmware.1-tkg.2").Labels["incompatible"]; !ok {
			t.Errorf("a TKR whose Compatible condition is False is not labelled incompatible")
		}
	})
	t.Run("older TKR versions", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "tkr.yaml"), `apiVersion: run.tanzu.vmware.com/v1alpha1
kind: TanzuKubernetesRelease
metadata:
  name: v1.20.8---vmware.1-tkg.2
spec:
  version: v1.20.8+vmware.1-tkg.2
  kubernetesVersion: v1.20.8+vmware.1
  repository: projects.registry.vmware.com/tkg
`)
		cat, err := loadCatalog(s, []string{dir})
		if err != nil {
			t.Fatal(err)
		}
		tkr := cat.resolver.TKR("v1.20.8---vmware.1-tkg.2")
		if tkr == nil || tkr.Spec.Kubernetes.Version != "v1.20.8+vmware.1" || tkr.Spec.Kubernetes.ImageRepository != "projects.registry.vmware.com/tkg" {
			t.Errorf("the v1alpha1 TKR was not converted: %+v", tkr)
		}
	})

	tests := []struct {
		name  string
		paths []string
		want  []string // substrings of the error
	}{
		{"missing path", []string{"testdata/no-such-catalog"}, []string{"testdata/no-such-catalog: cannot read the catalogue"}},
		{"TKR with a misspelt field", []string{examplesCatalog, "testdata/bad/tkr-typo.yaml"},
			[]string{"testdata/bad/tkr-typo.yaml, document 1", `TanzuKubernetesRelease "v1.26.1---vmware.1-tkg.1"`, "spec.kubernetes.verison"}},
		{"OSImage with a misspelt field", []string{"testdata/bad/osimage-typo.yaml"},
			[]string{"testdata/bad/osimage-typo.yaml, document 1", `OSImage "v1.26.1---vmware.1-tkg.1-ubuntu"`, "spec.os.nmae"}},
		{"TKR defined twice", []string{examplesCatalog, "testdata/bad/duplicate-tkr.yaml"},
			[]string{"testdata/bad/duplicate-tkr.yaml, document 1", `"v1.24.9---vmware.1-tkg.1" is also defined in`, "v1.24.9---vmware.1-tkg.1/tkr.yaml"}},
		{"ClusterClass defined twice", []string{examplesClass, "testdata/clusterclass-v1beta2.yaml"},
			[]string{"testdata/clusterclass-v1beta2.yaml, document 1: the ClusterClass default/tkg-vsphere-default is also defined in ../../examples/clusterclass.yaml"}},
		{"not YAML", []string{"testdata/bad/not-yaml.yaml"}, []string{"testdata/bad/not-yaml.yaml, document 1: invalid YAML"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadCatalog(s, tt.paths)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// runCommand runs `tkr <args>` with stdin as standard input and returns standard output, standard
// error and the exit code Execute would return.
func runCommand(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int, err error) {
	t.Helper()
	root := NewRoot()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err = root.Execute()
	code = 0
	if err != nil {
		code = 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
	}
	return out.String(), errOut.String(), code, err
}

// printedResolution is what a printed Cluster says about its resolution.
type printedResolution struct {
	APIVersion string
	TKR        string
	Version    string
	// Images are the OSImages of the control plane's TKR_DATA entry and of each machine
	// deployment's override ("" when it has none).
	Images []string
}

// printedVariable is a cluster variable or override as printed.
type printedVariable struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

// readResolution parses a printed Cluster (YAML or JSON).
func readResolution(t *testing.T, printed string) printedResolution {
	t.Helper()
	var c struct {
		APIVersion string `json:"apiVersion"`
		Metadata   struct {
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			Topology struct {
				Version   string            `json:"version"`
				Variables []printedVariable `json:"variables"`
				Workers   struct {
					MachineDeployments []struct {
						Variables struct {
							Overrides []printedVariable `json:"overrides"`
						} `json:"variables"`
					} `json:"machineDeployments"`
				} `json:"workers"`
			} `json:"topology"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal([]byte(printed), &c); err != nil {
		t.Fatalf("the output is not a Cluster: %v\n%s", err, printed)
	}
	top := c.Spec.Topology
	r := printedResolution{APIVersion: c.APIVersion, TKR: c.Metadata.Labels["run.tanzu.vmware.com/tkr"], Version: top.Version}
	r.Images = append(r.Images, osImage(t, top.Variables, top.Version))
	for _, md := range top.Workers.MachineDeployments {
		r.Images = append(r.Images, osImage(t, md.Variables.Overrides, top.Version))
	}
	return r
}

// osImage returns the OSImage of the TKR_DATA entry for k8s among vars, "" if there is none.
func osImage(t *testing.T, vars []printedVariable, k8s string) string {
	t.Helper()
	for _, v := range vars {
		if v.Name != tkrdata.VarTKRData {
			continue
		}
		var data tkrdata.TKRData
		if err := json.Unmarshal(v.Value, &data); err != nil {
			t.Fatalf("TKR_DATA does not parse: %v", err)
		}
		if e := data[k8s]; e != nil {
			return e.Labels["run.tanzu.vmware.com/os-image"]
		}
	}
	return ""
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkGolden compares got with testdata/golden/name, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		writeFile(t, path, got)
		return
	}
	if diff := cmp.Diff(readFile(t, path), got); diff != "" {
		t.Errorf("output differs from %s (-want +got; rerun with -update if intended):\n%s", path, diff)
	}
}

// TestResolveCommand runs `tkr resolve` end to end on the examples and the testdata.
func TestResolveCommand(t *testing.T) {
	tmp := t.TempDir()
	// The incompatible TKR of testdata, made compatible: then it is the newest and wins.
	compatible := filepath.Join(tmp, "tkg2-compatible.yaml")
	writeFile(t, compatible, strings.Replace(readFile(t, "testdata/tkg2-incompatible.yaml"), `status: "False"`, `status: "True"`, 1))
	// The example ClusterClass without its resolve-tkr annotation: nothing asks for resolution.
	optOut := filepath.Join(tmp, "clusterclass-opt-out.yaml")
	writeFile(t, optOut, strings.Replace(readFile(t, examplesClass), "\n    run.tanzu.vmware.com/resolve-tkr: \"\"", "\n    example.com/unrelated: \"\"", 1))
	examples := []string{"--catalog", examplesCatalog, "--catalog", examplesClass}
	v1beta2Class := []string{"--catalog", examplesCatalog, "--catalog", "testdata/clusterclass-v1beta2.yaml"}
	cluster := readFile(t, examplesCluster)

	tests := []struct {
		name  string
		args  []string
		stdin string
		// want is what the printed Cluster says; nil when nothing is printed.
		want *printedResolution
		// golden names the file under testdata/golden that stdout must equal.
		golden string
		// stderr holds substrings standard error must contain, in order.
		stderr []string
	}{
		{
			name:   "example cluster",
			args:   append([]string{"-f", examplesCluster}, examples...),
			want:   &printedResolution{"cluster.x-k8s.io/v1beta1", tkg1, "v1.24.9+vmware.1", []string{ubuntu, ""}},
			golden: "workload-1.yaml",
		},
		{
			name:   "example cluster from standard input",
			args:   append([]string{"-f", "-"}, examples...),
			stdin:  cluster,
			golden: "workload-1.yaml",
		},
		{
			name:   "example cluster as JSON",
			args:   append([]string{"-f", examplesCluster, "-o", "json"}, examples...),
			want:   &printedResolution{"cluster.x-k8s.io/v1beta1", tkg1, "v1.24.9+vmware.1", []string{ubuntu, ""}},
			golden: "workload-1.json",
		},
		{
			name:   "bring-your-own TKR",
			args:   append([]string{"-f", examplesGPU}, examples...),
			want:   &printedResolution{"cluster.x-k8s.io/v1beta1", gpuTKR, "v1.24.9+vmware.1", []string{gpuTKR, ""}},
			golden: "workload-gpu.yaml",
		},
		{
			name:   "v1beta2 Cluster, v1beta1 ClusterClass",
			args:   append([]string{"-f", "testdata/cluster-v1beta2.yaml"}, examples...),
			want:   &printedResolution{"cluster.x-k8s.io/v1beta2", tkg1, "v1.24.9+vmware.1", []string{ubuntu, "", photon}},
			golden: "workload-2.yaml",
		},
		{
			name:   "v1beta2 Cluster, v1beta2 ClusterClass",
			args:   append([]string{"-f", "testdata/cluster-v1beta2.yaml"}, v1beta2Class...),
			golden: "workload-2.yaml",
		},
		{
			name:   "v1beta1 Cluster, v1beta2 ClusterClass",
			args:   append([]string{"-f", examplesCluster}, v1beta2Class...),
			golden: "workload-1.yaml",
		},
		{
			name: "custom image repository, status and creation time kept",
			args: append([]string{"-f", "testdata/cluster-custom-registry.yaml"}, examples...),
			want: &printedResolution{"cluster.x-k8s.io/v1beta1", "v1.23.15---vmware.1-tkg.1", "v1.23.15+vmware.1",
				[]string{"v1.23.15---vmware.1-tkg.1-f363a512de1779884bce87333127cdc3"}},
			golden: "workload-private.yaml",
		},
		{
			name: "custom image repository read from another variable",
			args: append([]string{"-f", "testdata/cluster-custom-registry.yaml", "--custom-image-repository-cc-var", "registry"}, examples...),
			want: &printedResolution{"cluster.x-k8s.io/v1beta1", "v1.23.15---vmware.1-tkg.1", "v1.23.15+vmware.1",
				[]string{"v1.23.15---vmware.1-tkg.1-f363a512de1779884bce87333127cdc3"}},
			golden: "workload-private-default-registry.yaml",
		},
		{
			name:   "explain",
			args:   append([]string{"-f", examplesCluster, "--explain"}, examples...),
			golden: "workload-1.yaml",
			stderr: []string{
				"controlPlane: Resolved to TKR v1.24.9---vmware.1-tkg.1 with OSImage " + ubuntu + ".",
				"TKR v1.24.9---vmware.1-gpu-efi: TKR v1.24.9---vmware.1-tkg.1 is newer and is chosen.",
				"md-0: Resolved to TKR v1.24.9---vmware.1-tkg.1",
			},
		},
		{
			name:   "an incompatible TKR is not chosen",
			args:   append([]string{"-f", examplesCluster, "--catalog", "testdata/tkg2-incompatible.yaml", "--explain"}, examples...),
			want:   &printedResolution{"cluster.x-k8s.io/v1beta1", tkg1, "v1.24.9+vmware.1", []string{ubuntu, ""}},
			stderr: []string{"TKR v1.24.9---vmware.1-tkg.2: It is incompatible: its Compatible condition is False: not in the compatibility metadata"},
		},
		{
			name: "a compatible newer TKR is chosen",
			args: append([]string{"-f", examplesCluster, "--catalog", compatible}, examples...),
			want: &printedResolution{"cluster.x-k8s.io/v1beta1", "v1.24.9---vmware.1-tkg.2", "v1.24.9+vmware.1", []string{ubuntu, ""}},
		},
		{
			name:   "paused",
			args:   append([]string{"-f", "-"}, examples...),
			stdin:  strings.Replace(cluster, "spec:\n", "spec:\n  paused: true\n", 1),
			want:   &printedResolution{"cluster.x-k8s.io/v1beta1", "", "v1.24.9+vmware.1", []string{"", ""}},
			stderr: []string{"Note: the Cluster default/workload-1 in <stdin> (document 1) is paused (spec.paused), so the TKR resolver leaves it as it is."},
		},
		{
			name:   "no resolve-tkr annotation",
			args:   []string{"resolve", "-f", examplesCluster, "--catalog", examplesCatalog, "--catalog", optOut},
			want:   &printedResolution{"cluster.x-k8s.io/v1beta1", "", "v1.24.9+vmware.1", []string{"", ""}},
			stderr: []string{"Note: neither the Cluster default/workload-1 nor its ClusterClass default/tkg-vsphere-default has the annotation run.tanzu.vmware.com/resolve-tkr"},
		},
		{
			name: "Windows nodes",
			args: append([]string{"-f", "testdata/cluster-windows.yaml"}, examples...),
			stderr: []string{
				// The control plane could use Ubuntu, but the cluster must run one TKR.
				"could not resolve TKR/OSImage for controlPlane, machineDeployments: [md-windows], query: ",
				"controlPlane: None of the 2 TKRs", "Part md-windows cannot use it.",
				"md-windows: ", `fails the OSImage selector term os-name=windows: label os-name is "ubuntu", but must be "windows".`,
			},
		},
		{
			name:   "unparsable selector",
			args:   append([]string{"-f", "-"}, examples...),
			stdin:  strings.Replace(cluster, "  namespace: default\n", "  namespace: default\n  annotations:\n    run.tanzu.vmware.com/resolve-tkr: a b\n", 1),
			stderr: []string{"error parsing selector: 'a b': "},
		},
		{
			name:   "unusable version",
			args:   append([]string{"-f", "-", "--explain"}, examples...),
			stdin:  strings.Replace(cluster, "version: v1.24.9+vmware.1", `version: "v1.24 "`, 1),
			stderr: []string{"the Cluster default/workload-1 cannot be resolved: its spec.topology.version is not a usable version prefix", "controlPlane: Nothing can match"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if args[0] != "resolve" {
				args = append([]string{"resolve"}, args...)
			}
			stdout, stderr, code, err := runCommand(t, tt.stdin, args...)
			wantCode := 0
			if tt.want == nil && tt.golden == "" {
				wantCode = exitDenied
			}
			if code != wantCode {
				t.Fatalf("exit code %d (%v), want %d; stderr:\n%s", code, err, wantCode, stderr)
			}
			if wantCode == exitDenied {
				if stdout != "" {
					t.Errorf("a denied Cluster printed something on standard output:\n%s", stdout)
				}
				if err == nil || !strings.Contains(err.Error(), "the TKR resolver would deny the Cluster default/") {
					t.Errorf("error = %v", err)
				}
			}
			if tt.want != nil {
				if diff := cmp.Diff(*tt.want, readResolution(t, stdout)); diff != "" {
					t.Errorf("resolution (-want +got):\n%s", diff)
				}
			}
			if tt.golden != "" {
				checkGolden(t, tt.golden, stdout)
			}
			rest := stderr
			for _, s := range tt.stderr {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Errorf("standard error lacks %q (in this order):\n%s", s, stderr)
					break
				}
				rest = rest[i+len(s):]
			}
		})
	}
}

// TestResolveCommandJSONExplanation checks that -o json --explain writes the explanation as
// JSON, for a success and for a denial (after the denial's first line).
func TestResolveCommandJSONExplanation(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		wantCode int
		want     map[string]resolver.Outcome
	}{
		{"resolved", examplesCluster, 0, map[string]resolver.Outcome{"controlPlane": resolver.OutcomeResolved, "md-0": resolver.OutcomeResolved}},
		{"denied", "testdata/cluster-windows.yaml", exitDenied, map[string]resolver.Outcome{"controlPlane": resolver.OutcomeUnresolved, "md-windows": resolver.OutcomeUnresolved}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code, _ := runCommand(t, "", "resolve", "-f", tt.file, "-o", "json", "--explain", "--catalog", examplesCatalog, "--catalog", examplesClass)
			if code != tt.wantCode {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if tt.wantCode == 0 && !json.Valid([]byte(stdout)) {
				t.Errorf("standard output is not JSON:\n%s", stdout)
			}
			explanation := stderr
			if tt.wantCode != 0 {
				first, rest, _ := strings.Cut(stderr, "\n")
				if !strings.HasPrefix(first, "could not resolve TKR/OSImage for ") {
					t.Errorf("the first line of standard error is %q, want the denial", first)
				}
				explanation = rest
			}
			var x resolver.Explanation
			if err := json.Unmarshal([]byte(explanation), &x); err != nil {
				t.Fatalf("the explanation is not JSON: %v\n%s", err, explanation)
			}
			got := map[string]resolver.Outcome{}
			for _, p := range x.Parts {
				got[p.Part] = p.Outcome
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestResolveCommandBadInput checks that input tkr resolve cannot use exits 2 with a message
// naming the file and, where there is one, the object.
func TestResolveCommandBadInput(t *testing.T) {
	catalogs := []string{"--catalog", examplesCatalog, "--catalog", examplesClass}
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  []string // substrings of the error
	}{
		{"unreadable file", []string{"-f", "testdata/does-not-exist.yaml"},
			"", []string{"cannot read the Cluster file testdata/does-not-exist.yaml: no such file or directory"}},
		{"invalid YAML", []string{"-f", "testdata/bad/not-yaml.yaml"},
			"", []string{"testdata/bad/not-yaml.yaml, document 1: invalid YAML"}},
		{"no Cluster", []string{"-f", "testdata/bad/no-cluster.yaml"},
			"", []string{"testdata/bad/no-cluster.yaml holds no Cluster (Cluster.cluster.x-k8s.io) to resolve: it has only ConfigMap"}},
		{"empty standard input", []string{"-f", "-"},
			"# nothing here\n", []string{"<stdin> holds no Cluster (Cluster.cluster.x-k8s.io) to resolve: it has no objects at all"}},
		{"two Clusters", []string{"-f", "testdata/bad/two-clusters.yaml"},
			"", []string{"testdata/bad/two-clusters.yaml holds 2 Clusters (default/first in document 1, default/second in document 2)"}},
		{"no topology", []string{"-f", "testdata/bad/no-topology.yaml"},
			"", []string{"testdata/bad/no-topology.yaml, document 1: the Cluster default/classless has no spec.topology"}},
		{"ClusterClass not in the catalogue", []string{"-f", "testdata/bad/unknown-class.yaml"},
			"", []string{"testdata/bad/unknown-class.yaml, document 1: the Cluster tenant-a/on-aws refers to the ClusterClass tenant-a/tkg-aws-default, which is not in the catalogue",
				"the catalogue's ClusterClasses are: default/tkg-vsphere-default"}},
		{"Cluster with a misspelt field", []string{"-f", "testdata/bad/cluster-typo.yaml"},
			"", []string{"testdata/bad/cluster-typo.yaml, document 1", `Cluster "typo"`, "spec.topology.verison"}},
		{"Cluster API version not read", []string{"-f", "testdata/bad/cluster-v1alpha4.yaml"},
			"", []string{"testdata/bad/cluster-v1alpha4.yaml, document 1: the Cluster default/old has apiVersion cluster.x-k8s.io/v1alpha4"}},
		{"TKR with a misspelt field", []string{"-f", examplesCluster, "--catalog", "testdata/bad/tkr-typo.yaml"},
			"", []string{"testdata/bad/tkr-typo.yaml, document 1", `TanzuKubernetesRelease "v1.26.1---vmware.1-tkg.1"`, "spec.kubernetes.verison"}},
		{"OSImage with a misspelt field", []string{"-f", examplesCluster, "--catalog", "testdata/bad/osimage-typo.yaml"},
			"", []string{"testdata/bad/osimage-typo.yaml, document 1", `OSImage "v1.26.1---vmware.1-tkg.1-ubuntu"`, "spec.os.nmae"}},
		{"catalogue path missing", []string{"-f", examplesCluster, "--catalog", "testdata/no-such-catalog"},
			"", []string{"testdata/no-such-catalog: cannot read the catalogue"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"resolve"}, tt.args...), catalogs...)
			stdout, _, code, err := runCommand(t, tt.stdin, args...)
			if code != exitBadInput {
				t.Fatalf("exit code %d (%v), want %d", code, err, exitBadInput)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if stdout != "" {
				t.Errorf("bad input printed something on standard output:\n%s", stdout)
			}
		})
	}
}

// TestResolveCommandUsage checks that a command line tkr resolve cannot run exits 2.
func TestResolveCommandUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no catalogue", []string{"-f", examplesCluster}, "no catalogue: name the files or directories"},
		{"no Cluster", []string{"--catalog", examplesCatalog}, "no Cluster to resolve: name its file with -f"},
		{"unknown format", []string{"-f", examplesCluster, "--catalog", examplesCatalog, "-o", "xml"}, `unknown output format "xml": use -o yaml or -o json`},
		{"unknown flag", []string{"-f", examplesCluster, "--catalogue", examplesCatalog}, "unknown flag: --catalogue"},
		{"argument", []string{examplesCluster, "--catalog", examplesCatalog}, "tkr resolve takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, code, err := runCommand(t, "", append([]string{"resolve"}, tt.args...)...)
			if code != exitBadInput || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("exit code %d, error %v; want %d and an error containing %q", code, err, exitBadInput, tt.want)
			}
		})
	}
}
