package cli

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

var catalogOnce sync.Once

// loadExampleCatalog applies the example catalogue to the API server once per package run.
func loadExampleCatalog(t *testing.T) {
	t.Helper()
	catalogOnce.Do(func() { applyPaths(t, examplesCatalog) })
}

// clusterOnTKR is a Cluster (v1beta1, as users write them) labelled with a TKR, as the
// TKR resolver leaves it; the test API server runs no resolver, so the label is written here.
func clusterOnTKR(name, label, tkr string) string {
	return `apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: ` + name + `
  namespace: default
  labels:
    ` + label + `: ` + tkr + `
spec:
  clusterNetwork:
    pods:
      cidrBlocks: [100.96.0.0/11]
`
}

// classyCluster is a Cluster of the example ClusterClass on v1.23.15---vmware.1-tkg.1, as the
// TKR resolver labels it, whose second machine deployment selects Photon: the bring-your-own
// GPU release has only an Ubuntu image, so it is not an update for this Cluster.
const classyCluster = `apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: classy-on-v1.23
  namespace: default
  labels:
    run.tanzu.vmware.com/tkr: v1.23.15---vmware.1-tkg.1
spec:
  clusterNetwork:
    pods:
      cidrBlocks: [100.96.0.0/11]
  topology:
    class: tkg-vsphere-default
    version: v1.23.15+vmware.1
    controlPlane:
      replicas: 1
    workers:
      machineDeployments:
      - class: tkg-worker
        name: md-ubuntu
        replicas: 1
      - class: tkg-worker
        name: md-photon
        replicas: 1
        metadata:
          annotations:
            run.tanzu.vmware.com/resolve-os-image: image-type=ova,os-name=photon
`

// bootstrappedCluster's ClusterBootstrap is one the controller cloned from the v1.24.9 template,
// stuck because the pinniped package's Secret is missing. The test API server runs no controller
// or webhook, so the spec and status are written as they would leave them.
const bootstrappedCB = `apiVersion: run.tanzu.vmware.com/v1alpha3
kind: ClusterBootstrap
metadata:
  name: bootstrapped
  namespace: default
spec:
  cni:
    refName: antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced
    valuesFrom:
      providerRef: {apiGroup: cni.tanzu.vmware.com, kind: AntreaConfig, name: bootstrapped-antrea-package}
  csi:
    refName: vsphere-csi.tanzu.vmware.com.2.6.2+vmware.2-tkg.1
    valuesFrom:
      providerRef: {apiGroup: csi.tanzu.vmware.com, kind: VSphereCSIConfig, name: bootstrapped-vsphere-csi-package}
  kapp:
    refName: kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1
    valuesFrom:
      providerRef: {apiGroup: run.tanzu.vmware.com, kind: KappControllerConfig, name: bootstrapped-kapp-controller-package}
  additionalPackages:
  - refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
  - refName: tkg-storageclass.tanzu.vmware.com.0.28.0+vmware.1-tkg.1
    valuesFrom:
      inline: {infraProvider: vsphere}
  - refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
    valuesFrom:
      secretRef: bootstrapped-pinniped-package
`

// clonedFalse is the Cloned condition the controller sets on bootstrappedCB.
var clonedFalse = runv1alpha3.Condition{Type: "Cloned", Status: corev1.ConditionFalse, Severity: runv1alpha3.ConditionSeverityWarning,
	Reason: "ValuesNotFound", LastTransitionTime: metav1.Now(),
	Message: "ClusterBootstrap default/bootstrapped gives package pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3 its values from Secret default/bootstrapped-pinniped-package, which does not exist; create it in the cluster's namespace, or remove valuesFrom from the package to take the template's."}

// pausedCB is a custom ClusterBootstrap whose CNI someone else installs, paused by its owner,
// with everything cloned.
const pausedCB = `apiVersion: run.tanzu.vmware.com/v1alpha3
kind: ClusterBootstrap
metadata:
  name: bootstrap-paused
  namespace: default
  annotations:
    tkg.tanzu.vmware.com/unmanaged-cni: ""
spec:
  paused: true
  kapp:
    refName: kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1
`

// setBootstrapStatus writes a ClusterBootstrap's status, as the controller would.
func setBootstrapStatus(t *testing.T, name, resolvedTKR string, conds ...runv1alpha3.Condition) {
	t.Helper()
	cb := &runv1alpha3.ClusterBootstrap{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: name}, cb); err != nil {
		t.Fatal(err)
	}
	cb.Status = runv1alpha3.ClusterBootstrapStatus{ResolvedTKR: resolvedTKR, Conditions: conds}
	if err := env.Client.Status().Update(context.Background(), cb); err != nil {
		t.Fatal(err)
	}
}

// The management cluster holds what the catalogue files hold, so both list the same.
func TestGetFromManagementCluster(t *testing.T) {
	loadExampleCatalog(t)
	kc := kubeconfig(t)
	for _, args := range [][]string{nil, {"-l", "v1.24"}, {"-o", "wide"}} {
		offline, _, _, err := runCommand(t, "", append([]string{"get", "--catalog", examplesCatalog}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		online, stderr, code, err := runCommand(t, "", append([]string{"get", "--kubeconfig", kc}, args...)...)
		if code != 0 {
			t.Fatalf("tkr get %v: exit code %d: %v\n%s", args, code, err, stderr)
		}
		if diff := cmp.Diff(offline, online); diff != "" {
			t.Errorf("tkr get %v: the management cluster's listing differs from the catalogue's (-files +cluster):\n%s", args, diff)
		}
	}

	t.Run("$KUBECONFIG", func(t *testing.T) {
		t.Setenv("KUBECONFIG", kc)
		stdout, _, _, err := runCommand(t, "", "get", "v1.22.17---vmware.1-tkg.1")
		if err != nil {
			t.Fatal(err)
		}
		checkGetGolden(t, "names-v1.22.txt", stdout)
	})

	t.Run("an unknown context", func(t *testing.T) {
		_, _, code, err := runCommand(t, "", "get", "--kubeconfig", kc, "--context", "nope")
		if code != 1 || err == nil || !strings.Contains(err.Error(), `context "nope" does not exist`) {
			t.Errorf("exit code %d, error %v; want 1 and the context named", code, err)
		}
	})

	t.Run("as objects", func(t *testing.T) {
		stdout, _, _, err := runCommand(t, "", "get", "--kubeconfig", kc, "-o", "json", "v1.24.9---vmware.1-gpu-efi")
		if err != nil {
			t.Fatal(err)
		}
		var got runv1alpha3.TanzuKubernetesRelease
		readYAML(t, stdout, &got)
		if got.Kind != "TanzuKubernetesRelease" || got.Name != "v1.24.9---vmware.1-gpu-efi" || got.ManagedFields != nil || got.UID == "" {
			t.Errorf("want the stored object with its kind and without managed fields, got:\n%s", stdout)
		}
	})
}

// tkr get --cluster shows a Cluster's release, its updates and why the others are not offered.
func TestGetClusterUpdates(t *testing.T) {
	loadExampleCatalog(t)
	kc := kubeconfig(t)
	applyPaths(t, examplesClass)
	applyYAMLText(t, clusterOnTKR("on-v1.23", runv1alpha3.LabelTKR, "v1.23.15---vmware.1-tkg.1")+"---\n"+
		classyCluster+"---\n"+
		clusterOnTKR("legacy-on-v1.22", runv1alpha3.LabelLegacyClusterTKR, "v1.22.17---vmware.1-tkg.1")+"---\n"+
		clusterOnTKR("on-a-deleted-release", runv1alpha3.LabelTKR, "v1.23.8---vmware.2-tkg.1")+"---\n"+
		strings.ReplaceAll(strings.ReplaceAll(classyCluster, "classy-on-v1.23", "classless"), "tkg-vsphere-default", "no-such-class")+"---\n"+
		`apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: unresolved
  namespace: default
spec:
  clusterNetwork:
    pods:
      cidrBlocks: [100.96.0.0/11]
`)
	applyYAMLText(t, clusterOnTKR("bootstrapped", runv1alpha3.LabelTKR, "v1.24.9---vmware.1-tkg.1")+"---\n"+bootstrappedCB+"---\n"+
		clusterOnTKR("bootstrap-paused", runv1alpha3.LabelTKR, "v1.24.9---vmware.1-tkg.1")+"---\n"+pausedCB)
	setBootstrapStatus(t, "bootstrapped", "v1.24.9---vmware.1-tkg.1", clonedFalse)
	setBootstrapStatus(t, "bootstrap-paused", "v1.24.9---vmware.1-tkg.1",
		runv1alpha3.Condition{Type: "Cloned", Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()})

	for _, tc := range []struct {
		name, cluster, golden string
	}{
		{"labelled, without a topology", "default/on-v1.23", "cluster-on-v1.23.txt"},
		{"ClusterClass-based, with a machine deployment on Photon", "default/classy-on-v1.23", "cluster-classy-on-v1.23.txt"},
		{"legacy label, namespace from the kubeconfig", "legacy-on-v1.22", "cluster-legacy-on-v1.22.txt"},
		{"release deleted", "default/on-a-deleted-release", "cluster-on-a-deleted-release.txt"},
		{"a ClusterBootstrap whose cloning is stuck", "default/bootstrapped", "cluster-bootstrapped.txt"},
		{"a paused ClusterBootstrap with an unmanaged CNI", "default/bootstrap-paused", "cluster-bootstrap-paused.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code, err := runCommand(t, "", "get", "--kubeconfig", kc, "--cluster", tc.cluster)
			if code != 0 {
				t.Fatalf("exit code %d: %v\n%s", code, err, stderr)
			}
			checkGetGolden(t, tc.golden, stdout)
		})
	}

	t.Run("as YAML", func(t *testing.T) {
		stdout, _, _, err := runCommand(t, "", "get", "--kubeconfig", kc, "--cluster", "default/on-v1.23", "-o", "yaml")
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		readYAML(t, stdout, &got)
		want := map[string]any{
			"cluster": "default/on-v1.23", "tkr": "v1.23.15---vmware.1-tkg.1", "version": "v1.23.15+vmware.1-tkg.1",
			"updates": []any{
				map[string]any{"name": "v1.24.9---vmware.1-gpu-efi", "version": "v1.24.9+vmware.1-gpu-efi"},
				map[string]any{"name": "v1.24.9---vmware.1-tkg.1", "version": "v1.24.9+vmware.1-tkg.1"},
			},
			"rejected": []any{
				map[string]any{"name": "v1.21.14---vmware.1-tkg.5", "version": "v1.21.14+vmware.1-tkg.5", "reason": "NotNewer",
					"message": "Its version is not newer than the cluster's v1.23.15+vmware.1-tkg.1."},
				map[string]any{"name": "v1.22.17---vmware.1-tkg.1", "version": "v1.22.17+vmware.1-tkg.1", "reason": "NotNewer",
					"message": "Its version is not newer than the cluster's v1.23.15+vmware.1-tkg.1."},
				map[string]any{"name": "v1.23.15---vmware.1-tkg.1", "version": "v1.23.15+vmware.1-tkg.1", "reason": "NotNewer",
					"message": "It is the cluster's current TKR."},
			},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("tkr get --cluster -o yaml (-want +got):\n%s", diff)
		}
	})

	t.Run("the ClusterBootstrap as JSON", func(t *testing.T) {
		stdout, _, _, err := runCommand(t, "", "get", "--kubeconfig", kc, "--cluster", "default/bootstrapped", "-o", "json")
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			ClusterBootstrap map[string]any `json:"clusterBootstrap"`
		}
		readYAML(t, stdout, &got)
		// The transition time is the API server's; the rest is what was written.
		for _, c := range got.ClusterBootstrap["conditions"].([]any) {
			delete(c.(map[string]any), "lastTransitionTime")
		}
		provider := func(group, kind, name string) map[string]any {
			return map[string]any{"providerRef": map[string]any{"apiGroup": group, "kind": kind, "name": name}}
		}
		want := map[string]any{
			"name": "default/bootstrapped", "resolvedTKR": "v1.24.9---vmware.1-tkg.1",
			"packages": []any{
				map[string]any{"slot": "cni", "refName": "antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced",
					"valuesFrom": provider("cni.tanzu.vmware.com", "AntreaConfig", "bootstrapped-antrea-package")},
				map[string]any{"slot": "csi", "refName": "vsphere-csi.tanzu.vmware.com.2.6.2+vmware.2-tkg.1",
					"valuesFrom": provider("csi.tanzu.vmware.com", "VSphereCSIConfig", "bootstrapped-vsphere-csi-package")},
				map[string]any{"slot": "kapp", "refName": "kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1",
					"valuesFrom": provider("run.tanzu.vmware.com", "KappControllerConfig", "bootstrapped-kapp-controller-package")},
				map[string]any{"slot": "additional", "refName": "metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1"},
				map[string]any{"slot": "additional", "refName": "tkg-storageclass.tanzu.vmware.com.0.28.0+vmware.1-tkg.1",
					"valuesFrom": map[string]any{"inline": true}},
				map[string]any{"slot": "additional", "refName": "pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3",
					"valuesFrom": map[string]any{"secretRef": "bootstrapped-pinniped-package"}},
			},
			"conditions": []any{map[string]any{"type": "Cloned", "status": "False", "severity": "Warning",
				"reason": "ValuesNotFound", "message": clonedFalse.Message}},
		}
		if diff := cmp.Diff(want, got.ClusterBootstrap); diff != "" {
			t.Errorf("tkr get --cluster -o json, clusterBootstrap (-want +got):\n%s", diff)
		}
	})

	for _, tc := range []struct {
		name, cluster string
		wantCode      int
		wantErr       string
	}{
		{"no such Cluster", "default/nope", 1, "Cluster default/nope not found; list the Clusters with kubectl get clusters -A"},
		{"a Cluster without a release", "default/unresolved", 1, "the Cluster default/unresolved has neither the run.tanzu.vmware.com/tkr nor the tanzuKubernetesRelease label, so it does not run a TanzuKubernetesRelease yet"},
		{"a Cluster whose ClusterClass is missing", "default/classless", 1, "the Cluster default/classless uses the ClusterClass default/no-such-class, which does not exist"},
		{"not a Cluster name", "a/b/c", 2, `--cluster "a/b/c" is not a Cluster: write it as NAMESPACE/NAME, or NAME for the kubeconfig's namespace`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, code, err := runCommand(t, "", "get", "--kubeconfig", kc, "--cluster", tc.cluster)
			if code != tc.wantCode || err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Errorf("exit code %d, error %v; want %d and an error starting with %q", code, err, tc.wantCode, tc.wantErr)
			}
		})
	}
}

// tkr deactivate and tkr activate label releases, say what they did per release, and are
// idempotent; the other commands see the result.
func TestActivation(t *testing.T) {
	loadExampleCatalog(t)
	kc := kubeconfig(t)
	const tkg1, gpu = "v1.24.9---vmware.1-tkg.1", "v1.24.9---vmware.1-gpu-efi"
	// Leave the catalogue as it was for the other tests.
	t.Cleanup(func() {
		_, _, _, _ = runCommand(t, "", "activate", "--kubeconfig", kc, tkg1, gpu)
		setCompatible(t, gpu, "")
	})
	run := func(t *testing.T, wantCode int, wantStdout, wantStderr string, args ...string) {
		t.Helper()
		stdout, stderr, code, err := runCommand(t, "", append(args, "--kubeconfig", kc)...)
		if code != wantCode {
			t.Errorf("tkr %s: exit code %d (%v), want %d", strings.Join(args, " "), code, err, wantCode)
		}
		if diff := cmp.Diff(wantStdout, stdout); diff != "" {
			t.Errorf("tkr %s: standard output (-want +got):\n%s", strings.Join(args, " "), diff)
		}
		if diff := cmp.Diff(wantStderr, stderr); diff != "" {
			t.Errorf("tkr %s: standard error (-want +got):\n%s", strings.Join(args, " "), diff)
		}
	}

	t.Run("deactivate", func(t *testing.T) {
		run(t, 0, "TanzuKubernetesRelease v1.24.9---vmware.1-tkg.1 deactivated: new clusters and upgrades no longer use it; clusters that run it are not affected.\n", "",
			"deactivate", tkg1)
		if _, ok := getTKR(t, tkg1).Labels[runv1alpha3.LabelDeactivated]; !ok {
			t.Error("the release is not labelled deactivated")
		}
		stdout, _, _, _ := runCommand(t, "", "get", "--kubeconfig", kc, "-l", "v1.24", "-o", "wide")
		checkGetGolden(t, "v1.24-deactivated.txt", stdout)
	})

	t.Run("deactivate again, and a release that does not exist", func(t *testing.T) {
		run(t, 1, "TanzuKubernetesRelease v1.24.9---vmware.1-tkg.1 is already deactivated; nothing to do.\n"+
			"TanzuKubernetesRelease v1.24.9---vmware.1-gpu-efi deactivated: new clusters and upgrades no longer use it; clusters that run it are not affected.\n",
			"Error: TanzuKubernetesRelease v1.99.0 not found; list the releases with tkr get\n",
			"deactivate", tkg1, "v1.99.0", gpu)
	})

	t.Run("the other labels are kept", func(t *testing.T) {
		if _, ok := getTKR(t, gpu).Labels["tkr.tanzu.vmware.com/gpu-efi"]; !ok {
			t.Error("deactivating dropped the release's own label")
		}
	})

	t.Run("activate", func(t *testing.T) {
		run(t, 0, "TanzuKubernetesRelease v1.24.9---vmware.1-tkg.1 activated: new clusters and upgrades may use it again.\n", "",
			"activate", tkg1)
		run(t, 0, "TanzuKubernetesRelease v1.24.9---vmware.1-tkg.1 is not deactivated; nothing to do.\n", "",
			"activate", tkg1)
	})

	t.Run("activate a release that is also incompatible", func(t *testing.T) {
		setCompatible(t, gpu, corev1.ConditionFalse)
		run(t, 0, "TanzuKubernetesRelease v1.24.9---vmware.1-gpu-efi activated: new clusters and upgrades may use it again. "+
			"It is still incompatible (its Compatible condition is False), so it stays unused until that changes.\n", "",
			"activate", gpu)
	})

	t.Run("no names", func(t *testing.T) {
		_, _, code, err := runCommand(t, "", "deactivate", "--kubeconfig", kc)
		if code != 2 || err == nil || err.Error() != "tkr deactivate needs the names of the TanzuKubernetesReleases to change; list them with tkr get" {
			t.Errorf("exit code %d, error %v", code, err)
		}
	})
}

func getTKR(t *testing.T, name string) *runv1alpha3.TanzuKubernetesRelease {
	t.Helper()
	tkr := &runv1alpha3.TanzuKubernetesRelease{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Name: name}, tkr); err != nil {
		t.Fatal(err)
	}
	return tkr
}

// setCompatible writes the Compatible condition, as tkr-source does; "" removes every
// condition, as the example catalogue has none.
func setCompatible(t *testing.T, name string, status corev1.ConditionStatus) {
	t.Helper()
	tkr := getTKR(t, name)
	tkr.Status.Conditions = nil
	if status != "" {
		tkr.Status.Conditions = []runv1alpha3.Condition{{Type: runv1alpha3.ConditionCompatible, Status: status, LastTransitionTime: metav1.Now()}}
	}
	if err := env.Client.Status().Update(context.Background(), tkr); err != nil {
		t.Fatal(err)
	}
}
