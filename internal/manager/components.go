package manager

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/tkr-project/tkr/internal/controllers/status"
	"github.com/tkr-project/tkr/internal/webhooks/conversion"
)

// Components lists every component tkr has, in the order they are set up.
func Components() []Component {
	return []Component{
		{
			Name:    "conversion-webhook",
			Help:    "serves CRD conversion for TanzuKubernetesRelease v1alpha1/v1alpha2 ↔ v1alpha3 and AntreaConfig v1alpha1 ↔ v1alpha2",
			Webhook: true,
			Setup: func(_ context.Context, mgr ctrl.Manager) error {
				h, err := conversion.NewHandler(mgr.GetScheme(), conversion.Converters)
				if err != nil {
					return err
				}
				mgr.GetWebhookServer().Register(conversion.Path, h)
				return nil
			},
		},
		{
			Name:  "status",
			Help:  "keeps the version-prefix labels (v1, v1.24, ...) and the OS and image labels on TKRs and OSImages",
			Setup: func(_ context.Context, mgr ctrl.Manager) error { return status.SetupLabelers(mgr) },
		},
	}
}
