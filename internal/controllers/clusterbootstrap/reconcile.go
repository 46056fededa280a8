package clusterbootstrap

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/carvel"
	"github.com/tkr-project/tkr/pkg/bootstrap"
)

// reconciler keeps one Cluster's ClusterBootstrap.
type reconciler struct {
	// client reads Clusters, TKRs, templates, ClusterBootstraps and Packages from the cache, and
	// providers (unstructured) from the API server; it writes everything.
	client client.Client
	// apiReader reads Secrets from the API server, so the process does not cache every Secret of
	// the management cluster.
	apiReader client.Reader
	// mapper finds the resource of a providerRef's group and kind.
	mapper   meta.RESTMapper
	scheme   *runtime.Scheme
	events   events.EventRecorder
	systemNS string
}

// Reconcile applies the gates of the original (a TKR label, a TKR that exists or is carried in
// the tkr-spec annotation, not a legacy TKR, not being deleted), then brings the ClusterBootstrap
// up to date.
func (r *reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	cluster := &clusterv1.Cluster{}
	if err := r.client.Get(ctx, req.NamespacedName, cluster); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	tkrName := cluster.Labels[runv1alpha3.LabelTKR]
	if tkrName == "" {
		return ctrl.Result{}, nil
	}
	tkr, err := r.tkrOf(ctx, cluster, tkrName)
	if err != nil || tkr == nil {
		return ctrl.Result{}, err
	}
	if _, legacy := tkr.Labels[runv1alpha3.LabelLegacyTKR]; legacy {
		return ctrl.Result{}, nil // legacy clusters get their add-ons another way
	}
	if !cluster.DeletionTimestamp.IsZero() {
		// Everything cloned is owned by the Cluster (and its ClusterBootstrap) and goes with it.
		return ctrl.Result{}, nil
	}
	err = r.reconcileNormal(ctx, cluster, tkr)
	var missing *missingError
	if errors.As(err, &missing) {
		// Waiting for an object someone has to create is not a failure to back off from
		// exponentially; nothing watches Secrets and providers, so look again after the
		// original's requeue delay.
		return ctrl.Result{RequeueAfter: requeueDelay}, nil
	}
	return ctrl.Result{}, err
}

// requeueDelay is how soon a Cluster waiting for a missing object is looked at again.
const requeueDelay = 10 * time.Second

// tkrOf returns the Cluster's TKR, from the API or else from the tkr-spec annotation; nil, nil
// when there is neither (a TKR arriving later triggers a reconcile).
func (r *reconciler) tkrOf(ctx context.Context, cluster *clusterv1.Cluster, name string) (*runv1alpha3.TanzuKubernetesRelease, error) {
	tkr := &runv1alpha3.TanzuKubernetesRelease{}
	err := r.client.Get(ctx, client.ObjectKey{Name: name}, tkr)
	if err == nil {
		return tkr, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, err
	}
	spec, ok := cluster.Annotations[runv1alpha3.AnnotationTKRSpec]
	if !ok {
		log.FromContext(ctx).V(1).Info("waiting for the Cluster's TKR", "tkr", name)
		return nil, nil
	}
	tkr, err = bootstrap.DecodeTKRSpec(spec)
	if err != nil {
		r.warn(cluster, "InvalidTKRSpec", "TKR %s does not exist and the Cluster's %s annotation cannot be read: %v. Fix or remove the annotation, or create the TKR.", name, runv1alpha3.AnnotationTKRSpec, err)
		return nil, nil
	}
	if tkr.Name == "" {
		tkr.Name = name
	}
	return tkr, nil
}

// reconcileNormal keeps the ClusterBootstrap, the objects it refers to, the Cluster's proxy and
// trust annotations, and releases the Cluster's pause once its ClusterBootstrap has moved.
func (r *reconciler) reconcileNormal(ctx context.Context, cluster *clusterv1.Cluster, tkr *runv1alpha3.TanzuKubernetesRelease) error {
	cb, err := r.ensureClusterBootstrap(ctx, cluster, tkr)
	if err == nil && cb != nil {
		if err = r.ensureInlineSecrets(ctx, cluster, cb); err == nil {
			err = r.adopt(ctx, cluster, cb)
		}
	}
	if err != nil {
		return r.report(ctx, cluster, cb, err)
	}
	if cb == nil {
		return nil // paused, or opted out and not yet created by its owner
	}
	if err := r.setCloned(ctx, cb, corev1.ConditionTrue, "", ""); err != nil {
		return err
	}
	if err := r.annotateCluster(ctx, cluster); err != nil {
		return err
	}
	return r.unpause(ctx, cluster, cb)
}

// report tells the user why the ClusterBootstrap is not complete, in an Event on the Cluster and,
// once the ClusterBootstrap exists, its Cloned condition, and returns err. A missing object (a
// template, a user's config) names what to create, and Reconcile looks again soon.
func (r *reconciler) report(ctx context.Context, cluster *clusterv1.Cluster, cb *runv1alpha3.ClusterBootstrap, err error) error {
	eventReason, condReason := "ClusterBootstrapFailed", "CloneFailed"
	var missing *missingError
	if errors.As(err, &missing) {
		eventReason, condReason = missing.reason, missing.reason
	}
	r.warn(cluster, eventReason, "%v", err)
	if cb != nil {
		if serr := r.setCloned(ctx, cb, corev1.ConditionFalse, condReason, err.Error()); serr != nil {
			log.FromContext(ctx).Error(serr, "cannot record the failure on the ClusterBootstrap")
		}
	}
	return err
}

// ensureClusterBootstrap returns the Cluster's ClusterBootstrap after creating, resolving or
// upgrading it as its state asks (spec §1.5). It returns nil, nil when there is nothing to do
// yet: the ClusterBootstrap is paused, or the Cluster opted out of cloning and its
// ClusterBootstrap does not exist yet. On error the ClusterBootstrap is returned when it exists,
// so the error can be reported on it.
func (r *reconciler) ensureClusterBootstrap(ctx context.Context, cluster *clusterv1.Cluster, tkr *runv1alpha3.TanzuKubernetesRelease) (*runv1alpha3.ClusterBootstrap, error) {
	cb := &runv1alpha3.ClusterBootstrap{}
	err := r.client.Get(ctx, client.ObjectKeyFromObject(cluster), cb)
	switch {
	case apierrors.IsNotFound(err):
		if _, custom := cluster.Annotations[runv1alpha3.AnnotationCustomClusterBootstrap]; custom {
			log.FromContext(ctx).V(1).Info("waiting for the ClusterBootstrap its owner creates", "annotation", runv1alpha3.AnnotationCustomClusterBootstrap)
			return nil, nil
		}
		return r.create(ctx, cluster, tkr)
	case err != nil:
		return nil, err
	case cb.Spec != nil && cb.Spec.Paused:
		log.FromContext(ctx).V(1).Info("ClusterBootstrap is paused")
		return nil, nil
	case cb.Status.ResolvedTKR == tkr.Name:
		return cb, nil
	case cb.Status.ResolvedTKR == "":
		return cb, r.resolveExisting(ctx, cluster, cb)
	default:
		return cb, r.upgrade(ctx, cluster, cb, tkr)
	}
}

// create clones the TKR's template into a new ClusterBootstrap.
func (r *reconciler) create(ctx context.Context, cluster *clusterv1.Cluster, tkr *runv1alpha3.TanzuKubernetesRelease) (*runv1alpha3.ClusterBootstrap, error) {
	cbt, err := r.template(ctx, tkr.Name)
	if err != nil {
		return nil, err
	}
	plan := bootstrap.FromTemplate(cbt)
	if err := r.cloneAll(ctx, cluster, plan, tkr.Name); err != nil {
		return nil, err
	}
	cb := &runv1alpha3.ClusterBootstrap{
		ObjectMeta: metav1.ObjectMeta{Namespace: cluster.Namespace, Name: cluster.Name},
		Spec:       plan.Spec,
	}
	if err := controllerutil.SetControllerReference(cluster, cb, r.scheme); err != nil {
		return nil, err
	}
	if err := r.client.Create(ctx, cb); err != nil {
		// AlreadyExists means someone created it since the cache was read: the next reconcile
		// (triggered by that create) takes it from there.
		return nil, fmt.Errorf("creating ClusterBootstrap %s/%s from ClusterBootstrapTemplate %s/%s: %w", cb.Namespace, cb.Name, cbt.Namespace, cbt.Name, err)
	}
	if err := r.setResolvedTKR(ctx, cb, plan.ResolvedTKR); err != nil {
		return cb, err
	}
	r.normal(cluster, "ClusterBootstrapCreated", "ClusterBootstrap %s/%s created from ClusterBootstrapTemplate %s/%s.", cb.Namespace, cb.Name, cbt.Namespace, cbt.Name)
	return cb, nil
}

// resolveExisting takes over a ClusterBootstrap created by someone else (spec §1.5 "handle
// existing"): filled from the template its add-missing-fields-from-tkr annotation names, if any,
// owned by the Cluster, and marked resolved.
func (r *reconciler) resolveExisting(ctx context.Context, cluster *clusterv1.Cluster, cb *runv1alpha3.ClusterBootstrap) error {
	var cbt *runv1alpha3.ClusterBootstrapTemplate
	if name, ok := cb.Annotations[runv1alpha3.AnnotationAddMissingFieldsFromTKR]; ok {
		var err error
		if cbt, err = r.template(ctx, name); err != nil {
			return err
		}
	}
	plan, err := bootstrap.ForExisting(cb, cluster.Labels[runv1alpha3.LabelTKR], cbt)
	if err != nil {
		return err
	}
	if err := r.cloneAll(ctx, cluster, plan, plan.ResolvedTKR); err != nil {
		return err
	}
	orig := cb.DeepCopy()
	cb.Spec = plan.Spec
	cb.OwnerReferences = nil // whatever the creator set: the Cluster alone owns it now
	if err := controllerutil.SetControllerReference(cluster, cb, r.scheme); err != nil {
		return err
	}
	if err := r.client.Patch(ctx, cb, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})); err != nil {
		return fmt.Errorf("adopting ClusterBootstrap %s/%s: %w", cb.Namespace, cb.Name, err)
	}
	if err := r.setResolvedTKR(ctx, cb, plan.ResolvedTKR); err != nil {
		return err
	}
	r.normal(cluster, "ClusterBootstrapAdopted", "ClusterBootstrap %s/%s adopted for TKR %s.", cb.Namespace, cb.Name, plan.ResolvedTKR)
	return nil
}

// upgrade moves the ClusterBootstrap to the Cluster's new TKR (spec §1.10).
func (r *reconciler) upgrade(ctx context.Context, cluster *clusterv1.Cluster, cb *runv1alpha3.ClusterBootstrap, tkr *runv1alpha3.TanzuKubernetesRelease) error {
	cbt, err := r.template(ctx, tkr.Name)
	if err != nil {
		return err
	}
	oldCBT := &runv1alpha3.ClusterBootstrapTemplate{}
	if err := r.client.Get(ctx, client.ObjectKey{Namespace: r.systemNS, Name: cb.Status.ResolvedTKR}, oldCBT); err != nil {
		if !apierrors.IsNotFound(err) {
			return err
		}
		oldCBT = nil
	}
	plan, err := bootstrap.Upgrade{
		ClusterBootstrap: cb,
		Template:         cbt,
		OldTemplate:      oldCBT,
		TKR:              tkr,
		CarvelRefName: func(name string) (string, error) {
			ref, _, err := carvel.RefNameAndVersion(ctx, r.client, r.systemNS, name)
			return ref, err
		},
	}.Plan()
	if err != nil {
		return err
	}
	if err := r.cloneAll(ctx, cluster, plan, tkr.Name); err != nil {
		return err
	}
	from := cb.Status.ResolvedTKR
	orig := cb.DeepCopy()
	cb.Spec = plan.Spec
	if err := r.client.Patch(ctx, cb, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})); err != nil {
		return fmt.Errorf("upgrading ClusterBootstrap %s/%s from TKR %s to %s: %w", cb.Namespace, cb.Name, from, tkr.Name, err)
	}
	if err := r.setResolvedTKR(ctx, cb, plan.ResolvedTKR); err != nil {
		return err
	}
	r.normal(cluster, "ClusterBootstrapUpgraded", "ClusterBootstrap %s/%s moved from TKR %s to %s.", cb.Namespace, cb.Name, from, tkr.Name)
	return nil
}

// template reads the ClusterBootstrapTemplate of a TKR.
func (r *reconciler) template(ctx context.Context, tkrName string) (*runv1alpha3.ClusterBootstrapTemplate, error) {
	cbt := &runv1alpha3.ClusterBootstrapTemplate{}
	err := r.client.Get(ctx, client.ObjectKey{Namespace: r.systemNS, Name: tkrName}, cbt)
	if apierrors.IsNotFound(err) {
		return nil, &missingError{reason: "ClusterBootstrapTemplateNotFound", msg: fmt.Sprintf(
			"ClusterBootstrapTemplate %s/%s of TKR %s does not exist yet; the ClusterBootstrap is made when it arrives (the TKR's release bundle ships it).", r.systemNS, tkrName, tkrName)}
	}
	if err != nil {
		return nil, err
	}
	return cbt, nil
}

func (r *reconciler) setResolvedTKR(ctx context.Context, cb *runv1alpha3.ClusterBootstrap, tkr string) error {
	orig := cb.DeepCopy()
	cb.Status.ResolvedTKR = tkr
	if err := r.client.Status().Patch(ctx, cb, client.MergeFrom(orig)); err != nil {
		return fmt.Errorf("recording TKR %s in ClusterBootstrap %s/%s: %w", tkr, cb.Namespace, cb.Name, err)
	}
	return nil
}

// missingError is an object that must exist for the ClusterBootstrap to be complete and does not
// (yet); its message says which, for which TKR, and what to do.
type missingError struct {
	reason string
	msg    string
}

func (e *missingError) Error() string { return e.msg }

func (r *reconciler) warn(cluster *clusterv1.Cluster, reason, format string, args ...any) {
	r.events.Eventf(cluster, nil, corev1.EventTypeWarning, reason, "ReconcileClusterBootstrap", format, args...)
}

func (r *reconciler) normal(cluster *clusterv1.Cluster, reason, format string, args ...any) {
	r.events.Eventf(cluster, nil, corev1.EventTypeNormal, reason, "ReconcileClusterBootstrap", format, args...)
}
