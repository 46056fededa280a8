/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package vcenter

import (
	"crypto/sha1" //nolint:gosec // vCenter thumbprints are SHA-1 by convention; SHA-256 is accepted too
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Endpoint identifies one vCenter login and datacenter.
type Endpoint struct {
	// Server is as written in the Cluster's vcenter variable: host, host:port or URL.
	Server string
	// Datacenter is the datacenter's name or inventory path.
	Datacenter string
	// Thumbprint is the SHA-1 TLS thumbprint "AA:BB:..."; when set, the server certificate is
	// pinned to it (a SHA-256 thumbprint is accepted as well) and Insecure does not matter.
	Thumbprint string
	// Insecure skips TLS verification when there is no Thumbprint. The original set it when the
	// thumbprint was empty; callers decide.
	Insecure bool

	Username, Password string
}

// sessionKey identifies one login: what a session is shared by. The credentials are part of it
// on purpose, so that one tenant's login never serves another's admissions.
type sessionKey struct {
	url        string // normalized, e.g. https://vc.example.com/sdk
	thumbprint string // upper-case hex without colons
	insecure   bool
	username   string
	password   [sha256.Size]byte
}

// indexKey identifies one datacenter inventory of one login.
type indexKey struct {
	sessionKey
	datacenter string
}

// keyOf normalizes ep. The only error is the server's.
func keyOf(ep Endpoint) (indexKey, *url.URL, error) {
	u, err := parseServer(ep.Server)
	if err != nil {
		return indexKey{}, nil, err
	}
	tp := normalizeThumbprint(ep.Thumbprint)
	return indexKey{
		sessionKey: sessionKey{
			url:        u.String(),
			thumbprint: tp,
			insecure:   ep.Insecure && tp == "",
			username:   ep.Username,
			password:   sha256.Sum256([]byte(ep.Password)),
		},
		datacenter: strings.TrimSpace(ep.Datacenter),
	}, u, nil
}

// parseServer turns the vcenter variable's server into the SDK URL: https:// is prepended
// unless a http:// or https:// URL is given, and the path is always /sdk.
func parseServer(server string) (*url.URL, error) {
	s := strings.TrimSpace(server)
	if s == "" {
		return nil, errors.New("failed to parse vc host: the server is empty; set the vcenter variable's server to the vCenter host name or address")
	}
	if lower := strings.ToLower(s); !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("failed to parse vc host: %v; the vcenter variable's server %q must be a host name, host:port or https URL of vCenter", err, server)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("failed to parse vc host: no host in %q; the vcenter variable's server must be a host name, host:port or https URL of vCenter", server)
	}
	return &url.URL{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(u.Host), Path: "/sdk"}, nil
}

// normalizeThumbprint returns tp as upper-case hex without separators.
func normalizeThumbprint(tp string) string {
	return strings.ToUpper(strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(tp)))
}

// formatThumbprint prints hex as "AA:BB:...".
func formatThumbprint(hexDigits string) string {
	var b strings.Builder
	for i := 0; i < len(hexDigits); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(hexDigits[i:min(i+2, len(hexDigits))])
	}
	return b.String()
}

// thumbprintError is a server certificate that is not the pinned one.
type thumbprintError struct {
	server     string
	want, sha1 string // normalized hex
}

func (e *thumbprintError) Error() string {
	return fmt.Sprintf("the TLS certificate of vCenter %s has SHA-1 thumbprint %s, not the expected %s; fix the vcenter variable's tlsThumbprint (or its server, if it names the wrong vCenter)",
		e.server, formatThumbprint(e.sha1), formatThumbprint(e.want))
}

// pin returns a tls.Config check that the leaf certificate has thumbprint want (normalized),
// as SHA-1 or SHA-256.
func pin(server, want string) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return &thumbprintError{server: server, want: want}
		}
		raw := cs.PeerCertificates[0].Raw
		s1 := sha1.Sum(raw) //nolint:gosec // a thumbprint, not a signature
		s256 := sha256.Sum256(raw)
		got1 := strings.ToUpper(hex.EncodeToString(s1[:]))
		if want == got1 || want == strings.ToUpper(hex.EncodeToString(s256[:])) {
			return nil
		}
		return &thumbprintError{server: server, want: want, sha1: got1}
	}
}
