// Package conversion serves the CRD conversion webhook for this project's multi-version kinds:
// TanzuKubernetesRelease (v1alpha1, v1alpha2 ↔ v1alpha3) and AntreaConfig (v1alpha1 ↔ v1alpha2).
package conversion

import (
	"fmt"
	"net/http"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/webhook/conversion"

	cniv1alpha2 "github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
	addonsconversion "github.com/tkr-project/tkr/api/addons/conversion"
	runconversion "github.com/tkr-project/tkr/api/run/conversion"
	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// Path is where the API server sends ConversionReviews for our CRDs.
const Path = "/convert"

// Converters maps each convertible kind to the factory of its hub-and-spoke converter.
var Converters = map[schema.GroupKind]func(*runtime.Scheme) (conversion.Converter, error){
	runv1alpha3.GroupVersion.WithKind("TanzuKubernetesRelease").GroupKind(): runconversion.TanzuKubernetesRelease,
	cniv1alpha2.GroupVersion.WithKind("AntreaConfig").GroupKind():           addonsconversion.AntreaConfig,
}

// NewHandler returns the conversion webhook handler for the kinds in converters.
func NewHandler(scheme *runtime.Scheme, converters map[schema.GroupKind]func(*runtime.Scheme) (conversion.Converter, error)) (http.Handler, error) {
	registry := conversion.NewRegistry()
	for gk, newConverter := range converters {
		c, err := newConverter(scheme)
		if err != nil {
			return nil, fmt.Errorf("building the %s converter: %w", gk, err)
		}
		if err := registry.RegisterConverter(gk, c); err != nil {
			return nil, fmt.Errorf("registering the %s converter: %w", gk, err)
		}
	}
	return conversion.NewWebhookHandler(scheme, registry), nil
}
