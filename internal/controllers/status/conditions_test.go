package status_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/controllers/status"
	"github.com/tkr-project/tkr/test/envtest"
)

// The releases of the example catalogue (examples/README.md has the table).
var (
	defaultTKRs = []string{"v1.22.17---vmware.1-tkg.1", "v1.23.15---vmware.1-tkg.1", "v1.24.9---vmware.1-tkg.1"}
	byoTKR      = "v1.24.9---vmware.1-gpu-efi"
	oldTKR      = "v1.21.14---vmware.1-tkg.5"
	// defaultImages are OSImages only default releases ship; oldImages only the old release.
	defaultImages = []string{"v1.22.17---vmware.1-tkg.1-5e1b48aaaf4aa83ff4cb104ac6faec85", "v1.24.9---vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93"}
	oldImages     = []string{"v1.21.14---vmware.1-tkg.5-7093ab61e79439c852124bf020b7a742", "v1.21.14---vmware.1-tkg.5-288cc568403ace12038eaf35bba76c29"}
)

const (
	readyCompatible  = "Compatible=True(Listed) Valid=True Ready=True"
	readyAdditional  = "Compatible=True(ListedAsAdditional) Valid=True Ready=True"
	notListed        = "Compatible=False(NotListed) Valid=True Ready=False(Incompatible) +incompatible"
	readyShipped     = "Compatible=True(ShippedByCompatibleRelease) Valid=True Ready=True"
	incompatibleOnly = "Compatible=False(OnlyIncompatibleReleases) Valid=True Ready=False(Incompatible) +incompatible"
)

func TestCatalogConditions(t *testing.T) {
	ctx := context.Background()
	applyCatalog(t, env.Client)

	for _, name := range defaultTKRs {
		waitState(t, tkr(name), readyCompatible)
	}
	waitState(t, tkr(byoTKR), readyAdditional)
	old := tkr(oldTKR)
	waitState(t, old, notListed)
	wantMessage(t, old, runv1alpha3.ConditionCompatible,
		"v1.21.14+vmware.1-tkg.5 is not listed for management cluster version v2.3.0 in ConfigMap tkg-system/bom-metadata or any additional-compatible-tkrs ConfigMap.")
	wantMessage(t, old, runv1alpha3.ConditionReady, "because its Compatible condition is False")
	for _, name := range slices.Concat(defaultImages, []string{byoTKR}) {
		waitState(t, osImage(name), readyShipped)
	}
	for _, name := range oldImages {
		waitState(t, osImage(name), incompatibleOnly)
	}

	t.Run("kubectl get osimg shows COMPATIBLE", func(t *testing.T) {
		table := envtest.ParseTable(env.Kubectl(t, "get", "osimg"))
		for name, want := range map[string]string{defaultImages[0]: "True", defaultImages[1]: "True", byoTKR: "True", oldImages[0]: "False"} {
			if row := table.Row("NAME", name); row == nil || row["COMPATIBLE"] != want {
				t.Errorf("kubectl get osimg: row %s is %v, want COMPATIBLE %s", name, row, want)
			}
		}
	})

	t.Run("nothing is written when nothing changed", func(t *testing.T) {
		// Resource versions stay put for a while (no controller loops on its own writes) ...
		var before map[string]string
		eventually(t, func() string {
			before = resourceVersions(t)
			time.Sleep(time.Second)
			if after := resourceVersions(t); fmt.Sprint(after) != fmt.Sprint(before) {
				return fmt.Sprintf("objects keep changing: %v, then %v", before, after)
			}
			return ""
		})
		// ... and a reconcile of every unchanged TKR writes nothing.
		r := status.NewTKRConditionsReconciler(env.Client, status.ConditionOptions{Namespace: tkrNamespace})
		for _, name := range slices.Concat([]string{byoTKR, oldTKR}, defaultTKRs) {
			if _, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKey{Name: name}}); err != nil {
				t.Fatal(err)
			}
		}
		if after := resourceVersions(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("reconciling unchanged TKRs wrote to them: resource versions %v, then %v", before, after)
		}
	})

	t.Run("management cluster version", func(t *testing.T) {
		setTKGVersion(t, "v9.9.9")
		for _, name := range slices.Concat(defaultTKRs, []string{oldTKR}) {
			waitState(t, tkr(name), "Compatible=False(ManagementClusterVersionNotListed) Valid=True Ready=False(Incompatible) +incompatible")
		}
		got := tkr(defaultTKRs[2])
		waitState(t, got, "Compatible=False(ManagementClusterVersionNotListed) Valid=True Ready=False(Incompatible) +incompatible")
		wantMessage(t, got, runv1alpha3.ConditionCompatible,
			"Management cluster version v9.9.9 (from the TKGVERSION annotation of Cluster tkg-system/tkg-mgmt-vc) has no entry in ConfigMap tkg-system/bom-metadata (it has entries for v2.3.0)")
		waitState(t, tkr(byoTKR), readyAdditional) // the additional ConfigMap does not depend on the version
		waitState(t, osImage(defaultImages[0]), incompatibleOnly)

		setTKGVersion(t, "")
		for _, name := range slices.Concat(defaultTKRs, []string{oldTKR}) {
			waitState(t, tkr(name), "Compatible=Unknown(ManagementClusterVersionUnknown) Valid=True Ready=True")
		}
		waitState(t, osImage(defaultImages[0]), "Compatible=Unknown(ReleaseCompatibilityUnknown) Valid=True Ready=True")

		setTKGVersion(t, "v2.3.0")
		for _, name := range defaultTKRs {
			waitState(t, tkr(name), readyCompatible)
		}
		waitState(t, tkr(oldTKR), notListed)
		waitState(t, osImage(defaultImages[0]), readyShipped)
	})

	t.Run("additional-compatible-tkrs ConfigMap", func(t *testing.T) {
		setAdditional(t, "byo-tkrs", "- v1.24.9+vmware.1-gpu-efi\n- v1.21.14+vmware.1-tkg.5\n")
		got := tkr(oldTKR)
		waitState(t, got, readyAdditional)
		wantMessage(t, got, runv1alpha3.ConditionCompatible, "listed in data.tkrVersions of the additional-compatible-tkrs ConfigMap tkg-system/byo-tkrs.")
		waitState(t, osImage(oldImages[0]), readyShipped)

		// A broken list is named in the message of what it no longer vouches for.
		setAdditional(t, "byo-tkrs", "garbage")
		got = tkr(byoTKR)
		waitState(t, got, "Compatible=False(NotListed) Valid=True Ready=False(Incompatible) +incompatible")
		wantMessage(t, got, runv1alpha3.ConditionCompatible, "An additional-compatible-tkrs ConfigMap was ignored: ConfigMap tkg-system/byo-tkrs, key data.tkrVersions")

		setAdditional(t, "byo-tkrs", "- v1.24.9+vmware.1-gpu-efi\n")
		waitState(t, tkr(oldTKR), notListed)
		waitState(t, tkr(byoTKR), readyAdditional)
	})

	t.Run("compatibility metadata", func(t *testing.T) {
		meta := &corev1.ConfigMap{}
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: tkrNamespace, Name: "bom-metadata"}, meta); err != nil {
			t.Fatal(err)
		}
		if err := env.Client.Delete(ctx, meta); err != nil {
			t.Fatal(err)
		}
		got := tkr(defaultTKRs[0])
		waitState(t, got, "Compatible=Unknown(MetadataMissing) Valid=True Ready=True")
		wantMessage(t, got, runv1alpha3.ConditionCompatible, "ConfigMap tkg-system/bom-metadata does not exist", "Create ConfigMap tkg-system/bom-metadata")

		// Written by hand, the metadata may sit in data rather than binaryData.
		recreated := &corev1.ConfigMap{}
		recreated.Namespace, recreated.Name = tkrNamespace, "bom-metadata"
		recreated.Data = map[string]string{"compatibility": string(meta.BinaryData["compatibility"])}
		if err := env.Client.Create(ctx, recreated); err != nil {
			t.Fatal(err)
		}
		for _, name := range defaultTKRs {
			waitState(t, tkr(name), readyCompatible)
		}
		waitState(t, tkr(oldTKR), notListed)
	})

	t.Run("deactivated", func(t *testing.T) {
		name := defaultTKRs[2]
		setLabel(t, name, runv1alpha3.LabelDeactivated, true)
		got := tkr(name)
		waitState(t, got, "Compatible=True(Listed) Valid=True Ready=False(Deactivated) +deactivated")
		wantMessage(t, got, runv1alpha3.ConditionReady, "remove the deactivated label to use it again")
		setLabel(t, name, runv1alpha3.LabelDeactivated, false)
		waitState(t, got, readyCompatible)
	})
}

// TestTKGVersionOption runs the controllers with a configured TKG version in an environment of its
// own, since options are fixed when a manager starts: the option wins over the annotation.
func TestTKGVersionOption(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	own, err := envtest.Start(ctx, envtest.Options{Setup: func(_ context.Context, mgr ctrl.Manager) error {
		return status.SetupConditions(secondManager{mgr}, status.ConditionOptions{TKGVersion: "v9.9.9"})
	}})
	if err != nil {
		t.Fatal(err)
	}
	// Registered before applyCatalog's clean-up, so it runs after it.
	t.Cleanup(func() {
		if err := own.Stop(); err != nil {
			t.Error(err)
		}
	})
	applyCatalog(t, own.Client)
	// The catalogue's management Cluster says v2.3.0; the option says v9.9.9, which the metadata
	// does not know.
	got := tkr(defaultTKRs[0])
	waitStateIn(t, own.Client, got, "Compatible=False(ManagementClusterVersionNotListed) Valid=True Ready=False(Incompatible) +incompatible")
	wantMessage(t, got, runv1alpha3.ConditionCompatible, "Management cluster version v9.9.9 (from the tkg-version setting)")
}

// secondManager lets a second manager in this test process register controllers under the names
// the package's environment already uses; names only need to be unique for metrics.
type secondManager struct{ ctrl.Manager }

func (m secondManager) GetControllerOptions() config.Controller {
	o := m.Manager.GetControllerOptions()
	skip := true
	o.SkipNameValidation = &skip
	return o
}

// resourceVersions maps every TKR and OSImage to its resource version.
func resourceVersions(t *testing.T) map[string]string {
	t.Helper()
	rvs := map[string]string{}
	tkrs := &runv1alpha3.TanzuKubernetesReleaseList{}
	images := &runv1alpha3.OSImageList{}
	if err := env.Client.List(context.Background(), tkrs); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.List(context.Background(), images); err != nil {
		t.Fatal(err)
	}
	for _, o := range tkrs.Items {
		rvs["tkr/"+o.Name] = o.ResourceVersion
	}
	for _, o := range images.Items {
		rvs["osimg/"+o.Name] = o.ResourceVersion
	}
	return rvs
}

// setTKGVersion sets (or, with "", removes) the catalogue's management Cluster's TKGVERSION
// annotation, through Cluster API v1beta2 as an up-to-date client would.
func setTKGVersion(t *testing.T, v string) {
	t.Helper()
	c := &clusterv1.Cluster{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: tkrNamespace, Name: "tkg-mgmt-vc"}, c); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(c.DeepCopy())
	if v == "" {
		delete(c.Annotations, runv1alpha3.AnnotationTKGVersion)
	} else {
		if c.Annotations == nil {
			c.Annotations = map[string]string{}
		}
		c.Annotations[runv1alpha3.AnnotationTKGVersion] = v
	}
	if err := env.Client.Patch(context.Background(), c, patch); err != nil {
		t.Fatal(err)
	}
}

// setAdditional replaces data.tkrVersions of an additional-compatible-tkrs ConfigMap.
func setAdditional(t *testing.T, name, versions string) {
	t.Helper()
	cm := &corev1.ConfigMap{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: tkrNamespace, Name: name}, cm); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(cm.DeepCopy())
	cm.Data["tkrVersions"] = versions
	if err := env.Client.Patch(context.Background(), cm, patch); err != nil {
		t.Fatal(err)
	}
}

// setLabel adds (with value "") or removes label l on TKR name, as an administrator would.
func setLabel(t *testing.T, name, l string, present bool) {
	t.Helper()
	r := tkr(name)
	if err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(r), r); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(r.DeepCopy())
	if present {
		r.Labels[l] = ""
	} else {
		delete(r.Labels, l)
	}
	if err := env.Client.Patch(context.Background(), r, patch); err != nil {
		t.Fatal(err)
	}
}
