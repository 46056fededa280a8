package source

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/workqueue"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/compatibilityinputs"
	"github.com/tkr-project/tkr/internal/registry"
	"github.com/tkr-project/tkr/pkg/compatibility"
)

// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=tanzukubernetesreleasesources,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=tanzukubernetesreleasesources/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=tanzukubernetesreleases;osimages;clusterbootstraptemplates,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups=cni.tanzu.vmware.com;cpi.tanzu.vmware.com;csi.tanzu.vmware.com;run.tanzu.vmware.com,resources=*,verbs=get;create;update;patch
// Release bundles ship the Carvel Packages their ClusterBootstrapTemplates name; they are applied
// into the system namespace, where kapp-controller makes them visible to every cluster.
// +kubebuilder:rbac:groups=data.packaging.carvel.dev,resources=packages,verbs=get;create;update;patch
// +kubebuilder:rbac:groups="",resources=configmaps;secrets,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups=cluster.x-k8s.io,resources=clusters,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// FieldOwner is the field manager of everything the source controller applies.
const FieldOwner = "tkr-source"

// Reconciler syncs the registry into the cluster. It has a single key, the
// TanzuKubernetesReleaseSource it reports on, so syncs never overlap and a burst of triggering
// events costs one sync.
type Reconciler struct {
	// Client writes, and reads the TanzuKubernetesReleaseSource from the cache.
	Client client.Client
	// Reader reads everything else straight from the API server: a sync is rare, and it must
	// see what it wrote a moment ago.
	Reader client.Reader
	Mapper meta.RESTMapper
	Events events.EventRecorder
	Opts   Options

	mu sync.Mutex
	// registry is rebuilt only when the CA certificates change, so connections and registry
	// handshakes are reused across syncs.
	registry    *registry.Client
	registryKey string
	// broken remembers bundles (by digest reference) whose content cannot be used, with the
	// reason, so a broken release is not downloaded again until a new digest is published.
	broken map[string]brokenImage
	// succeeded is set by the first sync without transient failures; it lifts the backoff cap
	// from the initial to the continuous frequency.
	succeeded bool
}

// Setup registers the source controller with mgr.
func Setup(mgr ctrl.Manager, opts Options) error {
	opts.defaults()
	if err := opts.Validate(); err != nil {
		return err
	}
	r := &Reconciler{
		Client: mgr.GetClient(),
		Reader: mgr.GetAPIReader(),
		Mapper: mgr.GetRESTMapper(),
		Events: mgr.GetEventRecorder("tkr-source"),
		Opts:   opts,
	}
	return r.SetupWithManager(mgr)
}

// SetupWithManager wires the triggers of a sync.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	nsCache, err := compatibilityinputs.NamespaceCache(mgr, r.Opts.Namespace)
	if err != nil {
		return err
	}
	key := reconcile.Request{NamespacedName: client.ObjectKey{Name: r.Opts.Name}}
	toKey := func(context.Context, *corev1.ConfigMap) []reconcile.Request { return []reconcile.Request{key} }
	b := ctrl.NewControllerManagedBy(mgr).Named("tkr-source").
		WithOptions(controller.Options{MaxConcurrentReconciles: 1}).
		// Only a new sync request starts a sync: not the controller's own status writes, nor the
		// object's creation, which the controller does itself during a sync.
		For(&runv1alpha3.TanzuKubernetesReleaseSource{}, builder.WithPredicates(
			predicate.NewPredicateFuncs(func(o client.Object) bool { return o.GetName() == r.Opts.Name }),
			predicate.Funcs{CreateFunc: func(event.CreateEvent) bool { return false }},
			predicate.Or(predicate.AnnotationChangedPredicate{}, predicate.GenerationChangedPredicate{}))).
		WatchesRawSource(source.Kind(nsCache, &corev1.ConfigMap{},
			handler.TypedEnqueueRequestsFromMapFunc(toKey),
			predicate.And[*corev1.ConfigMap](notOwnMetadataWrite,
				predicate.Or[*corev1.ConfigMap](compatibilityinputs.ConfigMapChanged, markerDeleted, controllerConfig)))).
		// Sync once at start, whether or not the report object exists yet.
		WatchesRawSource(source.Func(func(_ context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
			q.Add(key)
			return nil
		}))
	if r.Opts.TKGVersion == "" {
		b = b.Watches(&clusterv1.Cluster{}, handler.EnqueueRequestsFromMapFunc(func(context.Context, client.Object) []reconcile.Request {
			return []reconcile.Request{key}
		}), builder.WithPredicates(compatibilityinputs.ManagementClusterVersionChanged))
	}
	return b.Complete(r)
}

// markerDeleted passes the deletion of a release's marker ConfigMap: deleting it is how an
// administrator asks for a release to be installed again.
var markerDeleted = predicate.TypedFuncs[*corev1.ConfigMap]{
	CreateFunc:  func(event.TypedCreateEvent[*corev1.ConfigMap]) bool { return false },
	UpdateFunc:  func(event.TypedUpdateEvent[*corev1.ConfigMap]) bool { return false },
	GenericFunc: func(event.TypedGenericEvent[*corev1.ConfigMap]) bool { return false },
	DeleteFunc: func(e event.TypedDeleteEvent[*corev1.ConfigMap]) bool {
		_, ok := e.Object.Labels[LabelTKRPackage]
		return ok
	},
}

// notOwnMetadataWrite drops the events of the controller's own writes of bom-metadata (they set
// a new source-image annotation): the sync that wrote it has already computed the compatible set
// from it, so a second sync would only repeat its registry calls. An edit by anyone else passes.
var notOwnMetadataWrite = predicate.TypedFuncs[*corev1.ConfigMap]{
	CreateFunc: func(e event.TypedCreateEvent[*corev1.ConfigMap]) bool {
		return !(isMetadata(e.Object) && e.Object.Annotations[AnnotationSourceImage] != "")
	},
	UpdateFunc: func(e event.TypedUpdateEvent[*corev1.ConfigMap]) bool {
		return !(isMetadata(e.ObjectNew) &&
			e.ObjectNew.Annotations[AnnotationSourceImage] != e.ObjectOld.Annotations[AnnotationSourceImage])
	},
	DeleteFunc:  func(event.TypedDeleteEvent[*corev1.ConfigMap]) bool { return true },
	GenericFunc: func(event.TypedGenericEvent[*corev1.ConfigMap]) bool { return true },
}

func isMetadata(cm *corev1.ConfigMap) bool { return cm.Name == compatibility.MetadataConfigMap }

// controllerConfig passes events of tkr-controller-config, so a corrected CA certificate is used
// at once rather than at the next poll.
var controllerConfig = predicate.NewTypedPredicateFuncs(func(cm *corev1.ConfigMap) bool { return cm.Name == ControllerConfigMap })

// Reconcile runs one sync and schedules the next.
func (r *Reconciler) Reconcile(ctx context.Context, _ reconcile.Request) (reconcile.Result, error) {
	log := ctrl.LoggerFrom(ctx)
	src, err := r.reportObject(ctx)
	if err != nil {
		return reconcile.Result{}, err
	}
	start := time.Now()
	rep := r.sync(ctx)
	observeSync(rep, time.Since(start))

	failures := int32(0)
	delay := r.Opts.ContinuousDiscoverFrequency
	if rep.transient() {
		failures = src.Status.ConsecutiveFailures + 1
		delay = r.Opts.retryDelay(failures, r.succeeded)
		log.Info("sync failed, retrying", "after", delay.String(), "failures", failures, "error", rep.firstError())
	} else {
		r.succeeded = true
	}
	if err := r.writeReport(ctx, src, rep, failures, delay); err != nil {
		return reconcile.Result{}, err
	}
	return reconcile.Result{RequeueAfter: delay}, nil
}

// reportObject returns the TanzuKubernetesReleaseSource, creating it on first use.
func (r *Reconciler) reportObject(ctx context.Context) (*runv1alpha3.TanzuKubernetesReleaseSource, error) {
	src := &runv1alpha3.TanzuKubernetesReleaseSource{}
	err := r.Reader.Get(ctx, client.ObjectKey{Name: r.Opts.Name}, src)
	if err == nil {
		return src, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("reading TanzuKubernetesReleaseSource %s: %w", r.Opts.Name, err)
	}
	src = &runv1alpha3.TanzuKubernetesReleaseSource{ObjectMeta: metav1.ObjectMeta{Name: r.Opts.Name}}
	if err := r.Client.Create(ctx, src); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, fmt.Errorf("creating TanzuKubernetesReleaseSource %s: %w", r.Opts.Name, err)
	}
	return src, r.Reader.Get(ctx, client.ObjectKey{Name: r.Opts.Name}, src)
}
