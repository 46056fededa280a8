package status

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/tkrlabels"
)

// This file maps the events of everything the conditions depend on to the objects to reconcile.

// osImageNames is the index function of osImageIndex.
func osImageNames(o client.Object) []string {
	tkr := o.(*runv1alpha3.TanzuKubernetesRelease)
	names := make([]string, 0, len(tkr.Spec.OSImages))
	for _, ref := range tkr.Spec.OSImages {
		names = append(names, ref.Name)
	}
	return names
}

// allTKRs maps an event to every TKR: the compatibility inputs apply to all releases alike.
func allTKRs[T client.Object](c client.Reader) handler.TypedMapFunc[T, ctrl.Request] {
	return func(ctx context.Context, _ T) []ctrl.Request {
		l := &runv1alpha3.TanzuKubernetesReleaseList{}
		if err := c.List(ctx, l); err != nil {
			// The cache does not fail reads once controllers run; should it, the next event
			// re-evaluates the releases.
			ctrl.LoggerFrom(ctx).Error(err, "listing TKRs to re-evaluate their compatibility")
			return nil
		}
		reqs := make([]ctrl.Request, 0, len(l.Items))
		for i := range l.Items {
			reqs = append(reqs, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(&l.Items[i])})
		}
		return reqs
	}
}

// sameNameTKR maps a ClusterBootstrapTemplate to the TKR it belongs to, which has its name.
func sameNameTKR(_ context.Context, cbt *runv1alpha3.ClusterBootstrapTemplate) []ctrl.Request {
	return []ctrl.Request{{NamespacedName: client.ObjectKey{Name: cbt.Name}}}
}

// shippingTKRs maps an OSImage to the TKRs that reference it.
func (r *tkrConditions) shippingTKRs(ctx context.Context, o client.Object) []ctrl.Request {
	l := &runv1alpha3.TanzuKubernetesReleaseList{}
	if err := r.client.List(ctx, l, client.MatchingFields{osImageIndex: o.GetName()}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "listing the TKRs of an OSImage", "osImage", o.GetName())
		return nil
	}
	reqs := make([]ctrl.Request, 0, len(l.Items))
	for i := range l.Items {
		reqs = append(reqs, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(&l.Items[i])})
	}
	return reqs
}

// shippedOSImages maps TKR events to the OSImages the TKR references, before and after an
// update, so an OSImage a release stopped shipping is re-evaluated too. Updates that change
// neither the references nor the Compatible status are dropped: they cannot change an OSImage.
var shippedOSImages = handler.Funcs{
	CreateFunc: func(_ context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[ctrl.Request]) {
		enqueueOSImages(q, e.Object)
	},
	UpdateFunc: func(_ context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[ctrl.Request]) {
		o, n := e.ObjectOld.(*runv1alpha3.TanzuKubernetesRelease), e.ObjectNew.(*runv1alpha3.TanzuKubernetesRelease)
		if slices.Equal(osImageNames(o), osImageNames(n)) && compatibleStatus(o) == compatibleStatus(n) &&
			o.DeletionTimestamp.IsZero() == n.DeletionTimestamp.IsZero() {
			return
		}
		enqueueOSImages(q, o)
		enqueueOSImages(q, n)
	},
	DeleteFunc: func(_ context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[ctrl.Request]) {
		enqueueOSImages(q, e.Object)
	},
}

func enqueueOSImages(q workqueue.TypedRateLimitingInterface[ctrl.Request], o client.Object) {
	for _, name := range osImageNames(o) {
		q.Add(ctrl.Request{NamespacedName: client.ObjectKey{Name: name}})
	}
}

func compatibleStatus(tkr *runv1alpha3.TanzuKubernetesRelease) corev1.ConditionStatus {
	if c := tkrlabels.Condition(tkr.Status.Conditions, runv1alpha3.ConditionCompatible); c != nil {
		return c.Status
	}
	return ""
}
