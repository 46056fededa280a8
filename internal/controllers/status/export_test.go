package status

import (
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// NewTKRConditionsReconciler returns the TKR conditions reconciler reading and writing through c,
// so that a test can run exactly one reconcile and see what it writes.
func NewTKRConditionsReconciler(c client.Client, opts ConditionOptions) reconcile.Reconciler {
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	return &tkrConditions{client: c, namespaced: c, opts: opts}
}
