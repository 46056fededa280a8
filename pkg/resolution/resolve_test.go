package resolution

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/labels"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/resolver"
	"github.com/tkr-project/tkr/pkg/tkrdata"
	"github.com/tkr-project/tkr/pkg/version"
)

// customRepos are the values of the imageRepository variable the M scenarios run with: the
// original picked one of the two at random.
var customRepos = []string{"", "registry.example.com/mirror"}

// wantKubernetesSpec is what TKR_DATA must hold for a fixture TKR of Kubernetes version k8s:
// images without a repository inherit spec.kubernetes.imageRepository, kube-vip keeps its
// own, and a custom repository replaces them all.
func wantKubernetesSpec(k8s, customRepo string) *runv1alpha3.KubernetesSpec {
	core, vip := "projects.registry.vmware.com/tkg", "ghcr.io/kube-vip"
	if customRepo != "" {
		core, vip = customRepo, customRepo
	}
	return &runv1alpha3.KubernetesSpec{
		Version:         k8s,
		ImageRepository: core,
		Etcd:            &runv1alpha3.ContainerImageInfo{ImageRepository: core, ImageTag: "v3.5.6_vmware.3"},
		Pause:           &runv1alpha3.ContainerImageInfo{ImageRepository: core, ImageTag: "3.7"},
		CoreDNS:         &runv1alpha3.ContainerImageInfo{ImageRepository: core, ImageTag: "v1.8.6_vmware.15"},
		KubeVIP:         &runv1alpha3.ContainerImageInfo{ImageRepository: vip, ImageTag: "v0.5.7"},
	}
}

// checkResolved checks a Cluster freshly resolved to TKR tkr with OSImage img for the control
// plane (M6, M7): the label, the normalized version, and the TKR_DATA entry with the TKR's
// images after the repository rules and the image's ref and labels.
func checkResolved(t *testing.T, r *resolver.Resolver, c tkrdata.Cluster, prefix, tkr, img, customRepo string) {
	t.Helper()
	if got := c.GetLabels()[runv1alpha3.LabelTKR]; got != tkr {
		t.Errorf("label %s = %q, want %q", runv1alpha3.LabelTKR, got, tkr)
	}
	tk := r.TKR(tkr)
	if tk == nil {
		t.Fatalf("TKR %s is not in the catalogue", tkr)
	}
	k8s := tk.Spec.Kubernetes.Version
	if got := c.TopologyVersion(); got != k8s {
		t.Errorf("spec.topology.version = %q, want %q", got, k8s)
	}
	if !version.HasPrefix(tk.Spec.Version, prefix) {
		t.Errorf("TKR version %q does not start with the requested %q", tk.Spec.Version, prefix)
	}
	data, err := tkrdata.Get(c)
	if err != nil {
		t.Fatal(err)
	}
	entry := data[k8s]
	if entry == nil {
		t.Fatalf("TKR_DATA has no entry for %s: %v", k8s, slices.Sorted(maps.Keys(data)))
	}
	if diff := cmp.Diff(wantKubernetesSpec(k8s, customRepo), entry.KubernetesSpec); diff != "" {
		t.Errorf("kubernetesSpec (-want +got):\n%s", diff)
	}
	im := r.OSImage(entry.Labels[runv1alpha3.LabelOSImage])
	if im == nil || im.Name != img {
		t.Fatalf("TKR_DATA names OSImage %q, want %q", entry.Labels[runv1alpha3.LabelOSImage], img)
	}
	if im.Spec.KubernetesVersion != k8s {
		t.Errorf("OSImage %s is for Kubernetes %s, not %s", im.Name, im.Spec.KubernetesVersion, k8s)
	}
	if diff := cmp.Diff(im.Spec.Image.Ref, entry.OSImageRef); diff != "" {
		t.Errorf("osImageRef (-want +got):\n%s", diff)
	}
	if entry.Labels[runv1alpha3.LabelTKR] != tkr || entry.Labels["os-name"] != im.Spec.OS.Name || entry.Labels["image-type"] != "ami" {
		t.Errorf("TKR_DATA labels %v do not describe TKR %s and OSImage %s", entry.Labels, tkr, img)
	}
}

// TestRefLabels checks the precondition of the M scenarios: the chosen image's ref values are
// label-encoded, and cut to 63 characters when longer, both in the catalogue and in TKR_DATA.
func TestRefLabels(t *testing.T) {
	r := newFixtureResolver()
	want := map[string]string{
		"ami-no-other-osimage-has-this": version.Label(uniqueRef),
		"ami-overlength-ref-field":      version.Label(overlongRef)[:63],
	}
	img := r.OSImage(chosenImage)
	entry := tkrdata.NewEntry(r.TKR(chosenTKR), img, "")
	for k, v := range want {
		if got := img.Labels[k]; got != v {
			t.Errorf("catalogue label %s = %q, want %q", k, got, v)
		}
		if got := entry.Labels[k]; got != v {
			t.Errorf("TKR_DATA label %s = %q, want %q", k, got, v)
		}
	}
}

// TestResolveAndSetMetadata ports the ResolveAndSetMetadata scenarios of spec §5.3 (M1–M12).
// The chosen TKR is v1.24.9---vmware.1-tkg.1 (the only one labelled chosenLabel) and the
// chosen OSImage its Ubuntu AMI in us-west-2, selected by its whole label set.
func TestResolveAndSetMetadata(t *testing.T) {
	r := newFixtureResolver()
	full := fullSelector(t, r, chosenImage)
	mdClasses := map[string]string{"md-class-0": "", "md-class-1": full}
	cc := ccSpec{mdClasses: mdClasses}
	m9MDs := []mdSpec{
		{name: "md-0", class: "md-class-0", selector: ptr("ami-no-other-osimage-has-this")},
		{name: "md-1", class: "md-class-1"},
		{name: "md-2", class: "md-class-1"},
	}

	for _, repo := range customRepos {
		repoVar := variable{tkrdata.DefaultCustomImageRepositoryVar, `{"host": "` + repo + `"}`}
		fresh := func(prefix string) clusterSpec {
			return clusterSpec{resolveTKR: ptr(chosenLabel), version: prefix, cpSelector: &full, vars: []variable{repoVar}}
		}
		resolved := func(prefix string) clusterSpec {
			s := fresh(prefix)
			s.labels = map[string]string{runv1alpha3.LabelTKR: chosenTKR}
			s.vars = append(s.vars, variable{tkrdata.VarTKRData, entryJSON(t, r, chosenK8s, chosenTKR, chosenImage, repo)})
			return s
		}
		// normalized is s after a run that leaves everything alone but the version.
		normalized := func(s clusterSpec) *clusterSpec { s.version = chosenK8s; return &s }
		with := func(s clusterSpec, f func(*clusterSpec)) clusterSpec { f(&s); return s }

		type scenario struct {
			name    string
			cluster clusterSpec
			// want is the whole Cluster expected afterwards, when the test knows it.
			want *clusterSpec
			// prefix, tkr and img describe a fresh resolution to check with checkResolved.
			prefix, tkr, img string
			// mdImages are the OSImages each machine deployment must end up using.
			mdImages []string
			wantErr  string
			// ambiguous: the error must be an UnresolvedError over an ambiguous winner.
			ambiguous bool
		}
		scenarios := []scenario{
			{name: "M1 no resolve-tkr annotation", cluster: with(fresh("v1.24"), func(s *clusterSpec) { s.resolveTKR = nil }),
				want: ptrTo(with(fresh("v1.24"), func(s *clusterSpec) { s.resolveTKR = nil }))},
			{name: "M2 no topology", cluster: clusterSpec{resolveTKR: ptr(chosenLabel), noTopology: true},
				want: &clusterSpec{resolveTKR: ptr(chosenLabel), noTopology: true}},
			{name: "M3 already resolved", cluster: resolved(chosenK8s), want: normalized(resolved(chosenK8s))},
			{name: "M4 already resolved, full TKR version", cluster: resolved("v1.24.9+vmware.1-tkg.1"),
				want: normalized(resolved("v1.24.9+vmware.1-tkg.1"))},
			{name: "M6/M7 fresh, Kubernetes version", cluster: fresh(chosenK8s), prefix: chosenK8s, tkr: chosenTKR, img: chosenImage},
			{name: "M6/M7 fresh, full TKR version", cluster: fresh("v1.24.9+vmware.1-tkg.1"), prefix: "v1.24.9+vmware.1-tkg.1", tkr: chosenTKR, img: chosenImage},
			{name: "M8 no control plane selector, one image", cluster: with(fresh("v1.24"), func(s *clusterSpec) {
				s.resolveTKR, s.cpSelector = ptr(gpuLabel), nil
			}), prefix: "v1.24", tkr: gpuTKR, img: gpuImage},
			{name: "M8 no control plane selector, several images", cluster: with(fresh("v1.24"), func(s *clusterSpec) { s.cpSelector = nil }),
				wantErr: "could not resolve TKR/OSImage for controlPlane, machineDeployments: [], query: ", ambiguous: true},
			{name: "M9 machine deployments", cluster: with(fresh("v1.24.9"), func(s *clusterSpec) { s.mds = m9MDs }),
				prefix: "v1.24.9", tkr: chosenTKR, img: chosenImage, mdImages: []string{chosenImage, chosenImage, chosenImage}},
			{name: "M10 machine deployment of a class the ClusterClass lacks", cluster: with(fresh("v1.24.9"), func(s *clusterSpec) {
				s.mds = slices.Clone(m9MDs)
				s.mds[0].class = "non-existent"
			}), wantErr: "machineDeployment refers to non-existent MD class 'non-existent'"},
			{name: "M11 label names a TKR that does not exist", cluster: with(resolved("v1.24.9"), func(s *clusterSpec) {
				s.labels = map[string]string{runv1alpha3.LabelTKR: chosenTKR + "-does-not-exist"}
			}), prefix: "v1.24.9", tkr: chosenTKR, img: chosenImage},
			{name: "M12 resolve-tkr nothing matches", cluster: with(fresh("v1.24.9"), func(s *clusterSpec) { s.resolveTKR = ptr("no-such-tkr") }),
				wantErr: "could not resolve TKR/OSImage"},
		}
		// M5: any prefix of the Kubernetes version, on a resolved and on a fresh Cluster.
		for _, p := range version.Prefixes(chosenK8s) {
			p = version.FromLabel(p)
			scenarios = append(scenarios,
				scenario{name: "M5 already resolved, prefix " + p, cluster: resolved(p), want: normalized(resolved(p))},
				scenario{name: "M6/M7 fresh, prefix " + p, cluster: fresh(p), prefix: p, tkr: chosenTKR, img: chosenImage},
			)
		}

		for _, sc := range scenarios {
			t.Run("repo="+repo+"/"+sc.name, func(t *testing.T) {
				eachAPIVersion(t, func(t *testing.T, api int) {
					c, class := views(t, api, sc.cluster, cc)
					before := snapshot(t, c)
					out, err := ResolveAndSetMetadata(c, class, r, Options{})
					if sc.wantErr != "" {
						if err == nil || !strings.Contains(err.Error(), sc.wantErr) {
							t.Fatalf("error = %v, want one containing %q", err, sc.wantErr)
						}
						var unresolved *UnresolvedError
						if sc.ambiguous {
							if !errors.As(err, &unresolved) {
								t.Fatalf("error %T is not an *UnresolvedError", err)
							}
							winner := out.Result.ControlPlane
							if n := len(winner.OSImagesByTKR[winner.TKRName]); n < 2 {
								t.Errorf("winner %s has %d matching OSImages, want several", winner.TKRName, n)
							}
						}
						if after := snapshot(t, c); after != before {
							t.Errorf("a failed resolution changed the Cluster:\nbefore %s\nafter  %s", before, after)
						}
						return
					}
					if err != nil {
						t.Fatalf("unexpected error: %v", err)
					}
					if sc.want != nil {
						want, _ := views(t, api, *sc.want, cc)
						if diff := cmp.Diff(snapshot(t, want), snapshot(t, c)); diff != "" {
							t.Errorf("Cluster (-want +got):\n%s", diff)
						}
					}
					if sc.tkr != "" {
						checkResolved(t, r, c, sc.prefix, sc.tkr, sc.img, repo)
						if out.TKRName != sc.tkr {
							t.Errorf("Outcome.TKRName = %q, want %q", out.TKRName, sc.tkr)
						}
					}
					for i, img := range sc.mdImages {
						want := map[string]string{chosenK8s: img}
						if diff := cmp.Diff(want, osImagesOf(t, c, i)); diff != "" {
							t.Errorf("OSImages of machine deployment %d (-want +got):\n%s", i, diff)
						}
						if sel, err := labels.Parse(full); err != nil || !sel.Matches(labels.Set(r.OSImage(img).Labels)) {
							t.Errorf("OSImage %s does not match the selector %s (%v)", img, full, err)
						}
					}
				})
			})
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

// clusterWithMDs is a Cluster on selector-picked images: the control plane and md-0 on the
// Ubuntu AMI, md-1 on the Photon AMI, md-2 on whatever its class says (Ubuntu). Without
// resolve-tkr of its own it takes the ClusterClass's "".
func clusterWithMDs(prefix string) (clusterSpec, ccSpec) {
	return clusterSpec{
			version:    prefix,
			cpSelector: ptr(ubuntuUS),
			mds: []mdSpec{
				{name: "md-0", class: "worker", selector: ptr(ubuntuUS)},
				{name: "md-1", class: "worker", selector: ptr(photonUS)},
				{name: "md-2", class: "worker"},
			},
		}, ccSpec{
			resolveTKR: ptr(""),
			mdClasses:  map[string]string{"worker": ubuntuUS},
		}
}

// overrides reports, per machine deployment, whether it carries a TKR_DATA override.
func overrides(c tkrdata.Cluster) []bool {
	var out []bool
	for i := range c.MachineDeployments() {
		_, ok := c.MDOverride(i, tkrdata.VarTKRData)
		out = append(out, ok)
	}
	return out
}

// TestUpgrade resolves a Cluster on v1.23, then moves spec.topology.version to v1.24: every
// part is resolved again, the label follows, and TKR_DATA keeps the v1.23 entries next to the
// v1.24 ones so that machines not yet replaced still find theirs.
func TestUpgrade(t *testing.T) {
	r := newFixtureResolver()
	eachAPIVersion(t, func(t *testing.T, api int) {
		cs, ccs := clusterWithMDs("v1.23")
		c, cc := views(t, api, cs, ccs)

		out, err := ResolveAndSetMetadata(c, cc, r, Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkResolved(t, r, c, "v1.23", tkr123, ubuntu123, "")
		if diff := cmp.Diff([]string{"controlPlane", "md-0", "md-1", "md-2"}, out.Resolved); diff != "" {
			t.Errorf("first run resolved (-want +got):\n%s", diff)
		}

		if err := c.SetTopologyVersion("v1.24"); err != nil {
			t.Fatal(err)
		}
		out, err = ResolveAndSetMetadata(c, cc, r, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"controlPlane", "md-0", "md-1", "md-2"}, out.Resolved); diff != "" {
			t.Errorf("upgrade resolved (-want +got):\n%s", diff)
		}
		// v1.24.10 is newer but invalid, and gpu-efi sorts before tkg.1.
		checkResolved(t, r, c, "v1.24", chosenTKR, chosenImage, "")
		want := [][]any{
			{-1, map[string]string{k8s123: ubuntu123, chosenK8s: chosenImage}},
			{0, map[string]string{k8s123: ubuntu123, chosenK8s: chosenImage}},
			{1, map[string]string{k8s123: photon123, chosenK8s: photon124}},
			{2, map[string]string{k8s123: ubuntu123, chosenK8s: chosenImage}},
		}
		for _, w := range want {
			if diff := cmp.Diff(w[1], osImagesOf(t, c, w[0].(int))); diff != "" {
				t.Errorf("OSImages of part %d (-1: cluster) (-want +got):\n%s", w[0], diff)
			}
		}
		if diff := cmp.Diff([]bool{false, true, false}, overrides(c)); diff != "" {
			t.Errorf("TKR_DATA overrides (-want +got):\n%s", diff)
		}
	})
}

// TestUpdateWithoutChange resolves a Cluster and then admits it again as it is, as the
// webhook does on every update: nothing is resolved again and the Cluster stays byte for byte
// the same, including the override of the machine deployment on another OS.
func TestUpdateWithoutChange(t *testing.T) {
	r := newFixtureResolver()
	for _, prefix := range []string{"v1.24", "v1.24.9+vmware.1-tkg.1"} {
		t.Run(prefix, func(t *testing.T) {
			eachAPIVersion(t, func(t *testing.T, api int) {
				cs, ccs := clusterWithMDs(prefix)
				cs.vars = []variable{{tkrdata.DefaultCustomImageRepositoryVar, `{"host": "registry.example.com/mirror"}`}}
				c, cc := views(t, api, cs, ccs)
				if _, err := ResolveAndSetMetadata(c, cc, r, Options{}); err != nil {
					t.Fatal(err)
				}
				first := snapshot(t, c)
				for range 2 {
					out, err := ResolveAndSetMetadata(c, cc, r, Options{})
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff([]string{"controlPlane nil", "- nil", "- nil", "- nil"}, describe(out.Query)); diff != "" {
						t.Errorf("query of the update (-want +got):\n%s", diff)
					}
					if len(out.Resolved) != 0 || out.TKRName != chosenTKR {
						t.Errorf("update resolved %v and left TKR %q; want nothing and %s", out.Resolved, out.TKRName, chosenTKR)
					}
					if diff := cmp.Diff(first, snapshot(t, c)); diff != "" {
						t.Errorf("Cluster changed (-first +now):\n%s", diff)
					}
				}
			})
		})
	}
}

// TestMachineDeploymentOverrides checks that only a machine deployment whose OSImage differs
// from the control plane's carries its own TKR_DATA, and that the cluster-level value stays
// the control plane's.
func TestMachineDeploymentOverrides(t *testing.T) {
	r := newFixtureResolver()
	eachAPIVersion(t, func(t *testing.T, api int) {
		cs, ccs := clusterWithMDs("v1.24.9")
		c, cc := views(t, api, cs, ccs)
		if _, err := ResolveAndSetMetadata(c, cc, r, Options{}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]bool{false, true, false}, overrides(c)); diff != "" {
			t.Errorf("TKR_DATA overrides (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]string{chosenK8s: chosenImage}, osImagesOf(t, c, -1)); diff != "" {
			t.Errorf("cluster-level OSImages (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]string{chosenK8s: photon124}, osImagesOf(t, c, 1)); diff != "" {
			t.Errorf("OSImages of md-1 (-want +got):\n%s", diff)
		}
		// The topology metadata is never written (spec §3.5).
		for i, md := range c.MachineDeployments() {
			if _, ok := md.Annotations[runv1alpha3.LabelOSImage]; ok {
				t.Errorf("machine deployment %d got an os-image annotation", i)
			}
		}
	})
}

// TestAmbiguous checks that several matching OSImages are an error naming every ambiguous
// part and, in the explanation, the OSImages between which the selector cannot choose.
func TestAmbiguous(t *testing.T) {
	r := newFixtureResolver()
	eachAPIVersion(t, func(t *testing.T, api int) {
		cs, ccs := clusterWithMDs("v1.24.9")
		cs.cpSelector = ptr("os-name=ubuntu")
		cs.mds[0].selector = ptr("os-name=ubuntu")
		c, cc := views(t, api, cs, ccs)
		before := snapshot(t, c)

		_, err := ResolveAndSetMetadata(c, cc, r, Options{})
		var unresolved *UnresolvedError
		if !errors.As(err, &unresolved) {
			t.Fatalf("error = %v, want an *UnresolvedError", err)
		}
		const wantStart = "could not resolve TKR/OSImage for controlPlane, machineDeployments: [md-0], query: {controlPlane: {k8sVersionPrefix: 'v1.24.9', tkrSelector: '', osImageSelector: 'os-name=ubuntu'}"
		if !strings.HasPrefix(unresolved.Summary, wantStart) {
			t.Errorf("Summary = %q, want it to start with %q", unresolved.Summary, wantStart)
		}
		if unresolved.Cluster != "test-ns/test-c-0" {
			t.Errorf("Cluster = %q", unresolved.Cluster)
		}
		if first, _, _ := strings.Cut(err.Error(), "\n"); first != unresolved.Summary {
			t.Errorf("the error's first line is %q, want the summary", first)
		}
		type verdict struct {
			Part     string
			Outcome  resolver.Outcome
			OSImages []string
		}
		var got []verdict
		for _, p := range unresolved.Explanation.Parts {
			got = append(got, verdict{p.Part, p.Outcome, slices.Sorted(slices.Values(p.OSImages))})
		}
		ambiguous := []string{ubuntuEU124, chosenImage} // sorted
		want := []verdict{
			{"controlPlane", resolver.OutcomeAmbiguous, ambiguous},
			{"md-0", resolver.OutcomeAmbiguous, ambiguous},
			{"md-1", resolver.OutcomeResolved, []string{photon124}},
			{"md-2", resolver.OutcomeResolved, []string{chosenImage}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("explanation (-want +got):\n%s", diff)
		}
		for _, name := range ambiguous {
			if !strings.Contains(err.Error(), name) {
				t.Errorf("the error does not name the ambiguous OSImage %s:\n%v", name, err)
			}
		}
		if after := snapshot(t, c); after != before {
			t.Errorf("a failed resolution changed the Cluster")
		}
	})
}

// TestSelection covers which TKR wins: the bring-your-own TKR only when selected, exclusions
// derived from the Compatible and Valid conditions, and denials that name what failed.
func TestSelection(t *testing.T) {
	r := newFixtureResolver()
	gpuVersion := "v1.24.9+vmware.1-gpu-efi"
	tests := []struct {
		name        string
		resolveTKR  string
		version     string
		cpSelector  string
		wantTKR     string
		wantImage   string
		wantDenial  []string // substrings of the explanation
		requirement string   // a Rejection.Requirement the explanation must hold
	}{
		{name: "BYO selected", resolveTKR: gpuLabel, version: "v1.24", cpSelector: ubuntuUS, wantTKR: gpuTKR, wantImage: gpuImage},
		{name: "BYO not selected", resolveTKR: "", version: "v1.24", cpSelector: ubuntuUS, wantTKR: chosenTKR, wantImage: chosenImage},
		{name: "BYO excluded", resolveTKR: "!" + gpuLabel, version: "v1.24", cpSelector: ubuntuUS, wantTKR: chosenTKR, wantImage: chosenImage},
		{name: "BYO by its full version", resolveTKR: "", version: gpuVersion, cpSelector: "os-name=ubuntu", wantTKR: gpuTKR, wantImage: gpuImage},
		{name: "BYO by its full version but excluded", resolveTKR: "!" + gpuLabel, version: gpuVersion, cpSelector: ubuntuUS,
			wantDenial: []string{"!" + gpuLabel, gpuTKR}, requirement: "!" + gpuLabel},
		{name: "OS nobody ships", resolveTKR: "", version: "v1.24", cpSelector: "os-name=windows",
			wantDenial: []string{"os-name=windows"}, requirement: "os-name=windows"},
		{name: "only incompatible TKRs", resolveTKR: "", version: "v1.25", cpSelector: ubuntuUS,
			wantDenial: []string{"v1.25.5---vmware.1-tkg.1", "incompatible"}, requirement: "!incompatible"},
		{name: "an invalid TKR by its full version", resolveTKR: "", version: "v1.24.10+vmware.1-tkg.1", cpSelector: ubuntuUS,
			wantDenial: []string{"invalid", "kubernetes.version does not match the OSImages"}, requirement: "!invalid"},
		{name: "no such version", resolveTKR: "", version: "v1.26", cpSelector: ubuntuUS,
			wantDenial: []string{"No TKR has a version starting with v1.26"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachAPIVersion(t, func(t *testing.T, api int) {
				cs := clusterSpec{resolveTKR: &tt.resolveTKR, version: tt.version, cpSelector: &tt.cpSelector,
					mds: []mdSpec{{name: "md-0", class: "worker"}}}
				c, cc := views(t, api, cs, ccSpec{mdClasses: map[string]string{"worker": ubuntuUS}})
				_, err := ResolveAndSetMetadata(c, cc, r, Options{})
				if tt.wantTKR != "" {
					if err != nil {
						t.Fatal(err)
					}
					checkResolved(t, r, c, tt.version, tt.wantTKR, tt.wantImage, "")
					return
				}
				var unresolved *UnresolvedError
				if !errors.As(err, &unresolved) {
					t.Fatalf("error = %v, want an *UnresolvedError", err)
				}
				if !strings.HasPrefix(unresolved.Summary, "could not resolve TKR/OSImage for controlPlane, machineDeployments: [md-0], query: ") {
					t.Errorf("Summary = %q", unresolved.Summary)
				}
				text := unresolved.Explanation.String()
				for _, s := range tt.wantDenial {
					if !strings.Contains(text, s) {
						t.Errorf("the explanation does not mention %q:\n%s", s, text)
					}
				}
				if tt.requirement != "" && !slices.Contains(requirements(unresolved.Explanation), tt.requirement) {
					t.Errorf("no rejection names the requirement %q; explanation:\n%s", tt.requirement, text)
				}
			})
		})
	}
}

// requirements returns every Rejection.Requirement in x, causes included.
func requirements(x *resolver.Explanation) []string {
	var out []string
	var add func(*resolver.Rejection)
	add = func(rej *resolver.Rejection) {
		for ; rej != nil; rej = rej.Cause {
			if rej.Requirement != "" {
				out = append(out, rej.Requirement)
			}
		}
	}
	for _, p := range x.Parts {
		for _, c := range p.Candidates {
			add(c.Rejection)
			for _, img := range c.OSImages {
				add(img.Rejection)
			}
		}
	}
	return out
}

// TestInputErrors covers Clusters that cannot be resolved because of what they say, not
// because of the catalogue: nothing is written, and the error says what to fix.
func TestInputErrors(t *testing.T) {
	r := newFixtureResolver()
	tests := []struct {
		name    string
		cluster clusterSpec
		wantErr string // "" means success without any change
	}{
		{
			name:    "version prefix with a trailing space",
			cluster: clusterSpec{resolveTKR: ptr(""), version: "v1.24 ", cpSelector: ptr(ubuntuUS), noWorkers: true},
			wantErr: `the Cluster test-ns/test-c-0 cannot be resolved: its spec.topology.version is not a usable version prefix: version prefix "v1.24 " is not usable`,
		},
		{
			name:    "empty version",
			cluster: clusterSpec{resolveTKR: ptr(""), version: "", cpSelector: ptr(ubuntuUS), noWorkers: true},
			wantErr: "spec.topology.version is not a usable version prefix",
		},
		{
			name:    "malformed TKR_DATA without resolve-tkr",
			cluster: clusterSpec{version: "v1.24", vars: []variable{{tkrdata.VarTKRData, `"just a string"`}}, noWorkers: true},
		},
		{
			name:    "malformed TKR_DATA with resolve-tkr",
			cluster: clusterSpec{resolveTKR: ptr(""), version: "v1.24", vars: []variable{{tkrdata.VarTKRData, `"just a string"`}}, noWorkers: true},
			wantErr: "unmarshalling from JSON into value: ",
		},
		{
			name: "malformed TKR_DATA override",
			cluster: clusterSpec{resolveTKR: ptr(""), version: "v1.24", cpSelector: ptr(ubuntuUS), mds: []mdSpec{
				{name: "md-0", class: "worker", overrides: []variable{{tkrdata.VarTKRData, `[1]`}}},
			}},
			wantErr: "failed to set TKR_DATA: cluster 'test-ns/test-c-0', TKR 'v1.24.9---vmware.1-tkg.1': unmarshalling from JSON into value: ",
		},
		{
			name:    "unparsable resolve-tkr",
			cluster: clusterSpec{resolveTKR: ptr("a b"), version: "v1.24", noWorkers: true},
			wantErr: "error parsing selector: 'a b': ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachAPIVersion(t, func(t *testing.T, api int) {
				c, cc := views(t, api, tt.cluster, ccSpec{mdClasses: map[string]string{"worker": ubuntuUS}})
				before := snapshot(t, c)
				_, err := ResolveAndSetMetadata(c, cc, r, Options{})
				if tt.wantErr == "" {
					if err != nil {
						t.Fatalf("unexpected error: %v", err)
					}
					if after := snapshot(t, c); after != before {
						t.Errorf("the Cluster changed:\nbefore %s\nafter  %s", before, after)
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				var unresolved *UnresolvedError
				if errors.As(err, &unresolved) {
					t.Errorf("an input error is reported as unresolved: %v", err)
				}
			})
		})
	}
}

// TestCustomImageRepository checks that the custom repository variable replaces the
// repository of every image, in the cluster-level entry and in overrides, that the variable's
// name is configurable, and that an unreadable value is a warning, not an error.
func TestCustomImageRepository(t *testing.T) {
	r := newFixtureResolver()
	tests := []struct {
		name, varName, value, wantRepo string
		wantWarning                    bool
	}{
		{name: "default variable", value: `{"host": "registry.example.com/mirror", "tlsCertificateValidation": false}`, wantRepo: "registry.example.com/mirror"},
		{name: "renamed variable", varName: "myRegistry", value: `{"host": "harbor.internal/tkg"}`, wantRepo: "harbor.internal/tkg"},
		{name: "empty host", value: `{"host": ""}`},
		{name: "null", value: `null`},
		{name: "not an object", value: `"registry.example.com"`, wantWarning: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachAPIVersion(t, func(t *testing.T, api int) {
				cs, ccs := clusterWithMDs("v1.24")
				name := tt.varName
				if name == "" {
					name = tkrdata.DefaultCustomImageRepositoryVar
				}
				cs.vars = []variable{{name, tt.value}}
				c, cc := views(t, api, cs, ccs)
				out, err := ResolveAndSetMetadata(c, cc, r, Options{CustomImageRepositoryVar: tt.varName})
				if err != nil {
					t.Fatal(err)
				}
				if got := len(out.Warnings) > 0; got != tt.wantWarning {
					t.Errorf("warnings = %v, want some: %v", out.Warnings, tt.wantWarning)
				}
				checkResolved(t, r, c, "v1.24", chosenTKR, chosenImage, tt.wantRepo)
				md1, err := tkrdata.GetForMD(c, 1)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(wantKubernetesSpec(chosenK8s, tt.wantRepo), md1[chosenK8s].KubernetesSpec); diff != "" {
					t.Errorf("kubernetesSpec of md-1's override (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// TestUnresolvedErrorText checks the error's text with and without an explanation.
func TestUnresolvedErrorText(t *testing.T) {
	x := &resolver.Explanation{Parts: []resolver.PartExplanation{{Part: "controlPlane", Summary: "No TKR has a version starting with v9."}}}
	tests := []struct {
		name string
		err  *UnresolvedError
		want string
	}{
		{"with explanation", &UnresolvedError{Summary: "could not resolve TKR/OSImage for ...", Explanation: x},
			"could not resolve TKR/OSImage for ...\ncontrolPlane: No TKR has a version starting with v9."},
		{"without explanation", &UnresolvedError{Summary: "could not resolve TKR/OSImage for ..."}, "could not resolve TKR/OSImage for ..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestOutcomeQueryExplains checks that the Outcome's query is what was resolved, so that
// callers (the CLI's --explain) can explain a success as well.
func TestOutcomeQueryExplains(t *testing.T) {
	r := newFixtureResolver()
	eachAPIVersion(t, func(t *testing.T, api int) {
		cs, ccs := clusterWithMDs("v1.24")
		c, cc := views(t, api, cs, ccs)
		out, err := ResolveAndSetMetadata(c, cc, r, Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, x := r.Explain(*out.Query, 0)
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Parts []struct{ Part, Outcome, TKR string } `json:"parts"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		for _, p := range got.Parts {
			if p.Outcome != string(resolver.OutcomeResolved) || p.TKR != chosenTKR {
				t.Errorf("part %s: outcome %s, TKR %s; want Resolved to %s", p.Part, p.Outcome, p.TKR, chosenTKR)
			}
		}
		if len(got.Parts) != 4 {
			t.Errorf("the explanation has %d parts, want 4", len(got.Parts))
		}
	})
}
