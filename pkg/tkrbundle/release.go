package tkrbundle

import (
	"bytes"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/catalog"
	"github.com/tkr-project/tkr/pkg/imageslock"
	"github.com/tkr-project/tkr/pkg/version"
)

// ConfigDir is the directory of a package bundle that holds the release's objects.
const ConfigDir = "config/"

// Kinds a package bundle treats specially.
var (
	tkrGK       = schema.GroupKind{Group: runv1alpha3.GroupVersion.Group, Kind: "TanzuKubernetesRelease"}
	osImageGK   = schema.GroupKind{Group: runv1alpha3.GroupVersion.Group, Kind: "OSImage"}
	cbtGK       = schema.GroupKind{Group: runv1alpha3.GroupVersion.Group, Kind: "ClusterBootstrapTemplate"}
	namespaceGK = schema.GroupKind{Kind: "Namespace"}
	configMapGK = schema.GroupKind{Kind: "ConfigMap"}
)

// Release is the content of a package bundle, ready to be applied.
type Release struct {
	// TKR is the release's TanzuKubernetesRelease. It is also the last element of Objects.
	TKR *unstructured.Unstructured
	// Objects are all objects of the bundle in the order to create them: first whatever the
	// others refer to (Secrets, add-on config templates, Carvel Packages, ...), then the
	// OSImages, then the ClusterBootstrapTemplates, and the TKR last, so that a TKR never appears
	// before the objects that make it usable. Within each group the order is that of the files
	// (sorted by path) and of the documents in them.
	Objects []*unstructured.Unstructured
}

// ParseRelease reads the package bundle of TKR version wantVersion. Every file whose path does not
// start with "." is YAML, and every document in it must be a Kubernetes object with apiVersion,
// kind and metadata.name. The bundle must hold exactly one TanzuKubernetesRelease, and its
// spec.version must be wantVersion (a leading "v" is optional on both sides); an empty
// wantVersion accepts any version.
//
// The original read only the first document of each file and skipped what did not parse, so a
// broken bundle was half applied without a word; here any such problem is an error naming the
// file and document. A bundle must not hold Namespaces (the source controller puts every
// namespaced object in its own namespace) nor additional-compatible-tkrs ConfigMaps (a release
// must not declare itself compatible); both are errors too.
func ParseRelease(files map[string][]byte, wantVersion string) (*Release, error) {
	var objs []catalog.Object
	for _, file := range slices.Sorted(maps.Keys(files)) {
		if strings.HasPrefix(file, ".") {
			continue
		}
		fileObjs, err := catalog.Parse(file, files[file])
		if err != nil {
			return nil, fmt.Errorf("the package bundle cannot be read: %w", err)
		}
		objs = append(objs, fileObjs...)
	}
	tkr, err := check(objs, "package bundle")
	if err != nil {
		return nil, err
	}
	got, _, _ := unstructured.NestedString(tkr.Object, "spec", "version")
	if wantVersion != "" && version.WithV(got) != version.WithV(wantVersion) {
		return nil, &catalog.Error{Source: tkr.Source, Err: fmt.Errorf(
			"the package bundle is for %s, but its TanzuKubernetesRelease %q has spec.version %q; a TKR Package must point at the package bundle of its own release, so publish the release again with tkr publish",
			wantVersion, tkr.GetName(), got)}
	}

	// Stable sort by rank keeps the file and document order within each group.
	slices.SortStableFunc(objs, func(a, b catalog.Object) int { return rank(a) - rank(b) })
	r := &Release{Objects: make([]*unstructured.Unstructured, len(objs))}
	for i, o := range objs {
		r.Objects[i] = o.Unstructured
	}
	r.TKR = r.Objects[len(r.Objects)-1]
	return r, nil
}

// rank orders the kinds of a release for creation. Everything not named here, Carvel Packages
// included, comes first: the ClusterBootstrap webhooks refuse a ClusterBootstrap whose packages
// have no Package, so the Packages must exist by the time a template can be cloned.
func rank(o catalog.Object) int {
	switch o.GroupVersionKind().GroupKind() {
	case osImageGK:
		return 1
	case cbtGK:
		return 2
	case tkrGK:
		return 3
	default:
		return 0
	}
}

// check enforces what every release must satisfy, whichever direction it is read or written in,
// and returns its TKR. what names the thing being checked in messages.
func check(objs []catalog.Object, what string) (catalog.Object, error) {
	var tkrs []catalog.Object
	type key struct {
		gk   schema.GroupKind
		name string
	}
	seen := map[key]catalog.Source{}
	for _, o := range objs {
		gk := o.GroupVersionKind().GroupKind()
		if o.GetName() == "" {
			return catalog.Object{}, &catalog.Error{Source: o.Source, Err: fmt.Errorf("the %s object has no metadata.name", gk.Kind)}
		}
		switch {
		case gk == namespaceGK:
			return catalog.Object{}, &catalog.Error{Source: o.Source, Err: fmt.Errorf(
				"a release must not hold Namespaces, but the %s holds Namespace %q: the source controller puts every namespaced object in its own namespace, so remove it",
				what, o.GetName())}
		case gk == configMapGK && hasLabel(o, runv1alpha3.LabelAdditionalCompatibleTKRs):
			return catalog.Object{}, &catalog.Error{Source: o.Source, Err: fmt.Errorf(
				"the ConfigMap %q is labelled %s: that is management-cluster configuration, and a release must not declare itself compatible, so remove it from the %s",
				o.GetName(), runv1alpha3.LabelAdditionalCompatibleTKRs, what)}
		case gk == tkrGK:
			tkrs = append(tkrs, o)
		}
		// Namespaced objects all end up in one namespace, so the namespace does not tell two
		// objects apart.
		k := key{gk, o.GetName()}
		if first, dup := seen[k]; dup {
			return catalog.Object{}, &catalog.Error{Source: o.Source, Err: fmt.Errorf(
				"%s %q is also defined in %s; the second would overwrite the first, so keep one", gk.Kind, o.GetName(), first)}
		}
		seen[k] = o.Source
	}
	switch len(tkrs) {
	case 0:
		return catalog.Object{}, fmt.Errorf("the %s holds no TanzuKubernetesRelease (apiVersion %s); a release is one TKR with its OSImages, ClusterBootstrapTemplate and add-on configuration",
			what, runv1alpha3.GroupVersion)
	case 1:
	default:
		var where []string
		for _, t := range tkrs {
			where = append(where, fmt.Sprintf("%q in %s", t.GetName(), t.Source))
		}
		return catalog.Object{}, fmt.Errorf("the %s holds %d TanzuKubernetesReleases (%s), but a release holds exactly one; put each in its own directory",
			what, len(tkrs), strings.Join(where, ", "))
	}
	tkr := tkrs[0]
	v, _, err := unstructured.NestedString(tkr.Object, "spec", "version")
	if err != nil || v == "" {
		return catalog.Object{}, &catalog.Error{Source: tkr.Source, Err: fmt.Errorf("the TanzuKubernetesRelease %q has no spec.version", tkr.GetName())}
	}
	if err := checkVersion(v); err != nil {
		return catalog.Object{}, &catalog.Error{Source: tkr.Source, Err: fmt.Errorf("the TanzuKubernetesRelease %q: %w", tkr.GetName(), err)}
	}
	return tkr, nil
}

func hasLabel(o catalog.Object, label string) bool {
	_, ok := o.GetLabels()[label]
	return ok
}

// Version returns spec.version of the one TKR among objs, after the checks ReleaseFiles makes.
func Version(objs []catalog.Object) (string, error) {
	tkr, err := check(objs, "release")
	if err != nil {
		return "", err
	}
	v, _, _ := unstructured.NestedString(tkr.Object, "spec", "version")
	return v, nil
}

// serverFields are the metadata fields an API server fills in. They are dropped from published
// objects: copied to another cluster, a uid or resourceVersion makes the create fail, and an
// ownerReference to an object that does not exist there gets the object garbage-collected.
var serverFields = []string{"uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
	"deletionGracePeriodSeconds", "managedFields", "selfLink", "ownerReferences"}

// defaultFile is the file of objects that were not read from a file.
const defaultFile = "objects.yaml"

// ReleaseFiles returns the files of the package bundle of the release made of objs: each object
// under config/, in a file named like the one it was read from (relative to the directory all
// the files share), documents in their original order, plus an empty images lock. Objects without
// a source file go to config/objects.yaml. Status and the metadata an API server fills in are
// dropped, since the source controller creates the objects anew.
//
// objs must satisfy what ParseRelease checks: exactly one TKR, every object named, no Namespace,
// no additional-compatible-tkrs ConfigMap, no object twice.
func ReleaseFiles(objs []catalog.Object) (map[string][]byte, error) {
	if _, err := check(objs, "release"); err != nil {
		return nil, err
	}
	names := fileNames(objs)
	docs := map[string][][]byte{}
	for i, o := range objs {
		u := o.DeepCopy()
		unstructured.RemoveNestedField(u.Object, "status")
		for _, f := range serverFields {
			unstructured.RemoveNestedField(u.Object, "metadata", f)
		}
		data, err := yaml.Marshal(u.Object)
		if err != nil {
			return nil, &catalog.Error{Source: o.Source, Err: fmt.Errorf("cannot write %s %q: %w", o.GetKind(), o.GetName(), err)}
		}
		docs[names[i]] = append(docs[names[i]], data)
	}
	files := map[string][]byte{}
	for name, ds := range docs {
		files[name] = bytes.Join(ds, []byte("---\n"))
	}
	lock, err := imageslock.New().Marshal()
	if err != nil {
		return nil, fmt.Errorf("cannot write an empty %s: %w", imageslock.Path, err)
	}
	files[imageslock.Path] = lock
	return files, nil
}

// fileNames returns the bundle path of each object: config/ followed by its source file's path
// relative to the deepest directory that holds all source files.
func fileNames(objs []catalog.Object) []string {
	var dirs []string
	for _, o := range objs {
		if o.Source.File != "" {
			dirs = append(dirs, path.Dir(filepath.ToSlash(o.Source.File)))
		}
	}
	common := commonDir(dirs)
	names := make([]string, len(objs))
	for i, o := range objs {
		f := filepath.ToSlash(o.Source.File)
		switch {
		case f == "":
			names[i] = ConfigDir + defaultFile
		case common == ".":
			names[i] = ConfigDir + strings.TrimPrefix(path.Clean(f), "/")
		default:
			names[i] = ConfigDir + strings.TrimPrefix(path.Clean(f), common+"/")
		}
		// A path that still climbs out (../x.yaml read from a sibling directory) would make a
		// bundle imgpkg rejects; flatten it instead.
		if !validPath(names[i]) {
			names[i] = ConfigDir + path.Base(f)
		}
	}
	return names
}

// commonDir returns the deepest directory that holds every directory in dirs, "." if they share
// none.
func commonDir(dirs []string) string {
	if len(dirs) == 0 {
		return "."
	}
	common := strings.Split(path.Clean(dirs[0]), "/")
	for _, d := range dirs[1:] {
		parts := strings.Split(path.Clean(d), "/")
		n := 0
		for n < len(common) && n < len(parts) && common[n] == parts[n] {
			n++
		}
		common = common[:n]
	}
	if len(common) == 0 {
		return "."
	}
	return strings.Join(common, "/")
}

// validPath reports whether p can be a file name inside an image.
func validPath(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if e == "" || e == "." || e == ".." {
			return false
		}
	}
	return true
}
