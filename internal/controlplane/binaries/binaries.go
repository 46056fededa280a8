// Package binaries builds the control-plane programs a local API server needs (kube-apiserver,
// etcd and kubectl) from the Go module proxy and caches them outside any repository.
//
// Nothing is downloaded but Go modules: kube-apiserver and kubectl come from k8s.io/kubernetes
// (whose staging modules are pinned with replace directives to the published k8s.io/* versions,
// because module consumers cannot see its local ./staging paths), and etcd from
// go.etcd.io/etcd/server/v3. Builds take minutes on a small machine, so results are cached under
// the user's cache directory, keyed by every input that changes the output.
package binaries

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
)

// DefaultEtcdVersion is the etcd server release built for the control plane. Kubernetes 1.36
// supports the etcd 3.6 series, the one Cluster API's own dependencies use.
const DefaultEtcdVersion = "v3.6.16"

// Programs are the binaries a cache directory holds, as controller-runtime's envtest expects.
var Programs = []string{"kube-apiserver", "etcd", "kubectl"}

// Versions selects what to build.
type Versions struct {
	// Kubernetes is the k8s.io/kubernetes release, e.g. v1.36.3.
	Kubernetes string
	// Etcd is the go.etcd.io/etcd/server/v3 release, e.g. v3.6.16.
	Etcd string
}

// ForLibrary returns the versions matching a k8s.io/api module version: v0.36.3 → v1.36.3.
func ForLibrary(apiModuleVersion string) (Versions, error) {
	rest, ok := strings.CutPrefix(apiModuleVersion, "v0.")
	if !ok || rest == "" {
		return Versions{}, fmt.Errorf("k8s.io/api version %q is not of the form v0.MINOR.PATCH", apiModuleVersion)
	}
	return Versions{Kubernetes: "v1." + rest, Etcd: DefaultEtcdVersion}, nil
}

// FromBuildInfo returns the versions matching the k8s.io/api module this program was built with,
// so the control plane always matches the client libraries talking to it.
func FromBuildInfo() (Versions, error) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return Versions{}, errors.New("this program carries no build information, so the Kubernetes version to build is unknown")
	}
	for _, dep := range info.Deps {
		if dep.Path == "k8s.io/api" {
			if dep.Replace != nil {
				dep = dep.Replace
			}
			return ForLibrary(dep.Version)
		}
	}
	return Versions{}, errors.New("this program was not built with k8s.io/api, so the Kubernetes version to build is unknown")
}

// Current returns the versions matching the k8s.io/api this program uses: from its build
// information, or, for test binaries (which carry no module dependencies), from the module
// the working directory belongs to.
func Current() (Versions, error) {
	v, err := FromBuildInfo()
	if err == nil {
		return v, nil
	}
	out, listErr := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "k8s.io/api").Output()
	if listErr != nil {
		return Versions{}, fmt.Errorf("%w; asking the enclosing module instead failed too: %v", err, listErr)
	}
	return ForLibrary(strings.TrimSpace(string(out)))
}

// CacheRoot is where built binaries live: $TKR_ENVTEST_CACHE, else <user cache dir>/tkr/envtest.
func CacheRoot() (string, error) {
	if dir := os.Getenv("TKR_ENVTEST_CACHE"); dir != "" {
		return dir, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the user cache directory (set TKR_ENVTEST_CACHE to choose one): %w", err)
	}
	return filepath.Join(base, "tkr", "envtest"), nil
}

// Dir is the cache directory for v. The key includes the Go toolchain and platform because
// both change the binaries.
func Dir(v Versions) (string, error) {
	root, err := CacheRoot()
	if err != nil {
		return "", err
	}
	key := fmt.Sprintf("k8s-%s-etcd-%s-%s-%s-%s", v.Kubernetes, v.Etcd, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return filepath.Join(root, key), nil
}

// Complete reports whether dir holds every program.
func Complete(dir string) bool {
	for _, p := range Programs {
		fi, err := os.Stat(filepath.Join(dir, p))
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// Ensure returns a directory holding kube-apiserver, etcd and kubectl for v, building them first
// if the cache has none. A directory named by $KUBEBUILDER_ASSETS that holds all three wins, so
// CI or a developer can supply their own. Progress goes to progress (may be nil).
func Ensure(ctx context.Context, v Versions, progress io.Writer) (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" && Complete(dir) {
		return dir, nil
	}
	if progress == nil {
		progress = io.Discard
	}
	dest, err := Dir(v)
	if err != nil {
		return "", err
	}
	if Complete(dest) {
		return dest, nil
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return "", fmt.Errorf("creating the control-plane binary cache: %w", err)
	}
	// Parallel test packages and a playground may all start cold; one builds, the others wait.
	unlock, err := lock(filepath.Join(filepath.Dir(dest), ".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if Complete(dest) {
		return dest, nil
	}
	b := &builder{v: v, progress: progress}
	if err := b.build(ctx, dest); err != nil {
		return "", err
	}
	return dest, nil
}

func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the cache lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

type builder struct {
	v        Versions
	progress io.Writer
	work     string
}

func (b *builder) build(ctx context.Context, dest string) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return errors.New("the Go toolchain is needed once to build kube-apiserver, etcd and kubectl, but `go` is not on PATH")
	}
	b.work, err = os.MkdirTemp(filepath.Dir(dest), "build-")
	if err != nil {
		return fmt.Errorf("creating a build directory: %w", err)
	}
	defer os.RemoveAll(b.work)
	out := filepath.Join(b.work, "bin")
	start := time.Now()
	fmt.Fprintf(b.progress, "Building the local control plane (Kubernetes %s, etcd %s) from Go modules; this happens once and takes several minutes.\n", b.v.Kubernetes, b.v.Etcd)

	if err := b.buildKubernetes(ctx, goBin, out); err != nil {
		return err
	}
	if err := b.buildEtcd(ctx, goBin, out); err != nil {
		return err
	}
	// Publish whole or not at all: a rename is atomic, so nobody sees a half-filled directory.
	if err := os.Rename(out, dest); err != nil && !Complete(dest) {
		return fmt.Errorf("publishing the built binaries to %s: %w", dest, err)
	}
	fmt.Fprintf(b.progress, "Control plane built in %s and cached in %s.\n", time.Since(start).Round(time.Second), dest)
	return nil
}

var stagingReplace = regexp.MustCompile(`(?m)^\s*(k8s\.io/[A-Za-z0-9._-]+)\s+=>\s+\./staging/`)

func (b *builder) buildKubernetes(ctx context.Context, goBin, out string) error {
	mod := filepath.Join(b.work, "kubernetes")
	if err := os.MkdirAll(mod, 0o755); err != nil {
		return err
	}
	b.step("downloading k8s.io/kubernetes " + b.v.Kubernetes)
	gomodPath, err := b.downloadGoMod(ctx, goBin, mod, "k8s.io/kubernetes@"+b.v.Kubernetes)
	if err != nil {
		return err
	}
	upstream, err := os.ReadFile(gomodPath)
	if err != nil {
		return fmt.Errorf("reading k8s.io/kubernetes's go.mod: %w", err)
	}
	staging := "v0." + strings.TrimPrefix(b.v.Kubernetes, "v1.")
	var gomod bytes.Buffer
	fmt.Fprintf(&gomod, "module tkr.local/control-plane-kubernetes\n\ngo %s\n\nrequire k8s.io/kubernetes %s\n\n", goLanguageVersion(), b.v.Kubernetes)
	matches := stagingReplace.FindAllSubmatch(upstream, -1)
	if len(matches) == 0 {
		return fmt.Errorf("k8s.io/kubernetes %s's go.mod replaces no staging modules; this builder does not know how to pin them", b.v.Kubernetes)
	}
	for _, m := range matches {
		fmt.Fprintf(&gomod, "replace %s => %s %s\n", m[1], m[1], staging)
	}
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), gomod.Bytes(), 0o644); err != nil {
		return err
	}
	pkgs := []string{"k8s.io/kubernetes/cmd/kube-apiserver", "k8s.io/kubernetes/cmd/kubectl"}
	b.step("resolving kube-apiserver and kubectl dependencies")
	args := []string{"get"}
	for _, p := range pkgs {
		args = append(args, p+"@"+b.v.Kubernetes)
	}
	if err := b.run(ctx, mod, goBin, args...); err != nil {
		return err
	}
	parts := strings.SplitN(strings.TrimPrefix(b.v.Kubernetes, "v"), ".", 3)
	ldflags := strings.Join([]string{
		"-s", "-w",
		"-X", "k8s.io/component-base/version.gitVersion=" + b.v.Kubernetes,
		"-X", "k8s.io/component-base/version.gitMajor=" + parts[0],
		"-X", "k8s.io/component-base/version.gitMinor=" + parts[1],
		"-X", "k8s.io/component-base/version.gitTreeState=clean",
	}, " ")
	for _, p := range pkgs {
		name := filepath.Base(p)
		b.step("compiling " + name)
		if err := b.run(ctx, mod, goBin, "build", "-trimpath", "-ldflags", ldflags, "-o", filepath.Join(out, name), p); err != nil {
			return err
		}
	}
	return nil
}

const etcdMain = `// Command etcd starts an etcd server from the published server module.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
`

func (b *builder) buildEtcd(ctx context.Context, goBin, out string) error {
	mod := filepath.Join(b.work, "etcd")
	if err := os.MkdirAll(mod, 0o755); err != nil {
		return err
	}
	gomod := fmt.Sprintf("module tkr.local/control-plane-etcd\n\ngo %s\n", goLanguageVersion())
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte(gomod), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(mod, "main.go"), []byte(etcdMain), 0o644); err != nil {
		return err
	}
	b.step("resolving etcd " + b.v.Etcd)
	if err := b.run(ctx, mod, goBin, "get", "go.etcd.io/etcd/server/v3@"+b.v.Etcd); err != nil {
		return err
	}
	b.step("compiling etcd")
	return b.run(ctx, mod, goBin, "build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join(out, "etcd"), ".")
}

func (b *builder) downloadGoMod(ctx context.Context, goBin, dir, module string) (string, error) {
	cmd := exec.CommandContext(ctx, goBin, "mod", "download", "-json", module)
	cmd.Dir = dir
	cmd.Env = b.env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s failed: %w\n%s", module, err, stderr.String())
	}
	var info struct{ GoMod, Error string }
	if err := json.Unmarshal(stdout, &info); err != nil {
		return "", fmt.Errorf("reading go mod download's answer for %s: %w", module, err)
	}
	if info.Error != "" || info.GoMod == "" {
		return "", fmt.Errorf("go mod download %s: %s", module, info.Error)
	}
	return info.GoMod, nil
}

func (b *builder) step(msg string) { fmt.Fprintf(b.progress, "  - %s\n", msg) }

// run executes a go command, keeping its chatter unless it fails, and prints a heartbeat so a
// person watching a cold start knows it is still working.
func (b *builder) run(ctx context.Context, dir, goBin string, args ...string) error {
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = dir
	cmd.Env = b.env()
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting go %s: %w", strings.Join(args, " "), err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	start := time.Now()
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("go %s failed in %s: %w\n%s", strings.Join(args, " "), dir, err, tail(output.String(), 40))
			}
			return nil
		case <-tick.C:
			fmt.Fprintf(b.progress, "    still working (%s)\n", time.Since(start).Round(time.Second))
		}
	}
}

func (b *builder) env() []string {
	env := os.Environ()
	// The temporary modules have no go.sum yet and must not inherit a vendor or readonly mode.
	return append(env, "GOFLAGS=-mod=mod", "GOWORK=off")
}

func goLanguageVersion() string {
	v := strings.TrimPrefix(runtime.Version(), "go")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return "1.26"
	}
	return parts[0] + "." + strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' })
}

func tail(s string, lines int) string {
	var all []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		all = append(all, sc.Text())
	}
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
