// Package clusterbootstrap is the ClusterBootstrap controller: for every Cluster resolved to a
// TKR (label run.tanzu.vmware.com/tkr) it keeps a ClusterBootstrap named after the Cluster,
// cloned from that TKR's ClusterBootstrapTemplate, with <cluster>-<package>-package copies of the
// add-on configs and Secrets the template refers to, and moves it when the Cluster's TKR changes.
//
// The rules (names, what is cloned, how an upgrade moves packages) live in pkg/bootstrap; this
// package reads the objects those rules need, writes what they decide, and reports on the
// ClusterBootstrap (condition Cloned) and the Cluster (Events). Delivery of the packages to the
// workload cluster is not done here.
package clusterbootstrap

import (
	"context"

	"k8s.io/apimachinery/pkg/types"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/bootstrap"
)

// +kubebuilder:rbac:groups=cluster.x-k8s.io,resources=clusters,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=clusterbootstraps,verbs=get;list;watch;create;patch
// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=clusterbootstraps/status,verbs=get;patch
// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=clusterbootstraptemplates;tanzukubernetesreleases,verbs=get;list;watch
// +kubebuilder:rbac:groups=data.packaging.carvel.dev,resources=packages,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;create;update
// +kubebuilder:rbac:groups=cni.tanzu.vmware.com;cpi.tanzu.vmware.com;csi.tanzu.vmware.com,resources=*,verbs=get;create;update
// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=kappcontrollerconfigs,verbs=get;create;update
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Name is the controller's name, in logs, metrics and Events.
const Name = "clusterbootstrap"

// Options configure the controller.
type Options struct {
	// SystemNamespace holds the ClusterBootstrapTemplates, the template add-on configs and the
	// Carvel Packages (tkg-system).
	SystemNamespace string
	// MaxConcurrentReconciles bounds how many Clusters are handled at once (default 4). Each
	// Cluster's objects are its own, so Clusters never contend; the original ran one at a time.
	MaxConcurrentReconciles int
}

// Setup registers the controller with mgr. It writes, so it runs on the elected leader only.
func Setup(mgr ctrl.Manager, o Options) error {
	if o.MaxConcurrentReconciles == 0 {
		o.MaxConcurrentReconciles = 4
	}
	r := &reconciler{
		client:    mgr.GetClient(),
		apiReader: mgr.GetAPIReader(),
		mapper:    mgr.GetRESTMapper(),
		scheme:    mgr.GetScheme(),
		events:    mgr.GetEventRecorder("tkr-" + Name),
		systemNS:  o.SystemNamespace,
	}
	byTKR := handler.EnqueueRequestsFromMapFunc(r.clustersOnTKR)
	return ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		WithOptions(controller.Options{MaxConcurrentReconciles: o.MaxConcurrentReconciles}).
		// Cluster API's own status writes do not matter here, except the spec (topology
		// variables), labels (the TKR) and annotations (pause, opt-out).
		For(&clusterv1.Cluster{}, builder.WithPredicates(hasTKRLabel, predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.LabelChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		// Quirk fixed: the original mapped TKR events by the legacy label tanzuKubernetesRelease,
		// which ClusterClass Clusters do not carry. A TKR or template that arrives after its
		// Clusters (or changes) brings them up to date through run.tanzu.vmware.com/tkr.
		Watches(&runv1alpha3.TanzuKubernetesRelease{}, byTKR, builder.WithPredicates(noDeletes)).
		Watches(&runv1alpha3.ClusterBootstrapTemplate{}, byTKR, builder.WithPredicates(noDeletes)).
		Watches(&runv1alpha3.ClusterBootstrap{}, handler.EnqueueRequestsFromMapFunc(clusterOfBootstrap), builder.WithPredicates(noDeletes)).
		Complete(r)
}

// hasTKRLabel passes Clusters resolved to a TKR; Reconcile checks the label again.
var hasTKRLabel = predicate.NewPredicateFuncs(func(o client.Object) bool {
	return o.GetLabels()[runv1alpha3.LabelTKR] != ""
})

// noDeletes drops delete events: a deleted template, TKR or ClusterBootstrap leaves nothing to do
// for the Clusters that used it (a deleted ClusterBootstrap is recreated on the Cluster's next
// change, as in the original).
var noDeletes = predicate.Funcs{DeleteFunc: func(event.DeleteEvent) bool { return false }}

// clustersOnTKR maps a TKR, or the ClusterBootstrapTemplate of the same name, to the Clusters
// labelled with it.
func (r *reconciler) clustersOnTKR(ctx context.Context, o client.Object) []reconcile.Request {
	if _, ok := o.(*runv1alpha3.ClusterBootstrapTemplate); ok && o.GetNamespace() != r.systemNS {
		return nil
	}
	clusters := &clusterv1.ClusterList{}
	if err := r.client.List(ctx, clusters, client.MatchingLabels{runv1alpha3.LabelTKR: o.GetName()}); err != nil {
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(clusters.Items))
	for _, c := range clusters.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: c.Namespace, Name: c.Name}})
	}
	return reqs
}

// clusterOfBootstrap maps a ClusterBootstrap to the Cluster that owns it (any Cluster API version;
// the original recognised only v1beta1), or else to the Cluster of the same name.
func clusterOfBootstrap(_ context.Context, o client.Object) []reconcile.Request {
	name, ok := bootstrap.ClusterOwner(o)
	if !ok {
		name = o.GetName()
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: name}}}
}
