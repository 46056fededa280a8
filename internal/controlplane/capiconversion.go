package controlplane

import (
	"context"
	"fmt"
	"slices"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"
	capiconversion "sigs.k8s.io/cluster-api/core/webhooks/conversion"
	"sigs.k8s.io/controller-runtime/pkg/client"
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

// ServeClusterAPIConversion registers Cluster API's conversion handler on server. crds reads
// CustomResourceDefinitions (a cached client is best): converting a v1beta2 Cluster back to
// v1beta1 turns its infrastructureRef and controlPlaneRef (group and kind only) into object
// references with an apiVersion, which Cluster API looks up in the referenced kind's CRD.
func ServeClusterAPIConversion(scheme *runtime.Scheme, server webhook.Server, crds client.Reader) error {
	h, err := tkrconversion.NewHandler(scheme, ClusterAPIConverters)
	if err != nil {
		return err
	}
	// Cluster API keeps the lookup in a package variable; one local control plane runs per
	// process, so the last manager started wins, which is the only one.
	capiconversion.SetAPIVersionGetter(apiVersionFromContract(crds))
	server.Register(ClusterAPIConversionPath, h)
	return nil
}

// contractLabels are Cluster API's contract labels on provider CRDs, newest contract first.
// Each value lists the CRD's versions that implement that contract, joined by "_".
var contractLabels = []string{"cluster.x-k8s.io/v1beta2", "cluster.x-k8s.io/v1beta1"}

// apiVersionFromContract returns Cluster API's apiVersion lookup: the newest version that the
// CRD of a group and kind lists under the newest contract it implements. It follows Cluster
// API's own rule (its implementation is internal to Cluster API), finding the CRD by group and
// kind instead of by a pluralised name.
func apiVersionFromContract(crds client.Reader) func(context.Context, schema.GroupKind) (string, error) {
	return func(ctx context.Context, gk schema.GroupKind) (string, error) {
		list := &apiextensionsv1.CustomResourceDefinitionList{}
		if err := crds.List(ctx, list); err != nil {
			return "", fmt.Errorf("listing CustomResourceDefinitions to find the apiVersion of %s: %w", gk, err)
		}
		for _, c := range list.Items {
			if c.Spec.Group != gk.Group || c.Spec.Names.Kind != gk.Kind {
				continue
			}
			for _, label := range contractLabels {
				if v := c.Labels[label]; v != "" {
					versions := strings.Split(v, "_")
					newest := slices.MaxFunc(versions, version.CompareKubeAwareVersionStrings)
					return schema.GroupVersion{Group: gk.Group, Version: newest}.String(), nil
				}
			}
			return "", fmt.Errorf("the CustomResourceDefinition %s has no Cluster API contract label (%s), so the apiVersion of a %s reference is unknown; label it as its provider does",
				c.Name, strings.Join(contractLabels, " or "), gk.Kind)
		}
		return "", fmt.Errorf("no CustomResourceDefinition of kind %s is installed, so the apiVersion of a reference to it is unknown; install its provider's CRDs", gk)
	}
}
