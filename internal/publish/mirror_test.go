package publish_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tkr-project/tkr/internal/publish"
	"github.com/tkr-project/tkr/internal/registry"
	"github.com/tkr-project/tkr/internal/registry/registrytest"
	"github.com/tkr-project/tkr/pkg/imageslock"
	"github.com/tkr-project/tkr/pkg/tkrbundle"
	"github.com/tkr-project/tkr/pkg/version"
)

// TestMirror publishes the examples to one registry, mirrors two releases to another, takes the
// first registry down and reads the releases from the mirror the way the source controller does.
func TestMirror(t *testing.T) {
	ctx := t.Context()
	src := registrytest.New(t, registrytest.Options{TLS: true})
	dst := registrytest.New(t, registrytest.Options{})
	c := newClient(t, src) // trusts src's CA; dst is plain HTTP on loopback
	from := publish.Target{Registry: src.Host + "/tkg"}
	to := publish.Target{Registry: dst.Host + "/mirror/tkg"}
	if _, err := publish.Push(ctx, c, from, loadExamples(t)); err != nil {
		t.Fatal(err)
	}
	versions := []string{"v1.24.9+vmware.1-tkg.1", "v1.24.9---vmware.1-gpu-efi"}
	if err := publish.Mirror(ctx, c, from, to, versions); err != nil {
		t.Fatal(err)
	}
	src.Down()

	to = to.WithDefaults()
	if tags, err := c.Tags(ctx, to.CompatibilityRepo()); err != nil || !slices.Equal(tags, []string{"v1"}) {
		t.Errorf("compatibility tags %v (%v)", tags, err)
	}
	if tags, err := c.Tags(ctx, to.BOMRepo()); err != nil || !slices.Equal(tags, []string{"v1.24.9_vmware.1-tkg.1"}) {
		t.Errorf("BOM tags %v (%v)", tags, err)
	}
	for _, v := range []string{"v1.24.9+vmware.1-tkg.1", "v1.24.9+vmware.1-gpu-efi"} {
		readFromMirror(t, c, to, v)
	}
	if tags, err := c.Tags(ctx, to.RepositoryRepo()); err != nil || len(tags) != 2 {
		t.Errorf("repository bundle tags %v (%v)", tags, err)
	}
	// imgpkg copy puts nothing into the package repository of the mirror.
	if tags, err := c.Tags(ctx, to.PackageRepo()); err == nil && len(tags) != 0 {
		t.Errorf("the mirror's package repository has tags %v", tags)
	}

	// Mirroring again copies nothing: the mirror refuses writes.
	src.Up()
	readOnly(dst)
	if err := publish.Mirror(ctx, c, from, to, versions); err != nil {
		t.Fatalf("mirroring again: %v", err)
	}
}

// readFromMirror reads release v from the mirror target, relocating the repository and package
// bundles as the source controller does, and checks that nothing refers to another registry.
func readFromMirror(t *testing.T, c *registry.Client, to publish.Target, v string) {
	t.Helper()
	ctx := t.Context()
	ref := to.RepositoryRepo() + ":" + version.ImageTag(v)
	repo, err := c.Files(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	files := relocate(t, ref, repo.Files)
	pkgs, err := tkrbundle.ParseRepository(files)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 1 || !strings.HasPrefix(pkgs[0].BundleImage, to.RepositoryRepo()+"@sha256:") {
		t.Fatalf("%s: packages %+v, want the package bundle in %s", v, pkgs, to.RepositoryRepo())
	}
	pkg, err := c.Files(ctx, pkgs[0].BundleImage)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := tkrbundle.ParseRelease(relocate(t, pkgs[0].BundleImage, pkg.Files), v)
	if err != nil {
		t.Fatal(err)
	}
	if rel.TKR.GetName() != version.Label(v) {
		t.Errorf("TKR %s", rel.TKR.GetName())
	}
}

func relocate(t *testing.T, ref string, files map[string][]byte) map[string][]byte {
	t.Helper()
	lock, err := imageslock.Parse(files[imageslock.Path])
	if err != nil {
		t.Fatal(err)
	}
	r, err := imageslock.Relocations(ref, lock)
	if err != nil {
		t.Fatal(err)
	}
	return imageslock.Relocate(files, r)
}

func TestMirrorEverything(t *testing.T) {
	ctx := t.Context()
	src := registrytest.New(t, registrytest.Options{})
	dst := registrytest.New(t, registrytest.Options{})
	c := newClient(t, src)
	from := publish.Target{Registry: src.Host, BOMPath: "boms"}
	to := publish.Target{Registry: dst.Host, BOMPath: "other-boms"}
	if _, err := publish.Push(ctx, c, from, loadExamples(t)); err != nil {
		t.Fatal(err)
	}
	if err := publish.Mirror(ctx, c, from, to, nil); err != nil {
		t.Fatal(err)
	}
	src.Down()
	for _, v := range exampleVersions {
		readFromMirror(t, c, to.WithDefaults(), v)
	}
	if tags, err := c.Tags(ctx, dst.Ref("other-boms")); err != nil || len(tags) != 3 {
		t.Errorf("BOM tags %v (%v)", tags, err)
	}
}

// TestMirrorOfAMirror copies a mirror again: the second copy finds the package bundles next to
// the repository bundles, not in the registry their locks name, which is gone.
func TestMirrorOfAMirror(t *testing.T) {
	ctx := t.Context()
	first := registrytest.New(t, registrytest.Options{})
	second := registrytest.New(t, registrytest.Options{})
	third := registrytest.New(t, registrytest.Options{})
	c := newClient(t, first)
	if _, err := publish.Push(ctx, c, publish.Target{Registry: first.Host}, loadExamples(t)); err != nil {
		t.Fatal(err)
	}
	v := []string{"v1.23.15+vmware.1-tkg.1"}
	if err := publish.Mirror(ctx, c, publish.Target{Registry: first.Host}, publish.Target{Registry: second.Host}, v); err != nil {
		t.Fatal(err)
	}
	first.Down()
	if err := publish.Mirror(ctx, c, publish.Target{Registry: second.Host}, publish.Target{Registry: third.Host + "/x"}, v); err != nil {
		t.Fatal(err)
	}
	second.Down()
	readFromMirror(t, c, publish.Target{Registry: third.Host + "/x"}.WithDefaults(), v[0])
}

func TestMirrorErrors(t *testing.T) {
	ctx := t.Context()
	src := registrytest.New(t, registrytest.Options{})
	dst := registrytest.New(t, registrytest.Options{})
	c := newClient(t, src)
	from := publish.Target{Registry: src.Host}
	if _, err := publish.Push(ctx, c, from, loadExamples(t)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		from, to publish.Target
		versions []string
		want     string
	}{
		{"unknown version", from, publish.Target{Registry: dst.Host}, []string{"v9.9.9"}, "cannot mirror v9.9.9: neither " + src.Host + "/tkr-repository-vsphere-nonparavirt nor"},
		{"bad source", publish.Target{}, publish.Target{Registry: dst.Host}, nil, "cannot mirror from : no registry given"},
		{"bad destination", from, publish.Target{Registry: "http://x"}, nil, "cannot mirror to http://x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := publish.Mirror(ctx, c, tc.from, tc.to, tc.versions)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
	t.Run("destination down", func(t *testing.T) {
		dst.Down()
		err := publish.Mirror(ctx, c, from, publish.Target{Registry: dst.Host}, []string{"v1.22.17+vmware.1-tkg.1"})
		if err == nil || !strings.Contains(err.Error(), dst.Host) {
			t.Fatalf("error = %v", err)
		}
	})
}

// TestMirrorFindsImagesWhereTheLockSays mirrors a repository bundle whose package bundle is in
// another registry, where its lock says, rather than next to it.
func TestMirrorFindsImagesWhereTheLockSays(t *testing.T) {
	ctx := t.Context()
	repos := registrytest.New(t, registrytest.Options{})
	packages := registrytest.New(t, registrytest.Options{})
	dst := registrytest.New(t, registrytest.Options{})
	c := newClient(t, repos)
	l := loadExamples(t)
	rel := l.Releases[0]
	tag := version.ImageTag(rel.Version)
	pkgImg, err := tkrbundle.Image(rel.Files, true)
	if err != nil {
		t.Fatal(err)
	}
	digest, err := c.Write(ctx, packages.Ref("tkr-vsphere-nonparavirt:"+tag), pkgImg)
	if err != nil {
		t.Fatal(err)
	}
	files, err := tkrbundle.RepositoryFiles(rel.Version, packages.Ref("tkr-vsphere-nonparavirt@"+digest), packages.Ref("tkr-vsphere-nonparavirt:"+tag))
	if err != nil {
		t.Fatal(err)
	}
	repoImg, err := tkrbundle.Image(files, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(ctx, repos.Ref(publish.DefaultRepositoryPath+":"+tag), repoImg); err != nil {
		t.Fatal(err)
	}
	to := publish.Target{Registry: dst.Host}
	if err := publish.Mirror(ctx, c, publish.Target{Registry: repos.Host}, to, []string{rel.Version}); err != nil {
		t.Fatal(err)
	}
	repos.Down()
	packages.Down()
	readFromMirror(t, c, to.WithDefaults(), rel.Version)
}
