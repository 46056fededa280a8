// Package registry is the OCI registry client every registry call of the TKR service goes
// through: listing tags, resolving digests, reading the files of an image, and pushing and
// copying images.
//
// One Client keeps one HTTP transport and go-containerregistry's per-repository state
// (the /v2/ ping and any token): a repository is pinged once, when the client first uses it
// (again only after a failed ping), so a steady-state sync costs the requests it needs and no
// re-authentication before each of them.
package registry

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

const (
	// DefaultMaxFileSize is the default limit on the size of one file of an image.
	DefaultMaxFileSize int64 = 64 << 20
	// DefaultMaxImageSize is the default limit on the uncompressed size of all layers of an image.
	DefaultMaxImageSize int64 = 512 << 20
	// DefaultCAHint is the fix named in errors about a registry certificate signed by an unknown
	// authority, for the controllers.
	DefaultCAHint = "add the registry's CA certificate to data.caCerts of ConfigMap tkr-controller-config, or turn on skip-verify"
)

// retryBackoff retries network blips and 5xx answers within one call. go-containerregistry's
// default waits 1 s and 3 s and does not wake up when the context is cancelled; these short waits
// keep a cancelled call from lingering, and the callers retry whole operations with their own
// backoff anyway.
var retryBackoff = remote.Backoff{Duration: 100 * time.Millisecond, Factor: 3, Jitter: 0.1, Steps: 3}

// Options configure a Client.
type Options struct {
	// CACerts are PEM certificates trusted in addition to the system's. They are ignored when
	// SkipVerify is set, so a broken certificate cannot stop a client that would not use it.
	CACerts []byte
	// SkipVerify turns off verification of the registries' TLS certificates.
	SkipVerify bool
	// Insecure allows plain HTTP to any registry. Without it plain HTTP is used only for
	// loopback, private (RFC 1918) and localhost registries, and only when HTTPS fails.
	Insecure bool
	// UseKeychain authenticates with the docker config (authn.DefaultKeychain) instead of
	// anonymously. Publishing uses it; the controllers read anonymously.
	UseKeychain bool
	// Transport is the base transport. The default is a clone of http.DefaultTransport, which
	// honours HTTP_PROXY, HTTPS_PROXY and NO_PROXY. CACerts and SkipVerify are applied to a
	// clone of it when it is an *http.Transport; any other RoundTripper is used as is.
	Transport http.RoundTripper
	// UserAgent is sent with every request when set.
	UserAgent string
	// MaxFileSize limits the size of one file of an image; 0 means DefaultMaxFileSize.
	MaxFileSize int64
	// MaxImageSize limits the uncompressed size of all layers of an image; 0 means
	// DefaultMaxImageSize. A larger image is an error rather than a reason to run out of memory.
	MaxImageSize int64
	// CAHint is the fix named in errors about a certificate signed by an unknown authority;
	// empty means DefaultCAHint. The CLI names its own flags here.
	CAHint string
}

// Client talks to OCI registries. It is safe for concurrent use; reuse one for many calls.
type Client struct {
	puller   *remote.Puller
	pusher   *remote.Pusher
	nameOpts []name.Option
	maxFile  int64
	maxImage int64
	caHint   string
}

// New returns a client. CACerts that are not empty but hold no PEM certificate, or hold one that
// cannot be parsed, are an error (unless SkipVerify is set), so the caller can report the bad
// configuration instead of failing every call later.
func New(o Options) (*Client, error) {
	tr, err := newTransport(o)
	if err != nil {
		return nil, err
	}
	opts := []remote.Option{remote.WithTransport(tr), remote.WithRetryBackoff(retryBackoff)}
	if o.UseKeychain {
		opts = append(opts, remote.WithAuthFromKeychain(authn.DefaultKeychain))
	}
	if o.UserAgent != "" {
		opts = append(opts, remote.WithUserAgent(o.UserAgent))
	}
	puller, err := remote.NewPuller(opts...)
	if err != nil {
		return nil, fmt.Errorf("setting up the registry client: %w", err)
	}
	pusher, err := remote.NewPusher(opts...)
	if err != nil {
		return nil, fmt.Errorf("setting up the registry client: %w", err)
	}
	c := &Client{
		puller:   puller,
		pusher:   pusher,
		maxFile:  o.MaxFileSize,
		maxImage: o.MaxImageSize,
		caHint:   o.CAHint,
	}
	if c.maxFile <= 0 {
		c.maxFile = DefaultMaxFileSize
	}
	if c.maxImage <= 0 {
		c.maxImage = DefaultMaxImageSize
	}
	if c.caHint == "" {
		c.caHint = DefaultCAHint
	}
	if o.Insecure {
		c.nameOpts = append(c.nameOpts, name.Insecure)
	}
	return c, nil
}

// newTransport returns the transport all calls of a client share, so connections are reused.
func newTransport(o Options) (http.RoundTripper, error) {
	var tr *http.Transport
	switch base := o.Transport.(type) {
	case nil:
		tr = http.DefaultTransport.(*http.Transport).Clone()
		// http.DefaultTransport has this already; say it, as the proxy settings matter (P9).
		tr.Proxy = http.ProxyFromEnvironment
	case *http.Transport:
		// A clone, as the caller's transport must not change under it.
		tr = base.Clone()
	default:
		return base, nil
	}
	switch {
	case o.SkipVerify:
		tr.TLSClientConfig = tlsConfig(tr.TLSClientConfig)
		tr.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // the user asked for it
	case len(bytes.TrimSpace(o.CACerts)) > 0:
		pool, err := certPool(o.CACerts)
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = tlsConfig(tr.TLSClientConfig)
		tr.TLSClientConfig.RootCAs = pool
	}
	return tr, nil
}

func tlsConfig(c *tls.Config) *tls.Config {
	if c == nil {
		return &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return c.Clone()
}

// certPool returns the system's certificates plus the PEM certificates in caCerts. Text
// outside PEM blocks (comments) is ignored, but there must be at least one certificate and
// every certificate must parse: a silently dropped certificate would show up much later as an
// unknown authority.
func certPool(caCerts []byte) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		// No system pool (unusual): trust just the given certificates.
		pool = x509.NewCertPool()
	}
	n := 0
	for rest := caCerts; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		n++
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("the CA certificates cannot be used: certificate %d cannot be parsed: %w", n, err)
		}
		pool.AddCert(cert)
	}
	if n == 0 {
		return nil, errors.New("the CA certificates cannot be used: no PEM certificate (-----BEGIN CERTIFICATE-----) was found in them")
	}
	return pool, nil
}

// parse parses a reference to an image, by tag or digest.
func (c *Client) parse(ref string) (name.Reference, error) {
	r, err := name.ParseReference(ref, c.nameOpts...)
	if err != nil {
		return nil, fmt.Errorf("parsing image reference %q: %w", ref, err)
	}
	return r, nil
}

// fail wraps err from an operation on ref (described by what, e.g. "fetching image") with the
// reference and, for an unknown certificate authority, the fix.
func (c *Client) fail(what, ref string, err error) error {
	if IsUnknownAuthority(err) {
		return fmt.Errorf("%s %s: the registry's certificate is signed by an unknown authority; %s: %w", what, ref, c.caHint, err)
	}
	return fmt.Errorf("%s %s: %w", what, ref, err)
}
