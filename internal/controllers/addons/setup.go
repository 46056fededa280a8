// Package addons holds the add-on config controllers: each turns an AntreaConfig, CalicoConfig,
// VSphereCPIConfig, VSphereCSIConfig or KappControllerConfig owned by a Cluster into the Secret
// <cluster>-<addon>-data-values and points the config's status.secretRef at it.
//
// One generic reconciler (reconciler.go) serves every kind; what differs per kind — how to
// render, which Secrets it reads, where its status lives — is a kind value (kinds.go). The
// rendering itself is pure and lives in pkg/addons.
package addons

import (
	ctrl "sigs.k8s.io/controller-runtime"
)

// Options configure the controllers.
type Options struct {
	// SystemNamespace holds the template configs (tkg-system), which are never rendered.
	SystemNamespace string
}

// +kubebuilder:rbac:groups=cni.tanzu.vmware.com,resources=antreaconfigs;calicoconfigs,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=cni.tanzu.vmware.com,resources=antreaconfigs/status;calicoconfigs/status,verbs=get;patch
// +kubebuilder:rbac:groups=cpi.tanzu.vmware.com,resources=vspherecpiconfigs,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=cpi.tanzu.vmware.com,resources=vspherecpiconfigs/status,verbs=get;patch
// +kubebuilder:rbac:groups=csi.tanzu.vmware.com,resources=vspherecsiconfigs,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=csi.tanzu.vmware.com,resources=vspherecsiconfigs/status,verbs=get;patch
// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=kappcontrollerconfigs,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=kappcontrollerconfigs/status,verbs=get;patch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;patch
// +kubebuilder:rbac:groups=cluster.x-k8s.io,resources=clusters;clusterclasses,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Setup registers every add-on config controller with mgr.
func Setup(mgr ctrl.Manager, o Options) error {
	for _, setup := range []func(ctrl.Manager, Options) error{
		antreaKind().setup, calicoKind().setup, cpiKind().setup, csiKind().setup, kappKind().setup,
	} {
		if err := setup(mgr, o); err != nil {
			return err
		}
	}
	return nil
}
