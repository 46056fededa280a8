// Package compatibilityinputs reads, from an API server, what a management cluster's compatible
// release set is decided from (pkg/compatibility decides it), and says which object events can
// change it. The status controller (Compatible conditions) and the source controller (what to
// pull) both use it, so the two can never disagree about the set.
package compatibilityinputs

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/compatibility"
)

// Reader reads the inputs.
type Reader struct {
	// Clusters reads Cluster objects; unused when TKGVersion is set.
	Clusters client.Reader
	// ConfigMaps reads ConfigMaps of Namespace.
	ConfigMaps client.Reader
	// Namespace holds bom-metadata and the additional-compatible-tkrs ConfigMaps.
	Namespace string
	// TKGVersion, when set, is the management cluster's version and overrides the TKGVERSION
	// annotation.
	TKGVersion string
}

// Read returns the inputs. Missing inputs are not errors (the compatible set explains them);
// only failing reads are.
func (r Reader) Read(ctx context.Context) (compatibility.Sources, error) {
	src := compatibility.Sources{Namespace: r.Namespace}
	var err error
	if src.ManagementClusterVersion, src.ManagementClusterVersionFrom, err = r.ManagementClusterVersion(ctx); err != nil {
		return src, err
	}
	cm := &corev1.ConfigMap{}
	switch err := r.ConfigMaps.Get(ctx, client.ObjectKey{Namespace: r.Namespace, Name: compatibility.MetadataConfigMap}, cm); {
	case err == nil:
		src.Metadata = cm
	case !apierrors.IsNotFound(err):
		return src, fmt.Errorf("reading ConfigMap %s/%s: %w", r.Namespace, compatibility.MetadataConfigMap, err)
	}
	l := &corev1.ConfigMapList{}
	if err := r.ConfigMaps.List(ctx, l, client.InNamespace(r.Namespace), client.HasLabels{runv1alpha3.LabelAdditionalCompatibleTKRs}); err != nil {
		return src, fmt.Errorf("listing additional-compatible-tkrs ConfigMaps in %s: %w", r.Namespace, err)
	}
	src.Additional = l.Items
	return src, nil
}

// ManagementClusterVersion returns the configured TKG version or else the TKGVERSION annotation
// of a Cluster labelled as the management cluster, and where it came from; "" when neither
// exists. Should several labelled Clusters carry the annotation, the first by namespace/name
// wins, so the answer does not depend on list order.
func (r Reader) ManagementClusterVersion(ctx context.Context) (version, from string, err error) {
	if r.TKGVersion != "" {
		return r.TKGVersion, "the tkg-version setting", nil
	}
	l := &clusterv1.ClusterList{}
	if err := r.Clusters.List(ctx, l, client.HasLabels{runv1alpha3.LabelManagementCluster}); err != nil {
		return "", "", fmt.Errorf("listing the Clusters labelled %s: %w", runv1alpha3.LabelManagementCluster, err)
	}
	var first *clusterv1.Cluster
	for i := range l.Items {
		c := &l.Items[i]
		if c.Annotations[runv1alpha3.AnnotationTKGVersion] == "" {
			continue
		}
		if first == nil || c.Namespace+"/"+c.Name < first.Namespace+"/"+first.Name {
			first = c
		}
	}
	if first == nil {
		return "", "", nil
	}
	return first.Annotations[runv1alpha3.AnnotationTKGVersion],
		fmt.Sprintf("the %s annotation of Cluster %s/%s", runv1alpha3.AnnotationTKGVersion, first.Namespace, first.Name), nil
}

// ConfigMapChanged passes events of the ConfigMaps compatibility is read from: bom-metadata and
// the additional-compatible-tkrs ones, including a ConfigMap that just lost or gained the label.
// The original ignored the additional ones, so editing them changed nothing until a TKR happened
// to change.
var ConfigMapChanged = predicate.TypedFuncs[*corev1.ConfigMap]{
	CreateFunc: func(e event.TypedCreateEvent[*corev1.ConfigMap]) bool { return IsInput(e.Object) },
	DeleteFunc: func(e event.TypedDeleteEvent[*corev1.ConfigMap]) bool { return IsInput(e.Object) },
	UpdateFunc: func(e event.TypedUpdateEvent[*corev1.ConfigMap]) bool {
		return IsInput(e.ObjectOld) || IsInput(e.ObjectNew)
	},
	GenericFunc: func(event.TypedGenericEvent[*corev1.ConfigMap]) bool { return false },
}

// IsInput reports whether cm is bom-metadata or an additional-compatible-tkrs ConfigMap.
func IsInput(cm *corev1.ConfigMap) bool {
	_, additional := cm.Labels[runv1alpha3.LabelAdditionalCompatibleTKRs]
	return additional || cm.Name == compatibility.MetadataConfigMap
}

// ManagementClusterVersionChanged passes the Cluster events that can change the management
// cluster's version: a management Cluster appearing, going, gaining or losing the role label,
// or its TKGVERSION annotation changing.
var ManagementClusterVersionChanged = predicate.Funcs{
	CreateFunc: func(e event.CreateEvent) bool { return isManagementCluster(e.Object) },
	DeleteFunc: func(e event.DeleteEvent) bool { return isManagementCluster(e.Object) },
	UpdateFunc: func(e event.UpdateEvent) bool {
		o, n := e.ObjectOld, e.ObjectNew
		if !isManagementCluster(o) && !isManagementCluster(n) {
			return false
		}
		return isManagementCluster(o) != isManagementCluster(n) ||
			o.GetAnnotations()[runv1alpha3.AnnotationTKGVersion] != n.GetAnnotations()[runv1alpha3.AnnotationTKGVersion]
	},
	GenericFunc: func(event.GenericEvent) bool { return false },
}

func isManagementCluster(o client.Object) bool {
	_, ok := o.GetLabels()[runv1alpha3.LabelManagementCluster]
	return ok
}

// NamespaceCache returns a cache of namespace only, started with mgr's caches. The compatibility
// ConfigMaps are watched through it: a management cluster holds many large ConfigMaps elsewhere
// that no tkr controller needs in memory.
func NamespaceCache(mgr ctrl.Manager, namespace string) (cache.Cache, error) {
	c, err := cache.New(mgr.GetConfig(), cache.Options{
		HTTPClient:        mgr.GetHTTPClient(),
		Scheme:            mgr.GetScheme(),
		Mapper:            mgr.GetRESTMapper(),
		DefaultNamespaces: map[string]cache.Config{namespace: {}},
	})
	if err != nil {
		return nil, fmt.Errorf("creating the cache of namespace %s: %w", namespace, err)
	}
	if err := mgr.Add(cacheRunnable{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// cacheRunnable puts a cache into the manager's cache group, so it starts before any controller
// and the manager waits for it to sync.
type cacheRunnable struct{ cache.Cache }

// GetCache implements the manager's hasCache interface.
func (c cacheRunnable) GetCache() cache.Cache { return c.Cache }
