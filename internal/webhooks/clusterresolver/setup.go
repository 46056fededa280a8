package clusterresolver

import (
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/tkr-project/tkr/pkg/resolution"
	"github.com/tkr-project/tkr/pkg/resolver"
)

// Setup registers the catalogue reconcilers, the webhook at Path and a readiness check that
// fails until the catalogue is loaded.
func Setup(mgr ctrl.Manager, opts resolution.Options) error {
	catalog := NewCatalog(resolver.New(), mgr.GetClient())
	if err := catalog.SetupWithManager(mgr); err != nil {
		return err
	}
	mgr.GetWebhookServer().Register(Path, &webhook.Admission{Handler: &Webhook{
		Catalog:   catalog,
		Reader:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Decoder:   admission.NewDecoder(mgr.GetScheme()),
		Events:    mgr.GetEventRecorder("tkr-resolver"),
		Options:   opts,
	}})
	return mgr.AddReadyzCheck("tkr-catalog", catalog.ReadyCheck())
}
