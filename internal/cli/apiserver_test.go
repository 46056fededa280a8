package cli

import (
	"path/filepath"
	"testing"

	"github.com/tkr-project/tkr/test/envtest"
)

// env is this package's API server, for the commands that talk to a management cluster
// (tkr get, deactivate, activate). Tests of offline commands simply do not use it.
var env *envtest.Environment

func TestMain(m *testing.M) { envtest.Main(m, &env, envtest.Options{}) }

// kubeconfig writes the API server's kubeconfig to a file and returns its path.
func kubeconfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	writeFile(t, p, string(env.KubeConfig))
	return p
}

// applyPaths applies YAML files or directories to the API server, as kubectl apply
// --server-side would.
func applyPaths(t *testing.T, paths ...string) { env.ApplyFiles(t, paths...) }

// applyYAMLText applies YAML given as text.
func applyYAMLText(t *testing.T, content string) {
	t.Helper()
	if err := env.ApplyYAML(t, content); err != nil {
		t.Fatal(err)
	}
}
