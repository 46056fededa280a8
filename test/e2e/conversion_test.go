package e2e

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

func getAs(t *testing.T, apiVersion, kind string, key client.ObjectKey) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	if err := env.Client.Get(context.Background(), key, u); err != nil {
		t.Fatalf("reading %s %s as %s: %v", kind, key, apiVersion, err)
	}
	return u
}

func nested(t *testing.T, u *unstructured.Unstructured, path ...string) any {
	t.Helper()
	v, _, err := unstructured.NestedFieldNoCopy(u.Object, path...)
	if err != nil {
		t.Fatalf("%v: %v", path, err)
	}
	return v
}

// TestTKRServedInEveryVersion creates a v1alpha3 TKR and reads it through the legacy versions,
// then writes through a legacy version and checks nothing v1alpha3 holds was lost.
func TestTKRServedInEveryVersion(t *testing.T) {
	ctx := context.Background()
	tkr := &runv1alpha3.TanzuKubernetesRelease{
		ObjectMeta: metav1.ObjectMeta{Name: "v1.25.7---vmware.2-tkg.1"},
		Spec: runv1alpha3.TanzuKubernetesReleaseSpec{
			Version: "v1.25.7+vmware.2-tkg.1",
			Kubernetes: runv1alpha3.KubernetesSpec{
				Version:         "v1.25.7+vmware.2",
				ImageRepository: "registry.example/tkg",
				Etcd:            &runv1alpha3.ContainerImageInfo{ImageTag: "v3.5.6_vmware.9"},
				CoreDNS:         &runv1alpha3.ContainerImageInfo{ImageTag: "v1.9.3_vmware.8"},
				Pause:           &runv1alpha3.ContainerImageInfo{ImageTag: "3.8"},
			},
			OSImages:          []runv1alpha3.OSImageReference{{Name: "v1.25.7---vmware.2-tkg.1-ubuntu"}, {Name: "v1.25.7---vmware.2-tkg.1-photon"}},
			BootstrapPackages: []runv1alpha3.BootstrapPackageReference{{Name: "antrea.tanzu.vmware.com.1.9.0+vmware.2-tkg.1-advanced"}},
		},
	}
	if err := env.Client.Create(ctx, tkr); err != nil {
		t.Fatal(err)
	}
	key := client.ObjectKey{Name: tkr.Name}
	for _, v := range []string{"v1alpha1", "v1alpha2"} {
		u := getAs(t, "run.tanzu.vmware.com/"+v, "TanzuKubernetesRelease", key)
		if got := nested(t, u, "spec", "kubernetesVersion"); got != "v1.25.7+vmware.2" {
			t.Errorf("%s spec.kubernetesVersion = %v, want v1.25.7+vmware.2", v, got)
		}
		if got := nested(t, u, "spec", "nodeImageRef", "name"); got != "v1.25.7---vmware.2-tkg.1-ubuntu" {
			t.Errorf("%s spec.nodeImageRef.name = %v, want the first OSImage", v, got)
		}
		images, _ := nested(t, u, "spec", "images").([]any)
		var names []string
		for _, i := range images {
			names = append(names, i.(map[string]any)["name"].(string))
		}
		if diff := cmp.Diff([]string{"etcd", "coredns", "pause"}, names); diff != "" {
			t.Errorf("%s spec.images names (-want +got):\n%s", v, diff)
		}
	}

	// A legacy client edits the object; the v1alpha3-only fields must survive.
	u := getAs(t, "run.tanzu.vmware.com/v1alpha1", "TanzuKubernetesRelease", key)
	u.SetLabels(map[string]string{"edited-by": "legacy-client"})
	if err := env.Client.Update(ctx, u); err != nil {
		t.Fatal(err)
	}
	got := &runv1alpha3.TanzuKubernetesRelease{}
	if err := env.Client.Get(ctx, key, got); err != nil {
		t.Fatal(err)
	}
	if got.Labels["edited-by"] != "legacy-client" {
		t.Errorf("the legacy client's label was lost: %v", got.Labels)
	}
	if diff := cmp.Diff(tkr.Spec, got.Spec); diff != "" {
		t.Errorf("v1alpha3 spec after a v1alpha1 round trip (-want +got):\n%s", diff)
	}
}

// TestLegacyTKRCreatedInV1alpha1 creates a TKR the way pre-v1alpha3 tooling did.
func TestLegacyTKRCreatedInV1alpha1(t *testing.T) {
	legacy := `
apiVersion: run.tanzu.vmware.com/v1alpha1
kind: TanzuKubernetesRelease
metadata:
  name: v1.20.8---vmware.1-tkg.2
spec:
  version: 1.20.8+vmware.1-tkg.2
  kubernetesVersion: v1.20.8+vmware.1
  repository: registry.example/tkg
  images:
  - name: etcd
    tag: v3.4.13_vmware.15
  - name: coredns
    repository: registry.example/dns
    tag: v1.7.0_vmware.12
  nodeImageRef:
    name: photon-3-v1.20.8
`
	applyFiles(t, writeTemp(t, "legacy.yaml", legacy))
	got := &runv1alpha3.TanzuKubernetesRelease{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Name: "v1.20.8---vmware.1-tkg.2"}, got); err != nil {
		t.Fatal(err)
	}
	want := runv1alpha3.TanzuKubernetesReleaseSpec{
		Version: "v1.20.8+vmware.1-tkg.2",
		Kubernetes: runv1alpha3.KubernetesSpec{
			Version:         "v1.20.8+vmware.1",
			ImageRepository: "registry.example/tkg",
			Etcd:            &runv1alpha3.ContainerImageInfo{ImageTag: "v3.4.13_vmware.15"},
			CoreDNS:         &runv1alpha3.ContainerImageInfo{ImageRepository: "registry.example/dns", ImageTag: "v1.7.0_vmware.12"},
		},
		OSImages: []runv1alpha3.OSImageReference{{Name: "photon-3-v1.20.8"}},
	}
	if diff := cmp.Diff(want, got.Spec); diff != "" {
		t.Errorf("v1alpha1 TKR read as v1alpha3 (-want +got):\n%s", diff)
	}
	// And it reads back in v1alpha1 exactly as written.
	u := getAs(t, "run.tanzu.vmware.com/v1alpha1", "TanzuKubernetesRelease", client.ObjectKey{Name: got.Name})
	if v := nested(t, u, "spec", "version"); v != "1.20.8+vmware.1-tkg.2" {
		t.Errorf("v1alpha1 spec.version read back as %v, want it as written", v)
	}
}

// TestClusterAPIv1beta1Objects applies the example ClusterClass and Cluster in v1beta1, as the
// seed writes them, and reads them back in v1beta2, the version Cluster API stores.
func TestClusterAPIv1beta1Objects(t *testing.T) {
	applyFiles(t, filepath.Join(examplesDir, "clusterclass.yaml"), filepath.Join(examplesDir, "cluster.yaml"))
	ctx := context.Background()
	key := client.ObjectKey{Namespace: "default", Name: "workload-1"}

	v2 := &clusterv1.Cluster{}
	if err := env.Client.Get(ctx, key, v2); err != nil {
		t.Fatal(err)
	}
	if v2.Spec.Topology.ClassRef.Name != "tkg-vsphere-default" || v2.Spec.Topology.Version != "v1.24.9+vmware.1" {
		t.Errorf("v1beta2 topology = class %q version %q, want tkg-vsphere-default v1.24.9+vmware.1", v2.Spec.Topology.ClassRef.Name, v2.Spec.Topology.Version)
	}
	if got := v2.Spec.Topology.ControlPlane.Metadata.Annotations[runv1alpha3.AnnotationResolveOSImage]; got != "image-type=ova,os-name=ubuntu" {
		t.Errorf("v1beta2 control-plane resolve-os-image annotation = %q", got)
	}

	v1 := &clusterv1beta1.Cluster{}
	if err := env.Client.Get(ctx, key, v1); err != nil {
		t.Fatal(err)
	}
	if v1.Spec.Topology == nil || v1.Spec.Topology.Class != "tkg-vsphere-default" || len(v1.Spec.Topology.Workers.MachineDeployments) != 1 {
		t.Errorf("v1beta1 read-back lost the topology: %+v", v1.Spec.Topology)
	}

	cc := &clusterv1.ClusterClass{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: "default", Name: "tkg-vsphere-default"}, cc); err != nil {
		t.Fatal(err)
	}
	vars := map[string]bool{}
	for _, v := range cc.Spec.Variables {
		vars[v.Name] = true
	}
	if !vars["TKR_DATA"] || !vars["imageRepository"] {
		t.Errorf("ClusterClass variables %v lack TKR_DATA or imageRepository", vars)
	}
}

// TestClusterWithProviderRefs stores a v1beta1 Cluster the way Cluster API's topology controller
// leaves it, with spec.infrastructureRef and spec.controlPlaneRef, and reads it back in both
// versions: v1beta2 keeps group and kind, and v1beta1 gets its apiVersions back from the
// contract labels of the referenced kinds' CRDs (the local control plane installs stand-ins).
func TestClusterWithProviderRefs(t *testing.T) {
	ctx := context.Background()
	c := &clusterv1beta1.Cluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "with-refs"},
		Spec: clusterv1beta1.ClusterSpec{
			InfrastructureRef: &corev1.ObjectReference{APIVersion: "infrastructure.cluster.x-k8s.io/v1beta1", Kind: "VSphereCluster", Namespace: "default", Name: "with-refs-abcde"},
			ControlPlaneRef:   &corev1.ObjectReference{APIVersion: "controlplane.cluster.x-k8s.io/v1beta1", Kind: "KubeadmControlPlane", Namespace: "default", Name: "with-refs-fghij"},
		},
	}
	if err := env.Client.Create(ctx, c); err != nil {
		t.Fatalf("creating a v1beta1 Cluster with infrastructureRef and controlPlaneRef: %v", err)
	}
	key := client.ObjectKeyFromObject(c)
	v2 := &clusterv1.Cluster{}
	if err := env.Client.Get(ctx, key, v2); err != nil {
		t.Fatal(err)
	}
	if r := v2.Spec.InfrastructureRef; r.APIGroup != "infrastructure.cluster.x-k8s.io" || r.Kind != "VSphereCluster" || r.Name != "with-refs-abcde" {
		t.Errorf("v1beta2 infrastructureRef = %+v", r)
	}
	v1 := &clusterv1beta1.Cluster{}
	if err := env.Client.Get(ctx, key, v1); err != nil {
		t.Fatalf("reading the Cluster back as v1beta1: %v", err)
	}
	if *v1.Spec.InfrastructureRef != *c.Spec.InfrastructureRef || *v1.Spec.ControlPlaneRef != *c.Spec.ControlPlaneRef {
		t.Errorf("v1beta1 read-back refs = %+v, %+v; want them as written", v1.Spec.InfrastructureRef, v1.Spec.ControlPlaneRef)
	}
	// A list in v1beta1 converts every item, so one Cluster that cannot convert breaks them all.
	list := &clusterv1beta1.ClusterList{}
	if err := env.Client.List(ctx, list, client.InNamespace("default")); err != nil {
		t.Fatalf("listing Clusters as v1beta1: %v", err)
	}
}
