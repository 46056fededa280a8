package status

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
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

// compatibleSet reads the compatibility inputs: the management cluster's version, the
// bom-metadata ConfigMap and the additional-compatible-tkrs ConfigMaps. Missing inputs are not
// errors (the Compatible condition explains them); only failing reads are.
func (r *tkrConditions) compatibleSet(ctx context.Context) (*compatibility.Set, error) {
	src := compatibility.Sources{Namespace: r.opts.Namespace}
	var err error
	if src.ManagementClusterVersion, src.ManagementClusterVersionFrom, err = r.managementClusterVersion(ctx); err != nil {
		return nil, err
	}
	cm := &corev1.ConfigMap{}
	switch err := r.namespaced.Get(ctx, client.ObjectKey{Namespace: r.opts.Namespace, Name: compatibility.MetadataConfigMap}, cm); {
	case err == nil:
		src.Metadata = cm
	case !apierrors.IsNotFound(err):
		return nil, fmt.Errorf("reading ConfigMap %s/%s: %w", r.opts.Namespace, compatibility.MetadataConfigMap, err)
	}
	l := &corev1.ConfigMapList{}
	if err := r.namespaced.List(ctx, l, client.InNamespace(r.opts.Namespace), client.HasLabels{runv1alpha3.LabelAdditionalCompatibleTKRs}); err != nil {
		return nil, fmt.Errorf("listing additional-compatible-tkrs ConfigMaps in %s: %w", r.opts.Namespace, err)
	}
	src.Additional = l.Items
	return compatibility.New(src), nil
}

// managementClusterVersion returns the configured TKG version or else the TKGVERSION annotation
// of a Cluster labelled as the management cluster, and where it came from; "" when neither
// exists. Should several labelled Clusters carry the annotation, the first by namespace/name
// wins, so the answer does not depend on the cache's order.
func (r *tkrConditions) managementClusterVersion(ctx context.Context) (version, from string, err error) {
	if r.opts.TKGVersion != "" {
		return r.opts.TKGVersion, "the tkg-version setting", nil
	}
	l := &clusterv1.ClusterList{}
	if err := r.client.List(ctx, l, client.HasLabels{runv1alpha3.LabelManagementCluster}); err != nil {
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
