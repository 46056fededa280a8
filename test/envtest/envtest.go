// Package envtest is the shared integration-test harness: one real kube-apiserver and etcd per
// test package, with this project's and Cluster API's CRDs installed, and the tkr manager
// (the components a package asks for) serving webhooks and conversions from the test process,
// as it would on a management cluster.
//
// Typical use, once per package:
//
//	var env *envtest.Environment
//
//	func TestMain(m *testing.M) { envtest.Main(m, &env, envtest.Options{}) }
package envtest

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/tkr-project/tkr/internal/controlplane"
	"github.com/tkr-project/tkr/internal/controlplane/binaries"
	"github.com/tkr-project/tkr/internal/manager"
	"github.com/tkr-project/tkr/internal/scheme"
)

// Options choose what the harness runs besides the API server.
type Options struct {
	// Components are the tkr manager components to run (names as for --components); nil runs
	// only the conversion webhook, which every multi-version CRD needs. The admission webhooks
	// of the chosen components are registered with the API server.
	Components []string
	// MutatingWebhooks and ValidatingWebhooks are registered pointing at the test process.
	MutatingWebhooks   []*admissionv1.MutatingWebhookConfiguration
	ValidatingWebhooks []*admissionv1.ValidatingWebhookConfiguration
	// Setup runs before the manager starts, to add test-only controllers or webhooks.
	Setup func(ctx context.Context, mgr ctrl.Manager) error
}

// Environment is a running control plane plus the manager serving its webhooks.
type Environment struct {
	*controlplane.ControlPlane
	// Client talks to the API server directly (no cache), as kubectl would.
	Client client.Client
	// Scheme knows every type tkr uses.
	Scheme *runtime.Scheme
	// Manager is the running tkr manager.
	Manager *controlplane.RunningManager
}

// Start builds (once, cached) and starts the control plane and the manager.
func Start(ctx context.Context, opts Options) (*Environment, error) {
	log.SetLogger(zap.New(zap.WriteTo(logOutput()), zap.UseDevMode(true)))
	versions, err := binaries.Current()
	if err != nil {
		return nil, err
	}
	dir, err := binaries.Ensure(ctx, versions, os.Stderr)
	if err != nil {
		return nil, err
	}
	if opts.Components == nil {
		opts.Components = []string{"conversion-webhook"}
	}
	mo := manager.DefaultOptions()
	mo.Components = opts.Components
	mo.MetricsBindAddress = "0"
	mo.HealthProbeBindAddress = "0"
	mutating, validating, err := controlplane.AdmissionWebhooks(mo, manager.Components())
	if err != nil {
		return nil, err
	}
	cp, err := controlplane.Start(ctx, controlplane.Options{
		BinaryDir:          dir,
		MutatingWebhooks:   append(mutating, opts.MutatingWebhooks...),
		ValidatingWebhooks: append(validating, opts.ValidatingWebhooks...),
	})
	if err != nil {
		return nil, err
	}
	env := &Environment{ControlPlane: cp, Scheme: scheme.New()}
	if env.Manager, err = cp.RunManager(ctx, env.Scheme, mo, manager.Components(), opts.Setup); err != nil {
		_ = cp.Stop()
		return nil, err
	}
	if env.Client, err = client.New(cp.Config, client.Options{Scheme: env.Scheme}); err != nil {
		_ = env.Stop()
		return nil, err
	}
	return env, nil
}

// Stop stops the manager, then the control plane.
func (e *Environment) Stop() error {
	if e.Manager != nil {
		if err := e.Manager.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "envtest: manager stopped with error:", err)
		}
	}
	return e.ControlPlane.Stop()
}

// Main is a TestMain body: it starts one Environment for the whole package, stores it in *env,
// runs the tests and stops everything, exiting with the tests' status.
func Main(m *testing.M, env **Environment, opts Options) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	e, err := Start(ctx, opts)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "envtest: cannot start the control plane:", err)
		os.Exit(1)
	}
	*env = e
	code := m.Run()
	if err := e.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "envtest: stopping the control plane:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// logOutput keeps controller logs out of test output unless TKR_TEST_LOGS=1.
func logOutput() io.Writer {
	if os.Getenv("TKR_TEST_LOGS") == "1" {
		return os.Stderr
	}
	return io.Discard
}
