// Package clusteradmission holds what every tkr webhook on Cluster API Clusters does alike:
// decoding the Cluster in the version the API server sent, and answering with a patch of only
// what the webhook changed.
package clusteradmission

import (
	"encoding/json"
	"fmt"
	"net/http"

	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/tkr-project/tkr/pkg/tkrdata"
)

// Cluster is a decoded Cluster admission: the version-neutral view of the typed object (whose
// Object method returns it), and the object as decoded, which Patch diffs against.
type Cluster struct {
	tkrdata.Cluster
	original []byte
}

// Decode reads the Cluster in the version the API server sent: v1beta1 from users and the seed,
// v1beta2 from current Cluster API clients. Webhooks handle each natively, with the same result.
// what names the webhook's job in the error for another version. Any error is the request's
// fault (an answer of 400).
func Decode(d admission.Decoder, req admission.Request, what string) (*Cluster, error) {
	var obj client.Object
	switch req.Kind.Version {
	case clusterv1beta1.GroupVersion.Version:
		obj = &clusterv1beta1.Cluster{}
	case clusterv1.GroupVersion.Version:
		obj = &clusterv1.Cluster{}
	default:
		return nil, fmt.Errorf("cannot %s for a %s Cluster: this webhook handles cluster.x-k8s.io v1beta1 and v1beta2", what, req.Kind.Version)
	}
	if err := d.Decode(req, obj); err != nil {
		return nil, err
	}
	view, err := tkrdata.ForCluster(obj)
	if err != nil {
		return nil, err
	}
	// The patch is computed against the decoded object, not the raw request: re-encoding a typed
	// Cluster adds zero values the user never wrote (spec.controlPlaneEndpoint, status), and those
	// must not leak into the patch. Diffing typed-before with typed-after leaves only our changes.
	original, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("re-encoding the decoded Cluster: %w", err)
	}
	return &Cluster{Cluster: view, original: original}, nil
}

// Patch answers with the JSON patch from the decoded Cluster to its current state; an unchanged
// Cluster gets no patch at all.
func (c *Cluster) Patch() admission.Response {
	mutated, err := json.Marshal(c.Object())
	if err != nil {
		return admission.Errored(http.StatusInternalServerError, err)
	}
	return admission.PatchResponseFromRaw(c.original, mutated)
}
