package publish

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"github.com/tkr-project/tkr/internal/registry"
	"github.com/tkr-project/tkr/pkg/bom"
	"github.com/tkr-project/tkr/pkg/compatibility"
	"github.com/tkr-project/tkr/pkg/tkrbundle"
	"github.com/tkr-project/tkr/pkg/version"
)

// Default repository paths below Target.Registry, those of TKG for vSphere.
const (
	// DefaultCompatibilityPath is the default repository of the compatibility metadata.
	DefaultCompatibilityPath = "tkr-compatibility"
	// DefaultBOMPath is the default repository of the BOMs.
	DefaultBOMPath = "tkr-bom"
	// DefaultRepositoryPath is the default repository of the repository bundles.
	DefaultRepositoryPath = "tkr-repository-vsphere-nonparavirt"
	// DefaultPackagePath is the default repository of the package bundles.
	DefaultPackagePath = "tkr-vsphere-nonparavirt"
)

// MetadataFileName is the name of the one file in a compatibility metadata image.
const MetadataFileName = "tkr-compatibility.yaml"

// parallelism bounds the pushes in flight: enough to hide round trips, few enough not to look
// like an attack to a registry.
const parallelism = 8

// Target says where in a registry the layout goes.
type Target struct {
	// Registry is host[:port][/prefix], e.g. registry.example.com:5000/tkg.
	Registry string
	// CompatibilityPath is the repository of the compatibility metadata below Registry.
	CompatibilityPath string
	// BOMPath is the repository of the BOMs.
	BOMPath string
	// RepositoryPath is the repository of the repository bundles.
	RepositoryPath string
	// PackagePath is the repository of the package bundles.
	PackagePath string
}

// WithDefaults returns t with empty paths set to their defaults and trailing slashes dropped
// from Registry.
func (t Target) WithDefaults() Target {
	t.Registry = strings.TrimRight(strings.TrimSpace(t.Registry), "/")
	set := func(p *string, def string) {
		if *p = strings.Trim(strings.TrimSpace(*p), "/"); *p == "" {
			*p = def
		}
	}
	set(&t.CompatibilityPath, DefaultCompatibilityPath)
	set(&t.BOMPath, DefaultBOMPath)
	set(&t.RepositoryPath, DefaultRepositoryPath)
	set(&t.PackagePath, DefaultPackagePath)
	return t
}

// CompatibilityRepo is the repository of the compatibility metadata, Registry/CompatibilityPath.
func (t Target) CompatibilityRepo() string { return t.Registry + "/" + t.CompatibilityPath }

// BOMRepo is the repository of the BOMs.
func (t Target) BOMRepo() string { return t.Registry + "/" + t.BOMPath }

// RepositoryRepo is the repository of the repository bundles.
func (t Target) RepositoryRepo() string { return t.Registry + "/" + t.RepositoryPath }

// PackageRepo is the repository of the package bundles.
func (t Target) PackageRepo() string { return t.Registry + "/" + t.PackagePath }

// Check returns t with the defaults applied, or an error saying what is wrong with it: no
// registry, a URL scheme, or a repository name the registry would refuse.
func (t Target) Check() (Target, error) {
	t = t.WithDefaults()
	if t.Registry == "" {
		return t, errors.New("no registry given; name it as host[:port][/prefix], e.g. registry.example.com:5000/tkg")
	}
	if i := strings.Index(t.Registry, "://"); i >= 0 {
		hint := ""
		if t.Registry[:i] == "http" {
			hint = " (a plain-HTTP registry needs --insecure, unless it is on this machine or a private network)"
		}
		return t, fmt.Errorf("the registry %q must be given as host[:port][/prefix], without the %s:// scheme%s", t.Registry, t.Registry[:i], hint)
	}
	for _, repo := range []string{t.CompatibilityRepo(), t.BOMRepo(), t.RepositoryRepo(), t.PackageRepo()} {
		if _, err := name.NewRepository(repo); err != nil {
			return t, fmt.Errorf("%s is not a valid repository (host[:port]/path, lower case): %w", repo, err)
		}
	}
	return t, nil
}

// Kinds of images in a Result.
const (
	// KindPackageBundle is a package bundle: the objects of one release.
	KindPackageBundle = "package bundle"
	// KindRepositoryBundle is a repository bundle: the Package pointing at a package bundle.
	KindRepositoryBundle = "repository bundle"
	// KindBOM is a TKR BOM image.
	KindBOM = "BOM"
	// KindCompatibility is the compatibility metadata image.
	KindCompatibility = "compatibility metadata"
)

// Image is one image of a Result.
type Image struct {
	// Kind is one of KindPackageBundle, KindRepositoryBundle, KindBOM and KindCompatibility.
	Kind string
	// Ref is the tag reference, e.g. registry.example.com/tkg/tkr-bom:v1.24.9_vmware.1-tkg.1.
	Ref string
	// Digest is the image's digest, sha256:....
	Digest string
	// Pushed is false when the registry already had the image under Ref.
	Pushed bool
}

// Result is what Push did.
type Result struct {
	// Target is where the layout went, with defaults applied.
	Target Target
	// Images lists every image of the layout in push order, pushed or already there.
	Images []Image
}

// Pushed returns the images that were pushed, not already there.
func (r *Result) Pushed() []Image {
	var out []Image
	for _, img := range r.Images {
		if img.Pushed {
			out = append(out, img)
		}
	}
	return out
}

// ManagerFlags returns the flags that point the source controller (tkr manager) at the target.
func (r *Result) ManagerFlags() []string {
	return ManagerFlags(r.Target)
}

// ManagerFlags returns the flags that point the source controller at t.
func ManagerFlags(t Target) []string {
	t = t.WithDefaults()
	return []string{
		"--bom-image-path=" + t.BOMRepo(),
		"--bom-metadata-image-path=" + t.CompatibilityRepo(),
		"--tkr-repo-image-path=" + t.RepositoryRepo(),
	}
}

// Push publishes l to target. Everything is checked before the first push. Then package bundles
// are pushed first, repository bundles (which name their package bundles by digest) next, BOMs
// after them and the compatibility metadata last, so a source controller reading the registry
// meanwhile never finds a reference to an image that is not there yet. An image whose tag
// already names the same digest is not pushed again, so publishing again is cheap.
//
// The compatibility metadata is tagged v1 in an empty repository. Otherwise, if the newest
// numeric tag (the one the controller reads) already holds the same file, it is kept; if not,
// the metadata goes to the newest number plus one.
//
// On error, the Result lists what was done before it.
func Push(ctx context.Context, c *registry.Client, target Target, l *Layout) (*Result, error) {
	t, err := target.Check()
	if err != nil {
		return nil, err
	}
	if err := l.check(); err != nil {
		return nil, err
	}
	p := &pusher{c: c, t: t, res: &Result{Target: t}}

	// Package bundles, then the repository bundles that point at them.
	type built struct {
		r         Release
		tag       string
		digestRef string
	}
	releases := make([]built, len(l.Releases))
	err = p.each(ctx, len(l.Releases), func(ctx context.Context, i int) (Image, error) {
		r := l.Releases[i]
		tag := version.ImageTag(version.WithV(r.Version))
		img, err := tkrbundle.Image(r.Files, true)
		if err != nil {
			return Image{}, fmt.Errorf("cannot build the package bundle of %s: %w", r.Version, err)
		}
		out, err := p.push(ctx, KindPackageBundle, t.PackageRepo()+":"+tag, img)
		releases[i] = built{r: r, tag: tag, digestRef: t.PackageRepo() + "@" + out.Digest}
		return out, err
	})
	if err != nil {
		return p.res, err
	}
	err = p.each(ctx, len(releases), func(ctx context.Context, i int) (Image, error) {
		b := releases[i]
		files, err := tkrbundle.RepositoryFiles(version.WithV(b.r.Version), b.digestRef, t.PackageRepo()+":"+b.tag)
		if err != nil {
			return Image{}, err
		}
		img, err := tkrbundle.Image(files, true)
		if err != nil {
			return Image{}, fmt.Errorf("cannot build the repository bundle of %s: %w", b.r.Version, err)
		}
		return p.push(ctx, KindRepositoryBundle, t.RepositoryRepo()+":"+b.tag, img)
	})
	if err != nil {
		return p.res, err
	}

	tags := slices.Sorted(maps.Keys(l.BOMs))
	err = p.each(ctx, len(tags), func(ctx context.Context, i int) (Image, error) {
		img, err := tkrbundle.Image(map[string][]byte{bom.FileName(tags[i]): l.BOMs[tags[i]]}, false)
		if err != nil {
			return Image{}, fmt.Errorf("cannot build the BOM image %s: %w", tags[i], err)
		}
		return p.push(ctx, KindBOM, t.BOMRepo()+":"+tags[i], img)
	})
	if err != nil {
		return p.res, err
	}

	if l.Metadata != nil {
		if err := p.metadata(ctx, l.Metadata); err != nil {
			return p.res, err
		}
	}
	return p.res, nil
}

// check checks a layout, which may have been made in code, the way Load does.
func (l *Layout) check() error {
	if l == nil || (l.Metadata == nil && len(l.BOMs) == 0 && len(l.Releases) == 0) {
		return errors.New("there is nothing to publish: no compatibility metadata, no BOM and no release")
	}
	if l.Metadata != nil {
		if _, err := compatibility.ParseMetadata(l.Metadata); err != nil {
			return fmt.Errorf("the compatibility metadata %w", err)
		}
	}
	for tag, data := range l.BOMs {
		b, err := bom.Parse(data)
		if err != nil {
			return fmt.Errorf("the BOM for tag %s %w", tag, err)
		}
		if b.Tag() != tag {
			return fmt.Errorf("the BOM for tag %s is for release %s, whose tag is %s; use that tag", tag, b.Release.Version, b.Tag())
		}
	}
	seen := map[string]bool{}
	for _, r := range l.Releases {
		if seen[normalize(r.Version)] {
			return fmt.Errorf("release %s is there twice; keep one", r.Version)
		}
		seen[normalize(r.Version)] = true
		if _, err := tkrbundle.ParseRelease(r.Files, r.Version); err != nil {
			where := r.Version
			if r.Dir != "" {
				where += " (from " + r.Dir + ")"
			}
			return fmt.Errorf("release %s cannot be published: %w", where, err)
		}
	}
	return nil
}

// pusher pushes images and records them in res.
type pusher struct {
	c   *registry.Client
	t   Target
	mu  sync.Mutex
	res *Result
}

// each runs f for 0..n-1 with bounded parallelism and records the images in index order, so the
// Result does not depend on timing. The first error cancels the others.
func (p *pusher) each(ctx context.Context, n int, f func(ctx context.Context, i int) (Image, error)) error {
	out := make([]Image, n)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(parallelism)
	for i := range n {
		g.Go(func() error {
			img, err := f(ctx, i)
			out[i] = img
			return err
		})
	}
	err := g.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, img := range out {
		if img.Digest != "" {
			p.res.Images = append(p.res.Images, img)
		}
	}
	return err
}

// push pushes img to ref unless ref already names an image with its digest.
func (p *pusher) push(ctx context.Context, kind, ref string, img v1.Image) (Image, error) {
	d, err := img.Digest()
	if err != nil {
		return Image{}, fmt.Errorf("cannot compute the digest of the %s %s: %w", kind, ref, err)
	}
	out := Image{Kind: kind, Ref: ref, Digest: d.String()}
	// Any error here (usually: no such tag) just means the image has to be pushed; if the
	// registry is unreachable, the push says so.
	if have, err := p.c.Digest(ctx, ref); err == nil && have == out.Digest {
		return out, nil
	}
	if _, err := p.c.Write(ctx, ref, img); err != nil {
		return Image{}, fmt.Errorf("cannot push the %s: %w", kind, err)
	}
	out.Pushed = true
	return out, nil
}

// metadata pushes the compatibility metadata under the right tag.
func (p *pusher) metadata(ctx context.Context, data []byte) error {
	repo := p.t.CompatibilityRepo()
	img, err := tkrbundle.Image(map[string][]byte{MetadataFileName: data}, false)
	if err != nil {
		return fmt.Errorf("cannot build the compatibility metadata image: %w", err)
	}
	tags, err := p.c.Tags(ctx, repo)
	if err != nil && !registry.IsNotFound(err) {
		return fmt.Errorf("cannot list the compatibility metadata tags: %w", err)
	}
	newest, ok := NewestMetadataTag(tags)
	tag := "v1"
	if ok {
		tag = "v" + strconv.Itoa(newest+1)
		same, digest, err := p.sameMetadata(ctx, repo+":v"+strconv.Itoa(newest), img, data)
		if err != nil {
			return err
		}
		if same {
			p.res.Images = append(p.res.Images, Image{Kind: KindCompatibility, Ref: repo + ":v" + strconv.Itoa(newest), Digest: digest})
			return nil
		}
	}
	out, err := p.push(ctx, KindCompatibility, repo+":"+tag, img)
	if err != nil {
		return err
	}
	p.res.Images = append(p.res.Images, out)
	return nil
}

// sameMetadata reports whether ref holds the metadata data, and its digest. An image that cannot
// be read does not hold it; the controller would skip it too.
func (p *pusher) sameMetadata(ctx context.Context, ref string, img v1.Image, data []byte) (bool, string, error) {
	want, err := img.Digest()
	if err != nil {
		return false, "", fmt.Errorf("cannot compute the digest of the compatibility metadata: %w", err)
	}
	have, err := p.c.Digest(ctx, ref)
	if err != nil {
		return false, "", nil
	}
	if have == want.String() {
		return true, have, nil
	}
	// Another tool may have built the image differently; what counts is the file.
	_, _, got, err := p.c.OneFile(ctx, ref)
	if err != nil {
		return false, "", nil
	}
	return string(got) == string(data), have, nil
}

// NewestMetadataTag returns the highest number among the compatibility metadata tags that are
// a number with an optional leading "v" (v1, 7), as the source controller reads them, and
// whether there is one. Other tags (latest, v1.2) are ignored.
func NewestMetadataTag(tags []string) (int, bool) {
	newest, ok := 0, false
	for _, tag := range tags {
		s := strings.TrimPrefix(tag, "v")
		if s == "" || strings.TrimLeft(s, "0123456789") != "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			continue
		}
		if !ok || n > newest {
			newest, ok = n, true
		}
	}
	return newest, ok
}
