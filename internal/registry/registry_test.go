package registry_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/tkr-project/tkr/internal/registry"
	"github.com/tkr-project/tkr/internal/registry/registrytest"
)

const bomTag = "tkr-bom:v1.24.9_vmware.1-tkg.1"

var bomFiles = map[string][]byte{"tkr-bom-v1.24.9_vmware.1-tkg.1.yaml": []byte("apiVersion: run.tanzu.vmware.com/v1alpha3\nrelease:\n  version: v1.24.9+vmware.1-tkg.1\n")}

func newClient(t *testing.T, o registry.Options) *registry.Client {
	t.Helper()
	c, err := registry.New(o)
	if err != nil {
		t.Fatalf("registry.New: %v", err)
	}
	return c
}

// stringFiles makes file maps readable in diffs.
func stringFiles(files map[string][]byte) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		out[k] = string(v)
	}
	return out
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", parts)
	}
	t.Logf("error: %v", err)
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

func TestHTTP(t *testing.T) {
	ctx := t.Context()
	reg := registrytest.New(t, registrytest.Options{})
	digest := reg.Push(t, bomTag, registrytest.FilesImage(t, bomFiles))
	reg.Push(t, "tkr-bom:v1.25.7_vmware.2-tkg.1", registrytest.FilesImage(t, bomFiles))
	c := newClient(t, registry.Options{})

	// A tag in the repository reference is ignored.
	for _, repo := range []string{reg.Ref("tkr-bom"), reg.Ref(bomTag), reg.Ref("tkr-bom@" + digest)} {
		tags, err := c.Tags(ctx, repo)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(tags)
		if diff := cmp.Diff([]string{"v1.24.9_vmware.1-tkg.1", "v1.25.7_vmware.2-tkg.1"}, tags); diff != "" {
			t.Errorf("Tags(%s) (-want +got):\n%s", repo, diff)
		}
	}

	got, err := c.Digest(ctx, reg.Ref(bomTag))
	if err != nil {
		t.Fatal(err)
	}
	if got != digest {
		t.Errorf("Digest = %s, want %s", got, digest)
	}

	for _, ref := range []string{reg.Ref(bomTag), reg.Ref("tkr-bom@" + digest)} {
		img, err := c.Files(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if img.Ref != ref || img.Digest != digest {
			t.Errorf("Files(%s) = {Ref %s, Digest %s}, want {%s, %s}", ref, img.Ref, img.Digest, ref, digest)
		}
		if diff := cmp.Diff(stringFiles(bomFiles), stringFiles(img.Files)); diff != "" {
			t.Errorf("Files(%s) (-want +got):\n%s", ref, diff)
		}
	}

	img, name, data, err := c.OneFile(ctx, reg.Ref(bomTag))
	if err != nil {
		t.Fatal(err)
	}
	if img.Digest != digest || name != "tkr-bom-v1.24.9_vmware.1-tkg.1.yaml" || string(data) != string(bomFiles[name]) {
		t.Errorf("OneFile = %s, %s, %q", img.Digest, name, data)
	}
}

func TestTLS(t *testing.T) {
	ctx := t.Context()
	reg := registrytest.New(t, registrytest.Options{TLS: true})
	digest := reg.Push(t, bomTag, registrytest.FilesImage(t, bomFiles))
	ref := reg.Ref(bomTag)

	t.Run("CA trusted", func(t *testing.T) {
		c := newClient(t, registry.Options{CACerts: reg.CACert})
		if _, _, _, err := c.OneFile(ctx, ref); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("CA among comments and other certificates", func(t *testing.T) {
		other := registrytest.New(t, registrytest.Options{TLS: true})
		ca := append([]byte("# the registry's CA\n"), other.CACert...)
		ca = append(ca, reg.CACert...)
		c := newClient(t, registry.Options{CACerts: ca})
		if _, err := c.Digest(ctx, ref); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("skip verify", func(t *testing.T) {
		// The CA certificates are not used, so broken ones do no harm (P7).
		c := newClient(t, registry.Options{SkipVerify: true, CACerts: []byte("not a certificate")})
		got, err := c.Digest(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if got != digest {
			t.Errorf("Digest = %s, want %s", got, digest)
		}
	})

	t.Run("unknown authority", func(t *testing.T) {
		c := newClient(t, registry.Options{})
		_, err := c.Files(ctx, ref)
		wantErr(t, err, "fetching image "+ref+": ", "unknown authority", "caCerts", "ConfigMap tkr-controller-config", "skip-verify")
		if !registry.IsUnknownAuthority(err) {
			t.Errorf("IsUnknownAuthority(%v) = false", err)
		}
		if registry.IsNotFound(err) {
			t.Errorf("IsNotFound(%v) = true", err)
		}
	})

	t.Run("unknown authority, own hint", func(t *testing.T) {
		c := newClient(t, registry.Options{CAHint: "pass the CA with --ca-cert"})
		_, err := c.Tags(ctx, reg.Ref("tkr-bom"))
		wantErr(t, err, "listing the tags of "+reg.Ref("tkr-bom"), "unknown authority", "pass the CA with --ca-cert")
	})

	t.Run("wrong CA", func(t *testing.T) {
		other := registrytest.New(t, registrytest.Options{TLS: true})
		c := newClient(t, registry.Options{CACerts: other.CACert})
		_, err := c.Digest(ctx, ref)
		wantErr(t, err, "getting the digest of "+ref, "unknown authority")
	})
}

func TestNewCACerts(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{TLS: true})
	tests := []struct {
		name    string
		ca      string
		wantErr string
	}{
		{name: "empty", ca: ""},
		{name: "blank", ca: " \n"},
		{name: "valid", ca: string(reg.CACert)},
		{name: "garbage", ca: "not a certificate", wantErr: "no PEM certificate"},
		{name: "only a key", ca: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", wantErr: "no PEM certificate"},
		{name: "broken certificate", ca: string(reg.CACert) + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", wantErr: "certificate 2 cannot be parsed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := registry.New(registry.Options{CACerts: []byte(tt.ca)})
			if tt.wantErr != "" {
				wantErr(t, err, "the CA certificates cannot be used", tt.wantErr)
				if c != nil {
					t.Errorf("New returned a client with its error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// countingProxy is a forward proxy for plain HTTP and CONNECT that counts requests.
type countingProxy struct {
	requests, connects atomic.Int64
}

func (p *countingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	if r.Method == http.MethodConnect {
		p.connects.Add(1)
		dst, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			dst.Close()
			return
		}
		_, _ = conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		go func() {
			_, _ = io.Copy(dst, conn)
			dst.Close()
		}()
		_, _ = io.Copy(conn, dst)
		conn.Close()
		return
	}
	out := r.Clone(r.Context())
	out.RequestURI = ""
	resp, err := (&http.Transport{}).RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

func TestProxy(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("TLS %v", useTLS), func(t *testing.T) {
			reg := registrytest.New(t, registrytest.Options{TLS: useTLS})
			reg.Push(t, bomTag, registrytest.FilesImage(t, bomFiles))
			proxy := &countingProxy{}
			ps := httptest.NewServer(proxy)
			t.Cleanup(ps.Close)
			u, err := url.Parse(ps.URL)
			if err != nil {
				t.Fatal(err)
			}
			base := &http.Transport{Proxy: http.ProxyURL(u)}
			c := newClient(t, registry.Options{Transport: base, CACerts: reg.CACert})
			reg.ResetStats()
			if _, _, _, err := c.OneFile(t.Context(), reg.Ref(bomTag)); err != nil {
				t.Fatal(err)
			}
			if proxy.requests.Load() == 0 {
				t.Errorf("no request went through the proxy")
			}
			if useTLS && proxy.connects.Load() == 0 {
				t.Errorf("no CONNECT went through the proxy")
			}
			if reg.Stats().Requests == 0 {
				t.Errorf("the registry saw no request")
			}
			// Cloning sets up HTTP/2 in the original's TLS config; trust must not leak into it.
			if base.TLSClientConfig != nil && base.TLSClientConfig.RootCAs != nil {
				t.Errorf("New changed the caller's transport: RootCAs = %v", base.TLSClientConfig.RootCAs)
			}
		})
	}
}

// TestInsecure checks that Options.Insecure allows plain HTTP to a registry that is not on a
// loopback or private address, which go-containerregistry otherwise only reaches over HTTPS.
func TestInsecure(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	reg.Push(t, bomTag, registrytest.FilesImage(t, bomFiles))
	_, port, err := net.SplitHostPort(reg.Host)
	if err != nil {
		t.Fatal(err)
	}
	// registry.test resolves nowhere; the transport dials the test registry for it.
	base := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, reg.Host)
	}}
	ref := "registry.test:" + port + "/" + bomTag

	c := newClient(t, registry.Options{Transport: base})
	_, err = c.Digest(t.Context(), ref)
	wantErr(t, err, "getting the digest of "+ref)

	c = newClient(t, registry.Options{Transport: base, Insecure: true})
	if _, err := c.Digest(t.Context(), ref); err != nil {
		t.Fatalf("with Insecure: %v", err)
	}
}

func TestDownUp(t *testing.T) {
	ctx := t.Context()
	reg := registrytest.New(t, registrytest.Options{TLS: true})
	digest := reg.Push(t, bomTag, registrytest.FilesImage(t, bomFiles))
	ref := reg.Ref(bomTag)

	c := newClient(t, registry.Options{CACerts: reg.CACert})
	if _, err := c.Digest(ctx, ref); err != nil {
		t.Fatal(err)
	}
	reg.Down()
	_, err := c.Digest(ctx, ref)
	wantErr(t, err, "getting the digest of "+ref, "connection refused")
	_, err = c.Files(ctx, ref)
	wantErr(t, err, "fetching image "+ref, "connection refused")

	// A client that never reached the registry must not remember the failure either.
	fresh := newClient(t, registry.Options{CACerts: reg.CACert})
	_, err = fresh.Tags(ctx, reg.Ref("tkr-bom"))
	wantErr(t, err, "listing the tags of "+reg.Ref("tkr-bom"), "connection refused")

	reg.Up()
	for _, c := range []*registry.Client{c, fresh} {
		got, err := c.Digest(ctx, ref)
		if err != nil {
			t.Fatalf("after Up: %v", err)
		}
		if got != digest {
			t.Errorf("Digest after Up = %s, want %s", got, digest)
		}
		if _, err := c.Files(ctx, ref); err != nil {
			t.Fatalf("after Up: %v", err)
		}
	}
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	if _, err := gz.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFilesCorrupt(t *testing.T) {
	ctx := t.Context()
	reg := registrytest.New(t, registrytest.Options{})
	good := registrytest.Layer(t, map[string][]byte{"a.yaml": []byte("a: 1\n")})

	bigFile := bytes.Repeat([]byte("x"), 100_000)
	var layerBytes bytes.Buffer
	rc, err := registrytest.Layer(t, map[string][]byte{"big": bigFile}).Compressed()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(&layerBytes, rc); err != nil {
		t.Fatal(err)
	}
	truncated := layerBytes.Bytes()[:layerBytes.Len()/2]

	tests := []struct {
		name   string
		layers []v1.Layer
		want   []string
	}{
		{
			name:   "truncated gzip",
			layers: []v1.Layer{good, static.NewLayer(truncated, types.OCILayer)},
			want:   []string{"layer 2 of 2", "unexpected EOF"},
		},
		{
			name:   "not gzip",
			layers: []v1.Layer{static.NewLayer([]byte{0x1f, 0x8b, 1, 2, 3}, types.OCILayer)},
			want:   []string{"layer 1 of 1"},
		},
		{
			name:   "not a tar",
			layers: []v1.Layer{static.NewLayer(gzipped(t, []byte("this is not a tar archive")), types.OCILayer)},
			want:   []string{"layer 1 of 1", "reading the layer"},
		},
		{
			name: "path escapes",
			layers: []v1.Layer{registrytest.TarLayer(t, []tar.Header{
				{Name: "ok", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644},
				{Name: "a/../../evil", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644},
			}, map[string][]byte{"ok": []byte("1"), "a/../../evil": []byte("2")})},
			want: []string{`path "a/../../evil" leaves the image's root`},
		},
		{
			name: "hard link to nothing",
			layers: []v1.Layer{registrytest.TarLayer(t, []tar.Header{
				{Name: "link", Typeflag: tar.TypeLink, Linkname: "missing"},
			}, nil)},
			want: []string{"hard link link points to missing, which is not a regular file of the image"},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := reg.Ref(fmt.Sprintf("corrupt:%d", i))
			reg.Push(t, fmt.Sprintf("corrupt:%d", i), registrytest.Image(t, tt.layers...))
			img, err := newClient(t, registry.Options{}).Files(ctx, ref)
			wantErr(t, err, append([]string{"fetching image " + ref + ": "}, tt.want...)...)
			if img != nil {
				t.Errorf("Files returned %d files with its error", len(img.Files))
			}
		})
	}
}

// corruptingTransport flips byte 512 of every blob it downloads: in a tar, the first byte of the
// first file's content.
type corruptingTransport struct{ http.RoundTripper }

func (c corruptingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.RoundTripper.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet || !strings.Contains(req.URL.Path, "/blobs/sha256:") || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(body) > 512 {
		body[512] ^= 0x01
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// TestFilesDigestMismatch checks that a layer's digest is checked: the flipped byte is file
// content in an uncompressed layer, so the tar itself reads fine.
func TestFilesDigestMismatch(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	for name, data := range bomFiles {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	uncompressed := static.NewLayer(raw.Bytes(), types.OCIUncompressedLayer)
	reg.Push(t, bomTag, registrytest.Image(t, uncompressed))

	c := newClient(t, registry.Options{Transport: corruptingTransport{reg.Transport()}})
	img, err := c.Files(t.Context(), reg.Ref(bomTag))
	wantErr(t, err, "fetching image "+reg.Ref(bomTag), "layer 1 of 1", "sha256")
	if img != nil {
		t.Errorf("Files returned files with its error")
	}

	// The same image through an honest transport reads fine.
	if _, err := newClient(t, registry.Options{Transport: reg.Transport()}).Files(t.Context(), reg.Ref(bomTag)); err != nil {
		t.Fatal(err)
	}
}

func TestFilesLimits(t *testing.T) {
	ctx := t.Context()
	reg := registrytest.New(t, registrytest.Options{})
	files := map[string][]byte{
		"a": bytes.Repeat([]byte("a"), 10_000),
		"b": bytes.Repeat([]byte("b"), 10_000),
		"c": bytes.Repeat([]byte("c"), 10_000),
	}
	reg.Push(t, "big:v1", registrytest.FilesImage(t, files))
	ref := reg.Ref("big:v1")

	_, err := newClient(t, registry.Options{MaxFileSize: 9_999}).Files(ctx, ref)
	wantErr(t, err, "fetching image "+ref, "file a is 10000 bytes, more than the limit of 9999 bytes per file")

	_, err = newClient(t, registry.Options{MaxImageSize: 25_000}).Files(ctx, ref)
	wantErr(t, err, "fetching image "+ref, "the image is larger than the limit of 25000 bytes uncompressed")

	img, err := newClient(t, registry.Options{MaxFileSize: 10_000, MaxImageSize: 1 << 20}).Files(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(stringFiles(files), stringFiles(img.Files)); diff != "" {
		t.Errorf("Files (-want +got):\n%s", diff)
	}
}

func TestFilesLayers(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	reg2 := func(name string, typ byte, extra ...string) tar.Header {
		h := tar.Header{Name: name, Typeflag: typ, Mode: 0o644}
		if len(extra) > 0 {
			h.Linkname = extra[0]
		}
		return h
	}
	withSizes := func(hs []tar.Header, files map[string][]byte) []tar.Header {
		for i := range hs {
			hs[i].Size = int64(len(files[hs[i].Name]))
		}
		return hs
	}
	lower := map[string][]byte{
		"./gone":             []byte("gone"),
		"/abs":               []byte("abs"),
		"dir/x":              []byte("x"),
		"dir/sub/y":          []byte("y"),
		"opaque/old":         []byte("old"),
		"keep":               []byte("old keep"),
		"file-becomes-dir":   []byte("f"),
		"dir-becomes-file/z": []byte("z"),
		"linked":             []byte("link target"),
		"symlinked/a":        []byte("a"),
		"plain":              []byte("plain"),
	}
	var lowerHeaders []tar.Header
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range lower {
			if !yield(k) {
				return
			}
		}
	}) {
		lowerHeaders = append(lowerHeaders, reg2(name, tar.TypeReg))
	}
	lowerHeaders = append([]tar.Header{reg2("./", tar.TypeDir), reg2("dir/", tar.TypeDir)}, lowerHeaders...)
	layer1 := registrytest.TarLayer(t, withSizes(lowerHeaders, lower), lower)

	upper := map[string][]byte{
		"keep":               []byte("new keep"),
		"opaque/new":         []byte("new"),
		"file-becomes-dir/f": []byte("in dir"),
		"dir-becomes-file":   []byte("now a file"),
	}
	layer2 := registrytest.TarLayer(t, withSizes([]tar.Header{
		reg2(".wh.gone", tar.TypeReg),
		reg2("dir/.wh.sub", tar.TypeReg),
		reg2("opaque/.wh..wh..opq", tar.TypeReg),
		reg2("opaque/new", tar.TypeReg),
		reg2("keep", tar.TypeReg),
		reg2("file-becomes-dir/f", tar.TypeReg),
		reg2("dir-becomes-file", tar.TypeReg),
		reg2("hardlink", tar.TypeLink, "linked"),
		reg2("symlinked", tar.TypeSymlink, "elsewhere"),
		reg2("plain", tar.TypeSymlink, "keep"),
		reg2(".wh..wh.plnk", tar.TypeReg),
		reg2("/", tar.TypeDir),
	}, upper), upper)

	reg.Push(t, "layers:v1", registrytest.Image(t, layer1, layer2))
	img, err := newClient(t, registry.Options{}).Files(t.Context(), reg.Ref("layers:v1"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"abs":                "abs",
		"dir/x":              "x",
		"opaque/new":         "new",
		"keep":               "new keep",
		"file-becomes-dir/f": "in dir",
		"dir-becomes-file":   "now a file",
		"linked":             "link target",
		"hardlink":           "link target",
	}
	if diff := cmp.Diff(want, stringFiles(img.Files)); diff != "" {
		t.Errorf("Files (-want +got):\n%s", diff)
	}
}

func TestOneFile(t *testing.T) {
	ctx := t.Context()
	reg := registrytest.New(t, registrytest.Options{})
	reg.Push(t, "none:v1", registrytest.Image(t, registrytest.TarLayer(t, []tar.Header{{Name: "dir/", Typeflag: tar.TypeDir, Mode: 0o755}}, nil)))
	reg.Push(t, "two:v1", registrytest.FilesImage(t, map[string][]byte{"b.yaml": nil, "a.yaml": nil}))
	many := map[string][]byte{}
	for i := range 12 {
		many[fmt.Sprintf("f%02d", i)] = nil
	}
	reg.Push(t, "many:v1", registrytest.FilesImage(t, many))
	// Two layers, one file each, the second replacing the first: one file.
	reg.Push(t, "replaced:v1", registrytest.Image(t,
		registrytest.Layer(t, map[string][]byte{"bom.yaml": []byte("old")}),
		registrytest.Layer(t, map[string][]byte{"bom.yaml": []byte("new")})))
	c := newClient(t, registry.Options{})

	img, _, _, err := c.OneFile(ctx, reg.Ref("none:v1"))
	wantErr(t, err, "image "+reg.Ref("none:v1")+" must hold exactly one file, but it holds none")
	if img != nil {
		t.Errorf("OneFile returned an image with its error")
	}
	_, _, _, err = c.OneFile(ctx, reg.Ref("two:v1"))
	wantErr(t, err, "image "+reg.Ref("two:v1")+" must hold exactly one file, but it holds 2: a.yaml, b.yaml")
	_, _, _, err = c.OneFile(ctx, reg.Ref("many:v1"))
	wantErr(t, err, "but it holds 12: f00, f01, f02, f03, f04, f05, f06, f07, f08, f09 and 2 more")
	_, _, _, err = c.OneFile(ctx, reg.Ref("missing:v1"))
	wantErr(t, err, "fetching image "+reg.Ref("missing:v1"))
	if !registry.IsNotFound(err) {
		t.Errorf("IsNotFound(%v) = false", err)
	}

	_, name, data, err := c.OneFile(ctx, reg.Ref("replaced:v1"))
	if err != nil {
		t.Fatal(err)
	}
	if name != "bom.yaml" || string(data) != "new" {
		t.Errorf("OneFile = %s %q, want bom.yaml \"new\"", name, data)
	}

	files, err := c.Files(ctx, reg.Ref("none:v1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files.Files) != 0 {
		t.Errorf("Files of an image without files = %v", files.Files)
	}
}

func TestWriteAndCopy(t *testing.T) {
	ctx := t.Context()
	src := registrytest.New(t, registrytest.Options{})
	dst := registrytest.New(t, registrytest.Options{TLS: true})
	c := newClient(t, registry.Options{CACerts: dst.CACert})

	img := registrytest.FilesImage(t, bomFiles)
	want, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	digest, err := c.Write(ctx, src.Ref(bomTag), img)
	if err != nil {
		t.Fatal(err)
	}
	if digest != want.String() {
		t.Errorf("Write = %s, want %s", digest, want)
	}
	if _, err := c.Write(ctx, src.Ref("by-digest@"+digest), img); err != nil {
		t.Errorf("Write by digest: %v", err)
	}
	wrong := "sha256:" + strings.Repeat("1", 64)
	_, err = c.Write(ctx, src.Ref("by-digest@"+wrong), img)
	wantErr(t, err, "pushing image "+src.Ref("by-digest@"+wrong), "the image's digest is "+digest)

	// Across registries, under a tag and under a digest.
	for _, to := range []string{dst.Ref("mirror/" + bomTag), dst.Ref("mirror/tkr-bom@" + digest)} {
		got, err := c.Copy(ctx, src.Ref(bomTag), to)
		if err != nil {
			t.Fatal(err)
		}
		if got != digest {
			t.Errorf("Copy to %s = %s, want %s", to, got, digest)
		}
		copied, err := c.Files(ctx, to)
		if err != nil {
			t.Fatal(err)
		}
		if copied.Digest != digest {
			t.Errorf("the copy's digest is %s, want %s", copied.Digest, digest)
		}
		if diff := cmp.Diff(stringFiles(bomFiles), stringFiles(copied.Files)); diff != "" {
			t.Errorf("the copy's files (-want +got):\n%s", diff)
		}
	}

	_, err = c.Copy(ctx, src.Ref(bomTag), dst.Ref("mirror/tkr-bom@"+wrong))
	wantErr(t, err, "copying "+src.Ref(bomTag)+" to "+dst.Ref("mirror/tkr-bom@"+wrong), "has digest "+digest)
	_, err = c.Copy(ctx, src.Ref("missing:v1"), dst.Ref("mirror/missing:v1"))
	wantErr(t, err, "copying "+src.Ref("missing:v1")+" to "+dst.Ref("mirror/missing:v1"), "fetching "+src.Ref("missing:v1"))
	if !registry.IsNotFound(err) {
		t.Errorf("IsNotFound(%v) = false", err)
	}

	// An index and its images.
	idx, err := random.Index(64, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	idxDigest, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if err := pushIndex(src, "index:v1", idx); err != nil {
		t.Fatal(err)
	}
	got, err := c.Copy(ctx, src.Ref("index:v1"), dst.Ref("index:v1"))
	if err != nil {
		t.Fatal(err)
	}
	if got != idxDigest.String() {
		t.Errorf("Copy of an index = %s, want %s", got, idxDigest)
	}
	if d, err := c.Digest(ctx, dst.Ref("index:v1")); err != nil || d != idxDigest.String() {
		t.Errorf("Digest of the copied index = %s, %v, want %s", d, err, idxDigest)
	}
}

func TestIsNotFound(t *testing.T) {
	ctx := t.Context()
	reg := registrytest.New(t, registrytest.Options{})
	reg.Push(t, bomTag, registrytest.FilesImage(t, bomFiles))
	c := newClient(t, registry.Options{})

	_, err := c.Digest(ctx, reg.Ref("tkr-bom:v0"))
	wantErr(t, err, "getting the digest of "+reg.Ref("tkr-bom:v0"))
	if !registry.IsNotFound(err) {
		t.Errorf("IsNotFound(%v) = false for a missing tag", err)
	}
	_, err = c.Tags(ctx, reg.Ref("no-such-repo"))
	wantErr(t, err, "listing the tags of "+reg.Ref("no-such-repo"))
	if !registry.IsNotFound(err) {
		t.Errorf("IsNotFound(%v) = false for a missing repository", err)
	}
	_, err = c.Files(ctx, reg.Ref("tkr-bom:v0"))
	if !registry.IsNotFound(err) {
		t.Errorf("IsNotFound(%v) = false for a missing image", err)
	}

	reg.SetFault(func(*http.Request) int { return http.StatusForbidden })
	_, err = c.Digest(ctx, reg.Ref(bomTag))
	wantErr(t, err, "getting the digest of "+reg.Ref(bomTag), "403")
	if registry.IsNotFound(err) {
		t.Errorf("IsNotFound(%v) = true for 403", err)
	}
	reg.SetFault(nil)

	for _, err := range []error{nil, errors.New("other"), context.Canceled} {
		if registry.IsNotFound(err) {
			t.Errorf("IsNotFound(%v) = true", err)
		}
	}
}

func TestFaultsAreRetriedBriefly(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	reg.Push(t, bomTag, registrytest.FilesImage(t, bomFiles))
	c := newClient(t, registry.Options{})
	if _, err := c.Digest(t.Context(), reg.Ref(bomTag)); err != nil {
		t.Fatal(err)
	}

	var heads atomic.Int64
	reg.SetFault(func(r *http.Request) int {
		if r.Method == http.MethodHead && heads.Add(1) == 1 {
			return http.StatusServiceUnavailable // one blip
		}
		return 0
	})
	if _, err := c.Digest(t.Context(), reg.Ref(bomTag)); err != nil {
		t.Fatalf("one 503 was not retried: %v", err)
	}

	reg.SetFault(func(*http.Request) int { return http.StatusInternalServerError })
	start := time.Now()
	_, err := c.Digest(t.Context(), reg.Ref(bomTag))
	wantErr(t, err, "getting the digest of "+reg.Ref(bomTag), "500")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("a failing registry held the call for %v", d)
	}
}

func TestSteadyStateRequests(t *testing.T) {
	ctx := t.Context()
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("TLS %v", useTLS), func(t *testing.T) {
			reg := registrytest.New(t, registrytest.Options{TLS: useTLS})
			reg.Push(t, bomTag, registrytest.FilesImage(t, bomFiles))
			reg.ResetStats()
			c := newClient(t, registry.Options{CACerts: reg.CACert})
			ref := reg.Ref(bomTag)

			for range 3 {
				if _, err := c.Digest(ctx, ref); err != nil {
					t.Fatal(err)
				}
			}
			s := reg.Stats()
			if s.ManifestHeads != 3 || s.Pings > 1 || s.Manifests != 0 || s.Blobs != 0 || s.Requests != s.ManifestHeads+s.Pings {
				t.Errorf("three Digest calls cost %+v, want 3 HEADs and at most one ping", s)
			}

			// A sync round: tags, digest and files of the same repository, twice.
			reg.ResetStats()
			for range 2 {
				if _, err := c.Tags(ctx, reg.Ref("tkr-bom")); err != nil {
					t.Fatal(err)
				}
				if _, err := c.Digest(ctx, ref); err != nil {
					t.Fatal(err)
				}
				if _, _, _, err := c.OneFile(ctx, ref); err != nil {
					t.Fatal(err)
				}
			}
			s = reg.Stats()
			if s.Pings != 0 || s.TagLists != 2 || s.ManifestHeads != 2 || s.Manifests != 2 || s.Blobs != 2 || s.Requests != 8 {
				t.Errorf("two sync rounds cost %+v, want no ping, 2 tag lists, 2 HEADs, 2 manifests and 2 blobs", s)
			}
			if s.BytesOut == 0 {
				t.Errorf("BytesOut = 0 after downloads")
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	reg.Push(t, bomTag, registrytest.FilesImage(t, bomFiles))
	reg.ResetStats()
	c := newClient(t, registry.Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, _, _, err := c.OneFile(t.Context(), reg.Ref(bomTag))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if s := reg.Stats(); s.Pings > 1 {
		t.Errorf("20 concurrent calls pinged %d times, want at most once", s.Pings)
	}
}

func TestContextCancelled(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	reg.Push(t, bomTag, registrytest.FilesImage(t, bomFiles))
	c := newClient(t, registry.Options{})
	ref := reg.Ref(bomTag)

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	reg.ResetStats()
	if _, err := c.Digest(cancelled, ref); !errors.Is(err, context.Canceled) {
		t.Errorf("Digest with a cancelled context: %v", err)
	}
	if _, err := c.Files(cancelled, ref); !errors.Is(err, context.Canceled) {
		t.Errorf("Files with a cancelled context: %v", err)
	}
	if _, err := c.Tags(cancelled, ref); !errors.Is(err, context.Canceled) {
		t.Errorf("Tags with a cancelled context: %v", err)
	}
	if _, err := c.Copy(cancelled, ref, ref); !errors.Is(err, context.Canceled) {
		t.Errorf("Copy with a cancelled context: %v", err)
	}
	if s := reg.Stats(); s.Requests != 0 {
		t.Errorf("cancelled calls made %d requests", s.Requests)
	}

	// A registry that does not answer: cancelling the call ends it.
	reg.SetFault(func(r *http.Request) int {
		<-r.Context().Done()
		return http.StatusGatewayTimeout
	})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Files(ctx, ref)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Files against a hanging registry: %v, want a deadline error", err)
	}
	wantErr(t, err, "fetching image "+ref)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Files returned %v after its deadline", d)
	}
}

func TestUserAgent(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{})
	reg.Push(t, bomTag, registrytest.FilesImage(t, bomFiles))
	var mu sync.Mutex
	var agents []string
	reg.SetFault(func(r *http.Request) int {
		mu.Lock()
		defer mu.Unlock()
		agents = append(agents, r.UserAgent())
		return 0
	})
	c := newClient(t, registry.Options{UserAgent: "tkr-source"})
	if _, err := c.Digest(t.Context(), reg.Ref(bomTag)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(agents) == 0 {
		t.Fatal("no request seen")
	}
	for _, a := range agents {
		if !strings.HasPrefix(a, "tkr-source") {
			t.Errorf("User-Agent = %q, want it to start with tkr-source", a)
		}
	}
}

func TestBadReference(t *testing.T) {
	c := newClient(t, registry.Options{})
	_, err := c.Files(t.Context(), "https://example.com/x:v1")
	wantErr(t, err, `fetching image https://example.com/x:v1: parsing image reference "https://example.com/x:v1"`)
	_, err = c.Digest(t.Context(), "UPPER/case")
	wantErr(t, err, `getting the digest of UPPER/case: parsing image reference`)
}

func pushIndex(reg *registrytest.Registry, path string, idx v1.ImageIndex) error {
	ref, err := name.ParseReference(reg.Ref(path))
	if err != nil {
		return err
	}
	return remote.WriteIndex(ref, idx, remote.WithTransport(reg.Transport()))
}

func TestUseKeychain(t *testing.T) {
	// An empty docker config: the keychain finds no credentials and the anonymous registry serves.
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	reg := registrytest.New(t, registrytest.Options{})
	c := newClient(t, registry.Options{UseKeychain: true})
	digest, err := c.Write(t.Context(), reg.Ref(bomTag), registrytest.FilesImage(t, bomFiles))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Digest(t.Context(), reg.Ref(bomTag)); err != nil || got != digest {
		t.Errorf("Digest = %s, %v, want %s", got, err, digest)
	}
}
