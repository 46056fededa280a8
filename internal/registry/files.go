package registry

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"path"
	"slices"
	"strings"
	"syscall"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Image is the content of an image read by Files or OneFile.
type Image struct {
	// Ref is the reference the image was read by.
	Ref string
	// Digest is the digest (sha256:...) of the manifest Ref names.
	Digest string
	// Files are the regular files of the image, keyed by their clean slash-separated path
	// (no leading ./ or /).
	Files map[string][]byte
}

// Whiteout names, from the OCI image layer specification.
const (
	whiteoutPrefix = ".wh."
	whiteoutMeta   = ".wh..wh."
	whiteoutOpaque = ".wh..wh..opq"
)

// Files reads every regular file of the image ref names, applying the layers in order the way
// a container runtime would: a later layer's file replaces an earlier one, and whiteouts delete
// earlier files. An image index is resolved to its linux/amd64 image. Symbolic links, devices
// and directories are not files; a hard link is a file with its target's content. An image
// without files gives an empty map.
//
// The whole image is read and checked before Files returns, so a truncated or corrupt layer
// (bad compression, bad tar, content not matching its digest), a path that escapes the image
// with "..", or an image larger than the client's limits is an error and nothing is returned.
func (c *Client) Files(ctx context.Context, ref string) (*Image, error) {
	const what = "fetching image"
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, ref, err)
	}
	r, err := c.parse(ref)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, ref, err)
	}
	desc, err := c.puller.Get(ctx, r)
	if err != nil {
		return nil, c.fail(what, ref, err)
	}
	img, err := desc.Image()
	if err != nil {
		return nil, c.fail(what, ref, err)
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, c.fail(what, ref, fmt.Errorf("listing the layers: %w", err))
	}
	files := map[string][]byte{}
	budget := c.maxImage
	for i, l := range layers {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%s %s: %w", what, ref, err)
		}
		if err := c.readLayer(l, files, &budget); err != nil {
			digest, _ := l.Digest()
			return nil, c.fail(what, ref, content(fmt.Errorf("layer %d of %d (%s): %w", i+1, len(layers), digest, err)))
		}
	}
	return &Image{Ref: ref, Digest: desc.Digest.String(), Files: files}, nil
}

// OneFile reads an image that must hold exactly one file, such as a BOM or the compatibility
// metadata, and returns the image, the file's path and its content. An image with no file or
// with more than one is an error naming the reference and the files found.
func (c *Client) OneFile(ctx context.Context, ref string) (*Image, string, []byte, error) {
	img, err := c.Files(ctx, ref)
	if err != nil {
		return nil, "", nil, err
	}
	switch len(img.Files) {
	case 1:
		for p, data := range img.Files {
			return img, p, data, nil
		}
	case 0:
		return nil, "", nil, &ContentError{fmt.Errorf("image %s must hold exactly one file, but it holds none", ref)}
	}
	names := slices.Sorted(maps.Keys(img.Files))
	const shown = 10
	list := strings.Join(names[:min(len(names), shown)], ", ")
	if len(names) > shown {
		list += fmt.Sprintf(" and %d more", len(names)-shown)
	}
	return nil, "", nil, &ContentError{fmt.Errorf("image %s must hold exactly one file, but it holds %d: %s", ref, len(names), list)}
}

// readLayer applies layer l to files, the files of the layers below it. budget is what is left
// of the image's size limit; it is reduced by the layer's uncompressed size.
func (c *Client) readLayer(l v1.Layer, files map[string][]byte, budget *int64) error {
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close() //nolint:errcheck // a read error has been returned already
	br := &budgetReader{r: rc, left: budget, limit: c.maxImage}

	added := map[string][]byte{}
	var whiteouts, opaques, hidden []string // paths of the layer that hide lower files
	tr := tar.NewReader(br)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the layer: %w", err)
		}
		p, err := cleanPath(h.Name)
		if err != nil {
			return err
		}
		if p == "" {
			continue // the root directory
		}
		dir, base := path.Split(p)
		switch {
		case base == whiteoutOpaque:
			opaques = append(opaques, strings.TrimSuffix(dir, "/"))
			continue
		case strings.HasPrefix(base, whiteoutMeta):
			continue // other AUFS bookkeeping, not content
		case strings.HasPrefix(base, whiteoutPrefix):
			if target := strings.TrimPrefix(base, whiteoutPrefix); target != "" {
				whiteouts = append(whiteouts, dir+target)
			}
			continue
		}
		switch h.Typeflag {
		case tar.TypeReg:
			if h.Size > c.maxFile {
				return fmt.Errorf("file %s is %d bytes, more than the limit of %d bytes per file", p, h.Size, c.maxFile)
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				return fmt.Errorf("reading file %s: %w", p, err)
			}
			added[p] = data
		case tar.TypeLink:
			target, err := cleanPath(h.Linkname)
			if err != nil {
				return fmt.Errorf("hard link %s: %w", p, err)
			}
			data, ok := added[target]
			if !ok {
				data, ok = files[target]
			}
			if !ok {
				return fmt.Errorf("hard link %s points to %s, which is not a regular file of the image", p, h.Linkname)
			}
			added[p] = data
		case tar.TypeDir:
			// A directory replaces a lower file of the same name but keeps what is under it.
			delete(added, p)
			hidden = append(hidden, p)
		default:
			// A symbolic link or special file replaces whatever was at its path, directories too.
			delete(added, p)
			whiteouts = append(whiteouts, p)
		}
	}
	// Read to the end so the compressed stream is read to its end too: that is where its digest
	// and size are checked.
	if _, err := io.Copy(io.Discard, br); err != nil {
		return fmt.Errorf("reading the layer: %w", err)
	}
	if err := rc.Close(); err != nil {
		return fmt.Errorf("reading the layer: %w", err)
	}
	applyLayer(files, added, whiteouts, opaques, hidden)
	return nil
}

// applyLayer puts the changes of one layer onto files, the files of the layers below it.
func applyLayer(files, added map[string][]byte, whiteouts, opaques, hidden []string) {
	if len(files) == 0 {
		maps.Copy(files, added)
		return
	}
	// The directories that hold lower files, to find what a path hides without scanning all files.
	dirs := map[string]bool{}
	for p := range files {
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	removeUnder := func(dir string) {
		if dir != "" && !dirs[dir] {
			return
		}
		for p := range files {
			if dir == "" || strings.HasPrefix(p, dir+"/") {
				delete(files, p)
			}
		}
	}
	for _, d := range opaques {
		removeUnder(d)
	}
	for _, w := range whiteouts {
		delete(files, w)
		removeUnder(w)
	}
	for _, h := range hidden {
		delete(files, h)
	}
	for p, data := range added {
		removeUnder(p) // a file replaces a lower directory
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			delete(files, d) // a lower file where this layer has a directory
		}
		files[p] = data
	}
}

// cleanPath returns the clean relative form of a path in a layer: no leading ./ or /, and ""
// for the root. A path that leaves the root with .. is an error.
func cleanPath(p string) (string, error) {
	clean := path.Clean("/" + p)
	// Cleaning a rooted path drops any .. that would climb above the root, so compare with the
	// unrooted form to see whether the path tried to.
	if rel := path.Clean(strings.TrimLeft(p, "/")); rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("path %q leaves the image's root", p)
	}
	return strings.TrimPrefix(clean, "/"), nil
}

// budgetReader reads from r until *left bytes are used up; reading more is an error.
type budgetReader struct {
	r     io.Reader
	left  *int64
	limit int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if *b.left <= 0 {
		// At the limit: fine if the data ends here too.
		var one [1]byte
		n, err := b.r.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("the image is larger than the limit of %d bytes uncompressed", b.limit)
		}
		return 0, err
	}
	if int64(len(p)) > *b.left {
		p = p[:*b.left]
	}
	n, err := b.r.Read(p)
	*b.left -= int64(n)
	return n, err
}

// ContentError is an image whose content cannot be used: a corrupt or truncated layer, a path
// escaping the image, a size limit exceeded, the wrong number of files. Retrying the same digest
// gives the same error, unlike a registry that cannot be reached.
type ContentError struct{ Err error }

func (e *ContentError) Error() string { return e.Err.Error() }
func (e *ContentError) Unwrap() error { return e.Err }

// IsContent reports whether err says an image's content cannot be used (see ContentError).
func IsContent(err error) bool {
	var ce *ContentError
	return errors.As(err, &ce)
}

// content marks err as a ContentError unless it comes from the network, which can fail half way
// through a layer too.
func content(err error) error {
	var nerr net.Error
	var terr *transport.Error
	if errors.As(err, &nerr) || errors.As(err, &terr) || errors.Is(err, syscall.ECONNRESET) {
		return err
	}
	return &ContentError{Err: err}
}
