// Package status keeps the derived state of releases on the API objects: the labels computed from
// a TanzuKubernetesRelease's or OSImage's spec (package tkrlabels), so label selectors, kubectl
// and the resolver all see the same catalogue.
package status

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/tkrlabels"
)

// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=tanzukubernetesreleases;osimages,verbs=get;list;watch;patch

// labeled is an object whose derived labels Labeler keeps.
type labeled interface {
	client.Object
	*runv1alpha3.TanzuKubernetesRelease | *runv1alpha3.OSImage
}

// Labeler reconciles one kind, merging its derived labels into the object's labels.
type Labeler[T labeled] struct {
	Client client.Client
	// New returns an empty object of the kind.
	New func() T
	// Derive computes the labels the object must carry.
	Derive func(T) map[string]string
}

// Reconcile adds missing or outdated derived labels with a merge patch, so labels written by
// users or other controllers in between are never overwritten.
func (r *Labeler[T]) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := r.New()
	if err := r.Client.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !obj.GetDeletionTimestamp().IsZero() {
		return ctrl.Result{}, nil
	}
	merged, changed := tkrlabels.Merge(obj.GetLabels(), r.Derive(obj))
	if !changed {
		return ctrl.Result{}, nil
	}
	patch := client.MergeFrom(obj.DeepCopyObject().(T))
	obj.SetLabels(merged)
	if err := r.Client.Patch(ctx, obj, patch); err != nil {
		if apierrors.IsNotFound(err) {
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, fmt.Errorf("adding version labels to %s: %w", obj.GetName(), err)
	}
	log.FromContext(ctx).V(1).Info("labels updated", "labels", len(merged))
	return ctrl.Result{}, nil
}

// SetupLabelers registers the TKR and OSImage labelers with mgr.
func SetupLabelers(mgr ctrl.Manager) error {
	tkrs := &Labeler[*runv1alpha3.TanzuKubernetesRelease]{
		Client: mgr.GetClient(),
		New:    func() *runv1alpha3.TanzuKubernetesRelease { return &runv1alpha3.TanzuKubernetesRelease{} },
		Derive: tkrlabels.TKR,
	}
	if err := ctrl.NewControllerManagedBy(mgr).Named("tkr-labels").For(&runv1alpha3.TanzuKubernetesRelease{}).Complete(tkrs); err != nil {
		return err
	}
	images := &Labeler[*runv1alpha3.OSImage]{
		Client: mgr.GetClient(),
		New:    func() *runv1alpha3.OSImage { return &runv1alpha3.OSImage{} },
		Derive: tkrlabels.OSImage,
	}
	return ctrl.NewControllerManagedBy(mgr).Named("osimage-labels").For(&runv1alpha3.OSImage{}).Complete(images)
}
