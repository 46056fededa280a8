package clusterbootstrap_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cniv1alpha2 "github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

func refNames(pkgs []*runv1alpha3.ClusterBootstrapPackage) []string {
	var out []string
	for _, p := range pkgs {
		out = append(out, p.RefName)
	}
	return out
}

// C1j and C11: relabelling the Cluster to another TKR pauses it (cluster-pause webhook), moves the
// ClusterBootstrap's packages to the new TKR while keeping the user's values, adds the new
// template's packages, and unpauses the Cluster.
func TestUpgrade(t *testing.T) {
	ctx := setup(t)
	for _, version := range []string{"v1beta1", "v1beta2"} {
		t.Run(version, func(t *testing.T) {
			ns := namespace(t, ctx, "upgrade-"+version)
			name := "up"
			createCluster(t, ctx, version, cluster(ns, name, "v1.22.3"))
			before := resolvedCB(t, ctx, ns, name, "v1.22.3")

			// The user edits a value of their own; the upgrade keeps it.
			orig := before.DeepCopy()
			before.Spec.AdditionalPackages[1].ValuesFrom.Inline["key1"] = "mine"
			if err := env.Client.Patch(ctx, before, client.MergeFrom(orig)); err != nil {
				t.Fatal(err)
			}

			c := &clusterv1.Cluster{}
			if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, c); err != nil {
				t.Fatal(err)
			}
			corig := c.DeepCopy()
			c.Labels[runv1alpha3.LabelTKR] = "v1.23.3"
			if err := env.Client.Patch(ctx, c, client.MergeFrom(corig)); err != nil {
				t.Fatal(err)
			}
			if c.Spec.Paused == nil || !*c.Spec.Paused || c.Annotations[runv1alpha3.AnnotationClusterPaused] != "v1.23.3" {
				t.Errorf("the relabelled Cluster was not paused for v1.23.3: paused %v, annotations %v", c.Spec.Paused, c.Annotations)
			}

			cb := resolvedCB(t, ctx, ns, name, "v1.23.3")
			s := cb.Spec
			if s.CNI.RefName != "antrea.tanzu.vmware.com.1.5.2--vmware.3-tkg.1-advanced-zshippable" {
				t.Errorf("CNI refName = %q, want the TKR's antrea package", s.CNI.RefName)
			}
			if s.CNI.ValuesFrom.ProviderRef.Name != name+"-antrea-package" {
				t.Errorf("CNI provider = %q, want the cluster's own", s.CNI.ValuesFrom.ProviderRef.Name)
			}
			if s.Kapp.RefName != "kapp-controller.tanzu.vmware.com.0.30.2--vmware.1-tkg.1" {
				t.Errorf("Kapp refName = %q", s.Kapp.RefName)
			}
			want := []string{
				"foobar1.example.com.1.18.2--vmware.1-tkg.1", "foobar2.example.com.1.0.0--vmware.1-tkg.1",
				"nofoo.example.com.1.1.0--vmware.1-tkg.1", "foobar3.example.com.1.0.0--vmware.1-tkg.1",
			}
			if diff := cmp.Diff(want, refNames(s.AdditionalPackages)); diff != "" {
				t.Errorf("additional packages (-want +got):\n%s", diff)
			}
			a := s.AdditionalPackages
			if a[0].ValuesFrom.SecretRef != name+"-foobar1-package" {
				t.Errorf("foobar1 secretRef = %q, want the cluster's", a[0].ValuesFrom.SecretRef)
			}
			if a[1].ValuesFrom.Inline["key1"] != "mine" {
				t.Errorf("foobar2 inline = %v, want the user's value kept", a[1].ValuesFrom.Inline)
			}
			if a[2].ValuesFrom == nil || a[2].ValuesFrom.Inline["key1"] != "value1" {
				t.Errorf("nofoo = %+v, want the new template's inline values (C11)", a[2].ValuesFrom)
			}
			if a[3].ValuesFrom.SecretRef != name+"-foobar3-package" {
				t.Errorf("foobar3 secretRef = %q, want its clone", a[3].ValuesFrom.SecretRef)
			}
			secret := &corev1.Secret{}
			if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name + "-foobar3-package"}, secret); err != nil {
				t.Errorf("foobar3's values were not cloned: %v", err)
			}

			eventually(t, "Cluster unpaused", func() error {
				c := &clusterv1.Cluster{}
				if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, c); err != nil {
					return err
				}
				if (c.Spec.Paused != nil && *c.Spec.Paused) || c.Annotations[runv1alpha3.AnnotationClusterPaused] != "" {
					return fmt.Errorf("paused %v, annotations %v", c.Spec.Paused, c.Annotations)
				}
				return nil
			})
		})
	}
}

// A Cluster created before its TKR's ClusterBootstrapTemplate arrives is told so, and gets its
// ClusterBootstrap when the template comes.
func TestClusterBeforeTemplate(t *testing.T) {
	ctx := setup(t)
	ns := namespace(t, ctx, "early")
	createTKR(t, ctx, "v1.22.4-late", nil)
	if err := env.Client.Create(ctx, cluster(ns, "early", "v1.22.4-late")); err != nil {
		t.Fatal(err)
	}
	waitForEvent(t, ctx, ns, "early", "ClusterBootstrapTemplateNotFound",
		"ClusterBootstrapTemplate tkg-system/v1.22.4-late of TKR v1.22.4-late does not exist yet")
	copyTemplate(t, ctx, "v1.22.3", "v1.22.4-late", nil)
	resolvedCB(t, ctx, ns, "early", "v1.22.4-late")
}

// copyTemplate creates the ClusterBootstrapTemplate to with the spec of from, changed by edit.
func copyTemplate(t *testing.T, ctx context.Context, from, to string, edit func(*runv1alpha3.ClusterBootstrapTemplateSpec)) {
	t.Helper()
	source := &runv1alpha3.ClusterBootstrapTemplate{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: "tkg-system", Name: from}, source); err != nil {
		t.Fatal(err)
	}
	cbt := &runv1alpha3.ClusterBootstrapTemplate{ObjectMeta: metav1.ObjectMeta{Namespace: "tkg-system", Name: to}, Spec: source.Spec.DeepCopy()}
	if edit != nil {
		edit(cbt.Spec)
	}
	if err := env.Client.Create(ctx, cbt); err != nil {
		t.Fatal(err)
	}
}

// 20 Clusters created at once across namespaces: each gets exactly one ClusterBootstrap and one
// clone per package, and no reconcile fails (a conflict would surface as a ClusterBootstrapFailed
// Event).
func TestManyClustersAtOnce(t *testing.T) {
	ctx := setup(t)
	const perNS, namespaces = 5, 4
	var wg sync.WaitGroup
	errs := make(chan error, perNS*namespaces)
	for n := 0; n < namespaces; n++ {
		ns := namespace(t, ctx, fmt.Sprintf("many-%d", n))
		for i := 0; i < perNS; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- env.Client.Create(context.Background(), cluster(ns, fmt.Sprintf("c%d", i), "v1.22.3"))
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for n := 0; n < namespaces; n++ {
		ns := fmt.Sprintf("many-%d", n)
		for i := 0; i < perNS; i++ {
			resolvedCB(t, ctx, ns, fmt.Sprintf("c%d", i), "v1.22.3")
		}
		cbs := &runv1alpha3.ClusterBootstrapList{}
		antreas := &cniv1alpha2.AntreaConfigList{}
		secrets := &corev1.SecretList{}
		events := &eventsv1.EventList{}
		for _, l := range []client.ObjectList{cbs, antreas, secrets, events} {
			if err := env.Client.List(ctx, l, client.InNamespace(ns)); err != nil {
				t.Fatal(err)
			}
		}
		if len(cbs.Items) != perNS || len(antreas.Items) != perNS {
			t.Errorf("namespace %s: %d ClusterBootstraps and %d AntreaConfigs, want %d of each", ns, len(cbs.Items), len(antreas.Items), perNS)
		}
		packageSecrets := 0
		for _, s := range secrets.Items {
			if s.Type == runv1alpha3.SecretTypeClusterBootstrap {
				packageSecrets++
			}
		}
		if packageSecrets != 2*perNS { // foobar1 (secretRef) and foobar2 (inline) per cluster
			t.Errorf("namespace %s: %d package Secrets, want %d", ns, packageSecrets, 2*perNS)
		}
		for _, e := range events.Items {
			if e.Type == corev1.EventTypeWarning {
				t.Errorf("namespace %s: warning Event %s on %s: %s", ns, e.Reason, e.Regarding.Name, e.Note)
			}
		}
	}
}

// C10: a ClusterBootstrap written by the CLI (wildcards, add-missing-fields-from-tkr, the user's
// own AntreaConfig) is completed by the webhook and the controller: the user's config is adopted
// unchanged, only what was left out is cloned.
func TestClusterBootstrapFromCLI(t *testing.T) {
	ctx := setup(t)
	ns := namespace(t, ctx, "from-cli")
	name := "cli"
	mine := &cniv1alpha2.AntreaConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "antrea-config-custom-2"}}
	mine.Spec.Antrea.Config.TrafficEncapMode = "hybrid"
	if err := env.Client.Create(ctx, mine); err != nil {
		t.Fatal(err)
	}
	group := "cni.tanzu.vmware.com"
	cb := &runv1alpha3.ClusterBootstrap{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: map[string]string{runv1alpha3.AnnotationAddMissingFieldsFromTKR: "v1.22.3"}},
		Spec: &runv1alpha3.ClusterBootstrapTemplateSpec{
			CNI: &runv1alpha3.ClusterBootstrapPackage{RefName: "antrea*", ValuesFrom: &runv1alpha3.ValuesFrom{
				ProviderRef: &corev1.TypedLocalObjectReference{APIGroup: &group, Kind: "AntreaConfig", Name: mine.Name}}},
			Kapp: &runv1alpha3.ClusterBootstrapPackage{RefName: "kapp-controller*"},
			AdditionalPackages: []*runv1alpha3.ClusterBootstrapPackage{
				{RefName: "foobar1*"},
				{RefName: "nofoo*", ValuesFrom: &runv1alpha3.ValuesFrom{Inline: map[string]any{"a": "b"}}},
			},
		},
	}
	if err := env.Client.Create(ctx, cb); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Create(ctx, cluster(ns, name, "v1.22.3")); err != nil {
		t.Fatal(err)
	}
	got := resolvedCB(t, ctx, ns, name, "v1.22.3")
	s := got.Spec
	if s.CNI.RefName != "antrea.tanzu.vmware.com.1.2.3--vmware.1-tkg.1" || s.CNI.ValuesFrom.ProviderRef.Name != mine.Name {
		t.Errorf("CNI = %+v, want the completed name and the user's AntreaConfig", s.CNI)
	}
	if s.Kapp.ValuesFrom == nil || s.Kapp.ValuesFrom.ProviderRef.Name != name+"-kapp-controller-package" {
		t.Errorf("Kapp = %+v, want the template's config cloned", s.Kapp.ValuesFrom)
	}
	if s.CPI == nil || s.CPI.ValuesFrom.ProviderRef.Name != name+"-vsphere-cpi-package" {
		t.Errorf("CPI = %+v, want the template's, cloned", s.CPI)
	}
	byName := map[string]*runv1alpha3.ClusterBootstrapPackage{}
	for _, p := range s.AdditionalPackages {
		byName[p.RefName] = p
	}
	if p := byName["foobar1.example.com.1.17.2--vmware.1-tkg.1"]; p == nil || p.ValuesFrom == nil || p.ValuesFrom.SecretRef != name+"-foobar1-package" {
		t.Errorf("foobar1 = %+v, want its values cloned", p)
	}
	if p := byName["nofoo.example.com.1.0.0--vmware.1-tkg.1"]; p == nil || p.ValuesFrom.Inline["a"] != "b" {
		t.Errorf("nofoo = %+v, want the user's inline values", p)
	}
	if p := byName["foobar2.example.com.1.0.0--vmware.1-tkg.1"]; p == nil || p.ValuesFrom == nil || p.ValuesFrom.Inline["key1"] != "sample-value1" {
		t.Errorf("foobar2 = %+v, want added from the template with its values", p)
	}
	after := &cniv1alpha2.AntreaConfig{}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(mine), after); err != nil {
		t.Fatal(err)
	}
	if after.Spec.Antrea.Config.TrafficEncapMode != "hybrid" {
		t.Errorf("the user's AntreaConfig changed: %+v", after.Spec.Antrea.Config)
	}
	if err := ownedByClusterAndCB(after, name, got); err != nil {
		t.Error(err)
	}
	if after.Labels[runv1alpha3.LabelPackageName] != "antrea.tanzu.vmware.com.1.2.3--vmware.1-tkg.1" {
		t.Errorf("the user's AntreaConfig has labels %v, want the package name the Antrea controller needs", after.Labels)
	}
}

// A template whose Secret is missing: the Cluster is told which Secret of which template and TKR,
// and the ClusterBootstrap is made once the Secret exists.
func TestMissingTemplateObject(t *testing.T) {
	ctx := setup(t)
	ns := namespace(t, ctx, "missing")
	createTKR(t, ctx, "v1.22.5-missing", nil)
	copyTemplate(t, ctx, "v1.22.3", "v1.22.5-missing", func(s *runv1alpha3.ClusterBootstrapTemplateSpec) {
		s.AdditionalPackages[0].ValuesFrom.SecretRef = "foobar1-values-missing"
	})
	if err := env.Client.Create(ctx, cluster(ns, "m", "v1.22.5-missing")); err != nil {
		t.Fatal(err)
	}
	waitForEvent(t, ctx, ns, "m", "TemplateObjectNotFound",
		"ClusterBootstrapTemplate tkg-system/v1.22.5-missing of TKR v1.22.5-missing gives package foobar1.example.com.1.17.2--vmware.1-tkg.1 its values from Secret tkg-system/foobar1-values-missing, which does not exist")
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "tkg-system", Name: "foobar1-values-missing"}, StringData: map[string]string{"values.yaml": "late: true\n"}}
	if err := env.Client.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	resolvedCB(t, ctx, ns, "m", "v1.22.5-missing")
}
