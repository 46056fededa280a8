package registry

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Tags lists the tags of repo, a repository; a tag or digest in it is ignored, so an image
// reference can be passed as well.
func (c *Client) Tags(ctx context.Context, repo string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("listing the tags of %s: %w", repo, err)
	}
	r, err := c.parse(repo)
	if err != nil {
		return nil, fmt.Errorf("listing the tags of %s: %w", repo, err)
	}
	tags, err := c.puller.List(ctx, r.Context())
	if err != nil {
		return nil, c.fail("listing the tags of", repo, err)
	}
	return tags, nil
}

// Digest resolves ref to the digest (sha256:...) of the manifest it names, with a HEAD request:
// nothing is downloaded. For an image index that is the digest of the index.
func (c *Client) Digest(ctx context.Context, ref string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("getting the digest of %s: %w", ref, err)
	}
	r, err := c.parse(ref)
	if err != nil {
		return "", fmt.Errorf("getting the digest of %s: %w", ref, err)
	}
	desc, err := c.puller.Head(ctx, r)
	if err != nil {
		return "", c.fail("getting the digest of", ref, err)
	}
	return desc.Digest.String(), nil
}

// Write pushes img to ref, a tag or a digest reference, and returns the image's digest. Blobs
// the repository has already are not uploaded again. A digest reference must name img's digest.
func (c *Client) Write(ctx context.Context, ref string, img v1.Image) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("pushing image %s: %w", ref, err)
	}
	r, err := c.parse(ref)
	if err != nil {
		return "", fmt.Errorf("pushing image %s: %w", ref, err)
	}
	digest, err := img.Digest()
	if err != nil {
		return "", fmt.Errorf("pushing image %s: computing the image's digest: %w", ref, err)
	}
	if d, ok := r.(name.Digest); ok && d.DigestStr() != digest.String() {
		return "", fmt.Errorf("pushing image %s: the image's digest is %s, not the one the reference names", ref, digest)
	}
	if err := c.pusher.Push(ctx, r, img); err != nil {
		return "", c.fail("pushing image", ref, err)
	}
	return digest.String(), nil
}

// Copy copies the manifest src names, and everything it refers to, to dst, which may be in
// another registry and may be a tag or a digest reference. The manifest is copied byte for
// byte, so the digest (returned) stays the same; a digest reference dst must name it.
func (c *Client) Copy(ctx context.Context, src, dst string) (string, error) {
	what := fmt.Sprintf("copying %s to", src)
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("%s %s: %w", what, dst, err)
	}
	s, err := c.parse(src)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", what, dst, err)
	}
	d, err := c.parse(dst)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", what, dst, err)
	}
	desc, err := c.puller.Get(ctx, s)
	if err != nil {
		return "", c.fail(what, dst, fmt.Errorf("fetching %s: %w", src, err))
	}
	if dd, ok := d.(name.Digest); ok && dd.DigestStr() != desc.Digest.String() {
		return "", fmt.Errorf("%s %s: %s has digest %s, not the one the destination names", what, dst, src, desc.Digest)
	}
	if err := c.pusher.Push(ctx, d, desc); err != nil {
		return "", c.fail(what, dst, err)
	}
	return desc.Digest.String(), nil
}

// IsNotFound reports whether err says that the registry has no such repository, manifest or
// blob: HTTP 404, MANIFEST_UNKNOWN or NAME_UNKNOWN.
func IsNotFound(err error) bool {
	var te *transport.Error
	if !errors.As(err, &te) {
		return false
	}
	if te.StatusCode == http.StatusNotFound {
		return true
	}
	for _, d := range te.Errors {
		if d.Code == transport.ManifestUnknownErrorCode || d.Code == transport.NameUnknownErrorCode {
			return true
		}
	}
	return false
}

// IsUnknownAuthority reports whether err says that a registry's TLS certificate is signed by an
// authority the client does not trust, which Options.CACerts or Options.SkipVerify fix.
func IsUnknownAuthority(err error) bool {
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		return true
	}
	var pua *x509.UnknownAuthorityError
	return errors.As(err, &pua)
}
