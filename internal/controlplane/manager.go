package controlplane

import (
	"context"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"

	webhookconfig "github.com/tkr-project/tkr/config/webhook"
	"github.com/tkr-project/tkr/internal/manager"
)

// AdmissionWebhooks returns the webhook configurations (from config/webhook) of the components
// o selects, so a local control plane registers only webhooks that something answers: a
// registered webhook with failurePolicy Fail and nobody serving it would block every request.
func AdmissionWebhooks(o manager.Options, components []manager.Component) ([]*admissionv1.MutatingWebhookConfiguration, []*admissionv1.ValidatingWebhookConfiguration, error) {
	selected, err := o.Select(components)
	if err != nil {
		return nil, nil, err
	}
	return webhookconfig.Configurations(manager.AdmissionWebhooks(selected))
}

// RunningManager is a tkr manager started by RunManager.
type RunningManager struct {
	ctrl.Manager
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// Done is closed when the manager has stopped, by Stop or on its own.
func (m *RunningManager) Done() <-chan struct{} { return m.done }

// Stop stops the manager, waits for it, and returns the error it stopped with.
func (m *RunningManager) Stop() error {
	m.cancel()
	<-m.done
	return m.err
}

// RunManager starts a tkr manager running components against cp. Its webhook server listens
// where the API server expects webhooks and also serves Cluster API's conversions; setup (may be
// nil) runs before the manager starts. It returns once the webhook server answers.
func (cp *ControlPlane) RunManager(ctx context.Context, s *runtime.Scheme, o manager.Options, components []manager.Component, setup func(context.Context, ctrl.Manager) error) (*RunningManager, error) {
	o.WebhookHost, o.WebhookPort, o.WebhookCertDir = cp.Webhook.Host, cp.Webhook.Port, cp.Webhook.CertDir
	// The manager outlives ctx, which only bounds starting it.
	mgrCtx, cancel := context.WithCancel(context.Background())
	mgr, err := manager.New(mgrCtx, cp.Config, s, o, components)
	if err == nil {
		err = ServeClusterAPIConversion(s, mgr.GetWebhookServer(), mgr.GetClient())
	}
	if err == nil && setup != nil {
		err = setup(mgrCtx, mgr)
	}
	if err != nil {
		cancel()
		return nil, err
	}
	m := &RunningManager{Manager: mgr, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		m.err = mgr.Start(mgrCtx)
	}()
	waitCtx, waitCancel := context.WithTimeout(ctx, time.Minute)
	defer waitCancel()
	if err := cp.WaitForWebhookServer(waitCtx); err != nil {
		_ = m.Stop()
		return nil, err
	}
	return m, nil
}
