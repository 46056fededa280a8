package vspheretemplate

import (
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/tkr-project/tkr/internal/vcenter"
)

// Setup registers the webhook at Path, backed by a vCenter pool whose sessions live as long as
// the manager (logged out when it stops).
func Setup(mgr ctrl.Manager, opts vcenter.Options) error {
	pool := vcenter.NewPool(opts)
	if err := registerPool(pool); err != nil {
		return err
	}
	if err := mgr.Add(everyReplica{pool}); err != nil {
		return err
	}
	mgr.GetWebhookServer().Register(Path, &webhook.Admission{Handler: &Webhook{
		Reader:       mgr.GetClient(),
		SecretReader: mgr.GetAPIReader(),
		Decoder:      admission.NewDecoder(mgr.GetScheme()),
		Resolver:     pool,
		Events:       mgr.GetEventRecorder("tkr-vsphere-resolver"),
	}})
	return nil
}

// everyReplica runs the pool on every replica, leader or not: every replica serves admissions.
type everyReplica struct{ *vcenter.Pool }

// NeedLeaderElection implements manager.LeaderElectionRunnable.
func (everyReplica) NeedLeaderElection() bool { return false }
