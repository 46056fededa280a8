package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/tkr-project/tkr/internal/registry"
	"github.com/tkr-project/tkr/internal/registry/registrytest"
	"github.com/tkr-project/tkr/pkg/tkrbundle"
)

const examplesDir = "../../examples"

// runPublishCommand runs `tkr publish <args>` and returns standard output, standard error and
// the exit code Execute would return. It builds its own root so that it does not depend on
// NewRoot registering the command.
func runPublishCommand(t *testing.T, args ...string) (stdout, stderr string, code int, err error) {
	t.Helper()
	root := &cobra.Command{Use: "tkr", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(newPublishCommand())
	var out, errOut bytes.Buffer
	root.SetArgs(append([]string{"publish"}, args...))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err = root.ExecuteContext(t.Context())
	if err != nil {
		code = 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
	}
	return out.String(), errOut.String(), code, err
}

func caFile(t *testing.T, r *registrytest.Registry) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, r.CACert, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPublishCommand(t *testing.T) {
	r := registrytest.New(t, registrytest.Options{TLS: true})
	ca := caFile(t, r)
	stdout, stderr, code, err := runPublishCommand(t, examplesDir, "--registry", r.Host+"/tkg", "--ca-cert", ca)
	if code != 0 {
		t.Fatalf("exit %d: %v\n%s", code, err, stderr)
	}
	for _, want := range []string{
		"pushed    package bundle          " + r.Host + "/tkg/tkr-vsphere-nonparavirt:v1.21.14_vmware.1-tkg.5@sha256:",
		"pushed    repository bundle       " + r.Host + "/tkg/tkr-repository-vsphere-nonparavirt:v1.24.9_vmware.1-gpu-efi@sha256:",
		"pushed    BOM                     " + r.Host + "/tkg/tkr-bom:v1.22.17_vmware.1-tkg.1@sha256:",
		"pushed    compatibility metadata  " + r.Host + "/tkg/tkr-compatibility:v1@sha256:",
		"Published 5 releases, 3 BOMs and the compatibility metadata to " + r.Host + "/tkg: 14 images, 14 pushed, 0 already there.\n",
		"Point the source controller at it with these flags of tkr manager:\n" +
			"  --bom-image-path=" + r.Host + "/tkg/tkr-bom\n" +
			"  --bom-metadata-image-path=" + r.Host + "/tkg/tkr-compatibility\n" +
			"  --tkr-repo-image-path=" + r.Host + "/tkg/tkr-repository-vsphere-nonparavirt\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("standard output lacks %q:\n%s", want, stdout)
		}
	}
	if want := "Note: Left out ConfigMap tkg-system/byo-tkrs from " + filepath.Join(examplesDir, "catalog/v1.24.9---vmware.1-gpu-efi/additional-compatible-tkrs.yaml") + " (document 1)"; !strings.Contains(stderr, want) {
		t.Errorf("standard error lacks %q:\n%s", want, stderr)
	}

	// What was published reads back.
	c, err := registry.New(registry.Options{CACerts: r.CACert})
	if err != nil {
		t.Fatal(err)
	}
	img, err := c.Files(t.Context(), r.Host+"/tkg/tkr-repository-vsphere-nonparavirt:v1.24.9_vmware.1-tkg.1")
	if err != nil {
		t.Fatal(err)
	}
	if pkgs, err := tkrbundle.ParseRepository(img.Files); err != nil || len(pkgs) != 1 {
		t.Errorf("repository bundle: %+v, %v", pkgs, err)
	}

	// Again: nothing to push.
	stdout, _, code, err = runPublishCommand(t, examplesDir, "--registry", r.Host+"/tkg", "--ca-cert", ca)
	if code != 0 || !strings.Contains(stdout, "14 images, 0 pushed, 14 already there.") || strings.Contains(stdout, "pushed    ") {
		t.Errorf("exit %d (%v), output:\n%s", code, err, stdout)
	}
}

func TestPublishCommandOneRelease(t *testing.T) {
	r := registrytest.New(t, registrytest.Options{})
	stdout, stderr, code, err := runPublishCommand(t, filepath.Join(examplesDir, "catalog", "v1.24.9---vmware.1-gpu-efi"),
		"--registry", r.Host, "--insecure", "--repository-path", "byo/repo", "--package-path", "byo/pkg")
	if code != 0 {
		t.Fatalf("exit %d: %v\n%s", code, err, stderr)
	}
	for _, want := range []string{
		"pushed    package bundle     " + r.Host + "/byo/pkg:v1.24.9_vmware.1-gpu-efi@",
		"pushed    repository bundle  " + r.Host + "/byo/repo:v1.24.9_vmware.1-gpu-efi@",
		"Published 1 release to " + r.Host + ": 2 images, 2 pushed",
		"--tkr-repo-image-path=" + r.Host + "/byo/repo\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("standard output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestPublishCommandSelect(t *testing.T) {
	r := registrytest.New(t, registrytest.Options{})
	stdout, stderr, code, err := runPublishCommand(t, examplesDir, "--registry", r.Host, "--release", "v1.24.9+vmware.1-tkg.1,v1.23.15---vmware.1-tkg.1")
	if code != 0 {
		t.Fatalf("exit %d: %v\n%s", code, err, stderr)
	}
	if !strings.Contains(stdout, "Published 2 releases, 2 BOMs and the compatibility metadata") || strings.Contains(stdout, "v1.22.17") {
		t.Errorf("output:\n%s", stdout)
	}
}

func TestPublishCommandErrors(t *testing.T) {
	up := registrytest.New(t, registrytest.Options{})
	down := registrytest.New(t, registrytest.Options{})
	down.Down()
	tls := registrytest.New(t, registrytest.Options{TLS: true})
	noTKR := t.TempDir()
	if err := os.WriteFile(filepath.Join(noTKR, "secret.yaml"), []byte("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badCA := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(badCA, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no directory", []string{"--registry", up.Host}, exitBadInput, "tkr publish needs exactly one directory to publish, but was given 0 arguments"},
		{"two directories", []string{"a", "b", "--registry", up.Host}, exitBadInput, "was given 2 arguments"},
		{"no registry", []string{examplesDir}, exitBadInput, "no registry to publish to: name it with --registry"},
		{"unknown flag", []string{examplesDir, "--registy", up.Host}, exitBadInput, "unknown flag: --registy"},
		{"missing directory", []string{filepath.Join(noTKR, "missing"), "--registry", up.Host}, exitBadInput, "cannot read the directory " + filepath.Join(noTKR, "missing")},
		{"no TKR", []string{noTKR, "--registry", up.Host}, exitBadInput, "no TanzuKubernetesRelease found in " + noTKR},
		{"unknown release", []string{examplesDir, "--registry", up.Host, "--release", "v9.9.9"}, exitBadInput, "--release: there is no release or BOM for v9.9.9"},
		{"bad path", []string{examplesDir, "--registry", up.Host, "--bom-path", "BOMs"}, exitBadInput, up.Host + "/BOMs is not a valid repository"},
		{"missing CA file", []string{examplesDir, "--registry", up.Host, "--ca-cert", filepath.Join(noTKR, "ca.pem")}, exitBadInput,
			"cannot read the CA certificate file " + filepath.Join(noTKR, "ca.pem") + " given with --ca-cert: no such file or directory"},
		{"bad CA file", []string{examplesDir, "--registry", up.Host, "--ca-cert", badCA}, exitBadInput, "no PEM certificate"},
		{"scheme", []string{examplesDir, "--registry", "https://" + up.Host}, exitBadInput, "must be given as host[:port][/prefix], without the https:// scheme"},
		{"unreachable registry", []string{examplesDir, "--registry", down.Host}, 1, "cannot push the package bundle: pushing image " + down.Host + "/tkr-vsphere-nonparavirt:"},
		{"unknown CA", []string{examplesDir, "--registry", tls.Host}, 1, "pass the CA certificate that signed it with --ca-cert, or use --skip-verify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, _, code, err := runPublishCommand(t, tc.args...)
			if code != tc.code || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("exit %d, error %v; want exit %d and an error containing %q", code, err, tc.code, tc.want)
			}
			if strings.Contains(stdout, "pushed ") {
				t.Errorf("something was pushed:\n%s", stdout)
			}
		})
	}
}

func TestPublishCommandSkipVerify(t *testing.T) {
	r := registrytest.New(t, registrytest.Options{TLS: true})
	_, stderr, code, err := runPublishCommand(t, examplesDir, "--registry", r.Host, "--skip-verify", "--release", "v1.22.17+vmware.1-tkg.1")
	if code != 0 {
		t.Fatalf("exit %d: %v\n%s", code, err, stderr)
	}
}
