package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/scheme"
	"github.com/tkr-project/tkr/internal/vcenter"
	"github.com/tkr-project/tkr/internal/webhooks/vspheretemplate"
	"github.com/tkr-project/tkr/pkg/catalog"
	"github.com/tkr-project/tkr/pkg/tkrdata"
	"github.com/tkr-project/tkr/pkg/vsphere"
)

// passwordEnv holds the vCenter password when --password is not given, so that it stays out of
// shell history and process listings.
const passwordEnv = "TKR_VSPHERE_PASSWORD"

// preflightOptions are the flags of tkr preflight.
type preflightOptions struct {
	catalogs []string
	tkrs     []string
	cluster  string
	output   string
	kube     kubeFlags
	// endpoint is what --server, --datacenter, --username, --password, --thumbprint and
	// --insecure say; the password falls back to $TKR_VSPHERE_PASSWORD.
	endpoint vcenter.Endpoint
	// vcenterFlags are the names of those flags that were set, for the checks of --cluster.
	vcenterFlags []string
}

func newPreflightCommand() *cobra.Command {
	o := preflightOptions{}
	cmd := &cobra.Command{
		Use: `preflight [--catalog PATH]... [--tkr NAME]... --server HOST[:PORT] --datacenter DC
                --username USER [--password PASSWORD] [--thumbprint SHA1 | --insecure] [-o table|json]
  tkr preflight --cluster NAMESPACE/NAME [--tkr NAME]... [-o table|json]`,
		Short: "Check that vCenter holds the VM templates of the OVA OSImages of TKRs",
		Long: `Checks, before any Cluster is created, that vCenter holds a VM template for every OSImage of
image type ova that the TanzuKubernetesReleases (TKRs) list, with the same matching rules and the
same messages as the vSphere template webhook, which denies a Cluster whose template is missing.

The TKRs and OSImages are read from --catalog files or directories (as tkr resolve reads them) or,
without --catalog, from the management cluster (the kubeconfig is found as kubectl finds it:
--kubeconfig, $KUBECONFIG, ~/.kube/config). Every TKR is checked unless --tkr names some. OSImages
of other image types have no template and are left out; an OSImage a TKR lists but that does not
exist is reported on standard error.

vCenter is named by --server, --datacenter (e.g. dc0 or /dc0), --username and --password. The
password may be left out of the command line and given in $` + passwordEnv + ` instead, so it
stays out of shell history. The server's certificate is verified against the system's trusted
roots, unless --thumbprint pins its SHA-1 thumbprint (AA:BB:...) or --insecure turns verification
off; the two cannot be combined.

With --cluster, run against a management cluster, vCenter, datacenter, thumbprint and credentials
are those of that Cluster, read exactly as the webhook reads them: its vcenter variable and the
Secret named after the Cluster (or the one its identityRef variable names); a Cluster whose
vcenter variable has no tlsThumbprint is checked without verifying the certificate, as the webhook
does. The TKRs and OSImages are the management cluster's. If the Cluster carries the
` + runv1alpha3.LabelTKR + ` label and no --tkr is given, only that TKR is checked. --server,
--datacenter, --username, --password, --thumbprint, --insecure and --catalog cannot be combined
with --cluster.

The table shows, per TKR and OSImage, the OVA VERSION and OS the template must carry as vApp
properties, and the template found (inventory path and MOID) or the first line of the problem; the
problem's details, and what to do about it, follow on standard error. -o json prints the same as a
list of objects {tkr, osImage, ovaVersion, os, template, moid, problem} with the full problem text.

Exit status: 0 when every template is found; 1 when some are missing (or the management cluster
cannot be read); 2 when the flags or files cannot be used (a --tkr or --cluster that does not
exist, a Cluster without a usable vcenter variable or credentials), or when vCenter cannot be
reached or refuses the login (the error names the server).`,
		Example: `  TKR_VSPHERE_PASSWORD=... tkr preflight --catalog examples/catalog --tkr v1.24.9---vmware.1-tkg.1 \
      --server vcenter.example.com --datacenter /dc0 --username administrator@vsphere.local \
      --thumbprint 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67
  tkr preflight --cluster default/workload-1 -o json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &exitError{code: exitBadInput, err: fmt.Errorf("tkr preflight takes no arguments, but was given %q; name releases with --tkr", args)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, name := range []string{"server", "datacenter", "username", "password", "thumbprint", "insecure"} {
				if cmd.Flags().Changed(name) {
					o.vcenterFlags = append(o.vcenterFlags, "--"+name)
				}
			}
			if o.endpoint.Password == "" && o.cluster == "" {
				o.endpoint.Password = os.Getenv(passwordEnv)
			}
			return runPreflight(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitBadInput, err: err}
	})
	f := cmd.Flags()
	f.StringArrayVar(&o.catalogs, "catalog", nil, "YAML file or directory of TKRs and OSImages to read instead of the management cluster (repeatable)")
	f.StringArrayVar(&o.tkrs, "tkr", nil, "check only this TKR (repeatable; default: every TKR, or with --cluster the Cluster's)")
	f.StringVar(&o.cluster, "cluster", "", "check for this Cluster, as NAMESPACE/NAME (NAME alone uses the kubeconfig's namespace), with its vCenter and credentials")
	f.StringVarP(&o.output, "output", "o", "table", "output format: table or json")
	f.StringVar(&o.endpoint.Server, "server", "", "vCenter host, HOST[:PORT]")
	f.StringVar(&o.endpoint.Datacenter, "datacenter", "", "datacenter holding the VM templates, e.g. dc0 or /dc0")
	f.StringVar(&o.endpoint.Username, "username", "", "vCenter user, e.g. administrator@vsphere.local")
	f.StringVar(&o.endpoint.Password, "password", "", "vCenter password (default: $"+passwordEnv+")")
	f.StringVar(&o.endpoint.Thumbprint, "thumbprint", "", "SHA-1 thumbprint of vCenter's certificate, AA:BB:...; trusted instead of the system roots")
	f.BoolVar(&o.endpoint.Insecure, "insecure", false, "do not verify vCenter's certificate")
	o.kube.addFlags(f)
	return cmd
}

func (o preflightOptions) validate() error {
	var errs []error
	if o.output != "table" && o.output != "json" {
		errs = append(errs, fmt.Errorf("unknown output format %q: use -o table or -o json", o.output))
	}
	if o.cluster != "" {
		if len(o.vcenterFlags) > 0 {
			errs = append(errs, fmt.Errorf("--cluster checks against the Cluster's own vCenter and credentials and cannot be combined with %s", strings.Join(o.vcenterFlags, ", ")))
		}
		if len(o.catalogs) > 0 {
			errs = append(errs, errors.New("--cluster reads the TKRs and OSImages from the management cluster and cannot be combined with --catalog"))
		}
		return errors.Join(errs...)
	}
	ep := o.endpoint
	for _, f := range []struct{ name, value, what string }{
		{"--server", ep.Server, "the vCenter host"},
		{"--datacenter", ep.Datacenter, "the datacenter holding the VM templates"},
		{"--username", ep.Username, "the vCenter user"},
		{"--password", ep.Password, "the vCenter password (or set $" + passwordEnv + ")"},
	} {
		if strings.TrimSpace(f.value) == "" {
			errs = append(errs, fmt.Errorf("no %s given: name %s with %s, or check a Cluster's vCenter with --cluster", f.name, f.what, f.name))
		}
	}
	if ep.Thumbprint != "" && ep.Insecure {
		errs = append(errs, errors.New("--thumbprint and --insecure cannot be combined: --thumbprint verifies vCenter's certificate by its thumbprint, --insecure does not verify it at all"))
	}
	return errors.Join(errs...)
}

// preflightRow is one OSImage of one TKR, and what vCenter has for it.
type preflightRow struct {
	TKR        string      `json:"tkr"`
	OSImage    string      `json:"osImage"`
	OVAVersion string      `json:"ovaVersion"`
	OS         preflightOS `json:"os"`
	Template   string      `json:"template"`
	MOID       string      `json:"moid"`
	// OtherTemplates are further templates that answer the same query, passed over by the
	// webhook's choice rule.
	OtherTemplates []string `json:"otherTemplates,omitempty"`
	// Problem is empty when the template is found: otherwise the webhook's message, its first
	// line the original's sentence.
	Problem string `json:"problem"`

	query *vsphere.Query
}

type preflightOS struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Arch    string `json:"arch"`
}

func (r preflightRow) osString() string {
	s := strings.TrimSpace(strings.Join([]string{r.OS.Name, r.OS.Version, r.OS.Arch}, " "))
	if s == "" {
		return none
	}
	return s
}

// preflightCatalog is what tkr preflight checks: TKRs oldest first, and OSImages by name.
type preflightCatalog struct {
	releases []*release
	osImages map[string]*runv1alpha3.OSImage
	// where names the catalogue in messages.
	where string
}

func runPreflight(ctx context.Context, stdout, stderr io.Writer, o preflightOptions) error {
	if err := o.validate(); err != nil {
		return &exitError{code: exitBadInput, err: err}
	}
	s := scheme.New()
	var cat *preflightCatalog
	ep := o.endpoint
	names := o.tkrs
	if len(o.catalogs) > 0 {
		var err error
		if cat, err = filePreflightCatalog(s, o.catalogs); err != nil {
			return &exitError{code: exitBadInput, err: err}
		}
	} else {
		c, namespace, err := o.kube.client(s)
		if err != nil {
			return err
		}
		if cat, err = clusterPreflightCatalog(ctx, c); err != nil {
			return err
		}
		if o.cluster != "" {
			var tkr string
			if ep, tkr, err = clusterEndpoint(ctx, c, namespace, o.cluster); err != nil {
				return err
			}
			if len(names) == 0 && tkr != "" {
				if !slices.ContainsFunc(cat.releases, func(r *release) bool { return r.tkr.Name == tkr }) {
					return fmt.Errorf("the Cluster %s runs the TanzuKubernetesRelease %s (label %s), which is not in the management cluster; name the releases to check with --tkr",
						o.cluster, tkr, runv1alpha3.LabelTKR)
				}
				fmt.Fprintf(stderr, "Checking the TanzuKubernetesRelease %s of the Cluster %s (label %s).\n", tkr, o.cluster, runv1alpha3.LabelTKR)
				names = []string{tkr}
			}
		}
	}
	shown, missing := selectReleases(cat.releases, names, "")
	if len(missing) > 0 {
		known := make([]string, 0, len(cat.releases))
		for _, r := range cat.releases {
			known = append(known, r.tkr.Name)
		}
		return &exitError{code: exitBadInput, err: fmt.Errorf("--tkr: %s %s not found %s; the known releases are: %s",
			plural(len(missing), "TanzuKubernetesRelease", "TanzuKubernetesReleases"), strings.Join(missing, ", "), cat.where, cmp.Or(strings.Join(known, ", "), "none"))}
	}
	rows, wanted := preflightRows(stderr, cat, shown)

	pool := vcenter.NewPool(vcenter.Options{})
	defer pool.Close()
	inv, err := pool.Inventory(ctx, ep)
	if err != nil {
		return &exitError{code: exitBadInput, err: fmt.Errorf("cannot read the VM templates of vCenter %s, datacenter %s: %w", ep.Server, ep.Datacenter, err)}
	}
	results, err := vsphere.Match(inv, wanted)
	var nf *vsphere.NotFoundError
	if err != nil && !errors.As(err, &nf) {
		return err
	}
	failed := fillPreflightRows(rows, results, nf)

	if o.output == "json" {
		err = printAs(stdout, "json", rows)
	} else {
		err = printPreflightTable(stdout, rows)
	}
	if err != nil {
		return err
	}
	switch {
	case len(rows) == 0:
		fmt.Fprintf(stderr, "No OSImages of image type %s to check %s.\n", vsphere.ImageTypeOVA, cat.where)
	case failed > 0 && o.output != "json":
		explainPreflight(stderr, rows)
	}
	if failed > 0 {
		return &exitError{code: exitDenied, err: fmt.Errorf("%d of %d OSImages have no usable VM template in vCenter %s, datacenter %s; a Cluster using them would be denied",
			failed, len(rows), ep.Server, inv.Datacenter)}
	}
	return nil
}

// fillPreflightRows writes into rows the template found for each or, when none is, the
// webhook's message for its query, and returns how many have a problem.
func fillPreflightRows(rows []preflightRow, results map[vsphere.Query]vsphere.Result, nf *vsphere.NotFoundError) int {
	misses := map[vsphere.Query]*vsphere.Miss{}
	if nf != nil {
		for i := range nf.Misses {
			misses[nf.Misses[i].Query] = &nf.Misses[i]
		}
	}
	failed := 0
	for i := range rows {
		r := &rows[i]
		if r.query != nil {
			if res, ok := results[*r.query]; ok {
				r.Template, r.MOID, r.OtherTemplates = res.TemplatePath, res.TemplateMOID, res.Others
			} else if m := misses[*r.query]; m != nil {
				r.Problem = strings.Join(append([]string{m.Summary()}, m.Details(nf.Datacenter, nf.Templates)...), "\n")
			}
		}
		if r.Problem != "" {
			failed++
		}
	}
	return failed
}

// preflightRows lists the ova OSImages of releases with their queries, and the queries with the
// parts asking them, as vsphere.Match takes them. OSImages a release lists that do not exist are
// reported on stderr and left out.
func preflightRows(stderr io.Writer, cat *preflightCatalog, releases []*release) ([]preflightRow, map[vsphere.Query][]string) {
	rows := []preflightRow{}
	wanted := map[vsphere.Query][]string{}
	for _, rel := range releases {
		for _, ref := range rel.tkr.Spec.OSImages {
			img, ok := cat.osImages[ref.Name]
			if !ok {
				fmt.Fprintf(stderr, "Warning: the TanzuKubernetesRelease %s lists the OSImage %s, which is not %s; it is not checked.\n", rel.tkr.Name, ref.Name, cat.where)
				continue
			}
			if img.Spec.Image.Type != vsphere.ImageTypeOVA {
				continue
			}
			row := preflightRow{TKR: rel.tkr.Name, OSImage: img.Name,
				OS: preflightOS{Name: img.Spec.OS.Name, Version: img.Spec.OS.Version, Arch: img.Spec.OS.Arch}}
			row.OVAVersion, _ = img.Spec.Image.Ref["version"].(string)
			q, err := vsphere.QueryForOSImage(rel.tkr, img)
			if err != nil {
				row.Problem = err.Error()
			} else {
				row.query = q
				wanted[*q] = append(wanted[*q], fmt.Sprintf("OSImage %s of TKR %s", img.Name, rel.tkr.Name))
			}
			rows = append(rows, row)
		}
	}
	return rows, wanted
}

func printPreflightTable(w io.Writer, rows []preflightRow) error {
	if len(rows) == 0 {
		return nil
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "TKR\tOSIMAGE\tOVA VERSION\tOS\tTEMPLATE\tMOID\tPROBLEM")
	for _, r := range rows {
		problem, _, _ := strings.Cut(r.Problem, "\n")
		fmt.Fprintln(tw, strings.Join([]string{r.TKR, r.OSImage, orNoneCell(r.OVAVersion), r.osString(),
			orNoneCell(r.Template), orNoneCell(r.MOID), orNoneCell(problem)}, "\t"))
	}
	return tw.Flush()
}

func orNoneCell(s string) string {
	if s == "" {
		return none
	}
	return s
}

// explainPreflight prints the full text of every distinct problem, which the table cuts to its
// first line.
func explainPreflight(w io.Writer, rows []preflightRow) {
	var seen []string
	for _, r := range rows {
		if r.Problem == "" || slices.Contains(seen, r.Problem) {
			continue
		}
		seen = append(seen, r.Problem)
		fmt.Fprintln(w)
		fmt.Fprintln(w, r.Problem)
	}
}

// filePreflightCatalog reads the TKRs and OSImages in paths, as tkr resolve and tkr get read
// them.
func filePreflightCatalog(s *runtime.Scheme, paths []string) (*preflightCatalog, error) {
	objs, err := catalog.Load(paths...)
	if err != nil {
		return nil, err
	}
	releases, err := releasesOf(s, objs)
	if err != nil {
		return nil, err
	}
	cat := &preflightCatalog{releases: releases, osImages: map[string]*runv1alpha3.OSImage{},
		where: "in the catalogue " + strings.Join(paths, ", ")}
	seen := map[string]catalog.Source{}
	for _, o := range catalog.Filter(objs, osImageGK) {
		img, err := decodeOSImage(s, o, seen)
		if err != nil {
			return nil, err
		}
		cat.osImages[img.Name] = img
	}
	sortReleases(cat.releases)
	return cat, nil
}

// clusterPreflightCatalog reads the TKRs and OSImages of the management cluster.
func clusterPreflightCatalog(ctx context.Context, c client.Client) (*preflightCatalog, error) {
	releases, err := clusterReleases(ctx, c)
	if err != nil {
		return nil, err
	}
	images := &runv1alpha3.OSImageList{}
	if err := c.List(ctx, images); err != nil {
		return nil, fmt.Errorf("cannot list the OSImages of the management cluster: %w", err)
	}
	cat := &preflightCatalog{releases: releases, osImages: map[string]*runv1alpha3.OSImage{}, where: "in the management cluster"}
	for i := range images.Items {
		cat.osImages[images.Items[i].Name] = &images.Items[i]
	}
	sortReleases(cat.releases)
	return cat, nil
}

// clusterEndpoint reads the Cluster named by arg (NAMESPACE/NAME, or NAME in namespace) and
// returns its vCenter endpoint with credentials, as the webhook reads them, and its TKR label.
func clusterEndpoint(ctx context.Context, c client.Client, namespace, arg string) (vcenter.Endpoint, string, error) {
	ns, name, ok := strings.Cut(arg, "/")
	if !ok {
		ns, name = namespace, arg
	}
	if ns == "" || name == "" || strings.Contains(name, "/") {
		return vcenter.Endpoint{}, "", &exitError{code: exitBadInput, err: fmt.Errorf("--cluster %q is not a Cluster: write it as NAMESPACE/NAME, or NAME for the kubeconfig's namespace", arg)}
	}
	key := ns + "/" + name
	cluster := &clusterv1.Cluster{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, cluster); err != nil {
		if apierrors.IsNotFound(err) {
			return vcenter.Endpoint{}, "", &exitError{code: exitBadInput, err: fmt.Errorf("--cluster: Cluster %s not found; list the Clusters with kubectl get clusters -A", key)}
		}
		return vcenter.Endpoint{}, "", fmt.Errorf("cannot read the Cluster %s: %w", key, err)
	}
	view, err := tkrdata.ForCluster(cluster)
	if err != nil {
		return vcenter.Endpoint{}, "", err
	}
	ep, err := vspheretemplate.EndpointFor(ctx, c, view)
	if err != nil {
		return vcenter.Endpoint{}, "", &exitError{code: exitBadInput, err: fmt.Errorf("cannot check the Cluster %s: %w", key, err)}
	}
	return ep, view.GetLabels()[runv1alpha3.LabelTKR], nil
}
