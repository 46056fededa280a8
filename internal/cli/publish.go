package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tkr-project/tkr/internal/publish"
	"github.com/tkr-project/tkr/internal/registry"
)

// publishOptions are the flags of tkr publish.
type publishOptions struct {
	target     publish.Target
	caCert     string
	insecure   bool
	skipVerify bool
	releases   []string
}

// newPublishCommand builds tkr publish.
func newPublishCommand() *cobra.Command {
	o := publishOptions{}
	cmd := &cobra.Command{
		Use:   "publish DIR --registry HOST[:PORT][/PREFIX]",
		Short: "Publish TKRs, BOMs and compatibility metadata to an OCI registry for the source controller",
		Long: `Publishes a TKR catalogue to an OCI registry in the layout the source controller reads (the
layout of a TKG registry, see docs/registry-layout.md), and prints the flags that point tkr manager
at it.

DIR is laid out like examples/:
  compatibility/metadata.yaml  the compatibility metadata (optional)
  boms/*.yaml                  TKR BOMs, one per file (optional)
  catalog/<release>/           one directory per release: its TKR, OSImages,
                               ClusterBootstrapTemplate and add-on configuration
Files directly in catalog/ configure the management cluster and are not published. DIR may also be
a single release directory. ConfigMaps labelled run.tanzu.vmware.com/additional-compatible-tkrs
configure the management cluster too: they are left out, with a note.

Everything is checked before anything is pushed. Package bundles go first, then the repository
bundles that point at them, the BOMs, and the compatibility metadata last, so a controller reading
the registry meanwhile never sees a reference to a missing image. Images already in the registry
are not pushed again. The compatibility metadata is tagged v1, or the newest vN is kept if it holds
the same file, or vN+1 is used.

Credentials come from the docker configuration (docker login). Exit status: 0 when everything is
published; 1 when the registry fails; 2 when DIR or the flags cannot be used.`,
		Example: `  tkr publish examples --registry localhost:5000/tkg
  tkr publish my-byo-tkr/ --registry registry.example.com/tkg --ca-cert ca.pem
  tkr publish examples --registry registry.example.com/tkg --release v1.24.9+vmware.1-tkg.1`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return &exitError{code: exitBadInput, err: fmt.Errorf("tkr publish needs exactly one directory to publish, but was given %d arguments %q", len(args), args)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPublish(cmd, args[0], o)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitBadInput, err: err}
	})
	f := cmd.Flags()
	f.StringVar(&o.target.Registry, "registry", "", "registry and optional prefix to publish to, e.g. registry.example.com:5000/tkg (required)")
	f.StringVar(&o.caCert, "ca-cert", "", "PEM file of the CA that signed the registry's certificate")
	f.BoolVar(&o.insecure, "insecure", false, "allow plain HTTP to the registry")
	f.BoolVar(&o.skipVerify, "skip-verify", false, "do not verify the registry's TLS certificate")
	f.StringVar(&o.target.CompatibilityPath, "compatibility-path", publish.DefaultCompatibilityPath, "repository of the compatibility metadata, below the registry prefix")
	f.StringVar(&o.target.BOMPath, "bom-path", publish.DefaultBOMPath, "repository of the TKR BOMs, below the registry prefix")
	f.StringVar(&o.target.RepositoryPath, "repository-path", publish.DefaultRepositoryPath, "repository of the repository bundles, below the registry prefix")
	f.StringVar(&o.target.PackagePath, "package-path", publish.DefaultPackagePath, "repository of the package bundles, below the registry prefix")
	f.StringSliceVar(&o.releases, "release", nil, "publish only this TKR version and its BOM (repeatable; the compatibility metadata is published anyway)")
	return cmd
}

// runPublish is the whole command: load, check, push, report.
func runPublish(cmd *cobra.Command, dir string, o publishOptions) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if strings.TrimSpace(o.target.Registry) == "" {
		return &exitError{code: exitBadInput, err: errors.New("no registry to publish to: name it with --registry HOST[:PORT][/PREFIX], e.g. --registry localhost:5000/tkg")}
	}
	if _, err := o.target.Check(); err != nil {
		return &exitError{code: exitBadInput, err: err}
	}
	opts := registry.Options{
		SkipVerify:  o.skipVerify,
		Insecure:    o.insecure,
		UseKeychain: true,
		UserAgent:   "tkr-publish",
		CAHint:      "pass the CA certificate that signed it with --ca-cert, or use --skip-verify",
	}
	if o.caCert != "" {
		data, err := os.ReadFile(o.caCert)
		if err != nil {
			return &exitError{code: exitBadInput, err: fmt.Errorf("cannot read the CA certificate file %s given with --ca-cert: %w", o.caCert, unwrapPathErr(err))}
		}
		opts.CACerts = data
	}
	client, err := registry.New(opts)
	if err != nil {
		return &exitError{code: exitBadInput, err: fmt.Errorf("--ca-cert %s: %w", o.caCert, err)}
	}

	layout, err := publish.LoadDir(dir)
	if err != nil {
		return &exitError{code: exitBadInput, err: err}
	}
	if err := layout.Select(o.releases); err != nil {
		return &exitError{code: exitBadInput, err: fmt.Errorf("--release: %w", err)}
	}
	for _, n := range layout.Notes {
		fmt.Fprintln(stderr, "Note: "+n)
	}

	res, err := publish.Push(cmd.Context(), client, o.target, layout)
	if res != nil {
		if perr := printPublished(stdout, res); perr != nil {
			return perr
		}
	}
	if err != nil {
		// A registry failure, not bad input; what was pushed before it is listed above and is
		// harmless, since nothing refers to an image that is missing.
		return &exitError{code: 1, err: err}
	}
	pushed := len(res.Pushed())
	fmt.Fprintf(stdout, "\nPublished %s to %s: %d images, %d pushed, %d already there.\n",
		summary(layout), res.Target.Registry, len(res.Images), pushed, len(res.Images)-pushed)
	fmt.Fprintln(stdout, "Point the source controller at it with these flags of tkr manager:")
	for _, f := range res.ManagerFlags() {
		fmt.Fprintln(stdout, "  "+f)
	}
	return nil
}

// printPublished lists the images of res, one a line: what happened, the kind, the reference.
func printPublished(w io.Writer, res *publish.Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, img := range res.Images {
		what := "unchanged"
		if img.Pushed {
			what = "pushed"
		}
		// The first column has a fixed width so that runs with and without "unchanged" look alike.
		fmt.Fprintf(tw, "%-9s %s\t%s@%s\n", what, img.Kind, img.Ref, img.Digest)
	}
	return tw.Flush()
}

// summary says in words what a layout holds, e.g. "5 releases, 3 BOMs and the compatibility
// metadata".
func summary(l *publish.Layout) string {
	var parts []string
	count := func(n int, one, many string) {
		switch n {
		case 0:
		case 1:
			parts = append(parts, "1 "+one)
		default:
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	count(len(l.Releases), "release", "releases")
	count(len(l.BOMs), "BOM", "BOMs")
	if l.Metadata != nil {
		parts = append(parts, "the compatibility metadata")
	}
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// unwrapPathErr drops the *os.PathError wrapper, whose message repeats the file name the
// message already gives.
func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
