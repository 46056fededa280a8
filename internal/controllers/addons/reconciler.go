package addons

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/addons"
	"github.com/tkr-project/tkr/pkg/bootstrap"
)

// kind is what the generic reconciler needs to know about one config kind T.
type kind[T client.Object] struct {
	// name is the Kind, e.g. AntreaConfig.
	name string
	// newObject and newList return empty objects of the kind.
	newObject func() T
	newList   func() client.ObjectList
	// check returns why cfg cannot be rendered at all, before its Cluster is looked at; nil
	// when it can. Optional.
	check func(cfg T) error
	// ignore reports a config the controller leaves alone entirely. Optional.
	ignore func(cfg T) bool
	// secrets lists the names of the Secrets (in cfg's namespace) that render reads. Optional.
	secrets func(cfg T) []string
	// render returns the add-on name and the data values of cfg for cluster; read gives it the
	// Secrets it names in secrets.
	render func(cfg T, cluster addons.Cluster, read secretReader) (addon string, values []byte, err error)
	// secretRef points at cfg's status.secretRef; message at status.message, or nil for kinds
	// without one.
	secretRef func(cfg T) *string
	message   func(cfg T) *string
	// okMessage is status.message after a successful render. Optional.
	okMessage func(cfg T) string
}

// secretReader reads a Secret of the config's namespace by name.
type secretReader func(name string) (*corev1.Secret, error)

// reconciler renders configs of one kind.
type reconciler[T client.Object] struct {
	kind[T]
	client client.Client
	// apiReader reads Secrets uncached: the manager watches only their metadata, so that
	// credentials are not held in memory for every Secret on the management cluster.
	apiReader client.Reader
	scheme    *runtime.Scheme
	events    events.EventRecorder
	opts      Options
}

func (k kind[T]) setup(mgr ctrl.Manager, o Options) error {
	r := &reconciler[T]{
		kind:      k,
		client:    mgr.GetClient(),
		apiReader: mgr.GetAPIReader(),
		scheme:    mgr.GetScheme(),
		events:    mgr.GetEventRecorder("tkr-addons"),
		opts:      o,
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("addons-"+strings.ToLower(k.name)).
		For(k.newObject(), builderWithoutTemplates()).
		Watches(&clusterv1.Cluster{}, handler.EnqueueRequestsFromMapFunc(r.clusterToConfigs)).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.secretToConfigs)).
		Complete(r)
}

// Reconcile renders one config. Every write is a patch computed from what was just read, and
// nothing is written when nothing changed, so repeating a reconcile is harmless and two
// reconciles racing do not fail each other with conflicts.
func (r *reconciler[T]) Reconcile(ctx context.Context, req reconcile.Request) (ctrl.Result, error) {
	cfg := r.newObject()
	if err := r.client.Get(ctx, req.NamespacedName, cfg); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if isTemplate(cfg) || !cfg.GetDeletionTimestamp().IsZero() || (r.ignore != nil && r.ignore(cfg)) {
		return ctrl.Result{}, nil
	}
	if r.check != nil {
		if err := r.check(cfg); err != nil {
			return ctrl.Result{}, r.fail(ctx, cfg, "InvalidConfig", err)
		}
	}
	ownerName, ok := bootstrap.ClusterOwner(cfg)
	if !ok {
		return ctrl.Result{}, r.fail(ctx, cfg, "NoOwnerCluster",
			fmt.Errorf("no owner cluster could be determined for %s/%s", cfg.GetNamespace(), cfg.GetName()))
	}
	cluster := &clusterv1.Cluster{}
	if err := r.client.Get(ctx, types.NamespacedName{Namespace: cfg.GetNamespace(), Name: ownerName}, cluster); err != nil {
		if apierrors.IsNotFound(err) {
			// The Cluster is gone (garbage collection follows) or not yet in the cache; its
			// creation event brings the config back through clusterToConfigs.
			log.FromContext(ctx).Info("owner Cluster not found; waiting for it", "cluster", ownerName)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, fmt.Errorf("reading owner Cluster %s/%s of %s %s: %w", cfg.GetNamespace(), ownerName, r.name, cfg.GetName(), err)
	}
	if err := r.ensureOwnerRef(ctx, cfg, cluster); err != nil {
		return ctrl.Result{}, err
	}
	facts := clusterFacts(cluster)
	if facts.InfrastructureKind == "" {
		facts.InfrastructureKind = r.classInfrastructureKind(ctx, cluster)
	}
	addon, values, err := r.render(cfg, facts, r.readSecret(ctx, cfg.GetNamespace()))
	if err != nil {
		return ctrl.Result{}, r.fail(ctx, cfg, "RenderFailed", fmt.Errorf("rendering the data values of %s %s/%s: %w", r.name, cfg.GetNamespace(), cfg.GetName(), err))
	}
	name := addons.DataValuesName(cluster.Name, addon)
	if err := r.writeSecret(ctx, cfg.GetNamespace(), name, cluster, values); err != nil {
		return ctrl.Result{}, err
	}
	msg := ""
	if r.okMessage != nil {
		msg = r.okMessage(cfg)
	}
	return ctrl.Result{}, r.patchStatus(ctx, cfg, &name, &msg)
}

// fail reports err where a user looks (an Event on the config and, for kinds that have it,
// status.message) and returns it, so the request is retried with backoff.
func (r *reconciler[T]) fail(ctx context.Context, cfg T, reason string, err error) error {
	r.events.Eventf(cfg, nil, corev1.EventTypeWarning, reason, "Render", "%s", err.Error())
	msg := err.Error()
	if perr := r.patchStatus(ctx, cfg, nil, &msg); perr != nil {
		log.FromContext(ctx).Error(perr, "could not report the failure in status")
	}
	return err
}

// patchStatus sets status.secretRef (when secretRef is not nil) and status.message (for kinds
// that have one) with a merge patch, which carries no resourceVersion and so cannot conflict.
func (r *reconciler[T]) patchStatus(ctx context.Context, cfg T, secretRef, message *string) error {
	orig := cfg.DeepCopyObject().(client.Object)
	if secretRef != nil {
		*r.secretRef(cfg) = *secretRef
	}
	if r.message != nil && message != nil {
		*r.message(cfg) = *message
	}
	if equalStatus(r.kind, orig.(T), cfg) {
		return nil
	}
	if err := r.client.Status().Patch(ctx, cfg, client.MergeFrom(orig)); err != nil {
		return fmt.Errorf("updating the status of %s %s/%s: %w", r.name, cfg.GetNamespace(), cfg.GetName(), client.IgnoreNotFound(err))
	}
	return nil
}

func equalStatus[T client.Object](k kind[T], a, b T) bool {
	if *k.secretRef(a) != *k.secretRef(b) {
		return false
	}
	return k.message == nil || *k.message(a) == *k.message(b)
}

// ensureOwnerRef makes the Cluster an owner of cfg, so that the config goes with its Cluster.
func (r *reconciler[T]) ensureOwnerRef(ctx context.Context, cfg T, cluster *clusterv1.Cluster) error {
	orig := cfg.DeepCopyObject().(client.Object)
	if err := controllerutil.SetOwnerReference(cluster, cfg, r.scheme); err != nil {
		return err
	}
	if equality.Semantic.DeepEqual(orig.GetOwnerReferences(), cfg.GetOwnerReferences()) {
		return nil
	}
	if err := r.client.Patch(ctx, cfg, client.MergeFrom(orig)); err != nil {
		return fmt.Errorf("adding Cluster %s as owner of %s %s/%s: %w", cluster.Name, r.name, cfg.GetNamespace(), cfg.GetName(), err)
	}
	return nil
}

// writeSecret creates or patches the data-values Secret.
func (r *reconciler[T]) writeSecret(ctx context.Context, namespace, name string, cluster *clusterv1.Cluster, values []byte) error {
	for attempt := 0; ; attempt++ {
		existing := &corev1.Secret{}
		err := r.apiReader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, existing)
		if apierrors.IsNotFound(err) {
			s := &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{
					Namespace: namespace, Name: name,
					Labels: map[string]string{runv1alpha3.LabelClusterName: cluster.Name},
				},
				Type: corev1.SecretTypeOpaque,
				Data: map[string][]byte{addons.ValuesKey: values},
			}
			if err := controllerutil.SetOwnerReference(cluster, s, r.scheme); err != nil {
				return err
			}
			err = r.client.Create(ctx, s)
			if apierrors.IsAlreadyExists(err) && attempt == 0 {
				continue // created concurrently: patch it instead
			}
			if err != nil {
				return fmt.Errorf("creating data-values Secret %s/%s: %w", namespace, name, err)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading data-values Secret %s/%s: %w", namespace, name, err)
		}
		orig := existing.DeepCopy()
		if err := controllerutil.SetOwnerReference(cluster, existing, r.scheme); err != nil {
			return err
		}
		if existing.Labels == nil {
			existing.Labels = map[string]string{}
		}
		existing.Labels[runv1alpha3.LabelClusterName] = cluster.Name
		if existing.Data == nil {
			existing.Data = map[string][]byte{}
		}
		existing.Data[addons.ValuesKey] = values
		if equality.Semantic.DeepEqual(orig.OwnerReferences, existing.OwnerReferences) &&
			maps.Equal(orig.Labels, existing.Labels) && string(orig.Data[addons.ValuesKey]) == string(values) {
			return nil
		}
		if err := r.client.Patch(ctx, existing, client.MergeFrom(orig)); err != nil {
			return fmt.Errorf("updating data-values Secret %s/%s: %w", namespace, name, err)
		}
		return nil
	}
}

func (r *reconciler[T]) readSecret(ctx context.Context, namespace string) secretReader {
	return func(name string) (*corev1.Secret, error) {
		s := &corev1.Secret{}
		if err := r.apiReader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, s); err != nil {
			if apierrors.IsNotFound(err) {
				return nil, fmt.Errorf("Secret %s/%s not found", namespace, name) //nolint:staticcheck // the original's wording
			}
			return nil, fmt.Errorf("Secret %s/%s could not be fetched: %w", namespace, name, err) //nolint:staticcheck // the original's wording
		}
		return s, nil
	}
}

// clusterToConfigs maps a Cluster to the configs of its namespace that it owns.
func (r *reconciler[T]) clusterToConfigs(ctx context.Context, o client.Object) []reconcile.Request {
	return r.configsIn(ctx, o.GetNamespace(), func(cfg T) bool {
		name, ok := bootstrap.ClusterOwner(cfg)
		return ok && name == o.GetName()
	})
}

// secretToConfigs maps a Secret to the configs that read it (credentials) or render into it,
// so a changed password or a deleted data-values Secret is dealt with at once.
func (r *reconciler[T]) secretToConfigs(ctx context.Context, o client.Object) []reconcile.Request {
	return r.configsIn(ctx, o.GetNamespace(), func(cfg T) bool {
		if *r.secretRef(cfg) == o.GetName() {
			return true
		}
		return r.secrets != nil && slices.Contains(r.secrets(cfg), o.GetName())
	})
}

func (r *reconciler[T]) configsIn(ctx context.Context, namespace string, match func(T) bool) []reconcile.Request {
	list := r.newList()
	if err := r.client.List(ctx, list, client.InNamespace(namespace)); err != nil {
		log.FromContext(ctx).Error(err, "listing configs to reconcile", "kind", r.name, "namespace", namespace)
		return nil
	}
	var reqs []reconcile.Request
	objs, err := meta.ExtractList(list)
	if err != nil {
		log.FromContext(ctx).Error(err, "reading the list of configs", "kind", r.name)
		return nil
	}
	for _, o := range objs {
		if cfg, ok := o.(T); ok && !isTemplate(cfg) && match(cfg) {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(cfg)})
		}
	}
	return reqs
}

// isTemplate reports a template config (in the system namespace, named after a TKR), which is
// cloned for clusters and never rendered itself.
func isTemplate(o client.Object) bool {
	_, ok := o.GetAnnotations()[runv1alpha3.AnnotationTemplateConfig]
	return ok
}

// builderWithoutTemplates keeps template configs out of the work queue; Reconcile checks again
// for requests that come from the Cluster and Secret watches.
func builderWithoutTemplates() builder.Predicates {
	return builder.WithPredicates(predicate.NewPredicateFuncs(func(o client.Object) bool { return !isTemplate(o) }))
}

// clusterFacts is what the renderers read from the Cluster. The Cluster is read in v1beta2;
// the API server converts v1beta1 Clusters through Cluster API's conversion webhook.
func clusterFacts(c *clusterv1.Cluster) addons.Cluster {
	return addons.Cluster{
		Name: c.Name, Namespace: c.Namespace, UID: string(c.UID),
		APIVersion: clusterv1.GroupVersion.String(), Kind: "Cluster",
		InfrastructureKind:   c.Spec.InfrastructureRef.Kind,
		ServiceCIDRs:         c.Spec.ClusterNetwork.Services.CIDRBlocks,
		PodCIDRs:             c.Spec.ClusterNetwork.Pods.CIDRBlocks,
		ControlPlaneReplicas: c.Spec.Topology.ControlPlane.Replicas,
	}
}

// classInfrastructureKind derives the infrastructure kind of a ClusterClass Cluster whose
// spec.infrastructureRef Cluster API's topology controller has not filled yet (or never will, where
// it does not run): the kind of its ClusterClass's infrastructure template without "Template",
// e.g. VSphereCluster for VSphereClusterTemplate. "" when that cannot be read.
//
// Quirk fixed: the original failed with "unknown error in getting infraProvider" until the
// reference appeared, leaving freshly created clusters without data values.
func (r *reconciler[T]) classInfrastructureKind(ctx context.Context, c *clusterv1.Cluster) string {
	name := c.Spec.Topology.ClassRef.Name
	if name == "" {
		return ""
	}
	ns := c.Spec.Topology.ClassRef.Namespace
	if ns == "" {
		ns = c.Namespace
	}
	cc := &clusterv1.ClusterClass{}
	if err := r.client.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, cc); err != nil {
		log.FromContext(ctx).V(1).Info("cannot read the Cluster's ClusterClass for its infrastructure kind", "clusterClass", ns+"/"+name, "error", err.Error())
		return ""
	}
	return strings.TrimSuffix(cc.Spec.Infrastructure.TemplateRef.Kind, "Template")
}

// credentials reads the username and password of the Secret name through read; nil for "".
func credentials(read secretReader, name string) (*addons.Credentials, error) {
	if name == "" {
		return nil, nil
	}
	s, err := read(name)
	if err != nil {
		return nil, err
	}
	c, err := addons.CredentialsFromSecret(s.Namespace, s.Name, s.Data)
	if err != nil {
		return nil, err
	}
	return &c, nil
}
