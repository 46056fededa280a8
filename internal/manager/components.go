package manager

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/tkr-project/tkr/internal/controllers/addons"
	"github.com/tkr-project/tkr/internal/controllers/clusterbootstrap"
	"github.com/tkr-project/tkr/internal/controllers/clusterupdates"
	"github.com/tkr-project/tkr/internal/controllers/source"
	"github.com/tkr-project/tkr/internal/controllers/status"
	"github.com/tkr-project/tkr/internal/webhooks/antreaconfig"
	cbwebhooks "github.com/tkr-project/tkr/internal/webhooks/clusterbootstrap"
	"github.com/tkr-project/tkr/internal/webhooks/clusterpause"
	"github.com/tkr-project/tkr/internal/webhooks/clusterresolver"
	"github.com/tkr-project/tkr/internal/webhooks/conversion"
	"github.com/tkr-project/tkr/internal/webhooks/inuse"
	"github.com/tkr-project/tkr/internal/webhooks/vspheretemplate"
	"github.com/tkr-project/tkr/pkg/resolution"
)

// Components lists every component tkr has, in the order they are set up.
func Components() []Component {
	return []Component{
		{
			Name:    "conversion-webhook",
			Help:    "serves CRD conversion for TanzuKubernetesRelease v1alpha1/v1alpha2 ↔ v1alpha3 and AntreaConfig v1alpha1 ↔ v1alpha2",
			Webhook: true,
			Setup: func(_ context.Context, mgr ctrl.Manager, _ *Options) error {
				h, err := conversion.NewHandler(mgr.GetScheme(), conversion.Converters)
				if err != nil {
					return err
				}
				mgr.GetWebhookServer().Register(conversion.Path, h)
				return nil
			},
		},
		{
			Name: "status",
			Help: "keeps TKR and OSImage labels (version prefixes, OS and image, incompatible, invalid), their Compatible, Valid and Ready conditions, and the UpdatesAvailable condition on Clusters",
			Setup: func(_ context.Context, mgr ctrl.Manager, o *Options) error {
				if err := status.SetupLabelers(mgr); err != nil {
					return err
				}
				if err := status.SetupConditions(mgr, status.ConditionOptions{Namespace: o.Namespace, TKGVersion: o.TKGVersion}); err != nil {
					return err
				}
				return clusterupdates.Setup(mgr)
			},
		},
		{
			Name: "source",
			Help: "pulls the releases compatible with the management cluster from an OCI registry (--bom-image-path, --bom-metadata-image-path, --tkr-repo-image-path) and reports on TanzuKubernetesReleaseSource " + source.DefaultOptions().Name,
			Setup: func(_ context.Context, mgr ctrl.Manager, o *Options) error {
				so, err := o.Source.Resolve(o.Namespace, o.TKGVersion)
				if err != nil {
					return err
				}
				if err := source.Setup(mgr, so); err != nil {
					return err
				}
				return source.SetupLegacyLabeler(mgr)
			},
			Configured: func(o *Options) bool {
				s := o.Source
				return s.BOMImagePath != "" || s.BOMMetadataImagePath != "" || s.TKRRepoImagePath != ""
			},
		},
		{
			Name:              "in-use-webhook",
			Help:              "refuses to delete a TKR or OSImage that a Cluster still uses, naming the Clusters",
			Webhook:           true,
			AdmissionWebhooks: []string{inuse.Name},
			Setup:             func(_ context.Context, mgr ctrl.Manager, _ *Options) error { return inuse.Setup(mgr) },
		},
		{
			Name:              "resolver-webhook",
			Help:              "resolves every ClusterClass-based Cluster to one TKR and OSImage per part (TKR_DATA, the run.tanzu.vmware.com/tkr label)",
			Webhook:           true,
			AdmissionWebhooks: []string{clusterresolver.Name},
			Setup: func(_ context.Context, mgr ctrl.Manager, o *Options) error {
				return clusterresolver.Setup(mgr, resolution.Options{CustomImageRepositoryVar: o.CustomImageRepositoryVar})
			},
		},
		{
			Name:              "vsphere-webhook",
			Help:              "finds the vCenter VM template of each OS image a vSphere Cluster resolved to and writes its path and MOID into TKR_DATA (other Clusters are skipped)",
			Webhook:           true,
			AdmissionWebhooks: []string{vspheretemplate.Name},
			Setup: func(_ context.Context, mgr ctrl.Manager, o *Options) error {
				return vspheretemplate.Setup(mgr, o.VCenter)
			},
		},
		{
			Name:              "clusterbootstrap-webhooks",
			Help:              "defaults and validates ClusterBootstraps (wildcard package names, add-missing-fields-from-tkr, no downgrade or CNI switch), keeps ClusterBootstrapTemplates in the system namespace and immutable, and pauses a Cluster whose TKR changes until its ClusterBootstrap has moved",
			Webhook:           true,
			AdmissionWebhooks: append(append([]string{}, cbwebhooks.Names...), clusterpause.Name),
			Setup: func(_ context.Context, mgr ctrl.Manager, o *Options) error {
				if err := cbwebhooks.Setup(mgr, o.Namespace); err != nil {
					return err
				}
				return clusterpause.Setup(mgr)
			},
		},
		{
			Name: "clusterbootstrap",
			Help: "gives every Cluster resolved to a TKR a ClusterBootstrap named after it, cloned from the TKR's ClusterBootstrapTemplate with <cluster>-<package>-package copies of the add-on configs and Secrets (a config pre-created under that name is used as is), and moves it when the Cluster's TKR changes",
			Setup: func(_ context.Context, mgr ctrl.Manager, o *Options) error {
				return clusterbootstrap.Setup(mgr, clusterbootstrap.Options{SystemNamespace: o.Namespace})
			},
		},
		{
			Name:              "addons",
			Help:              "renders each cluster's AntreaConfig, CalicoConfig, VSphereCPIConfig, VSphereCSIConfig and KappControllerConfig into a <cluster>-<addon>-data-values Secret (status.secretRef), and validates AntreaConfigs",
			Webhook:           true,
			AdmissionWebhooks: antreaconfig.Names,
			Setup: func(_ context.Context, mgr ctrl.Manager, o *Options) error {
				if err := antreaconfig.Setup(mgr); err != nil {
					return err
				}
				return addons.Setup(mgr, addons.Options{SystemNamespace: o.Namespace})
			},
		},
	}
}
