// Package clusteradmission holds what every tkr webhook on Cluster API Clusters does alike:
// decoding the Cluster in the version the API server sent, and answering with a patch of only
// what the webhook changed.
package clusteradmission

import (
	"encoding/json"
	"fmt"
	"net/http"

	"k8s.io/apimachinery/pkg/runtime"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// Decode reads the Cluster in the version the API server sent: v1beta1 from users and the seed,
// v1beta2 from current Cluster API clients. Webhooks handle each natively, with the same result.
// what names the webhook's job in the error for another version.
func Decode(d admission.Decoder, req admission.Request, what string) (runtime.Object, error) {
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
	return obj, nil
}

// Patch answers with the JSON patch from original to obj. original must be the decoded request
// re-encoded, not the raw request: re-encoding a typed Cluster adds zero values the user never
// wrote (spec.controlPlaneEndpoint, status), and those must not leak into the patch. An
// unchanged Cluster gets no patch at all.
func Patch(original []byte, obj runtime.Object) admission.Response {
	mutated, err := json.Marshal(obj)
	if err != nil {
		return admission.Errored(http.StatusInternalServerError, err)
	}
	return admission.PatchResponseFromRaw(original, mutated)
}
