package clusterbootstrap

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/bootstrap"
	"github.com/tkr-project/tkr/pkg/tkrdata"
)

// ConditionCloned on a ClusterBootstrap says whether everything its packages refer to exists in
// the cluster's namespace, owned by the cluster: False names the object missing and what to do.
const ConditionCloned runv1alpha3.ConditionType = "Cloned"

// annotateCluster writes the proxy, trust and IP-family annotations from the Cluster's variables
// (spec §1.4 step 3), only when they change.
func (r *reconciler) annotateCluster(ctx context.Context, cluster *clusterv1.Cluster) error {
	view, err := tkrdata.ForCluster(cluster)
	if err != nil {
		return err
	}
	want, problems := bootstrap.ClusterAnnotations(view)
	for _, p := range problems {
		log.FromContext(ctx).Info("Cluster variable ignored for the add-on annotations", "problem", p.Error())
	}
	orig := cluster.DeepCopy()
	changed := false
	for k, v := range want {
		if cur, ok := cluster.Annotations[k]; !ok || cur != v {
			if cluster.Annotations == nil {
				cluster.Annotations = map[string]string{}
			}
			cluster.Annotations[k], changed = v, true
		}
	}
	if !changed {
		return nil
	}
	if err := r.client.Patch(ctx, cluster, client.MergeFrom(orig)); err != nil {
		return fmt.Errorf("writing proxy and network annotations on Cluster %s/%s: %w", cluster.Namespace, cluster.Name, err)
	}
	return nil
}

// unpause ends the pause the cluster-pause webhook set for an upgrade, once the ClusterBootstrap
// follows the TKR the pause was for (spec §1.4 step 11). Packages reach the workload cluster
// afterwards; the pause only has to hold Cluster API back until the add-on configuration moved.
func (r *reconciler) unpause(ctx context.Context, cluster *clusterv1.Cluster, cb *runv1alpha3.ClusterBootstrap) error {
	pausedFor, ok := cluster.Annotations[runv1alpha3.AnnotationClusterPaused]
	if !ok || cluster.Spec.Paused == nil || !*cluster.Spec.Paused || pausedFor != cb.Status.ResolvedTKR {
		return nil
	}
	orig := cluster.DeepCopy()
	delete(cluster.Annotations, runv1alpha3.AnnotationClusterPaused)
	no := false
	cluster.Spec.Paused = &no
	if err := r.client.Patch(ctx, cluster, client.MergeFrom(orig)); err != nil {
		return fmt.Errorf("unpausing Cluster %s/%s after its ClusterBootstrap moved to TKR %s: %w", cluster.Namespace, cluster.Name, pausedFor, err)
	}
	r.normal(cluster, "Unpaused", "ClusterBootstrap %s/%s follows TKR %s; the Cluster is unpaused.", cb.Namespace, cb.Name, pausedFor)
	return nil
}

// setCloned records the Cloned condition when it changes.
func (r *reconciler) setCloned(ctx context.Context, cb *runv1alpha3.ClusterBootstrap, status corev1.ConditionStatus, reason, message string) error {
	c := runv1alpha3.Condition{Type: ConditionCloned, Status: status, Reason: reason, Message: message}
	if status != corev1.ConditionTrue {
		c.Severity = runv1alpha3.ConditionSeverityWarning
	}
	next := cb.Status.Conditions.With(c, metav1.Now())
	if equality.Semantic.DeepEqual(next, cb.Status.Conditions) {
		return nil
	}
	orig := cb.DeepCopy()
	cb.Status.Conditions = next
	// The resource version makes the patch fail rather than drop another writer's condition;
	// the request is then retried on fresh data.
	if err := r.client.Status().Patch(ctx, cb, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})); err != nil {
		return fmt.Errorf("setting condition %s on ClusterBootstrap %s/%s: %w", ConditionCloned, cb.Namespace, cb.Name, err)
	}
	return nil
}
