package status

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/compatibilityinputs"
	"github.com/tkr-project/tkr/pkg/compatibility"
)

// tkrConditions keeps the Compatible, Valid and Ready conditions, and the incompatible and
// invalid labels, on TKRs.
type tkrConditions struct {
	// client is the manager's: cached reads of TKRs, OSImages and Clusters, and all writes.
	client client.Client
	// namespaced reads the TKR namespace's ConfigMaps and ClusterBootstrapTemplates.
	namespaced client.Reader
	opts       ConditionOptions
}

// Reconcile recomputes the conditions of one TKR from the cluster state and writes what changed.
func (r *tkrConditions) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	tkr := &runv1alpha3.TanzuKubernetesRelease{}
	if err := r.client.Get(ctx, req.NamespacedName, tkr); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !tkr.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	set, err := r.compatibleSet(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	v := set.Check(tkr.Spec.Version)
	valid, err := r.valid(ctx, tkr)
	if err != nil {
		return ctrl.Result{}, err
	}
	compatible := newCondition(runv1alpha3.ConditionCompatible, v.Status, v.Reason, v.Message)
	if err := writeConditions(ctx, r.client, tkr, compatible, valid); err != nil {
		return ctrl.Result{}, fmt.Errorf("writing the conditions of TKR %s: %w", tkr.Name, err)
	}
	return ctrl.Result{}, nil
}

// compatibleSet reads the compatibility inputs and decides the compatible set.
func (r *tkrConditions) compatibleSet(ctx context.Context) (*compatibility.Set, error) {
	src, err := compatibilityinputs.Reader{Clusters: r.client, ConfigMaps: r.namespaced,
		Namespace: r.opts.Namespace, TKGVersion: r.opts.TKGVersion}.Read(ctx)
	if err != nil {
		return nil, err
	}
	return compatibility.New(src), nil
}

// valid reads what the Valid condition of tkr depends on, the OSImages it references and its
// ClusterBootstrapTemplate, and decides it.
func (r *tkrConditions) valid(ctx context.Context, tkr *runv1alpha3.TanzuKubernetesRelease) (runv1alpha3.Condition, error) {
	images := map[string]*runv1alpha3.OSImage{}
	for _, ref := range tkr.Spec.OSImages {
		img := &runv1alpha3.OSImage{}
		switch err := r.client.Get(ctx, client.ObjectKey{Name: ref.Name}, img); {
		case err == nil:
			images[ref.Name] = img
		case !apierrors.IsNotFound(err):
			return runv1alpha3.Condition{}, fmt.Errorf("reading OSImage %s: %w", ref.Name, err)
		}
	}
	hasTemplate := false
	if len(tkr.Spec.BootstrapPackages) > 0 {
		cbt := &runv1alpha3.ClusterBootstrapTemplate{}
		switch err := r.namespaced.Get(ctx, client.ObjectKey{Namespace: r.opts.Namespace, Name: tkr.Name}, cbt); {
		case err == nil:
			hasTemplate = true
		case !apierrors.IsNotFound(err):
			return runv1alpha3.Condition{}, fmt.Errorf("reading ClusterBootstrapTemplate %s/%s: %w", r.opts.Namespace, tkr.Name, err)
		}
	}
	return validTKR(tkr, images, hasTemplate, r.opts.Namespace), nil
}
