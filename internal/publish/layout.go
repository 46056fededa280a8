// Package publish puts a TKR catalogue into an OCI registry in the layout the source controller
// reads (docs/registry-layout.md), and mirrors such a registry to another one the way
// `imgpkg copy` does for air-gapped sites. It is what `tkr publish` runs; tests and the playground
// call it directly.
//
// Everything is checked before anything is pushed, and images are pushed in an order that never
// lets a controller see a reference to an image that is not there yet.
package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/bom"
	"github.com/tkr-project/tkr/pkg/catalog"
	"github.com/tkr-project/tkr/pkg/compatibility"
	"github.com/tkr-project/tkr/pkg/tkrbundle"
	"github.com/tkr-project/tkr/pkg/version"
)

// Paths inside a directory laid out like examples/.
const (
	// MetadataFile is the compatibility metadata.
	MetadataFile = "compatibility/metadata.yaml"
	// BOMDir holds one TKR BOM per file.
	BOMDir = "boms"
	// CatalogDir holds one directory per release; files directly in it configure the
	// management cluster and are not published.
	CatalogDir = "catalog"
)

// Layout is what gets published: the compatibility metadata, the BOMs and the releases. Load
// reads one from a directory; it can also be put together in code.
type Layout struct {
	// Metadata is the compatibility metadata file, or nil to publish none.
	Metadata []byte
	// BOMs maps an image tag (the TKR version with '+' written as '_') to its BOM file.
	BOMs map[string][]byte
	// Releases are published as one package bundle and one repository bundle each.
	Releases []Release
	// Notes tell the user about what Load left out on purpose, as complete sentences.
	Notes []string
}

// Release is one TKR to publish.
type Release struct {
	// Version is the TKR version, e.g. v1.24.9+vmware.1-tkg.1; it becomes the image tag.
	Version string
	// Files are the files of the package bundle, as tkrbundle.ReleaseFiles returns them.
	Files map[string][]byte
	// Dir is the directory the release was read from, for messages; empty for releases made in
	// code.
	Dir string
}

// Load reads a directory laid out like examples/: compatibility/metadata.yaml (optional),
// boms/*.yaml (optional) and catalog/<dir>/, one directory per release. Files directly in
// catalog/ are management-cluster configuration and are not read. A directory under catalog/
// without a TanzuKubernetesRelease is left out with a note.
//
// If fsys has none of compatibility/metadata.yaml, boms/ and catalog/, it is taken to be one
// release directory, such as a team publishing its own TKR would have.
//
// In a release directory, ConfigMaps labelled run.tanzu.vmware.com/additional-compatible-tkrs are
// management-cluster configuration: they are left out with a note.
//
// Everything is checked: a file that does not parse, a BOM without a release version, a
// directory with two TKRs or two directories with the same TKR version is an error naming the
// file or directory.
func Load(fsys fs.FS) (*Layout, error) {
	return load(fsys, func(p string) string { return p })
}

// LoadDir is Load for a directory of the operating system. Messages name files by their path
// below dir, joined to dir as given.
func LoadDir(dir string) (*Layout, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot read the directory %s: %w", dir, unwrapPathError(err))
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory; give the directory that holds catalog/, boms/ and compatibility/, or a release directory", dir)
	}
	return load(os.DirFS(dir), func(p string) string {
		if p == "." {
			return dir
		}
		return filepath.Join(dir, filepath.FromSlash(p))
	})
}

// loader reads one layout. display turns a path in fsys into what messages show.
type loader struct {
	fsys    fs.FS
	display func(string) string
	l       *Layout
}

func load(fsys fs.FS, display func(string) string) (*Layout, error) {
	ld := &loader{fsys: fsys, display: display, l: &Layout{BOMs: map[string][]byte{}}}
	full := false
	for _, p := range []string{MetadataFile, BOMDir, CatalogDir} {
		if _, err := fs.Stat(fsys, p); err == nil {
			full = true
		}
	}
	if !full {
		if err := ld.release(".", true); err != nil {
			return nil, err
		}
		return ld.l, nil
	}
	if err := ld.metadata(); err != nil {
		return nil, err
	}
	if err := ld.boms(); err != nil {
		return nil, err
	}
	if err := ld.catalog(); err != nil {
		return nil, err
	}
	if ld.l.Metadata == nil && len(ld.l.BOMs) == 0 && len(ld.l.Releases) == 0 {
		return nil, fmt.Errorf("%s holds nothing to publish: %s is missing, %s/ holds no BOM and %s/ no release directory",
			display("."), MetadataFile, BOMDir, CatalogDir)
	}
	return ld.l, nil
}

func (ld *loader) metadata() error {
	data, err := fs.ReadFile(ld.fsys, MetadataFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", ld.display(MetadataFile), unwrapPathError(err))
	}
	if _, err := compatibility.ParseMetadata(data); err != nil {
		return fmt.Errorf("%s %w", ld.display(MetadataFile), err)
	}
	ld.l.Metadata = data
	return nil
}

func (ld *loader) boms() error {
	var names []string
	for _, pattern := range []string{BOMDir + "/*.yaml", BOMDir + "/*.yml"} {
		m, err := fs.Glob(ld.fsys, pattern)
		if err != nil {
			return fmt.Errorf("cannot list the BOMs in %s: %w", ld.display(BOMDir), err)
		}
		names = append(names, m...)
	}
	slices.Sort(names)
	from := map[string]string{}
	for _, name := range names {
		data, err := fs.ReadFile(ld.fsys, name)
		if err != nil {
			return fmt.Errorf("cannot read the BOM %s: %w", ld.display(name), unwrapPathError(err))
		}
		b, err := bom.Parse(data)
		if err != nil {
			return fmt.Errorf("the BOM %s %w", ld.display(name), err)
		}
		tag := b.Tag()
		if first, dup := from[tag]; dup {
			return fmt.Errorf("the BOMs %s and %s are both for release %s; keep one", ld.display(first), ld.display(name), b.Release.Version)
		}
		from[tag] = name
		ld.l.BOMs[tag] = data
	}
	return nil
}

func (ld *loader) catalog() error {
	entries, err := fs.ReadDir(ld.fsys, CatalogDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", ld.display(CatalogDir), unwrapPathError(err))
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if err := ld.release(path.Join(CatalogDir, e.Name()), false); err != nil {
			return err
		}
	}
	return nil
}

// release reads the release directory dir. only says whether it is the only thing to publish,
// in which case finding no TKR is an error rather than a note.
func (ld *loader) release(dir string, only bool) error {
	objs, err := catalog.LoadFS(ld.fsys, dir)
	if err != nil {
		var ce *catalog.Error
		if errors.As(err, &ce) {
			ce.Source.File = ld.display(ce.Source.File)
		}
		return err
	}
	kept := objs[:0]
	hasTKR := false
	for _, o := range objs {
		o.Source.File = ld.display(o.Source.File)
		if o.GetKind() == "ConfigMap" && o.GroupVersionKind().Group == "" {
			if _, ok := o.GetLabels()[runv1alpha3.LabelAdditionalCompatibleTKRs]; ok {
				ld.l.Notes = append(ld.l.Notes, fmt.Sprintf(
					"Left out ConfigMap %s from %s: it is labelled %s, so it configures the management cluster rather than being part of the release. Apply it to the management cluster to make its releases compatible.",
					objectName(o), o.Source, runv1alpha3.LabelAdditionalCompatibleTKRs))
				continue
			}
		}
		if o.GetKind() == "TanzuKubernetesRelease" && o.GroupVersionKind().Group == runv1alpha3.GroupVersion.Group {
			hasTKR = true
		}
		kept = append(kept, o)
	}
	if !hasTKR {
		if only {
			return fmt.Errorf("no TanzuKubernetesRelease found in %s: give a directory that holds %s, %s/ or %s/<release>/, or a release directory whose YAML files hold a TKR",
				ld.display(dir), MetadataFile, BOMDir, CatalogDir)
		}
		ld.l.Notes = append(ld.l.Notes, fmt.Sprintf("Left out %s: it holds no TanzuKubernetesRelease, so it is not a release directory.", ld.display(dir)))
		return nil
	}
	v, err := tkrbundle.Version(kept)
	if err != nil {
		return fmt.Errorf("%s is not a release directory: %w", ld.display(dir), err)
	}
	files, err := tkrbundle.ReleaseFiles(kept)
	if err != nil {
		return fmt.Errorf("%s is not a release directory: %w", ld.display(dir), err)
	}
	for _, r := range ld.l.Releases {
		if normalize(r.Version) == normalize(v) {
			return fmt.Errorf("%s and %s both hold TKR %s; keep one", r.Dir, ld.display(dir), v)
		}
	}
	ld.l.Releases = append(ld.l.Releases, Release{Version: v, Files: files, Dir: ld.display(dir)})
	return nil
}

// objectName is namespace/name, or name for cluster-scoped objects.
func objectName(o catalog.Object) string {
	if o.GetNamespace() == "" {
		return o.GetName()
	}
	return o.GetNamespace() + "/" + o.GetName()
}

// normalize turns a TKR version written as a version, a label (v1.24.9---vmware.1-tkg.1) or an
// image tag (v1.24.9_vmware.1-tkg.1) into the version with a leading "v".
func normalize(v string) string {
	return version.WithV(version.FromImageTag(version.FromLabel(strings.TrimSpace(v))))
}

// Select keeps only the releases and BOMs of the given TKR versions (written as versions, labels
// or image tags). The compatibility metadata is kept. A version that matches neither a release
// nor a BOM is an error listing what there is. No versions keeps everything.
func (l *Layout) Select(versions []string) error {
	if len(versions) == 0 {
		return nil
	}
	want := map[string]bool{}
	for _, v := range versions {
		want[normalize(v)] = true
	}
	found := map[string]bool{}
	var releases []Release
	for _, r := range l.Releases {
		if want[normalize(r.Version)] {
			releases = append(releases, r)
			found[normalize(r.Version)] = true
		}
	}
	boms := map[string][]byte{}
	for tag, data := range l.BOMs {
		if want[normalize(tag)] {
			boms[tag] = data
			found[normalize(tag)] = true
		}
	}
	for _, v := range versions {
		if !found[normalize(v)] {
			return fmt.Errorf("there is no release or BOM for %s; the directory has %s", v, l.describe())
		}
	}
	l.Releases, l.BOMs = releases, boms
	return nil
}

// describe lists the versions of the layout for messages.
func (l *Layout) describe() string {
	var parts []string
	if len(l.Releases) != 0 {
		var vs []string
		for _, r := range l.Releases {
			vs = append(vs, r.Version)
		}
		parts = append(parts, "releases "+strings.Join(vs, ", "))
	}
	if len(l.BOMs) != 0 {
		var vs []string
		for _, tag := range slices.Sorted(maps.Keys(l.BOMs)) {
			vs = append(vs, version.FromImageTag(tag))
		}
		parts = append(parts, "BOMs for "+strings.Join(vs, ", "))
	}
	if len(parts) == 0 {
		return "no releases and no BOMs"
	}
	return strings.Join(parts, " and ")
}

// unwrapPathError drops the *fs.PathError wrapper, whose message repeats a path the message
// already names.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
