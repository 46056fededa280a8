package resolver

import (
	"errors"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/tkrlabels"
	"github.com/tkr-project/tkr/pkg/version"
)

// mkTKR returns a TKR of version v (k8s version: v without the -tkg... suffix) named
// Label(v), listing the given OSImages.
func mkTKR(v string, images ...string) *runv1alpha3.TanzuKubernetesRelease {
	k8s := v
	if i := strings.Index(v, "-tkg"); i >= 0 {
		k8s = v[:i]
	}
	tkr := &runv1alpha3.TanzuKubernetesRelease{
		ObjectMeta: metav1.ObjectMeta{Name: version.Label(v)},
		Spec:       runv1alpha3.TanzuKubernetesReleaseSpec{Version: v, Kubernetes: runv1alpha3.KubernetesSpec{Version: k8s}},
	}
	for _, img := range images {
		tkr.Spec.OSImages = append(tkr.Spec.OSImages, runv1alpha3.OSImageReference{Name: img})
	}
	return tkr
}

// mkImage returns an OSImage named name for Kubernetes k8s with OS osName and arch.
func mkImage(name, k8s, osName, arch string) *runv1alpha3.OSImage {
	return &runv1alpha3.OSImage{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: runv1alpha3.OSImageSpec{
			KubernetesVersion: k8s,
			OS:                runv1alpha3.OSInfo{Type: "linux", Name: osName, Version: "1", Arch: arch},
			Image:             runv1alpha3.MachineImageInfo{Type: "ova", Ref: map[string]interface{}{"version": name}},
		},
	}
}

// withCondition sets condition t of obj to False with message msg.
func withCondition[T interface{ SetConditions(runv1alpha3.Conditions) }](obj T, t, msg string) T {
	obj.SetConditions(runv1alpha3.Conditions{{
		Type: runv1alpha3.ConditionType(t), Status: corev1.ConditionFalse, Severity: runv1alpha3.ConditionSeverityWarning, Message: msg,
	}})
	return obj
}

// N1 and N2.
func TestNormalize(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for range 20 {
		k8s := testCatalog(rng.Int63()).tkrs[0].Spec.Kubernetes.Version
		ps := version.Prefixes(k8s)
		prefix := version.FromLabel(ps[rng.Intn(len(ps))])
		q := clusterQuery(prefix, "", "", "", "")
		q.MachineDeployments[1].TKRSelector = nil
		q.MachineDeployments[1].OSImageSelector = nil
		n, err := q.Normalize()
		if err != nil {
			t.Fatalf("Normalize(%v): %v", q, err)
		}
		if len(n.MachineDeployments) != len(q.MachineDeployments) {
			t.Fatalf("Normalize changed the number of machine deployments to %d", len(n.MachineDeployments))
		}
		if q.ControlPlane.TKRSelector.String() != "" {
			t.Fatalf("Normalize modified the query: %v", q)
		}
		for _, p := range append([]*OSImageQuery{n.ControlPlane}, n.MachineDeployments...) {
			if p.K8sVersionPrefix != prefix {
				t.Errorf("prefix changed from %q to %q", prefix, p.K8sVersionPrefix)
			}
			good := labels.Set{version.Label(prefix): ""}
			if !p.TKRSelector.Matches(good) || !p.OSImageSelector.Matches(good) {
				t.Errorf("normalized selectors %q, %q reject %v", p.TKRSelector, p.OSImageSelector, good)
			}
			if p.TKRSelector.Matches(labels.Set{}) {
				t.Errorf("normalized TKR selector %q accepts a TKR without the prefix label", p.TKRSelector)
			}
			for _, l := range []string{"incompatible", "deactivated", "invalid"} {
				bad := labels.Set{version.Label(prefix): "", l: ""}
				if p.TKRSelector.Matches(bad) || p.OSImageSelector.Matches(bad) {
					t.Errorf("normalized selectors %q, %q accept %v", p.TKRSelector, p.OSImageSelector, bad)
				}
			}
		}
	}
	n, err := Query{MachineDeployments: []*OSImageQuery{nil, {K8sVersionPrefix: "v1.24"}}}.Normalize()
	if err != nil || n.ControlPlane != nil || n.MachineDeployments[0] != nil || n.MachineDeployments[1] == nil {
		t.Errorf("Normalize with nil parts = %v, %v; want nil parts kept nil", n, err)
	}
	if _, err := (Query{ControlPlane: &OSImageQuery{K8sVersionPrefix: "v1 24"}}).Normalize(); err == nil {
		t.Error("Normalize accepted the prefix 'v1 24'")
	}
}

// checkResult fails the test unless res is a consistent answer to q from r: the shape matches,
// every TKR in it satisfies every part, the winner is the newest, and the OSImages match.
func checkResult(t *testing.T, r *Resolver, q Query, res Result) {
	t.Helper()
	parts := []*OSImageQuery{q.ControlPlane}
	results := []*OSImageResult{res.ControlPlane}
	if len(res.MachineDeployments) != len(q.MachineDeployments) {
		t.Fatalf("result has %d machine deployments, query %d", len(res.MachineDeployments), len(q.MachineDeployments))
	}
	parts, results = append(parts, q.MachineDeployments...), append(results, res.MachineDeployments...)
	var first *OSImageResult
	for i, p := range parts {
		pr := results[i]
		if (p == nil) != (pr == nil) {
			t.Fatalf("part %d: query %v, result %v", i, p, pr)
		}
		if p == nil {
			continue
		}
		if first == nil {
			first = pr
		}
		if pr.TKRName != first.TKRName || len(pr.OSImagesByTKR) != len(first.OSImagesByTKR) {
			t.Errorf("part %d resolved to %q with %d TKRs, the first part to %q with %d", i, pr.TKRName,
				len(pr.OSImagesByTKR), first.TKRName, len(first.OSImagesByTKR))
		}
		if pr.TKRsByK8sVersion == nil || pr.OSImagesByTKR == nil {
			t.Errorf("part %d has nil maps", i)
		}
		var newest *runv1alpha3.TanzuKubernetesRelease
		n := 0
		for k8s, tkrs := range pr.TKRsByK8sVersion {
			if len(tkrs) == 0 {
				t.Errorf("part %d: empty group %s", i, k8s)
			}
			for name, tkr := range tkrs {
				n++
				if tkr != r.TKR(name) {
					t.Errorf("part %d: TKR %s is not the stored one", i, name)
				}
				if !version.HasPrefix(tkr.Spec.Version, p.K8sVersionPrefix) || tkr.Spec.Kubernetes.Version != k8s {
					t.Errorf("part %d: TKR %s (%s, k8s %s) in group %s for prefix %s", i, name, tkr.Spec.Version,
						tkr.Spec.Kubernetes.Version, k8s, p.K8sVersionPrefix)
				}
				if !orEverything(p.TKRSelector).Matches(labels.Set(tkr.Labels)) || tkrlabels.Excluded(tkr.Labels) != "" {
					t.Errorf("part %d: TKR %s with labels %v fails %q or is excluded", i, name, tkr.Labels, p.TKRSelector)
				}
				imgs := pr.OSImagesByTKR[name]
				if len(imgs) == 0 {
					t.Errorf("part %d: TKR %s has no OSImages", i, name)
				}
				for _, img := range imgs {
					if img.Spec.KubernetesVersion != k8s {
						t.Errorf("part %d: OSImage %s of TKR %s is for %s", i, img.Name, name, img.Spec.KubernetesVersion)
					}
					if !orEverything(p.OSImageSelector).Matches(labels.Set(img.Labels)) || tkrlabels.Excluded(img.Labels) != "" {
						t.Errorf("part %d: OSImage %s with labels %v fails %q or is excluded", i, img.Name, img.Labels, p.OSImageSelector)
					}
					if !slices.Contains(tkr.Spec.OSImages, runv1alpha3.OSImageReference{Name: img.Name}) {
						t.Errorf("part %d: TKR %s does not list OSImage %s", i, name, img.Name)
					}
				}
				if newest == nil {
					newest = tkr
				} else if c := version.CompareStrict(version.MustParse(tkr.Spec.Version), version.MustParse(newest.Spec.Version)); c > 0 || c == 0 && tkr.Name < newest.Name {
					newest = tkr
				}
			}
		}
		if n != len(pr.OSImagesByTKR) {
			t.Errorf("part %d: %d TKRs but OSImages for %d", i, n, len(pr.OSImagesByTKR))
		}
		switch {
		case newest == nil && (pr.TKRName != "" || pr.K8sVersion != ""):
			t.Errorf("part %d: nothing matched, but TKRName %q, K8sVersion %q", i, pr.TKRName, pr.K8sVersion)
		case newest != nil && (pr.TKRName != newest.Name || pr.K8sVersion != newest.Spec.Kubernetes.Version):
			t.Errorf("part %d: winner %s (%s), want %s", i, pr.TKRName, pr.K8sVersion, newest.Name)
		}
	}
}

// randomPrefix returns a random version prefix of v, in label or SemVer form, with or without
// the leading "v".
func randomPrefix(rng *rand.Rand, v string) string {
	ps := version.Prefixes(v)
	p := ps[rng.Intn(len(ps))]
	if rng.Intn(2) == 0 {
		p = version.FromLabel(p)
	}
	if rng.Intn(3) == 0 {
		p = strings.TrimPrefix(p, "v")
	}
	return p
}

// usable reports whether tkr has a good OSImage in r and is not excluded.
func usable(r *Resolver, tkr *runv1alpha3.TanzuKubernetesRelease) bool {
	if tkrlabels.Excluded(r.TKR(tkr.Name).Labels) != "" {
		return false
	}
	for _, ref := range tkr.Spec.OSImages {
		if img := r.OSImage(ref.Name); img != nil && tkrlabels.Excluded(img.Labels) == "" {
			return true
		}
	}
	return false
}

// S1, S3 and S4: a prefix of a usable TKR's Kubernetes version resolves, for the control plane
// and every machine deployment, whichever parts are left out.
func TestResolvePrefixOfUsableTKR(t *testing.T) {
	tests := []struct {
		name  string
		shape func(q *Query)
	}{
		{"all parts", func(*Query) {}},
		{"no control plane", func(q *Query) { q.ControlPlane = nil }},
		{"first machine deployment left out", func(q *Query) { q.MachineDeployments[0] = nil }},
		{"nil selectors", func(q *Query) { q.ControlPlane.TKRSelector, q.ControlPlane.OSImageSelector = nil, nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(42))
			for range 200 {
				c := testCatalog(rng.Int63())
				r := c.resolver()
				tkr := c.tkrs[rng.Intn(len(c.tkrs))]
				q := clusterQuery(randomPrefix(rng, tkr.Spec.Kubernetes.Version), "", make([]string, 3+rng.Intn(4))...)
				tt.shape(&q)
				res := r.Resolve(q)
				checkResult(t, r, q, res)
				some := res.ControlPlane
				if some == nil {
					some = res.MachineDeployments[1]
				}
				if usable(r, tkr) && some.TKRName == "" {
					t.Errorf("%v: nothing resolved, but TKR %s is usable", q, tkr.Name)
				}
			}
		})
	}
}

// S2: a full TKR version selects that TKR only, not a newer one that has it as a prefix.
func TestResolveExactName(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for range 50 {
		c := testCatalog(rng.Int63())
		tkr := c.tkrs[rng.Intn(len(c.tkrs))]
		shippable := tkr.DeepCopy()
		shippable.Spec.Version += "-zshippable"
		shippable.Name = version.Label(shippable.Spec.Version)
		shippable.Status.Conditions = nil
		c.tkrs = append(c.tkrs, shippable)
		r := c.resolver()
		q := clusterQuery(tkr.Spec.Version, "", "", "", "")
		res := r.Resolve(q)
		checkResult(t, r, q, res)
		if n := len(res.ControlPlane.TKRsByK8sVersion); n > 1 {
			t.Errorf("%d Kubernetes versions for a full TKR version", n)
		}
		want := tkr.Name
		if tkrlabels.Excluded(r.TKR(tkr.Name).Labels) != "" {
			// The rule applies among the candidates; an excluded TKR is none.
			want = shippable.Name
		} else if !usable(r, tkr) {
			want = ""
		}
		if got := res.ControlPlane.TKRName; got != want {
			t.Errorf("prefix %s resolved to %q, want %q", tkr.Spec.Version, got, want)
		}
	}
}

// S5: a TKR whose OSImages are all missing never resolves, and nothing panics.
func TestResolveTKRWithMissingOSImages(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for range 200 {
		c := testCatalog(rng.Int63())
		r := c.resolver()
		tkr := c.tkrs[rng.Intn(len(c.tkrs))].DeepCopy()
		for i := range tkr.Spec.OSImages {
			tkr.Spec.OSImages[i].Name += "-does-not-exist"
		}
		r.Add(tkr)
		q := clusterQuery(randomPrefix(rng, tkr.Spec.Kubernetes.Version), "", "", "")
		res := r.Resolve(q)
		checkResult(t, r, q, res)
		if _, ok := res.ControlPlane.OSImagesByTKR[tkr.Name]; ok {
			t.Errorf("TKR %s without OSImages resolved", tkr.Name)
		}
	}
}

// TestResolveCases covers the rules one at a time on small hand-made catalogues.
func TestResolveCases(t *testing.T) {
	ubuntu := func(name, k8s string) *runv1alpha3.OSImage { return mkImage(name, k8s, "ubuntu", "amd64") }
	photon := func(name, k8s string) *runv1alpha3.OSImage { return mkImage(name, k8s, "photon", "amd64") }
	deactivated := func(tkr *runv1alpha3.TanzuKubernetesRelease) *runv1alpha3.TanzuKubernetesRelease {
		tkr.Labels = map[string]string{"deactivated": ""}
		return tkr
	}
	// Two TKRs with the same version but different names.
	twin := mkTKR("v1.24.9+vmware.1-tkg.1", "u24")
	twin.Name = "a-copy"
	tests := []struct {
		name    string
		objs    []any
		q       Query
		want    string   // winning TKR
		wantAll []string // every TKR that satisfies the query
	}{
		{
			name: "newest wins",
			objs: []any{mkTKR("v1.24.9+vmware.1-tkg.1", "u24"), mkTKR("v1.24.10+vmware.1-tkg.1", "u24b"),
				ubuntu("u24", "v1.24.9+vmware.1"), ubuntu("u24b", "v1.24.10+vmware.1")},
			q:       clusterQuery("v1.24", "", ""),
			want:    "v1.24.10---vmware.1-tkg.1",
			wantAll: []string{"v1.24.10---vmware.1-tkg.1", "v1.24.9---vmware.1-tkg.1"},
		},
		{
			name:    "prefixes respect component boundaries",
			objs:    []any{mkTKR("v1.24.9+vmware.1-tkg.1", "u24"), ubuntu("u24", "v1.24.9+vmware.1")},
			q:       clusterQuery("v1.2", "", ""),
			wantAll: nil,
		},
		{
			name: "equal versions: the name that sorts first wins",
			objs: []any{mkTKR("v1.24.9+vmware.1-tkg.1", "u24"), twin, ubuntu("u24", "v1.24.9+vmware.1")},
			q:    clusterQuery("v1.24", "", ""), want: "a-copy", wantAll: []string{"a-copy", "v1.24.9---vmware.1-tkg.1"},
		},
		{
			name: "versions equal under Compare are ordered by CompareStrict",
			objs: []any{mkTKR("v1.24.9+vmware.1-tkg.1", "u24"), mkTKR("v1.24.9+vmware.1-tkg.01", "u24"), ubuntu("u24", "v1.24.9+vmware.1")},
			q:    clusterQuery("v1.24", "", ""), want: "v1.24.9---vmware.1-tkg.1",
			wantAll: []string{"v1.24.9---vmware.1-tkg.01", "v1.24.9---vmware.1-tkg.1"},
		},
		{
			name: "unparsable versions are dropped",
			objs: []any{mkTKR("v1.24.9+vmware.1-tkg.1", "u24"), mkTKR("v1.24.9+vmware.1-tkg.1.x..y", "u24"), ubuntu("u24", "v1.24.9+vmware.1")},
			q:    clusterQuery("v1.24", "", ""), want: "v1.24.9---vmware.1-tkg.1", wantAll: []string{"v1.24.9---vmware.1-tkg.1"},
		},
		{
			name: "excluded TKRs are skipped",
			objs: []any{
				withCondition(mkTKR("v1.24.12+vmware.1-tkg.1", "u24"), "Compatible", "not for this TKG"),
				deactivated(mkTKR("v1.24.11+vmware.1-tkg.1", "u24")),
				withCondition(mkTKR("v1.24.10+vmware.1-tkg.1", "u24"), "Valid", "broken"),
				mkTKR("v1.24.9+vmware.1-tkg.1", "u24"), ubuntu("u24", "v1.24.9+vmware.1"),
			},
			q:    clusterQuery("v1.24", "", ""),
			want: "v1.24.9---vmware.1-tkg.1", wantAll: []string{"v1.24.9---vmware.1-tkg.1"},
		},
		{
			name: "excluded OSImages are skipped",
			objs: []any{mkTKR("v1.24.9+vmware.1-tkg.1", "bad", "good", "gone"), withCondition(ubuntu("bad", "v1.24.9+vmware.1"), "Compatible", "no"),
				ubuntu("good", "v1.24.9+vmware.1")},
			q:    clusterQuery("v1.24", "", ""),
			want: "v1.24.9---vmware.1-tkg.1", wantAll: []string{"v1.24.9---vmware.1-tkg.1"},
		},
		{
			name: "the TKR selector applies",
			objs: []any{mkTKR("v1.24.10+vmware.1-tkg.1", "u24"), withLabels(mkTKR("v1.24.9+vmware.1-tkg.1", "u24"), "gpu", ""),
				ubuntu("u24", "v1.24.9+vmware.1")},
			q:    clusterQuery("v1.24", "gpu", ""),
			want: "v1.24.9---vmware.1-tkg.1", wantAll: []string{"v1.24.9---vmware.1-tkg.1"},
		},
		{
			name: "exact name: only that TKR, and no fallback when it has no matching image",
			objs: []any{mkTKR("v1.24.9+vmware.1-tkg.1", "p24"), mkTKR("v1.24.9+vmware.1-tkg.1-zshippable", "u24"),
				photon("p24", "v1.24.9+vmware.1"), ubuntu("u24", "v1.24.9+vmware.1")},
			q:    clusterQuery("v1.24.9+vmware.1-tkg.1", "", "os-name=ubuntu"),
			want: "",
		},
		{
			name: "exact name does not apply to an excluded TKR",
			objs: []any{deactivated(mkTKR("v1.24.9+vmware.1-tkg.1", "u24")), mkTKR("v1.24.9+vmware.1-tkg.1-zshippable", "u24"),
				ubuntu("u24", "v1.24.9+vmware.1")},
			q:    clusterQuery("v1.24.9+vmware.1-tkg.1", "", ""),
			want: "v1.24.9---vmware.1-tkg.1-zshippable", wantAll: []string{"v1.24.9---vmware.1-tkg.1-zshippable"},
		},
		{
			name: "one TKR for every part",
			objs: []any{mkTKR("v1.24.10+vmware.1-tkg.1", "u24b"), mkTKR("v1.24.9+vmware.1-tkg.1", "u24", "p24"),
				ubuntu("u24b", "v1.24.10+vmware.1"), ubuntu("u24", "v1.24.9+vmware.1"), photon("p24", "v1.24.9+vmware.1")},
			q:    clusterQuery("v1.24", "", "os-name=ubuntu", "os-name=photon", "os-name=ubuntu"),
			want: "v1.24.9---vmware.1-tkg.1", wantAll: []string{"v1.24.9---vmware.1-tkg.1"},
		},
		{
			name: "parts with different prefixes",
			objs: []any{mkTKR("v1.24.10+vmware.1-tkg.1", "u24b"), mkTKR("v1.24.9+vmware.1-tkg.1", "u24"),
				ubuntu("u24b", "v1.24.10+vmware.1"), ubuntu("u24", "v1.24.9+vmware.1")},
			q: Query{ControlPlane: &OSImageQuery{K8sVersionPrefix: "v1.24"},
				MachineDeployments: []*OSImageQuery{{K8sVersionPrefix: "v1.24.9+vmware.1-tkg.1"}, nil}},
			want: "v1.24.9---vmware.1-tkg.1", wantAll: []string{"v1.24.9---vmware.1-tkg.1"},
		},
		{
			name: "a part that matches nothing empties every part",
			objs: []any{mkTKR("v1.24.9+vmware.1-tkg.1", "u24"), ubuntu("u24", "v1.24.9+vmware.1")},
			q:    clusterQuery("v1.24", "", "", "os-name=windows"),
		},
		{
			name: "no parts",
			objs: []any{mkTKR("v1.24.9+vmware.1-tkg.1", "u24"), ubuntu("u24", "v1.24.9+vmware.1")},
			q:    Query{MachineDeployments: []*OSImageQuery{nil}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New()
			for _, o := range tt.objs {
				addAny(r, o)
			}
			// Map iteration order varies between runs; the answer must not.
			for range 20 {
				res := r.Resolve(tt.q)
				checkResult(t, r, tt.q, res)
				var pr *OSImageResult
				for _, p := range append([]*OSImageResult{res.ControlPlane}, res.MachineDeployments...) {
					if p != nil {
						pr = p
					}
				}
				if pr == nil {
					return
				}
				if pr.TKRName != tt.want {
					t.Fatalf("winner %q, want %q", pr.TKRName, tt.want)
				}
				if diff := cmp.Diff(tt.wantAll, sortedKeys(pr.OSImagesByTKR), cmpEmpty); diff != "" {
					t.Fatalf("TKRs (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func withLabels(tkr *runv1alpha3.TanzuKubernetesRelease, kv ...string) *runv1alpha3.TanzuKubernetesRelease {
	if tkr.Labels == nil {
		tkr.Labels = map[string]string{}
	}
	for i := 0; i < len(kv); i += 2 {
		tkr.Labels[kv[i]] = kv[i+1]
	}
	return tkr
}

func addAny(r *Resolver, o any) {
	switch o := o.(type) {
	case *runv1alpha3.TanzuKubernetesRelease:
		r.Add(o)
	case *runv1alpha3.OSImage:
		r.Add(o)
	default:
		panic(o)
	}
}

var cmpEmpty = cmp.FilterValues(func(a, b []string) bool { return len(a) == 0 && len(b) == 0 }, cmp.Ignore())

func TestResolveInvalidPrefix(t *testing.T) {
	r := New()
	r.Add(mkTKR("v1.24.9+vmware.1-tkg.1", "u24"), mkImage("u24", "v1.24.9+vmware.1", "ubuntu", "amd64"))
	for _, prefix := range []string{"", "v", "v1 24", "v1.24.", "v1.24/9", "v1." + strings.Repeat("1", 70)} {
		t.Run(prefix, func(t *testing.T) {
			q := clusterQuery("v1.24", "", "", "")
			q.MachineDeployments[0].K8sVersionPrefix = prefix
			res := r.Resolve(q)
			checkResult(t, r, q, res)
			err := res.Err()
			if err == nil || !strings.Contains(err.Error(), "md-0: version prefix") {
				t.Errorf("Result.Err() = %v, want an error about md-0's version prefix", err)
			}
			if res.ControlPlane.Err != nil || res.ControlPlane.TKRName != "" {
				t.Errorf("control plane: %v; want no error and no TKR, since md-0 can have none", res.ControlPlane)
			}
			if verr := q.Validate(); verr == nil || verr.Error() != err.Error() {
				t.Errorf("Validate() = %v, want %v", verr, err)
			}
			if !strings.Contains(res.String(), "error: 'md-0: version prefix") {
				t.Errorf("String() = %s, want the error in it", res.String())
			}
		})
	}
	if err := clusterQuery("v1.24", "", "", "").Validate(); err != nil {
		t.Errorf("Validate() of a valid query = %v", err)
	}
}

func TestResultAccessors(t *testing.T) {
	r := New()
	r.Add(mkTKR("v1.24.9+vmware.1-tkg.1", "a", "b"), mkImage("a", "v1.24.9+vmware.1", "ubuntu", "amd64"),
		mkImage("b", "v1.24.9+vmware.1", "photon", "amd64"))
	res := r.Resolve(clusterQuery("v1.24", "", "os-name=ubuntu", ""))
	if got := res.ControlPlane.OSImage(); got == nil || got.Name != "a" {
		t.Errorf("control plane OSImage() = %v, want a", got)
	}
	if got := res.ControlPlane.TKR(); got == nil || got.Name != "v1.24.9---vmware.1-tkg.1" {
		t.Errorf("TKR() = %v", got)
	}
	if got := res.MachineDeployments[0].OSImage(); got != nil {
		t.Errorf("ambiguous part OSImage() = %v, want nil", got.Name)
	}
	var none *OSImageResult
	if none.TKR() != nil || none.OSImage() != nil {
		t.Error("a nil result returned a TKR or an OSImage")
	}
	empty := r.Resolve(clusterQuery("v1.25", "", ""))
	if empty.ControlPlane.TKR() != nil || empty.ControlPlane.OSImage() != nil {
		t.Error("an empty result returned a TKR or an OSImage")
	}
	if err := res.Err(); err != nil {
		t.Errorf("Err() = %v", err)
	}
}

func TestStrings(t *testing.T) {
	r := New()
	r.Add(mkTKR("v1.24.9+vmware.1-tkg.1", "b", "a"), mkImage("a", "v1.24.9+vmware.1", "ubuntu", "amd64"),
		mkImage("b", "v1.24.9+vmware.1", "photon", "amd64"))
	q := Query{
		ControlPlane: &OSImageQuery{K8sVersionPrefix: "v1.24", TKRSelector: labels.Everything(), OSImageSelector: mustSelector("os-name=ubuntu")},
		MachineDeployments: []*OSImageQuery{
			{Name: "md-0", K8sVersionPrefix: "v1.24", TKRSelector: mustSelector("!deprecated")},
			nil,
		},
	}
	res := r.Resolve(q)
	tests := []struct{ got, want string }{
		{q.String(), "{controlPlane: {k8sVersionPrefix: 'v1.24', tkrSelector: '', osImageSelector: 'os-name=ubuntu'}, " +
			"machineDeployments: [{k8sVersionPrefix: 'v1.24', tkrSelector: '!deprecated', osImageSelector: ''} nil]}"},
		{res.String(), "{controlPlane: {k8sVersion: 'v1.24.9+vmware.1', tkrName: 'v1.24.9---vmware.1-tkg.1', " +
			"osImagesByTKR: map[v1.24.9---vmware.1-tkg.1:[a]]}, machineDeployments: [{k8sVersion: 'v1.24.9+vmware.1', " +
			"tkrName: 'v1.24.9---vmware.1-tkg.1', osImagesByTKR: map[v1.24.9---vmware.1-tkg.1:[a b]]} nil]}"},
		{Query{}.String(), "{controlPlane: nil, machineDeployments: []}"},
		{Result{}.String(), "{controlPlane: nil, machineDeployments: []}"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got  %s\nwant %s", tt.got, tt.want)
		}
	}
	bad := &OSImageResult{TKRsByK8sVersion: map[string]TKRs{}, OSImagesByTKR: map[string]OSImages{}, Err: errors.New("md-0: no")}
	if got, want := bad.String(), "{k8sVersion: '', tkrName: '', osImagesByTKR: map[], error: 'md-0: no'}"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
