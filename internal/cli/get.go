package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/clientcmd"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/scheme"
	"github.com/tkr-project/tkr/pkg/catalog"
	"github.com/tkr-project/tkr/pkg/resolver"
	"github.com/tkr-project/tkr/pkg/tkrdata"
	"github.com/tkr-project/tkr/pkg/tkrlabels"
	"github.com/tkr-project/tkr/pkg/updates"
	"github.com/tkr-project/tkr/pkg/version"
)

// none fills an empty list cell, as kubectl does, so that columns stay aligned for tools
// that split rows on whitespace.
const none = "<none>"

// kubeFlags are the kubectl-style flags that choose the management cluster.
type kubeFlags struct {
	kubeconfig string
	context    string
}

func (k *kubeFlags) addFlags(f *pflag.FlagSet) {
	f.StringVar(&k.kubeconfig, "kubeconfig", "", "kubeconfig file of the management cluster (default: $KUBECONFIG, then ~/.kube/config)")
	f.StringVar(&k.context, "context", "", "kubeconfig context to use (default: the current context)")
}

// clientConfig loads the kubeconfig the way kubectl does: --kubeconfig, else the files in
// $KUBECONFIG merged, else ~/.kube/config; --context overrides the current context.
func (k kubeFlags) clientConfig() clientcmd.ClientConfig {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = k.kubeconfig
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: k.context})
}

// client returns a client for the management cluster and the kubeconfig context's namespace.
func (k kubeFlags) client(s *runtime.Scheme) (client.Client, string, error) {
	cc := k.clientConfig()
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("cannot load the kubeconfig of the management cluster (set --kubeconfig, --context or $KUBECONFIG, or read a catalogue from files with --catalog): %w", err)
	}
	ns, _, err := cc.Namespace()
	if err != nil {
		return nil, "", fmt.Errorf("cannot read the namespace of the kubeconfig context: %w", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		return nil, "", fmt.Errorf("cannot create a client for %s: %w", cfg.Host, err)
	}
	return c, ns, nil
}

// getOptions are the flags and arguments of tkr get.
type getOptions struct {
	names    []string
	selector string
	output   string
	catalogs []string
	cluster  string
	kube     kubeFlags
}

func newGetCommand() *cobra.Command {
	o := getOptions{}
	cmd := &cobra.Command{
		Use:   "get [NAME...] [-l SELECTOR] [-o wide|yaml|json] [--catalog PATH...] [--cluster NAMESPACE/NAME]",
		Short: "List TanzuKubernetesReleases with their readiness and available updates",
		Long: `Lists TanzuKubernetesReleases (TKRs), oldest version first, from the management cluster (the
kubeconfig is found as kubectl finds it: --kubeconfig, $KUBECONFIG, ~/.kube/config) or, with
--catalog, from YAML files or directories, as tkr resolve reads them.

READY and COMPATIBLE are the status of the release's Ready and Compatible conditions; a release
without the condition (a file nobody wrote status into) shows Unknown. UPDATES lists the active
releases a cluster on that release could be upgraded to: strictly newer versions of the same or
the next minor version that are not labelled incompatible, deactivated or invalid (what a Cluster
without a ClusterClass is offered; --cluster also applies a Cluster's own selectors). -l selects by
label, including the version-prefix labels (v1.24, v1.24.9, ...) and exclusion labels the status
controller derives, so a catalogue without them filters as a management cluster would.
-o wide adds the OS images and exclusion labels; -o yaml and -o json print the releases as stored
(with --catalog, as written in the files).

With --cluster, shows the release the Cluster runs, the releases it can be upgraded to, and why
every other release is not offered, as the Cluster's UpdatesAvailable condition is computed: for a
ClusterClass-based Cluster a release must also pass its resolve-tkr selector and have exactly one
OSImage for the control plane and each machine deployment. It then lists the packages of the
Cluster's ClusterBootstrap, where their values come from, and its conditions that are not True
(a Cloned condition that is False says what is missing), or says the Cluster has none yet.

Exit status: 0 on success; 1 when a named release or Cluster does not exist or the management
cluster cannot be read; 2 when the flags or files cannot be used.`,
		Example: `  tkr get
  tkr get -l v1.24 -o wide
  tkr get --catalog examples/catalog
  tkr get v1.24.9---vmware.1-tkg.1 -o yaml
  tkr get --cluster default/workload-1`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.names = args
			return runGet(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitBadInput, err: err}
	})
	f := cmd.Flags()
	f.StringVarP(&o.selector, "selector", "l", "", "label selector, e.g. v1.24 or '!deactivated,os-name=ubuntu'")
	f.StringVarP(&o.output, "output", "o", "", "output format: wide, yaml or json (default: a table)")
	f.StringArrayVar(&o.catalogs, "catalog", nil, "YAML file or directory of TKRs to read instead of the management cluster (repeatable)")
	f.StringVar(&o.cluster, "cluster", "", "show the updates of this Cluster, as NAMESPACE/NAME (NAME alone uses the kubeconfig's namespace)")
	o.kube.addFlags(f)
	return cmd
}

func (o getOptions) validate() error {
	var errs []error
	if !slices.Contains([]string{"", "wide", "yaml", "json"}, o.output) {
		errs = append(errs, fmt.Errorf("unknown output format %q: use -o wide, -o yaml or -o json, or leave -o out for a table", o.output))
	}
	if _, err := labels.Parse(o.selector); err != nil {
		errs = append(errs, fmt.Errorf("the selector %q does not parse: %w", o.selector, err))
	}
	if o.cluster != "" {
		if len(o.names) > 0 {
			errs = append(errs, fmt.Errorf("--cluster shows the releases a Cluster can move to and takes no release names, but was given %s", strings.Join(o.names, ", ")))
		}
		if len(o.catalogs) > 0 {
			errs = append(errs, errors.New("--cluster reads the Cluster from the management cluster and cannot be combined with --catalog"))
		}
		if o.selector != "" {
			errs = append(errs, errors.New("--cluster considers every release and cannot be combined with -l"))
		}
	}
	return errors.Join(errs...)
}

func runGet(ctx context.Context, stdout, stderr io.Writer, o getOptions) error {
	if err := o.validate(); err != nil {
		return &exitError{code: exitBadInput, err: err}
	}
	s := scheme.New()
	var all []*release
	var c client.Client
	var namespace string
	if len(o.catalogs) > 0 {
		var err error
		if all, err = catalogReleases(s, o.catalogs); err != nil {
			return &exitError{code: exitBadInput, err: err}
		}
	} else {
		var err error
		if c, namespace, err = o.kube.client(s); err != nil {
			return err
		}
		if all, err = clusterReleases(ctx, c); err != nil {
			return err
		}
	}
	sortReleases(all)
	if o.cluster != "" {
		return getClusterUpdates(ctx, stdout, c, namespace, o, all)
	}

	shown, missing := selectReleases(all, o.names, o.selector)
	var err error
	switch o.output {
	case "yaml", "json":
		err = printReleaseObjects(stdout, o.output, shown, len(o.names) == 1 && len(shown) == 1)
	default:
		// Updates come from the whole catalogue, not only what is shown: a release left out
		// of the listing is still one that clusters can move to.
		err = printReleaseTable(stdout, shown, tableUpdates(all), o.output == "wide")
	}
	if err != nil {
		return err
	}
	if len(shown) == 0 && len(missing) == 0 {
		fmt.Fprintln(stderr, noReleasesMessage(o))
	}
	if len(missing) > 0 {
		where := "in the management cluster"
		if len(o.catalogs) > 0 {
			where = "in the catalogue " + strings.Join(o.catalogs, ", ")
		}
		return fmt.Errorf("%s %s not found %s; list the releases with tkr get",
			plural(len(missing), "TanzuKubernetesRelease", "TanzuKubernetesReleases"), strings.Join(missing, ", "), where)
	}
	return nil
}

func noReleasesMessage(o getOptions) string {
	switch {
	case o.selector != "":
		return fmt.Sprintf("No TanzuKubernetesReleases match the selector %q.", o.selector)
	case len(o.catalogs) > 0:
		return fmt.Sprintf("The catalogue %s holds no TanzuKubernetesReleases.", strings.Join(o.catalogs, ", "))
	default:
		return "The management cluster has no TanzuKubernetesReleases yet."
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// release is a TKR as tkr get shows it.
type release struct {
	// tkr is the release as stored (v1alpha3), conditions included.
	tkr *runv1alpha3.TanzuKubernetesRelease
	// document is what -o yaml and -o json print: the object as stored on the management
	// cluster, or the document as written in a catalogue file.
	document any
	// labels are the release's labels together with those the status controller derives from
	// its version and conditions (see releaseLabels).
	labels map[string]string
	// version is spec.version parsed, nil if it does not parse.
	version *version.Version
}

func newRelease(tkr *runv1alpha3.TanzuKubernetesRelease, document any) *release {
	v, _ := version.Parse(tkr.Spec.Version)
	return &release{tkr: tkr, document: document, labels: releaseLabels(tkr), version: v}
}

// releaseLabels returns the labels a TKR carries once the status controller has labelled it:
// its own, its version prefixes, and the exclusion labels its Compatible and Valid conditions
// imply. Selecting and judging on these makes a catalogue read from files, or a cluster whose
// status controller has not caught up, answer as a labelled management cluster would.
func releaseLabels(tkr *runv1alpha3.TanzuKubernetesRelease) map[string]string {
	set, unset := tkrlabels.Exclusions(tkr.Status.Conditions)
	l, _ := tkrlabels.Merge(maps.Clone(tkr.Labels), tkrlabels.TKR(tkr))
	l, _ = tkrlabels.Merge(l, set)
	for _, k := range unset {
		delete(l, k)
	}
	return l
}

// catalogReleases reads the TKRs in paths, as tkr resolve reads its catalogue: every served
// version converted to v1alpha3, strictly decoded, each name once.
func catalogReleases(s *runtime.Scheme, paths []string) ([]*release, error) {
	objs, err := catalog.Load(paths...)
	if err != nil {
		return nil, err
	}
	return releasesOf(s, objs)
}

// releasesOf decodes the TKRs among objs as catalogReleases does.
func releasesOf(s *runtime.Scheme, objs []catalog.Object) ([]*release, error) {
	seen := map[string]catalog.Source{}
	var out []*release
	for _, o := range catalog.Filter(objs, tkrGK) {
		tkr, err := decodeTKR(s, o)
		if err != nil {
			return nil, err
		}
		if err := unique(seen, "TanzuKubernetesRelease", tkr.Name, o.Source); err != nil {
			return nil, err
		}
		out = append(out, newRelease(tkr, o.Object))
	}
	return out, nil
}

// clusterReleases lists the TKRs of the management cluster.
func clusterReleases(ctx context.Context, c client.Client) ([]*release, error) {
	list := &runv1alpha3.TanzuKubernetesReleaseList{}
	if err := c.List(ctx, list); err != nil {
		return nil, fmt.Errorf("cannot list the TanzuKubernetesReleases of the management cluster: %w", err)
	}
	out := make([]*release, 0, len(list.Items))
	for i := range list.Items {
		tkr := &list.Items[i]
		doc := tkr.DeepCopy()
		// Typed list items carry no kind, and the managed fields are bookkeeping kubectl also
		// leaves out unless asked.
		doc.SetGroupVersionKind(runv1alpha3.GroupVersion.WithKind("TanzuKubernetesRelease"))
		doc.SetManagedFields(nil)
		out = append(out, newRelease(tkr, doc))
	}
	return out, nil
}

// sortReleases orders releases by version, oldest first; releases whose version does not parse
// go last, and ties are broken by name so the order never changes between runs.
func sortReleases(rs []*release) {
	slices.SortFunc(rs, func(a, b *release) int {
		if (a.version == nil) != (b.version == nil) {
			if a.version == nil {
				return 1
			}
			return -1
		}
		return cmp.Or(version.CompareStrict(a.version, b.version), strings.Compare(a.tkr.Name, b.tkr.Name))
	})
}

// selectReleases keeps the releases named in names (all if none) that match selector, in the
// order of all, and returns the names that are not releases at all.
func selectReleases(all []*release, names []string, selector string) (shown []*release, missing []string) {
	sel, _ := labels.Parse(selector) // validated before
	for _, n := range names {
		if !slices.ContainsFunc(all, func(r *release) bool { return r.tkr.Name == n }) && !slices.Contains(missing, n) {
			missing = append(missing, n)
		}
	}
	for _, r := range all {
		if len(names) > 0 && !slices.Contains(names, r.tkr.Name) {
			continue
		}
		if sel.Matches(labels.Set(r.labels)) {
			shown = append(shown, r)
		}
	}
	return shown, missing
}

// tableUpdates returns, per release, the names of the releases a cluster on it can be updated to
// (package updates), oldest first: what a legacy Cluster labelled with the release is offered.
// The UPDATES column describes the release, not a particular Cluster, so no Cluster's selectors
// or OSImage choices narrow it; tkr get --cluster applies them.
func tableUpdates(all []*release) map[string][]string {
	cat := updates.Catalog{TKRs: tkrsOf(all)}
	out := map[string][]string{}
	for _, r := range all {
		on, err := tkrdata.ForCluster(&clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{runv1alpha3.LabelLegacyClusterTKR: r.tkr.Name}}})
		if err != nil {
			continue
		}
		res, err := updates.ForCluster(on, nil, cat)
		if err != nil {
			// The release's name does not encode a version, so nothing can be said to be
			// newer; the column shows none.
			continue
		}
		for _, u := range res.Updates {
			out[r.tkr.Name] = append(out[r.tkr.Name], u.Name)
		}
	}
	return out
}

func tkrsOf(rs []*release) []*runv1alpha3.TanzuKubernetesRelease {
	out := make([]*runv1alpha3.TanzuKubernetesRelease, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.tkr)
	}
	return out
}

// conditionStatus returns the status of condition t, Unknown when it is missing: Kubernetes
// API conventions read a missing condition as Unknown.
func conditionStatus(tkr *runv1alpha3.TanzuKubernetesRelease, t string) string {
	if c := tkrlabels.Condition(tkr.Status.Conditions, t); c != nil && c.Status != "" {
		return string(c.Status)
	}
	return "Unknown"
}

// exclusionLabels returns the exclusion labels among l, in the resolver's order.
func exclusionLabels(l map[string]string) []string {
	var out []string
	for _, k := range []string{runv1alpha3.LabelIncompatible, runv1alpha3.LabelDeactivated, runv1alpha3.LabelInvalid} {
		if _, ok := l[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

func joinOrNone(s []string) string {
	if len(s) == 0 {
		return none
	}
	return strings.Join(s, ",")
}

func newTable(w io.Writer) *tabwriter.Writer {
	// kubectl's table layout: columns at least as wide as their content, three spaces apart.
	return tabwriter.NewWriter(w, 6, 4, 3, ' ', 0)
}

func printReleaseTable(w io.Writer, rs []*release, updates map[string][]string, wide bool) error {
	if len(rs) == 0 {
		return nil
	}
	tw := newTable(w)
	header := "NAME\tVERSION\tREADY\tCOMPATIBLE\tUPDATES"
	if wide {
		header += "\tOSIMAGES\tLABELS"
	}
	fmt.Fprintln(tw, header)
	for _, r := range rs {
		row := []string{r.tkr.Name, r.tkr.Spec.Version, conditionStatus(r.tkr, runv1alpha3.ConditionReady),
			conditionStatus(r.tkr, runv1alpha3.ConditionCompatible), joinOrNone(updates[r.tkr.Name])}
		if wide {
			var images []string
			for _, ref := range r.tkr.Spec.OSImages {
				images = append(images, ref.Name)
			}
			row = append(row, joinOrNone(images), joinOrNone(exclusionLabels(r.labels)))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// printReleaseObjects prints the releases as YAML or JSON: the one object when exactly one was
// asked for by name, otherwise a v1 List, as kubectl does.
func printReleaseObjects(w io.Writer, format string, rs []*release, single bool) error {
	var out any
	if single {
		out = rs[0].document
	} else {
		items := make([]any, 0, len(rs))
		for _, r := range rs {
			items = append(items, r.document)
		}
		out = map[string]any{"apiVersion": "v1", "kind": "List", "items": items}
	}
	return printAs(w, format, out)
}

// printAs writes v as YAML or as indented JSON, formatted as tkr resolve prints Clusters.
func printAs(w io.Writer, format string, v any) error {
	var b []byte
	var err error
	if format == "json" {
		if b, err = json.MarshalIndent(v, "", "  "); err == nil {
			b = append(b, '\n')
		}
	} else {
		b, err = yaml.Marshal(v)
	}
	if err != nil {
		return fmt.Errorf("cannot encode the output as %s: %w", strings.ToUpper(format), err)
	}
	_, err = w.Write(b)
	return err
}

// clusterReport is what tkr get --cluster prints, and its YAML and JSON form.
type clusterReport struct {
	// Cluster is the Cluster's namespace/name.
	Cluster string `json:"cluster"`
	// TKRMissing is true when the Cluster's release no longer exists.
	TKRMissing bool `json:"tkrMissing,omitempty"`
	*updates.Result
	// ClusterBootstrap is the Cluster's ClusterBootstrap, nil when it has none (yet).
	ClusterBootstrap *bootstrapReport `json:"clusterBootstrap,omitempty"`
	// bootstrapUnserved is true when the management cluster does not serve the ClusterBootstrap
	// API at all, which the text tells apart from a Cluster that has no ClusterBootstrap yet.
	bootstrapUnserved bool
}

// bootstrapReport is a Cluster's ClusterBootstrap as tkr get --cluster shows it.
type bootstrapReport struct {
	// Name is the ClusterBootstrap's namespace/name (its Cluster's).
	Name string `json:"name"`
	// ResolvedTKR is the TKR whose ClusterBootstrapTemplate the packages were last cloned or
	// upgraded from; empty until the controller has done so.
	ResolvedTKR string `json:"resolvedTKR,omitempty"`
	// Paused is true when the controllers leave the ClusterBootstrap as it is.
	Paused bool `json:"paused,omitempty"`
	// UnmanagedCNI is true when someone else installs the Cluster's CNI.
	UnmanagedCNI bool `json:"unmanagedCNI,omitempty"`
	// Packages are the packages in the order of the spec: cni, csi, cpi, kapp, then the
	// additional packages.
	Packages []bootstrapPackage `json:"packages"`
	// Conditions are all the ClusterBootstrap's conditions; the text shows those not True.
	Conditions runv1alpha3.Conditions `json:"conditions,omitempty"`
}

// bootstrapPackage is one package of a ClusterBootstrap.
type bootstrapPackage struct {
	// Slot is the spec field the package fills: cni, csi, cpi, kapp or additional.
	Slot string `json:"slot"`
	// RefName is the package's Carvel refName.
	RefName string `json:"refName"`
	// ValuesFrom says where the package's values come from, nil when it has none.
	ValuesFrom *packageValues `json:"valuesFrom,omitempty"`
}

// packageValues is a package's valuesFrom without the inline values themselves: the report says
// where values come from, and the values are the ClusterBootstrap's to show.
type packageValues struct {
	// Inline is true when the values are written in the ClusterBootstrap.
	Inline bool `json:"inline,omitempty"`
	// SecretRef names the Secret, in the Cluster's namespace, that holds the values.
	SecretRef string `json:"secretRef,omitempty"`
	// ProviderRef is the add-on config object whose controller renders the values.
	ProviderRef *corev1.TypedLocalObjectReference `json:"providerRef,omitempty"`
}

// getClusterUpdates prints the release a Cluster runs, what it can be updated to and why the
// other releases are not offered, as package updates (and the status controller's
// UpdatesAvailable condition) decide: for a ClusterClass-based Cluster that includes its TKR
// and OSImage selectors, so the Cluster's OSImages and ClusterClass are read too.
func getClusterUpdates(ctx context.Context, w io.Writer, c client.Client, namespace string, o getOptions, all []*release) error {
	ns, name, ok := strings.Cut(o.cluster, "/")
	if !ok {
		ns, name = namespace, o.cluster
	}
	if ns == "" || name == "" || strings.Contains(name, "/") {
		return &exitError{code: exitBadInput, err: fmt.Errorf("--cluster %q is not a Cluster: write it as NAMESPACE/NAME, or NAME for the kubeconfig's namespace", o.cluster)}
	}
	key := ns + "/" + name
	cluster := &clusterv1.Cluster{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, cluster); err != nil {
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("Cluster %s not found; list the Clusters with kubectl get clusters -A", key)
		}
		return fmt.Errorf("cannot read the Cluster %s: %w", key, err)
	}
	view, err := tkrdata.ForCluster(cluster)
	if err != nil {
		return err
	}
	cat := updates.Catalog{TKRs: tkrsOf(all)}
	var cc tkrdata.ClusterClass
	if view.HasTopology() {
		if cc, err = clusterClassOf(ctx, c, view); err != nil {
			return err
		}
		if cat.Resolver, err = clusterResolver(ctx, c, cat.TKRs); err != nil {
			return err
		}
	}
	res, err := updates.ForCluster(view, cc, cat)
	var parseErr *updates.ParseError
	switch {
	case errors.Is(err, updates.ErrNoTKR):
		return fmt.Errorf("the Cluster %s has neither the %s nor the %s label, so it does not run a TanzuKubernetesRelease yet; a ClusterClass-based Cluster gets the label when the TKR resolver admits it",
			key, runv1alpha3.LabelTKR, runv1alpha3.LabelLegacyClusterTKR)
	case errors.As(err, &parseErr):
		return fmt.Errorf("the Cluster %s runs the TanzuKubernetesRelease %s, whose name does not encode a version, so no release can be said to be newer: %w", key, parseErr.Name, parseErr.Err)
	case errors.Is(err, updates.ErrNotResolved):
		return fmt.Errorf("the Cluster %s is not resolved to TanzuKubernetesReleases: neither it nor its ClusterClass %s/%s has the annotation %s",
			key, view.ClassNamespace(), view.ClassName(), runv1alpha3.AnnotationResolveTKR)
	case err != nil:
		return fmt.Errorf("cannot compute the updates of the Cluster %s: %w", key, err)
	}
	report := clusterReport{Cluster: key, Result: res,
		TKRMissing: !slices.ContainsFunc(all, func(r *release) bool { return r.tkr.Name == res.TKR })}
	if report.ClusterBootstrap, report.bootstrapUnserved, err = clusterBootstrapOf(ctx, c, ns, name); err != nil {
		return err
	}
	if o.output == "yaml" || o.output == "json" {
		return printAs(w, o.output, report)
	}
	return printClusterReport(w, report)
}

// clusterBootstrapOf reads the ClusterBootstrap of the Cluster ns/name, which the controller names
// after its Cluster and puts in the Cluster's namespace. It returns nil when there is none, and
// unserved true when the management cluster has no ClusterBootstrap API: the rest of the report
// is still worth printing then.
func clusterBootstrapOf(ctx context.Context, c client.Client, ns, name string) (report *bootstrapReport, unserved bool, err error) {
	cb := &runv1alpha3.ClusterBootstrap{}
	switch err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, cb); {
	case apierrors.IsNotFound(err):
		return nil, false, nil
	case meta.IsNoMatchError(err):
		return nil, true, nil
	case err != nil:
		return nil, false, fmt.Errorf("cannot read the ClusterBootstrap %s/%s: %w", ns, name, err)
	}
	_, unmanagedCNI := cb.Annotations[runv1alpha3.AnnotationUnmanagedCNI]
	report = &bootstrapReport{Name: ns + "/" + name, ResolvedTKR: cb.Status.ResolvedTKR, UnmanagedCNI: unmanagedCNI,
		Packages: []bootstrapPackage{}, Conditions: cb.Status.Conditions}
	spec := cb.Spec
	if spec == nil {
		return report, false, nil
	}
	report.Paused = spec.Paused
	add := func(slot string, p *runv1alpha3.ClusterBootstrapPackage) {
		if p != nil {
			report.Packages = append(report.Packages, bootstrapPackage{Slot: slot, RefName: p.RefName, ValuesFrom: valuesOf(p.ValuesFrom)})
		}
	}
	add("cni", spec.CNI)
	add("csi", spec.CSI)
	add("cpi", spec.CPI)
	add("kapp", spec.Kapp)
	for _, p := range spec.AdditionalPackages {
		add("additional", p)
	}
	return report, false, nil
}

// valuesOf summarises v; nil, or a valuesFrom with no source set, is nil.
func valuesOf(v *runv1alpha3.ValuesFrom) *packageValues {
	if v == nil || v.CountFields() == 0 {
		return nil
	}
	return &packageValues{Inline: v.Inline != nil, SecretRef: v.SecretRef, ProviderRef: v.ProviderRef}
}

// clusterClassOf reads the ClusterClass of a ClusterClass-based Cluster.
func clusterClassOf(ctx context.Context, c client.Client, view tkrdata.Cluster) (tkrdata.ClusterClass, error) {
	key := client.ObjectKey{Namespace: view.ClassNamespace(), Name: view.ClassName()}
	cc := &clusterv1.ClusterClass{}
	if err := c.Get(ctx, key, cc); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("the Cluster %s/%s uses the ClusterClass %s, which does not exist, so its TKR and OSImage selectors are unknown and its updates cannot be computed",
				view.GetNamespace(), view.GetName(), key)
		}
		return nil, fmt.Errorf("cannot read the ClusterClass %s: %w", key, err)
	}
	return tkrdata.ForClusterClass(cc)
}

// clusterResolver returns a resolver holding tkrs and the management cluster's OSImages.
func clusterResolver(ctx context.Context, c client.Client, tkrs []*runv1alpha3.TanzuKubernetesRelease) (*resolver.Resolver, error) {
	images := &runv1alpha3.OSImageList{}
	if err := c.List(ctx, images); err != nil {
		return nil, fmt.Errorf("cannot list the OSImages of the management cluster: %w", err)
	}
	r := resolver.New()
	for _, tkr := range tkrs {
		r.Add(tkr)
	}
	for i := range images.Items {
		r.Add(&images.Items[i])
	}
	return r, nil
}

func printClusterReport(w io.Writer, r clusterReport) error {
	fmt.Fprintf(w, "Cluster %s runs TanzuKubernetesRelease %s (%s).\n", r.Cluster, r.TKR, r.Version)
	if r.TKRMissing {
		fmt.Fprintln(w, "The release no longer exists in the management cluster; its version was read from its name.")
	}
	fmt.Fprintln(w)
	if len(r.Updates) == 0 {
		fmt.Fprintln(w, "No updates available.")
	} else {
		fmt.Fprintln(w, "Updates available:")
		tw := newTable(w)
		fmt.Fprintln(tw, "NAME\tVERSION")
		for _, u := range r.Updates {
			fmt.Fprintf(tw, "%s\t%s\n", u.Name, u.Version)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.Rejected) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Not offered:")
		tw := newTable(w)
		fmt.Fprintln(tw, "NAME\tVERSION\tREASON")
		for _, e := range r.Rejected {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Name, e.Version, e.Message)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	switch {
	case r.bootstrapUnserved:
		fmt.Fprintln(w, "The management cluster does not serve ClusterBootstraps, so the Cluster's packages cannot be shown.")
		return nil
	case r.ClusterBootstrap == nil:
		fmt.Fprintln(w, "No ClusterBootstrap yet.")
		return nil
	}
	return printBootstrap(w, r.ClusterBootstrap)
}

// printBootstrap prints a ClusterBootstrap's packages and the conditions that are not True,
// which are what tells a user why its packages do not reach the cluster.
func printBootstrap(w io.Writer, b *bootstrapReport) error {
	resolved := "not yet resolved to a TKR"
	if b.ResolvedTKR != "" {
		resolved = "resolved TKR " + b.ResolvedTKR
	}
	fmt.Fprintf(w, "ClusterBootstrap %s (%s):\n", b.Name, resolved)
	if b.Paused {
		fmt.Fprintln(w, "It is paused (spec.paused), so the controllers leave its packages as they are.")
	}
	if b.UnmanagedCNI {
		fmt.Fprintf(w, "Its CNI is unmanaged (annotation %s): someone else installs it.\n", runv1alpha3.AnnotationUnmanagedCNI)
	}
	if len(b.Packages) == 0 {
		fmt.Fprintln(w, "It lists no packages.")
	} else {
		tw := newTable(w)
		fmt.Fprintln(tw, "PACKAGE\tREFNAME\tVALUES FROM")
		for _, p := range b.Packages {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Slot, p.RefName, p.ValuesFrom.String())
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	var notTrue runv1alpha3.Conditions
	for _, c := range b.Conditions {
		if c.Status != corev1.ConditionTrue {
			notTrue = append(notTrue, c)
		}
	}
	if len(notTrue) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Conditions not True:")
	tw := newTable(w)
	fmt.Fprintln(tw, "TYPE\tSTATUS\tREASON\tMESSAGE")
	for _, c := range notTrue {
		status := string(c.Status)
		if status == "" {
			// As for releases: a condition without a status reads as Unknown.
			status = "Unknown"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Type, status, cmp.Or(c.Reason, none), cmp.Or(c.Message, none))
	}
	return tw.Flush()
}

// String is the VALUES FROM cell: the Kind/name of the add-on config or Secret the values come
// from, "inline", or <none>.
func (v *packageValues) String() string {
	switch {
	case v == nil:
		return none
	case v.ProviderRef != nil:
		return v.ProviderRef.Kind + "/" + v.ProviderRef.Name
	case v.SecretRef != "":
		return "Secret/" + v.SecretRef
	default:
		return "inline"
	}
}
