package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/tkr-project/tkr/pkg/vsphere"
)

// vcOptions are the connection settings, read as govc reads them: flags, else GOVC_* variables.
type vcOptions struct {
	url, username, password string
	insecure                bool
	govcJSON                string // -json parsed by pflag as -j son
	json                    bool
}

// newVCenterCommand is a small govc-compatible subset for inspecting VM templates.
func newVCenterCommand() *cobra.Command {
	o := &vcOptions{}
	cmd := &cobra.Command{
		Use:   "vcenter",
		Short: "Inspect VM templates in vCenter, like govc",
		Long: `A small govc-compatible subset for looking at the VM templates tkr matches, and for marking an
imported OVA as a template. The connection is set up as govc's: GOVC_URL (host, host:port or
https://[user:password@]host/sdk), GOVC_USERNAME, GOVC_PASSWORD, GOVC_INSECURE=1 to skip TLS
verification, and GOVC_DATACENTER for paths not starting with /. Flags override them.

Exit status: 0 on success; 1 when vCenter cannot be reached, refuses the login or has no such VM;
2 on bad input (no GOVC_URL, wrong arguments).`,
		Example: `  export GOVC_URL=https://user:password@127.0.0.1:8989/sdk GOVC_INSECURE=1
  tkr vcenter vm.info /dc0/vm/ubuntu-2004-kube-v1.24.9+vmware.1-tkg.1
  tkr vcenter vm.info -json /dc0/vm/ubuntu-2004-kube-v1.24.9+vmware.1-tkg.1 | grep -i defaultValue
  tkr vcenter vm.markastemplate /dc0/vm/ubuntu-2004-kube-v1.24.9+vmware.1-tkg.1`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &exitError{code: exitBadInput, err: fmt.Errorf("unknown command %q for tkr vcenter; use vm.info or vm.markastemplate", args[0])}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &exitError{code: exitBadInput, err: err} })
	f := cmd.PersistentFlags()
	f.StringVarP(&o.url, "url", "u", "", "vCenter URL: host, host:port or https://[user:password@]host/sdk (default: $GOVC_URL)")
	f.StringVar(&o.username, "username", "", "vCenter user (default: $GOVC_USERNAME, else the URL's)")
	f.StringVar(&o.password, "password", "", "vCenter password (default: $GOVC_PASSWORD, else the URL's)")
	f.BoolVarP(&o.insecure, "insecure", "k", false, "do not verify vCenter's TLS certificate (default: $GOVC_INSECURE)")

	info := &cobra.Command{
		Use:   "vm.info [-json] PATH",
		Short: "Show a VM's template flag, power state and vApp properties, and what tkr reads from them",
		Args:  vcOnePath,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.govcJSON != "" {
				// govc's single-dash -json[=BOOL] reaches pflag as the shorthand -j with value son[=BOOL].
				v, ok := strings.CutPrefix(o.govcJSON, "son")
				b, err := strconv.ParseBool(cmp.Or(strings.TrimPrefix(v, "="), "true"))
				if !ok || err != nil || (v != "" && v[0] != '=') {
					return &exitError{code: exitBadInput, err: fmt.Errorf("unknown flag -j%s; did you mean -json?", o.govcJSON)}
				}
				o.json = b
			}
			return vcRun(cmd, o, args[0], vcInfo)
		},
	}
	info.Flags().BoolVar(&o.json, "json", false, "print the VM as JSON, as govc vm.info -json does (-json works too)")
	info.Flags().StringVarP(&o.govcJSON, "govc-json", "j", "", "")
	_ = info.Flags().MarkHidden("govc-json")
	mark := &cobra.Command{
		Use:   "vm.markastemplate PATH",
		Short: "Mark a powered-off VM, e.g. an imported OVA, as a template",
		Args:  vcOnePath,
		RunE:  func(cmd *cobra.Command, args []string) error { return vcRun(cmd, o, args[0], vcMark) },
	}
	cmd.AddCommand(info, mark)
	return cmd
}

func vcOnePath(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return &exitError{code: exitBadInput, err: fmt.Errorf("tkr vcenter %s needs exactly one VM inventory path, e.g. /dc0/vm/NAME, but was given %q", cmd.Name(), args)}
	}
	return nil
}

// vcVM is a VM found by its inventory path.
type vcVM struct {
	path, server string
	mo           mo.VirtualMachine
}

// vcRun connects, finds the VM at path, runs do on it and logs out.
func vcRun(cmd *cobra.Command, o *vcOptions, path string, do func(context.Context, io.Writer, *vim25.Client, *vcOptions, *vcVM) error) error {
	u, user, err := o.endpoint()
	if err != nil {
		return &exitError{code: exitBadInput, err: err}
	}
	server := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	ctx, cancel := context.WithTimeout(cmd.Context(), time.Minute)
	defer cancel()
	c, err := vim25.NewClient(ctx, soap.NewClient(u, o.insecure))
	if err != nil {
		if soap.IsCertificateUntrusted(err) {
			return fmt.Errorf("the TLS certificate of vCenter %s is not trusted: %v; set GOVC_INSECURE=1 (or pass --insecure) to skip the check", server, err)
		}
		return fmt.Errorf("cannot reach vCenter %s: %v; check GOVC_URL (or --url) and that vCenter is up", server, err)
	}
	defer c.CloseIdleConnections()
	sm := session.NewManager(c)
	if err := sm.Login(ctx, user); err != nil {
		return fmt.Errorf("cannot log in to vCenter %s as %q: %v; check GOVC_USERNAME and GOVC_PASSWORD (or --username and --password, or the user:password in GOVC_URL)", server, user.Username(), err)
	}
	defer func() {
		lctx, lcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer lcancel()
		_ = sm.Logout(lctx)
	}()

	if !strings.HasPrefix(path, "/") {
		if dc := strings.Trim(os.Getenv("GOVC_DATACENTER"), "/"); dc != "" {
			path = "/" + dc + "/vm/" + path
		} else {
			path = "/" + path
		}
	}
	vm := &vcVM{path: path, server: server}
	ref, err := object.NewSearchIndex(c).FindByInventoryPath(ctx, path)
	if err != nil {
		return fmt.Errorf("cannot look up %s in vCenter %s: %w", path, server, err)
	}
	if ref == nil || ref.Reference().Type != "VirtualMachine" {
		return fmt.Errorf("no VM at %s in vCenter %s; check the path: it must be an inventory path /<datacenter>/vm/[<folder>/]<name>", path, server)
	}
	props := []string{"name", "config.template", "config.vAppConfig", "config.extraConfig", "runtime.powerState"}
	if err := property.DefaultCollector(c).RetrieveOne(ctx, ref.Reference(), props, &vm.mo); err != nil {
		return fmt.Errorf("cannot read the VM %s in vCenter %s: %w", path, server, err)
	}
	return do(ctx, cmd.OutOrStdout(), c, o, vm)
}

// endpoint returns the SDK URL and the login, flags first, then the GOVC_* variables.
func (o *vcOptions) endpoint() (*url.URL, *url.Userinfo, error) {
	raw := cmp.Or(o.url, os.Getenv("GOVC_URL"))
	if strings.TrimSpace(raw) == "" {
		return nil, nil, errors.New("no vCenter to connect to: set GOVC_URL (e.g. GOVC_URL=https://user:password@127.0.0.1:8989/sdk) or pass --url")
	}
	u, err := soap.ParseURL(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return nil, nil, fmt.Errorf("GOVC_URL or --url %q is not a vCenter host, host:port or https://host/sdk URL", raw)
	}
	password, _ := u.User.Password()
	user := url.UserPassword(cmp.Or(o.username, os.Getenv("GOVC_USERNAME"), u.User.Username()), cmp.Or(o.password, os.Getenv("GOVC_PASSWORD"), password))
	if user.Username() == "" {
		return nil, nil, errors.New("no vCenter user: set GOVC_USERNAME, pass --username or write it into GOVC_URL as https://user:password@host/sdk")
	}
	switch strings.ToLower(os.Getenv("GOVC_INSECURE")) {
	case "1", "true":
		o.insecure = true
	}
	return u, user, nil
}

func vcInfo(_ context.Context, w io.Writer, _ *vim25.Client, o *vcOptions, vm *vcVM) error {
	v := vsphere.VM{Path: vm.path, MOID: vm.mo.Self.Value, PoweredOff: vm.mo.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOff}
	var props []types.VAppPropertyInfo
	if cfg := vm.mo.Config; cfg != nil {
		v.Template = cfg.Template
		if vapp, ok := cfg.VAppConfig.(*types.VmConfigInfo); ok && vapp != nil {
			props = vapp.Property
		}
		for _, opt := range cfg.ExtraConfig {
			v.Deployed = v.Deployed || opt.GetOptionValue().Key == vsphere.UserDataKey
		}
		cfg.ExtraConfig = nil // a node's userdata holds secrets; only whether it is there matters
	}
	v.OVA = vsphere.PropertiesFrom(props)
	if o.json {
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(map[string][]mo.VirtualMachine{"virtualMachines": {vm.mo}})
	}
	fmt.Fprintf(w, "Name:        %s\nPath:        %s\nMOID:        %s\nTemplate:    %t\nPower state: %s\n",
		vm.mo.Name, vm.path, v.MOID, v.Template, vm.mo.Runtime.PowerState)
	if len(props) == 0 {
		fmt.Fprintln(w, "vApp properties: none")
	} else {
		fmt.Fprintln(w, "vApp properties:")
		tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
		fmt.Fprintln(tw, "  CATEGORY\tID\tVALUE\tDEFAULT VALUE")
		for _, p := range props {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", p.Category, p.Id, p.Value, p.DefaultValue)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	switch {
	case v.OVA.Version == "":
		fmt.Fprintf(w, "tkr cannot use it as an image: it has no vApp property VERSION of category %q, as image-builder's OVAs have\n", vsphere.PropertyCategory)
	case v.Deployed:
		fmt.Fprintf(w, "tkr cannot use it as an image: its extraConfig has %s, so it is a cluster node cloned from an image, not an image\n", vsphere.UserDataKey)
	case !v.Template:
		todo := "mark it as a template with"
		if !v.PoweredOff {
			todo = "power it off, then mark it as a template with"
		}
		fmt.Fprintf(w, "tkr cannot use it as an image until it is a template (it would match as: %s); %s: tkr vcenter vm.markastemplate %s\n",
			v.Key().Describe(), todo, vm.path)
	default:
		fmt.Fprintf(w, "tkr matches it as: %s\n", v.Key().Describe())
	}
	return nil
}

func vcMark(ctx context.Context, w io.Writer, c *vim25.Client, _ *vcOptions, vm *vcVM) error {
	moid := vm.mo.Self.Value
	switch {
	case vm.mo.Config != nil && vm.mo.Config.Template:
		fmt.Fprintf(w, "%s (%s) is already a template.\n", vm.path, moid)
		return nil
	case vm.mo.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff:
		return fmt.Errorf("cannot mark %s (%s) in vCenter %s as a template: it is %s; power it off first", vm.path, moid, vm.server, vm.mo.Runtime.PowerState)
	}
	if err := object.NewVirtualMachine(c, vm.mo.Self).MarkAsTemplate(ctx); err != nil {
		return fmt.Errorf("cannot mark %s (%s) in vCenter %s as a template: %w", vm.path, moid, vm.server, err)
	}
	fmt.Fprintf(w, "Marked %s (%s) as a template.\n", vm.path, moid)
	return nil
}
