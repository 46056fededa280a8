package controlplane

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	capiconversion "sigs.k8s.io/cluster-api/core/webhooks/conversion"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/conversion"

	tkrconversion "github.com/tkr-project/tkr/internal/webhooks/conversion"
)

// ClusterAPIConversionPath is where the local control plane serves Cluster API's own CRD
// conversions. On a real management cluster Cluster API serves them; a local control plane has
// no Cluster API, so without this v1beta1 objects (what users and the seed write) could not be
// stored as v1beta2.
const ClusterAPIConversionPath = "/convert-cluster-api"

// ClusterAPIConverters are Cluster API's published hub-and-spoke converters, one per CRD kind
// in config/crd/capi.
var ClusterAPIConverters = map[schema.GroupKind]func(*runtime.Scheme) (conversion.Converter, error){
	{Group: "cluster.x-k8s.io", Kind: "Cluster"}:                          capiconversion.Cluster,
	{Group: "cluster.x-k8s.io", Kind: "ClusterClass"}:                     capiconversion.ClusterClass,
	{Group: "cluster.x-k8s.io", Kind: "Machine"}:                          capiconversion.Machine,
	{Group: "cluster.x-k8s.io", Kind: "MachineSet"}:                       capiconversion.MachineSet,
	{Group: "cluster.x-k8s.io", Kind: "MachineDeployment"}:                capiconversion.MachineDeployment,
	{Group: "cluster.x-k8s.io", Kind: "MachineDrainRule"}:                 capiconversion.MachineDrainRule,
	{Group: "cluster.x-k8s.io", Kind: "MachineHealthCheck"}:               capiconversion.MachineHealthCheck,
	{Group: "cluster.x-k8s.io", Kind: "MachinePool"}:                      capiconversion.MachinePool,
	{Group: "addons.cluster.x-k8s.io", Kind: "ClusterResourceSet"}:        capiconversion.ClusterResourceSet,
	{Group: "addons.cluster.x-k8s.io", Kind: "ClusterResourceSetBinding"}: capiconversion.ClusterResourceSetBinding,
	{Group: "runtime.cluster.x-k8s.io", Kind: "ExtensionConfig"}:          capiconversion.ExtensionConfig,
	{Group: "ipam.cluster.x-k8s.io", Kind: "IPAddress"}:                   capiconversion.IPAddress,
	{Group: "ipam.cluster.x-k8s.io", Kind: "IPAddressClaim"}:              capiconversion.IPAddressClaim,
}

// ServeClusterAPIConversion registers Cluster API's conversion handler on server.
func ServeClusterAPIConversion(scheme *runtime.Scheme, server webhook.Server) error {
	h, err := tkrconversion.NewHandler(scheme, ClusterAPIConverters)
	if err != nil {
		return err
	}
	server.Register(ClusterAPIConversionPath, h)
	return nil
}
