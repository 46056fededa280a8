// Package scheme assembles the runtime.Scheme every tkr process uses: Kubernetes' built-in
// types, CRDs, this project's API groups and Cluster API's.
package scheme

import (
	datapackagingv1alpha1 "carvel.dev/kapp-controller/pkg/apiserver/apis/datapackaging/v1alpha1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	addonsv1beta1 "sigs.k8s.io/cluster-api/api/addons/v1beta1"
	addonsv1beta2 "sigs.k8s.io/cluster-api/api/addons/v1beta2"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1beta2 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	ipamv1alpha1 "sigs.k8s.io/cluster-api/api/ipam/v1alpha1"
	ipamv1beta1 "sigs.k8s.io/cluster-api/api/ipam/v1beta1"
	ipamv1beta2 "sigs.k8s.io/cluster-api/api/ipam/v1beta2"
	runtimev1alpha1 "sigs.k8s.io/cluster-api/api/runtime/v1alpha1"
	runtimev1beta2 "sigs.k8s.io/cluster-api/api/runtime/v1beta2"

	cniv1alpha1 "github.com/tkr-project/tkr/api/addons/cni/v1alpha1"
	cniv1alpha2 "github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
	cpiv1alpha1 "github.com/tkr-project/tkr/api/addons/cpi/v1alpha1"
	csiv1alpha1 "github.com/tkr-project/tkr/api/addons/csi/v1alpha1"
	runv1alpha1 "github.com/tkr-project/tkr/api/run/v1alpha1"
	runv1alpha2 "github.com/tkr-project/tkr/api/run/v1alpha2"
	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// New returns a scheme holding every type a tkr process reads or writes (kapp-controller's
// Package included, which the ClusterBootstrap components read). Cluster API's groups
// are all registered (not only Clusters) because the local control plane serves their
// conversions, as a real management cluster's Cluster API would.
func New() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		clientgoscheme.AddToScheme,
		apiextensionsv1.AddToScheme,
		runv1alpha1.AddToScheme,
		runv1alpha2.AddToScheme,
		runv1alpha3.AddToScheme,
		cniv1alpha1.AddToScheme,
		cniv1alpha2.AddToScheme,
		cpiv1alpha1.AddToScheme,
		csiv1alpha1.AddToScheme,
		clusterv1beta1.AddToScheme,
		clusterv1beta2.AddToScheme,
		addonsv1beta1.AddToScheme,
		addonsv1beta2.AddToScheme,
		ipamv1alpha1.AddToScheme,
		ipamv1beta1.AddToScheme,
		ipamv1beta2.AddToScheme,
		runtimev1alpha1.AddToScheme,
		runtimev1beta2.AddToScheme,
		datapackagingv1alpha1.AddToScheme,
	} {
		// Registration only fails on programming errors (conflicting kinds), never at run time.
		utilruntime.Must(add(s))
	}
	return s
}
