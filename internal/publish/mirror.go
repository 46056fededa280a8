package publish

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/tkr-project/tkr/internal/registry"
	"github.com/tkr-project/tkr/pkg/imageslock"
	"github.com/tkr-project/tkr/pkg/version"
)

// Mirror copies a published layout from one target to another, the way `imgpkg copy` relocates
// bundles for an air-gapped site: every image a bundle's images lock lists, and recursively the
// images of those that are bundles themselves, is copied by digest into the destination
// repository of the top-level bundle. The repository bundles keep their files untouched; the
// source controller relocates the references in them when it reads them from the mirror
// (docs/registry-layout.md, Relocation).
//
// versions are TKR versions (also as labels or image tags) whose repository bundles and BOMs
// are copied; a version with neither in from is an error, and a version with only one of them
// (a release without a BOM) copies that one. No versions copies every release and BOM of from.
// Every numeric tag of the compatibility metadata is copied as well. As with Push, referenced
// images go before the images that refer to them, BOMs after the bundles, and the compatibility
// metadata last; images the mirror already has are not copied again.
func Mirror(ctx context.Context, c *registry.Client, from, to Target, versions []string) error {
	f, err := from.Check()
	if err != nil {
		return fmt.Errorf("cannot mirror from %s: %w", from.Registry, err)
	}
	t, err := to.Check()
	if err != nil {
		return fmt.Errorf("cannot mirror to %s: %w", to.Registry, err)
	}
	repoTags, err := tagsOrNone(ctx, c, f.RepositoryRepo())
	if err != nil {
		return err
	}
	bomTags, err := tagsOrNone(ctx, c, f.BOMRepo())
	if err != nil {
		return err
	}
	want := map[string]bool{}
	if len(versions) == 0 {
		for _, tag := range slices.Concat(repoTags, bomTags) {
			want[tag] = true
		}
	}
	for _, v := range versions {
		tag := version.ImageTag(normalize(v))
		if !slices.Contains(repoTags, tag) && !slices.Contains(bomTags, tag) {
			return fmt.Errorf("cannot mirror %s: neither %s nor %s has the tag %s", v, f.RepositoryRepo(), f.BOMRepo(), tag)
		}
		want[tag] = true
	}

	m := &mirror{c: c, copied: map[string]bool{}}
	for _, tag := range repoTags {
		if want[tag] {
			if err := m.bundle(ctx, f.RepositoryRepo()+":"+tag, t.RepositoryRepo(), t.RepositoryRepo()+":"+tag); err != nil {
				return err
			}
		}
	}
	for _, tag := range bomTags {
		if want[tag] {
			if err := m.copy(ctx, f.BOMRepo()+":"+tag, t.BOMRepo()+":"+tag); err != nil {
				return err
			}
		}
	}
	metaTags, err := tagsOrNone(ctx, c, f.CompatibilityRepo())
	if err != nil {
		return err
	}
	for _, tag := range metaTags {
		if _, ok := NewestMetadataTag([]string{tag}); ok {
			if err := m.copy(ctx, f.CompatibilityRepo()+":"+tag, t.CompatibilityRepo()+":"+tag); err != nil {
				return err
			}
		}
	}
	return nil
}

// tagsOrNone lists the tags of repo, sorted; a repository that does not exist has none.
func tagsOrNone(ctx context.Context, c *registry.Client, repo string) ([]string, error) {
	tags, err := c.Tags(ctx, repo)
	if err != nil && !registry.IsNotFound(err) {
		return nil, fmt.Errorf("cannot mirror: %w", err)
	}
	slices.Sort(tags)
	return tags, nil
}

// mirror copies images, each once.
type mirror struct {
	c      *registry.Client
	copied map[string]bool
}

// bundle copies the bundle src to dst after the images its lock lists (recursively), which go to
// dstRepo by digest.
func (m *mirror) bundle(ctx context.Context, src, dstRepo, dst string) error {
	img, err := m.c.Files(ctx, src)
	if err != nil {
		return fmt.Errorf("cannot mirror the bundle %s: %w", src, err)
	}
	if err := m.lockImages(ctx, src, img.Files, dstRepo); err != nil {
		return err
	}
	// Copy what was read, even if the tag has moved since.
	ref, err := name.ParseReference(src)
	if err != nil {
		return fmt.Errorf("cannot mirror the bundle %s: %w", src, err)
	}
	return m.copy(ctx, ref.Context().Digest(img.Digest).String(), dst)
}

// lockImages copies the images listed in the images lock among files, of the bundle read from
// src, to dstRepo by digest. Nested bundles bring their own images along.
func (m *mirror) lockImages(ctx context.Context, src string, files map[string][]byte, dstRepo string) error {
	data, ok := files[imageslock.Path]
	if !ok {
		return nil
	}
	lock, err := imageslock.Parse(data)
	if err != nil {
		return fmt.Errorf("cannot mirror the bundle %s: %w", src, err)
	}
	// The bundle may itself be a copy whose lock still names the original registry; its images
	// are then next to it.
	relocations, err := imageslock.Relocations(src, lock)
	if err != nil {
		return fmt.Errorf("cannot mirror the bundle %s: %w", src, err)
	}
	for i, entry := range lock.Images {
		d, err := name.NewDigest(entry.Image)
		if err != nil {
			return fmt.Errorf("cannot mirror the bundle %s: image %d of %s, %q, is not a digest reference: %w", src, i+1, imageslock.Path, entry.Image, err)
		}
		dst := dstRepo + "@" + d.DigestStr()
		if m.copied[dst] {
			continue
		}
		// Like imgpkg, look next to the bundle first, and where the lock says if it is not there.
		from := entry.Image
		if r, ok := relocations[from]; ok {
			from = r
		}
		nested, err := m.c.Files(ctx, from)
		if from != entry.Image && registry.IsNotFound(err) {
			from = entry.Image
			nested, err = m.c.Files(ctx, from)
		}
		if err != nil {
			return fmt.Errorf("cannot mirror image %s of the bundle %s: %w", from, src, err)
		}
		if _, isBundle := nested.Files[imageslock.Path]; isBundle {
			if err := m.lockImages(ctx, from, nested.Files, dstRepo); err != nil {
				return err
			}
		}
		if err := m.copy(ctx, from, dst); err != nil {
			return err
		}
	}
	return nil
}

// copy copies src to dst unless dst already names the same image.
func (m *mirror) copy(ctx context.Context, src, dst string) error {
	if m.copied[dst] {
		return nil
	}
	want, err := m.c.Digest(ctx, src)
	if err != nil {
		return fmt.Errorf("cannot mirror: %w", err)
	}
	if have, err := m.c.Digest(ctx, dst); err != nil || have != want {
		if _, err := m.c.Copy(ctx, src, dst); err != nil {
			return fmt.Errorf("cannot mirror: %w", err)
		}
	}
	m.copied[dst] = true
	return nil
}
