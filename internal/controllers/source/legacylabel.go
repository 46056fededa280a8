package source

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// legacyLabeler labels TKRs without spec.bootstrapPackages run.tanzu.vmware.com/legacy-tkr, as
// the original's tkr_legacy_labeler did. Like the original it never removes the label: a release
// does not stop being legacy by gaining packages in an edit.
type legacyLabeler struct{ client client.Client }

// SetupLegacyLabeler registers the legacy-tkr labeler with mgr.
func SetupLegacyLabeler(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).Named("tkr-legacy-labeler").
		For(&runv1alpha3.TanzuKubernetesRelease{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Complete(&legacyLabeler{client: mgr.GetClient()})
}

// Reconcile adds the label to one TKR if it has no bootstrap packages.
func (l *legacyLabeler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	tkr := &runv1alpha3.TanzuKubernetesRelease{}
	if err := l.client.Get(ctx, req.NamespacedName, tkr); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if tkr.Spec.BootstrapPackages != nil {
		return reconcile.Result{}, nil
	}
	if _, ok := tkr.Labels[runv1alpha3.LabelLegacyTKR]; ok {
		return reconcile.Result{}, nil
	}
	// A merge patch of this one key, so the labels other controllers own are untouched.
	patch := client.RawPatch("application/merge-patch+json", []byte(`{"metadata":{"labels":{"`+runv1alpha3.LabelLegacyTKR+`":""}}}`))
	return reconcile.Result{}, client.IgnoreNotFound(l.client.Patch(ctx, tkr, patch))
}
