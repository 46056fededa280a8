package envtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Kubectl runs the kubectl built with the control plane against the environment and returns its
// standard output; a non-zero exit fails the test with kubectl's error output.
func (e *Environment) Kubectl(t testing.TB, args ...string) string {
	t.Helper()
	out, err := e.KubectlE(t, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// KubectlE is Kubectl returning the error (with stderr) instead of failing.
func (e *Environment) KubectlE(t testing.TB, args ...string) (string, error) {
	t.Helper()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, e.KubeConfig, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.ControlPlane.Kubectl(), append([]string{"--kubeconfig", kubeconfig}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), &kubectlError{err: err, stderr: stderr.String()}
	}
	return string(out), nil
}

type kubectlError struct {
	err    error
	stderr string
}

func (k *kubectlError) Error() string { return k.err.Error() + ": " + strings.TrimSpace(k.stderr) }

var headerCell = regexp.MustCompile(`\S+(?: \S+)*`)

// Table is kubectl's tabular output split into cells: the header and one map per row, keyed by
// header. Cells are cut at the header's column offsets, because kubectl leaves empty cells blank
// (as in the seed's antreaconfig listing), so splitting on spaces would shift them.
type Table struct {
	Header []string
	Rows   []map[string]string
}

// ParseTable parses `kubectl get` output.
func ParseTable(out string) Table {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) == "" {
		return Table{}
	}
	loc := headerCell.FindAllStringIndex(lines[0], -1)
	t := Table{}
	for _, l := range loc {
		t.Header = append(t.Header, lines[0][l[0]:l[1]])
	}
	for _, line := range lines[1:] {
		row := map[string]string{}
		for i, l := range loc {
			start, end := l[0], len(line)
			if i+1 < len(loc) {
				end = loc[i+1][0]
			}
			if start >= len(line) {
				row[t.Header[i]] = ""
				continue
			}
			row[t.Header[i]] = strings.TrimSpace(line[start:min(end, len(line))])
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// Row returns the row whose column key equals value, or nil.
func (t Table) Row(key, value string) map[string]string {
	for _, r := range t.Rows {
		if r[key] == value {
			return r
		}
	}
	return nil
}
