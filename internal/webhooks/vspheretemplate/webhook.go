// Package vspheretemplate is the mutating webhook that finds, for every node pool of a resolved
// vSphere Cluster, the VM template of its OS image in vCenter, and writes its inventory path and
// MOID into TKR_DATA (osImageRef.template, osImageRef.moid), where the ClusterClass hands them
// to Cluster API Provider vSphere. It runs after the TKR resolver (reinvocationPolicy IfNeeded).
//
// Matching rules and messages live in pkg/vsphere; vCenter sessions and the template index in
// internal/vcenter. This package reads the Cluster, its credentials and answers the admission.
package vspheretemplate

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/events"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/tkr-project/tkr/internal/vcenter"
	"github.com/tkr-project/tkr/internal/webhooks/clusteradmission"
	"github.com/tkr-project/tkr/pkg/tkrdata"
	"github.com/tkr-project/tkr/pkg/vsphere"
)

// Path is where the API server sends Cluster admissions, as in the original.
const Path = "/resolve-template"

// Name is the webhook's name in the MutatingWebhookConfiguration, as in the original; the API
// server prefixes denials with it. It sorts after the TKR resolver's, so on a create the
// resolver runs first, and reinvocation covers any other order.
const Name = "tkr-vsphere-resolver-webhook.tanzu.vmware.com"

// SkipDeleting is the reason a Cluster being deleted is left alone.
const SkipDeleting = "skipping VM template resolution: the Cluster is being deleted"

// InfrastructureKind is the ClusterClass infrastructure template kind of CAPV.
const InfrastructureKind = "VSphereClusterTemplate"

// +kubebuilder:webhook:path=/resolve-template,mutating=true,failurePolicy=fail,matchPolicy=Equivalent,sideEffects=None,groups=cluster.x-k8s.io,resources=clusters,verbs=create;update,versions=v1beta1;v1beta2,name=tkr-vsphere-resolver-webhook.tanzu.vmware.com,admissionReviewVersions=v1,reinvocationPolicy=IfNeeded,timeoutSeconds=30
// +kubebuilder:rbac:groups=cluster.x-k8s.io,resources=clusters;clusterclasses,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get
// +kubebuilder:rbac:groups=infrastructure.cluster.x-k8s.io,resources=vsphereclusteridentities,verbs=get
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Resolver finds templates in one vCenter datacenter; *vcenter.Pool is the real one.
type Resolver interface {
	Resolve(ctx context.Context, ep vcenter.Endpoint, wanted map[vsphere.Query][]string) (map[vsphere.Query]vsphere.Result, error)
}

// Webhook resolves VM templates for vSphere Clusters.
type Webhook struct {
	// Reader reads ClusterClasses (the manager's cache).
	Reader client.Reader
	// SecretReader reads Secrets and VSphereClusterIdentities straight from the API server, so
	// the process neither caches nor watches every Secret of the management cluster.
	SecretReader client.Reader
	Decoder      admission.Decoder
	Resolver     Resolver
	// Events records on updated Clusters which templates were written or why none was; nil
	// records nothing. A create records nothing: a denied one never exists, and an admitted one
	// has no UID yet, which kubectl describe needs to show an Event.
	Events events.EventRecorder
}

// Handle implements admission.Handler.
func (w *Webhook) Handle(ctx context.Context, req admission.Request) admission.Response {
	start := time.Now()
	resp, outcome := w.handle(ctx, req)
	admissions.WithLabelValues(outcome).Inc()
	admissionSeconds.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
	if !resp.Allowed || outcome == outcomeResolved {
		msg := ""
		if resp.Result != nil {
			msg = resp.Result.Message
		}
		log.FromContext(ctx).Info("VM template resolution", "cluster", req.Namespace+"/"+req.Name, "outcome", outcome, "message", msg)
	}
	return resp
}

func (w *Webhook) handle(ctx context.Context, req admission.Request) (admission.Response, string) {
	cluster, err := clusteradmission.Decode(w.Decoder, req, "resolve VM templates")
	if err != nil {
		return admission.Errored(http.StatusBadRequest, err), outcomeErrored
	}
	// A Cluster being deleted only loses finalizers; denying that (vCenter down, a template gone)
	// would keep it from being deleted. The original did not check.
	if cluster.GetDeletionTimestamp() != nil {
		return admission.Allowed(SkipDeleting), outcomeSkipped
	}
	plan, skip, planErr := vsphere.PlanFor(cluster)
	if planErr == nil && plan == nil {
		return admission.Allowed(skip), outcomeSkipped
	}
	// Only then is the ClusterClass read; and before a TKR_DATA error is reported, since another
	// infrastructure's osImageRef ({id, region} of an AMI) has no OVA version to find.
	if ok, why, err := w.isVSphere(ctx, cluster); err != nil {
		return admission.Errored(http.StatusBadGateway, err), outcomeErrored
	} else if !ok {
		return admission.Allowed(why), outcomeSkipped
	}
	if planErr != nil {
		return admission.Denied(planErr.Error()), outcomeDenied
	}
	ep, err := EndpointFor(ctx, w.SecretReader, cluster)
	if err != nil {
		return admission.Denied(err.Error()), outcomeDenied
	}
	results, err := w.Resolver.Resolve(ctx, ep, plan.Wanted())
	if err == nil {
		err = plan.Apply(cluster, results)
	}
	if err != nil {
		msg := fmt.Sprintf("%s\nCluster %s was checked against vCenter %s, datacenter %s.", err, key(cluster), ep.Server, ep.Datacenter)
		w.event(req, cluster, corev1.EventTypeWarning, "VMTemplateResolutionFailed", strings.SplitN(msg, "\n", 2)[0])
		return admission.Denied(msg), outcomeDenied
	}
	w.event(req, cluster, corev1.EventTypeNormal, "VMTemplateResolved", "Resolved the VM templates of "+plan.Summary(results)+".")
	return cluster.Patch(), outcomeResolved
}

// event records on the Cluster being updated; not on creates (see Events) nor dry runs, which
// must have no side effects.
func (w *Webhook) event(req admission.Request, c tkrdata.Cluster, eventType, reason, note string) {
	if w.Events == nil || req.Operation != admissionv1.Update || (req.DryRun != nil && *req.DryRun) {
		return
	}
	w.Events.Eventf(c.Object(), nil, eventType, reason, "ResolveTemplate", "%s", note)
}

// isVSphere reports whether c runs on vSphere: it carries the vcenter variable, or its
// ClusterClass's infrastructure template is CAPV's. One tkr process serves every
// infrastructure, so other Clusters are skipped with the reason; the original was installed on
// vSphere management clusters only and checked nothing.
func (w *Webhook) isVSphere(ctx context.Context, c tkrdata.Cluster) (bool, string, error) {
	if _, ok := c.Variable(VarVCenter); ok {
		return true, "", nil
	}
	if c.ClassName() == "" {
		return false, fmt.Sprintf("skipping VM template resolution: the Cluster %s has no ClusterClass and no vcenter variable, so it is not a vSphere cluster", key(c)), nil
	}
	cc := &clusterv1.ClusterClass{}
	err := w.Reader.Get(ctx, client.ObjectKey{Namespace: c.ClassNamespace(), Name: c.ClassName()}, cc)
	if apierrors.IsNotFound(err) {
		return false, fmt.Sprintf("skipping VM template resolution: the ClusterClass %s/%s of the Cluster %s does not exist and the Cluster has no vcenter variable", c.ClassNamespace(), c.ClassName(), key(c)), nil
	}
	if err != nil {
		return false, "", fmt.Errorf("error getting ClusterClass %s/%s: %w", c.ClassNamespace(), c.ClassName(), err)
	}
	if kind := cc.Spec.Infrastructure.TemplateRef.Kind; kind != InfrastructureKind {
		return false, fmt.Sprintf("skipping VM template resolution: the Cluster %s is not a vSphere cluster (its ClusterClass %s/%s uses %s, and it has no vcenter variable)", key(c), cc.Namespace, cc.Name, kind), nil
	}
	return true, "", nil
}
