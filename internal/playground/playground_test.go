package playground_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	cniv1alpha2 "github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/apply"
	"github.com/tkr-project/tkr/internal/scheme"
	"github.com/tkr-project/tkr/pkg/catalog"
	"github.com/tkr-project/tkr/pkg/tkrdata"
)

// TestUp runs `tkr up` as a user would, talks to it through the kubeconfig it writes, and stops
// it with SIGINT.
func TestUp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "tkr")
	build := exec.Command("go", "build", "-o", bin, "./cmd/tkr")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/tkr: %v\n%s", err, out)
	}

	kubeconfig := filepath.Join(dir, "playground.kubeconfig")
	cmd := exec.Command(bin, "up", "--kubeconfig-out", kubeconfig)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	var output lockedBuilder
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		signalled := false
		for sc.Scan() {
			output.WriteString(sc.Text() + "\n")
			if !signalled && strings.Contains(sc.Text(), "ready") {
				t.Logf("tkr up: %s", sc.Text())
				close(ready)
				signalled = true
			}
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	select {
	case <-ready:
	case err := <-exited:
		t.Fatalf("tkr up exited before it was ready: %v\n%s", err, output.String())
	case <-time.After(10 * time.Minute):
		t.Fatalf("tkr up was not ready within 10 minutes:\n%s", output.String())
	}

	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatalf("the written kubeconfig does not load: %v", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme.New()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	all := &runv1alpha3.TanzuKubernetesReleaseList{}
	if err := c.List(ctx, all); err != nil {
		t.Fatal(err)
	}
	// The releases come from the playground's registry through the source controller, which
	// pulls only the compatible ones: v1.21.14 stays in the registry.
	wantAll := []string{"v1.22.17---vmware.1-tkg.1", "v1.23.15---vmware.1-tkg.1", "v1.24.9---vmware.1-gpu-efi", "v1.24.9---vmware.1-tkg.1"}
	if got := names(all); !slices.Equal(got, wantAll) {
		t.Errorf("TKRs in the playground = %v, want %v", got, wantAll)
	}
	for _, tkr := range all.Items {
		if got := tkr.Annotations["run.tanzu.vmware.com/source-bundle"]; !strings.HasPrefix(got, "127.0.0.1:") {
			t.Errorf("TKR %s did not come from the playground's registry: source-bundle %q", tkr.Name, got)
		}
	}
	src := &runv1alpha3.TanzuKubernetesReleaseSource{}
	if err := c.Get(ctx, client.ObjectKey{Name: "default"}, src); err != nil {
		t.Fatal(err)
	}
	if src.Status.Summary != "4/4 applied" || src.Status.TKGVersion != "v2.3.0" {
		t.Errorf("TanzuKubernetesReleaseSource default: summary %q, TKG version %q", src.Status.Summary, src.Status.TKGVersion)
	}
	// As the guide shows: declaring v1.21.14 compatible makes the source controller pull it.
	more := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: "tkg-system", Name: "more-tkrs", Labels: map[string]string{runv1alpha3.LabelAdditionalCompatibleTKRs: ""}},
		Data:       map[string]string{"tkrVersions": "[v1.21.14+vmware.1-tkg.5]"},
	}
	if err := c.Create(ctx, more); err != nil {
		t.Fatal(err)
	}
	pulled := false
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline) && !pulled; time.Sleep(200 * time.Millisecond) {
		pulled = c.Get(ctx, client.ObjectKey{Name: "v1.21.14---vmware.1-tkg.5"}, &runv1alpha3.TanzuKubernetesRelease{}) == nil
	}
	if !pulled {
		t.Errorf("v1.21.14---vmware.1-tkg.5 was not pulled after an additional-compatible-tkrs ConfigMap listed it")
	}
	if err := c.Delete(ctx, more); err != nil {
		t.Fatal(err)
	}
	// Version-prefix labels are kept by the status component; `kubectl get tkr -l v1.24` must
	// return exactly the 1.24 releases once they exist.
	want124 := []string{"v1.24.9---vmware.1-gpu-efi", "v1.24.9---vmware.1-tkg.1"}
	var got124 []string
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		l := &runv1alpha3.TanzuKubernetesReleaseList{}
		if err := c.List(ctx, l, client.HasLabels{"v1.24"}); err != nil {
			t.Fatal(err)
		}
		if got124 = names(l); slices.Equal(got124, want124) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !slices.Equal(got124, want124) {
		t.Errorf("TKRs selected by -l v1.24 = %v, want %v", got124, want124)
	}
	// The status component computes READY and COMPATIBLE from the playground's management
	// cluster version (v2.3.0) and the example compatibility metadata.
	// v1.21.14 was pulled above and is incompatible again now that the ConfigMap is gone.
	want := map[string]string{
		"v1.21.14---vmware.1-tkg.5":  "False/False",
		"v1.22.17---vmware.1-tkg.1":  "True/True",
		"v1.23.15---vmware.1-tkg.1":  "True/True",
		"v1.24.9---vmware.1-gpu-efi": "True/True",
		"v1.24.9---vmware.1-tkg.1":   "True/True",
	}
	var got map[string]string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		l := &runv1alpha3.TanzuKubernetesReleaseList{}
		if err := c.List(ctx, l); err != nil {
			t.Fatal(err)
		}
		got = map[string]string{}
		for _, tkr := range l.Items {
			got[tkr.Name] = conditionStatus(tkr.Status.Conditions, runv1alpha3.ConditionReady) + "/" + conditionStatus(tkr.Status.Conditions, runv1alpha3.ConditionCompatible)
		}
		if maps.Equal(got, want) {
			break
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("READY/COMPATIBLE in the playground = %v, want %v", got, want)
	}

	// The guide's Cluster resolves: the resolver webhook runs in the playground.
	objs, err := catalog.Load("../../examples/cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := apply.Objects(ctx, c, "test", []apply.Object{{Object: objs[0].Unstructured, Source: objs[0].Source.String()}}); err != nil {
		t.Fatalf("applying examples/cluster.yaml to the playground: %v", err)
	}
	cluster := &clusterv1beta1.Cluster{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: "default", Name: "workload-1"}, cluster); err != nil {
		t.Fatal(err)
	}
	if got := cluster.Labels[runv1alpha3.LabelTKR]; got != "v1.24.9---vmware.1-tkg.1" {
		t.Errorf("examples/cluster.yaml resolved to TKR %q in the playground, want v1.24.9---vmware.1-tkg.1", got)
	}
	// The vSphere webhook found the seed's template in the playground's simulated vCenter.
	data, err := tkrdata.ForCluster(cluster)
	if err != nil {
		t.Fatal(err)
	}
	tkrData, err := tkrdata.Get(data)
	if err != nil {
		t.Fatal(err)
	}
	if e := tkrData["v1.24.9+vmware.1"]; e == nil || e.OSImageRef["template"] != "/dc0/vm/ubuntu-2004-kube-v1.24.9+vmware.1-tkg.1" ||
		!strings.HasPrefix(fmt.Sprint(e.OSImageRef["moid"]), "vm-") {
		t.Errorf("examples/cluster.yaml's osImageRef in the playground = %v, want the seed's template and a moid", e)
	}
	// Its add-ons, as the seed's `kubectl get cb -A` and `kubectl get antreaconfig -A` show them.
	bootstrapped(t, ctx, c, "default", "workload-1", "encap")
	// The guide's tkg-vick: an AntreaConfig created first under the predictable name is used.
	vick, err := catalog.Load("../../examples/vick")
	if err != nil {
		t.Fatal(err)
	}
	var vickObjs []apply.Object
	for _, o := range vick {
		vickObjs = append(vickObjs, apply.Object{Object: o.Unstructured, Source: o.Source.String()})
	}
	if err := apply.Objects(ctx, c, "test", vickObjs); err != nil {
		t.Fatalf("applying examples/vick to the playground: %v", err)
	}
	bootstrapped(t, ctx, c, "vick", "tkg-vick", "hybrid")

	// The guide's Photon cluster needs an OVA that is imported but not a template.
	photon := objs[0].Unstructured.DeepCopy()
	photon.SetName("workload-photon")
	_ = unstructured.SetNestedField(photon.Object, "v1.23", "spec", "topology", "version")
	_ = unstructured.SetNestedField(photon.Object, map[string]any{"run.tanzu.vmware.com/resolve-os-image": "os-name=photon"}, "spec", "topology", "controlPlane", "metadata", "annotations")
	_ = unstructured.SetNestedSlice(photon.Object, nil, "spec", "topology", "workers", "machineDeployments")
	err = apply.Objects(ctx, c, "test", []apply.Object{{Object: photon, Source: "test"}})
	if err == nil || !strings.Contains(err.Error(), "but found these VM(s) [/dc0/vm/imported/photon-3-kube-v1.23.15+vmware.1-tkg.1] that can be used once converted to a VM Template") {
		t.Errorf("the guide's Photon cluster was answered %v, want the not-yet-a-template denial", err)
	}
	// A cluster on v1.23 is told that v1.24.9+vmware.1-tkg.1 is available.
	old := objs[0].Unstructured.DeepCopy()
	old.SetName("workload-old")
	if err := unstructured.SetNestedField(old.Object, "v1.23", "spec", "topology", "version"); err != nil {
		t.Fatal(err)
	}
	if err := apply.Objects(ctx, c, "test", []apply.Object{{Object: old, Source: "test"}}); err != nil {
		t.Fatalf("applying a v1.23 cluster to the playground: %v", err)
	}
	var updates string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		v2 := &clusterv1.Cluster{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: "default", Name: "workload-old"}, v2); err != nil {
			t.Fatal(err)
		}
		if cond := meta.FindStatusCondition(v2.Status.Conditions, runv1alpha3.ConditionUpdatesAvailable); cond != nil && cond.Status == metav1.ConditionTrue {
			updates = cond.Message
			break
		}
	}
	if !strings.Contains(updates, "v1.24.9+vmware.1-tkg.1") {
		t.Errorf("a v1.23 cluster's UpdatesAvailable message is %q, want it to offer v1.24.9+vmware.1-tkg.1", updates)
	}
	for _, line := range []string{"export KUBECONFIG=", "kubectl get tkr", "kubectl apply -f", "kubectl get cb -A", "/vick/", "tkr preflight --catalog", "tkr vcenter vm.markastemplate /dc0/vm/imported/"} {
		if !strings.Contains(output.String(), line) {
			t.Errorf("the printed guide lacks %q:\n%s", line, output.String())
		}
	}

	children := childPIDs(t, cmd.Process.Pid)
	if len(children) < 2 {
		t.Errorf("expected etcd and kube-apiserver as children of tkr up, found PIDs %v", children)
	}
	stopAt := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("tkr up exited with %v after SIGINT:\n%s", err, output.String())
		}
		t.Logf("tkr up stopped %s after SIGINT", time.Since(stopAt).Round(10*time.Millisecond))
	case <-time.After(30 * time.Second):
		t.Fatalf("tkr up did not stop within 30 seconds of SIGINT")
	}
	for _, pid := range children {
		if alive(pid) {
			t.Errorf("child process %d outlived tkr up", pid)
		}
	}
	if _, err := os.Stat(kubeconfig); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the kubeconfig %s was left behind (stat: %v)", kubeconfig, err)
	}
}

// lockedBuilder collects the subprocess's output from the reader goroutine while the test reads it.
type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) WriteString(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(s)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// bootstrapped waits until the Cluster's ClusterBootstrap follows v1.24.9---vmware.1-tkg.1 with the
// seed's packages and its AntreaConfig <cluster>-antrea-package (with the given encapsulation mode)
// is rendered into <cluster>-antrea-data-values.
func bootstrapped(t *testing.T, ctx context.Context, c client.Client, ns, name, encap string) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		cb := &runv1alpha3.ClusterBootstrap{}
		antrea := &cniv1alpha2.AntreaConfig{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, cb); err != nil {
			last = err.Error()
			continue
		}
		if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name + "-antrea-package"}, antrea); err != nil {
			last = err.Error()
			continue
		}
		last = fmt.Sprintf("resolvedTKR %q, CNI %q, AntreaConfig mode %q secretRef %q", cb.Status.ResolvedTKR, cb.Spec.CNI.RefName, antrea.Spec.Antrea.Config.TrafficEncapMode, antrea.Status.SecretRef)
		if cb.Status.ResolvedTKR == "v1.24.9---vmware.1-tkg.1" && cb.Spec.CNI.RefName == "antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced" &&
			cb.Spec.CNI.ValuesFrom.ProviderRef.Name == name+"-antrea-package" &&
			antrea.Spec.Antrea.Config.TrafficEncapMode == encap && antrea.Status.SecretRef == name+"-antrea-data-values" {
			return
		}
	}
	t.Errorf("ClusterBootstrap %s/%s in the playground: %s", ns, name, last)
}

func conditionStatus(conds runv1alpha3.Conditions, t string) string {
	for _, c := range conds {
		if string(c.Type) == t {
			return string(c.Status)
		}
	}
	return ""
}

func names(l *runv1alpha3.TanzuKubernetesReleaseList) []string {
	var n []string
	for _, i := range l.Items {
		n = append(n, i.Name)
	}
	slices.Sort(n)
	return n
}

// childPIDs lists the processes whose parent is pid, from /proc.
func childPIDs(t *testing.T, pid int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var kids []int
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the parenthesised command: state, ppid, ...
		rest := string(stat[strings.LastIndexByte(string(stat), ')')+2:])
		fields := strings.Fields(rest)
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			kids = append(kids, p)
		}
	}
	return kids
}

// alive reports whether pid is a running (not zombie) process.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	rest := string(stat[strings.LastIndexByte(string(stat), ')')+2:])
	return !strings.HasPrefix(rest, "Z")
}
