package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/test/envtest"
)

const examplesDir = "../../examples"

// applyFiles loads YAML files or directories into the API server, as `kubectl apply` would.
func applyFiles(t *testing.T, paths ...string) { env.ApplyFiles(t, paths...) }

// markReady writes the conditions the status controller would, so the READY and COMPATIBLE
// columns have something to show.
func markReady(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	tkr := &runv1alpha3.TanzuKubernetesRelease{}
	if err := env.Client.Get(ctx, client.ObjectKey{Name: name}, tkr); err != nil {
		t.Fatal(err)
	}
	now := metav1.NewTime(time.Now())
	tkr.Status.Conditions = runv1alpha3.Conditions{
		{Type: runv1alpha3.ConditionReady, Status: corev1.ConditionTrue, LastTransitionTime: now},
		{Type: runv1alpha3.ConditionCompatible, Status: corev1.ConditionTrue, LastTransitionTime: now},
	}
	if err := env.Client.Status().Update(ctx, tkr); err != nil {
		t.Fatal(err)
	}
}

func wantHeader(t *testing.T, what string, got envtest.Table, want ...string) {
	t.Helper()
	if !slices.Equal(got.Header, want) {
		t.Errorf("%s: header is %q, want %q (as in the seed article)", what, got.Header, want)
	}
}

func wantRow(t *testing.T, what string, table envtest.Table, key string, want map[string]string) {
	t.Helper()
	row := table.Row(key, want[key])
	if row == nil {
		t.Errorf("%s: no row with %s=%s in %v", what, key, want[key], table.Rows)
		return
	}
	for k, v := range want {
		if row[k] != v {
			t.Errorf("%s: row %s: column %s is %q, want %q", what, want[key], k, row[k], v)
		}
	}
}

// TestSeedObjectsAndColumns applies the seed article's objects and checks that kubectl shows them
// with the seed's columns and values.
func TestSeedObjectsAndColumns(t *testing.T) {
	applyFiles(t, filepath.Join(examplesDir, "catalog"))
	markReady(t, "v1.24.9---vmware.1-tkg.1")

	t.Run("tkr", func(t *testing.T) {
		table := envtest.ParseTable(env.Kubectl(t, "get", "tkr"))
		wantHeader(t, "kubectl get tkr", table, "NAME", "VERSION", "READY", "COMPATIBLE", "CREATED")
		wantRow(t, "kubectl get tkr", table, "NAME", map[string]string{
			"NAME": "v1.24.9---vmware.1-tkg.1", "VERSION": "v1.24.9+vmware.1-tkg.1", "READY": "True", "COMPATIBLE": "True",
		})
		wantRow(t, "kubectl get tkr", table, "NAME", map[string]string{"NAME": "v1.24.9---vmware.1-gpu-efi", "VERSION": "v1.24.9+vmware.1-gpu-efi"})
		// The long name works too, as in the seed's `kubectl get TanzuKubernetesRelease`.
		long := envtest.ParseTable(env.Kubectl(t, "get", "TanzuKubernetesRelease"))
		if len(long.Rows) != len(table.Rows) {
			t.Errorf("kubectl get TanzuKubernetesRelease lists %d releases, kubectl get tkr %d", len(long.Rows), len(table.Rows))
		}
	})

	t.Run("osimg", func(t *testing.T) {
		table := envtest.ParseTable(env.Kubectl(t, "get", "osimg"))
		wantHeader(t, "kubectl get osimg", table, "NAME", "K8S VERSION", "OS NAME", "OS VERSION", "ARCH", "TYPE", "COMPATIBLE", "CREATED")
		wantRow(t, "kubectl get osimg", table, "NAME", map[string]string{
			"NAME": "v1.24.9---vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93", "K8S VERSION": "v1.24.9+vmware.1",
			"OS NAME": "ubuntu", "OS VERSION": "2004", "ARCH": "amd64", "TYPE": "ova",
		})
		wantRow(t, "kubectl get osimg", table, "NAME", map[string]string{
			"NAME": "v1.24.9---vmware.1-gpu-efi", "K8S VERSION": "v1.24.9+vmware.1", "OS NAME": "ubuntu", "OS VERSION": "2004", "ARCH": "amd64", "TYPE": "ova",
		})
	})

	t.Run("cbt", func(t *testing.T) {
		table := envtest.ParseTable(env.Kubectl(t, "get", "clusterbootstraptemplate", "-A"))
		wantHeader(t, "kubectl get clusterbootstraptemplate -A", table, "NAMESPACE", "NAME", "CNI", "CSI", "CPI", "KAPP")
		wantRow(t, "kubectl get cbt", table, "NAME", map[string]string{
			"NAMESPACE": "tkg-system", "NAME": "v1.24.9---vmware.1-tkg.1",
			"CNI":  "antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced",
			"CSI":  "vsphere-csi.tanzu.vmware.com.2.6.2+vmware.2-tkg.1",
			"CPI":  "vsphere-cpi.tanzu.vmware.com.1.24.3+vmware.1-tkg.1",
			"KAPP": "kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1",
		})
		wantRow(t, "kubectl get cbt", table, "NAME", map[string]string{
			"NAME": "v1.22.17---vmware.1-tkg.1", "CPI": "vsphere-cpi.tanzu.vmware.com.1.22.7+vmware.1-tkg.1",
		})
		wide := envtest.ParseTable(env.Kubectl(t, "get", "cbt", "-n", "tkg-system", "-o", "wide"))
		if !slices.Contains(wide.Header, "ADDITIONAL PACKAGES") {
			t.Errorf("kubectl get cbt -o wide: header %q lacks ADDITIONAL PACKAGES", wide.Header)
		}
	})

	t.Run("cb", func(t *testing.T) {
		// A ClusterBootstrap cloned from the 1.24.9 template, as the controller makes per cluster.
		cbt := &runv1alpha3.ClusterBootstrapTemplate{}
		if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: "tkg-system", Name: "v1.24.9---vmware.1-tkg.1"}, cbt); err != nil {
			t.Fatal(err)
		}
		cb := &runv1alpha3.ClusterBootstrap{
			ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "tkg-mgmt-vc"},
			Spec:       cbt.Spec.DeepCopy(),
		}
		if err := env.Client.Create(context.Background(), cb); err != nil {
			t.Fatal(err)
		}
		cb.Status.ResolvedTKR = "v1.24.9---vmware.1-tkg.1"
		if err := env.Client.Status().Update(context.Background(), cb); err != nil {
			t.Fatal(err)
		}
		table := envtest.ParseTable(env.Kubectl(t, "get", "clusterbootstrap", "-A"))
		wantHeader(t, "kubectl get clusterbootstrap -A", table, "NAMESPACE", "NAME", "CNI", "CSI", "CPI", "KAPP", "RESOLVED_TKR")
		wantRow(t, "kubectl get cb", table, "NAME", map[string]string{
			"NAMESPACE": "default", "NAME": "tkg-mgmt-vc",
			"CNI":          "antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced",
			"KAPP":         "kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1",
			"RESOLVED_TKR": "v1.24.9---vmware.1-tkg.1",
		})
	})

	t.Run("antreaconfig", func(t *testing.T) {
		// The seed's client-side AntreaConfig, in the v1alpha1 API it was written for; the API
		// server stores v1alpha2 through the conversion webhook.
		seed := `
apiVersion: cni.tanzu.vmware.com/v1alpha1
kind: AntreaConfig
metadata:
  name: tkg-vick-antrea-package
  namespace: default
spec:
  antrea:
    config:
      egress:
        exceptCIDRs: ["10.0.0.0/8"]
      nodePortLocal:
        enabled: true
`
		applyFiles(t, writeTemp(t, "antrea.yaml", seed))
		table := envtest.ParseTable(env.Kubectl(t, "get", "antreaconfig", "-A"))
		wantHeader(t, "kubectl get antreaconfig -A", table, "NAMESPACE", "NAME", "TRAFFICENCAPMODE", "DEFAULTMTU", "ANTREAPROXY", "ANTREAPOLICY", "SECRETREF")
		for _, name := range []string{"v1.22.17---vmware.1-tkg.1", "v1.23.15---vmware.1-tkg.1", "v1.24.9---vmware.1-tkg.1"} {
			wantRow(t, "kubectl get antreaconfig", table, "NAME", map[string]string{
				"NAMESPACE": "tkg-system", "NAME": name, "TRAFFICENCAPMODE": "encap", "DEFAULTMTU": "", "ANTREAPROXY": "true", "ANTREAPOLICY": "true", "SECRETREF": "",
			})
		}
		// Defaults from the CRD fill what the seed's object left out.
		wantRow(t, "kubectl get antreaconfig", table, "NAME", map[string]string{
			"NAMESPACE": "default", "NAME": "tkg-vick-antrea-package", "TRAFFICENCAPMODE": "encap", "ANTREAPROXY": "true", "ANTREAPOLICY": "true",
		})
		v1 := env.Kubectl(t, "get", "antreaconfigs.v1alpha1.cni.tanzu.vmware.com", "-n", "default", "tkg-vick-antrea-package", "-o", "yaml")
		if !strings.Contains(v1, "10.0.0.0/8") || !strings.Contains(v1, "apiVersion: cni.tanzu.vmware.com/v1alpha1") {
			t.Errorf("reading the seed's AntreaConfig back as v1alpha1 lost data:\n%s", v1)
		}
	})

	t.Run("kappconf", func(t *testing.T) {
		table := envtest.ParseTable(env.Kubectl(t, "get", "kappcontrollerconfig", "-n", "tkg-system"))
		// SecretRef replaces the original's SecretName column, which read a field that never existed.
		if !slices.Contains(table.Header, "SECRETREF") || slices.Contains(table.Header, "SECRETNAME") {
			t.Errorf("kubectl get kappcontrollerconfig: header %q, want a SECRETREF column", table.Header)
		}
		wantRow(t, "kubectl get kappconf", table, "NAME", map[string]string{"NAME": "v1.24.9---vmware.1-tkg.1", "NAMESPACE": "tkg-system"})
	})
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
