// Package catalog reads catalogues of Kubernetes objects from YAML files: the TKRs, OSImages,
// ClusterBootstrapTemplates, add-on config templates and ConfigMaps that make up what a
// management cluster offers (see examples/catalog).
//
// The package is deliberately pure: it reads files and decodes documents, and never talks to an
// API server, so the playground, `tkr resolve --catalog` and `tkr publish` can all share it.
// Every object remembers the file and document it came from, so that callers can point users at
// the exact place a problem comes from.
package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// Source says where an object was read from.
type Source struct {
	// File is the path of the file, as built from the path given to Load (not made absolute, so
	// messages stay as short as the user's own input).
	File string
	// Doc is the 1-based position of the document in the file, counting only documents that hold
	// something other than whitespace and comments. It is 0 when an error concerns the whole file.
	Doc int
}

// String returns the source in the form "examples/x.yaml (document 2)", or just the file name
// when Doc is 0.
func (s Source) String() string {
	if s.Doc == 0 {
		return s.File
	}
	return fmt.Sprintf("%s (document %d)", s.File, s.Doc)
}

// Object is one object of a catalogue together with where it was read from. The embedded
// Unstructured gives direct access to the object's accessors (GetName, GetKind, ...).
type Object struct {
	*unstructured.Unstructured
	Source Source
}

// Error is the error returned by Load and Parse. It names the file and, when the problem is
// confined to one document, the document.
type Error struct {
	Source Source
	Err    error
}

// Error formats the error as "examples/x.yaml, document 3: invalid YAML: ...".
func (e *Error) Error() string {
	if e.Source.Doc == 0 {
		return fmt.Sprintf("%s: %v", e.Source.File, e.Err)
	}
	return fmt.Sprintf("%s, document %d: %v", e.Source.File, e.Source.Doc, e.Err)
}

// Unwrap returns the underlying error, so that errors.Is works with fs.ErrNotExist and friends.
func (e *Error) Unwrap() error { return e.Err }

// Load reads the objects in the given paths, in order. A path may be a file, which is read
// whatever its extension, or a directory, which is walked recursively for files ending in .yaml
// or .yml; their objects are returned in lexical order of the file paths so that the result does
// not depend on the file system. Files and directories whose names start with "." are skipped
// during a walk (editor and VCS droppings). A file reached twice is read once.
//
// Reading stops at the first error, and then no objects are returned: a catalogue is applied or
// resolved as a whole, and half of one would silently give different answers.
func Load(paths ...string) ([]Object, error) {
	return load(osFiles{}, paths)
}

// LoadFS is Load for a file system such as an embedded catalogue. Paths are slash-separated and
// relative to the root of fsys, as io/fs requires ("." is the whole file system).
func LoadFS(fsys fs.FS, paths ...string) ([]Object, error) {
	return load(fsFiles{fsys}, paths)
}

// files is the little that Load needs from a file system, so that the operating system's and an
// fs.FS share one implementation.
type files interface {
	stat(name string) (fs.FileInfo, error)
	walk(root string, fn fs.WalkDirFunc) error
	read(name string) ([]byte, error)
	clean(name string) string
}

type osFiles struct{}

func (osFiles) stat(name string) (fs.FileInfo, error)     { return os.Stat(name) }
func (osFiles) walk(root string, fn fs.WalkDirFunc) error { return filepath.WalkDir(root, fn) }
func (osFiles) read(name string) ([]byte, error)          { return os.ReadFile(name) }
func (osFiles) clean(name string) string                  { return filepath.Clean(name) }

type fsFiles struct{ fsys fs.FS }

func (f fsFiles) stat(name string) (fs.FileInfo, error)     { return fs.Stat(f.fsys, name) }
func (f fsFiles) walk(root string, fn fs.WalkDirFunc) error { return fs.WalkDir(f.fsys, root, fn) }
func (f fsFiles) read(name string) ([]byte, error)          { return fs.ReadFile(f.fsys, name) }
func (fsFiles) clean(name string) string                    { return path.Clean(name) }

func load(fsys files, paths []string) ([]Object, error) {
	var objs []Object
	seen := map[string]bool{}
	for _, p := range paths {
		names, err := yamlFiles(fsys, p)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			key := fsys.clean(name)
			if seen[key] {
				continue
			}
			seen[key] = true
			data, err := fsys.read(name)
			if err != nil {
				return nil, &Error{Source: Source{File: name}, Err: fmt.Errorf("cannot read the file: %w", unwrapPathError(err))}
			}
			fileObjs, err := Parse(name, data)
			if err != nil {
				return nil, err
			}
			objs = append(objs, fileObjs...)
		}
	}
	return objs, nil
}

// yamlFiles lists the files that root stands for: root itself when it is a file, or the YAML
// files below it, sorted, when it is a directory.
func yamlFiles(fsys files, root string) ([]string, error) {
	info, err := fsys.stat(root)
	if err != nil {
		return nil, &Error{Source: Source{File: root}, Err: fmt.Errorf("cannot read the catalogue: %w", unwrapPathError(err))}
	}
	if !info.IsDir() {
		return []string{root}, nil
	}
	var names []string
	err = fsys.walk(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return &Error{Source: Source{File: p}, Err: fmt.Errorf("cannot read the catalogue: %w", unwrapPathError(err))}
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		switch strings.ToLower(path.Ext(d.Name())) {
		case ".yaml", ".yml":
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// WalkDir visits a directory's entries by name, which puts "a/b/c.yaml" before "a/b.yaml";
	// sorting the full paths gives the plain lexical order that is documented and easy to predict.
	slices.Sort(names)
	return names, nil
}

// unwrapPathError drops the *fs.PathError wrapper, whose message repeats the path that the
// enclosing Error already names.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Parse decodes the YAML documents in data, which was read from the file called name (used only
// in Sources and error messages). Documents are separated by "---" lines (a "..." line also ends a
// document); documents that hold only whitespace, comments or null are skipped. Every other
// document must be a mapping with apiVersion and kind. As with Load, the first error ends
// parsing and no objects are returned.
func Parse(name string, data []byte) ([]Object, error) {
	var objs []Object
	for i, doc := range splitDocuments(data) {
		src := Source{File: name, Doc: i + 1}
		u, err := decode(doc)
		if err != nil {
			return nil, &Error{Source: src, Err: err}
		}
		if u == nil {
			continue
		}
		objs = append(objs, Object{Unstructured: u, Source: src})
	}
	return objs, nil
}

// splitDocuments cuts a YAML stream into its non-empty documents. It works on lines rather than
// using a YAML decoder so that one broken document can be reported by its number instead of
// hiding every document after it.
func splitDocuments(data []byte) [][]byte {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	// Carriage returns are dropped so that files saved on Windows split and decode like any other.
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))

	var docs [][]byte
	var cur []byte
	flush := func() {
		if !isBlank(cur) {
			docs = append(docs, cur)
		}
		cur = nil
	}
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if rest, ok := cutMarker(line, "---"); ok {
			flush()
			// "--- {a: b}" starts the next document on the marker line itself. Blanks and a comment
			// after the marker are dropped rather than carried over, since the YAML parser rejects a
			// document that starts with a tab.
			if t := bytes.TrimSpace(rest); len(t) != 0 && t[0] != '#' {
				cur = append(cur, rest...)
			}
			continue
		}
		if _, ok := cutMarker(line, "..."); ok {
			flush()
			continue
		}
		cur = append(cur, line...)
	}
	flush()
	return docs
}

// cutMarker reports whether line is a document marker (marker at the start of the line followed
// by the end of the line or by blanks) and returns what follows the marker. "----" or "---x" are
// ordinary content, as YAML says.
func cutMarker(line []byte, marker string) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(line, []byte(marker))
	if !ok {
		return nil, false
	}
	if len(rest) == 0 || rest[0] == '\n' || rest[0] == ' ' || rest[0] == '\t' {
		return rest, true
	}
	return nil, false
}

// isBlank reports whether doc holds nothing but whitespace, comment lines and directives (such
// as "%YAML 1.2", which may only precede a "---").
func isBlank(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if len(line) != 0 && line[0] == '%' {
			continue
		}
		line = bytes.TrimSpace(line)
		if len(line) != 0 && line[0] != '#' {
			return false
		}
	}
	return true
}

// decode turns one YAML document into an object. A document that decodes to null yields nil.
func decode(doc []byte) (*unstructured.Unstructured, error) {
	// The strict conversion rejects duplicate keys, which in a hand-written catalogue are almost
	// always a mistake whose outcome (last one wins) nobody intended.
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	var v any
	// The apimachinery decoder keeps integers as int64, which is what unstructured objects and
	// the converter expect; encoding/json would turn them into float64.
	if err := utiljson.Unmarshal(js, &v); err != nil {
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the document is a %s, but a Kubernetes object must be a mapping", yamlKind(v))
	}
	u := &unstructured.Unstructured{Object: m}
	apiVersion, kind := u.GetAPIVersion(), u.GetKind()
	switch {
	case apiVersion == "" && kind == "":
		return nil, errors.New("the document has neither apiVersion nor kind, so it is not a Kubernetes object")
	case apiVersion == "":
		return nil, fmt.Errorf("the %s object has no apiVersion", kind)
	case kind == "":
		return nil, fmt.Errorf("the object with apiVersion %s has no kind", apiVersion)
	}
	if _, err := schema.ParseGroupVersion(apiVersion); err != nil {
		return nil, fmt.Errorf("the %s object has an invalid apiVersion: %w", kind, err)
	}
	return u, nil
}

// yamlKind names the YAML type of a decoded value for error messages.
func yamlKind(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "string"
	case bool:
		return "boolean"
	case int64, float64:
		return "number"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// Filter returns the objects of the given group and kind, in their original order. The version
// is ignored: a catalogue may mix API versions of one kind, and callers convert as they need.
func Filter(objs []Object, gk schema.GroupKind) []Object {
	var out []Object
	for _, o := range objs {
		if o.GroupVersionKind().GroupKind() == gk {
			out = append(out, o)
		}
	}
	return out
}

// Into converts the object into out, a pointer to a typed object registered in scheme under the
// object's apiVersion and kind. The conversion is strict: a field that the Go type does not have
// is an error naming its path (e.g. `unknown field "spec.kubernetes.verison"`), because in a
// catalogue it is a typo that would otherwise be dropped without a trace. No defaulting or
// version conversion happens.
func (o Object) Into(scheme *runtime.Scheme, out runtime.Object) error {
	if o.Unstructured == nil {
		return &Error{Source: o.Source, Err: errors.New("there is no object to convert")}
	}
	gvk := o.GroupVersionKind()
	kinds, _, err := scheme.ObjectKinds(out)
	if err != nil {
		return &Error{Source: o.Source, Err: fmt.Errorf("cannot convert %s %q: %w", gvk.Kind, o.GetName(), err)}
	}
	if !slices.Contains(kinds, gvk) {
		return &Error{Source: o.Source, Err: fmt.Errorf("cannot convert %s %q into %T: the scheme registers that type as %s, not as %s",
			gvk.Kind, o.GetName(), out, kinds[0], gvk)}
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(o.Object, out, true); err != nil {
		return &Error{Source: o.Source, Err: fmt.Errorf("cannot convert %s %q: %w", gvk.Kind, o.GetName(), err)}
	}
	return nil
}
