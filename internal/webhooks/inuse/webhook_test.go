package inuse_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// deleteErr deletes obj and returns the API server's error message, "" if it was deleted.
func deleteErr(t *testing.T, obj client.Object, opts ...client.DeleteOption) string {
	t.Helper()
	err := env.Client.Delete(context.Background(), obj, opts...)
	if err == nil {
		return ""
	}
	if !apierrors.IsForbidden(err) {
		t.Fatalf("deleting %s: want a denial or success, got %v", obj.GetName(), err)
	}
	return err.Error()
}

// checkDenied deletes obj and checks that the API server refuses with exactly want (after the
// webhook prefix), and that obj is still there.
func checkDenied(t *testing.T, obj client.Object, want string) {
	t.Helper()
	if diff := cmp.Diff(denialPrefix+want, deleteErr(t, obj)); diff != "" {
		t.Errorf("deleting %s (-want +got):\n%s", obj.GetName(), diff)
	}
	if err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
		t.Errorf("%s is gone after a refused delete: %v", obj.GetName(), err)
	}
}

func checkDeleted(t *testing.T, obj client.Object) {
	t.Helper()
	if got := deleteErr(t, obj); got != "" {
		t.Errorf("deleting %s was refused: %s", obj.GetName(), got)
	}
}

// A release no Cluster uses is deleted; one that Clusters use (by the current label or the
// legacy one) is not, and the denial names them. Deactivating it stays possible, and once the
// Clusters moved on or were deleted it can be deleted.
func TestDeleteTKR(t *testing.T) {
	old := createRelease(t, "v1.30.1+inuse.1-tkg.1", "ubuntu")
	next := createRelease(t, "v1.30.2+inuse.1-tkg.1", "ubuntu")
	unused := createRelease(t, "v1.30.3+inuse.1-tkg.1", "ubuntu")

	t.Run("unused release is deleted", func(t *testing.T) {
		checkDeleted(t, unused.tkr)
	})

	workload := clusterOn(t, "workload-1", old, 0, nil)
	applyCluster(t, workload)
	// A Cluster from before ClusterClasses: no topology, only the legacy label.
	legacy := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "legacy-1",
		Labels: map[string]string{runv1alpha3.LabelLegacyClusterTKR: old.tkr.Name}},
		Spec: clusterv1.ClusterSpec{ClusterNetwork: clusterv1.ClusterNetwork{Pods: clusterv1.NetworkRanges{CIDRBlocks: []string{"100.96.0.0/11"}}}}}
	applyCluster(t, legacy)

	t.Run("used release is refused, naming the Clusters", func(t *testing.T) {
		checkDenied(t, old.tkr, "TanzuKubernetesRelease v1.30.1---inuse.1-tkg.1 is used by 2 Clusters (default/legacy-1, default/workload-1); "+
			"delete or upgrade them first, or deactivate the release instead (label it deactivated, e.g. with tkr deactivate v1.30.1---inuse.1-tkg.1) to stop new clusters from using it.")
	})

	t.Run("a dry run is refused alike", func(t *testing.T) {
		if got := deleteErr(t, old.tkr, client.DryRunAll); got == "" {
			t.Error("a dry-run delete of a used release was allowed")
		}
	})

	t.Run("deleting through an older API version is refused", func(t *testing.T) {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion("run.tanzu.vmware.com/v1alpha1")
		u.SetKind("TanzuKubernetesRelease")
		u.SetName(old.tkr.Name)
		if got := deleteErr(t, u); got == "" {
			t.Error("deleting a used release as v1alpha1 was allowed")
		}
	})

	t.Run("deleting a collection stops at the used release", func(t *testing.T) {
		err := env.Client.DeleteAllOf(context.Background(), &runv1alpha3.TanzuKubernetesRelease{},
			client.MatchingLabels{"inuse-test": "collection"})
		if err != nil {
			t.Fatalf("deleting no releases at all failed: %v", err)
		}
		patchLabels(t, old.tkr, map[string]any{"inuse-test": "collection"})
		err = env.Client.DeleteAllOf(context.Background(), &runv1alpha3.TanzuKubernetesRelease{},
			client.MatchingLabels{"inuse-test": "collection"})
		if !apierrors.IsForbidden(err) {
			t.Errorf("deleting a collection holding a used release: want a denial, got %v", err)
		}
	})

	t.Run("deactivating a used release is allowed", func(t *testing.T) {
		patchLabels(t, old.tkr, map[string]any{runv1alpha3.LabelDeactivated: ""})
		if _, ok := old.tkr.Labels[runv1alpha3.LabelDeactivated]; !ok {
			t.Errorf("the release is not labelled deactivated: %v", old.tkr.Labels)
		}
	})

	t.Run("one Cluster left", func(t *testing.T) {
		removeCluster(t, legacy)
		checkDenied(t, old.tkr, "TanzuKubernetesRelease v1.30.1---inuse.1-tkg.1 is used by 1 Cluster (default/workload-1); "+
			"delete or upgrade them first, or deactivate the release instead (label it deactivated, e.g. with tkr deactivate v1.30.1---inuse.1-tkg.1) to stop new clusters from using it.")
	})

	t.Run("deleted once the Cluster is upgraded", func(t *testing.T) {
		resolveTo(t, workload, next, 0, nil)
		applyCluster(t, workload)
		checkDeleted(t, old.tkr)
	})

	t.Run("deleted once the Cluster is deleted", func(t *testing.T) {
		checkDenied(t, next.tkr, "TanzuKubernetesRelease v1.30.2---inuse.1-tkg.1 is used by 1 Cluster (default/workload-1); "+
			"delete or upgrade them first, or deactivate the release instead (label it deactivated, e.g. with tkr deactivate v1.30.2---inuse.1-tkg.1) to stop new clusters from using it.")
		removeCluster(t, workload)
		checkDeleted(t, next.tkr)
	})
}

// An OSImage is in use when the TKR_DATA entry of the Cluster's version names it, at cluster
// level or in a machine deployment's override only; entries of earlier versions, which
// TKR_DATA keeps after an upgrade, do not count.
func TestDeleteOSImage(t *testing.T) {
	old := createRelease(t, "v1.31.1+inuse.1-tkg.1", "ubuntu", "photon", "windows")
	next := createRelease(t, "v1.31.2+inuse.1-tkg.1", "ubuntu", "photon")
	ubuntu, photon, windows := old.images[0], old.images[1], old.images[2]

	c := clusterOn(t, "mixed-os", old, 0, map[string]int{"md-photon": 1})
	applyCluster(t, c)

	t.Run("image of a machine deployment override is refused", func(t *testing.T) {
		checkDenied(t, photon, "OSImage v1.31.1---inuse.1-tkg.1-photon is used by 1 Cluster (default/mixed-os [machine deployment md-photon]); "+
			"delete or upgrade them first, or deactivate the image instead (label it deactivated, e.g. with kubectl label osimage v1.31.1---inuse.1-tkg.1-photon deactivated=) to stop new clusters from using it.")
	})

	t.Run("image of the cluster-level TKR_DATA is refused", func(t *testing.T) {
		checkDenied(t, ubuntu, "OSImage v1.31.1---inuse.1-tkg.1-ubuntu is used by 1 Cluster (default/mixed-os); "+
			"delete or upgrade them first, or deactivate the image instead (label it deactivated, e.g. with kubectl label osimage v1.31.1---inuse.1-tkg.1-ubuntu deactivated=) to stop new clusters from using it.")
	})

	t.Run("unused image of a used release is deleted", func(t *testing.T) {
		checkDeleted(t, windows)
	})

	t.Run("images of the version before an upgrade are deleted", func(t *testing.T) {
		resolveTo(t, c, next, 0, map[string]int{"md-photon": 1})
		applyCluster(t, c)
		data := tkrDataOf(t, c)
		if data[old.tkr.Spec.Kubernetes.Version] == nil {
			t.Fatalf("the upgrade dropped the old TKR_DATA entry, so this test tests nothing: %v", data)
		}
		checkDeleted(t, photon)
		checkDeleted(t, ubuntu)
	})

	t.Run("images are deleted once the Cluster is deleted", func(t *testing.T) {
		if got := deleteErr(t, next.images[1], client.DryRunAll); got == "" {
			t.Fatal("a dry-run delete of the image the Cluster now uses was allowed")
		}
		removeCluster(t, c)
		checkDeleted(t, next.images[1])
		checkDeleted(t, next.images[0])
	})
}

// A release used by many Clusters names ten and counts the others.
func TestDenialListsAtMostTenClusters(t *testing.T) {
	r := createRelease(t, "v1.32.1+inuse.1-tkg.1", "ubuntu")
	for i := range 12 {
		c := clusterOn(t, fmt.Sprintf("many-%02d", i), r, 0, nil)
		applyCluster(t, c)
		t.Cleanup(func() { removeCluster(t, c) })
	}
	checkDenied(t, r.tkr, "TanzuKubernetesRelease v1.32.1---inuse.1-tkg.1 is used by 12 Clusters ("+
		"default/many-00, default/many-01, default/many-02, default/many-03, default/many-04, default/many-05, default/many-06, default/many-07, default/many-08, default/many-09, and 2 more); "+
		"delete or upgrade them first, or deactivate the release instead (label it deactivated, e.g. with tkr deactivate v1.32.1---inuse.1-tkg.1) to stop new clusters from using it.")
}

// patchLabels merge-patches obj's labels, as kubectl label and tkr deactivate do.
func patchLabels(t *testing.T, obj client.Object, labels map[string]any) {
	t.Helper()
	patch := fmt.Appendf(nil, `{"metadata":{"labels":%s}}`, mustJSON(t, labels))
	if err := env.Client.Patch(context.Background(), obj, client.RawPatch(types.MergePatchType, patch)); err != nil {
		t.Fatalf("labelling %s: %v", obj.GetName(), err)
	}
}
