// Package clusterbootstrap holds the ClusterBootstrap defaulting and validating webhooks and the
// ClusterBootstrapTemplate validating webhook. The rules themselves are in pkg/bootstrap; this
// package reads what they need from the API server (TKRs, templates, Carvel Packages, providers,
// Secrets, Clusters) and turns their results into admission answers.
package clusterbootstrap

import (
	"fmt"

	ctrl "sigs.k8s.io/controller-runtime"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// Names of the webhook configuration entries, as in the original product.
const (
	// MutatingName defaults ClusterBootstraps (add-missing-fields-from-tkr, wildcards, unmanaged CNI).
	MutatingName = "clusterbootstrap.mutating.vmware.com"
	// ValidatingName validates ClusterBootstraps on create and update.
	ValidatingName = "clusterbootstrap.validating.vmware.com"
	// TemplateValidatingName keeps ClusterBootstrapTemplates in the system namespace and immutable.
	TemplateValidatingName = "clusterbootstraptemplate.validating.vmware.com"
)

// Names are the webhook configuration entries this package serves (config/webhook).
var Names = []string{MutatingName, ValidatingName, TemplateValidatingName}

// Setup registers the webhooks with mgr; systemNamespace holds the templates and Packages.
func Setup(mgr ctrl.Manager, systemNamespace string) error {
	if systemNamespace == "" {
		return fmt.Errorf("the ClusterBootstrap webhooks need the system namespace (where ClusterBootstrapTemplates and Packages live), and none was configured")
	}
	r := &reader{cached: mgr.GetClient(), live: mgr.GetAPIReader()}
	cb := &ClusterBootstrapWebhook{
		Reader:          r,
		LiveReader:      mgr.GetAPIReader(),
		RESTMapper:      mgr.GetRESTMapper(),
		SystemNamespace: systemNamespace,
	}
	if err := ctrl.NewWebhookManagedBy(mgr, &runv1alpha3.ClusterBootstrap{}).
		WithDefaulter(cb).
		WithValidator(cb).
		Complete(); err != nil {
		return fmt.Errorf("registering the ClusterBootstrap webhooks: %w", err)
	}
	if err := ctrl.NewWebhookManagedBy(mgr, &runv1alpha3.ClusterBootstrapTemplate{}).
		WithValidator(&TemplateWebhook{SystemNamespace: systemNamespace}).
		Complete(); err != nil {
		return fmt.Errorf("registering the ClusterBootstrapTemplate webhook: %w", err)
	}
	return nil
}
