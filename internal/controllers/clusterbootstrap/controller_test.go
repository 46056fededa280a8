package clusterbootstrap_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cniv1alpha2 "github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/bootstrap"
	"github.com/tkr-project/tkr/test/envtest"
)

var applyReleases sync.Once

func setup(t *testing.T) context.Context {
	t.Helper()
	applyReleases.Do(func() { env.ApplyFiles(t, "testdata/releases.yaml") })
	return context.Background()
}

func namespace(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	if err := env.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	return name
}

// cluster returns a ClusterClass Cluster as the resolver webhook leaves it: labelled with its TKR,
// with the proxy, trust, IP-family and skip-TLS variables of the original's tests (C1b), and the
// infrastructure and control plane references Cluster API's topology controller fills in.
func cluster(ns, name, tkr string) *clusterv1beta1.Cluster {
	vars := map[string]string{
		"tkg.tanzu.vmware.com/tkg-ip-family": `"ipv4"`,
		"proxy":                              `{"httpProxy": "foo.com", "httpsProxy": "bar.com", "noProxy": ["foobar.com", "google.com"]}`,
		"trust":                              `{"additionalTrustedCAs": [{"name": "CompanyInternalCA-1", "data": "aGVsbG8="}, {"name": "CompanyInternalCA-2", "data": "bHWtcH9="}]}`,
		"skipTLSVerify":                      `["registry1", "registry2"]`,
	}
	c := &clusterv1beta1.Cluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{runv1alpha3.LabelTKR: tkr}},
		Spec: clusterv1beta1.ClusterSpec{
			ClusterNetwork:    &clusterv1beta1.ClusterNetwork{Services: &clusterv1beta1.NetworkRanges{CIDRBlocks: []string{"100.64.0.0/13"}}},
			InfrastructureRef: &corev1.ObjectReference{APIVersion: "infrastructure.cluster.x-k8s.io/v1beta1", Kind: "VSphereCluster", Name: name, Namespace: ns},
			ControlPlaneRef:   &corev1.ObjectReference{APIVersion: "controlplane.cluster.x-k8s.io/v1beta1", Kind: "KubeadmControlPlane", Name: name, Namespace: ns},
			Topology:          &clusterv1beta1.Topology{Class: "tkg-vsphere-default", Version: tkr},
		},
	}
	for _, n := range []string{"tkg.tanzu.vmware.com/tkg-ip-family", "proxy", "trust", "skipTLSVerify"} {
		c.Spec.Topology.Variables = append(c.Spec.Topology.Variables, clusterv1beta1.ClusterVariable{Name: n, Value: apiextensionsv1.JSON{Raw: []byte(vars[n])}})
	}
	return c
}

// clusterV1beta2 writes c as a Cluster API v1beta2 client would.
func clusterV1beta2(c *clusterv1beta1.Cluster) *clusterv1.Cluster {
	hub := &clusterv1.Cluster{ObjectMeta: *c.ObjectMeta.DeepCopy()}
	hub.Spec.ClusterNetwork.Services.CIDRBlocks = c.Spec.ClusterNetwork.Services.CIDRBlocks
	hub.Spec.InfrastructureRef = clusterv1.ContractVersionedObjectReference{APIGroup: "infrastructure.cluster.x-k8s.io", Kind: "VSphereCluster", Name: c.Name}
	hub.Spec.ControlPlaneRef = clusterv1.ContractVersionedObjectReference{APIGroup: "controlplane.cluster.x-k8s.io", Kind: "KubeadmControlPlane", Name: c.Name}
	hub.Spec.Topology.ClassRef.Name = c.Spec.Topology.Class
	hub.Spec.Topology.Version = c.Spec.Topology.Version
	for _, v := range c.Spec.Topology.Variables {
		hub.Spec.Topology.Variables = append(hub.Spec.Topology.Variables, clusterv1.ClusterVariable{Name: v.Name, Value: v.Value})
	}
	return hub
}

// createCluster creates c as a client of Cluster API version (v1beta1 or v1beta2) would.
func createCluster(t *testing.T, ctx context.Context, version string, c *clusterv1beta1.Cluster) {
	t.Helper()
	var obj client.Object = c
	if version == "v1beta2" {
		obj = clusterV1beta2(c)
	}
	if err := env.Client.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
}

// createTKR creates a TKR of that name (its version too) with the given labels.
func createTKR(t *testing.T, ctx context.Context, name string, labels map[string]string) {
	t.Helper()
	tkr := &runv1alpha3.TanzuKubernetesRelease{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	tkr.Spec.Version, tkr.Spec.Kubernetes.Version = name, name
	if err := env.Client.Create(ctx, tkr); err != nil {
		t.Fatal(err)
	}
}

// waitForEvent waits for an Event of reason on the object called regarding in ns whose note
// starts with note.
func waitForEvent(t *testing.T, ctx context.Context, ns, regarding, reason, note string) {
	t.Helper()
	eventually(t, "a "+reason+" Event on "+regarding, func() error {
		events := &eventsv1.EventList{}
		if err := env.Client.List(ctx, events, client.InNamespace(ns)); err != nil {
			return err
		}
		var notes []string
		for _, e := range events.Items {
			if e.Regarding.Name == regarding && e.Reason == reason {
				if strings.HasPrefix(e.Note, note) {
					return nil
				}
				notes = append(notes, e.Note)
			}
		}
		return fmt.Errorf("no such Event; notes of that reason: %q", notes)
	})
}

// eventually polls check until it passes; the deadline is generous because the machine may be
// loaded, and what is measured is the end state, not the time it takes.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err = check(); err == nil {
			return
		}
	}
	t.Fatalf("%s: %v", what, err)
}

func getCB(ctx context.Context, ns, name string) (*runv1alpha3.ClusterBootstrap, error) {
	cb := &runv1alpha3.ClusterBootstrap{}
	return cb, env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, cb)
}

// resolvedCB waits for the Cluster's ClusterBootstrap to follow tkr with everything cloned.
func resolvedCB(t *testing.T, ctx context.Context, ns, name, tkr string) *runv1alpha3.ClusterBootstrap {
	t.Helper()
	var cb *runv1alpha3.ClusterBootstrap
	eventually(t, "ClusterBootstrap "+ns+"/"+name+" on "+tkr, func() error {
		var err error
		if cb, err = getCB(ctx, ns, name); err != nil {
			return err
		}
		if cb.Status.ResolvedTKR != tkr {
			return fmt.Errorf("resolvedTKR = %q", cb.Status.ResolvedTKR)
		}
		for _, c := range cb.Status.Conditions {
			if c.Type == "Cloned" && c.Status == corev1.ConditionTrue {
				return nil
			}
		}
		return fmt.Errorf("not Cloned yet: %+v", cb.Status.Conditions)
	})
	return cb
}

func object(ctx context.Context, apiVersion, kind, ns, name string) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	return u, env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, u)
}

// ownedByClusterAndCB checks the owner references that make the garbage collector delete what
// was cloned with the Cluster (envtest runs no garbage collector; the references are what it
// follows): a reference to the Cluster and the ClusterBootstrap as controller.
func ownedByClusterAndCB(o metav1.Object, cluster string, cb *runv1alpha3.ClusterBootstrap) error {
	var byCluster, byCB bool
	for _, ref := range o.GetOwnerReferences() {
		if ref.Kind == "Cluster" && ref.Name == cluster {
			byCluster = true
		}
		if ref.Kind == "ClusterBootstrap" && ref.UID == cb.UID && ref.Controller != nil && *ref.Controller {
			byCB = true
		}
	}
	if !byCluster || !byCB {
		return fmt.Errorf("%s/%s: owner references %+v, want the Cluster %s and the ClusterBootstrap as controller", o.GetNamespace(), o.GetName(), o.GetOwnerReferences(), cluster)
	}
	return nil
}

// C1, C1a–C1d, C1f, C1i of the original's tests, for a Cluster written in each Cluster API version.
func TestCreateFromTemplate(t *testing.T) {
	ctx := setup(t)
	for _, version := range []string{"v1beta1", "v1beta2"} {
		t.Run(version, func(t *testing.T) {
			ns := namespace(t, ctx, "create-"+version)
			name := "test-cluster-tcbt"
			createCluster(t, ctx, version, cluster(ns, name, "v1.22.3"))
			cb := resolvedCB(t, ctx, ns, name, "v1.22.3")

			// The ClusterBootstrap is the template's, with the clones' names.
			if len(cb.OwnerReferences) != 1 || cb.OwnerReferences[0].Kind != "Cluster" || cb.OwnerReferences[0].Name != name || !*cb.OwnerReferences[0].Controller {
				t.Errorf("ClusterBootstrap owners = %+v, want the Cluster as controller", cb.OwnerReferences)
			}
			if cb.Spec.CNI.RefName != "antrea.tanzu.vmware.com.1.2.3--vmware.1-tkg.1" {
				t.Errorf("CNI refName = %q", cb.Spec.CNI.RefName)
			}
			wantProviders := map[string]*runv1alpha3.ClusterBootstrapPackage{
				name + "-antrea-package": cb.Spec.CNI, name + "-vsphere-cpi-package": cb.Spec.CPI,
				name + "-vsphere-csi-package": cb.Spec.CSI, name + "-kapp-controller-package": cb.Spec.Kapp,
			}
			for want, pkg := range wantProviders {
				if pkg.ValuesFrom.ProviderRef.Name != want {
					t.Errorf("package %s providerRef = %q, want %q", pkg.RefName, pkg.ValuesFrom.ProviderRef.Name, want)
				}
			}
			if got := cb.Spec.AdditionalPackages[0].ValuesFrom.SecretRef; got != name+"-foobar1-package" {
				t.Errorf("foobar1 secretRef = %q", got)
			}
			if cb.Spec.AdditionalPackages[1].ValuesFrom.Inline["key1"] != "sample-value1" {
				t.Errorf("foobar2 keeps its inline values: %+v", cb.Spec.AdditionalPackages[1].ValuesFrom)
			}

			// The clones: labelled, owned, and the template's spec without its metadata.
			antrea, err := object(ctx, "cni.tanzu.vmware.com/v1alpha2", "AntreaConfig", ns, name+"-antrea-package")
			if err != nil {
				t.Fatal(err)
			}
			if err := ownedByClusterAndCB(antrea, name, cb); err != nil {
				t.Error(err)
			}
			if diff := cmp.Diff(map[string]string{
				runv1alpha3.LabelPackageName: "antrea.tanzu.vmware.com.1.2.3--vmware.1-tkg.1",
				runv1alpha3.LabelClusterName: name,
			}, antrea.GetLabels()); diff != "" {
				t.Errorf("AntreaConfig labels (-want +got):\n%s", diff)
			}
			if _, ok := antrea.GetAnnotations()[runv1alpha3.AnnotationTemplateConfig]; ok {
				t.Error("the clone kept the template-config annotation, so no controller renders it")
			}
			secret := &corev1.Secret{}
			if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name + "-foobar1-package"}, secret); err != nil {
				t.Fatal(err)
			}
			if secret.Type != runv1alpha3.SecretTypeClusterBootstrap || string(secret.Data["values.yaml"]) != "release: v1.22.3\n" {
				t.Errorf("foobar1 Secret: type %q, data %q", secret.Type, secret.Data)
			}
			if err := ownedByClusterAndCB(secret, name, cb); err != nil {
				t.Error(err)
			}
			inline := &corev1.Secret{}
			if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name + "-foobar2-package"}, inline); err != nil {
				t.Fatal(err)
			}
			if got := string(inline.Data["values.yaml"]); got != "key1: sample-value1\nkey2: sample-value2\n" {
				t.Errorf("inline Secret values.yaml = %q", got)
			}
			if err := ownedByClusterAndCB(inline, name, cb); err != nil {
				t.Error(err)
			}

			// C1i: the credentials the CPI and CSI templates refer to are copied next to the clones,
			// owned by the clone and the Cluster.
			for _, c := range []struct{ secret, kind, owner string }{
				{"cpi-vsphere-credential", "VSphereCPIConfig", name + "-vsphere-cpi-package"},
				{"csi-vsphere-credential", "VSphereCSIConfig", name + "-vsphere-csi-package"},
			} {
				s := &corev1.Secret{}
				if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: c.secret}, s); err != nil {
					t.Fatalf("%s not copied: %v", c.secret, err)
				}
				owners := map[string]string{}
				for _, ref := range s.OwnerReferences {
					owners[ref.Kind] = ref.Name
				}
				if diff := cmp.Diff(map[string]string{c.kind: c.owner, "Cluster": name}, owners); diff != "" {
					t.Errorf("%s owners (-want +got):\n%s", c.secret, diff)
				}
				if string(s.Data["username"]) != "administrator@vsphere.local" {
					t.Errorf("%s data = %q", c.secret, s.Data)
				}
			}

			// C1b: the Cluster carries the proxy, trust, IP-family and skip-TLS annotations.
			eventually(t, "Cluster annotations", func() error {
				got := &clusterv1.Cluster{}
				if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, got); err != nil {
					return err
				}
				want := map[string]string{
					bootstrap.AnnotationHTTPProxy: "foo.com", bootstrap.AnnotationHTTPSProxy: "bar.com",
					bootstrap.AnnotationNoProxy: "foobar.com,google.com", bootstrap.AnnotationProxyCACert: "aGVsbG8KbHWtcH8K",
					bootstrap.AnnotationIPFamily: "ipv4", bootstrap.AnnotationSkipTLSVerify: "registry1, registry2",
				}
				for k, v := range want {
					if got.Annotations[k] != v {
						return fmt.Errorf("annotation %s = %q, want %q", k, got.Annotations[k], v)
					}
				}
				return nil
			})

			// The add-on config controller renders the clone.
			eventually(t, "AntreaConfig rendered", func() error {
				a := &cniv1alpha2.AntreaConfig{}
				if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name + "-antrea-package"}, a); err != nil {
					return err
				}
				if a.Status.SecretRef != name+"-antrea-data-values" {
					return fmt.Errorf("status.secretRef = %q", a.Status.SecretRef)
				}
				return nil
			})

			// What kubectl shows.
			row := envtestTable(t, "get", "cb", "-n", ns).Row("NAME", name)
			if row == nil || row["CNI"] != cb.Spec.CNI.RefName || row["RESOLVED_TKR"] != "v1.22.3" {
				t.Errorf("kubectl get cb row = %v", row)
			}
		})
	}
}

// C3: a config created before the Cluster under the predictable name is used as it is.
func TestPrecreatedConfigIsUsed(t *testing.T) {
	ctx := setup(t)
	ns := namespace(t, ctx, "precreated")
	name := "routable"
	mine := &cniv1alpha2.AntreaConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-antrea-package"}}
	mine.Spec.Antrea.Config.TrafficEncapMode = "hybrid"
	if err := env.Client.Create(ctx, mine); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(mine), mine); err != nil {
		t.Fatal(err)
	}
	before := mine.Spec.DeepCopy()
	if err := env.Client.Create(ctx, cluster(ns, name, "v1.22.3")); err != nil {
		t.Fatal(err)
	}
	cb := resolvedCB(t, ctx, ns, name, "v1.22.3")
	if got := cb.Spec.CNI.ValuesFrom.ProviderRef.Name; got != mine.Name {
		t.Errorf("CNI providerRef = %q, want the pre-created %q", got, mine.Name)
	}
	after := &cniv1alpha2.AntreaConfig{}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(mine), after); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, &after.Spec); diff != "" {
		t.Errorf("the pre-created AntreaConfig's spec changed (-before +after):\n%s", diff)
	}
	if err := ownedByClusterAndCB(after, name, cb); err != nil {
		t.Error(err)
	}
}

// C7: with tkg.tanzu.vmware.com/custom-clusterbootstrap nothing is cloned; the ClusterBootstrap
// someone creates later is taken over.
func TestCustomClusterBootstrap(t *testing.T) {
	ctx := setup(t)
	ns := namespace(t, ctx, "custom")
	c := cluster(ns, "custom", "v1.22.3")
	c.Annotations = map[string]string{runv1alpha3.AnnotationCustomClusterBootstrap: ""}
	if err := env.Client.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	// Give the controller the time it takes for a cluster of TestCreateFromTemplate, then check
	// nothing was made.
	other := cluster(ns, "witness", "v1.22.3")
	if err := env.Client.Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	resolvedCB(t, ctx, ns, "witness", "v1.22.3")
	if _, err := getCB(ctx, ns, "custom"); !apierrors.IsNotFound(err) {
		t.Fatalf("ClusterBootstrap of an opted-out Cluster: err = %v, want NotFound", err)
	}
}

// C4: a Cluster on a legacy TKR gets no ClusterBootstrap.
func TestLegacyTKR(t *testing.T) {
	ctx := setup(t)
	ns := namespace(t, ctx, "legacy")
	createTKR(t, ctx, "v1.21.2", map[string]string{runv1alpha3.LabelLegacyTKR: ""})
	if err := env.Client.Create(ctx, cluster(ns, "old", "v1.21.2")); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Create(ctx, cluster(ns, "witness", "v1.22.3")); err != nil {
		t.Fatal(err)
	}
	resolvedCB(t, ctx, ns, "witness", "v1.22.3")
	if _, err := getCB(ctx, ns, "old"); !apierrors.IsNotFound(err) {
		t.Fatalf("ClusterBootstrap of a legacy Cluster: err = %v, want NotFound", err)
	}
}

func envtestTable(t *testing.T, args ...string) envtest.Table {
	t.Helper()
	return envtest.ParseTable(env.Kubectl(t, args...))
}
