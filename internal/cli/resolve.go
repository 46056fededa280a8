package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1beta2 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	runv1alpha1 "github.com/tkr-project/tkr/api/run/v1alpha1"
	runv1alpha2 "github.com/tkr-project/tkr/api/run/v1alpha2"
	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/scheme"
	"github.com/tkr-project/tkr/pkg/catalog"
	"github.com/tkr-project/tkr/pkg/resolution"
	"github.com/tkr-project/tkr/pkg/resolver"
	"github.com/tkr-project/tkr/pkg/tkrdata"
)

// Exit codes of tkr resolve, besides 0 for a resolved Cluster.
const (
	// exitDenied: the webhook would deny the Cluster (no TKR or OSImage, an ambiguous
	// OSImage, a selector that does not parse, ...).
	exitDenied = 1
	// exitBadInput: the files cannot be read or do not hold what tkr resolve needs.
	exitBadInput = 2
)

// stdinName is what -f - is called in messages.
const stdinName = "<stdin>"

// Kinds tkr resolve reads.
var (
	clusterGK      = schema.GroupKind{Group: clusterv1beta1.GroupVersion.Group, Kind: "Cluster"}
	clusterClassGK = schema.GroupKind{Group: clusterv1beta1.GroupVersion.Group, Kind: "ClusterClass"}
	tkrGK          = schema.GroupKind{Group: runv1alpha3.GroupVersion.Group, Kind: "TanzuKubernetesRelease"}
	osImageGK      = schema.GroupKind{Group: runv1alpha3.GroupVersion.Group, Kind: "OSImage"}
)

// resolveOptions are the flags of tkr resolve.
type resolveOptions struct {
	clusterFile string
	catalogs    []string
	output      string
	explain     bool
	customVar   string
}

func newResolveCommand() *cobra.Command {
	o := resolveOptions{}
	cmd := &cobra.Command{
		Use:   "resolve -f CLUSTER.yaml --catalog PATH [--catalog PATH...]",
		Short: "Resolve a Cluster offline, as the TKR resolver webhook would admit it",
		Long: `Resolves a ClusterClass-based Cluster against a catalogue of TKRs, OSImages and ClusterClasses read
from files, with the same code as the TKR resolver webhook, and prints the Cluster the webhook would
admit: labelled with its TKR, with spec.topology.version set to the TKR's Kubernetes version and the
TKR_DATA variable filled in. The Cluster keeps the apiVersion it was given in.

Each --catalog is a YAML file or a directory of them; TKRs, OSImages and ClusterClasses (Cluster API
v1beta1 or v1beta2) are read, other objects are ignored. Status conditions are honoured as on a
management cluster: a TKR whose Compatible or Valid condition is False is never chosen.

Exit status: 0 when the Cluster is admitted; 1 when the webhook would deny it, with the denial and an
explanation of every rejected candidate on standard error; 2 when the input cannot be used.`,
		Example: `  tkr resolve -f examples/cluster.yaml --catalog examples/catalog --catalog examples/clusterclass.yaml
  kubectl get cluster workload-1 -o yaml | tkr resolve -f - --catalog catalog/ --explain`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &exitError{code: exitBadInput, err: fmt.Errorf("tkr resolve takes no arguments, but was given %q; name the Cluster file with -f", args)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runResolve(cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitBadInput, err: err}
	})
	f := cmd.Flags()
	f.StringVarP(&o.clusterFile, "filename", "f", "", "file holding the Cluster to resolve; - reads standard input")
	f.StringArrayVar(&o.catalogs, "catalog", nil, "YAML file or directory of TKRs, OSImages and ClusterClasses (repeatable)")
	f.StringVarP(&o.output, "output", "o", "yaml", "output format of the resolved Cluster: yaml or json")
	f.BoolVar(&o.explain, "explain", false, "also explain the resolution on standard error (as JSON with -o json)")
	f.StringVar(&o.customVar, "custom-image-repository-cc-var", tkrdata.DefaultCustomImageRepositoryVar,
		"cluster variable holding the custom image repository {host, tlsCertificateValidation}")
	return cmd
}

// runResolve is the whole command: read, resolve, print.
func runResolve(stdin io.Reader, stdout, stderr io.Writer, o resolveOptions) error {
	if err := o.validate(); err != nil {
		return &exitError{code: exitBadInput, err: err}
	}
	in, err := loadResolveInput(scheme.New(), o.clusterFile, stdin, o.catalogs)
	if err != nil {
		return &exitError{code: exitBadInput, err: err}
	}
	c := in.cluster
	if note := in.skipped; note != "" {
		fmt.Fprintln(stderr, "Note: "+note)
		return printCluster(stdout, o.output, in)
	}

	out, err := resolution.ResolveAndSetMetadata(c, in.clusterClass, in.resolver, resolution.Options{CustomImageRepositoryVar: o.customVar})
	for _, w := range out.Warnings {
		fmt.Fprintln(stderr, "Warning: "+w.Error())
	}
	if err != nil {
		return deny(stderr, o, in, out, err)
	}
	if err := printCluster(stdout, o.output, in); err != nil {
		return err
	}
	switch {
	case out.Query == nil:
		fmt.Fprintf(stderr, "Note: neither the Cluster %s nor its ClusterClass %s has the annotation %s, so the TKR resolver leaves the Cluster as it is.\n",
			objectKey(c.GetNamespace(), c.GetName()), in.classKey, runv1alpha3.AnnotationResolveTKR)
	case o.explain:
		return explain(stderr, o, in, out)
	}
	return nil
}

func (o resolveOptions) validate() error {
	var errs []error
	if o.clusterFile == "" {
		errs = append(errs, errors.New("no Cluster to resolve: name its file with -f (or -f - for standard input)"))
	}
	if len(o.catalogs) == 0 {
		errs = append(errs, errors.New("no catalogue: name the files or directories of TKRs, OSImages and ClusterClasses with --catalog"))
	}
	if o.output != "yaml" && o.output != "json" {
		errs = append(errs, fmt.Errorf("unknown output format %q: use -o yaml or -o json", o.output))
	}
	return errors.Join(errs...)
}

// deny prints why the webhook would deny the Cluster and returns the error that exits 1.
func deny(stderr io.Writer, o resolveOptions, in *resolveInput, out *resolution.Outcome, err error) error {
	var unresolved *resolution.UnresolvedError
	switch {
	case errors.As(err, &unresolved):
		fmt.Fprintln(stderr, unresolved.Summary)
		if err := writeExplanation(stderr, o, unresolved.Explanation); err != nil {
			return err
		}
	default:
		fmt.Fprintln(stderr, err.Error())
		// A query that cannot be resolved as written (an unusable version, say) is still worth
		// explaining when asked: the explanation shows what each part would have matched.
		if o.explain && out.Query != nil {
			_, x := in.resolver.Explain(*out.Query, 0)
			if err := writeExplanation(stderr, o, x); err != nil {
				return err
			}
		}
	}
	return &exitError{code: exitDenied, reported: true, err: fmt.Errorf("the TKR resolver would deny the Cluster %s from %s",
		objectKey(in.cluster.GetNamespace(), in.cluster.GetName()), in.clusterSource)}
}

// explain prints the explanation of a successful resolution.
func explain(stderr io.Writer, o resolveOptions, in *resolveInput, out *resolution.Outcome) error {
	_, x := in.resolver.Explain(*out.Query, 0)
	if len(x.Parts) == 0 && o.output != "json" {
		// Every part already had its TKR_DATA: the resolver was not asked anything.
		_, err := fmt.Fprintf(stderr, "The Cluster %s is already resolved to TKR %s; nothing needed resolving again.\n",
			objectKey(in.cluster.GetNamespace(), in.cluster.GetName()), out.TKRName)
		return err
	}
	return writeExplanation(stderr, o, x)
}

// writeExplanation prints x as text, or as JSON with -o json --explain.
func writeExplanation(w io.Writer, o resolveOptions, x *resolver.Explanation) error {
	if x == nil {
		return nil
	}
	if o.output == "json" && o.explain {
		b, err := json.MarshalIndent(x, "", "  ")
		if err != nil {
			return fmt.Errorf("cannot encode the explanation as JSON: %w", err)
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	if s := x.String(); s != "" {
		_, err := fmt.Fprintln(w, s)
		return err
	}
	return nil
}

// resolveInput is what tkr resolve works on once the files are read.
type resolveInput struct {
	// cluster is the view of the typed Cluster (v1beta1 or v1beta2, as given); resolution
	// writes through it.
	cluster tkrdata.Cluster
	// original is the Cluster as typed before resolution, and document the Cluster's document
	// as written: together they tell which fields of the output the user never wrote.
	original runtime.Object
	document map[string]any
	// clusterSource is where the Cluster was read.
	clusterSource catalog.Source
	// skipped says why the webhook would leave the Cluster alone without looking at it
	// (paused, being deleted); empty otherwise, and then clusterClass is set.
	skipped      string
	clusterClass tkrdata.ClusterClass
	classKey     string
	resolver     *resolver.Resolver
}

// loadResolveInput reads the Cluster from clusterFile (- for stdin) and the catalogue from
// catalogs, and finds the Cluster's ClusterClass in it. Every error is about the input, names
// the file and the object, and says what is wrong.
func loadResolveInput(s *runtime.Scheme, clusterFile string, stdin io.Reader, catalogs []string) (*resolveInput, error) {
	in, err := loadCluster(s, clusterFile, stdin)
	if err != nil {
		return nil, err
	}
	cat, err := loadCatalog(s, catalogs)
	if err != nil {
		return nil, err
	}
	in.resolver = cat.resolver
	c := in.cluster
	name := objectKey(c.GetNamespace(), c.GetName())
	// The webhook's order (spec §3.2): a paused or deleting Cluster is admitted unchanged
	// before anything else is looked at.
	switch {
	case c.Paused():
		in.skipped = fmt.Sprintf("the Cluster %s in %s is paused (spec.paused), so the TKR resolver leaves it as it is.", name, in.clusterSource)
		return in, nil
	case c.GetDeletionTimestamp() != nil:
		in.skipped = fmt.Sprintf("the Cluster %s in %s is being deleted (metadata.deletionTimestamp), so the TKR resolver leaves it as it is.", name, in.clusterSource)
		return in, nil
	case !c.HasTopology():
		return nil, &catalog.Error{Source: in.clusterSource, Err: fmt.Errorf("the Cluster %s has no spec.topology, so it is not based on a ClusterClass and has no TKR to resolve", name)}
	}
	in.classKey = objectKey(c.ClassNamespace(), c.ClassName())
	doc, ok := cat.classes[in.classKey]
	if !ok {
		have := "none"
		if len(cat.classes) > 0 {
			have = strings.Join(slices.Sorted(maps.Keys(cat.classes)), ", ")
		}
		return nil, &catalog.Error{Source: in.clusterSource, Err: fmt.Errorf(
			"the Cluster %s refers to the ClusterClass %s, which is not in the catalogue %s; the catalogue's ClusterClasses are: %s",
			name, in.classKey, strings.Join(catalogs, ", "), have)}
	}
	if in.clusterClass, err = tkrdata.ForClusterClass(doc.obj); err != nil {
		return nil, &catalog.Error{Source: doc.source, Err: err}
	}
	return in, nil
}

// metaDefaultNamespace is the namespace of objects written without one, as kubectl applies
// them with a default context.
const metaDefaultNamespace = "default"

// objectKey returns namespace/name, with the namespace kubectl would apply an object without one to.
func objectKey(namespace, name string) string {
	return cmp.Or(namespace, metaDefaultNamespace) + "/" + name
}

// loadCluster reads the one Cluster of file, or of stdin when file is "-".
func loadCluster(s *runtime.Scheme, file string, stdin io.Reader) (*resolveInput, error) {
	name := file
	var data []byte
	var err error
	if file == "-" {
		name = stdinName
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the Cluster file %s: %w", name, unwrapPath(err))
	}
	objs, err := catalog.Parse(name, data)
	if err != nil {
		return nil, err
	}
	var clusters []catalog.Object
	var kinds []string
	for _, o := range objs {
		if o.GroupVersionKind().GroupKind() == clusterGK {
			clusters = append(clusters, o)
		} else {
			kinds = append(kinds, o.GetKind())
		}
	}
	switch len(clusters) {
	case 0:
		found := "no objects at all"
		if len(kinds) > 0 {
			found = "only " + strings.Join(kinds, ", ")
		}
		return nil, fmt.Errorf("%s holds no Cluster (%s) to resolve: it has %s", name, clusterGK, found)
	case 1:
	default:
		var names []string
		for _, o := range clusters {
			names = append(names, fmt.Sprintf("%s in document %d", objectKey(o.GetNamespace(), o.GetName()), o.Source.Doc))
		}
		return nil, fmt.Errorf("%s holds %d Clusters (%s), but tkr resolve resolves one at a time: put each in a file of its own",
			name, len(clusters), strings.Join(names, ", "))
	}
	doc := clusters[0]
	var typed runtime.Object
	switch gv := doc.GroupVersionKind().GroupVersion(); gv {
	case clusterv1beta1.GroupVersion:
		typed = &clusterv1beta1.Cluster{}
	case clusterv1beta2.GroupVersion:
		typed = &clusterv1beta2.Cluster{}
	default:
		return nil, &catalog.Error{Source: doc.Source, Err: fmt.Errorf("the Cluster %s has apiVersion %s, but tkr resolve reads only %s and %s Clusters",
			objectKey(doc.GetNamespace(), doc.GetName()), gv, clusterv1beta1.GroupVersion, clusterv1beta2.GroupVersion)}
	}
	if err := doc.Into(s, typed); err != nil {
		return nil, err
	}
	view, err := tkrdata.ForCluster(typed)
	if err != nil {
		return nil, &catalog.Error{Source: doc.Source, Err: err}
	}
	return &resolveInput{cluster: view, original: typed.DeepCopyObject(), document: doc.Object, clusterSource: doc.Source}, nil
}

// unwrapPath drops the *fs.PathError wrapper, whose message repeats the file name.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// offlineCatalog is a catalogue read from files: the resolver holding its TKRs and OSImages,
// and its ClusterClasses by namespace/name.
type offlineCatalog struct {
	resolver *resolver.Resolver
	classes  map[string]sourced
	tkrs     map[string]catalog.Source
	osImages map[string]catalog.Source
}

// sourced is a decoded object and where it was read.
type sourced struct {
	obj    runtime.Object
	source catalog.Source
}

// loadCatalog reads the TKRs, OSImages and ClusterClasses in paths (files or directories, as
// catalog.Load reads them) and ignores every other object. Objects are decoded strictly, so a
// misspelt field is an error rather than a silently different catalogue, and a name that
// appears twice is an error because only one of the two could be in a management cluster.
func loadCatalog(s *runtime.Scheme, paths []string) (*offlineCatalog, error) {
	objs, err := catalog.Load(paths...)
	if err != nil {
		return nil, err
	}
	cat := &offlineCatalog{
		resolver: resolver.New(),
		classes:  map[string]sourced{},
		tkrs:     map[string]catalog.Source{},
		osImages: map[string]catalog.Source{},
	}
	var tkrs, images []runtime.Object
	for _, o := range objs {
		gk := o.GroupVersionKind().GroupKind()
		switch gk {
		case tkrGK:
			tkr, err := decodeTKR(s, o)
			if err != nil {
				return nil, err
			}
			if err := unique(cat.tkrs, "TanzuKubernetesRelease", tkr.Name, o.Source); err != nil {
				return nil, err
			}
			tkrs = append(tkrs, tkr)
		case osImageGK:
			img, err := decodeOSImage(s, o, cat.osImages)
			if err != nil {
				return nil, err
			}
			images = append(images, img)
		case clusterClassGK:
			var cc runtime.Object = &clusterv1beta1.ClusterClass{}
			if o.GroupVersionKind().Version == clusterv1beta2.GroupVersion.Version {
				cc = &clusterv1beta2.ClusterClass{}
			}
			if err := decodeAs(s, o, cc, clusterv1beta1.GroupVersion, clusterv1beta2.GroupVersion); err != nil {
				return nil, err
			}
			k := objectKey(o.GetNamespace(), o.GetName())
			if prev, ok := cat.classes[k]; ok {
				return nil, &catalog.Error{Source: o.Source, Err: fmt.Errorf("the ClusterClass %s is also defined in %s; a catalogue may hold each ClusterClass once", k, prev.source)}
			}
			cat.classes[k] = sourced{obj: cc, source: o.Source}
		}
	}
	cat.resolver.Add(tkrs...)
	cat.resolver.Add(images...)
	return cat, nil
}

// decodeOSImage decodes an OSImage strictly and records its name in seen, refusing a name seen
// before: a management cluster could hold only one of the two.
func decodeOSImage(s *runtime.Scheme, o catalog.Object, seen map[string]catalog.Source) (*runv1alpha3.OSImage, error) {
	img := &runv1alpha3.OSImage{}
	if err := decodeAs(s, o, img, runv1alpha3.GroupVersion); err != nil {
		return nil, err
	}
	if err := unique(seen, "OSImage", img.Name, o.Source); err != nil {
		return nil, err
	}
	return img, nil
}

// decodeTKR decodes a TKR of any served version into the v1alpha3 hub, converting the older
// versions the way the conversion webhook does.
func decodeTKR(s *runtime.Scheme, o catalog.Object) (*runv1alpha3.TanzuKubernetesRelease, error) {
	hub := &runv1alpha3.TanzuKubernetesRelease{}
	var err error
	switch o.GroupVersionKind().GroupVersion() {
	case runv1alpha1.GroupVersion:
		spoke := &runv1alpha1.TanzuKubernetesRelease{}
		if err = o.Into(s, spoke); err == nil {
			err = runv1alpha1.ConvertTanzuKubernetesReleaseToHub(context.Background(), spoke, hub)
		}
	case runv1alpha2.GroupVersion:
		spoke := &runv1alpha2.TanzuKubernetesRelease{}
		if err = o.Into(s, spoke); err == nil {
			err = runv1alpha2.ConvertTanzuKubernetesReleaseToHub(context.Background(), spoke, hub)
		}
	default:
		err = decodeAs(s, o, hub, runv1alpha3.GroupVersion)
	}
	if err != nil {
		var ce *catalog.Error
		if errors.As(err, &ce) {
			return nil, err
		}
		return nil, &catalog.Error{Source: o.Source, Err: fmt.Errorf("cannot convert TanzuKubernetesRelease %q to %s: %w", o.GetName(), runv1alpha3.GroupVersion, err)}
	}
	return hub, nil
}

// decodeAs decodes o strictly into out, after checking that o's apiVersion is one of gvs: an
// object of a known kind in a version tkr resolve cannot read is reported, not skipped, since
// skipping it would make a resolution fail for no visible reason.
func decodeAs(s *runtime.Scheme, o catalog.Object, out runtime.Object, gvs ...schema.GroupVersion) error {
	if gv := o.GroupVersionKind().GroupVersion(); !slices.Contains(gvs, gv) {
		var want []string
		for _, g := range gvs {
			want = append(want, g.String())
		}
		return &catalog.Error{Source: o.Source, Err: fmt.Errorf("the %s %q has apiVersion %s, but tkr resolve reads only %s",
			o.GetKind(), o.GetName(), gv, strings.Join(want, " and "))}
	}
	if o.GetName() == "" {
		return &catalog.Error{Source: o.Source, Err: fmt.Errorf("the %s has no metadata.name", o.GetKind())}
	}
	return o.Into(s, out)
}

// unique records name as read from src, or fails if it was read before.
func unique(seen map[string]catalog.Source, kind, name string, src catalog.Source) error {
	if prev, ok := seen[name]; ok {
		return &catalog.Error{Source: src, Err: fmt.Errorf("the %s %q is also defined in %s; a catalogue may hold each %s once", kind, name, prev, kind)}
	}
	seen[name] = src
	return nil
}

// printCluster writes the resolved Cluster in the requested format.
func printCluster(w io.Writer, format string, in *resolveInput) error {
	obj, err := admitted(in)
	if err != nil {
		return err
	}
	return printAs(w, format, obj)
}

// admitted returns the resolved Cluster as the user would see it after admission: the typed
// object, minus the fields that only typing added. Encoding a typed Cluster writes fields the
// input never had (creationTimestamp: null, status: {}, zero-valued structs); a field is
// dropped when the input does not have it and resolution left it as typing made it.
func admitted(in *resolveInput) (map[string]any, error) {
	before, err := toJSONMap(in.original)
	if err != nil {
		return nil, err
	}
	after, err := toJSONMap(in.cluster.Object())
	if err != nil {
		return nil, err
	}
	pruneUnwritten(in.document, before, after)
	return after, nil
}

func toJSONMap(obj runtime.Object) (map[string]any, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("cannot encode the Cluster: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	// Numbers keep their text, so that nothing is rounded on the way out.
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("cannot decode the Cluster: %w", err)
	}
	return m, nil
}

// pruneUnwritten deletes from after what the user did not write: keys that written lacks
// and that before (the input after typing) holds with the same value. Maps present in all
// three are pruned recursively, as are lists whose length did not change.
func pruneUnwritten(written, before, after map[string]any) {
	for k, a := range after {
		b, inBefore := before[k]
		w, inWritten := written[k]
		switch {
		case !inWritten:
			if inBefore && reflect.DeepEqual(a, b) {
				delete(after, k)
			}
		case inBefore:
			pruneValue(w, b, a)
		}
	}
}

func pruneValue(written, before, after any) {
	switch a := after.(type) {
	case map[string]any:
		w, okW := written.(map[string]any)
		b, okB := before.(map[string]any)
		if okW && okB {
			pruneUnwritten(w, b, a)
		}
	case []any:
		w, okW := written.([]any)
		b, okB := before.([]any)
		if okW && okB && len(w) == len(a) && len(b) == len(a) {
			for i := range a {
				pruneValue(w[i], b[i], a[i])
			}
		}
	}
}
