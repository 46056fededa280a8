package registrytest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"crypto/x509"
	"io"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Layer returns a gzip-compressed tar layer holding files (path → content) as regular files,
// in path order, mode 0644.
func Layer(t testing.TB, files map[string][]byte) v1.Layer {
	t.Helper()
	var entries []tar.Header
	for _, p := range slices.Sorted(maps.Keys(files)) {
		entries = append(entries, tar.Header{Name: p, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(files[p]))})
	}
	return TarLayer(t, entries, files)
}

// TarLayer returns a gzip-compressed tar layer of entries, in the order given; the content of
// a regular file is files[entry.Name]. It lets tests build layers with whiteouts, directories,
// links and hostile paths.
func TarLayer(t testing.TB, entries []tar.Header, files map[string][]byte) v1.Layer {
	t.Helper()
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	for _, h := range entries {
		h.Format = tar.FormatPAX
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatalf("writing the tar header of %s: %v", h.Name, err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(files[h.Name]); err != nil {
				t.Fatalf("writing %s to a tar: %v", h.Name, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	var compressed bytes.Buffer
	gz := gzip.NewWriter(&compressed)
	if _, err := gz.Write(raw.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	diffID, _, err := v1.SHA256(bytes.NewReader(raw.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return gzipLayer{static.NewLayer(compressed.Bytes(), types.OCILayer), raw.Bytes(), diffID}
}

// gzipLayer is a static layer of gzip bytes that knows its uncompressed content, so the image
// config gets the right diff_ids (a static layer's DiffID is the digest of its bytes).
type gzipLayer struct {
	v1.Layer
	raw    []byte
	diffID v1.Hash
}

// DiffID implements v1.Layer.
func (l gzipLayer) DiffID() (v1.Hash, error) { return l.diffID, nil }

// Uncompressed implements v1.Layer.
func (l gzipLayer) Uncompressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.raw)), nil
}

// Image returns an OCI image of layers, in order.
func Image(t testing.TB, layers ...v1.Layer) v1.Image {
	t.Helper()
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err := mutate.AppendLayers(img, layers...)
	if err != nil {
		t.Fatalf("building a test image: %v", err)
	}
	return img
}

// FilesImage returns an OCI image with one layer holding files (see Layer).
func FilesImage(t testing.TB, files map[string][]byte) v1.Image {
	t.Helper()
	return Image(t, Layer(t, files))
}

// Push pushes img to path (a repository with a tag or digest) in this registry and returns
// the image's digest (sha256:...).
func (r *Registry) Push(t testing.TB, path string, img v1.Image) string {
	t.Helper()
	ref, err := name.ParseReference(r.Ref(path))
	if err != nil {
		t.Fatalf("parsing %s: %v", r.Ref(path), err)
	}
	if err := remote.Write(ref, img, remote.WithTransport(r.Transport())); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatalf("computing the digest of %s: %v", ref, err)
	}
	return d.String()
}

// Transport returns a new HTTP transport that trusts the registry's CA and uses no proxy.
func (r *Registry) Transport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	if r.CACert != nil {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(r.CACert)
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return tr
}
