package addons

import (
	"errors"

	"sigs.k8s.io/controller-runtime/pkg/client"

	cniv1alpha1 "github.com/tkr-project/tkr/api/addons/cni/v1alpha1"
	cniv1alpha2 "github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
	cpiv1alpha1 "github.com/tkr-project/tkr/api/addons/cpi/v1alpha1"
	csiv1alpha1 "github.com/tkr-project/tkr/api/addons/csi/v1alpha1"
	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/addons"
	"github.com/tkr-project/tkr/pkg/addons/antrea"
	"github.com/tkr-project/tkr/pkg/addons/calico"
	"github.com/tkr-project/tkr/pkg/addons/cpi"
	"github.com/tkr-project/tkr/pkg/addons/csi"
	"github.com/tkr-project/tkr/pkg/addons/kappcontroller"
)

// errNoPackageName is the original product's error for an AntreaConfig the ClusterBootstrap
// controller has not labelled yet.
var errNoPackageName = errors.New("AntreaConfig does not contains package name label")

// antreaKind renders AntreaConfigs, read in the storage version v1alpha2. The Antrea version,
// which decides the fields rendered, comes from the package-name label the ClusterBootstrap
// controller puts on the config; without it there is nothing to decide with.
//
// In paravirtual clusters with antreaNsx enabled the original product also created a
// ProviderServiceAccount and an NSXServiceAccount; this controller renders the values only.
func antreaKind() kind[*cniv1alpha2.AntreaConfig] {
	return kind[*cniv1alpha2.AntreaConfig]{
		name:      "AntreaConfig",
		newObject: func() *cniv1alpha2.AntreaConfig { return &cniv1alpha2.AntreaConfig{} },
		newList:   func() client.ObjectList { return &cniv1alpha2.AntreaConfigList{} },
		check: func(cfg *cniv1alpha2.AntreaConfig) error {
			if _, ok := cfg.Labels[runv1alpha3.LabelPackageName]; !ok {
				return errNoPackageName
			}
			return nil
		},
		render: func(cfg *cniv1alpha2.AntreaConfig, cluster addons.Cluster, _ secretReader) (string, []byte, error) {
			values, err := antrea.Render(&cfg.Spec, antrea.Version(cfg.Labels[runv1alpha3.LabelPackageName]), cluster)
			return addons.AddonAntrea, values, err
		},
		secretRef: func(cfg *cniv1alpha2.AntreaConfig) *string { return &cfg.Status.SecretRef },
		message:   func(cfg *cniv1alpha2.AntreaConfig) *string { return &cfg.Status.Message },
		okMessage: func(cfg *cniv1alpha2.AntreaConfig) string { return antrea.StatusMessage(&cfg.Spec) },
	}
}

func calicoKind() kind[*cniv1alpha1.CalicoConfig] {
	return kind[*cniv1alpha1.CalicoConfig]{
		name:      "CalicoConfig",
		newObject: func() *cniv1alpha1.CalicoConfig { return &cniv1alpha1.CalicoConfig{} },
		newList:   func() client.ObjectList { return &cniv1alpha1.CalicoConfigList{} },
		render: func(cfg *cniv1alpha1.CalicoConfig, cluster addons.Cluster, _ secretReader) (string, []byte, error) {
			values, err := calico.Render(&cfg.Spec, cluster)
			return addons.AddonCalico, values, err
		},
		secretRef: func(cfg *cniv1alpha1.CalicoConfig) *string { return &cfg.Status.SecretRef },
	}
}

// cpiKind renders VSphereCPIConfigs. A config without a mode is left alone, as the original
// did. In paravirtual mode the original product also created a ProviderServiceAccount and an
// aggregated ClusterRole and discovered the supervisor's endpoint; this controller renders the
// values only, with an empty supervisor endpoint.
func cpiKind() kind[*cpiv1alpha1.VSphereCPIConfig] {
	return kind[*cpiv1alpha1.VSphereCPIConfig]{
		name:      "VSphereCPIConfig",
		newObject: func() *cpiv1alpha1.VSphereCPIConfig { return &cpiv1alpha1.VSphereCPIConfig{} },
		newList:   func() client.ObjectList { return &cpiv1alpha1.VSphereCPIConfigList{} },
		ignore:    func(cfg *cpiv1alpha1.VSphereCPIConfig) bool { return cfg.Spec.VSphereCPI.Mode == "" },
		secrets: func(cfg *cpiv1alpha1.VSphereCPIConfig) []string {
			vsphere, nsxt := cpiCredentials(cfg)
			return nonEmpty(vsphere, nsxt)
		},
		render: func(cfg *cpiv1alpha1.VSphereCPIConfig, cluster addons.Cluster, read secretReader) (string, []byte, error) {
			var in cpi.Inputs
			var err error
			vsphere, nsxt := cpiCredentials(cfg)
			if in.VSphere, err = credentials(read, vsphere); err != nil {
				return "", nil, err
			}
			if in.NSXT, err = credentials(read, nsxt); err != nil {
				return "", nil, err
			}
			values, err := cpi.Render(&cfg.Spec, cluster, in)
			return addons.AddonVSphereCPI, values, err
		},
		secretRef: func(cfg *cpiv1alpha1.VSphereCPIConfig) *string { return &cfg.Status.SecretRef },
	}
}

// cpiCredentials names the Secrets of a non-paravirtual VSphereCPIConfig's vSphere and NSX-T
// credentials ("" for none); paravirtual configs have none.
func cpiCredentials(cfg *cpiv1alpha1.VSphereCPIConfig) (vsphere, nsxt string) {
	if cfg.Spec.VSphereCPI.Mode != cpiv1alpha1.ModeVSphereCPI {
		return "", ""
	}
	c := &cfg.Spec.VSphereCPI.NonParavirtualConfig
	if ref := c.VSphereCredentialLocalObjRef; ref != nil {
		vsphere = ref.Name
	}
	if ref := c.NSXT.CredentialLocalObjRef; ref != nil {
		nsxt = ref.Name
	}
	return vsphere, nsxt
}

// csiCredentials names the Secret of a non-paravirtual VSphereCSIConfig's vSphere credentials,
// "" for none.
func csiCredentials(cfg *csiv1alpha1.VSphereCSIConfig) string {
	if ref := cfg.Spec.VSphereCSI.Config.VSphereCredentialLocalObjRef; ref != nil && cfg.Spec.VSphereCSI.Mode == csiv1alpha1.ModeVSphereCSI {
		return ref.Name
	}
	return ""
}

func nonEmpty(names ...string) []string {
	var out []string
	for _, n := range names {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// csiKind renders VSphereCSIConfigs into vsphere-csi or, in paravirtual mode, vsphere-pv-csi
// data values. In paravirtual mode the original product also created a ProviderServiceAccount;
// this controller renders the values only.
func csiKind() kind[*csiv1alpha1.VSphereCSIConfig] {
	return kind[*csiv1alpha1.VSphereCSIConfig]{
		name:      "VSphereCSIConfig",
		newObject: func() *csiv1alpha1.VSphereCSIConfig { return &csiv1alpha1.VSphereCSIConfig{} },
		newList:   func() client.ObjectList { return &csiv1alpha1.VSphereCSIConfigList{} },
		secrets:   func(cfg *csiv1alpha1.VSphereCSIConfig) []string { return nonEmpty(csiCredentials(cfg)) },
		render: func(cfg *csiv1alpha1.VSphereCSIConfig, cluster addons.Cluster, read secretReader) (string, []byte, error) {
			var in csi.Inputs
			var err error
			if in.VSphere, err = credentials(read, csiCredentials(cfg)); err != nil {
				return "", nil, err
			}
			values, err := csi.Render(&cfg.Spec, cluster, in)
			return csi.Addon(cfg.Spec.VSphereCSI.Mode), values, err
		},
		secretRef: func(cfg *csiv1alpha1.VSphereCSIConfig) *string { return &cfg.Status.SecretRef },
	}
}

func kappKind() kind[*runv1alpha3.KappControllerConfig] {
	return kind[*runv1alpha3.KappControllerConfig]{
		name:      "KappControllerConfig",
		newObject: func() *runv1alpha3.KappControllerConfig { return &runv1alpha3.KappControllerConfig{} },
		newList:   func() client.ObjectList { return &runv1alpha3.KappControllerConfigList{} },
		render: func(cfg *runv1alpha3.KappControllerConfig, cluster addons.Cluster, _ secretReader) (string, []byte, error) {
			values, err := kappcontroller.Render(&cfg.Spec, cluster)
			return addons.AddonKappController, values, err
		},
		secretRef: func(cfg *runv1alpha3.KappControllerConfig) *string { return &cfg.Status.SecretRef },
	}
}
