// Package inuse is the validating webhook that keeps releases from disappearing under running
// clusters: it refuses to delete a TanzuKubernetesRelease that a Cluster is labelled with, or an
// OSImage that a Cluster's TKR_DATA names, and says which Clusters are in the way.
//
// Without it, a deleted release breaks the Clusters on it at their next update: the TKR resolver
// denies them with "the TKR is no longer available" (the original service's issue P13), and
// there is no way back short of re-creating the release. Only deletion is guarded; deactivating
// a release (the deactivated label) stays possible, because that is how an administrator
// retires it for new clusters while existing ones keep running.
package inuse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/tkr-project/tkr/pkg/tkrdata"
)

// Path is where the API server sends TKR and OSImage deletions.
const Path = "/validate-tkr-in-use"

// Name is the webhook's name in the ValidatingWebhookConfiguration; the API server prefixes
// denials with it (admission webhook "<Name>" denied the request: ...).
const Name = "tkr-in-use-webhook.tanzu.vmware.com"

// maxListed caps the Clusters a denial names; the rest are counted. A release used by hundreds
// of clusters would otherwise produce a message nobody reads to the end.
const maxListed = 10

// +kubebuilder:webhook:path=/validate-tkr-in-use,mutating=false,failurePolicy=fail,matchPolicy=Equivalent,sideEffects=None,groups=run.tanzu.vmware.com,resources=tanzukubernetesreleases;osimages,verbs=delete,versions=v1alpha3,name=tkr-in-use-webhook.tanzu.vmware.com,admissionReviewVersions=v1
// +kubebuilder:rbac:groups=cluster.x-k8s.io,resources=clusters,verbs=get;list;watch

// Setup indexes the Clusters in mgr's cache by the TKRs and OSImages they use, and registers the
// webhook at Path.
func Setup(mgr ctrl.Manager) error {
	if err := addIndexes(context.Background(), mgr.GetFieldIndexer()); err != nil {
		return err
	}
	mgr.GetWebhookServer().Register(Path, &webhook.Admission{Handler: &Webhook{Reader: mgr.GetClient()}})
	return nil
}

// addIndexes adds the field indexes the webhook lists Clusters by.
func addIndexes(ctx context.Context, indexer client.FieldIndexer) error {
	if err := indexer.IndexField(ctx, &clusterv1.Cluster{}, indexTKR, indexTKRs); err != nil {
		return fmt.Errorf("indexing Clusters by TKR: %w", err)
	}
	if err := indexer.IndexField(ctx, &clusterv1.Cluster{}, indexOSImage, indexOSImages); err != nil {
		return fmt.Errorf("indexing Clusters by OSImage: %w", err)
	}
	return nil
}

// Webhook denies deleting a TKR or an OSImage that a Cluster uses.
type Webhook struct {
	// Reader lists v1beta2 Clusters by the field indexes of addIndexes: the manager's cache, so
	// that a delete looks at the Clusters that use the object rather than at every Cluster.
	Reader client.Reader
}

// guarded describes a resource the webhook guards.
type guarded struct {
	kind  string
	index string
	// what names the object in the advice, and how to deactivate it.
	what, deactivate string
}

// resources maps the resource names in admission requests to what the webhook does with them.
var resources = map[string]guarded{
	"tanzukubernetesreleases": {
		kind: "TanzuKubernetesRelease", index: indexTKR,
		what: "the release", deactivate: "label it deactivated, e.g. with tkr deactivate %s",
	},
	"osimages": {
		kind: "OSImage", index: indexOSImage,
		what: "the image", deactivate: "label it deactivated, e.g. with kubectl label osimage %s deactivated=",
	},
}

// Handle implements admission.Handler.
func (w *Webhook) Handle(ctx context.Context, req admission.Request) admission.Response {
	g, ok := resources[req.Resource.Resource]
	if req.Operation != admissionv1.Delete || !ok {
		// The configuration only sends deletions of the two kinds; anything else is not ours
		// to judge.
		return admission.Allowed("")
	}
	name, err := objectName(req)
	if err != nil {
		return admission.Errored(http.StatusBadRequest, fmt.Errorf("cannot tell which %s is being deleted: %w", g.kind, err))
	}
	list := &clusterv1.ClusterList{}
	if err := w.Reader.List(ctx, list, client.MatchingFields{g.index: name}); err != nil {
		return admission.Errored(http.StatusServiceUnavailable, fmt.Errorf(
			"cannot tell whether Clusters still use %s %s, so it is not deleted: listing Clusters: %w; retry shortly", g.kind, name, err))
	}
	if len(list.Items) == 0 {
		return admission.Allowed("")
	}
	users := make([]string, 0, len(list.Items))
	for i := range list.Items {
		users = append(users, describe(&list.Items[i], g, name))
	}
	slices.Sort(users)
	return admission.Denied(denial(g, name, users))
}

// objectName returns the name of the object being deleted. A plain delete names it in the
// request, but a delete of a collection (kubectl delete tkr --all, or -l) sends one request per
// object with no name, only the object: reading the name from the request alone would let
// every such delete through.
func objectName(req admission.Request) (string, error) {
	if req.Name != "" {
		return req.Name, nil
	}
	var old struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if len(req.OldObject.Raw) == 0 {
		return "", errors.New("the admission request has neither a name nor the object")
	}
	if err := json.Unmarshal(req.OldObject.Raw, &old); err != nil {
		return "", fmt.Errorf("decoding the object in the admission request: %w", err)
	}
	if old.Metadata.Name == "" {
		return "", errors.New("the object in the admission request has no name")
	}
	return old.Metadata.Name, nil
}

// describe names a Cluster that uses the object name, with what a user needs to know to act on
// it: that it is already being deleted, or that only some of its machine deployments use an
// OSImage (which the cluster-level TKR_DATA does not show).
func describe(c *clusterv1.Cluster, g guarded, name string) string {
	var notes []string
	if g.index == indexOSImage {
		if view, err := tkrdata.ForCluster(c); err == nil {
			if uses, err := clusterOSImages(view); err == nil && uses[name] != nil && !uses[name].cluster {
				mds := uses[name].machineDeployments
				notes = append(notes, plural(len(mds), "machine deployment", "machine deployments")+" "+strings.Join(mds, ", "))
			}
		}
	}
	if !c.DeletionTimestamp.IsZero() {
		notes = append(notes, "being deleted")
	}
	s := c.Namespace + "/" + c.Name
	if len(notes) > 0 {
		s += " [" + strings.Join(notes, "; ") + "]"
	}
	return s
}

// denial is the message of a refused delete: what is used, by whom, and the two ways out.
func denial(g guarded, name string, users []string) string {
	listed := users
	if len(users) > maxListed {
		listed = append(slices.Clone(users[:maxListed]), fmt.Sprintf("and %d more", len(users)-maxListed))
	}
	return fmt.Sprintf("%s %s is used by %d %s (%s); delete or upgrade them first, or deactivate %s instead (%s) to stop new clusters from using it.",
		g.kind, name, len(users), plural(len(users), "Cluster", "Clusters"), strings.Join(listed, ", "), g.what, fmt.Sprintf(g.deactivate, name))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
