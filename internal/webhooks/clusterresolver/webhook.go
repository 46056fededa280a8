// Package clusterresolver is the mutating webhook that resolves every ClusterClass-based Cluster
// to one TanzuKubernetesRelease and, per part, one OSImage, writing TKR_DATA, the
// run.tanzu.vmware.com/tkr label and spec.topology.version (see package resolution).
package clusterresolver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/webhooks/clusteradmission"
	"github.com/tkr-project/tkr/pkg/resolution"
	"github.com/tkr-project/tkr/pkg/tkrdata"
)

// Path is where the API server sends Cluster admissions.
const Path = "/mutate-cluster"

// Name is the webhook's name in the MutatingWebhookConfiguration; the API server prefixes
// denials with it (admission webhook "<Name>" denied the request: ...).
const Name = "tkr-resolver-cluster-webhook.tanzu.vmware.com"

// +kubebuilder:webhook:path=/mutate-cluster,mutating=true,failurePolicy=fail,matchPolicy=Equivalent,sideEffects=NoneOnDryRun,groups=cluster.x-k8s.io,resources=clusters,verbs=create;update,versions=v1beta1;v1beta2,name=tkr-resolver-cluster-webhook.tanzu.vmware.com,admissionReviewVersions=v1,reinvocationPolicy=IfNeeded
// +kubebuilder:rbac:groups=cluster.x-k8s.io,resources=clusters;clusterclasses,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Webhook resolves Clusters against the catalogue.
type Webhook struct {
	Catalog *Catalog
	// Reader reads ClusterClasses (the manager's cache); APIReader reads the API server, for a
	// ClusterClass created moments before its Cluster and not yet in the cache.
	Reader    client.Reader
	APIReader client.Reader
	Decoder   admission.Decoder
	// Events records what was resolved or why not, on the Cluster; nil records nothing.
	Events  events.EventRecorder
	Options resolution.Options
	// CatalogWait bounds how long a request waits for the initial catalogue load (the
	// readiness probe keeps traffic away until then on a real cluster; a request that arrives
	// anyway, e.g. without a Service in front, waits rather than being denied).
	CatalogWait time.Duration
}

// Handle implements admission.Handler. Creates and updates are handled alike: whether anything
// needs resolving follows from the Cluster itself (package resolution's "already resolved"
// test), not from the operation.
func (w *Webhook) Handle(ctx context.Context, req admission.Request) admission.Response {
	start := time.Now()
	resp, outcome := w.handle(ctx, req)
	admissions.WithLabelValues(outcome).Inc()
	admissionSeconds.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
	return resp
}

func (w *Webhook) handle(ctx context.Context, req admission.Request) (admission.Response, string) {
	cluster, err := clusteradmission.Decode(w.Decoder, req, "resolve a TKR")
	if err != nil {
		return admission.Errored(http.StatusBadRequest, err), outcomeErrored
	}
	obj := cluster.Object()
	switch {
	case cluster.Paused():
		return admission.Allowed("Doing nothing. Cluster is paused."), outcomeSkipped
	case cluster.GetDeletionTimestamp() != nil:
		return admission.Allowed("Doing nothing. Cluster is being deleted"), outcomeSkipped
	case !cluster.HasTopology():
		return admission.Allowed("Skipping TKR resolution: cluster.spec.topology not present"), outcomeSkipped
	}
	cc, err := w.clusterClass(ctx, cluster)
	if err != nil {
		if apierrors.IsNotFound(err) {
			return admission.Denied(fmt.Sprintf("ClusterClass not found: the Cluster %s/%s uses ClusterClass %s/%s, which does not exist; create it first or fix spec.topology.class.",
				cluster.GetNamespace(), cluster.GetName(), cluster.ClassNamespace(), cluster.ClassName())), outcomeDenied
		}
		return admission.Errored(http.StatusBadGateway, fmt.Errorf("error getting ClusterClass: %w", err)), outcomeErrored
	}
	if err := w.waitForCatalog(ctx); err != nil {
		return admission.Errored(http.StatusServiceUnavailable, err), outcomeErrored
	}

	out, err := resolution.ResolveAndSetMetadata(cluster, cc, w.Catalog.Resolver, w.Options)
	for _, warning := range out.Warnings {
		log.FromContext(ctx).Info("ignoring a cluster variable", "cluster", req.Namespace+"/"+req.Name, "reason", warning.Error())
	}
	if err != nil {
		w.event(req, obj, corev1.EventTypeWarning, "TKRResolutionFailed", firstLine(err.Error()))
		return admission.Denied(w.denial(cluster, err)), outcomeDenied
	}
	if out.Query == nil || len(out.Resolved) == 0 {
		return cluster.Patch(), outcomeUnchanged
	}
	note := fmt.Sprintf("Resolved %s to TKR %s.", strings.Join(out.Resolved, ", "), out.TKRName)
	if req.Operation == admissionv1.Create {
		w.eventOnceCreated(req, out.TKRName, note)
	} else {
		w.event(req, obj, corev1.EventTypeNormal, "TKRResolved", note)
	}
	return cluster.Patch(), outcomeResolved
}

// clusterClass reads the ClusterClass from the cache in the version Cluster API stores; a
// Cluster with no class name has none (a nil view).
func (w *Webhook) clusterClass(ctx context.Context, cluster tkrdata.Cluster) (tkrdata.ClusterClass, error) {
	if cluster.ClassName() == "" {
		return nil, nil
	}
	cc := &clusterv1.ClusterClass{}
	key := client.ObjectKey{Namespace: cluster.ClassNamespace(), Name: cluster.ClassName()}
	err := w.Reader.Get(ctx, key, cc)
	if apierrors.IsNotFound(err) && w.APIReader != nil {
		err = w.APIReader.Get(ctx, key, cc)
	}
	if err != nil {
		return nil, err
	}
	return tkrdata.ForClusterClass(cc)
}

func (w *Webhook) waitForCatalog(ctx context.Context) error {
	select {
	case <-w.Catalog.Loaded():
		return nil // every request but those in the first seconds after start
	default:
	}
	wait := w.CatalogWait
	if wait == 0 {
		wait = 10 * time.Second
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-w.Catalog.Loaded():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("the TKR catalogue is still loading: %w", ctx.Err())
	case <-t.C:
		return fmt.Errorf("the TKR catalogue is still loading after %s; retry shortly", wait)
	}
}

// denial names the Cluster; an unresolved cluster keeps the original first line, so existing
// runbooks still match, and the explanation follows.
func (w *Webhook) denial(cluster tkrdata.Cluster, err error) string {
	var unresolved *resolution.UnresolvedError
	if errors.As(err, &unresolved) {
		return fmt.Sprintf("%s\nCluster %s/%s: %s", unresolved.Summary, cluster.GetNamespace(), cluster.GetName(), unresolved.Explanation.String())
	}
	return fmt.Sprintf("Cluster %s/%s: %s", cluster.GetNamespace(), cluster.GetName(), err.Error())
}

// event records on the Cluster; not on dry runs, which must have no side effects.
func (w *Webhook) event(req admission.Request, obj runtime.Object, eventType, reason, note string) {
	if w.Events == nil || (req.DryRun != nil && *req.DryRun) {
		return
	}
	w.Events.Eventf(obj, nil, eventType, reason, "Resolve", "%s", note)
}

// createdWait bounds how long eventOnceCreated waits for a new Cluster to reach the cache.
const createdWait = 10 * time.Second

// eventOnceCreated records TKRResolved on a Cluster being created, once it exists. During
// admission a new object has no UID yet (the API server assigns it when storing), and an Event
// without one is listed by kubectl get events but not shown by kubectl describe, which matches
// on the UID. So the Event waits, in the background and for a bounded time, until the Cluster is
// in the cache; if the create never lands (a later webhook denies it), nothing is recorded.
func (w *Webhook) eventOnceCreated(req admission.Request, tkrName, note string) {
	if w.Events == nil || (req.DryRun != nil && *req.DryRun) {
		return
	}
	key := client.ObjectKey{Namespace: req.Namespace, Name: req.Name}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), createdWait)
		defer cancel()
		for {
			cluster := &clusterv1.Cluster{}
			if err := w.Reader.Get(ctx, key, cluster); err == nil && cluster.Labels[runv1alpha3.LabelTKR] == tkrName {
				w.Events.Eventf(cluster, nil, corev1.EventTypeNormal, "TKRResolved", "Resolve", "%s", note)
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
