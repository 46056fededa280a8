// Package controlplane runs a local Kubernetes control plane (etcd and kube-apiserver, through
// controller-runtime's envtest) shaped like a tkr management cluster: this project's CRDs and
// Cluster API's are installed, and every multi-version CRD converts through webhooks served by
// the calling process. The integration tests and `tkr up` both stand on it.
package controlplane

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/tkr-project/tkr/config/crd"
	"github.com/tkr-project/tkr/internal/webhooks/conversion"
)

// Options configure Start. The zero value is usable once BinaryDir is set.
type Options struct {
	// BinaryDir holds kube-apiserver, etcd and kubectl (see package binaries).
	BinaryDir string
	// CRDs to install; nil means every CRD in config/crd (ours and Cluster API's).
	CRDs []*apiextensionsv1.CustomResourceDefinition
	// MutatingWebhooks and ValidatingWebhooks are registered with their client configs pointed
	// at this process's webhook server, as envtest does for generated manifests.
	MutatingWebhooks   []*admissionv1.MutatingWebhookConfiguration
	ValidatingWebhooks []*admissionv1.ValidatingWebhookConfiguration
	// Output receives the control plane's own logs; nil discards them.
	Output io.Writer
	// StartTimeout bounds each of etcd's and kube-apiserver's start; zero means 60s, generous for
	// a busy two-core machine.
	StartTimeout time.Duration
	// StopTimeout bounds each component's graceful stop before it is killed; zero means 10s.
	StopTimeout time.Duration
}

// Webhook says where the API server expects this process to serve webhooks.
type Webhook struct {
	Host    string
	Port    int
	CertDir string // holds tls.crt and tls.key for Host
	CAData  []byte // the CA the API server trusts for that certificate
}

// Address is host:port.
func (w Webhook) Address() string { return net.JoinHostPort(w.Host, strconv.Itoa(w.Port)) }

// ControlPlane is a running local control plane.
type ControlPlane struct {
	// Config authenticates as a cluster administrator.
	Config *rest.Config
	// KubeConfig is Config as a kubeconfig file's contents.
	KubeConfig []byte
	// Webhook is where this process must serve conversion and admission webhooks.
	Webhook Webhook
	// BinaryDir is where kube-apiserver, etcd and kubectl live.
	BinaryDir string

	env *envtest.Environment
}

// Start boots etcd and kube-apiserver and installs the CRDs. Conversions are only needed when
// an object is read or written in a non-storage version, so the caller may start its webhook
// server after Start returns, and should call WaitForWebhookServer before relying on it.
func Start(ctx context.Context, opts Options) (*ControlPlane, error) {
	if opts.BinaryDir == "" {
		return nil, errors.New("controlplane: Options.BinaryDir is required")
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 60 * time.Second
	}
	if opts.StopTimeout == 0 {
		opts.StopTimeout = 10 * time.Second
	}
	crds := opts.CRDs
	if crds == nil {
		var err error
		if crds, err = crd.All(); err != nil {
			return nil, err
		}
		standIns, err := crd.ProviderStandIns()
		if err != nil {
			return nil, err
		}
		crds = append(crds, standIns...)
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory:    opts.BinaryDir,
		ControlPlaneStartTimeout: opts.StartTimeout,
		ControlPlaneStopTimeout:  opts.StopTimeout,
		WebhookInstallOptions: envtest.WebhookInstallOptions{
			LocalServingHost:   "127.0.0.1",
			MutatingWebhooks:   opts.MutatingWebhooks,
			ValidatingWebhooks: opts.ValidatingWebhooks,
		},
	}
	if opts.Output != nil {
		api := env.ControlPlane.GetAPIServer()
		api.Out, api.Err = opts.Output, opts.Output
	}
	cfg, err := env.Start()
	if err != nil {
		_ = env.Stop()
		return nil, fmt.Errorf("starting etcd and kube-apiserver from %s: %w", opts.BinaryDir, err)
	}
	cp := &ControlPlane{
		Config:     cfg,
		KubeConfig: env.KubeConfig,
		BinaryDir:  opts.BinaryDir,
		env:        env,
		Webhook: Webhook{
			Host:    env.WebhookInstallOptions.LocalServingHost,
			Port:    env.WebhookInstallOptions.LocalServingPort,
			CertDir: env.WebhookInstallOptions.LocalServingCertDir,
			CAData:  env.WebhookInstallOptions.LocalServingCAData,
		},
	}
	// Installed here rather than by envtest: envtest drops the conversion webhook of every kind
	// that does not implement controller-runtime's Hub/Convertible interfaces, and both this
	// project and Cluster API register converters instead.
	for _, c := range crds {
		routeConversion(c, cp.Webhook)
	}
	if _, err := envtest.InstallCRDs(cfg, envtest.CRDInstallOptions{CRDs: crds}); err != nil {
		_ = cp.Stop()
		return nil, fmt.Errorf("installing CRDs: %w", err)
	}
	return cp, nil
}

// routeConversion points a multi-version CRD's conversion at the webhook that converts it: ours
// at conversion.Path, Cluster API's at ClusterAPIConversionPath. Single-version CRDs need none.
func routeConversion(c *apiextensionsv1.CustomResourceDefinition, w Webhook) {
	if len(c.Spec.Versions) < 2 {
		c.Spec.Conversion = nil
		return
	}
	path := conversion.Path
	if c.Spec.Group == "cluster.x-k8s.io" || strings.HasSuffix(c.Spec.Group, ".cluster.x-k8s.io") {
		path = ClusterAPIConversionPath
	}
	url := "https://" + w.Address() + path
	c.Spec.Conversion = &apiextensionsv1.CustomResourceConversion{
		Strategy: apiextensionsv1.WebhookConverter,
		Webhook: &apiextensionsv1.WebhookConversion{
			ClientConfig:             &apiextensionsv1.WebhookClientConfig{URL: &url, CABundle: w.CAData},
			ConversionReviewVersions: []string{"v1", "v1beta1"},
		},
	}
}

// Kubectl is the path of the kubectl built with the control plane.
func (cp *ControlPlane) Kubectl() string { return filepath.Join(cp.BinaryDir, "kubectl") }

// WaitForWebhookServer blocks until the webhook server answers TLS with a certificate the API
// server trusts, so no request reaches the API server before its webhooks can be called.
func (cp *ControlPlane) WaitForWebhookServer(ctx context.Context) error {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(cp.Webhook.CAData) {
		return errors.New("the webhook CA is not valid PEM")
	}
	dialer := &tls.Dialer{Config: &tls.Config{RootCAs: pool, ServerName: cp.Webhook.Host, MinVersion: tls.VersionTLS12}}
	var lastErr error
	for {
		conn, err := dialer.DialContext(ctx, "tcp", cp.Webhook.Address())
		if err == nil {
			return conn.Close()
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("the webhook server at %s did not come up: %w", cp.Webhook.Address(), lastErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop stops kube-apiserver and etcd and removes their data and certificates.
func (cp *ControlPlane) Stop() error {
	if cp == nil || cp.env == nil {
		return nil
	}
	return cp.env.Stop()
}
