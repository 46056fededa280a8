// Package clusterupdates keeps the UpdatesAvailable condition on Cluster API Clusters: which
// TanzuKubernetesReleases each Cluster can be updated to (package updates decides), for
// ClusterClass clusters (label run.tanzu.vmware.com/tkr) and legacy clusters (label
// tanzuKubernetesRelease) alike.
//
// The condition is
//
//   - True with the message [v1.24.9+vmware.1-tkg.1 v1.24.10+vmware.1-tkg.1] (the versions,
//     oldest first, in the original's format, which the Tanzu CLI parses);
//   - False with reason AlreadyUpToDate and severity Info when there is none;
//   - Unknown with reason CannotParseTKR when the Cluster's TKR name is not a version, and with
//     reason CannotComputeUpdates when its ClusterClass or selectors are unusable.
//
// Clusters without a TKR label get no condition (one left from an earlier label is removed).
// The condition is written for readers of Cluster API v1beta1 and v1beta2 alike (see set),
// with a merge patch that carries the resource version, so that a concurrent change to another
// condition is never overwritten: the patch fails and is retried on fresh data.
//
// The controller re-evaluates a Cluster when its spec, labels or annotations change, when its
// ClusterClass changes, and every Cluster when any TKR or OSImage changes in a way resolution
// sees.
package clusterupdates

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/tkrdata"
	"github.com/tkr-project/tkr/pkg/updates"
)

// +kubebuilder:rbac:groups=cluster.x-k8s.io,resources=clusters,verbs=get;list;watch
// +kubebuilder:rbac:groups=cluster.x-k8s.io,resources=clusters/status,verbs=get;patch
// +kubebuilder:rbac:groups=cluster.x-k8s.io,resources=clusterclasses,verbs=get;list;watch
// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=tanzukubernetesreleases;osimages,verbs=get;list;watch

// Name is the controller's name, in logs and metrics.
const Name = "cluster-updates"

// reconciler sets the UpdatesAvailable condition of one Cluster.
type reconciler struct {
	// client reads Clusters and ClusterClasses (from the cache) and patches Cluster status.
	client  client.Client
	catalog *catalog
}

// Setup registers the controller with mgr. It keeps its own catalogue of TKRs and OSImages,
// filled from the manager's informers before the first Cluster is reconciled. It writes, so it
// runs on the elected leader only.
func Setup(mgr ctrl.Manager) error {
	r := &reconciler{client: mgr.GetClient(), catalog: newCatalog()}
	catalogEvents := &catalogHandler{catalog: r.catalog, clusters: mgr.GetClient()}
	return ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		// Status writes (Cluster API's and this controller's own) change neither generation,
		// labels nor annotations, so they do not trigger a reconcile.
		For(&clusterv1.Cluster{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.LabelChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		Watches(&clusterv1.ClusterClass{}, handler.EnqueueRequestsFromMapFunc(r.clustersOfClass),
			builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		Watches(&runv1alpha3.TanzuKubernetesRelease{}, catalogEvents).
		Watches(&runv1alpha3.OSImage{}, catalogEvents).
		Complete(r)
}

// Reconcile computes the Cluster's updates and patches its UpdatesAvailable condition if it
// changed.
func (r *reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	cluster := &clusterv1.Cluster{}
	if err := r.client.Get(ctx, req.NamespacedName, cluster); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !cluster.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	want, err := r.desired(ctx, cluster)
	if err != nil {
		return ctrl.Result{}, err
	}

	orig := cluster.DeepCopy()
	if !set(cluster, want, metav1.Now()) {
		return ctrl.Result{}, nil
	}
	// The conditions are lists, which a merge patch replaces whole: the resource version in
	// the patch makes the API server refuse it if anyone changed the Cluster since it was read,
	// so other controllers' conditions are never reverted. The conflict is retried with
	// backoff, on the cache's fresher copy.
	patch := client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})
	if err := r.client.Status().Patch(ctx, cluster, patch); err != nil {
		if apierrors.IsNotFound(err) {
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, fmt.Errorf("setting the %s condition: %w", runv1alpha3.ConditionUpdatesAvailable, err)
	}
	if want != nil {
		log.FromContext(ctx).V(1).Info("UpdatesAvailable set", "status", want.status, "reason", want.reason, "message", want.message)
	} else {
		log.FromContext(ctx).V(1).Info("UpdatesAvailable removed: the Cluster has no TKR label")
	}
	return ctrl.Result{}, nil
}

// desired returns the condition cluster should carry, nil for none. Errors are those worth
// retrying (reading the ClusterClass); everything else is a condition.
func (r *reconciler) desired(ctx context.Context, cluster *clusterv1.Cluster) (*condition, error) {
	view, err := tkrdata.ForCluster(cluster)
	if err != nil {
		return nil, err // cannot happen: the view supports v1beta2 Clusters
	}
	// The TKR label is checked first: without a usable one, nothing else matters.
	var parseErr *updates.ParseError
	switch _, _, err := updates.ClusterTKR(view); {
	case errors.Is(err, updates.ErrNoTKR):
		return nil, nil
	case errors.As(err, &parseErr):
		// The original's message; the parser's error completes the sentence.
		return unknown(runv1alpha3.ReasonCannotParseTKR, fmt.Sprintf("Cannot parse TKR version from TKR name '%s': %v", parseErr.Name, parseErr.Err)), nil
	case err != nil:
		return nil, err
	}

	var cc tkrdata.ClusterClass
	if view.HasTopology() {
		class := &clusterv1.ClusterClass{}
		key := client.ObjectKey{Namespace: view.ClassNamespace(), Name: view.ClassName()}
		switch err := r.client.Get(ctx, key, class); {
		case apierrors.IsNotFound(err):
			// The ClusterClass watch brings the Cluster back once the class exists.
			return unknown(ReasonCannotComputeUpdates, fmt.Sprintf("Cannot compute the available updates: the ClusterClass %s does not exist", key)), nil
		case err != nil:
			return nil, fmt.Errorf("reading ClusterClass %s: %w", key, err)
		}
		if cc, err = tkrdata.ForClusterClass(class); err != nil {
			return nil, err
		}
	}

	res, err := updates.ForCluster(view, cc, r.catalog.snapshot())
	switch {
	case err != nil:
		return unknown(ReasonCannotComputeUpdates, "Cannot compute the available updates: "+err.Error()), nil
	case len(res.Updates) == 0:
		return &condition{
			status: corev1.ConditionFalse, reason: runv1alpha3.ReasonAlreadyUpToDate, v1beta1Reason: runv1alpha3.ReasonAlreadyUpToDate,
			severity: clusterv1.ConditionSeverityInfo,
			message:  fmt.Sprintf("No TKR newer than %s that the Cluster can use is available.", res.Version),
		}, nil
	}
	return &condition{status: corev1.ConditionTrue, reason: ReasonUpdatesAvailable, message: res.Message()}, nil
}

func unknown(reason, message string) *condition {
	return &condition{status: corev1.ConditionUnknown, reason: reason, v1beta1Reason: reason, message: sentence(message)}
}

// clustersOfClass returns a request for each Cluster of ClusterClass obj.
func (r *reconciler) clustersOfClass(ctx context.Context, obj client.Object) []reconcile.Request {
	list := &clusterv1.ClusterList{}
	if err := r.client.List(ctx, list, client.UnsafeDisableDeepCopy); err != nil {
		log.FromContext(ctx).Error(err, "cannot list Clusters of a changed ClusterClass", "clusterClass", client.ObjectKeyFromObject(obj))
		return nil
	}
	var reqs []reconcile.Request
	for i := range list.Items {
		c, err := tkrdata.ForCluster(&list.Items[i])
		if err == nil && c.HasTopology() && c.ClassName() == obj.GetName() && c.ClassNamespace() == obj.GetNamespace() {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
		}
	}
	return reqs
}

// sentence returns s ending with a full stop.
func sentence(s string) string {
	if strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}
