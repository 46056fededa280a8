package resolver

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/tkrlabels"
)

// snapshot is the observable state of a Resolver: its objects and its links, by name.
type snapshot struct {
	TKRs     map[string]*runv1alpha3.TanzuKubernetesRelease
	OSImages map[string]*runv1alpha3.OSImage
	// TKRToOSImages lists, per TKR, the OSImages it lists that are cached.
	TKRToOSImages map[string][]string
	// OSImageToTKRs lists, per OSImage name, the cached TKRs that list it.
	OSImageToTKRs map[string][]string
}

func snap(r *Resolver) snapshot {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s := snapshot{
		TKRs: map[string]*runv1alpha3.TanzuKubernetesRelease{}, OSImages: map[string]*runv1alpha3.OSImage{},
		TKRToOSImages: map[string][]string{}, OSImageToTKRs: map[string][]string{},
	}
	for name, e := range r.tkrs {
		s.TKRs[name] = e.tkr
		s.TKRToOSImages[name] = []string{}
		for _, img := range e.images {
			if img != nil {
				s.TKRToOSImages[name] = append(s.TKRToOSImages[name], img.img.Name)
			}
		}
		slices.Sort(s.TKRToOSImages[name])
	}
	for name, e := range r.osImages {
		s.OSImages[name] = e.img
	}
	for name, set := range r.referrers {
		s.OSImageToTKRs[name] = sortedKeys(set)
	}
	return s
}

// checkIndex fails the test unless every index of r agrees with its stored objects.
func checkIndex(t *testing.T, r *Resolver) {
	t.Helper()
	r.mu.RLock()
	defer r.mu.RUnlock()
	wantByLabel := map[string][]string{}
	wantReferrers := map[string][]string{}
	for name, e := range r.tkrs {
		if e.tkr.Name != name {
			t.Errorf("TKR stored under %q is named %q", name, e.tkr.Name)
		}
		for k := range e.tkr.Labels {
			if strings.HasPrefix(k, "v") {
				wantByLabel[k] = append(wantByLabel[k], name)
			}
		}
		for i, ref := range e.refs {
			wantReferrers[ref] = append(wantReferrers[ref], name)
			if got, want := e.images[i], r.osImages[ref]; got != want {
				t.Errorf("TKR %s links OSImage %s to %p, want %p", name, ref, got, want)
			}
		}
	}
	gotByLabel := map[string][]string{}
	for k, set := range r.byLabel {
		gotByLabel[k] = sortedKeys(set)
		for name, e := range set {
			if r.tkrs[name] != e {
				t.Errorf("byLabel[%s][%s] is not the stored TKR", k, name)
			}
		}
	}
	gotReferrers := map[string][]string{}
	for k, set := range r.referrers {
		gotReferrers[k] = sortedKeys(set)
		for name, e := range set {
			if r.tkrs[name] != e {
				t.Errorf("referrers[%s][%s] is not the stored TKR", k, name)
			}
		}
	}
	sortValues := cmpopts.SortSlices(func(a, b string) bool { return a < b })
	if diff := cmp.Diff(wantByLabel, gotByLabel, sortValues); diff != "" {
		t.Errorf("byLabel (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantReferrers, gotReferrers, sortValues); diff != "" {
		t.Errorf("referrers (-want +got):\n%s", diff)
	}
}

// R1: the order of additions does not matter.
func TestAddOrderDoesNotMatter(t *testing.T) {
	for seed := range int64(5) {
		c := testCatalog(seed)
		tkrsFirst := New()
		tkrsFirst.Add(c.objects()...)
		imagesFirst := New()
		for _, img := range c.osImages {
			imagesFirst.Add(img)
		}
		for _, tkr := range c.tkrs {
			imagesFirst.Add(tkr)
		}
		shuffled := New()
		objs := c.objects()
		rand.New(rand.NewSource(seed)).Shuffle(len(objs), func(i, j int) { objs[i], objs[j] = objs[j], objs[i] })
		shuffled.Add(objs...)
		want := snap(tkrsFirst)
		if diff := cmp.Diff(want, snap(imagesFirst)); diff != "" {
			t.Errorf("seed %d: OSImages first (-TKRs first +OSImages first):\n%s", seed, diff)
		}
		if diff := cmp.Diff(want, snap(shuffled)); diff != "" {
			t.Errorf("seed %d: shuffled (-TKRs first +shuffled):\n%s", seed, diff)
		}
		checkIndex(t, imagesFirst)
	}
}

// R2: the stored copy of a TKR has the in-memory Ready condition and the derived labels.
func TestAddAugmentsCopies(t *testing.T) {
	c := testCatalog(1)
	r := c.resolver()
	for _, in := range c.tkrs {
		got := r.TKR(in.Name)
		ready := tkrlabels.Condition(got.Status.Conditions, runv1alpha3.ConditionReady)
		if ready == nil {
			t.Fatalf("TKR %s has no Ready condition", in.Name)
		}
		excluded := false
		for _, l := range []string{"incompatible", "deactivated", "invalid"} {
			_, ok := got.Labels[l]
			excluded = excluded || ok
		}
		if wantTrue := !excluded; (ready.Status == corev1.ConditionTrue) != wantTrue {
			t.Errorf("TKR %s: Ready is %s with labels %v", in.Name, ready.Status, got.Labels)
		}
		for k, v := range tkrlabels.TKR(in) {
			if got.Labels[k] != v {
				t.Errorf("TKR %s lacks derived label %s", in.Name, k)
			}
		}
		compatible := tkrlabels.Condition(in.Status.Conditions, runv1alpha3.ConditionCompatible)
		if _, ok := got.Labels["incompatible"]; ok != (compatible.Status == corev1.ConditionFalse) {
			t.Errorf("TKR %s: label incompatible is %v, Compatible is %s", in.Name, ok, compatible.Status)
		}
	}
	for _, in := range c.osImages {
		got := r.OSImage(in.Name)
		for k, v := range tkrlabels.OSImage(in) {
			if got.Labels[k] != v {
				t.Errorf("OSImage %s lacks derived label %s=%s", in.Name, k, v)
			}
		}
		valid := tkrlabels.Condition(in.Status.Conditions, runv1alpha3.ConditionValid)
		if _, ok := got.Labels["invalid"]; ok != (valid.Status == corev1.ConditionFalse) {
			t.Errorf("OSImage %s: label invalid is %v, Valid is %s", in.Name, ok, valid.Status)
		}
	}
}

// The resolver neither modifies the objects it is given nor is affected by later changes to them.
func TestAddKeepsPrivateCopies(t *testing.T) {
	c := testCatalog(2)
	before := (&catalog{}).deepCopyOf(c)
	r := c.resolver()
	if diff := cmp.Diff(before, c, cmp.AllowUnexported(catalog{})); diff != "" {
		t.Fatalf("Add modified its arguments (-before +after):\n%s", diff)
	}
	stored := snap(r)
	for _, tkr := range c.tkrs {
		tkr.Labels["deactivated"] = ""
		tkr.Spec.OSImages = nil
	}
	for _, img := range c.osImages {
		img.Labels = map[string]string{"changed": ""}
		img.Spec.Image.Ref["id"] = "changed"
	}
	if diff := cmp.Diff(stored, snap(r)); diff != "" {
		t.Errorf("changing the caller's objects changed the resolver (-before +after):\n%s", diff)
	}
}

func (*catalog) deepCopyOf(c *catalog) *catalog {
	out := &catalog{}
	for _, t := range c.tkrs {
		out.tkrs = append(out.tkrs, t.DeepCopy())
	}
	for _, i := range c.osImages {
		out.osImages = append(out.osImages, i.DeepCopy())
	}
	return out
}

// R3 and R4: links go both ways, and objects of other kinds are ignored.
func TestAddLinksAndIgnoresOtherObjects(t *testing.T) {
	c := testCatalog(3)
	r := New()
	r.Add(append(c.objects(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: c.tkrs[0].Name}}, nil,
		(*runv1alpha3.TanzuKubernetesRelease)(nil), (*runv1alpha3.OSImage)(nil))...)
	r.Remove(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: c.tkrs[0].Name}}, (*runv1alpha3.OSImage)(nil))
	if n, m := r.Len(); n != len(c.tkrs) || m != len(c.osImages) {
		t.Fatalf("Len() = %d, %d, want %d, %d", n, m, len(c.tkrs), len(c.osImages))
	}
	s := snap(r)
	for _, tkr := range c.tkrs {
		var want []string
		for _, ref := range tkr.Spec.OSImages {
			want = append(want, ref.Name)
			if !slices.Contains(s.OSImageToTKRs[ref.Name], tkr.Name) {
				t.Errorf("OSImage %s does not link back to TKR %s", ref.Name, tkr.Name)
			}
		}
		slices.Sort(want)
		if diff := cmp.Diff(want, s.TKRToOSImages[tkr.Name]); diff != "" {
			t.Errorf("TKR %s OSImages (-want +got):\n%s", tkr.Name, diff)
		}
	}
	checkIndex(t, r)
}

// R5, R6, R7 and R8: removal, by Remove or by a deletion timestamp, and re-adding restores the
// previous state.
func TestRemoveAndReAdd(t *testing.T) {
	deleted := func(o runtime.Object) runtime.Object {
		now := metav1.Now()
		switch o := o.(type) {
		case *runv1alpha3.TanzuKubernetesRelease:
			o = o.DeepCopy()
			o.DeletionTimestamp = &now
			return o
		case *runv1alpha3.OSImage:
			o = o.DeepCopy()
			o.DeletionTimestamp = &now
			return o
		}
		panic(o)
	}
	nameOnly := func(o runtime.Object) runtime.Object {
		switch o := o.(type) {
		case *runv1alpha3.TanzuKubernetesRelease:
			return &runv1alpha3.TanzuKubernetesRelease{ObjectMeta: metav1.ObjectMeta{Name: o.Name}}
		case *runv1alpha3.OSImage:
			return &runv1alpha3.OSImage{ObjectMeta: metav1.ObjectMeta{Name: o.Name}}
		}
		panic(o)
	}
	tests := []struct {
		name   string
		remove func(r *Resolver, objs []runtime.Object)
	}{
		{"Remove by name", func(r *Resolver, objs []runtime.Object) {
			for _, o := range objs {
				r.Remove(nameOnly(o))
			}
		}},
		{"Add with a deletion timestamp", func(r *Resolver, objs []runtime.Object) {
			for _, o := range objs {
				r.Add(deleted(o))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := range int64(5) {
				c := testCatalog(seed)
				r := c.resolver()
				before := snap(r)
				rng := rand.New(rand.NewSource(seed))
				var gone []runtime.Object
				for _, o := range c.objects() {
					if rng.Intn(3) == 0 {
						gone = append(gone, o)
					}
				}
				tt.remove(r, gone)
				s := snap(r)
				for _, o := range gone {
					name := o.(metav1.Object).GetName()
					if _, ok := s.TKRs[name]; ok {
						t.Errorf("TKR %s is still stored", name)
					}
					if _, ok := s.TKRToOSImages[name]; ok {
						t.Errorf("TKR %s still has links", name)
					}
					if _, ok := s.OSImages[name]; ok {
						t.Errorf("OSImage %s is still stored", name)
					}
				}
				checkIndex(t, r)
				r.Add(gone...)
				if diff := cmp.Diff(before, snap(r)); diff != "" {
					t.Errorf("seed %d: re-adding gives (-before +after):\n%s", seed, diff)
				}
			}
		})
	}
}

// Adding an existing TKR replaces it entirely: links it no longer has are dropped, and stay
// dropped when the OSImage comes back (the original linked it again).
func TestUpdateReplaces(t *testing.T) {
	c := testCatalog(4)
	r := c.resolver()
	var tkr *runv1alpha3.TanzuKubernetesRelease
	for _, cand := range c.tkrs {
		if len(cand.Spec.OSImages) >= 2 {
			tkr = cand.DeepCopy()
			break
		}
	}
	dropped := tkr.Spec.OSImages[0].Name
	var droppedImg *runv1alpha3.OSImage
	for _, img := range c.osImages {
		if img.Name == dropped {
			droppedImg = img
		}
	}
	tkr.Spec.OSImages = tkr.Spec.OSImages[1:]
	tkr.Labels = map[string]string{"fresh": ""}
	r.Add(tkr)
	r.Remove(droppedImg)
	r.Add(droppedImg)
	s := snap(r)
	if slices.Contains(s.TKRToOSImages[tkr.Name], dropped) {
		t.Errorf("TKR %s still links OSImage %s after it was dropped from spec.osImages", tkr.Name, dropped)
	}
	if slices.Contains(s.OSImageToTKRs[dropped], tkr.Name) {
		t.Errorf("OSImage %s still links back to TKR %s", dropped, tkr.Name)
	}
	if _, ok := s.TKRs[tkr.Name].Labels["team"]; ok {
		t.Errorf("labels of the old TKR survived the update: %v", s.TKRs[tkr.Name].Labels)
	}
	checkIndex(t, r)
}

// References to OSImages that are not cached are harmless in any order of events; the
// original panicked when such an OSImage was added after its TKR was removed.
func TestDanglingReferences(t *testing.T) {
	c := testCatalog(5)
	tkr := c.tkrs[0].DeepCopy()
	img := c.osImages[0].DeepCopy()
	tkr.Spec.OSImages = []runv1alpha3.OSImageReference{{Name: img.Name}, {Name: "never-added"}, {Name: img.Name}}
	orders := map[string][]func(r *Resolver){
		"TKR removed before its OSImage is added": {
			func(r *Resolver) { r.Add(tkr) }, func(r *Resolver) { r.Remove(tkr) }, func(r *Resolver) { r.Add(img) },
		},
		"OSImage removed before its TKR": {
			func(r *Resolver) { r.Add(tkr, img) }, func(r *Resolver) { r.Remove(img) }, func(r *Resolver) { r.Remove(tkr) },
			func(r *Resolver) { r.Add(img) },
		},
		"OSImage removed and re-added": {
			func(r *Resolver) { r.Add(img, tkr) }, func(r *Resolver) { r.Remove(img) }, func(r *Resolver) { r.Add(img) },
		},
	}
	for name, steps := range orders {
		t.Run(name, func(t *testing.T) {
			r := New()
			for _, step := range steps {
				step(r)
				checkIndex(t, r)
				res := r.Resolve(Query{ControlPlane: &OSImageQuery{K8sVersionPrefix: tkr.Spec.Version}})
				if tkr := r.TKR(tkr.Name); tkr == nil && res.ControlPlane.TKRName != "" {
					t.Errorf("resolved to %s, which is not cached", res.ControlPlane.TKRName)
				}
			}
		})
	}
}

func TestGet(t *testing.T) {
	c := testCatalog(6)
	r := c.resolver()
	if got := r.TKR(c.tkrs[0].Name); got == nil || got.Name != c.tkrs[0].Name {
		t.Errorf("TKR(%q) = %v", c.tkrs[0].Name, got)
	}
	if got := r.OSImage(c.osImages[0].Name); got == nil || got.Name != c.osImages[0].Name {
		t.Errorf("OSImage(%q) = %v", c.osImages[0].Name, got)
	}
	// Names are per kind.
	if got := r.TKR(c.osImages[0].Name); got != nil {
		t.Errorf("TKR(<an OSImage's name>) = %v, want nil", got.Name)
	}
	if got := r.OSImage("absent"); got != nil {
		t.Errorf("OSImage(absent) = %v, want nil", got.Name)
	}
}

// Within one Add, changes apply in the order given.
func TestAddAppliesInOrder(t *testing.T) {
	tkr := testCatalog(7).tkrs[0]
	gone := tkr.DeepCopy()
	now := metav1.Now()
	gone.DeletionTimestamp = &now
	for _, tt := range []struct {
		objs []runtime.Object
		want bool
	}{
		{[]runtime.Object{tkr, gone}, false},
		{[]runtime.Object{gone, tkr}, true},
	} {
		r := New()
		r.Add(tt.objs...)
		if got := r.TKR(tkr.Name) != nil; got != tt.want {
			t.Errorf("Add(%s): stored = %v, want %v", describeObjs(tt.objs), got, tt.want)
		}
	}
}

func describeObjs(objs []runtime.Object) string {
	var s []string
	for _, o := range objs {
		m := o.(metav1.Object)
		s = append(s, fmt.Sprintf("%s(deleted=%v)", m.GetName(), m.GetDeletionTimestamp() != nil))
	}
	return strings.Join(s, ", ")
}

// A Ready condition on the object is replaced by the one the labels imply.
func TestReadyReplaced(t *testing.T) {
	tkr := withCondition(mkTKR("v1.24.9+vmware.1-tkg.1"), "Compatible", "no")
	tkr.Status.Conditions = append(tkr.Status.Conditions, runv1alpha3.Condition{Type: "Ready", Status: corev1.ConditionTrue})
	r := New()
	r.Add(tkr)
	got := r.TKR(tkr.Name).Status.Conditions
	want := runv1alpha3.Conditions{tkr.Status.Conditions[0], tkrlabels.Ready(map[string]string{"incompatible": ""})}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("conditions (-want +got):\n%s", diff)
	}
	if tkr.Status.Conditions[1].Status != corev1.ConditionTrue {
		t.Error("Add modified the caller's conditions")
	}
}
