package clusterresolver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"k8s.io/utils/ptr"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/resolver"
)

// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=tanzukubernetesreleases;osimages,verbs=get;list;watch

// Catalog keeps a resolver.Resolver in step with the TKRs and OSImages in the cluster: a full
// load once the informer caches have synced, then one reconcile per change.
type Catalog struct {
	Resolver *resolver.Resolver
	Client   client.Reader

	once   sync.Once
	loaded chan struct{}
}

// NewCatalog returns a Catalog feeding r from reader (the manager's cache).
func NewCatalog(r *resolver.Resolver, reader client.Reader) *Catalog {
	return &Catalog{Resolver: r, Client: reader, loaded: make(chan struct{})}
}

// SetupWithManager registers the initial load and the TKR and OSImage reconcilers. None of them
// needs leader election: every replica serves the webhook from its own catalogue, which must stay
// current on followers too.
func (c *Catalog) SetupWithManager(mgr ctrl.Manager) error {
	if err := mgr.Add(c); err != nil {
		return err
	}
	everyReplica := controller.Options{NeedLeaderElection: ptr.To(false)}
	if err := ctrl.NewControllerManagedBy(mgr).Named("resolver-tkrs").For(&runv1alpha3.TanzuKubernetesRelease{}).WithOptions(everyReplica).
		Complete(&catalogReconciler[*runv1alpha3.TanzuKubernetesRelease]{catalog: c, new: func() *runv1alpha3.TanzuKubernetesRelease { return &runv1alpha3.TanzuKubernetesRelease{} }}); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).Named("resolver-osimages").For(&runv1alpha3.OSImage{}).WithOptions(everyReplica).
		Complete(&catalogReconciler[*runv1alpha3.OSImage]{catalog: c, new: func() *runv1alpha3.OSImage { return &runv1alpha3.OSImage{} }})
}

// Start loads every TKR and OSImage once the caches have synced, then marks the catalogue
// loaded. Until then the webhook is not ready: an empty catalogue would deny every Cluster.
func (c *Catalog) Start(ctx context.Context) error {
	tkrs := &runv1alpha3.TanzuKubernetesReleaseList{}
	if err := c.Client.List(ctx, tkrs); err != nil {
		return fmt.Errorf("loading TanzuKubernetesReleases into the resolver: %w", err)
	}
	images := &runv1alpha3.OSImageList{}
	if err := c.Client.List(ctx, images); err != nil {
		return fmt.Errorf("loading OSImages into the resolver: %w", err)
	}
	// Listing ClusterClasses starts their informer now, so the first Cluster admission does
	// not wait for it.
	if err := c.Client.List(ctx, &clusterv1.ClusterClassList{}); err != nil {
		return fmt.Errorf("loading ClusterClasses: %w", err)
	}
	for i := range tkrs.Items {
		c.Resolver.Add(&tkrs.Items[i])
	}
	for i := range images.Items {
		c.Resolver.Add(&images.Items[i])
	}
	c.once.Do(func() { close(c.loaded) })
	log.FromContext(ctx).Info("TKR catalogue loaded", "tkrs", len(tkrs.Items), "osImages", len(images.Items))
	<-ctx.Done()
	return nil
}

// NeedLeaderElection is false: every replica serves the webhook and needs its own catalogue.
func (c *Catalog) NeedLeaderElection() bool { return false }

// Loaded is closed once the initial load is done.
func (c *Catalog) Loaded() <-chan struct{} { return c.loaded }

// ReadyCheck fails until the catalogue is loaded.
func (c *Catalog) ReadyCheck() healthz.Checker {
	return func(*http.Request) error {
		select {
		case <-c.loaded:
			return nil
		default:
			return errors.New("the TKR catalogue is not loaded yet")
		}
	}
}

type catalogObject interface {
	client.Object
	*runv1alpha3.TanzuKubernetesRelease | *runv1alpha3.OSImage
}

type catalogReconciler[T catalogObject] struct {
	catalog *Catalog
	new     func() T
}

// Reconcile mirrors one object into the resolver: present → Add (which treats a deletion
// timestamp as removal), gone → Remove by name.
func (r *catalogReconciler[T]) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := r.new()
	if err := r.catalog.Client.Get(ctx, req.NamespacedName, obj); err != nil {
		if client.IgnoreNotFound(err) != nil {
			return ctrl.Result{}, err
		}
		gone := r.new()
		gone.SetName(req.Name)
		r.catalog.Resolver.Remove(gone)
		return ctrl.Result{}, nil
	}
	r.catalog.Resolver.Add(obj)
	return ctrl.Result{}, nil
}
