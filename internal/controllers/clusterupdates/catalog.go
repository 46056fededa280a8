package clusterupdates

import (
	"context"
	"maps"
	"slices"
	"sync"

	"k8s.io/client-go/util/workqueue"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/resolver"
	"github.com/tkr-project/tkr/pkg/tkrlabels"
	"github.com/tkr-project/tkr/pkg/updates"
)

// catalog is the controller's copy of the TKRs and OSImages: a resolver.Resolver, plus the
// names of the TKRs in it, which the resolver cannot list and legacy clusters need.
type catalog struct {
	resolver *resolver.Resolver

	mu   sync.Mutex
	tkrs map[string]struct{}
}

func newCatalog() *catalog {
	return &catalog{resolver: resolver.New(), tkrs: map[string]struct{}{}}
}

// add stores obj, a TKR or an OSImage; one with a deletion timestamp is removed instead.
func (c *catalog) add(obj client.Object) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resolver.Add(obj) // copies, and treats a deletion timestamp as removal
	if tkr, ok := obj.(*runv1alpha3.TanzuKubernetesRelease); ok {
		if tkr.DeletionTimestamp.IsZero() {
			c.tkrs[tkr.Name] = struct{}{}
		} else {
			delete(c.tkrs, tkr.Name)
		}
	}
}

// remove drops obj, identified by name.
func (c *catalog) remove(obj client.Object) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resolver.Remove(obj)
	if _, ok := obj.(*runv1alpha3.TanzuKubernetesRelease); ok {
		delete(c.tkrs, obj.GetName())
	}
}

// snapshot returns the catalogue for updates.ForCluster. The TKRs are the resolver's own
// read-only copies, so the legacy and the ClusterClass computations judge the same objects.
func (c *catalog) snapshot() updates.Catalog {
	c.mu.Lock()
	defer c.mu.Unlock()
	tkrs := make([]*runv1alpha3.TanzuKubernetesRelease, 0, len(c.tkrs))
	for _, name := range slices.Sorted(maps.Keys(c.tkrs)) {
		if tkr := c.resolver.TKR(name); tkr != nil {
			tkrs = append(tkrs, tkr)
		}
	}
	return updates.Catalog{TKRs: tkrs, Resolver: c.resolver}
}

// catalogHandler feeds TKR and OSImage events into the catalogue and then queues every
// Cluster: any Cluster's updates may change with any TKR or OSImage (a new minor version, a
// new image for a machine deployment's selector), and the original's narrower triggers by
// version prefix left clusters stale (users-peers P11). Updating the catalogue in the event
// handler, before queueing, guarantees that the reconciles it causes see the change.
type catalogHandler struct {
	catalog *catalog
	// clusters lists the Clusters to queue (the manager's cache).
	clusters client.Reader
}

// Create adds the object. Objects of the initial list queue nothing: the controller starts
// only once they are all in the catalogue, and the Clusters' own initial list queues them all.
func (h *catalogHandler) Create(ctx context.Context, e event.TypedCreateEvent[client.Object], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	h.catalog.add(e.Object)
	if !e.IsInInitialList {
		h.queueAll(ctx, q)
	}
}

// Update replaces the object if anything resolution reads changed; status writes such as the
// Ready condition, and resyncs, change nothing and queue nothing.
func (h *catalogHandler) Update(ctx context.Context, e event.TypedUpdateEvent[client.Object], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	if !relevantChange(e.ObjectOld, e.ObjectNew) {
		return
	}
	h.catalog.add(e.ObjectNew)
	h.queueAll(ctx, q)
}

// Delete removes the object.
func (h *catalogHandler) Delete(ctx context.Context, e event.TypedDeleteEvent[client.Object], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	h.catalog.remove(e.Object)
	h.queueAll(ctx, q)
}

// Generic treats the object as changed.
func (h *catalogHandler) Generic(ctx context.Context, e event.TypedGenericEvent[client.Object], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	h.catalog.add(e.Object)
	h.queueAll(ctx, q)
}

func (h *catalogHandler) queueAll(ctx context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	list := &clusterv1.ClusterList{}
	// Only names are read, so the cache's objects need not be copied.
	if err := h.clusters.List(ctx, list, client.UnsafeDisableDeepCopy); err != nil {
		// The cache lists from memory; this fails only while the manager shuts down.
		log.FromContext(ctx).Error(err, "cannot list Clusters to re-evaluate their updates")
		return
	}
	for i := range list.Items {
		q.Add(reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
	}
}

// relevantChange reports whether resolution may see newObj differently from oldObj: its spec
// (generation), labels, deletion, or the conditions that imply exclusion labels.
func relevantChange(oldObj, newObj client.Object) bool {
	if oldObj.GetGeneration() != newObj.GetGeneration() ||
		!maps.Equal(oldObj.GetLabels(), newObj.GetLabels()) ||
		oldObj.GetDeletionTimestamp().IsZero() != newObj.GetDeletionTimestamp().IsZero() {
		return true
	}
	oldSet, _ := tkrlabels.Exclusions(conditions(oldObj))
	newSet, _ := tkrlabels.Exclusions(conditions(newObj))
	return !maps.Equal(oldSet, newSet)
}

func conditions(obj client.Object) runv1alpha3.Conditions {
	switch o := obj.(type) {
	case *runv1alpha3.TanzuKubernetesRelease:
		return o.Status.Conditions
	case *runv1alpha3.OSImage:
		return o.Status.Conditions
	}
	return nil
}
