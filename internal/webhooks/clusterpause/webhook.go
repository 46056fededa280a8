// Package clusterpause is the mutating webhook that pauses a Cluster whose TKR changes, until
// the ClusterBootstrap controller has moved the cluster's ClusterBootstrap to the new TKR.
package clusterpause

import (
	"context"
	"fmt"
	"net/http"

	admissionv1 "k8s.io/api/admission/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/webhooks/clusteradmission"
)

// Path is where the API server sends Cluster admissions for this webhook.
const Path = "/pause-cluster"

// Name is the webhook configuration entry this package serves (config/webhook).
//
// Quirk (decided): the original registered this webhook as "default.cluster.cluster.x-k8s.io"
// at /mutate-cluster-x-k8s-io-v1beta1-cluster, which are Cluster API's own defaulting webhook's
// name and path, so a denial could not be told apart from Cluster API's. It has a name of its own.
const Name = "tkr-cluster-pause-webhook.tanzu.vmware.com"

// The webhook runs after the TKR resolver in the same admission chain: the resolver sets the
// run.tanzu.vmware.com/tkr label, so this webhook is reinvoked (IfNeeded) to see the label.
//
// +kubebuilder:webhook:path=/pause-cluster,mutating=true,failurePolicy=fail,matchPolicy=Equivalent,sideEffects=None,groups=cluster.x-k8s.io,resources=clusters,verbs=create;update,versions=v1beta1;v1beta2,name=tkr-cluster-pause-webhook.tanzu.vmware.com,admissionReviewVersions=v1,reinvocationPolicy=IfNeeded
// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=tanzukubernetesreleases,verbs=get;list;watch

// Setup registers the webhook with mgr.
func Setup(mgr ctrl.Manager) error {
	mgr.GetWebhookServer().Register(Path, &webhook.Admission{Handler: &Webhook{
		Reader:  mgr.GetClient(),
		Decoder: admission.NewDecoder(mgr.GetScheme()),
	}})
	return nil
}

// Webhook pauses Clusters whose TKR label changes.
type Webhook struct {
	// Reader reads TKRs (the manager's cache).
	Reader  client.Reader
	Decoder admission.Decoder
}

// Handle implements admission.Handler.
//
// The original read the stored Cluster with a GET to learn its current TKR label. This webhook
// reads the request's old object instead (deliberate deviation): it is the stored Cluster the
// update applies to, so the semantics are the same, and there is no race with a concurrent write
// nor a stale cache. A create has no old object, which is the original's "stored Cluster is
// NotFound" case.
func (w *Webhook) Handle(ctx context.Context, req admission.Request) admission.Response {
	cluster, err := clusteradmission.Decode(w.Decoder, req, "pause a Cluster for a TKR upgrade")
	if err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	newTKR, ok := cluster.GetLabels()[runv1alpha3.LabelTKR]
	if !ok {
		return admission.Allowed("the Cluster has no " + runv1alpha3.LabelTKR + " label")
	}
	if req.Operation != admissionv1.Update || len(req.OldObject.Raw) == 0 {
		return admission.Allowed("a new Cluster is not being upgraded")
	}
	old, err := w.oldLabels(req)
	if err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	currentTKR, hasCurrent := old[runv1alpha3.LabelTKR]
	if hasCurrent && currentTKR == newTKR {
		return admission.Allowed("the TKR did not change")
	}
	if hasCurrent && currentTKR != "" {
		tkr := &runv1alpha3.TanzuKubernetesRelease{}
		if err := w.Reader.Get(ctx, client.ObjectKey{Name: currentTKR}, tkr); err != nil {
			if apierrors.IsNotFound(err) {
				// Nothing is known of the current TKR, so nothing can be said about its
				// ClusterBootstrap either; the upgrade is not held.
				return admission.Allowed("the Cluster's current TKR " + currentTKR + " does not exist")
			}
			return admission.Errored(http.StatusServiceUnavailable, fmt.Errorf(
				"cannot read TKR %s, the current TKR of Cluster %s/%s, to decide whether to pause the Cluster for its upgrade to %s: %w; retry",
				currentTKR, req.Namespace, req.Name, newTKR, err))
		}
		if _, legacy := tkr.Labels[runv1alpha3.LabelLegacyTKR]; legacy {
			// Legacy clusters have no ClusterBootstrap that would unpause them.
			return admission.Allowed("the Cluster's current TKR " + currentTKR + " is a legacy TKR")
		}
	}
	setPaused(cluster.Object())
	annotations := cluster.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[runv1alpha3.AnnotationClusterPaused] = newTKR
	cluster.SetAnnotations(annotations)
	log.FromContext(ctx).Info("pausing the Cluster until its ClusterBootstrap is moved to the new TKR",
		"cluster", req.Namespace+"/"+req.Name, "from", currentTKR, "to", newTKR)
	return cluster.Patch()
}

// oldLabels reads the labels of the request's old object, whatever its version.
func (w *Webhook) oldLabels(req admission.Request) (map[string]string, error) {
	var obj client.Object
	switch req.Kind.Version {
	case clusterv1beta1.GroupVersion.Version:
		obj = &clusterv1beta1.Cluster{}
	default:
		obj = &clusterv1.Cluster{}
	}
	if err := w.Decoder.DecodeRaw(req.OldObject, obj); err != nil {
		return nil, fmt.Errorf("decoding the Cluster as it was before the update: %w", err)
	}
	return obj.GetLabels(), nil
}

// setPaused sets spec.paused, a bool in v1beta1 and a *bool in v1beta2.
func setPaused(obj any) {
	switch c := obj.(type) {
	case *clusterv1beta1.Cluster:
		c.Spec.Paused = true
	case *clusterv1.Cluster:
		paused := true
		c.Spec.Paused = &paused
	}
}
