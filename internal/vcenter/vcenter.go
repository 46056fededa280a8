/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

// Package vcenter keeps, for every vCenter login and datacenter the webhook is asked about, an
// index of the datacenter's VMs and VM templates, so that matching an admission's OS images to
// templates needs no call to vCenter.
//
// The first use of an [Endpoint] logs in (SOAP session, kept alive and logged in again when it
// expires), finds the datacenter and lists its VMs in one property collector call. From then on
// a property collector watch applies every change vCenter reports, a periodic re-list catches
// what it does not report (marking a VM as a template), and a query that misses makes one
// targeted re-list before it is reported. Endpoints unused for a while are dropped and logged
// out.
package vcenter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	crlog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/tkr-project/tkr/pkg/vsphere"
)

// Options tune a [Pool]; zero values take the defaults.
type Options struct {
	// Resync is the period of the full re-list of each index (default 10m): marking a VM as a
	// template emits no property change in every vCenter.
	Resync time.Duration
	// IdleTimeout drops (and logs out) endpoints unused this long (default 30m).
	IdleTimeout time.Duration
	// KeepAlive is the session keep-alive period (default 5m).
	KeepAlive time.Duration
	// Timeout bounds any one vCenter call, including login and the initial list (default 20s).
	Timeout time.Duration
	// Log receives the pool's messages; default: controller-runtime's logger, named vcenter.
	Log logr.Logger
}

func (o Options) withDefaults() Options {
	if o.Resync <= 0 {
		o.Resync = 10 * time.Minute
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 30 * time.Minute
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = 5 * time.Minute
	}
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	if o.Log.GetSink() == nil {
		o.Log = crlog.Log.WithName("vcenter")
	}
	return o
}

// Pool holds the vCenter sessions and datacenter indexes. It is safe for concurrent use.
type Pool struct {
	opts       Options
	log        logr.Logger
	roundTrips atomic.Int64

	ctx    context.Context // the background work's; cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // builds

	// noWatch leaves the indexes to lists only (tests of the refresh).
	noWatch bool

	mu       sync.Mutex
	closed   bool
	sessions map[sessionKey]*session
	indexes  map[indexKey]*index
}

// NewPool returns an empty pool. Run [Pool.Start] (or call [Pool.Close] when done).
func NewPool(o Options) *Pool {
	o = o.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Pool{
		opts:     o,
		log:      o.Log,
		ctx:      ctx,
		cancel:   cancel,
		sessions: map[sessionKey]*session{},
		indexes:  map[indexKey]*index{},
	}
}

// Inventory returns ep's datacenter inventory from the index, logging in and building the
// index on first use. The inventory is shared and must not be modified.
func (p *Pool) Inventory(ctx context.Context, ep Endpoint) (*vsphere.Inventory, error) {
	ix, err := p.acquire(ctx, ep)
	if err != nil {
		return nil, err
	}
	return ix.snap.Load().inv, nil
}

// Refresh re-lists ep's datacenter now (one targeted refresh) and returns the fresh inventory.
// Concurrent refreshes of one datacenter share a list.
func (p *Pool) Refresh(ctx context.Context, ep Endpoint) (*vsphere.Inventory, error) {
	start := time.Now()
	ix, err := p.acquire(ctx, ep)
	if err != nil {
		return nil, err
	}
	return ix.refresh(ctx, start)
}

// Resolve matches wanted against the index; when some query misses, it does ONE refresh and
// matches again before returning the *vsphere.NotFoundError (with the results found).
func (p *Pool) Resolve(ctx context.Context, ep Endpoint, wanted map[vsphere.Query][]string) (map[vsphere.Query]vsphere.Result, error) {
	start := time.Now()
	ix, err := p.acquire(ctx, ep)
	if err != nil {
		return nil, err
	}
	snap := ix.snap.Load()
	results, err := vsphere.Match(snap.inv, wanted)
	var nf *vsphere.NotFoundError
	if !errors.As(err, &nf) || !snap.listed.Before(start) {
		return results, err // found, or listed during this call already
	}
	inv, rerr := ix.refresh(ctx, start)
	if rerr != nil {
		return results, errors.Join(err, rerr)
	}
	return vsphere.Match(inv, wanted)
}

// acquire returns ep's built index, building it on first use.
func (p *Pool) acquire(ctx context.Context, ep Endpoint) (*index, error) {
	key, u, err := keyOf(ep)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errClosed
	}
	ix := p.indexes[key]
	if ix == nil {
		s := p.sessions[key.sessionKey]
		if s == nil {
			s = newSession(p, key.sessionKey, u, ep)
			p.sessions[key.sessionKey] = s
		}
		s.refs++
		ix = newIndex(p, s, key)
		p.indexes[key] = ix
		p.wg.Add(1)
		go ix.build()
	}
	ix.touch() // under p.mu, so that dropIdle does not drop an index being handed out
	p.mu.Unlock()
	select {
	case <-ix.ready:
	default:
		select {
		case <-ix.ready:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the VM inventory of datacenter %q on vCenter %s: %w", key.datacenter, key.url, ctx.Err())
		}
	}
	if ix.err != nil {
		return nil, ix.err
	}
	return ix, nil
}

// forget removes ix from the pool. It returns ix's session when no other index uses it; the
// caller closes it.
func (p *Pool) forget(ix *index) *session {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.forgetLocked(ix)
}

func (p *Pool) forgetLocked(ix *index) *session {
	if p.indexes[ix.key] != ix {
		return nil
	}
	delete(p.indexes, ix.key)
	s := ix.sess
	s.refs--
	if s.refs > 0 || p.sessions[s.key] != s {
		return nil
	}
	delete(p.sessions, s.key)
	return s
}

// Start runs until ctx is done (a controller-runtime manager.Runnable), dropping endpoints
// unused for Options.IdleTimeout; on return it logs out every session.
func (p *Pool) Start(ctx context.Context) error {
	defer p.Close()
	period := min(max(p.opts.IdleTimeout/4, 10*time.Millisecond), time.Minute)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-p.ctx.Done():
			return nil
		case now := <-t.C:
			p.dropIdle(now)
		}
	}
}

// dropIdle drops the indexes unused since IdleTimeout before now, and logs out the sessions no
// index uses any more.
func (p *Pool) dropIdle(now time.Time) {
	deadline := now.Add(-p.opts.IdleTimeout).UnixNano()
	var idle []*index
	ending := map[*index]*session{} // the indexes whose session no other index uses
	p.mu.Lock()
	for _, ix := range p.indexes {
		select {
		case <-ix.ready:
		default:
			continue // still building
		}
		if ix.err == nil && ix.lastUsed.Load() < deadline {
			idle = append(idle, ix)
		}
	}
	for _, ix := range idle {
		if s := p.forgetLocked(ix); s != nil {
			ending[ix] = s
		}
	}
	p.mu.Unlock()
	for _, ix := range idle {
		s := ending[ix]
		ix.close(s == nil)
		ix.log.Info("dropped the VM index of an idle vCenter endpoint", "idle", p.opts.IdleTimeout.String())
	}
	for _, s := range ending {
		s.close()
	}
}

// Close logs out every session and stops every watcher. It is safe to call more than once.
func (p *Pool) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	indexes, sessions := p.indexes, p.sessions
	p.indexes, p.sessions = map[indexKey]*index{}, map[sessionKey]*session{}
	p.mu.Unlock()

	p.cancel()
	for _, ix := range indexes {
		ix.close(false)
	}
	p.wg.Wait() // builds, which fail now
	var wg sync.WaitGroup
	for _, s := range sessions {
		wg.Go(s.close)
	}
	wg.Wait()
}

// RoundTrips returns the number of SOAP requests made to vCenter so far, including the watches'
// long polls.
func (p *Pool) RoundTrips() int64 { return p.roundTrips.Load() }
