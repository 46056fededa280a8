package tkrbundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/tkr-project/tkr/pkg/imageslock"
)

const (
	// BundleLabel is the image config label that makes an image an imgpkg bundle.
	BundleLabel = "dev.carvel.imgpkg.bundle"
	// BundleFile is the file imgpkg expects in every bundle.
	BundleFile = ".imgpkg/bundle.yml"
)

// bundleYAML is the content of BundleFile. imgpkg reads nothing but apiVersion and kind from it
// for a bundle without metadata.
const bundleYAML = "apiVersion: imgpkg.carvel.dev/v1alpha1\nkind: Bundle\n"

// fileMode is the mode of every file in an image: readable by everyone, and nothing that differs
// between the machines images are built on.
const fileMode = 0o644

// Image builds an OCI image with one gzip-compressed tar layer holding files, keyed by their
// slash-separated path inside the image. Entries are sorted and carry neither times nor owners,
// so the same files always give the same digest and publishing twice pushes nothing new.
//
// With bundle set the image is an imgpkg bundle: its config has the label BundleLabel, and
// BundleFile and an empty images lock (imageslock.Path) are added unless files has them.
func Image(files map[string][]byte, bundle bool) (v1.Image, error) {
	if len(files) == 0 {
		return nil, errors.New("cannot build an image without files")
	}
	if bundle {
		files = maps.Clone(files)
		if _, ok := files[BundleFile]; !ok {
			files[BundleFile] = []byte(bundleYAML)
		}
		if _, ok := files[imageslock.Path]; !ok {
			lock, err := imageslock.New().Marshal()
			if err != nil {
				return nil, fmt.Errorf("cannot write an empty %s: %w", imageslock.Path, err)
			}
			files[imageslock.Path] = lock
		}
	}
	layerData, err := tarGzip(files)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerData)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("cannot make an image layer: %w", err)
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer, MediaType: types.OCILayer})
	if err != nil {
		return nil, fmt.Errorf("cannot add the layer to the image: %w", err)
	}
	if !bundle {
		return img, nil
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("cannot read the image config: %w", err)
	}
	cfg = cfg.DeepCopy()
	cfg.Config.Labels = map[string]string{BundleLabel: ""}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot label the image as an imgpkg bundle: %w", err)
	}
	return img, nil
}

// tarGzip writes files as a gzip-compressed tar stream of regular files in lexical order.
func tarGzip(files map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	// The gzip header is left without name and time, so the bytes depend only on the files.
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if !fs.ValidPath(name) || name == "." || strings.Contains(name, `\`) {
			return nil, fmt.Errorf("cannot put the file %q into an image: paths must be relative, slash-separated and without . or .. elements", name)
		}
		data := files[name]
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     name,
			Mode:     fileMode,
			Size:     int64(len(data)),
			ModTime:  time.Unix(0, 0),
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("cannot put the file %q into an image: %w", name, err)
		}
		if _, err := tw.Write(data); err != nil {
			return nil, fmt.Errorf("cannot put the file %q into an image: %w", name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("cannot finish the image layer: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("cannot compress the image layer: %w", err)
	}
	return buf.Bytes(), nil
}
