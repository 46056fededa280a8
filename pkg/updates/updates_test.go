package updates_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/resolver"
	"github.com/tkr-project/tkr/pkg/tkrdata"
	"github.com/tkr-project/tkr/pkg/updates"
	"github.com/tkr-project/tkr/pkg/version"
)

// The fixture catalogue. Every TKR ships OVAs named <TKR name>-<suffix>; the OS of an image is
// its suffix without a trailing digit.
//
//	v1.22.17+vmware.1-tkg.1    ubuntu, photon
//	v1.23.15+vmware.01-tkg.1   ubuntu          ties with v1.23.15+vmware.1-tkg.1 (hex tokens)
//	v1.23.15+vmware.1-tkg.1    ubuntu, photon  the clusters' TKR in most tests
//	v1.23.16+vmware.1-tkg.1    ubuntu, photon
//	v1.23.17+vmware.1-tkg.1    ubuntu          deactivated
//	v1.24.9+vmware.1-gpu-efi   ubuntu          bring your own, label gpuLabel
//	v1.24.9+vmware.1-tkg.1     ubuntu, photon
//	v1.24.10+vmware.1-tkg.1    photon
//	v1.24.11+vmware.1-tkg.1    ubuntu          Compatible=False
//	v1.24.12+vmware.1-tkg.1    ubuntu, ubuntu2 two Ubuntu images
//	v1.25.1+vmware.1-tkg.1     ubuntu
//	covfefe (named broken)     ubuntu          unparsable version
const gpuLabel = "tkr.tanzu.vmware.com/gpu-efi"

type fixture struct {
	version string
	images  []string
	labels  map[string]string
	conds   runv1alpha3.Conditions
}

var fixtures = []fixture{
	{version: "v1.22.17+vmware.1-tkg.1", images: []string{"ubuntu", "photon"}},
	{version: "v1.23.15+vmware.01-tkg.1", images: []string{"ubuntu"}},
	{version: "v1.23.15+vmware.1-tkg.1", images: []string{"ubuntu", "photon"}},
	{version: "v1.23.16+vmware.1-tkg.1", images: []string{"ubuntu", "photon"}},
	{version: "v1.23.17+vmware.1-tkg.1", images: []string{"ubuntu"}, labels: map[string]string{runv1alpha3.LabelDeactivated: ""}},
	{version: "v1.24.9+vmware.1-gpu-efi", images: []string{"ubuntu"}, labels: map[string]string{gpuLabel: ""}},
	{version: "v1.24.9+vmware.1-tkg.1", images: []string{"ubuntu", "photon"}},
	{version: "v1.24.10+vmware.1-tkg.1", images: []string{"photon"}},
	{version: "v1.24.11+vmware.1-tkg.1", images: []string{"ubuntu"}, conds: runv1alpha3.Conditions{{
		Type: runv1alpha3.ConditionCompatible, Status: corev1.ConditionFalse, Message: "not supported by this management cluster"}}},
	{version: "v1.24.12+vmware.1-tkg.1", images: []string{"ubuntu", "ubuntu2"}},
	{version: "v1.25.1+vmware.1-tkg.1", images: []string{"ubuntu"}},
	{version: "covfefe", images: []string{"ubuntu"}},
}

// catalog returns the fixture TKRs and a resolver holding them and their OSImages.
func catalog() updates.Catalog {
	var tkrs []*runv1alpha3.TanzuKubernetesRelease
	var objs []runtime.Object
	for _, f := range fixtures {
		name := version.Label(f.version)
		k8s := strings.SplitN(f.version, "-", 2)[0]
		if f.version == "covfefe" {
			name, k8s = "broken", "v1.24.9+vmware.1"
		}
		t := &runv1alpha3.TanzuKubernetesRelease{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: f.labels},
			Spec:       runv1alpha3.TanzuKubernetesReleaseSpec{Version: f.version, Kubernetes: runv1alpha3.KubernetesSpec{Version: k8s}},
			Status:     runv1alpha3.TanzuKubernetesReleaseStatus{Conditions: f.conds},
		}
		for _, suffix := range f.images {
			img := &runv1alpha3.OSImage{
				ObjectMeta: metav1.ObjectMeta{Name: name + "-" + suffix},
				Spec: runv1alpha3.OSImageSpec{
					KubernetesVersion: k8s,
					OS:                runv1alpha3.OSInfo{Type: "linux", Name: strings.TrimSuffix(suffix, "2"), Version: "1", Arch: "amd64"},
					Image:             runv1alpha3.MachineImageInfo{Type: "ova", Ref: map[string]interface{}{"version": name + "-" + suffix}},
				},
			}
			t.Spec.OSImages = append(t.Spec.OSImages, runv1alpha3.OSImageReference{Name: img.Name})
			objs = append(objs, img)
		}
		tkrs = append(tkrs, t)
		objs = append(objs, t)
	}
	r := resolver.New()
	r.Add(objs...)
	return updates.Catalog{TKRs: tkrs, Resolver: r}
}

// md is a machine deployment of a test cluster: its name and resolve-os-image selector.
type md struct{ name, selector string }

// classy returns a ClusterClass cluster labelled with tkr, with resolve-os-image cp on the
// control plane and the given machine deployments of class "worker".
func classy(tkr, cp string, mds ...md) *clusterv1.Cluster {
	c := &clusterv1.Cluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "c", Labels: map[string]string{runv1alpha3.LabelTKR: tkr}},
		Spec: clusterv1.ClusterSpec{Topology: clusterv1.Topology{
			ClassRef:     clusterv1.ClusterClassRef{Name: "cc"},
			Version:      "v1.23.15+vmware.1",
			ControlPlane: clusterv1.ControlPlaneTopology{Metadata: clusterv1.ObjectMeta{Annotations: map[string]string{runv1alpha3.AnnotationResolveOSImage: cp}}},
		}},
	}
	for _, m := range mds {
		c.Spec.Topology.Workers.MachineDeployments = append(c.Spec.Topology.Workers.MachineDeployments, clusterv1.MachineDeploymentTopology{
			Name: m.name, Class: "worker",
			Metadata: clusterv1.ObjectMeta{Annotations: map[string]string{runv1alpha3.AnnotationResolveOSImage: m.selector}},
		})
	}
	return c
}

// class returns the ClusterClass "cc" with the given annotations and the worker class "worker".
func class(annotations map[string]string) *clusterv1.ClusterClass {
	return &clusterv1.ClusterClass{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "cc", Annotations: annotations},
		Spec: clusterv1.ClusterClassSpec{Workers: clusterv1.WorkersClass{
			MachineDeployments: []clusterv1.MachineDeploymentClass{{Class: "worker"}},
		}},
	}
}

// anyTKR is the annotation TKG ClusterClasses carry: resolve every cluster, any TKR allowed.
var anyTKR = map[string]string{runv1alpha3.AnnotationResolveTKR: ""}

// legacy returns a cluster without topology labelled tanzuKubernetesRelease=tkr.
func legacy(tkr string) *clusterv1.Cluster {
	return &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "c", Labels: map[string]string{runv1alpha3.LabelLegacyClusterTKR: tkr}}}
}

func compute(t *testing.T, cluster *clusterv1.Cluster, cc *clusterv1.ClusterClass) (*updates.Result, error) {
	t.Helper()
	view, err := tkrdata.ForCluster(cluster)
	if err != nil {
		t.Fatal(err)
	}
	var ccView tkrdata.ClusterClass
	if cc != nil {
		if ccView, err = tkrdata.ForClusterClass(cc); err != nil {
			t.Fatal(err)
		}
	}
	return updates.ForCluster(view, ccView, catalog())
}

func mustCompute(t *testing.T, cluster *clusterv1.Cluster, cc *clusterv1.ClusterClass) *updates.Result {
	t.Helper()
	res, err := compute(t, cluster, cc)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// verdict is a rejection without its message, which is checked separately where it matters.
type verdict struct {
	Name   string
	Reason updates.Reason
	Part   string
}

func verdicts(rs []updates.Rejection) []verdict {
	var out []verdict
	for _, r := range rs {
		out = append(out, verdict{r.Name, r.Reason, r.Part})
	}
	return out
}

func rejection(t *testing.T, res *updates.Result, name string) updates.Rejection {
	t.Helper()
	for _, r := range res.Rejected {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("%s is not rejected; result: %+v", name, res)
	return updates.Rejection{}
}

const current = "v1.23.15---vmware.1-tkg.1"

// A legacy cluster is offered every newer, non-excluded TKR of its minor version and the next,
// oldest first; OSImages play no part.
func TestLegacyOrderingAndFiltering(t *testing.T) {
	res := mustCompute(t, legacy(current), nil)
	wantUpdates := []updates.Update{
		{Name: "v1.23.16---vmware.1-tkg.1", Version: "v1.23.16+vmware.1-tkg.1"},
		{Name: "v1.24.9---vmware.1-gpu-efi", Version: "v1.24.9+vmware.1-gpu-efi"},
		{Name: "v1.24.9---vmware.1-tkg.1", Version: "v1.24.9+vmware.1-tkg.1"},
		{Name: "v1.24.10---vmware.1-tkg.1", Version: "v1.24.10+vmware.1-tkg.1"},
		{Name: "v1.24.12---vmware.1-tkg.1", Version: "v1.24.12+vmware.1-tkg.1"},
	}
	if diff := cmp.Diff(wantUpdates, res.Updates); diff != "" {
		t.Errorf("updates (-want +got):\n%s", diff)
	}
	wantRejected := []verdict{
		{"broken", updates.ReasonUnparsableVersion, ""},
		{"v1.22.17---vmware.1-tkg.1", updates.ReasonNotNewer, ""},
		{"v1.23.15---vmware.01-tkg.1", updates.ReasonNotNewer, ""},
		{"v1.23.15---vmware.1-tkg.1", updates.ReasonNotNewer, ""},
		{"v1.23.17---vmware.1-tkg.1", updates.ReasonDeactivated, ""},
		{"v1.24.11---vmware.1-tkg.1", updates.ReasonIncompatible, ""},
		{"v1.25.1---vmware.1-tkg.1", updates.ReasonTooFarAhead, ""},
	}
	if diff := cmp.Diff(wantRejected, verdicts(res.Rejected)); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
	if got, want := res.Message(), "[v1.23.16+vmware.1-tkg.1 v1.24.9+vmware.1-gpu-efi v1.24.9+vmware.1-tkg.1 v1.24.10+vmware.1-tkg.1 v1.24.12+vmware.1-tkg.1]"; got != want {
		t.Errorf("Message() = %q, want %q", got, want)
	}
	if res.TKR != current || res.Version != "v1.23.15+vmware.1-tkg.1" {
		t.Errorf("current = %s (%s), want %s (v1.23.15+vmware.1-tkg.1)", res.TKR, res.Version, current)
	}
	for name, want := range map[string]string{
		"v1.23.15---vmware.1-tkg.1": "It is the cluster's current TKR.",
		"v1.25.1---vmware.1-tkg.1":  "It is 2 minor versions ahead of the cluster's v1.23.15+vmware.1-tkg.1; updates go at most one minor version up.",
		"v1.24.11---vmware.1-tkg.1": "It is incompatible: its Compatible condition is False: not supported by this management cluster.",
	} {
		if got := rejection(t, res, name).Message; got != want {
			t.Errorf("message for %s = %q, want %q", name, got, want)
		}
	}
}

// A ClusterClass cluster is offered only the TKRs it would resolve to with its own selectors,
// with exactly one OSImage per part.
func TestClusterClassFiltersBySelectors(t *testing.T) {
	res := mustCompute(t, classy(current, "os-name=ubuntu", md{"md-0", "os-name=ubuntu"}), class(anyTKR))
	// resolve-tkr: "" matches the bring-your-own TKR too (see the package documentation).
	if got, want := res.Message(), "[v1.23.16+vmware.1-tkg.1 v1.24.9+vmware.1-gpu-efi v1.24.9+vmware.1-tkg.1]"; got != want {
		t.Errorf("Message() = %q, want %q", got, want)
	}
	wantRejected := []verdict{
		{"broken", updates.ReasonUnparsableVersion, ""},
		{"v1.22.17---vmware.1-tkg.1", updates.ReasonNotNewer, ""},
		{"v1.23.15---vmware.01-tkg.1", updates.ReasonNotNewer, ""},
		{"v1.23.15---vmware.1-tkg.1", updates.ReasonNotNewer, ""},
		{"v1.23.17---vmware.1-tkg.1", updates.ReasonDeactivated, ""},
		{"v1.24.10---vmware.1-tkg.1", updates.ReasonNoOSImage, "controlPlane"},
		{"v1.24.11---vmware.1-tkg.1", updates.ReasonIncompatible, ""},
		{"v1.24.12---vmware.1-tkg.1", updates.ReasonAmbiguous, "controlPlane"},
		{"v1.25.1---vmware.1-tkg.1", updates.ReasonTooFarAhead, ""},
	}
	if diff := cmp.Diff(wantRejected, verdicts(res.Rejected)); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
	if got, want := rejection(t, res, "v1.24.12---vmware.1-tkg.1").Message,
		"Part controlPlane cannot use it: 2 of its OSImages match (v1.24.12---vmware.1-tkg.1-ubuntu, v1.24.12---vmware.1-tkg.1-ubuntu2), but the resolver needs exactly one."; got != want {
		t.Errorf("ambiguity message = %q, want %q", got, want)
	}
}

// A TKR that one machine deployment cannot use is not offered, and the rejection names the
// machine deployment and the selector term that fails.
func TestMachineDeploymentSelectorRejects(t *testing.T) {
	res := mustCompute(t, classy(current, "os-name=ubuntu", md{"md-0", "os-name=ubuntu"}, md{"md-1", "os-name=photon"}), class(anyTKR))
	if got, want := res.Message(), "[v1.23.16+vmware.1-tkg.1 v1.24.9+vmware.1-tkg.1]"; got != want {
		t.Errorf("Message() = %q, want %q", got, want)
	}
	gpu := rejection(t, res, "v1.24.9---vmware.1-gpu-efi")
	if gpu.Reason != updates.ReasonNoOSImage || gpu.Part != "md-1" || !strings.Contains(gpu.Message, "os-name=photon") || !strings.HasPrefix(gpu.Message, "Part md-1 cannot use it.") {
		t.Errorf("gpu-efi rejection = %+v, want NoOSImage for md-1 naming os-name=photon", gpu)
	}
	// v1.24.10 has only a Photon image: the control plane (Ubuntu) rejects it itself.
	if r := rejection(t, res, "v1.24.10---vmware.1-tkg.1"); r.Reason != updates.ReasonNoOSImage || r.Part != "controlPlane" {
		t.Errorf("v1.24.10 rejection = %+v, want NoOSImage for controlPlane", r)
	}
}

// A selector that excludes the bring-your-own label keeps its TKR out.
func TestTKRSelectorExcludesByoTKR(t *testing.T) {
	c := classy(current, "os-name=ubuntu", md{"md-0", "os-name=ubuntu"})
	c.Annotations = map[string]string{runv1alpha3.AnnotationResolveTKR: "!" + gpuLabel}
	res := mustCompute(t, c, class(anyTKR))
	if got, want := res.Message(), "[v1.23.16+vmware.1-tkg.1 v1.24.9+vmware.1-tkg.1]"; got != want {
		t.Errorf("Message() = %q, want %q", got, want)
	}
	if r := rejection(t, res, "v1.24.9---vmware.1-gpu-efi"); r.Reason != updates.ReasonTKRSelector || !strings.Contains(r.Message, "!"+gpuLabel) {
		t.Errorf("gpu-efi rejection = %+v, want TKRSelector naming !%s", r, gpuLabel)
	}
}

// A cluster on the newest TKR of the last minor version has nothing to update to.
func TestUpToDate(t *testing.T) {
	for _, c := range []*clusterv1.Cluster{legacy("v1.25.1---vmware.1-tkg.1"), classy("v1.25.1---vmware.1-tkg.1", "os-name=ubuntu")} {
		res := mustCompute(t, c, class(anyTKR))
		if len(res.Updates) != 0 || res.Message() != "[]" {
			t.Errorf("updates of %v = %v, want none", c.Labels, res.Updates)
		}
	}
}

// The failures callers turn into conditions, and no panic on any of them.
func TestErrors(t *testing.T) {
	noLabel := classy("", "os-name=ubuntu")
	if _, err := compute(t, noLabel, class(anyTKR)); !errors.Is(err, updates.ErrNoTKR) {
		t.Errorf("no label: err = %v, want ErrNoTKR", err)
	}

	var pe *updates.ParseError
	_, err := compute(t, classy("not-a-version", "os-name=ubuntu"), class(anyTKR))
	if !errors.As(err, &pe) || pe.Name != "not-a-version" {
		t.Errorf("unparsable label: err = %v, want a ParseError for not-a-version", err)
	} else if want := "cannot parse TKR version from TKR name 'not-a-version': "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("unparsable label: err = %q, want it to start with %q", err, want)
	}
	if _, err := compute(t, legacy("v1.24"), nil); !errors.As(err, &pe) {
		t.Errorf("version prefix as a TKR name: err = %v, want a ParseError", err)
	}

	if _, err := compute(t, classy(current, "os-name=ubuntu"), class(nil)); !errors.Is(err, updates.ErrNotResolved) {
		t.Errorf("no resolve-tkr: err = %v, want ErrNotResolved", err)
	}
	if _, err := compute(t, classy(current, "os-name in (ubuntu"), class(anyTKR)); err == nil || !strings.Contains(err.Error(), "error parsing selector") {
		t.Errorf("bad selector: err = %v, want a selector parse error", err)
	}
	unknownClass := classy(current, "os-name=ubuntu", md{"md-0", "os-name=ubuntu"})
	unknownClass.Spec.Topology.Workers.MachineDeployments[0].Class = "nope"
	if _, err := compute(t, unknownClass, class(anyTKR)); err == nil || !strings.Contains(err.Error(), "non-existent MD class 'nope'") {
		t.Errorf("unknown MD class: err = %v, want it named", err)
	}
	view, err := tkrdata.ForCluster(classy(current, "os-name=ubuntu"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := updates.ForCluster(view, nil, updates.Catalog{}); err == nil {
		t.Error("a ClusterClass cluster without a Resolver: no error")
	}
}

// Each kind of cluster reads its own label first and the other one when its own is missing.
func TestTKRName(t *testing.T) {
	both := map[string]string{runv1alpha3.LabelTKR: "classy", runv1alpha3.LabelLegacyClusterTKR: "legacy"}
	for _, tc := range []struct {
		desc     string
		topology bool
		labels   map[string]string
		want     string
	}{
		{"ClusterClass, both labels", true, both, "classy"},
		{"legacy, both labels", false, both, "legacy"},
		{"ClusterClass, legacy label only", true, map[string]string{runv1alpha3.LabelLegacyClusterTKR: "legacy"}, "legacy"},
		{"legacy, tkr label only", false, map[string]string{runv1alpha3.LabelTKR: "classy"}, "classy"},
		{"empty value falls back", true, map[string]string{runv1alpha3.LabelTKR: "", runv1alpha3.LabelLegacyClusterTKR: "legacy"}, "legacy"},
		{"no labels", true, nil, ""},
	} {
		c := legacy("")
		c.Labels = tc.labels
		if tc.topology {
			c.Spec.Topology.ClassRef.Name = "cc"
		}
		view, err := tkrdata.ForCluster(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := updates.TKRName(view); got != tc.want {
			t.Errorf("%s: TKRName = %q, want %q", tc.desc, got, tc.want)
		}
	}
}

// Message is the original format; a version two TKRs share is listed once.
func TestMessage(t *testing.T) {
	res := &updates.Result{Updates: []updates.Update{
		{Name: "a", Version: "v1.24.9+vmware.1-tkg.1"},
		{Name: "b", Version: "v1.24.9+vmware.1-tkg.1"},
		{Name: "c", Version: "v1.24.10+vmware.1-tkg.1"},
	}}
	if got, want := res.Message(), "[v1.24.9+vmware.1-tkg.1 v1.24.10+vmware.1-tkg.1]"; got != want {
		t.Errorf("Message() = %q, want %q", got, want)
	}
	if got := (&updates.Result{}).Message(); got != "[]" {
		t.Errorf("Message() of no updates = %q, want []", got)
	}
}

// Given only a Resolver, a ClusterClass cluster still gets its updates: the resolver's
// candidates of the two minor versions are judged, and nothing else is listed.
func TestResolverOnly(t *testing.T) {
	cat := catalog()
	cat.TKRs = nil
	view, err := tkrdata.ForCluster(classy(current, "os-name=ubuntu", md{"md-0", "os-name=ubuntu"}))
	if err != nil {
		t.Fatal(err)
	}
	cc, err := tkrdata.ForClusterClass(class(anyTKR))
	if err != nil {
		t.Fatal(err)
	}
	res, err := updates.ForCluster(view, cc, cat)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Message(), "[v1.23.16+vmware.1-tkg.1 v1.24.9+vmware.1-gpu-efi v1.24.9+vmware.1-tkg.1]"; got != want {
		t.Errorf("Message() = %q, want %q", got, want)
	}
	for _, r := range res.Rejected {
		if !strings.HasPrefix(r.Version, "v1.23.") && !strings.HasPrefix(r.Version, "v1.24.") {
			t.Errorf("%s is listed, but is of neither minor version", r.Name)
		}
	}
}
