/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package vcenter

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/tkr-project/tkr/pkg/vsphere"
)

// userDataPath asks vCenter only whether a VM has the userdata key, not for the (large) value
// of every node's extraConfig.
var userDataPath = `config.extraConfig["` + vsphere.UserDataKey + `"]`

// The properties the index keeps. The inventory path of a VM is made of the names of its parent
// folders (and vApps) up to the datacenter.
var (
	vmProperties     = []string{"name", "parent", "parentVApp", "config.template", userDataPath, "config.vAppConfig", "runtime.powerState"}
	folderProperties = []string{"name", "parent"}
	vAppProperties   = []string{"name", "parentFolder", "parentVApp"}
	viewTypes        = []string{"VirtualMachine", "Folder", "VirtualApp"}
)

const (
	// pollWait is how long one WaitForUpdatesEx waits for a change before it returns empty.
	pollWait = 30 * time.Second
	// minBackoff and maxBackoff bound the wait before a failed watch is started again.
	minBackoff = time.Second
	maxBackoff = time.Minute
)

type kind uint8

const (
	kindVM kind = iota + 1
	kindFolder
	kindVApp
)

func kindOf(typ string) kind {
	switch typ {
	case "VirtualMachine":
		return kindVM
	case "Folder":
		return kindFolder
	case "VirtualApp":
		return kindVApp
	}
	return 0
}

// object is what the index knows of one VM, folder or vApp.
type object struct {
	kind                             kind
	name                             string
	parent, parentVApp, parentFolder string // MOIDs
	template, poweredOff, deployed   bool
	ova                              vsphere.OVAProperties
}

// container returns the MOID of the folder or vApp that holds o.
func (o *object) container() string {
	switch {
	case o.kind == kindVApp && o.parentFolder != "":
		return o.parentFolder
	case o.parent != "":
		return o.parent
	}
	return o.parentVApp
}

func (o *object) set(name string, val types.AnyType) {
	switch name {
	case "name":
		o.name, _ = val.(string)
	case "parent":
		o.parent = moid(val)
	case "parentVApp":
		o.parentVApp = moid(val)
	case "parentFolder":
		o.parentFolder = moid(val)
	case "config.template":
		o.template, _ = val.(bool)
	case userDataPath:
		o.deployed = hasUserData(val)
	case "config.vAppConfig":
		o.ova = ovaOf(val)
	case "runtime.powerState":
		switch ps := val.(type) {
		case types.VirtualMachinePowerState:
			o.poweredOff = ps == types.VirtualMachinePowerStatePoweredOff
		case string:
			o.poweredOff = ps == string(types.VirtualMachinePowerStatePoweredOff)
		default:
			o.poweredOff = false
		}
	}
}

func moid(val types.AnyType) string {
	switch ref := val.(type) {
	case types.ManagedObjectReference:
		return ref.Value
	case *types.ManagedObjectReference:
		if ref != nil {
			return ref.Value
		}
	}
	return ""
}

func hasUserData(val types.AnyType) bool {
	switch ov := val.(type) {
	case nil:
		return false
	case types.OptionValue:
		return ov.Key == vsphere.UserDataKey
	case *types.OptionValue:
		return ov != nil && ov.Key == vsphere.UserDataKey
	}
	return true
}

func ovaOf(val types.AnyType) vsphere.OVAProperties {
	switch info := val.(type) {
	case types.VmConfigInfo:
		return vsphere.PropertiesFrom(info.Property)
	case types.BaseVmConfigInfo:
		if c := info.GetVmConfigInfo(); c != nil {
			return vsphere.PropertiesFrom(c.Property)
		}
	}
	return vsphere.OVAProperties{}
}

// state is the index's record of every object of the datacenter's container view, by MOID.
type state map[string]*object

// add records one object of a RetrieveProperties. A property vCenter could not read because
// the session is gone makes the whole list fail with NotAuthenticated, so that it is retried
// after logging in again.
func (st state) add(oc types.ObjectContent) error {
	k := kindOf(oc.Obj.Type)
	if k == 0 {
		return nil
	}
	for _, m := range oc.MissingSet {
		if fault.Is(m.Fault.Fault, &types.NotAuthenticated{}) {
			return soap.WrapVimFault(&types.NotAuthenticated{})
		}
	}
	o := &object{kind: k}
	for _, p := range oc.PropSet {
		o.set(p.Name, p.Val)
	}
	st[oc.Obj.Value] = o
	return nil
}

// apply applies a property collector's updates.
func (st state) apply(updates []types.ObjectUpdate) {
	for _, u := range updates {
		k := kindOf(u.Obj.Type)
		if k == 0 {
			continue
		}
		id := u.Obj.Value
		if u.Kind == types.ObjectUpdateKindLeave {
			delete(st, id)
			continue
		}
		o := st[id]
		if o == nil || u.Kind == types.ObjectUpdateKindEnter {
			o = &object{kind: k}
			st[id] = o
		}
		for _, c := range u.ChangeSet {
			switch c.Op {
			case types.PropertyChangeOpRemove, types.PropertyChangeOpIndirectRemove:
				o.set(c.Name, nil)
			default:
				o.set(c.Name, c.Val)
			}
		}
	}
}

// inventory makes the immutable inventory readers get: every VM whose folder chain up to the
// datacenter (dc, at dcPath) is known, ordered by path and MOID.
func (st state) inventory(dc, dcPath string) *vsphere.Inventory {
	paths := map[string]string{dc: dcPath}
	var pathOf func(id string, depth int) (string, bool)
	pathOf = func(id string, depth int) (string, bool) {
		if p, ok := paths[id]; ok {
			return p, true
		}
		o := st[id]
		if o == nil || o.kind == kindVM || depth > 64 {
			return "", false
		}
		parent, ok := pathOf(o.container(), depth+1)
		if !ok {
			return "", false
		}
		p := parent + "/" + o.name
		paths[id] = p
		return p, true
	}
	inv := &vsphere.Inventory{Datacenter: dcPath}
	for id, o := range st {
		if o.kind != kindVM {
			continue
		}
		dir, ok := pathOf(o.container(), 0)
		if !ok {
			continue // not (yet) placed in the datacenter's folders; the next update or list places it
		}
		inv.VMs = append(inv.VMs, vsphere.VM{
			Path:       dir + "/" + o.name,
			MOID:       id,
			Template:   o.template,
			PoweredOff: o.poweredOff,
			Deployed:   o.deployed,
			OVA:        o.ova,
		})
	}
	slices.SortFunc(inv.VMs, func(a, b vsphere.VM) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.MOID, b.MOID))
	})
	return inv
}

// snapshot is what readers of an index see; it is never modified.
type snapshot struct {
	inv *vsphere.Inventory
	// listed is when the last full list (or the watch's initial sync) started: the inventory
	// is at least as fresh.
	listed time.Time
}

// index keeps the inventory of one datacenter of one login current.
type index struct {
	pool *Pool
	sess *session
	key  indexKey
	log  logr.Logger

	ready chan struct{} // closed when the first build is done
	err   error         // the build's error; set before ready is closed

	lastUsed atomic.Int64 // unix nanoseconds

	ctx     context.Context // cancelled when the index is dropped
	cancel  context.CancelFunc
	cleanup atomic.Bool    // the index is dropped but its session lives on: destroy its objects
	wg      sync.WaitGroup // the watch and resync goroutines

	dc     types.ManagedObjectReference // set by build
	dcPath string

	viewMu  sync.Mutex
	view    types.ManagedObjectReference // a ContainerView of the datacenter's VMs, folders and vApps
	viewGen uint64                       // the login it belongs to

	watching     chan struct{} // closed when the first watch has applied its initial sync
	watchingOnce sync.Once

	mu         sync.Mutex // guards state
	state      state
	snap       atomic.Pointer[snapshot]
	refreshSem chan struct{} // one list at a time
}

func newIndex(p *Pool, s *session, key indexKey) *index {
	ctx, cancel := context.WithCancel(p.ctx)
	ix := &index{
		pool:       p,
		sess:       s,
		key:        key,
		log:        s.log.WithValues("datacenter", key.datacenter),
		ready:      make(chan struct{}),
		watching:   make(chan struct{}),
		ctx:        ctx,
		cancel:     cancel,
		refreshSem: make(chan struct{}, 1),
	}
	ix.touch()
	return ix
}

func (ix *index) touch() { ix.lastUsed.Store(time.Now().UnixNano()) }

// build logs in (unless the session is), finds the datacenter and lists it, then starts
// keeping the index current. Errors leave the index out of the pool.
func (ix *index) build() {
	defer ix.pool.wg.Done()
	err := ix.sess.connect(ix.ctx)
	if err == nil {
		err = ix.findDatacenter(ix.ctx)
	}
	if err == nil {
		var st state
		var started time.Time
		if st, started, err = ix.list(ix.ctx); err == nil {
			ix.replace(st, started)
		} else {
			err = ix.listError(err)
		}
	}
	if err != nil {
		if ix.pool.ctx.Err() != nil {
			err = fmt.Errorf("%w: %v", errClosed, err)
		}
		ix.err = err
		s := ix.pool.forget(ix)
		close(ix.ready)
		ix.cancel()
		if s != nil {
			s.close()
		}
		return
	}
	ix.log.V(1).Info("vCenter datacenter indexed", "vms", len(ix.snap.Load().inv.VMs))
	ix.wg.Add(2)
	go ix.watch()
	go ix.resync()
	close(ix.ready)
}

func (ix *index) findDatacenter(ctx context.Context) error {
	err := ix.sess.call(ctx, func(ctx context.Context, c *vim25.Client) error {
		dc, err := find.NewFinder(c).Datacenter(ctx, ix.key.datacenter)
		if err != nil {
			return err
		}
		ix.dc, ix.dcPath = dc.Reference(), dc.InventoryPath
		return nil
	})
	if err != nil {
		return ix.sess.fail("failed to get the datacenter MOID", err,
			fmt.Sprintf("check the vcenter variable's datacenter %q (a datacenter name or inventory path) on vCenter %s", ix.key.datacenter, ix.sess.server))
	}
	return nil
}

func (ix *index) listError(err error) error {
	return ix.sess.fail("failed to get K8s VM templates", err,
		fmt.Sprintf("check that the user can read the VMs of datacenter %s on vCenter %s", ix.dcPath, ix.sess.server))
}

// viewRef returns the index's container view, creating it for the current login.
func (ix *index) viewRef(ctx context.Context, c *vim25.Client) (types.ManagedObjectReference, error) {
	ix.viewMu.Lock()
	defer ix.viewMu.Unlock()
	gen := ix.sess.gen.Load()
	if ix.view.Value != "" && ix.viewGen == gen {
		return ix.view, nil
	}
	v, err := view.NewManager(c).CreateContainerView(ctx, ix.dc, viewTypes, true)
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	ix.view, ix.viewGen = v.Reference(), gen
	return ix.view, nil
}

// dropView forgets v, which vCenter does not know (any more).
func (ix *index) dropView(v types.ManagedObjectReference) {
	ix.viewMu.Lock()
	defer ix.viewMu.Unlock()
	if ix.view == v {
		ix.view = types.ManagedObjectReference{}
	}
}

func filterSpec(v types.ManagedObjectReference) types.PropertyFilterSpec {
	return types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{
			Obj:       v,
			Skip:      types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ContainerView", Path: "view"}},
		}},
		PropSet: []types.PropertySpec{
			{Type: "VirtualMachine", PathSet: vmProperties},
			{Type: "Folder", PathSet: folderProperties},
			{Type: "VirtualApp", PathSet: vAppProperties},
		},
	}
}

// list reads every VM, folder and vApp of the datacenter in one RetrieveProperties.
func (ix *index) list(ctx context.Context) (state, time.Time, error) {
	started := time.Now()
	var st state
	err := ix.sess.call(ctx, func(ctx context.Context, c *vim25.Client) error {
		for attempt := 0; ; attempt++ {
			v, err := ix.viewRef(ctx, c)
			if err != nil {
				return err
			}
			res, err := methods.RetrieveProperties(ctx, c, &types.RetrieveProperties{
				This:    c.ServiceContent.PropertyCollector,
				SpecSet: []types.PropertyFilterSpec{filterSpec(v)},
			})
			if err != nil {
				if attempt == 0 && isNotFound(err) {
					ix.dropView(v)
					continue
				}
				return err
			}
			st = make(state, len(res.Returnval))
			for _, oc := range res.Returnval {
				if err := st.add(oc); err != nil {
					return err
				}
			}
			return nil
		}
	})
	return st, started, err
}

func isNotFound(err error) bool {
	return fault.Is(err, &types.ManagedObjectNotFound{}) || fault.Is(err, &types.InvalidArgument{})
}

// replace makes st the index's state, listed at started, and publishes it.
func (ix *index) replace(st state, started time.Time) *vsphere.Inventory {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.state = st
	inv := st.inventory(ix.dc.Value, ix.dcPath)
	ix.snap.Store(&snapshot{inv: inv, listed: started})
	return inv
}

// update applies a watch's updates and publishes the result.
func (ix *index) update(updates []types.ObjectUpdate) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.state.apply(updates)
	prev := ix.snap.Load()
	ix.snap.Store(&snapshot{inv: ix.state.inventory(ix.dc.Value, ix.dcPath), listed: prev.listed})
}

// refresh lists the datacenter again, unless a list that started at or after since is done
// (concurrent callers share one list).
func (ix *index) refresh(ctx context.Context, since time.Time) (*vsphere.Inventory, error) {
	select {
	case ix.refreshSem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-ix.refreshSem }()
	if s := ix.snap.Load(); s != nil && !s.listed.Before(since) {
		return s.inv, nil
	}
	st, started, err := ix.list(ctx)
	if err != nil {
		return nil, ix.listError(err)
	}
	return ix.replace(st, started), nil
}

// resync lists the datacenter every Options.Resync: not every change makes the property
// collector report it (marking a VM as a template does not, in some vCenters).
func (ix *index) resync() {
	defer ix.wg.Done()
	t := time.NewTicker(ix.pool.opts.Resync)
	defer t.Stop()
	for {
		select {
		case <-ix.ctx.Done():
			return
		case <-t.C:
			if _, err := ix.refresh(ix.ctx, time.Now()); err != nil && ix.ctx.Err() == nil {
				ix.log.Info("periodic re-list of vCenter VMs failed; the index keeps its last state", "error", err.Error())
			}
		}
	}
}

// watch applies the property collector's updates of the datacenter's VMs, folders and vApps
// to the index until it is dropped. A failed watch is started again after a backoff; its
// initial sync lists the datacenter again.
func (ix *index) watch() {
	defer ix.wg.Done()
	if ix.pool.noWatch {
		return
	}
	backoff := minBackoff
	for {
		synced, err := ix.watchOnce(ix.ctx)
		if ix.ctx.Err() != nil {
			return
		}
		if synced {
			backoff = minBackoff
		}
		ix.log.Info("watching vCenter VMs failed; watching again", "after", backoff.String(), "error", ix.sess.describe(err))
		select {
		case <-ix.ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// watchOnce creates a property collector with a filter on the container view and waits for
// updates until an error. synced reports whether the initial sync was applied.
func (ix *index) watchOnce(ctx context.Context) (synced bool, err error) {
	var pc types.ManagedObjectReference
	var c *vim25.Client
	err = ix.sess.call(ctx, func(ctx context.Context, client *vim25.Client) error {
		for attempt := 0; ; attempt++ {
			v, err := ix.viewRef(ctx, client)
			if err != nil {
				return err
			}
			res, err := methods.CreatePropertyCollector(ctx, client, &types.CreatePropertyCollector{This: client.ServiceContent.PropertyCollector})
			if err != nil {
				return err
			}
			_, err = methods.CreateFilter(ctx, client, &types.CreateFilter{This: res.Returnval, Spec: filterSpec(v)})
			if err == nil {
				pc, c = res.Returnval, client
				return nil
			}
			if ctx.Err() == nil {
				ix.destroyCollector(client, res.Returnval, false, true)
			}
			if attempt == 0 && isNotFound(err) {
				ix.dropView(v)
				continue
			}
			return err
		}
	})
	if err != nil {
		return false, err
	}
	gen := ix.sess.gen.Load()
	defer func() {
		// A collector of an older login is gone already. When the session is about to be
		// logged out, which destroys the collector, a long poll is only cancelled, so that
		// vCenter does not keep it waiting.
		if ix.sess.gen.Load() == gen {
			ix.destroyCollector(c, pc, ctx.Err() != nil, ctx.Err() == nil || ix.cleanup.Load())
		}
	}()

	wait := int32(pollWait / time.Second)
	req := types.WaitForUpdatesEx{This: pc, Options: &types.WaitOptions{MaxWaitSeconds: &wait}}
	initial := state{}
	started := time.Now()
	for {
		pollCtx, cancel := context.WithTimeout(context.WithValue(ctx, longPollKey{}, true), pollWait+ix.pool.opts.Timeout)
		res, err := methods.WaitForUpdatesEx(pollCtx, c, &req)
		cancel()
		if err != nil {
			return synced, err
		}
		set := res.Returnval
		if set == nil {
			continue // MaxWaitSeconds passed with no change
		}
		req.Version = set.Version
		var updates []types.ObjectUpdate
		for _, fs := range set.FilterSet {
			updates = append(updates, fs.ObjectSet...)
		}
		if synced {
			ix.update(updates)
			continue
		}
		initial.apply(updates)
		if set.Truncated == nil || !*set.Truncated {
			ix.replace(initial, started)
			synced, initial = true, nil
			ix.watchingOnce.Do(func() { close(ix.watching) })
		}
	}
}

// destroyCollector cancels a pending WaitForUpdatesEx of a property collector and destroys it,
// best effort.
func (ix *index) destroyCollector(c *vim25.Client, pc types.ManagedObjectReference, cancel, destroy bool) {
	ctx, done := context.WithTimeout(context.Background(), min(ix.pool.opts.Timeout, 5*time.Second))
	defer done()
	if cancel {
		_, _ = methods.CancelWaitForUpdates(ctx, c, &types.CancelWaitForUpdates{This: pc})
	}
	if destroy {
		_, _ = methods.DestroyPropertyCollector(ctx, c, &types.DestroyPropertyCollector{This: pc})
	}
}

// close stops keeping the index current. With cleanup (the session is not about to be logged
// out, which destroys every object of the session), the property collector and the container
// view are destroyed too.
func (ix *index) close(cleanup bool) {
	ix.cleanup.Store(cleanup)
	ix.cancel()
	ix.wg.Wait()
	if !cleanup {
		return
	}
	ix.viewMu.Lock()
	v, gen := ix.view, ix.viewGen
	ix.viewMu.Unlock()
	c, cur, err := ix.sess.current()
	if err != nil || v.Value == "" || gen != cur {
		return
	}
	ctx, done := context.WithTimeout(context.Background(), min(ix.pool.opts.Timeout, 5*time.Second))
	defer done()
	_, _ = methods.DestroyView(ctx, c, &types.DestroyView{This: v})
}
