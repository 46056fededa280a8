package status

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/compatibilityinputs"
)

// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=tanzukubernetesreleases/status;osimages/status,verbs=get;patch
// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=clusterbootstraptemplates,verbs=get;list;watch
// +kubebuilder:rbac:groups=cluster.x-k8s.io,resources=clusters,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch

// ConditionOptions configure the conditions controllers.
type ConditionOptions struct {
	// Namespace is the TKR namespace: where the bom-metadata ConfigMap, the
	// additional-compatible-tkrs ConfigMaps and the ClusterBootstrapTemplates live. Only this
	// namespace's ConfigMaps are cached. Empty means tkg-system.
	Namespace string
	// TKGVersion, when set, is the management cluster's TKG version (e.g. v2.3.0) and overrides
	// the TKGVERSION annotation of the management Cluster; Clusters are then not read at all.
	TKGVersion string
}

// DefaultNamespace is the TKR namespace of the original deployments.
const DefaultNamespace = "tkg-system"

// osImageIndex indexes TKRs by the OSImage names in their spec.osImages, so an OSImage change
// finds the releases it affects without listing all of them. The name is specific to this
// controller so that another index on the same field cannot conflict with it.
const osImageIndex = "status-conditions.spec.osImages.name"

// SetupConditions registers with mgr the controllers that keep the Compatible, Valid and Ready
// conditions, and the incompatible and invalid labels, on every TKR and OSImage.
//
// The labels are written with merge patches of just those two keys, so this controller and the
// labeler (SetupLabelers) each own their keys and never undo each other's writes; the
// deactivated label is never written. Conditions go to the status subresource, only when they
// changed.
func SetupConditions(mgr ctrl.Manager, opts ConditionOptions) error {
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	// ConfigMaps and ClusterBootstrapTemplates are read from a cache of the TKR namespace only.
	nsCache, err := compatibilityinputs.NamespaceCache(mgr, opts.Namespace)
	if err != nil {
		return err
	}
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &runv1alpha3.TanzuKubernetesRelease{}, osImageIndex, osImageNames); err != nil {
		return fmt.Errorf("indexing TKRs by OSImage: %w", err)
	}
	tkrs := &tkrConditions{client: mgr.GetClient(), namespaced: nsCache, opts: opts}
	if err := tkrs.setup(mgr, nsCache); err != nil {
		return err
	}
	images := &osImageConditions{client: mgr.GetClient()}
	return ctrl.NewControllerManagedBy(mgr).Named("osimage-conditions").
		For(&runv1alpha3.OSImage{}).
		Watches(&runv1alpha3.TanzuKubernetesRelease{}, shippedOSImages).
		Complete(images)
}

func (r *tkrConditions) setup(mgr ctrl.Manager, nsCache cache.Cache) error {
	b := ctrl.NewControllerManagedBy(mgr).Named("tkr-conditions").
		For(&runv1alpha3.TanzuKubernetesRelease{}).
		// Only spec changes of an OSImage (its Kubernetes version), its creation and deletion
		// affect Valid; its status and labels, which the OSImage controller writes, do not.
		Watches(&runv1alpha3.OSImage{}, handler.EnqueueRequestsFromMapFunc(r.shippingTKRs),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WatchesRawSource(source.Kind(nsCache, &corev1.ConfigMap{},
			handler.TypedEnqueueRequestsFromMapFunc(allTKRs[*corev1.ConfigMap](mgr.GetClient())),
			compatibilityinputs.ConfigMapChanged)).
		WatchesRawSource(source.Kind(nsCache, &runv1alpha3.ClusterBootstrapTemplate{},
			handler.TypedEnqueueRequestsFromMapFunc(sameNameTKR)))
	// With a configured TKG version, Clusters do not matter, so none are watched or cached.
	if r.opts.TKGVersion == "" {
		b = b.Watches(&clusterv1.Cluster{}, handler.EnqueueRequestsFromMapFunc(allTKRs[client.Object](mgr.GetClient())),
			builder.WithPredicates(compatibilityinputs.ManagementClusterVersionChanged))
	}
	return b.Complete(r)
}
