/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package vcenter

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/vmware/govmomi/find"
	govsession "github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/tkr-project/tkr/internal/vcenter/vcentertest"
	"github.com/tkr-project/tkr/pkg/vsphere"
)

const (
	benchVMs       = 2000
	benchTemplates = 200
)

// The benchmarks' vcsim is built once per process, whichever benchmarks run.
var bench struct {
	once   sync.Once
	server *vcentertest.Server
	err    error
}

func TestMain(m *testing.M) {
	// vcsim's HTTP server logs every refused TLS handshake through the standard logger, and go
	// test prints a test binary's stderr among the benchmark lines, where benchstat cannot parse
	// them.
	log.SetOutput(io.Discard)
	code := m.Run()
	if bench.server != nil {
		bench.server.Close()
	}
	os.Exit(code)
}

func benchVersion(i int) string {
	return fmt.Sprintf("v1.%d.%d+vmware.1-tkg.1-%032x", 20+i/50, i%50, i)
}

// benchServer returns a vcsim with benchVMs VMs in 20 folders of dc0, every tenth a template
// (benchTemplates of them, each of its own OVA version); of the others, half are nodes cloned
// from a template (powered on, with userdata) and half are powered-off VMs of other versions.
func benchServer(b *testing.B) *vcentertest.Server {
	bench.once.Do(func() {
		begin := time.Now()
		images := make([]vcentertest.Image, 0, benchVMs)
		for i := range benchVMs {
			img := vcentertest.Image{
				Datacenter: "dc0", Folder: fmt.Sprintf("tkg/f%02d", i%20), Name: fmt.Sprintf("vm-%04d", i),
				DistroName: "ubuntu", DistroVersion: "20.04", DistroArch: "amd64",
			}
			switch {
			case i%10 == 0:
				img.Template, img.Version = true, benchVersion(i/10)
			case i%2 == 1:
				img.PoweredOn, img.Deployed, img.Version = true, true, benchVersion(i%benchTemplates)
			default:
				img.Version = benchVersion(benchTemplates + i)
			}
			images = append(images, img)
		}
		bench.server, bench.err = vcentertest.Start(images)
		if bench.err == nil {
			fmt.Fprintf(os.Stderr, "vcsim with %d VMs (%d templates) built in %v\n", benchVMs, benchTemplates, time.Since(begin).Round(time.Millisecond))
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.server
}

// benchWanted is an admission's: the control plane and one machine deployment.
func benchWanted() map[vsphere.Query][]string {
	return map[vsphere.Query][]string{
		ubuntuQuery(benchVersion(0)):                  {"control plane"},
		ubuntuQuery(benchVersion(benchTemplates - 1)): {"machine deployment md-0"},
	}
}

func checkBenchResult(b *testing.B, res map[vsphere.Query]vsphere.Result) {
	if got := res[ubuntuQuery(benchVersion(benchTemplates-1))].TemplatePath; got != "/dc0/vm/tkg/f10/vm-1990" {
		b.Fatalf("md-0 template = %q", got)
	}
}

// BenchmarkAdmissionIndexed is the webhook's admission with a warm index.
func BenchmarkAdmissionIndexed(b *testing.B) {
	s := benchServer(b)
	ctx := context.Background()
	p := NewPool(Options{Log: logr.Discard()})
	defer p.Close()
	ep := endpoint(s, "dc0")
	wanted := benchWanted()
	res, err := p.Resolve(ctx, ep, wanted)
	if err != nil {
		b.Fatal(err)
	}
	checkBenchResult(b, res)
	quiesce(b, p)
	before := p.RoundTrips()
	for b.Loop() {
		if _, err := p.Resolve(ctx, ep, wanted); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(p.RoundTrips()-before)/float64(b.N), "roundtrips/op")
}

// BenchmarkAdmissionFullScan is what the original did on every admission: log in, find the
// datacenter, list every VM, match, log out.
func BenchmarkAdmissionFullScan(b *testing.B) {
	s := benchServer(b)
	ctx := context.Background()
	ep := endpoint(s, "dc0")
	wanted := benchWanted()
	var trips atomic.Int64
	for b.Loop() {
		res, err := fullScan(ctx, ep, wanted, &trips)
		if err != nil {
			b.Fatal(err)
		}
		checkBenchResult(b, res)
	}
	b.ReportMetric(float64(trips.Load())/float64(b.N), "roundtrips/op")
}

// fullScan is the baseline: a new client and session per admission, and every VM's
// properties, including every node's whole extraConfig, read from vCenter each time.
func fullScan(ctx context.Context, ep Endpoint, wanted map[vsphere.Query][]string, trips *atomic.Int64) (map[vsphere.Query]vsphere.Result, error) {
	u, err := soap.ParseURL(ep.Server)
	if err != nil {
		return nil, fmt.Errorf("failed to parse vc host: %w", err)
	}
	u.User = nil
	sc := soap.NewClient(u, ep.Thumbprint == "")
	if ep.Thumbprint != "" {
		sc.SetThumbprint(u.Host, ep.Thumbprint)
	}
	sc.Namespace, sc.Version = "urn:"+vim25.Namespace, vim25.Version
	c, err := vim25.NewClient(ctx, &counter{next: sc, n: trips, timeout: 20 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("failed to create vc client: %w", err)
	}
	c.Client = sc
	m := govsession.NewManager(c)
	if err := m.Login(ctx, url.UserPassword(ep.Username, ep.Password)); err != nil {
		return nil, fmt.Errorf("failed to login to vSphere: cannot login to vc: %w", err)
	}
	defer func() { _ = m.Logout(context.WithoutCancel(ctx)) }()

	dc, err := find.NewFinder(c).Datacenter(ctx, ep.Datacenter)
	if err != nil {
		return nil, fmt.Errorf("failed to get the datacenter MOID: %w", err)
	}
	v, err := view.NewManager(c).CreateContainerView(ctx, dc.Reference(), []string{"VirtualMachine", "Folder"}, true)
	if err != nil {
		return nil, fmt.Errorf("failed to get K8s VM templates: %w", err)
	}
	defer func() { _ = v.Destroy(context.WithoutCancel(ctx)) }()
	var vms []mo.VirtualMachine
	if err := v.Retrieve(ctx, []string{"VirtualMachine"},
		[]string{"name", "parent", "config.template", "config.extraConfig", "config.vAppConfig", "runtime.powerState"}, &vms); err != nil {
		return nil, fmt.Errorf("failed to get K8s VM templates: %w", err)
	}
	var folders []mo.Folder
	if err := v.Retrieve(ctx, []string{"Folder"}, []string{"name", "parent"}, &folders); err != nil {
		return nil, fmt.Errorf("failed to get K8s VM templates: %w", err)
	}

	names := map[types.ManagedObjectReference]mo.Folder{}
	for _, f := range folders {
		names[f.Self] = f
	}
	var pathOf func(ref *types.ManagedObjectReference) string
	pathOf = func(ref *types.ManagedObjectReference) string {
		if ref == nil || *ref == dc.Reference() {
			return dc.InventoryPath
		}
		f, ok := names[*ref]
		if !ok {
			return dc.InventoryPath + "/?"
		}
		return pathOf(f.Parent) + "/" + f.Name
	}
	inv := &vsphere.Inventory{Datacenter: dc.InventoryPath}
	for _, vm := range vms {
		rec := vsphere.VM{Path: pathOf(vm.Parent) + "/" + vm.Name, MOID: vm.Self.Value,
			PoweredOff: vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOff}
		if vm.Config != nil {
			rec.Template = vm.Config.Template
			for _, o := range vm.Config.ExtraConfig {
				if o.GetOptionValue().Key == vsphere.UserDataKey {
					rec.Deployed = true
				}
			}
			if vm.Config.VAppConfig != nil {
				rec.OVA = vsphere.PropertiesFrom(vm.Config.VAppConfig.GetVmConfigInfo().Property)
			}
		}
		inv.VMs = append(inv.VMs, rec)
	}
	return vsphere.Match(inv, wanted)
}
