package tkrbundle_test

import (
	"archive/tar"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/tkr-project/tkr/pkg/imageslock"
	"github.com/tkr-project/tkr/pkg/tkrbundle"
)

// imageFiles returns the regular files of img's layers, as a registry client would.
func imageFiles(t *testing.T, img v1.Image) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	tarHeaders(t, img, files)
	return files
}

// tarHeaders reads every layer of img, storing file contents in files, and returns the headers.
func tarHeaders(t *testing.T, img v1.Image, files map[string][]byte) []*tar.Header {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var hdrs []*tar.Header
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			files[h.Name] = data
			hdrs = append(hdrs, h)
		}
		rc.Close()
	}
	return hdrs
}

func digest(t *testing.T, img v1.Image) string {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

func TestImageIsReproducible(t *testing.T) {
	files := map[string][]byte{"b.yaml": []byte("b: 1\n"), "a/c.yaml": []byte("c: 1\n"), "a.yaml": []byte("a: 1\n")}
	one, err := tkrbundle.Image(files, true)
	if err != nil {
		t.Fatal(err)
	}
	two, err := tkrbundle.Image(map[string][]byte{"a.yaml": []byte("a: 1\n"), "a/c.yaml": []byte("c: 1\n"), "b.yaml": []byte("b: 1\n")}, true)
	if err != nil {
		t.Fatal(err)
	}
	if digest(t, one) != digest(t, two) {
		t.Errorf("the same files gave two digests: %s and %s", digest(t, one), digest(t, two))
	}
	files["b.yaml"] = []byte("b: 2\n")
	three, err := tkrbundle.Image(files, true)
	if err != nil {
		t.Fatal(err)
	}
	if digest(t, one) == digest(t, three) {
		t.Error("different files gave the same digest")
	}
	plain, err := tkrbundle.Image(files, false)
	if err != nil {
		t.Fatal(err)
	}
	if digest(t, plain) == digest(t, three) {
		t.Error("a bundle and a plain image of the same files have the same digest")
	}
	if string(files["b.yaml"]) != "b: 2\n" || len(files) != 3 {
		t.Error("Image modified its input")
	}
}

func TestImageLayout(t *testing.T) {
	img, err := tkrbundle.Image(map[string][]byte{"z.yml": []byte("z"), "config/tkr.yaml": []byte("kind: X\n")}, true)
	if err != nil {
		t.Fatal(err)
	}
	if mt, _ := img.MediaType(); mt != types.OCIManifestSchema1 {
		t.Errorf("manifest media type %s", mt)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.MediaType != types.OCIConfigJSON || len(m.Layers) != 1 || m.Layers[0].MediaType != types.OCILayer {
		t.Errorf("manifest %+v", m)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := cfg.Config.Labels[tkrbundle.BundleLabel]; !ok || v != "" {
		t.Errorf("labels %v, want %s: \"\"", cfg.Config.Labels, tkrbundle.BundleLabel)
	}
	files := map[string][]byte{}
	hdrs := tarHeaders(t, img, files)
	var names []string
	for _, h := range hdrs {
		names = append(names, h.Name)
		if h.Typeflag != tar.TypeReg || h.Mode != 0o644 || !h.ModTime.Equal(time.Unix(0, 0)) || h.Uid != 0 || h.Gid != 0 {
			t.Errorf("header %+v", h)
		}
	}
	if got, want := strings.Join(names, " "), ".imgpkg/bundle.yml .imgpkg/images.yml config/tkr.yaml z.yml"; got != want {
		t.Errorf("entries %q, want %q", got, want)
	}
	if !strings.Contains(string(files[tkrbundle.BundleFile]), "kind: Bundle") {
		t.Errorf("bundle.yml = %q", files[tkrbundle.BundleFile])
	}
	lock, err := imageslock.Parse(files[imageslock.Path])
	if err != nil || len(lock.Images) != 0 {
		t.Errorf("images lock %q: %v", files[imageslock.Path], err)
	}
}

func TestImageKeepsGivenBundleFiles(t *testing.T) {
	lock := []byte("apiVersion: imgpkg.carvel.dev/v1alpha1\nkind: ImagesLock\nimages:\n- image: r.example/x@sha256:" + strings.Repeat("0", 64) + "\n")
	img, err := tkrbundle.Image(map[string][]byte{imageslock.Path: lock, tkrbundle.BundleFile: []byte("mine")}, true)
	if err != nil {
		t.Fatal(err)
	}
	files := imageFiles(t, img)
	if string(files[imageslock.Path]) != string(lock) || string(files[tkrbundle.BundleFile]) != "mine" {
		t.Errorf("files %q", files)
	}
}

func TestPlainImage(t *testing.T) {
	img, err := tkrbundle.Image(map[string][]byte{"tkr-compatibility.yaml": []byte("x")}, false)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Config.Labels) != 0 {
		t.Errorf("labels %v", cfg.Config.Labels)
	}
	files := imageFiles(t, img)
	if len(files) != 1 || string(files["tkr-compatibility.yaml"]) != "x" {
		t.Errorf("files %q", files)
	}
}

func TestImageErrors(t *testing.T) {
	if _, err := tkrbundle.Image(nil, false); err == nil {
		t.Error("no error for an image without files")
	}
	for _, bad := range []string{"/abs.yaml", "../up.yaml", "a/../b.yaml", "a//b", ".", "", `a\b.yaml`, "dir/"} {
		_, err := tkrbundle.Image(map[string][]byte{bad: []byte("x")}, false)
		if err == nil || !strings.Contains(err.Error(), "relative") {
			t.Errorf("Image(%q) error = %v", bad, err)
		}
	}
}
