// Package manager decides which tkr components a process runs and wires them into one
// controller-runtime manager: flags, webhook serving, metrics, health and readiness.
//
// The original product shipped five Deployments (source, status, conversion webhook, resolver
// webhook, vSphere webhook); here each is a Component, and `tkr manager --components=...` runs
// any subset, so a team can deploy one process or five.
package manager

import (
	"context"
	"crypto/tls"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	cliflag "k8s.io/component-base/cli/flag"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/tkr-project/tkr/internal/controllers/source"
	"github.com/tkr-project/tkr/internal/vcenter"
)

// Component is one independently deployable part of tkr.
type Component struct {
	// Name is what --components lists.
	Name string
	// Help is one line for `tkr manager --help`.
	Help string
	// Webhook reports whether the component serves webhooks; the webhook server is then part of
	// readiness.
	Webhook bool
	// AdmissionWebhooks names the entries of config/webhook the component serves, so a local
	// control plane registers only webhooks that something answers.
	AdmissionWebhooks []string
	// Setup registers the component's controllers, webhooks and readiness checks with mgr.
	Setup func(ctx context.Context, mgr ctrl.Manager, o *Options) error
	// Configured, when set, reports whether the flags configure the component. Without
	// --components only configured components run; a component named there must be configured.
	Configured func(o *Options) bool
}

// AdmissionWebhooks lists the admission webhooks the given components serve.
func AdmissionWebhooks(components []Component) []string {
	var names []string
	for _, c := range components {
		names = append(names, c.AdmissionWebhooks...)
	}
	return names
}

// Options are the manager's own flags; components keep their settings in their own structs.
type Options struct {
	Components             []string
	MetricsBindAddress     string
	HealthProbeBindAddress string
	LeaderElection         bool
	LeaderElectionID       string
	LeaderElectionNS       string
	WebhookHost            string
	WebhookPort            int
	WebhookCertDir         string
	TLSMinVersion          string
	TLSCipherSuites        []string
	// CustomImageRepositoryVar names the Cluster variable holding a custom image repository
	// (resolver webhook).
	CustomImageRepositoryVar string
	// Namespace holds the compatibility metadata, the additional-compatible-tkrs ConfigMaps and
	// the ClusterBootstrapTemplates (status controller).
	Namespace string
	// TKGVersion is the management cluster's version; empty means the TKGVERSION annotation of
	// the Cluster labelled as the management cluster (status and source controllers).
	TKGVersion string
	// Source configures the source controller; its Namespace and TKGVersion come from the
	// fields above.
	Source SourceOptions
	// VCenter configures the vSphere webhook's vCenter sessions and template index.
	VCenter vcenter.Options
}

// SourceOptions are the source controller's flags, named as in the original deployment.
type SourceOptions struct {
	source.Options
	// InitialDiscoverFrequency and ContinuousDiscoverFrequency are in seconds, as the original
	// flags were.
	InitialDiscoverFrequency, ContinuousDiscoverFrequency int
	// InfraProvider derives --tkr-repo-image-path when it is not given (see source.RepositoryFor).
	InfraProvider string
	// SAName is accepted for compatibility with the original deployment and unused, as it was
	// there: no PackageInstalls are created.
	SAName string
}

// DefaultOptions match the original deployments' defaults.
func DefaultOptions() Options {
	return Options{
		MetricsBindAddress:     ":8080",
		HealthProbeBindAddress: ":8081",
		LeaderElectionID:       "tkr-manager.run.tanzu.vmware.com",
		WebhookPort:            9443,
		WebhookCertDir:         "/tmp/k8s-webhook-server/serving-certs/",
		TLSMinVersion:          "1.2",

		CustomImageRepositoryVar: "imageRepository",
		Namespace:                "tkg-system",
		Source: SourceOptions{
			Options:                     source.DefaultOptions(),
			InitialDiscoverFrequency:    60,
			ContinuousDiscoverFrequency: 600,
			SAName:                      "tkr-source-controller-manager-sa",
		},
	}
}

// AddFlags binds o to fs. Flag names follow the original components (--metrics-bind-addr,
// --webhook-server-port, ...) so existing deployment manifests keep working.
func (o *Options) AddFlags(fs *pflag.FlagSet, available []Component) {
	names := make([]string, 0, len(available))
	for _, c := range available {
		names = append(names, c.Name)
	}
	fs.StringSliceVar(&o.Components, "components", nil, "components to run, comma-separated (default: all that are configured; source needs its image paths): "+strings.Join(names, ", "))
	fs.StringVar(&o.MetricsBindAddress, "metrics-bind-addr", o.MetricsBindAddress, "address the Prometheus metrics endpoint binds to; 0 disables it")
	fs.StringVar(&o.HealthProbeBindAddress, "health-probe-bind-address", o.HealthProbeBindAddress, "address the /healthz and /readyz probes bind to; 0 disables them")
	fs.BoolVar(&o.LeaderElection, "leader-elect", o.LeaderElection, "elect a leader so only one replica runs controllers (webhooks are served by every replica)")
	fs.StringVar(&o.LeaderElectionID, "leader-election-id", o.LeaderElectionID, "name of the leader-election Lease")
	fs.StringVar(&o.LeaderElectionNS, "leader-election-namespace", o.LeaderElectionNS, "namespace of the leader-election Lease (default: the pod's namespace)")
	fs.StringVar(&o.WebhookHost, "webhook-host", o.WebhookHost, "address the webhook server binds to (default: all)")
	fs.IntVar(&o.WebhookPort, "webhook-server-port", o.WebhookPort, "port the webhook server listens on")
	fs.StringVar(&o.WebhookCertDir, "webhook-cert-dir", o.WebhookCertDir, "directory holding the webhook server's tls.crt and tls.key")
	fs.StringVar(&o.TLSMinVersion, "tls-min-version", o.TLSMinVersion, "minimum TLS version of the webhook server: 1.2 or 1.3")
	fs.StringSliceVar(&o.TLSCipherSuites, "tls-cipher-suites", o.TLSCipherSuites, "TLS cipher suites of the webhook server, comma-separated Go names (default: Go's)")
	fs.StringVar(&o.Namespace, "namespace", o.Namespace, "namespace of the compatibility metadata (ConfigMap bom-metadata), the additional-compatible-tkrs ConfigMaps and the ClusterBootstrapTemplates")
	fs.StringVar(&o.TKGVersion, "tkg-version", o.TKGVersion, "the management cluster's version, e.g. v2.3.0; TKRs listed for it in the compatibility metadata are Compatible (default: the TKGVERSION annotation of the Cluster labelled cluster-role.tkg.tanzu.vmware.com/management)")
	s := &o.Source
	fs.StringVar(&s.LegacyNamespace, "legacy-namespace", s.LegacyNamespace, "source: a second namespace that also receives bom-metadata and the BOM ConfigMaps (the original deployment uses tkr-system)")
	fs.StringVar(&s.SAName, "sa-name", s.SAName, "source: accepted for compatibility with the original deployment; unused")
	fs.StringVar(&s.BOMImagePath, "bom-image-path", s.BOMImagePath, "source: registry repository of the TKR BOM images, e.g. registry.example.com/tkg/tkr-bom")
	fs.StringVar(&s.BOMMetadataImagePath, "bom-metadata-image-path", s.BOMMetadataImagePath, "source: registry repository of the compatibility metadata images (tags v1, v2, ...)")
	fs.StringVar(&s.TKRRepoImagePath, "tkr-repo-image-path", s.TKRRepoImagePath, "source: registry repository of the TKR repository bundles (default: derived from --bom-image-path and --infra-provider)")
	fs.StringVar(&s.InfraProvider, "infra-provider", s.InfraProvider, "source: vsphere, aws, azure, docker or oci; picks the TKR repository next to --bom-image-path when --tkr-repo-image-path is not given")
	fs.IntVar(&s.InitialDiscoverFrequency, "initial-discover-frequency", s.InitialDiscoverFrequency, "source: seconds; the longest wait between retries until the first successful sync")
	fs.IntVar(&s.ContinuousDiscoverFrequency, "continuous-discover-frequency", s.ContinuousDiscoverFrequency, "source: seconds between syncs, and the longest wait between retries")
	fs.BoolVar(&s.SkipVerify, "skip-verify-registry-cert", s.SkipVerify, "source: do not verify the registry's TLS certificate")
	fs.BoolVar(&s.Insecure, "insecure-registry", s.Insecure, "source: allow plain HTTP to the registry (always allowed for loopback and private addresses)")
	fs.StringVar(&s.Name, "source-name", s.Name, "source: name of the TanzuKubernetesReleaseSource the controller reports on")
	fs.DurationVar(&o.VCenter.Resync, "vcenter-resync", o.VCenter.Resync, "vsphere webhook: how often each vCenter template index is listed again in full, besides following changes (0: the default, 10m)")
	fs.DurationVar(&o.VCenter.IdleTimeout, "vcenter-idle-timeout", o.VCenter.IdleTimeout, "vsphere webhook: a vCenter endpoint no Cluster used for this long is logged out and its index dropped (0: the default, 30m)")
	fs.DurationVar(&o.VCenter.Timeout, "vcenter-timeout", o.VCenter.Timeout, "vsphere webhook: bound on one vCenter call, login and first listing included; keep it under the webhook's 30s timeout (0: the default, 20s)")
	fs.StringVar(&o.CustomImageRepositoryVar, "custom-image-repository-cc-var", o.CustomImageRepositoryVar, "resolver webhook: the Cluster variable ({host, tlsCertificateValidation}) whose host replaces the TKR's image repository")
}

// Select returns the components named in o.Components (all when empty), in registry order, or an
// error naming the unknown ones and listing the valid names.
func (o *Options) Select(available []Component) ([]Component, error) {
	if len(o.Components) == 0 {
		var all []Component
		for _, c := range available {
			if c.Configured == nil || c.Configured(o) {
				all = append(all, c)
			}
		}
		return all, nil
	}
	known := map[string]bool{}
	for _, c := range available {
		known[c.Name] = true
	}
	var unknown []string
	for _, n := range o.Components {
		if !known[n] {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		names := make([]string, 0, len(known))
		for n := range known {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("--components names %s, which tkr does not have; choose from %s", strings.Join(unknown, ", "), strings.Join(names, ", "))
	}
	var selected []Component
	for _, c := range available {
		if slices.Contains(o.Components, c.Name) {
			selected = append(selected, c)
		}
	}
	return selected, nil
}

// Selected reports whether the component called name is among those o selects.
func (o *Options) Selected(available []Component, name string) bool {
	selected, err := o.Select(available)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(selected, func(c Component) bool { return c.Name == name })
}

// TLSOptions turns --tls-min-version and --tls-cipher-suites into server options.
func (o *Options) TLSOptions() ([]func(*tls.Config), error) {
	var minVersion uint16
	switch o.TLSMinVersion {
	case "1.2", "":
		minVersion = tls.VersionTLS12
	case "1.3":
		minVersion = tls.VersionTLS13
	default:
		return nil, fmt.Errorf("--tls-min-version %q is not supported; use 1.2 or 1.3", o.TLSMinVersion)
	}
	var suites []uint16
	if len(o.TLSCipherSuites) > 0 {
		var err error
		if suites, err = cliflag.TLSCipherSuites(o.TLSCipherSuites); err != nil {
			return nil, fmt.Errorf("--tls-cipher-suites: %w", err)
		}
	}
	return []func(*tls.Config){func(c *tls.Config) {
		c.MinVersion = minVersion
		if suites != nil {
			c.CipherSuites = suites
		}
	}}, nil
}

// New builds a manager running the selected components against cfg.
func New(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme, o Options, available []Component) (ctrl.Manager, error) {
	components, err := o.Select(available)
	if err != nil {
		return nil, err
	}
	tlsOpts, err := o.TLSOptions()
	if err != nil {
		return nil, err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  scheme,
		Metrics:                 metricsserver.Options{BindAddress: o.MetricsBindAddress, TLSOpts: tlsOpts},
		HealthProbeBindAddress:  o.HealthProbeBindAddress,
		LeaderElection:          o.LeaderElection,
		LeaderElectionID:        o.LeaderElectionID,
		LeaderElectionNamespace: o.LeaderElectionNS,
		WebhookServer: webhook.NewServer(webhook.Options{
			Host:    o.WebhookHost,
			Port:    o.WebhookPort,
			CertDir: o.WebhookCertDir,
			TLSOpts: tlsOpts,
		}),
	})
	if err != nil {
		return nil, fmt.Errorf("creating the controller manager: %w", err)
	}
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return nil, err
	}
	servesWebhooks := false
	for _, c := range components {
		if err := c.Setup(ctx, mgr, &o); err != nil {
			return nil, fmt.Errorf("setting up component %s: %w", c.Name, err)
		}
		servesWebhooks = servesWebhooks || c.Webhook
	}
	if servesWebhooks {
		if err := mgr.AddReadyzCheck("webhook-server", mgr.GetWebhookServer().StartedChecker()); err != nil {
			return nil, err
		}
	} else if err := mgr.AddReadyzCheck("ping", healthz.Ping); err != nil {
		return nil, err
	}
	return mgr, nil
}

// Resolve turns the flags into the source controller's options.
func (s *SourceOptions) Resolve(namespace, tkgVersion string) (source.Options, error) {
	o := s.Options
	o.Namespace, o.TKGVersion = namespace, tkgVersion
	o.InitialDiscoverFrequency = time.Duration(s.InitialDiscoverFrequency) * time.Second
	o.ContinuousDiscoverFrequency = time.Duration(s.ContinuousDiscoverFrequency) * time.Second
	if o.TKRRepoImagePath == "" && s.InfraProvider != "" {
		repo, err := source.RepositoryFor(o.BOMImagePath, s.InfraProvider)
		if err != nil {
			return o, err
		}
		o.TKRRepoImagePath = repo
	}
	return o, o.Validate()
}
