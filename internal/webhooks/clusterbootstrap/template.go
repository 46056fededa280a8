package clusterbootstrap

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/bootstrap"
)

// +kubebuilder:webhook:path=/validate-run-tanzu-vmware-com-v1alpha3-clusterbootstraptemplate,mutating=false,failurePolicy=fail,sideEffects=None,groups=run.tanzu.vmware.com,resources=clusterbootstraptemplates,verbs=create;update,versions=v1alpha3,name=clusterbootstraptemplate.validating.vmware.com,admissionReviewVersions=v1

var templateGroupKind = schema.GroupKind{Group: runv1alpha3.GroupVersion.Group, Kind: "ClusterBootstrapTemplate"}

// TemplateWebhook validates ClusterBootstrapTemplates: they live only in the system namespace,
// where the controller looks for them, and never change, so every cluster of a TKR gets the
// same packages.
type TemplateWebhook struct {
	// SystemNamespace is the only namespace templates may be created in.
	SystemNamespace string
}

var _ admission.Validator[*runv1alpha3.ClusterBootstrapTemplate] = &TemplateWebhook{}

// ValidateCreate checks the namespace and what of the spec can be checked without the objects
// it refers to, which may be applied after it.
func (w *TemplateWebhook) ValidateCreate(_ context.Context, cbt *runv1alpha3.ClusterBootstrapTemplate) (admission.Warnings, error) {
	var errs field.ErrorList
	if cbt.Namespace != w.SystemNamespace {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "namespace"), cbt.Namespace, fmt.Sprintf(
			"ClusterBootstrapTemplate can only be created in the designated system namespace %s; the ClusterBootstrap controller reads templates only from there, so create it in %s",
			w.SystemNamespace, w.SystemNamespace)))
	}
	errs = append(errs, bootstrap.ValidateTemplateSpec(cbt.Spec)...)
	if len(errs) == 0 {
		return nil, nil
	}
	return nil, apierrors.NewInvalid(templateGroupKind, cbt.Name, errs)
}

// ValidateUpdate refuses any change to the spec; metadata (labels, finalizers) may change.
func (w *TemplateWebhook) ValidateUpdate(_ context.Context, oldCBT, newCBT *runv1alpha3.ClusterBootstrapTemplate) (admission.Warnings, error) {
	if err := bootstrap.CheckTemplateUpdate(oldCBT.Spec, newCBT.Spec); err != nil {
		return nil, apierrors.NewInvalid(templateGroupKind, newCBT.Name, field.ErrorList{err})
	}
	return nil, nil
}

// ValidateDelete allows every delete.
func (w *TemplateWebhook) ValidateDelete(context.Context, *runv1alpha3.ClusterBootstrapTemplate) (admission.Warnings, error) {
	return nil, nil
}
