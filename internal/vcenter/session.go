/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package vcenter

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/vmware/govmomi/fault"
	govsession "github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// errClosed is returned once the pool (or a session it dropped) is closed.
var errClosed = errors.New("the vCenter pool is closed")

// session is one SOAP login, shared by the indexes of every datacenter of its sessionKey.
type session struct {
	key    sessionKey
	url    *url.URL
	server string // url as text, for messages
	user   *url.Userinfo
	opts   *Options
	log    logr.Logger
	trips  *atomic.Int64

	ctx    context.Context // cancelled by close: stops the keep-alive
	cancel context.CancelFunc
	kaDone chan struct{} // closed when the keep-alive has stopped

	// loginMu serializes connect, re-login and logout, which are network calls; mu guards the
	// fields below for short sections only.
	loginMu sync.Mutex
	mu      sync.Mutex
	client  *vim25.Client // nil until connected
	closed  bool
	gen     atomic.Uint64 // incremented by every login; session-scoped objects of an older one are gone

	refs int // indexes using the session; guarded by Pool.mu
}

func newSession(p *Pool, key sessionKey, u *url.URL, ep Endpoint) *session {
	ctx, cancel := context.WithCancel(p.ctx)
	return &session{
		key:    key,
		url:    u,
		server: u.String(),
		user:   url.UserPassword(ep.Username, ep.Password),
		opts:   &p.opts,
		log:    p.log.WithValues("vcenter", u.Host, "username", ep.Username),
		trips:  &p.roundTrips,
		ctx:    ctx,
		cancel: cancel,
		kaDone: make(chan struct{}),
	}
}

// current returns the connected client and its login generation.
func (s *session) current() (*vim25.Client, uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, 0, errClosed
	}
	if s.client == nil {
		return nil, 0, fmt.Errorf("not logged in to vCenter %s", s.server)
	}
	return s.client, s.gen.Load(), nil
}

// connect creates the client and logs in, unless that is done.
func (s *session) connect(ctx context.Context) error {
	s.loginMu.Lock()
	defer s.loginMu.Unlock()
	s.mu.Lock()
	connected, closed := s.client != nil, s.closed
	s.mu.Unlock()
	if closed {
		return errClosed
	}
	if connected {
		return nil
	}

	sc := soap.NewClient(s.url, s.key.insecure)
	sc.Namespace = "urn:" + vim25.Namespace
	sc.Version = vim25.Version
	tlsConfig := &tls.Config{InsecureSkipVerify: s.key.insecure} //nolint:gosec // the caller's choice, as in the original
	if s.key.thumbprint != "" {
		// Pinned: the certificate chain does not matter, its thumbprint does.
		tlsConfig.InsecureSkipVerify = true
		tlsConfig.VerifyConnection = pin(s.server, s.key.thumbprint)
	}
	t := sc.DefaultTransport()
	t.TLSClientConfig = tlsConfig
	dialer := &net.Dialer{Timeout: s.opts.Timeout, KeepAlive: 30 * time.Second}
	t.DialContext = dialer.DialContext
	// govmomi's own TLS dial ignores the context; this one is bounded by it.
	tlsDialer := &tls.Dialer{NetDialer: dialer, Config: tlsConfig}
	t.DialTLSContext = tlsDialer.DialContext

	c := &vim25.Client{Client: sc, RoundTripper: &counter{next: sc, n: s.trips, timeout: s.opts.Timeout}}
	content, err := methods.GetServiceContent(ctx, c)
	if err != nil {
		sc.CloseIdleConnections()
		return fmt.Errorf("failed to create vc client: %s", s.describe(err))
	}
	c.ServiceContent = content
	if err := s.login(ctx, c); err != nil {
		sc.CloseIdleConnections()
		return err
	}
	s.mu.Lock()
	s.client = c
	s.mu.Unlock()
	go s.keepAlive()
	return nil
}

// login logs c in; loginMu is held.
func (s *session) login(ctx context.Context, c *vim25.Client) error {
	if err := govsession.NewManager(c).Login(ctx, s.user); err != nil {
		if isFault(err) {
			return fmt.Errorf("failed to login to vSphere: cannot login to vc: %v; check the username and password of the Cluster's vSphere credentials (user %q on vCenter %s)", err, s.user.Username(), s.server)
		}
		return fmt.Errorf("failed to login to vSphere: cannot login to vc: %s", s.describe(err))
	}
	s.gen.Add(1)
	return nil
}

// relogin logs in again after a call failed with NotAuthenticated in login generation gen,
// unless another caller did so meanwhile.
func (s *session) relogin(ctx context.Context, gen uint64) error {
	s.loginMu.Lock()
	defer s.loginMu.Unlock()
	c, cur, err := s.current()
	if err != nil {
		return err
	}
	if cur != gen {
		return nil
	}
	s.log.Info("vCenter session expired, logging in again")
	return s.login(ctx, c)
}

// call runs f with the client; when f fails with NotAuthenticated (the session expired or
// vCenter restarted), it logs in again and runs f once more.
func (s *session) call(ctx context.Context, f func(context.Context, *vim25.Client) error) error {
	c, gen, err := s.current()
	if err != nil {
		return err
	}
	err = f(ctx, c)
	if !fault.Is(err, &types.NotAuthenticated{}) {
		return err
	}
	if err := s.relogin(ctx, gen); err != nil {
		return err
	}
	return f(ctx, c)
}

// keepAlive asks vCenter for its time every KeepAlive, so that an idle session does not expire
// (an expired one is logged in again by call).
func (s *session) keepAlive() {
	defer close(s.kaDone)
	t := time.NewTicker(s.opts.KeepAlive)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			err := s.call(s.ctx, func(ctx context.Context, c *vim25.Client) error {
				_, err := methods.GetCurrentTime(ctx, c)
				return err
			})
			if err != nil && s.ctx.Err() == nil {
				s.log.Info("vCenter session keep-alive failed", "error", err.Error())
			}
		}
	}
}

// close stops the keep-alive and logs out (best effort, bounded by Timeout).
func (s *session) close() {
	s.cancel()
	s.mu.Lock()
	connected := s.client != nil
	s.mu.Unlock()
	if connected {
		<-s.kaDone // no request of the keep-alive races with the logout
	}
	s.loginMu.Lock()
	defer s.loginMu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	c := s.client
	s.mu.Unlock()
	if c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
	defer cancel()
	if _, err := methods.Logout(ctx, c, &types.Logout{This: *c.ServiceContent.SessionManager}); err != nil {
		s.log.Info("vCenter logout failed", "error", err.Error())
	}
	c.CloseIdleConnections()
}

// describe rewrites the errors of a call that did not get through to vCenter so that they name
// the server and say what to check; vCenter's own faults are returned as they are.
func (s *session) describe(err error) string {
	if err == nil {
		return "no error"
	}
	var tp *thumbprintError
	switch {
	case errors.As(err, &tp):
		return tp.Error()
	case isFault(err):
		return err.Error()
	case soap.IsCertificateUntrusted(err):
		return fmt.Sprintf("the TLS certificate of vCenter %s is not trusted: %v; set the vcenter variable's tlsThumbprint to the SHA-1 thumbprint of vCenter's certificate", s.server, err)
	case isUnreachable(err):
		return fmt.Sprintf("cannot reach vCenter %s: %v; check the vcenter variable's server and that vCenter is up", s.server, err)
	}
	return fmt.Sprintf("vCenter %s: %v", s.server, err)
}

// fail words a failed call: the original's prefix, the error as describe words it, and hint,
// what the user may have got wrong. An unreachable vCenter gets no hint: describe already says
// to check the server, and the datacenter or the user's rights are not the problem then.
func (s *session) fail(prefix string, err error, hint string) error {
	if isUnreachable(err) {
		return fmt.Errorf("%s: %s", prefix, s.describe(err))
	}
	return fmt.Errorf("%s: %s; %s", prefix, s.describe(err), hint)
}

func isFault(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if soap.IsSoapFault(e) || soap.IsVimFault(e) {
			return true
		}
	}
	return false
}

func isUnreachable(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// counter counts every request to vCenter and bounds each by a timeout. A long poll marks its
// context with longPoll and brings its own deadline.
type counter struct {
	next    soap.RoundTripper
	n       *atomic.Int64
	timeout time.Duration
}

type longPollKey struct{}

func (c *counter) RoundTrip(ctx context.Context, req, res soap.HasFault) error {
	c.n.Add(1)
	if ctx.Value(longPollKey{}) == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	return c.next.RoundTrip(ctx, req, res)
}
