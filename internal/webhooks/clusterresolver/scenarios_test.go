package clusterresolver_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/tkrdata"
)

const (
	ubuntu124 = "v1.24.9---vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93"
	photon124 = "v1.24.9---vmware.1-tkg.1-f5e94dab9dfbb9988aeb94f1ffdc6e5e"
	tkr124    = "v1.24.9---vmware.1-tkg.1"
	tkr123    = "v1.23.15---vmware.1-tkg.1"
	gpuTKR    = "v1.24.9---vmware.1-gpu-efi"
)

// testClasses adds two ClusterClasses to the examples' tkg-vsphere-default:
// mixed-os (resolve-tkr "", no control-plane selector, worker classes md-class-0 without a
// selector and md-class-1 selecting photon) and no-resolve (no resolve-tkr annotation).
const testClasses = `
apiVersion: cluster.x-k8s.io/v1beta1
kind: ClusterClass
metadata:
  name: mixed-os
  namespace: default
  annotations:
    run.tanzu.vmware.com/resolve-tkr: ""
spec:
  controlPlane:
    ref: {apiVersion: controlplane.cluster.x-k8s.io/v1beta1, kind: KubeadmControlPlaneTemplate, name: cp}
  infrastructure:
    ref: {apiVersion: infrastructure.cluster.x-k8s.io/v1beta1, kind: VSphereClusterTemplate, name: infra}
  workers:
    machineDeployments:
    - class: md-class-0
      template:
        bootstrap: {ref: {apiVersion: bootstrap.cluster.x-k8s.io/v1beta1, kind: KubeadmConfigTemplate, name: md}}
        infrastructure: {ref: {apiVersion: infrastructure.cluster.x-k8s.io/v1beta1, kind: VSphereMachineTemplate, name: md}}
    - class: md-class-1
      template:
        metadata:
          annotations:
            run.tanzu.vmware.com/resolve-os-image: os-name=photon
        bootstrap: {ref: {apiVersion: bootstrap.cluster.x-k8s.io/v1beta1, kind: KubeadmConfigTemplate, name: md}}
        infrastructure: {ref: {apiVersion: infrastructure.cluster.x-k8s.io/v1beta1, kind: VSphereMachineTemplate, name: md}}
  variables:
  - name: TKR_DATA
    required: false
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
  - name: imageRepository
    required: false
    schema: {openAPIV3Schema: {type: object, properties: {host: {type: string}, tlsCertificateValidation: {type: boolean}}}}
---
apiVersion: cluster.x-k8s.io/v1beta1
kind: ClusterClass
metadata:
  name: no-resolve
  namespace: default
spec:
  controlPlane:
    ref: {apiVersion: controlplane.cluster.x-k8s.io/v1beta1, kind: KubeadmControlPlaneTemplate, name: cp}
  infrastructure:
    ref: {apiVersion: infrastructure.cluster.x-k8s.io/v1beta1, kind: VSphereClusterTemplate, name: infra}
`

var classesOnce sync.Once

func setup(t *testing.T) {
	t.Helper()
	loadExamples(t)
	classesOnce.Do(func() {
		if err := applyYAML(t, testClasses); err != nil {
			t.Fatal(err)
		}
	})
}

// spec describes a test Cluster; zero values give the example's cluster shape.
type spec struct {
	name, class, version, resolveTKR, cpSelector string
	noResolveTKR, noTopology, paused             bool
	mds                                          []md
	labels                                       map[string]string
	variables                                    string // extra YAML list items under topology.variables
}

type md struct{ name, class, selector string }

func (s spec) yaml() string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\nmetadata:\n  name: %s\n  namespace: default\n", s.name)
	if !s.noResolveTKR {
		fmt.Fprintf(&b, "  annotations:\n    run.tanzu.vmware.com/resolve-tkr: %q\n", s.resolveTKR)
	}
	if len(s.labels) > 0 {
		b.WriteString("  labels:\n")
		for k, v := range s.labels {
			fmt.Fprintf(&b, "    %s: %q\n", k, v)
		}
	}
	fmt.Fprintf(&b, "spec:\n  paused: %t\n", s.paused)
	if s.noTopology {
		return b.String()
	}
	class, version := s.class, s.version
	if class == "" {
		class = "tkg-vsphere-default"
	}
	if version == "" {
		version = "v1.24.9+vmware.1"
	}
	fmt.Fprintf(&b, "  topology:\n    class: %s\n    version: %s\n    controlPlane:\n      replicas: 1\n", class, version)
	if s.cpSelector != "" {
		fmt.Fprintf(&b, "      metadata:\n        annotations:\n          run.tanzu.vmware.com/resolve-os-image: %q\n", s.cpSelector)
	}
	if s.variables != "" {
		b.WriteString("    variables:\n" + s.variables)
	}
	if len(s.mds) > 0 {
		b.WriteString("    workers:\n      machineDeployments:\n")
		for _, m := range s.mds {
			fmt.Fprintf(&b, "      - name: %s\n        class: %s\n        replicas: 1\n", m.name, m.class)
			if m.selector != "" {
				fmt.Fprintf(&b, "        metadata:\n          annotations:\n            run.tanzu.vmware.com/resolve-os-image: %q\n", m.selector)
			}
		}
	}
	return b.String()
}

func create(t *testing.T, s spec) *clusterv1beta1.Cluster {
	t.Helper()
	if err := applyYAML(t, s.yaml()); err != nil {
		t.Fatalf("creating Cluster %s: %v", s.name, err)
	}
	return get(t, s.name)
}

func denied(t *testing.T, s spec, wants ...string) string {
	t.Helper()
	err := applyYAML(t, s.yaml())
	if err == nil {
		t.Fatalf("Cluster %s was admitted; want a denial containing %q", s.name, wants)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("denial of %s lacks %q:\n%v", s.name, w, err)
		}
	}
	return err.Error()
}

func get(t *testing.T, name string) *clusterv1beta1.Cluster {
	t.Helper()
	c := &clusterv1beta1.Cluster{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: name}, c); err != nil {
		t.Fatal(err)
	}
	return c
}

// osImageOf returns the OSImage named in part's effective TKR_DATA entry for version (md < 0: the
// control plane).
func osImageOf(t *testing.T, c *clusterv1beta1.Cluster, md int, version string) string {
	t.Helper()
	view, err := tkrdata.ForCluster(c)
	if err != nil {
		t.Fatal(err)
	}
	var data tkrdata.TKRData
	if md < 0 {
		data, err = tkrdata.Get(view)
	} else {
		data, err = tkrdata.GetForMD(view, md)
	}
	if err != nil {
		t.Fatal(err)
	}
	if data[version] == nil {
		t.Fatalf("TKR_DATA of part %d has no entry for %s: %s", md, version, mustJSON(data))
	}
	return data[version].Labels[runv1alpha3.LabelOSImage]
}

func hasOverride(c *clusterv1beta1.Cluster, md int) bool {
	w := c.Spec.Topology.Workers.MachineDeployments[md]
	return w.Variables != nil && slices.ContainsFunc(w.Variables.Overrides, func(v clusterv1beta1.ClusterVariable) bool { return v.Name == "TKR_DATA" })
}

// G1–G4: requests the webhook lets through untouched, or denies before resolving.
func TestSkipsAndClassErrors(t *testing.T) {
	setup(t)
	t.Run("G1 paused", func(t *testing.T) {
		c := create(t, spec{name: "g1-paused", paused: true, cpSelector: "os-name=ubuntu"})
		if c.Labels[runv1alpha3.LabelTKR] != "" || c.Spec.Topology.Version != "v1.24.9+vmware.1" || len(c.Spec.Topology.Variables) != 0 {
			t.Errorf("a paused Cluster was changed: labels %v version %s", c.Labels, c.Spec.Topology.Version)
		}
	})
	t.Run("G3 no topology", func(t *testing.T) {
		c := create(t, spec{name: "g3-no-topology", noTopology: true})
		if c.Labels[runv1alpha3.LabelTKR] != "" {
			t.Errorf("a Cluster without topology got a TKR: %v", c.Labels)
		}
	})
	t.Run("G4 unknown ClusterClass", func(t *testing.T) {
		denied(t, spec{name: "g4-no-class", class: "non-existent"}, "ClusterClass not found", "default/g4-no-class", "default/non-existent")
	})
	t.Run("G2 deleting", func(t *testing.T) {
		s := spec{name: "g2-deleting", cpSelector: "os-name=ubuntu"}
		c := create(t, s)
		update(t, s.name, func(c *clusterv1beta1.Cluster) { c.Finalizers = []string{"test.tkr/hold"} })
		if err := env.Client.Delete(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		// An update of a deleting Cluster asking for another version is left alone: no
		// re-resolution, no normalised version.
		c = update(t, s.name, func(c *clusterv1beta1.Cluster) { c.Spec.Topology.Version = "v1.23" })
		if c.Spec.Topology.Version != "v1.23" || c.Labels[runv1alpha3.LabelTKR] != tkr124 {
			t.Errorf("a deleting Cluster was resolved: version %s, TKR %s", c.Spec.Topology.Version, c.Labels[runv1alpha3.LabelTKR])
		}
		update(t, s.name, func(c *clusterv1beta1.Cluster) { c.Finalizers = nil })
	})
	t.Run("M1 no resolve-tkr anywhere", func(t *testing.T) {
		c := create(t, spec{name: "m1-no-annotation", class: "no-resolve", noResolveTKR: true, version: "v1.24"})
		if c.Labels[runv1alpha3.LabelTKR] != "" || c.Spec.Topology.Version != "v1.24" {
			t.Errorf("a Cluster that asked for no resolution was changed: labels %v version %s", c.Labels, c.Spec.Topology.Version)
		}
	})
}

// M6/M7/M9: a fresh resolution writes TKR_DATA, the tkr label and the Kubernetes version; machine
// deployments with the control plane's image carry no override, others do.
func TestFreshResolution(t *testing.T) {
	setup(t)
	c := create(t, spec{
		name: "m9-mixed", class: "mixed-os", version: "v1.24", cpSelector: "os-name=ubuntu",
		mds: []md{{name: "md-0", class: "md-class-0", selector: "os-name=ubuntu"}, {name: "md-1", class: "md-class-1"}, {name: "md-2", class: "md-class-1"}},
	})
	if got := c.Labels[runv1alpha3.LabelTKR]; got != tkr124 {
		t.Errorf("label %s = %q, want %s", runv1alpha3.LabelTKR, got, tkr124)
	}
	if c.Spec.Topology.Version != "v1.24.9+vmware.1" {
		t.Errorf("spec.topology.version = %s, want the TKR's Kubernetes version v1.24.9+vmware.1", c.Spec.Topology.Version)
	}
	if got := osImageOf(t, c, -1, "v1.24.9+vmware.1"); got != ubuntu124 {
		t.Errorf("control plane OSImage = %s, want %s", got, ubuntu124)
	}
	for i, want := range []string{ubuntu124, photon124, photon124} {
		if got := osImageOf(t, c, i, "v1.24.9+vmware.1"); got != want {
			t.Errorf("md-%d OSImage = %s, want %s", i, got, want)
		}
	}
	if hasOverride(c, 0) || !hasOverride(c, 1) || !hasOverride(c, 2) {
		t.Errorf("TKR_DATA overrides: md-0 %t md-1 %t md-2 %t; want only the photon machine deployments", hasOverride(c, 0), hasOverride(c, 1), hasOverride(c, 2))
	}
	entry := tkrDataOf(t, c)["v1.24.9+vmware.1"]
	for _, img := range []*runv1alpha3.ContainerImageInfo{entry.KubernetesSpec.Etcd, entry.KubernetesSpec.Pause, entry.KubernetesSpec.CoreDNS, entry.KubernetesSpec.KubeVIP} {
		if img == nil || img.ImageRepository == "" {
			t.Errorf("kubernetesSpec image %+v has no imageRepository (M6)", img)
		}
	}
}

// M3–M5: updates that keep the TKR re-resolve nothing, but normalise the version.
func TestAlreadyResolved(t *testing.T) {
	setup(t)
	s := spec{name: "m3-resolved", cpSelector: "os-name=ubuntu", mds: []md{{name: "md-0", class: "tkg-worker"}}}
	first := create(t, s)
	before := mustJSON(first.Spec.Topology.Variables)
	for _, v := range []string{"v1.24", "v1.24.9+vmware.1-tkg.1", "v1", "v1.24.9"} {
		c := update(t, s.name, func(c *clusterv1beta1.Cluster) { c.Spec.Topology.Version = v })
		if c.Spec.Topology.Version != "v1.24.9+vmware.1" {
			t.Errorf("after setting version %s: spec.topology.version = %s, want v1.24.9+vmware.1", v, c.Spec.Topology.Version)
		}
		if after := mustJSON(c.Spec.Topology.Variables); after != before {
			t.Errorf("after setting version %s the variables changed:\n%s\nwant\n%s", v, after, before)
		}
	}
}

// The upgrade flow: v1.23 → v1.24 keeps both TKR_DATA entries for machines still on v1.23.
func TestUpgradeKeepsBothEntries(t *testing.T) {
	setup(t)
	s := spec{name: "upgrade", version: "v1.23", cpSelector: "os-name=ubuntu", mds: []md{{name: "md-0", class: "tkg-worker"}}}
	c := create(t, s)
	if c.Labels[runv1alpha3.LabelTKR] != tkr123 || c.Spec.Topology.Version != "v1.23.15+vmware.1" {
		t.Fatalf("created on %s / %s, want %s / v1.23.15+vmware.1", c.Labels[runv1alpha3.LabelTKR], c.Spec.Topology.Version, tkr123)
	}
	c = update(t, s.name, func(c *clusterv1beta1.Cluster) { c.Spec.Topology.Version = "v1.24" })
	if c.Labels[runv1alpha3.LabelTKR] != tkr124 || c.Spec.Topology.Version != "v1.24.9+vmware.1" {
		t.Errorf("upgraded to %s / %s, want %s / v1.24.9+vmware.1", c.Labels[runv1alpha3.LabelTKR], c.Spec.Topology.Version, tkr124)
	}
	data := tkrDataOf(t, c)
	for _, v := range []string{"v1.23.15+vmware.1", "v1.24.9+vmware.1"} {
		if data[v] == nil {
			t.Errorf("TKR_DATA lost the %s entry: %s", v, mustJSON(data))
		}
	}
}

// M11: a stale tkr label means a fresh resolution.
func TestStaleTKRLabel(t *testing.T) {
	setup(t)
	c := create(t, spec{name: "m11-stale", labels: map[string]string{runv1alpha3.LabelTKR: tkr124 + "-does-not-exist"}, cpSelector: "os-name=ubuntu"})
	if c.Labels[runv1alpha3.LabelTKR] != tkr124 {
		t.Errorf("label = %s, want a fresh resolution to %s", c.Labels[runv1alpha3.LabelTKR], tkr124)
	}
}

// Denials say what failed: unknown selector values, ambiguity, missing MD classes.
func TestDenials(t *testing.T) {
	setup(t)
	t.Run("M12 no TKR has the label", func(t *testing.T) {
		msg := denied(t, spec{name: "m12-no-tkr", resolveTKR: "no-such-tkr"},
			"could not resolve TKR/OSImage for controlPlane, machineDeployments: []", "default/m12-no-tkr", "no-such-tkr")
		t.Logf("denial:\n%s", msg)
	})
	t.Run("failing OSImage selector term is named", func(t *testing.T) {
		msg := denied(t, spec{name: "windows", cpSelector: "os-name=windows", mds: []md{{name: "md-0", class: "tkg-worker"}}},
			"could not resolve TKR/OSImage for controlPlane, machineDeployments: [md-0]", "os-name=windows")
		t.Logf("denial:\n%s", msg)
	})
	t.Run("M8 ambiguous OSImages are an error, not a pick", func(t *testing.T) {
		denied(t, spec{name: "m8-ambiguous", class: "mixed-os", mds: []md{{name: "md-0", class: "md-class-1"}}},
			"could not resolve TKR/OSImage for controlPlane", ubuntu124, photon124)
	})
	t.Run("M10 unknown MD class", func(t *testing.T) {
		denied(t, spec{name: "m10-md-class", class: "mixed-os", cpSelector: "os-name=ubuntu", mds: []md{{name: "md-0", class: "non-existent"}}},
			"machineDeployment refers to non-existent MD class 'non-existent'", "default/m10-md-class")
	})
	t.Run("bad selector", func(t *testing.T) {
		denied(t, spec{name: "bad-selector", resolveTKR: "os-name in (ubuntu"}, "error parsing selector", "default/bad-selector")
	})
	t.Run("unusable version prefix", func(t *testing.T) {
		// Its label form is longer than a label key may be, so no TKR could ever carry it.
		long := "v1.24.9+vmware.1-" + strings.Repeat("a", 60)
		denied(t, spec{name: "bad-version", version: long, cpSelector: "os-name=ubuntu"}, "spec.topology.version", "is not a usable version prefix", "default/bad-version")
	})
	t.Run("unknown version", func(t *testing.T) {
		denied(t, spec{name: "unknown-version", version: "v1.24_9", cpSelector: "os-name=ubuntu"}, "No TKR has a version starting with v1.24_9; the nearest start with v1.24")
	})
}

// The BYO TKR is picked only when its label is selected.
func TestBYOTKROnlyWhenSelected(t *testing.T) {
	setup(t)
	plain := create(t, spec{name: "byo-not-selected", cpSelector: "os-name=ubuntu"})
	if got := plain.Labels[runv1alpha3.LabelTKR]; got != tkr124 {
		t.Errorf("without a selector the cluster got %s, want %s", got, tkr124)
	}
	gpu := create(t, spec{name: "byo-selected", resolveTKR: "tkr.tanzu.vmware.com/gpu-efi", cpSelector: "os-name=ubuntu"})
	if got := gpu.Labels[runv1alpha3.LabelTKR]; got != gpuTKR {
		t.Errorf("with resolve-tkr tkr.tanzu.vmware.com/gpu-efi the cluster got %s, want %s", got, gpuTKR)
	}
	if got := osImageOf(t, gpu, -1, "v1.24.9+vmware.1"); got != gpuTKR {
		t.Errorf("BYO cluster OSImage = %s, want %s", got, gpuTKR)
	}
	// Asking for the BYO release by version while excluding its label leaves nothing, and the
	// denial names the term that excluded it.
	denied(t, spec{name: "byo-excluded", resolveTKR: "!tkr.tanzu.vmware.com/gpu-efi", version: "v1.24.9+vmware.1-gpu-efi", cpSelector: "os-name=ubuntu"},
		"could not resolve TKR/OSImage", "!tkr.tanzu.vmware.com/gpu-efi")
}

// v1beta2 Clusters (what current Cluster API clients write) resolve exactly like v1beta1 ones.
func TestV1beta2ClusterResolvesLikeV1beta1(t *testing.T) {
	setup(t)
	v1 := create(t, spec{name: "same-v1beta1", cpSelector: "os-name=ubuntu", mds: []md{{name: "md-0", class: "tkg-worker"}}})
	v2 := &clusterv1.Cluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "same-v1beta2", Annotations: map[string]string{runv1alpha3.AnnotationResolveTKR: ""}},
		Spec: clusterv1.ClusterSpec{Topology: clusterv1.Topology{
			ClassRef: clusterv1.ClusterClassRef{Name: "tkg-vsphere-default"},
			Version:  "v1.24.9+vmware.1",
			ControlPlane: clusterv1.ControlPlaneTopology{
				Metadata: clusterv1.ObjectMeta{Annotations: map[string]string{runv1alpha3.AnnotationResolveOSImage: "os-name=ubuntu"}},
			},
			Workers: clusterv1.WorkersTopology{MachineDeployments: []clusterv1.MachineDeploymentTopology{{Name: "md-0", Class: "tkg-worker"}}},
		}},
	}
	if err := env.Client.Create(context.Background(), v2); err != nil {
		t.Fatal(err)
	}
	if v2.Labels[runv1alpha3.LabelTKR] != v1.Labels[runv1alpha3.LabelTKR] || v2.Spec.Topology.Version != v1.Spec.Topology.Version {
		t.Errorf("v1beta2: %s / %s; v1beta1: %s / %s", v2.Labels[runv1alpha3.LabelTKR], v2.Spec.Topology.Version, v1.Labels[runv1alpha3.LabelTKR], v1.Spec.Topology.Version)
	}
	if got, want := mustJSON(tkrDataOf(t, v2)), mustJSON(tkrDataOf(t, v1)); got != want {
		t.Errorf("TKR_DATA differs:\nv1beta2 %s\nv1beta1 %s", got, want)
	}
}

// The cluster's imageRepository variable replaces the TKR's repository for every core image.
func TestCustomImageRepository(t *testing.T) {
	setup(t)
	c := create(t, spec{name: "custom-repo", cpSelector: "os-name=ubuntu", variables: `    - name: imageRepository
      value:
        host: registry.example.internal/tkg
        tlsCertificateValidation: false
`})
	k := tkrDataOf(t, c)["v1.24.9+vmware.1"].KubernetesSpec
	if k.ImageRepository != "registry.example.internal/tkg" {
		t.Errorf("kubernetesSpec.imageRepository = %q, want the custom host", k.ImageRepository)
	}
	for name, img := range map[string]*runv1alpha3.ContainerImageInfo{"etcd": k.Etcd, "pause": k.Pause, "coredns": k.CoreDNS, "kube-vip": k.KubeVIP} {
		if img == nil || img.ImageRepository != "registry.example.internal/tkg" {
			t.Errorf("%s image = %+v, want the custom host as its repository", name, img)
		}
	}
}
