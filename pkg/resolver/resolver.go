// Package resolver finds, for a Cluster API cluster, the TanzuKubernetesRelease (TKR) it should
// run and the OSImage of that TKR for its control plane and each machine deployment.
//
// A Resolver is a catalogue of TKRs and OSImages, kept up to date with Add and Remove (by the
// resolver webhook's informers, or from files by the CLI), and queried with Resolve and Explain.
// A query gives, per part of the cluster, a version prefix and label selectors for TKRs and
// OSImages. A TKR is a candidate when it carries the version prefix, matches the TKR selector
// and is not excluded (incompatible, deactivated or invalid); if a candidate is named exactly
// after the prefix, only that one is. A part accepts a candidate that lists at least one present,
// non-excluded OSImage matching the part's OSImage selector. The TKRs every part accepts
// satisfy the query, and the one with the highest version (see version.CompareStrict; ties by
// name) wins. The Result holds all of them with the matching OSImages, so that callers can
// require exactly one OSImage per part and report an ambiguity otherwise.
//
// The labels matched are the object's labels together with those the status controller
// derives and writes (package tkrlabels): version prefixes, OS and image labels, and the
// exclusion labels incompatible and invalid, which follow the Compatible and Valid conditions.
//
// Explain answers the same query and also says, per part, which candidates were considered
// and why each was rejected, most promising first.
package resolver

import (
	"maps"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/tkrlabels"
	"github.com/tkr-project/tkr/pkg/version"
)

// Resolver is a catalogue of TKRs and OSImages that resolves queries against it. It is safe
// for concurrent use. The zero value is not usable; call New.
//
// The Resolver keeps private copies of what it is given and never changes a copy once stored:
// an update stores a new copy. Objects it returns are those copies and must not be modified.
type Resolver struct {
	mu       sync.RWMutex
	tkrs     map[string]*tkrEntry
	osImages map[string]*osImageEntry
	// byLabel indexes TKRs by each of their label keys that starts with "v". A version
	// prefix P selects the TKRs carrying the label Label(P), which always starts with "v",
	// so a query reads one set and never scans the catalogue. Indexing every such key, not
	// only the derived version prefixes, keeps the selection identical to "label exists".
	byLabel map[string]map[string]*tkrEntry
	// referrers maps an OSImage name to the cached TKRs that list it, whether or not the
	// OSImage is cached, so that adding or removing an OSImage updates exactly those TKRs.
	referrers map[string]map[string]*tkrEntry
}

// tkrEntry is a cached TKR with what resolution needs precomputed.
type tkrEntry struct {
	tkr    *runv1alpha3.TanzuKubernetesRelease
	labels labels.Set
	// version is spec.version parsed, nil if it does not parse (see versionErr).
	version    *version.Version
	versionErr error
	// exclusion is the first exclusion label the TKR carries, or "".
	exclusion string
	// refs are the distinct OSImage names in spec.osImages, in order; images holds, at the
	// same index, the cached OSImage of that name or nil.
	refs   []string
	images []*osImageEntry
}

// osImageEntry is a cached OSImage with what resolution needs precomputed.
type osImageEntry struct {
	img       *runv1alpha3.OSImage
	labels    labels.Set
	exclusion string
	// alone is the set holding just img, shared by every Result in which it is the only
	// match for a TKR; Results are read-only.
	alone OSImages
}

// New returns an empty Resolver.
func New() *Resolver {
	return &Resolver{
		tkrs:      map[string]*tkrEntry{},
		osImages:  map[string]*osImageEntry{},
		byLabel:   map[string]map[string]*tkrEntry{},
		referrers: map[string]map[string]*tkrEntry{},
	}
}

// Add stores copies of the given TKRs and OSImages (*runv1alpha3.TanzuKubernetesRelease and
// *runv1alpha3.OSImage), replacing any stored object of the same kind and name entirely.
// Objects with a deletion timestamp are removed instead, as by Remove. Other objects, and nil
// pointers, are ignored, so that callers can pass whatever an informer delivers. The order of
// additions does not matter: a TKR may be added before or after the OSImages it lists.
func (r *Resolver) Add(objs ...runtime.Object) {
	// Copy and derive labels before taking the lock: that is the expensive part, and readers
	// need not wait for it. The changes are then applied in the order given.
	type change struct {
		tkr  *tkrEntry
		img  *osImageEntry
		gone runtime.Object
	}
	changes := make([]change, 0, len(objs))
	for _, o := range objs {
		switch o := o.(type) {
		case *runv1alpha3.TanzuKubernetesRelease:
			switch {
			case o == nil:
			case !o.DeletionTimestamp.IsZero():
				changes = append(changes, change{gone: o})
			default:
				changes = append(changes, change{tkr: newTKREntry(o)})
			}
		case *runv1alpha3.OSImage:
			switch {
			case o == nil:
			case !o.DeletionTimestamp.IsZero():
				changes = append(changes, change{gone: o})
			default:
				changes = append(changes, change{img: newOSImageEntry(o)})
			}
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range changes {
		switch {
		case c.tkr != nil:
			r.putTKR(c.tkr)
		case c.img != nil:
			r.putOSImage(c.img)
		default:
			r.remove(c.gone)
		}
	}
}

// Remove removes the given TKRs and OSImages, identified by name only: the cache refresh
// passes objects that have nothing but a name once the API server no longer has them.
// Other objects, nil pointers and names that are not stored are ignored.
func (r *Resolver) Remove(objs ...runtime.Object) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range objs {
		r.remove(o)
	}
}

func (r *Resolver) remove(o runtime.Object) {
	switch o := o.(type) {
	case *runv1alpha3.TanzuKubernetesRelease:
		if o != nil {
			r.deleteTKR(o.Name)
		}
	case *runv1alpha3.OSImage:
		if o != nil {
			r.deleteOSImage(o.Name)
		}
	}
}

// TKR returns the stored TKR of that name, or nil. It must not be modified.
func (r *Resolver) TKR(name string) *runv1alpha3.TanzuKubernetesRelease {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if e := r.tkrs[name]; e != nil {
		return e.tkr
	}
	return nil
}

// OSImage returns the stored OSImage of that name, or nil. It must not be modified.
func (r *Resolver) OSImage(name string) *runv1alpha3.OSImage {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if e := r.osImages[name]; e != nil {
		return e.img
	}
	return nil
}

// Len returns the number of stored TKRs and OSImages.
func (r *Resolver) Len() (tkrs, osImages int) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.tkrs), len(r.osImages)
}

// newTKREntry copies tkr and gives the copy the labels and Ready condition resolution sees.
func newTKREntry(in *runv1alpha3.TanzuKubernetesRelease) *tkrEntry {
	tkr := in.DeepCopy()
	tkr.Labels = effectiveLabels(tkr.Labels, tkrlabels.TKR(tkr), tkr.Status.Conditions)
	setCondition(&tkr.Status.Conditions, tkrlabels.Ready(tkr.Labels))
	e := &tkrEntry{tkr: tkr, labels: tkr.Labels, exclusion: tkrlabels.Excluded(tkr.Labels)}
	e.version, e.versionErr = version.Parse(tkr.Spec.Version)
	for _, ref := range tkr.Spec.OSImages {
		if !slices.Contains(e.refs, ref.Name) {
			e.refs = append(e.refs, ref.Name)
		}
	}
	e.images = make([]*osImageEntry, len(e.refs))
	return e
}

// newOSImageEntry copies img and gives the copy the labels resolution sees.
func newOSImageEntry(in *runv1alpha3.OSImage) *osImageEntry {
	img := in.DeepCopy()
	img.Labels = effectiveLabels(img.Labels, tkrlabels.OSImage(img), img.Status.Conditions)
	return &osImageEntry{img: img, labels: img.Labels, exclusion: tkrlabels.Excluded(img.Labels), alone: OSImages{img.Name: img}}
}

// effectiveLabels returns own with derived merged in and the exclusion labels set or removed
// as conds imply: the labels the object carries once the status controller has written them.
func effectiveLabels(own, derived map[string]string, conds runv1alpha3.Conditions) map[string]string {
	set, unset := tkrlabels.Exclusions(conds)
	l := make(map[string]string, len(own)+len(derived)+len(set))
	maps.Copy(l, own)
	maps.Copy(l, derived)
	maps.Copy(l, set)
	for _, k := range unset {
		delete(l, k)
	}
	return l
}

// setCondition replaces the condition of c's type in conds, or appends c.
func setCondition(conds *runv1alpha3.Conditions, c runv1alpha3.Condition) {
	for i := range *conds {
		if (*conds)[i].Type == c.Type {
			(*conds)[i] = c
			return
		}
	}
	*conds = append(*conds, c)
}

// putTKR stores e, replacing a TKR of the same name and all of its links.
func (r *Resolver) putTKR(e *tkrEntry) {
	name := e.tkr.Name
	r.deleteTKR(name)
	r.tkrs[name] = e
	for k := range e.labels {
		if strings.HasPrefix(k, "v") {
			addLink(r.byLabel, k, name, e)
		}
	}
	for i, ref := range e.refs {
		addLink(r.referrers, ref, name, e)
		e.images[i] = r.osImages[ref]
	}
}

// deleteTKR removes the TKR of that name and its links, using the stored copy's labels and
// references so that nothing dangles.
func (r *Resolver) deleteTKR(name string) {
	e := r.tkrs[name]
	if e == nil {
		return
	}
	delete(r.tkrs, name)
	for k := range e.labels {
		if strings.HasPrefix(k, "v") {
			deleteLink(r.byLabel, k, name)
		}
	}
	for _, ref := range e.refs {
		deleteLink(r.referrers, ref, name)
	}
}

// putOSImage stores e, replacing an OSImage of the same name, and links it to the TKRs that
// list it.
func (r *Resolver) putOSImage(e *osImageEntry) {
	name := e.img.Name
	r.osImages[name] = e
	r.relink(name, e)
}

// deleteOSImage removes the OSImage of that name. TKRs that list it keep the reference, so
// that adding it again restores the link.
func (r *Resolver) deleteOSImage(name string) {
	if _, ok := r.osImages[name]; !ok {
		return
	}
	delete(r.osImages, name)
	r.relink(name, nil)
}

// relink points every TKR that lists OSImage name at e (nil when it is gone). Only cached
// TKRs are in referrers, so there is nothing dangling to trip over.
func (r *Resolver) relink(name string, e *osImageEntry) {
	for _, t := range r.referrers[name] {
		t.images[slices.Index(t.refs, name)] = e
	}
}

func addLink(m map[string]map[string]*tkrEntry, key, name string, e *tkrEntry) {
	set := m[key]
	if set == nil {
		set = map[string]*tkrEntry{}
		m[key] = set
	}
	set[name] = e
}

func deleteLink(m map[string]map[string]*tkrEntry, key, name string) {
	if set := m[key]; set != nil {
		delete(set, name)
		if len(set) == 0 {
			delete(m, key)
		}
	}
}
