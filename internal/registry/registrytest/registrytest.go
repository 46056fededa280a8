// Package registrytest runs a real OCI registry (go-containerregistry's in-memory registry) on
// 127.0.0.1 for tests, over HTTP or over HTTPS with a private CA made at start. It counts the
// requests it serves, can be taken down and brought back on the same address, and can be told to
// fail requests, so tests can check what a client costs and how it copes with outages.
package registrytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

// Options configure a Registry.
type Options struct {
	// TLS serves HTTPS with a certificate for 127.0.0.1 and localhost signed by a CA made for
	// this registry alone (Registry.CACert).
	TLS bool
}

// Registry is a running test registry.
type Registry struct {
	// Host is host:port of the registry, e.g. 127.0.0.1:41234.
	Host string
	// CACert is the PEM certificate of the CA that signed the registry's certificate; nil when
	// the registry serves plain HTTP.
	CACert []byte

	t       testing.TB
	handler http.Handler
	tlsConf *tls.Config

	mu     sync.Mutex // guards server and closed
	server *http.Server
	closed bool // the test is over; Up must not listen again

	fault atomic.Pointer[func(*http.Request) int]

	requests, pings, manifests, manifestHeads, blobs, tagLists, bytesOut atomic.Int64
}

// Stats counts what the registry was asked since it started or since ResetStats. A request
// answered by a fault (SetFault) is counted as well.
type Stats struct {
	// Requests counts every request.
	Requests int
	// Pings counts GET /v2/, the version check clients make before talking to a registry.
	Pings int
	// Manifests counts manifest downloads (GET .../manifests/...).
	Manifests int
	// ManifestHeads counts manifest HEAD requests, which resolve a reference to a digest.
	ManifestHeads int
	// Blobs counts blob downloads (GET .../blobs/<digest>), layers and configs alike.
	Blobs int
	// TagLists counts tag list requests (GET .../tags/list).
	TagLists int
	// BytesOut counts the response body bytes written.
	BytesOut int64
}

// New starts a registry that serves until the test ends. It fails the test if it cannot start.
func New(t testing.TB, o Options) *Registry {
	t.Helper()
	r := &Registry{
		t: t,
		// The registry logs every request; test output is no place for that.
		handler: registry.New(registry.Logger(log.New(io.Discard, "", 0))),
	}
	if o.TLS {
		caPEM, cert, err := newCertificates()
		if err != nil {
			t.Fatalf("making the test registry's certificates: %v", err)
		}
		r.CACert = caPEM
		r.tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening for the test registry: %v", err)
	}
	r.Host = l.Addr().String()
	r.serve(l)
	t.Cleanup(func() {
		r.mu.Lock()
		r.closed = true
		r.mu.Unlock()
		r.Down()
	})
	return r
}

// Ref returns the reference of path (a repository with an optional tag or digest) in this
// registry: Host + "/" + path.
func (r *Registry) Ref(path string) string {
	return r.Host + "/" + path
}

// Stats returns the counters.
func (r *Registry) Stats() Stats {
	return Stats{
		Requests:      int(r.requests.Load()),
		Pings:         int(r.pings.Load()),
		Manifests:     int(r.manifests.Load()),
		ManifestHeads: int(r.manifestHeads.Load()),
		Blobs:         int(r.blobs.Load()),
		TagLists:      int(r.tagLists.Load()),
		BytesOut:      r.bytesOut.Load(),
	}
}

// ResetStats sets every counter to zero, typically after a test has pushed its images.
func (r *Registry) ResetStats() {
	for _, c := range []*atomic.Int64{&r.requests, &r.pings, &r.manifests, &r.manifestHeads, &r.blobs, &r.tagLists, &r.bytesOut} {
		c.Store(0)
	}
}

// SetFault makes the registry answer every request for which f returns a non-zero status with
// that status instead of serving it. nil serves every request again.
func (r *Registry) SetFault(f func(*http.Request) int) {
	if f == nil {
		r.fault.Store(nil)
		return
	}
	r.fault.Store(&f)
}

// Down stops the registry: it closes the listener and every open connection, so clients get
// "connection refused". What was pushed is kept for Up.
func (r *Registry) Down() {
	r.mu.Lock()
	s := r.server
	r.server = nil
	r.mu.Unlock()
	if s != nil {
		// Close, not Shutdown: an outage does not wait for requests in flight.
		_ = s.Close()
	}
}

// Up serves again on the same address after Down. It fails the test if the address cannot be
// listened on again; it does nothing if the registry is up.
func (r *Registry) Up() {
	r.t.Helper()
	r.mu.Lock()
	up, closed := r.server != nil, r.closed
	r.mu.Unlock()
	if up || closed {
		return
	}
	var l net.Listener
	var err error
	// The port was just released; another process may hold it for a moment.
	for range 50 {
		if l, err = net.Listen("tcp", r.Host); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		r.t.Fatalf("listening for the test registry again on %s: %v", r.Host, err)
	}
	r.serve(l)
}

func (r *Registry) serve(l net.Listener) {
	if r.tlsConf != nil {
		l = tls.NewListener(l, r.tlsConf)
	}
	s := &http.Server{
		Handler:           http.HandlerFunc(r.serveHTTP),
		ReadHeaderTimeout: 10 * time.Second,
		// Clients probing with the wrong scheme make the server log TLS handshake errors.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	r.mu.Lock()
	r.server = s
	r.mu.Unlock()
	go func() {
		if err := s.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.t.Errorf("test registry on %s stopped: %v", r.Host, err)
		}
	}()
}

func (r *Registry) serveHTTP(w http.ResponseWriter, req *http.Request) {
	r.count(req)
	cw := &countingWriter{ResponseWriter: w, n: &r.bytesOut}
	if f := r.fault.Load(); f != nil {
		if status := (*f)(req); status != 0 {
			http.Error(cw, fmt.Sprintf("fault injected by the test: %d %s", status, http.StatusText(status)), status)
			return
		}
	}
	r.handler.ServeHTTP(cw, req)
}

func (r *Registry) count(req *http.Request) {
	r.requests.Add(1)
	p := req.URL.Path
	get, head := req.Method == http.MethodGet, req.Method == http.MethodHead
	switch {
	case get && (p == "/v2/" || p == "/v2"):
		r.pings.Add(1)
	case strings.Contains(p, "/manifests/") && get:
		r.manifests.Add(1)
	case strings.Contains(p, "/manifests/") && head:
		r.manifestHeads.Add(1)
	case strings.Contains(p, "/blobs/") && !strings.Contains(p, "/blobs/uploads") && get:
		r.blobs.Add(1)
	case strings.HasSuffix(p, "/tags/list") && get:
		r.tagLists.Add(1)
	}
}

// countingWriter counts the response body bytes written.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w *countingWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.n.Add(int64(n))
	return n, err
}

// newCertificates makes a CA and a server certificate for 127.0.0.1, ::1 and localhost signed
// by it. It returns the CA certificate in PEM form and the server's key pair.
func newCertificates() ([]byte, tls.Certificate, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("generating the CA key: %w", err)
	}
	now := time.Now()
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "registrytest CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("creating the CA certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("parsing the CA certificate: %w", err)
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("generating the server key: %w", err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("creating the server certificate: %w", err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return caPEM, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
