/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

// Package vcentertest runs a simulated vCenter (govmomi's vcsim, VPX model) on loopback over
// TLS, holding the VMs and VM templates a test describes, for the tests of internal/vcenter and
// of the packages that use it.
//
// The simulator is reached through a TCP relay the Server owns, so a test can take vCenter off
// the network ([Server.Stop]) and bring it back on the same address ([Server.Restart]) while the
// simulated inventory stays as it was.
package vcentertest

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/tkr-project/tkr/pkg/vsphere"
)

// Image is one VM or VM template in the simulated inventory.
type Image struct {
	// Datacenter is the datacenter's name, e.g. "dc0"; it is created when missing.
	Datacenter string
	// Folder is the folder path below the datacenter's vm folder, e.g. "tkg/templates"; missing
	// folders are created. Empty means the vm folder itself.
	Folder string
	Name   string
	// Template marks the VM as a template; a template cannot be powered on.
	Template bool
	// PoweredOn powers the VM on.
	PoweredOn bool
	// Deployed gives the VM the extraConfig key guestinfo.userdata, as Cluster API Provider
	// vSphere gives every node it clones.
	Deployed bool
	// Version, DistroName, DistroVersion and DistroArch become the vApp properties VERSION,
	// DISTRO_NAME, DISTRO_VERSION and DISTRO_ARCH of category vsphere.PropertyCategory, kept in
	// DefaultValue with an empty Value, as an imported OVA has them. A VM with none of them has
	// no vApp properties.
	Version, DistroName, DistroVersion, DistroArch string
}

// Path returns the image's inventory path, e.g. /dc0/vm/tkg/templates/name.
func (img Image) Path() string {
	return path.Join("/", img.Datacenter, "vm", img.Folder, img.Name)
}

// Server is a running simulated vCenter.
type Server struct {
	// URL is the SDK URL, https://127.0.0.1:port/sdk.
	URL string
	// Host is 127.0.0.1:port.
	Host string
	// Username and Password are the only credentials the simulator accepts.
	Username, Password string
	// Thumbprint is the SHA-1 thumbprint of the server's certificate, "AA:BB:...".
	Thumbprint string

	model  *simulator.Model
	sim    *simulator.Server
	client *vim25.Client // in process, no HTTP and no session
	relay  *relay
	dsDir  string

	mu      sync.Mutex
	dcs     map[string]*datacenter
	folders map[string]*object.Folder // by inventory path
	moids   map[string]string         // VM inventory path → MOID
	closed  bool
}

type datacenter struct {
	folders *object.DatacenterFolders
	host    *object.HostSystem
	pool    *object.ResourcePool
	ds      string
}

// Start runs a simulated vCenter holding images on a free loopback port. Close it when done.
func Start(images []Image) (*Server, error) { return StartAt("127.0.0.1:0", images) }

// StartAt is Start listening on addr, e.g. 127.0.0.1:8989 for the playground, whose example
// Cluster names that server.
func StartAt(addr string, images []Image) (*Server, error) {
	m := simulator.VPX()
	// No default inventory: datacenters, hosts and datastores are made for the images.
	m.Datacenter, m.Portgroup, m.Host, m.Cluster, m.ClusterHost, m.Datastore, m.Machine = 0, 0, 0, 0, 0, 0, 0
	m.Autostart = false
	if err := m.Create(); err != nil {
		return nil, fmt.Errorf("vcsim: create model: %w", err)
	}
	s := &Server{
		model:    m,
		Username: "tkr@vsphere.local",
		Password: randomHex(12),
		dcs:      map[string]*datacenter{},
		folders:  map[string]*object.Folder{},
		moids:    map[string]string{},
	}
	var err error
	if s.dsDir, err = os.MkdirTemp("", "vcentertest-"); err != nil {
		m.Remove()
		return nil, err
	}
	s.client, err = vim25.NewClient(context.Background(), m.Service)
	if err != nil {
		s.cleanup()
		return nil, fmt.Errorf("vcsim: in-process client: %w", err)
	}
	m.Service.TLS = new(tls.Config)
	m.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword(s.Username, s.Password)}
	s.sim = m.Service.NewServer()
	s.Thumbprint = soap.ThumbprintSHA1(s.sim.Certificate())

	s.relay, err = newRelay(addr, s.sim.Listener.Addr().String())
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Host = s.relay.addr
	s.URL = (&url.URL{Scheme: "https", Host: s.Host, Path: "/sdk"}).String()

	for _, img := range images {
		if _, err := s.Add(img); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Close stops the server. Requests in flight (a property collector's long poll) are cut off;
// Close does not wait for the simulator to finish them.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	if s.relay != nil {
		s.relay.stop()
	}
	if s.sim == nil {
		s.cleanup()
		return
	}
	s.sim.CloseClientConnections()
	// The simulator answers a WaitForUpdatesEx only when its MaxWaitSeconds are up, even when the
	// client is gone, and Close waits for every handler; so it is left to finish in the background.
	go func() {
		s.sim.Close()
		s.cleanup()
	}()
}

func (s *Server) cleanup() {
	s.model.Remove()
	if s.dsDir != "" {
		_ = os.RemoveAll(s.dsDir)
	}
}

// Stop takes vCenter off the network: connections are refused and open ones are cut. The
// inventory and the sessions are kept (see [Server.TerminateSessions]).
func (s *Server) Stop() { s.relay.stop() }

// Restart puts a stopped vCenter back on the network on the same address.
func (s *Server) Restart() error { return s.relay.start() }

// Add creates img (and its datacenter and folders when missing) and returns its MOID.
func (s *Server) Add(img Image) (string, error) {
	ctx := context.Background()
	if img.Datacenter == "" || img.Name == "" {
		return "", errors.New("vcsim: an image needs a datacenter and a name")
	}
	if img.Template && img.PoweredOn {
		return "", fmt.Errorf("vcsim: %s: a template cannot be powered on", img.Path())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dc, err := s.datacenter(ctx, img.Datacenter)
	if err != nil {
		return "", err
	}
	folder, err := s.folder(ctx, img.Datacenter, img.Folder)
	if err != nil {
		return "", err
	}
	spec := types.VirtualMachineConfigSpec{
		Name:    img.Name,
		GuestId: string(types.VirtualMachineGuestOsIdentifierOtherGuest),
		Files:   &types.VirtualMachineFileInfo{VmPathName: "[" + dc.ds + "]"},
	}
	if img.Deployed {
		spec.ExtraConfig = []types.BaseOptionValue{&types.OptionValue{Key: vsphere.UserDataKey, Value: "I2Nsb3VkLWNvbmZpZwo="}}
	}
	var props []types.VAppPropertySpec
	for i, p := range []struct{ id, v string }{
		{vsphere.PropertyVersion, img.Version},
		{vsphere.PropertyDistroName, img.DistroName},
		{vsphere.PropertyDistroVersion, img.DistroVersion},
		{vsphere.PropertyDistroArch, img.DistroArch},
	} {
		if p.v == "" {
			continue
		}
		props = append(props, types.VAppPropertySpec{
			ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
			Info: &types.VAppPropertyInfo{
				Key: int32(i), Id: p.id, Category: vsphere.PropertyCategory, Type: "string", DefaultValue: p.v,
			},
		})
	}
	if len(props) > 0 {
		spec.VAppConfig = &types.VmConfigSpec{Property: props}
	}
	task, err := folder.CreateVM(ctx, spec, dc.pool, dc.host)
	if err != nil {
		return "", fmt.Errorf("vcsim: create %s: %w", img.Path(), err)
	}
	res, err := s.wait(task)
	if err != nil {
		return "", fmt.Errorf("vcsim: create %s: %w", img.Path(), err)
	}
	vm := object.NewVirtualMachine(s.client, res.(types.ManagedObjectReference))
	switch {
	case img.Template:
		if err := vm.MarkAsTemplate(ctx); err != nil {
			return "", fmt.Errorf("vcsim: mark %s as a template: %w", img.Path(), err)
		}
	case img.PoweredOn:
		task, err := vm.PowerOn(ctx)
		if err == nil {
			_, err = s.wait(task)
		}
		if err != nil {
			return "", fmt.Errorf("vcsim: power on %s: %w", img.Path(), err)
		}
	}
	s.moids[img.Path()] = vm.Reference().Value
	return vm.Reference().Value, nil
}

// wait waits for a simulator task and returns its result. Task.WaitForResult and the
// simulator's own Task.Wait look every 10 to 20 ms, which makes thousands of VMs take minutes; the
// task's state is read here directly from the simulator's registry instead.
func (s *Server) wait(task *object.Task) (types.AnyType, error) {
	t, ok := s.model.Map().Get(task.Reference()).(*simulator.Task)
	if !ok {
		return nil, fmt.Errorf("vcsim: no task %s", task.Reference())
	}
	var info types.TaskInfo
	for delay := time.Microsecond; ; delay = min(2*delay, time.Millisecond) {
		s.model.Map().WithLock(&simulator.Context{}, t, func() { info = t.Info })
		switch info.State {
		case types.TaskInfoStateSuccess:
			return info.Result, nil
		case types.TaskInfoStateError:
			if info.Error != nil {
				return nil, soap.WrapVimFault(info.Error.Fault)
			}
			return nil, errors.New("vcsim: task failed")
		}
		time.Sleep(delay)
	}
}

// datacenter returns the datacenter named name, creating it with one standalone host and one
// local datastore when missing. s.mu is held.
func (s *Server) datacenter(ctx context.Context, name string) (*datacenter, error) {
	if dc, ok := s.dcs[name]; ok {
		return dc, nil
	}
	root := object.NewRootFolder(s.client)
	obj, err := root.CreateDatacenter(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("vcsim: create datacenter %s: %w", name, err)
	}
	folders, err := obj.Folders(ctx)
	if err != nil {
		return nil, err
	}
	task, err := folders.HostFolder.AddStandaloneHost(ctx, types.HostConnectSpec{HostName: name + "-esx0"}, true, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("vcsim: add a host to %s: %w", name, err)
	}
	res, err := s.wait(task)
	if err != nil {
		return nil, fmt.Errorf("vcsim: add a host to %s: %w", name, err)
	}
	host := object.NewHostSystem(s.client, res.(types.ManagedObjectReference))
	dss, err := host.ConfigManager().DatastoreSystem(ctx)
	if err != nil {
		return nil, err
	}
	dir := path.Join(s.dsDir, name)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, err
	}
	ds := name + "-ds0"
	if _, err := dss.CreateLocalDatastore(ctx, ds, dir); err != nil {
		return nil, fmt.Errorf("vcsim: create datastore of %s: %w", name, err)
	}
	pool, err := host.ResourcePool(ctx)
	if err != nil {
		return nil, err
	}
	dc := &datacenter{folders: folders, host: host, pool: pool, ds: ds}
	s.dcs[name] = dc
	s.folders[path.Join("/", name, "vm")] = folders.VmFolder
	return dc, nil
}

// folder returns the folder at rel below dc's vm folder, creating what is missing. s.mu is held.
func (s *Server) folder(ctx context.Context, dc, rel string) (*object.Folder, error) {
	p := path.Join("/", dc, "vm")
	f := s.folders[p]
	for _, name := range strings.Split(rel, "/") {
		if name == "" {
			continue
		}
		p = path.Join(p, name)
		if child, ok := s.folders[p]; ok {
			f = child
			continue
		}
		child, err := f.CreateFolder(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("vcsim: create folder %s: %w", p, err)
		}
		s.folders[p] = child
		f = child
	}
	return f, nil
}

// MOID returns the MOID of the VM at inventory path p, or "" when there is none.
func (s *Server) MOID(p string) string {
	s.mu.Lock()
	moid, ok := s.moids[p]
	s.mu.Unlock()
	if ok {
		return moid
	}
	ref, err := object.NewSearchIndex(s.client).FindByInventoryPath(context.Background(), p)
	if err != nil || ref == nil {
		return ""
	}
	return ref.Reference().Value
}

func (s *Server) vm(p string) (*object.VirtualMachine, error) {
	moid := s.MOID(p)
	if moid == "" {
		return nil, fmt.Errorf("vcsim: no VM at %s", p)
	}
	return object.NewVirtualMachine(s.client, types.ManagedObjectReference{Type: "VirtualMachine", Value: moid}), nil
}

// MarkAsTemplate turns the powered-off VM at inventory path p into a template, as
// govc vm.markastemplate does. Like some vCenters, the simulator reports no property change for
// it, so only a re-list sees it.
func (s *Server) MarkAsTemplate(p string) error {
	vm, err := s.vm(p)
	if err != nil {
		return err
	}
	return vm.MarkAsTemplate(context.Background())
}

// SetProperty sets the Value of the vApp property id (category vsphere.PropertyCategory) of the
// VM at inventory path p, keeping its DefaultValue, as a value given at deploy time is kept.
// vCenter (and vcsim) allow it on VMs, not on templates. vcsim's property collector does not
// report the change.
func (s *Server) SetProperty(p, id, value string) error {
	ctx := context.Background()
	vm, err := s.vm(p)
	if err != nil {
		return err
	}
	var o mo.VirtualMachine
	if err := vm.Properties(ctx, vm.Reference(), []string{"config.vAppConfig"}, &o); err != nil {
		return err
	}
	if o.Config == nil || o.Config.VAppConfig == nil {
		return fmt.Errorf("vcsim: %s has no vApp properties", p)
	}
	for _, info := range o.Config.VAppConfig.GetVmConfigInfo().Property {
		if info.Id != id || info.Category != vsphere.PropertyCategory {
			continue
		}
		info.Value = value
		task, err := vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{VAppConfig: &types.VmConfigSpec{
			Property: []types.VAppPropertySpec{{
				ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationEdit},
				Info:            &info,
			}},
		}})
		if err != nil {
			return err
		}
		_, err = s.wait(task)
		return err
	}
	return fmt.Errorf("vcsim: %s has no vApp property %s", p, id)
}

// PowerOn powers on the VM at inventory path p.
func (s *Server) PowerOn(p string) error { return s.power(p, true) }

// PowerOff powers off the VM at inventory path p.
func (s *Server) PowerOff(p string) error { return s.power(p, false) }

func (s *Server) power(p string, on bool) error {
	vm, err := s.vm(p)
	if err != nil {
		return err
	}
	ctx := context.Background()
	var task *object.Task
	if on {
		task, err = vm.PowerOn(ctx)
	} else {
		task, err = vm.PowerOff(ctx)
	}
	if err == nil {
		_, err = s.wait(task)
	}
	return err
}

// Destroy deletes the VM at inventory path p.
func (s *Server) Destroy(p string) error {
	ctx := context.Background()
	vm, err := s.vm(p)
	if err != nil {
		return err
	}
	task, err := vm.Destroy(ctx)
	if err != nil {
		return err
	}
	if _, err := s.wait(task); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.moids, p)
	s.mu.Unlock()
	return nil
}

// Sessions returns the keys of the sessions logged in to the simulator.
func (s *Server) Sessions() ([]string, error) {
	var sm mo.SessionManager
	pc := property.DefaultCollector(s.client)
	if err := pc.RetrieveOne(context.Background(), *s.client.ServiceContent.SessionManager, []string{"sessionList"}, &sm); err != nil {
		return nil, err
	}
	keys := make([]string, len(sm.SessionList))
	for i, us := range sm.SessionList {
		keys[i] = us.Key
	}
	return keys, nil
}

// TerminateSessions ends every session, as vCenter does when a session times out or vCenter
// restarts; a client then gets NotAuthenticated.
func (s *Server) TerminateSessions() error {
	keys, err := s.Sessions()
	if err != nil || len(keys) == 0 {
		return err
	}
	_, err = methods.TerminateSession(context.Background(), s.client, &types.TerminateSession{
		This:      *s.client.ServiceContent.SessionManager,
		SessionId: keys,
	})
	return err
}

// relay forwards TCP connections from a loopback address to the simulator, and can stop
// listening (closing the connections it forwards) and listen again on the same address.
type relay struct {
	addr, target string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func newRelay(addr, target string) (*relay, error) {
	r := &relay{addr: addr, target: target, conns: map[net.Conn]struct{}{}}
	if err := r.start(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *relay) start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ln != nil {
		return nil
	}
	var ln net.Listener
	var err error
	// The address may linger for a moment after stop.
	for range 50 {
		if ln, err = net.Listen("tcp", r.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("vcsim: listen on %s: %w", r.addr, err)
	}
	r.ln = ln
	r.addr = ln.Addr().String()
	r.wg.Add(1)
	go r.accept(ln)
	return nil
}

func (r *relay) accept(ln net.Listener) {
	defer r.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		if r.ln != ln { // stopped meanwhile
			r.mu.Unlock()
			_ = c.Close()
			return
		}
		r.conns[c] = struct{}{}
		r.mu.Unlock()
		go r.forward(c)
	}
}

func (r *relay) forward(c net.Conn) {
	defer func() {
		r.mu.Lock()
		delete(r.conns, c)
		r.mu.Unlock()
		_ = c.Close()
	}()
	up, err := net.Dial("tcp", r.target)
	if err != nil {
		return
	}
	r.mu.Lock()
	r.conns[up] = struct{}{}
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.conns, up)
		r.mu.Unlock()
		_ = up.Close()
	}()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
}

func (r *relay) stop() {
	r.mu.Lock()
	if r.ln != nil {
		_ = r.ln.Close()
		r.ln = nil
	}
	for c := range r.conns {
		_ = c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
}
