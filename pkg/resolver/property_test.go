package resolver

import (
	"maps"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/tkrlabels"
	"github.com/tkr-project/tkr/pkg/version"
)

// reference is a brute-force resolver written the way the original service works: it keeps the
// objects by name and, for every query, scans all of them with the full normalized selectors.
// The property test checks the indexed Resolver against it.
type reference struct {
	tkrs map[string]*runv1alpha3.TanzuKubernetesRelease
	imgs map[string]*runv1alpha3.OSImage
}

func newReference() *reference {
	return &reference{tkrs: map[string]*runv1alpha3.TanzuKubernetesRelease{}, imgs: map[string]*runv1alpha3.OSImage{}}
}

func (ref *reference) add(o runtime.Object) {
	switch o := o.(type) {
	case *runv1alpha3.TanzuKubernetesRelease:
		if o.DeletionTimestamp != nil {
			delete(ref.tkrs, o.Name)
		} else {
			ref.tkrs[o.Name] = o.DeepCopy()
		}
	case *runv1alpha3.OSImage:
		if o.DeletionTimestamp != nil {
			delete(ref.imgs, o.Name)
		} else {
			ref.imgs[o.Name] = o.DeepCopy()
		}
	}
}

func (ref *reference) remove(o runtime.Object) {
	switch o := o.(type) {
	case *runv1alpha3.TanzuKubernetesRelease:
		delete(ref.tkrs, o.Name)
	case *runv1alpha3.OSImage:
		delete(ref.imgs, o.Name)
	}
}

// refLabels is what the status controller would write: the object's labels, the derived ones,
// and incompatible and invalid exactly when Compatible and Valid are False.
func refLabels(own, derived map[string]string, conds runv1alpha3.Conditions) labels.Set {
	l := labels.Set{}
	maps.Copy(l, own)
	maps.Copy(l, derived)
	for cond, label := range map[string]string{"Compatible": "incompatible", "Valid": "invalid"} {
		delete(l, label)
		for _, c := range conds {
			if string(c.Type) == cond && c.Status == corev1.ConditionFalse {
				l[label] = ""
			}
		}
	}
	return l
}

// names is a Result reduced to names, for comparison.
type names struct {
	K8sVersion, TKRName string
	TKRsByK8sVersion    map[string][]string
	OSImagesByTKR       map[string][]string
	Err                 bool
}

func namesOf(res Result) []*names {
	var out []*names
	for _, pr := range append([]*OSImageResult{res.ControlPlane}, res.MachineDeployments...) {
		if pr == nil {
			out = append(out, nil)
			continue
		}
		n := &names{K8sVersion: pr.K8sVersion, TKRName: pr.TKRName, Err: pr.Err != nil,
			TKRsByK8sVersion: map[string][]string{}, OSImagesByTKR: map[string][]string{}}
		for k, tkrs := range pr.TKRsByK8sVersion {
			n.TKRsByK8sVersion[k] = sortedKeys(tkrs)
		}
		for tkr, imgs := range pr.OSImagesByTKR {
			n.OSImagesByTKR[tkr] = sortedKeys(imgs)
		}
		out = append(out, n)
	}
	return out
}

func (ref *reference) resolve(q Query) []*names {
	type accepted map[string][]string // TKR name -> matching OSImage names
	parts := append([]*OSImageQuery{q.ControlPlane}, q.MachineDeployments...)
	per := make([]accepted, len(parts))
	for i, p := range parts {
		if p == nil {
			continue
		}
		per[i] = accepted{}
		if version.ValidatePrefix(p.K8sVersionPrefix) != nil {
			continue
		}
		tkrSel := mustSelector(strings.Trim(selectorString(p.TKRSelector)+","+version.Label(p.K8sVersionPrefix)+",!incompatible,!deactivated,!invalid", ","))
		osSel := mustSelector(strings.Trim(selectorString(p.OSImageSelector)+",!incompatible,!deactivated,!invalid", ","))
		var considered []*runv1alpha3.TanzuKubernetesRelease
		for _, tkr := range ref.tkrs {
			if _, err := version.Parse(tkr.Spec.Version); err != nil {
				continue
			}
			if tkrSel.Matches(refLabels(tkr.Labels, version.PrefixLabels(tkr.Spec.Version), tkr.Status.Conditions)) {
				considered = append(considered, tkr)
			}
		}
		for _, tkr := range considered {
			if tkr.Name == version.Label(p.K8sVersionPrefix) {
				considered = []*runv1alpha3.TanzuKubernetesRelease{tkr}
				break
			}
		}
		for _, tkr := range considered {
			var imgs []string
			for _, r := range tkr.Spec.OSImages {
				img := ref.imgs[r.Name]
				if img != nil && !slices.Contains(imgs, img.Name) &&
					osSel.Matches(refLabels(img.Labels, tkrlabels.OSImage(img), img.Status.Conditions)) {
					imgs = append(imgs, img.Name)
				}
			}
			if len(imgs) > 0 {
				slices.Sort(imgs)
				per[i][tkr.Name] = imgs
			}
		}
	}
	common := map[string]bool{}
	if slices.ContainsFunc(parts, func(p *OSImageQuery) bool { return p != nil }) {
		for name := range ref.tkrs {
			common[name] = true
		}
	}
	for _, a := range per {
		if a == nil {
			continue
		}
		for name := range common {
			if _, ok := a[name]; !ok {
				delete(common, name)
			}
		}
	}
	var winner *runv1alpha3.TanzuKubernetesRelease
	byK8s := map[string][]string{}
	for name := range common {
		tkr := ref.tkrs[name]
		byK8s[tkr.Spec.Kubernetes.Version] = append(byK8s[tkr.Spec.Kubernetes.Version], name)
		if winner == nil {
			winner = tkr
			continue
		}
		c := version.CompareStrict(version.MustParse(tkr.Spec.Version), version.MustParse(winner.Spec.Version))
		if c > 0 || c == 0 && tkr.Name < winner.Name {
			winner = tkr
		}
	}
	for _, v := range byK8s {
		slices.Sort(v)
	}
	out := make([]*names, len(parts))
	for i, p := range parts {
		if p == nil {
			continue
		}
		n := &names{TKRsByK8sVersion: byK8s, OSImagesByTKR: map[string][]string{}, Err: version.ValidatePrefix(p.K8sVersionPrefix) != nil}
		if winner != nil {
			n.K8sVersion, n.TKRName = winner.Spec.Kubernetes.Version, winner.Name
		}
		for name := range common {
			n.OSImagesByTKR[name] = per[i][name]
		}
		out[i] = n
	}
	return out
}

// mutator generates random operations on a catalogue: adds of the fixture objects and of
// variants of them, removals, and queries.
type mutator struct {
	rng *rand.Rand
	c   *catalog
}

func (m *mutator) tkr() *runv1alpha3.TanzuKubernetesRelease {
	tkr := m.c.tkrs[m.rng.Intn(len(m.c.tkrs))].DeepCopy()
	switch m.rng.Intn(10) {
	case 0: // a shrunk or reordered OSImage list
		m.rng.Shuffle(len(tkr.Spec.OSImages), func(i, j int) {
			tkr.Spec.OSImages[i], tkr.Spec.OSImages[j] = tkr.Spec.OSImages[j], tkr.Spec.OSImages[i]
		})
		tkr.Spec.OSImages = tkr.Spec.OSImages[:m.rng.Intn(len(tkr.Spec.OSImages)+1)]
	case 1: // dangling and duplicate references
		tkr.Spec.OSImages = append(tkr.Spec.OSImages, runv1alpha3.OSImageReference{Name: "missing-" + randString(m.rng, 1)})
		tkr.Spec.OSImages = append(tkr.Spec.OSImages, tkr.Spec.OSImages[0])
	case 2: // flipped conditions
		tkr.Status.Conditions = genConditions(m.rng, 0.5)
	case 3:
		tkr.Labels["deactivated"] = ""
	case 4: // a stale exclusion label that the conditions override
		tkr.Labels["incompatible"] = ""
	case 5: // a TKR named after a version that another TKR's version extends
		tkr.Spec.Version += "-zshippable"
		tkr.Name = version.Label(tkr.Spec.Version)
	case 6:
		tkr.Spec.Version = "covfefe"
	case 7:
		now := metav1.Now()
		tkr.DeletionTimestamp = &now
	}
	return tkr
}

func (m *mutator) osImage() *runv1alpha3.OSImage {
	img := m.c.osImages[m.rng.Intn(len(m.c.osImages))].DeepCopy()
	switch m.rng.Intn(8) {
	case 0:
		img.Status.Conditions = genConditions(m.rng, 0.5)
	case 1:
		img.Labels = map[string]string{"deactivated": ""}
	case 2:
		img.Spec.OS.Name = "windows"
	case 3:
		now := metav1.Now()
		img.DeletionTimestamp = &now
	}
	return img
}

func (m *mutator) query() Query {
	tkr := m.c.tkrs[m.rng.Intn(len(m.c.tkrs))]
	prefixes := []string{"v1", "v1.2", "v1.20", "1.21", randomPrefix(m.rng, tkr.Spec.Version),
		randomPrefix(m.rng, tkr.Spec.Kubernetes.Version), tkr.Spec.Version, tkr.Spec.Version + "-zshippable", "covfefe", "", "v1 20"}
	tkrSels := []string{"", "!deprecated", "team=a", "team in (a,b)", "team!=c", "deprecated"}
	osSels := []string{"", "os-name=ubuntu", "os-arch=amd64", "os-name=photon,os-arch=arm64", "os-name in (ubuntu,amazon)",
		"!invalid", "os-arch", "os-name notin (ubuntu)"}
	prefix := prefixes[m.rng.Intn(len(prefixes))]
	sel := func(from []string) labels.Selector {
		if m.rng.Intn(6) == 0 {
			return nil
		}
		return mustSelector(from[m.rng.Intn(len(from))])
	}
	tkrSel := sel(tkrSels)
	part := func() *OSImageQuery {
		if m.rng.Intn(5) == 0 {
			return nil
		}
		p := &OSImageQuery{K8sVersionPrefix: prefix, TKRSelector: tkrSel, OSImageSelector: sel(osSels)}
		if m.rng.Intn(8) == 0 {
			p.K8sVersionPrefix = prefixes[m.rng.Intn(len(prefixes))]
		}
		return p
	}
	q := Query{ControlPlane: part()}
	for range m.rng.Intn(4) {
		q.MachineDeployments = append(q.MachineDeployments, part())
	}
	return q
}

// TestMatchesReference applies random sequences of adds, updates and removals to a Resolver
// and to the brute-force reference, and compares their answers to random queries. It also
// checks that the explanation agrees with the result.
func TestMatchesReference(t *testing.T) {
	outcomes, reasons := map[Outcome]int{}, map[Reason]int{}
	defer func() { t.Logf("outcomes %v; rejections %v", outcomes, reasons) }()
	for seed := range int64(40) {
		m := &mutator{rng: rand.New(rand.NewSource(seed)), c: testCatalog(seed)}
		r, ref := New(), newReference()
		for step := range 150 {
			var desc string
			switch op := m.rng.Intn(10); {
			case op < 3:
				tkr := m.tkr()
				r.Add(tkr)
				ref.add(tkr)
				desc = "add TKR " + tkr.Name
			case op < 6:
				img := m.osImage()
				r.Add(img)
				ref.add(img)
				desc = "add OSImage " + img.Name
			case op < 7:
				tkr := &runv1alpha3.TanzuKubernetesRelease{ObjectMeta: metav1.ObjectMeta{Name: m.tkr().Name}}
				r.Remove(tkr)
				ref.remove(tkr)
				desc = "remove TKR " + tkr.Name
			default:
				img := &runv1alpha3.OSImage{ObjectMeta: metav1.ObjectMeta{Name: m.osImage().Name}}
				r.Remove(img)
				ref.remove(img)
				desc = "remove OSImage " + img.Name
			}
			for range 3 {
				q := m.query()
				got, want := r.Resolve(q), ref.resolve(q)
				if diff := cmp.Diff(want, namesOf(got)); diff != "" {
					t.Fatalf("seed %d, step %d (%s): Resolve(%v) (-reference +got):\n%s", seed, step, desc, q, diff)
				}
				res, x := r.Explain(q, 1000)
				if diff := cmp.Diff(want, namesOf(res)); diff != "" {
					t.Fatalf("seed %d, step %d: Explain(%v) result (-reference +got):\n%s", seed, step, q, diff)
				}
				checkExplanation(t, q, res, x)
				for _, pe := range x.Parts {
					outcomes[pe.Outcome]++
					for _, c := range pe.Candidates {
						if c.Rejection != nil {
							reasons[c.Rejection.Reason]++
						}
					}
				}
			}
			if step%25 == 0 {
				checkIndex(t, r)
			}
		}
		checkIndex(t, r)
	}
}

// checkExplanation fails the test unless x agrees with res: the outcome follows from the result,
// the candidates without a rejection or rejected as Superseded or Ambiguous are exactly the
// TKRs that satisfy the query, and every rejection has a message.
func checkExplanation(t *testing.T, q Query, res Result, x *Explanation) {
	t.Helper()
	var results []*OSImageResult
	q.each(func(md int, _ *OSImageQuery) {
		if md < 0 {
			results = append(results, res.ControlPlane)
		} else {
			results = append(results, res.MachineDeployments[md])
		}
	})
	if len(x.Parts) != len(results) {
		t.Fatalf("%d explained parts for %d parts", len(x.Parts), len(results))
	}
	for i, pe := range x.Parts {
		pr := results[i]
		want := OutcomeUnresolved
		switch {
		case pr.Err != nil:
			want = OutcomeInvalid
		case pr.OSImage() != nil:
			want = OutcomeResolved
		case pr.TKRName != "":
			want = OutcomeAmbiguous
		}
		if pe.Outcome != want || pe.TKR != pr.TKRName {
			t.Errorf("part %s: outcome %s with TKR %q, want %s with %q (%s)", pe.Part, pe.Outcome, pe.TKR, want, pr.TKRName, pe.Summary)
		}
		var satisfied []string
		for _, c := range pe.Candidates {
			if c.Rejection == nil || c.Rejection.Reason == ReasonSuperseded || c.Rejection.Reason == ReasonAmbiguous {
				satisfied = append(satisfied, c.Name)
			} else if c.Rejection.Message == "" {
				t.Errorf("part %s: TKR %s rejected as %s without a message", pe.Part, c.Name, c.Rejection.Reason)
			}
			if c.Rejection != nil && c.Rejection.Reason == ReasonOtherPart && (c.Rejection.Part == "" || c.Rejection.Part == pe.Part) {
				t.Errorf("part %s: TKR %s rejected for another part named %q", pe.Part, c.Name, c.Rejection.Part)
			}
		}
		slices.Sort(satisfied)
		if diff := cmp.Diff(sortedKeys(pr.OSImagesByTKR), satisfied, cmpEmpty); diff != "" {
			t.Errorf("part %s: satisfying candidates (-result +explanation):\n%s\n%s", pe.Part, diff, x)
		}
	}
}

// TestConcurrentUse hammers one Resolver from several goroutines; run it with -race.
func TestConcurrentUse(t *testing.T) {
	c := testCatalog(99)
	r := c.resolver()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			m := &mutator{rng: rand.New(rand.NewSource(int64(g))), c: c}
			for range 300 {
				switch m.rng.Intn(6) {
				case 0:
					r.Add(m.tkr(), m.osImage())
				case 1:
					r.Remove(m.tkr(), m.osImage())
				case 2:
					_, x := r.Explain(m.query(), 0)
					_ = x.String()
				case 3:
					if tkr := r.TKR(m.tkr().Name); tkr != nil {
						_ = tkr.Labels["v1"]
					}
				default:
					res := r.Resolve(m.query())
					_ = res.String()
				}
			}
		})
	}
	wg.Wait()
	checkIndex(t, r)
}

// Results stay valid, and unchanged, while the catalogue changes under them.
func TestResultsAreSnapshots(t *testing.T) {
	c := testCatalog(8)
	r := c.resolver()
	q := clusterQuery("v1", "", "", "")
	res := r.Resolve(q)
	before := namesOf(res)
	if before[0].TKRName == "" {
		t.Fatal("the test needs a query that resolves")
	}
	for _, o := range c.objects() {
		r.Remove(o)
	}
	if diff := cmp.Diff(before, namesOf(res)); diff != "" {
		t.Errorf("a Result changed after its objects were removed (-before +after):\n%s", diff)
	}
}
