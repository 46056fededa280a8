package resolution

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1beta2 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/resolver"
	"github.com/tkr-project/tkr/pkg/tkrdata"
	"github.com/tkr-project/tkr/pkg/version"
)

// The fixture catalogue is written out by hand so that every expectation below can be read
// off it. Each TKR is named after its version, as the source controller names them, and ships
// AMIs in two regions:
//
//	v1.22.17---vmware.1-tkg.1   ubuntu, photon
//	v1.23.15---vmware.1-tkg.1   ubuntu, photon
//	v1.23.15---vmware.1-tkg.2   ubuntu, photon                      (newest v1.23)
//	v1.24.9---vmware.1-tkg.1    ubuntu (us-west-2), ubuntu (eu-central-1), photon; label chosenLabel
//	v1.24.9---vmware.1-gpu-efi  ubuntu (us-west-2); label gpuLabel (bring your own)
//	v1.24.10---vmware.1-tkg.1   ubuntu, photon; Valid=False, so never chosen
//	v1.25.5---vmware.1-tkg.1    ubuntu; Compatible=False, so never chosen
//
// v1.24.9---vmware.1-tkg.1 sorts after gpu-efi ("tkg" > "gpu"), so v1.24 resolves to it
// unless a TKR selector says otherwise.
const (
	// chosenLabel marks the TKR of the M scenarios, as the original marked a random TKR with a
	// unique random label.
	chosenLabel = "fixture.tkr.test/chosen"
	// gpuLabel marks the bring-your-own TKR and its image, as in examples/catalog.
	gpuLabel = "tkr.tanzu.vmware.com/gpu-efi"

	chosenTKR   = "v1.24.9---vmware.1-tkg.1"
	chosenK8s   = "v1.24.9+vmware.1"
	chosenImage = "v1.24.9---vmware.1-tkg.1-ubuntu-us"
	photon124   = "v1.24.9---vmware.1-tkg.1-photon-us"
	ubuntuEU124 = "v1.24.9---vmware.1-tkg.1-ubuntu-eu"
	gpuTKR      = "v1.24.9---vmware.1-gpu-efi"
	gpuImage    = "v1.24.9---vmware.1-gpu-efi-ubuntu-us"
	tkr123      = "v1.23.15---vmware.1-tkg.2"
	k8s123      = "v1.23.15+vmware.1"
	ubuntu123   = "v1.23.15---vmware.1-tkg.2-ubuntu-us"
	photon123   = "v1.23.15---vmware.1-tkg.2-photon-us"

	// uniqueRef is the ref value only the chosen image has (spec §5.3), and overlongRef one
	// whose label must be cut to 63 characters.
	uniqueRef   = "v1.24.9+vmware.1-tkg.1-226b7a84930e5368c38aa867f998ce33"
	overlongRef = uniqueRef + "longsuffix" + "longsuffix" + "longsuffix"

	// Selectors that pick exactly one image of the chosen TKR.
	ubuntuUS = "os-name=ubuntu,ami-region=us-west-2"
	photonUS = "os-name=photon,ami-region=us-west-2"
)

// image is an OSImage of the fixture catalogue.
type image struct {
	suffix, os, osVersion, region string
	labels                        map[string]string
}

// release is a TKR of the fixture catalogue.
type release struct {
	version, k8s string
	labels       map[string]string
	conditions   runv1alpha3.Conditions
	images       []image
}

var releases = []release{
	{version: "v1.22.17+vmware.1-tkg.1", k8s: "v1.22.17+vmware.1", images: []image{
		{suffix: "ubuntu-us", os: "ubuntu", osVersion: "2004", region: "us-west-2"},
		{suffix: "photon-us", os: "photon", osVersion: "3", region: "us-west-2"},
	}},
	{version: "v1.23.15+vmware.1-tkg.1", k8s: k8s123, images: []image{
		{suffix: "ubuntu-us", os: "ubuntu", osVersion: "2004", region: "us-west-2"},
		{suffix: "photon-us", os: "photon", osVersion: "3", region: "us-west-2"},
	}},
	{version: "v1.23.15+vmware.1-tkg.2", k8s: k8s123, images: []image{
		{suffix: "ubuntu-us", os: "ubuntu", osVersion: "2004", region: "us-west-2"},
		{suffix: "photon-us", os: "photon", osVersion: "3", region: "us-west-2"},
	}},
	{version: "v1.24.9+vmware.1-tkg.1", k8s: chosenK8s, labels: map[string]string{chosenLabel: ""}, images: []image{
		{suffix: "ubuntu-us", os: "ubuntu", osVersion: "2004", region: "us-west-2"},
		{suffix: "ubuntu-eu", os: "ubuntu", osVersion: "2004", region: "eu-central-1"},
		{suffix: "photon-us", os: "photon", osVersion: "3", region: "us-west-2"},
	}},
	{version: "v1.24.9+vmware.1-gpu-efi", k8s: chosenK8s, labels: map[string]string{gpuLabel: ""}, images: []image{
		{suffix: "ubuntu-us", os: "ubuntu", osVersion: "2004", region: "us-west-2", labels: map[string]string{gpuLabel: ""}},
	}},
	{version: "v1.24.10+vmware.1-tkg.1", k8s: "v1.24.10+vmware.1",
		conditions: runv1alpha3.Conditions{{Type: runv1alpha3.ConditionValid, Status: corev1.ConditionFalse,
			Severity: runv1alpha3.ConditionSeverityWarning, Message: "kubernetes.version does not match the OSImages"}},
		images: []image{
			{suffix: "ubuntu-us", os: "ubuntu", osVersion: "2004", region: "us-west-2"},
			{suffix: "photon-us", os: "photon", osVersion: "3", region: "us-west-2"},
		}},
	{version: "v1.25.5+vmware.1-tkg.1", k8s: "v1.25.5+vmware.1",
		conditions: runv1alpha3.Conditions{{Type: runv1alpha3.ConditionCompatible, Status: corev1.ConditionFalse,
			Severity: runv1alpha3.ConditionSeverityWarning}},
		images: []image{
			{suffix: "ubuntu-us", os: "ubuntu", osVersion: "2004", region: "us-west-2"},
		}},
}

// fixtureObjects returns fresh copies of the catalogue's TKRs and OSImages. Every TKR keeps
// its core images in projects.registry.vmware.com/tkg except kube-vip, which names its own
// repository so that defaulting and the custom repository can be told apart.
func fixtureObjects() []runtime.Object {
	var objs []runtime.Object
	for _, rel := range releases {
		name := version.Label(rel.version)
		t := &runv1alpha3.TanzuKubernetesRelease{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: maps.Clone(rel.labels)},
			Spec: runv1alpha3.TanzuKubernetesReleaseSpec{
				Version: rel.version,
				Kubernetes: runv1alpha3.KubernetesSpec{
					Version:         rel.k8s,
					ImageRepository: "projects.registry.vmware.com/tkg",
					Etcd:            &runv1alpha3.ContainerImageInfo{ImageTag: "v3.5.6_vmware.3"},
					Pause:           &runv1alpha3.ContainerImageInfo{ImageTag: "3.7"},
					CoreDNS:         &runv1alpha3.ContainerImageInfo{ImageTag: "v1.8.6_vmware.15"},
					KubeVIP:         &runv1alpha3.ContainerImageInfo{ImageRepository: "ghcr.io/kube-vip", ImageTag: "v0.5.7"},
				},
			},
			Status: runv1alpha3.TanzuKubernetesReleaseStatus{Conditions: slices.Clone(rel.conditions)},
		}
		for _, img := range rel.images {
			imgName := name + "-" + img.suffix
			t.Spec.OSImages = append(t.Spec.OSImages, runv1alpha3.OSImageReference{Name: imgName})
			ref := map[string]interface{}{"id": "ami-" + imgName, "region": img.region}
			if imgName == chosenImage {
				ref["no-other-osimage-has-this"] = uniqueRef
				ref["overlength-ref-field"] = overlongRef
			}
			objs = append(objs, &runv1alpha3.OSImage{
				ObjectMeta: metav1.ObjectMeta{Name: imgName, Labels: maps.Clone(img.labels)},
				Spec: runv1alpha3.OSImageSpec{
					KubernetesVersion: rel.k8s,
					OS:                runv1alpha3.OSInfo{Type: "linux", Name: img.os, Version: img.osVersion, Arch: "amd64"},
					Image:             runv1alpha3.MachineImageInfo{Type: "ami", Ref: ref},
				},
			})
		}
		objs = append(objs, t)
	}
	return objs
}

// newFixtureResolver returns a resolver holding the fixture catalogue.
func newFixtureResolver() *resolver.Resolver {
	r := resolver.New()
	r.Add(fixtureObjects()...)
	return r
}

// fullSelector returns the OSImage's whole label set, as the resolver sees it, as a selector:
// the selector that picks exactly that image (spec §5.3).
func fullSelector(t testing.TB, r *resolver.Resolver, name string) string {
	t.Helper()
	img := r.OSImage(name)
	if img == nil {
		t.Fatalf("the fixture catalogue has no OSImage %s", name)
	}
	return labels.SelectorFromSet(img.Labels).String()
}

// variable is a cluster variable or machine deployment override: a name and its raw JSON.
type variable struct{ name, value string }

// mdSpec describes a machine deployment topology.
type mdSpec struct {
	name, class string
	selector    *string // resolve-os-image annotation; nil for none
	overrides   []variable
}

// clusterSpec describes a ClusterClass-based Cluster in terms both Cluster API versions share.
type clusterSpec struct {
	labels     map[string]string
	resolveTKR *string // resolve-tkr annotation; nil for none
	noTopology bool
	version    string
	cpSelector *string // resolve-os-image on the control plane; nil for none
	vars       []variable
	mds        []mdSpec
	noWorkers  bool
}

// ccSpec describes the ClusterClass test-ns/test-cc-0.
type ccSpec struct {
	resolveTKR *string
	cpSelector *string
	// mdClasses maps a worker class to its template's resolve-os-image annotation ("" for
	// none).
	mdClasses map[string]string
}

func ptr(s string) *string { return &s }

// withAnnotation returns m plus key=*value when value is non-nil.
func withAnnotation(m map[string]string, key string, value *string) map[string]string {
	if value == nil {
		return m
	}
	out := maps.Clone(m)
	if out == nil {
		out = map[string]string{}
	}
	out[key] = *value
	return out
}

func (s clusterSpec) v1beta1() *clusterv1beta1.Cluster {
	c := &clusterv1beta1.Cluster{
		TypeMeta: metav1.TypeMeta{APIVersion: clusterv1beta1.GroupVersion.String(), Kind: "Cluster"},
		ObjectMeta: metav1.ObjectMeta{
			Namespace:   "test-ns",
			Name:        "test-c-0",
			Labels:      maps.Clone(s.labels),
			Annotations: withAnnotation(nil, runv1alpha3.AnnotationResolveTKR, s.resolveTKR),
		},
	}
	if s.noTopology {
		return c
	}
	top := &clusterv1beta1.Topology{Class: "test-cc-0", Version: s.version}
	top.ControlPlane.Metadata.Annotations = withAnnotation(nil, runv1alpha3.AnnotationResolveOSImage, s.cpSelector)
	for _, v := range s.vars {
		top.Variables = append(top.Variables, clusterv1beta1.ClusterVariable{Name: v.name, Value: apiextensionsv1.JSON{Raw: []byte(v.value)}})
	}
	if !s.noWorkers {
		top.Workers = &clusterv1beta1.WorkersTopology{}
		for _, md := range s.mds {
			m := clusterv1beta1.MachineDeploymentTopology{Name: md.name, Class: md.class}
			m.Metadata.Annotations = withAnnotation(nil, runv1alpha3.AnnotationResolveOSImage, md.selector)
			if md.overrides != nil {
				m.Variables = &clusterv1beta1.MachineDeploymentVariables{}
				for _, v := range md.overrides {
					m.Variables.Overrides = append(m.Variables.Overrides, clusterv1beta1.ClusterVariable{Name: v.name, Value: apiextensionsv1.JSON{Raw: []byte(v.value)}})
				}
			}
			top.Workers.MachineDeployments = append(top.Workers.MachineDeployments, m)
		}
	}
	c.Spec.Topology = top
	return c
}

func (s ccSpec) v1beta1() *clusterv1beta1.ClusterClass {
	cc := &clusterv1beta1.ClusterClass{
		TypeMeta: metav1.TypeMeta{APIVersion: clusterv1beta1.GroupVersion.String(), Kind: "ClusterClass"},
		ObjectMeta: metav1.ObjectMeta{
			Namespace:   "test-ns",
			Name:        "test-cc-0",
			Annotations: withAnnotation(nil, runv1alpha3.AnnotationResolveTKR, s.resolveTKR),
		},
	}
	cc.Spec.ControlPlane.Metadata.Annotations = withAnnotation(nil, runv1alpha3.AnnotationResolveOSImage, s.cpSelector)
	for _, class := range slices.Sorted(maps.Keys(s.mdClasses)) {
		mdc := clusterv1beta1.MachineDeploymentClass{Class: class}
		if sel := s.mdClasses[class]; sel != "" {
			mdc.Template.Metadata.Annotations = map[string]string{runv1alpha3.AnnotationResolveOSImage: sel}
		}
		cc.Spec.Workers.MachineDeployments = append(cc.Spec.Workers.MachineDeployments, mdc)
	}
	cc.Spec.Variables = []clusterv1beta1.ClusterClassVariable{
		{Name: tkrdata.VarTKRData, Schema: clusterv1beta1.VariableSchema{OpenAPIV3Schema: clusterv1beta1.JSONSchemaProps{Type: "object", XPreserveUnknownFields: true}}},
		{Name: tkrdata.DefaultCustomImageRepositoryVar, Schema: clusterv1beta1.VariableSchema{OpenAPIV3Schema: clusterv1beta1.JSONSchemaProps{Type: "object"}}},
	}
	return cc
}

// apiVersions are the Cluster API versions every test runs against. v1beta2 objects are the
// conversions of the v1beta1 ones, by Cluster API's own conversion functions, so that both
// runs mean the same Cluster.
var apiVersions = []struct {
	name    string
	cluster func(testing.TB, *clusterv1beta1.Cluster) runtime.Object
	class   func(testing.TB, *clusterv1beta1.ClusterClass) runtime.Object
}{
	{
		name:    "v1beta1",
		cluster: func(_ testing.TB, c *clusterv1beta1.Cluster) runtime.Object { return c },
		class:   func(_ testing.TB, cc *clusterv1beta1.ClusterClass) runtime.Object { return cc },
	},
	{
		name: "v1beta2",
		cluster: func(t testing.TB, c *clusterv1beta1.Cluster) runtime.Object {
			out := &clusterv1beta2.Cluster{}
			if err := clusterv1beta1.Convert_v1beta1_Cluster_To_v1beta2_Cluster(c, out, nil); err != nil {
				t.Fatal(err)
			}
			out.APIVersion, out.Kind = clusterv1beta2.GroupVersion.String(), "Cluster"
			return out
		},
		class: func(t testing.TB, cc *clusterv1beta1.ClusterClass) runtime.Object {
			out := &clusterv1beta2.ClusterClass{}
			if err := clusterv1beta1.Convert_v1beta1_ClusterClass_To_v1beta2_ClusterClass(cc, out, nil); err != nil {
				t.Fatal(err)
			}
			out.APIVersion, out.Kind = clusterv1beta2.GroupVersion.String(), "ClusterClass"
			return out
		},
	},
}

// views returns the tkrdata views of the Cluster and ClusterClass for one API version.
func views(t testing.TB, api int, cs clusterSpec, ccs ccSpec) (tkrdata.Cluster, tkrdata.ClusterClass) {
	t.Helper()
	c, err := tkrdata.ForCluster(apiVersions[api].cluster(t, cs.v1beta1()))
	if err != nil {
		t.Fatal(err)
	}
	cc, err := tkrdata.ForClusterClass(apiVersions[api].class(t, ccs.v1beta1()))
	if err != nil {
		t.Fatal(err)
	}
	return c, cc
}

// eachAPIVersion runs test once per Cluster API version.
func eachAPIVersion(t *testing.T, test func(t *testing.T, api int)) {
	t.Helper()
	for i, v := range apiVersions {
		t.Run(v.name, func(t *testing.T) { test(t, i) })
	}
}

// snapshot returns the JSON of the Cluster behind c, to tell whether anything changed.
func snapshot(t testing.TB, c tkrdata.Cluster) string {
	t.Helper()
	b, err := json.Marshal(c.Object())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// entryJSON returns the JSON of TKR_DATA as the resolver writes it for an entry, for
// resolved-cluster fixtures.
func entryJSON(t testing.TB, r *resolver.Resolver, k8s, tkr, img, repo string) string {
	t.Helper()
	tk, im := r.TKR(tkr), r.OSImage(img)
	if tk == nil || im == nil {
		t.Fatalf("the fixture catalogue has no TKR %s or no OSImage %s", tkr, img)
	}
	b, err := json.Marshal(tkrdata.TKRData{k8s: tkrdata.NewEntry(tk, im, repo)})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// osImagesOf returns, per Kubernetes version, the OSImage named in the TKR_DATA that machine
// deployment md uses (-1: the cluster-level value).
func osImagesOf(t testing.TB, c tkrdata.Cluster, md int) map[string]string {
	t.Helper()
	var data tkrdata.TKRData
	var err error
	if md < 0 {
		data, err = tkrdata.Get(c)
	} else {
		data, err = tkrdata.GetForMD(c, md)
	}
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, e := range data {
		out[k] = e.Labels[runv1alpha3.LabelOSImage]
	}
	return out
}
