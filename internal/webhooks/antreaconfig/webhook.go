// Package antreaconfig is the validating webhook of AntreaConfig (both API versions).
//
// One handler serves v1alpha1 and v1alpha2: a v1alpha1 object is converted to v1alpha2 first,
// so the rules in api/addons/cni/v1alpha2 are the only ones, whichever version a client uses.
package antreaconfig

import (
	"context"
	"fmt"
	"net/http"

	admissionv1 "k8s.io/api/admission/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	cniv1alpha1 "github.com/tkr-project/tkr/api/addons/cni/v1alpha1"
	cniv1alpha2 "github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
)

// Path is where the API server sends AntreaConfig admissions.
const Path = "/validate-cni-tanzu-vmware-com-antreaconfig"

// Name is the webhook's name in the ValidatingWebhookConfiguration; the API server prefixes
// denials with it. It is the original product's name, which its users' tooling may match on.
const Name = "vantreaconfig.kb.io"

// +kubebuilder:webhook:path=/validate-cni-tanzu-vmware-com-antreaconfig,mutating=false,failurePolicy=fail,matchPolicy=Equivalent,sideEffects=None,groups=cni.tanzu.vmware.com,resources=antreaconfigs,verbs=create;update,versions=v1alpha1;v1alpha2,name=vantreaconfig.kb.io,admissionReviewVersions=v1

// Names are the webhook configuration entries this package serves (config/webhook).
var Names = []string{Name}

// Setup registers the webhook with mgr.
func Setup(mgr ctrl.Manager) error {
	mgr.GetWebhookServer().Register(Path, &webhook.Admission{Handler: &Webhook{Decoder: admission.NewDecoder(mgr.GetScheme())}})
	return nil
}

// Webhook validates AntreaConfigs on create and update.
type Webhook struct {
	Decoder admission.Decoder
}

// Handle implements admission.Handler.
func (w *Webhook) Handle(ctx context.Context, req admission.Request) admission.Response {
	newCfg, err := w.decode(ctx, req.Object, req.Kind.Version)
	if err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	var errs field.ErrorList
	switch req.Operation {
	case admissionv1.Create:
		errs = cniv1alpha2.ValidateCreate(newCfg)
	case admissionv1.Update:
		oldCfg, err := w.decode(ctx, req.OldObject, req.Kind.Version)
		if err != nil {
			return admission.Errored(http.StatusBadRequest, err)
		}
		errs = cniv1alpha2.ValidateUpdate(oldCfg, newCfg)
	default:
		return admission.Allowed("")
	}
	if len(errs) == 0 {
		return admission.Allowed("")
	}
	// An Invalid status lists every violation with its field path, as kubectl shows them for
	// built-in validation.
	status := apierrors.NewInvalid(cniv1alpha2.GroupVersion.WithKind("AntreaConfig").GroupKind(), newCfg.Name, errs)
	return admission.Response{AdmissionResponse: admissionv1.AdmissionResponse{Allowed: false, Result: &status.ErrStatus}}
}

// decode reads an AntreaConfig of the given API version as v1alpha2.
func (w *Webhook) decode(ctx context.Context, raw runtime.RawExtension, version string) (*cniv1alpha2.AntreaConfig, error) {
	switch version {
	case cniv1alpha2.GroupVersion.Version:
		cfg := &cniv1alpha2.AntreaConfig{}
		if err := w.Decoder.DecodeRaw(raw, cfg); err != nil {
			return nil, fmt.Errorf("decoding AntreaConfig %s: %w", version, err)
		}
		return cfg, nil
	case cniv1alpha1.GroupVersion.Version:
		src := &cniv1alpha1.AntreaConfig{}
		if err := w.Decoder.DecodeRaw(raw, src); err != nil {
			return nil, fmt.Errorf("decoding AntreaConfig %s: %w", version, err)
		}
		dst := &cniv1alpha2.AntreaConfig{}
		if err := cniv1alpha1.ConvertAntreaConfigToHub(ctx, src, dst); err != nil {
			return nil, fmt.Errorf("converting AntreaConfig %s/%s to %s: %w", src.Namespace, src.Name, cniv1alpha2.GroupVersion, err)
		}
		return dst, nil
	}
	return nil, fmt.Errorf("AntreaConfig version %q is not served by this webhook", version)
}
