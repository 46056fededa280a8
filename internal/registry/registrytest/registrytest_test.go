package registrytest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"sync"
	"syscall"
	"testing"
)

func get(t *testing.T, c *http.Client, method, url string) (int, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func TestStatsFaultsDownUp(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		t.Run(map[bool]string{false: "HTTP", true: "HTTPS"}[useTLS], func(t *testing.T) {
			r := New(t, Options{TLS: useTLS})
			scheme := "http://"
			if useTLS {
				scheme = "https://"
			}
			digest := r.Push(t, "repo:v1", FilesImage(t, map[string][]byte{"a.yaml": []byte("a: 1\n")}))
			r.ResetStats()
			if s := r.Stats(); s != (Stats{}) {
				t.Errorf("Stats after ResetStats = %+v", s)
			}
			c := &http.Client{Transport: r.Transport()}
			base := scheme + r.Host

			for _, req := range []struct{ method, path string }{
				{http.MethodGet, "/v2/"},
				{http.MethodHead, "/v2/repo/manifests/v1"},
				{http.MethodGet, "/v2/repo/manifests/v1"},
				{http.MethodGet, "/v2/repo/tags/list"},
				{http.MethodGet, "/v2/repo/manifests/" + digest},
			} {
				if code, err := get(t, c, req.method, base+req.path); err != nil || code != http.StatusOK {
					t.Fatalf("%s %s = %d, %v", req.method, req.path, code, err)
				}
			}
			want := Stats{Requests: 5, Pings: 1, Manifests: 2, ManifestHeads: 1, TagLists: 1}
			got := r.Stats()
			if got.BytesOut == 0 {
				t.Errorf("BytesOut = 0 after downloading manifests")
			}
			got.BytesOut = 0
			if got != want {
				t.Errorf("Stats = %+v, want %+v", got, want)
			}

			r.SetFault(func(req *http.Request) int {
				if req.Method == http.MethodHead {
					return http.StatusTooManyRequests
				}
				return 0
			})
			if code, _ := get(t, c, http.MethodHead, base+"/v2/repo/manifests/v1"); code != http.StatusTooManyRequests {
				t.Errorf("HEAD with a fault = %d, want 429", code)
			}
			if code, _ := get(t, c, http.MethodGet, base+"/v2/"); code != http.StatusOK {
				t.Errorf("GET with a fault for HEAD only = %d, want 200", code)
			}
			r.SetFault(nil)
			if code, _ := get(t, c, http.MethodHead, base+"/v2/repo/manifests/v1"); code != http.StatusOK {
				t.Errorf("HEAD after clearing the fault = %d, want 200", code)
			}

			r.Down()
			r.Down() // twice is fine
			_, err := get(t, c, http.MethodGet, base+"/v2/")
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("GET while down: %v, want connection refused", err)
			}
			r.Up()
			r.Up() // twice is fine
			// What was pushed survives the outage.
			if code, err := get(t, c, http.MethodGet, base+"/v2/repo/manifests/v1"); err != nil || code != http.StatusOK {
				t.Errorf("GET after Up = %d, %v", code, err)
			}
		})
	}
}

func TestCertificate(t *testing.T) {
	r := New(t, Options{TLS: true})
	block, _ := pem.Decode(r.CACert)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("CACert is not a PEM certificate: %q", r.CACert)
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.IsCA {
		t.Errorf("the CA certificate is not a CA")
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	for _, host := range []string{"127.0.0.1", "localhost"} {
		conn, err := tls.Dial("tcp", r.Host, &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12})
		if err != nil {
			t.Errorf("TLS to %s: %v", host, err)
			continue
		}
		conn.Close()
	}
	// Without the CA the certificate is not trusted.
	conn, err := tls.Dial("tcp", r.Host, &tls.Config{ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
	if err == nil {
		conn.Close()
		t.Errorf("TLS without the CA succeeded")
	}
	if New(t, Options{}).CACert != nil {
		t.Errorf("an HTTP registry has a CA certificate")
	}
}

func TestConcurrentRequests(t *testing.T) {
	r := New(t, Options{})
	c := &http.Client{Transport: r.Transport()}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, _ = get(t, c, http.MethodGet, "http://"+r.Host+"/v2/")
			_ = r.Stats()
		})
	}
	wg.Wait()
	if s := r.Stats(); s.Requests != 20 || s.Pings != 20 {
		t.Errorf("Stats = %+v, want 20 pings", s)
	}
}
