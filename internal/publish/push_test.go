package publish_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tkr-project/tkr/examples"
	"github.com/tkr-project/tkr/internal/publish"
	"github.com/tkr-project/tkr/internal/registry"
	"github.com/tkr-project/tkr/internal/registry/registrytest"
	"github.com/tkr-project/tkr/pkg/bom"
	"github.com/tkr-project/tkr/pkg/catalog"
	"github.com/tkr-project/tkr/pkg/tkrbundle"
	"github.com/tkr-project/tkr/pkg/version"
)

func newClient(t *testing.T, r *registrytest.Registry) *registry.Client {
	t.Helper()
	c, err := registry.New(registry.Options{CACerts: r.CACert, Transport: r.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func loadExamples(t *testing.T) *publish.Layout {
	t.Helper()
	l, err := publish.Load(examples.FS)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// readOnly makes r refuse every request that would change it, so a test can show that nothing
// is pushed.
func readOnly(r *registrytest.Registry) {
	r.SetFault(func(req *http.Request) int {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			return http.StatusForbidden
		}
		return 0
	})
}

func TestPushExamples(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("TLS=%v", tls), func(t *testing.T) {
			ctx := t.Context()
			r := registrytest.New(t, registrytest.Options{TLS: tls})
			c := newClient(t, r)
			l := loadExamples(t)
			target := publish.Target{Registry: r.Host + "/tkg/"}
			res, err := publish.Push(ctx, c, target, l)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, img := range res.Images {
				kinds = append(kinds, img.Kind)
				if !img.Pushed || !strings.HasPrefix(img.Digest, "sha256:") || !strings.HasPrefix(img.Ref, r.Host+"/tkg/") {
					t.Errorf("image %+v", img)
				}
			}
			wantKinds := slices.Concat(slices.Repeat([]string{publish.KindPackageBundle}, 5), slices.Repeat([]string{publish.KindRepositoryBundle}, 5),
				slices.Repeat([]string{publish.KindBOM}, 3), []string{publish.KindCompatibility})
			if !slices.Equal(kinds, wantKinds) {
				t.Errorf("kinds %v, want %v", kinds, wantKinds)
			}
			wantFlags := []string{
				"--bom-image-path=" + r.Host + "/tkg/tkr-bom",
				"--bom-metadata-image-path=" + r.Host + "/tkg/tkr-compatibility",
				"--tkr-repo-image-path=" + r.Host + "/tkg/tkr-repository-vsphere-nonparavirt",
			}
			if got := res.ManagerFlags(); !slices.Equal(got, wantFlags) {
				t.Errorf("ManagerFlags() = %v, want %v", got, wantFlags)
			}
			readBack(t, c, res.Target, l)

			// Publishing again pushes nothing; the registry refuses writes to prove it.
			readOnly(r)
			again, err := publish.Push(ctx, c, target, loadExamples(t))
			if err != nil {
				t.Fatal(err)
			}
			if pushed := again.Pushed(); len(pushed) != 0 || len(again.Images) != len(res.Images) {
				t.Errorf("publishing again pushed %+v", pushed)
			}
			for i := range res.Images {
				if again.Images[i] != (publish.Image{Kind: res.Images[i].Kind, Ref: res.Images[i].Ref, Digest: res.Images[i].Digest}) {
					t.Errorf("image %d: %+v, then %+v", i, res.Images[i], again.Images[i])
				}
			}
		})
	}
}

// readBack reads the layout l from target the way the source controller does and checks it.
func readBack(t *testing.T, c *registry.Client, target publish.Target, l *publish.Layout) {
	t.Helper()
	ctx := t.Context()
	tags, err := c.Tags(ctx, target.CompatibilityRepo())
	if err != nil {
		t.Fatal(err)
	}
	newest, ok := publish.NewestMetadataTag(tags)
	if !ok {
		t.Fatalf("compatibility tags %v", tags)
	}
	_, file, data, err := c.OneFile(ctx, fmt.Sprintf("%s:v%d", target.CompatibilityRepo(), newest))
	if err != nil {
		t.Fatal(err)
	}
	if file != publish.MetadataFileName || string(data) != string(l.Metadata) {
		t.Errorf("compatibility metadata %s: %q", file, data)
	}

	for tag, want := range l.BOMs {
		_, file, data, err := c.OneFile(ctx, target.BOMRepo()+":"+tag)
		if err != nil {
			t.Fatal(err)
		}
		if file != bom.FileName(tag) || string(data) != string(want) {
			t.Errorf("BOM %s: file %s differs", tag, file)
		}
		if _, err := bom.Parse(data); err != nil {
			t.Error(err)
		}
	}

	for _, r := range l.Releases {
		tag := version.ImageTag(r.Version)
		repo, err := c.Files(ctx, target.RepositoryRepo()+":"+tag)
		if err != nil {
			t.Fatal(err)
		}
		pkgs, err := tkrbundle.ParseRepository(repo.Files)
		if err != nil {
			t.Fatal(err)
		}
		if len(pkgs) != 1 || pkgs[0].Version != r.Version || !strings.HasPrefix(pkgs[0].BundleImage, target.PackageRepo()+"@sha256:") {
			t.Fatalf("packages %+v", pkgs)
		}
		// The package bundle's tag and digest agree.
		d, err := c.Digest(ctx, target.PackageRepo()+":"+tag)
		if err != nil || target.PackageRepo()+"@"+d != pkgs[0].BundleImage {
			t.Errorf("package bundle tag %s has digest %s, the Package names %s (%v)", tag, d, pkgs[0].BundleImage, err)
		}
		pkg, err := c.Files(ctx, pkgs[0].BundleImage)
		if err != nil {
			t.Fatal(err)
		}
		rel, err := tkrbundle.ParseRelease(pkg.Files, pkgs[0].Version)
		if err != nil {
			t.Fatal(err)
		}
		if rel.TKR.GetName() != version.Label(r.Version) {
			t.Errorf("TKR %s in the bundle of %s", rel.TKR.GetName(), r.Version)
		}
		if _, ok := pkg.Files[tkrbundle.BundleFile]; !ok {
			t.Errorf("the package bundle of %s has no %s", r.Version, tkrbundle.BundleFile)
		}
	}
}

func TestPushCustomPaths(t *testing.T) {
	r := registrytest.New(t, registrytest.Options{})
	c := newClient(t, r)
	l := loadExamples(t)
	if err := l.Select([]string{"v1.24.9+vmware.1-tkg.1"}); err != nil {
		t.Fatal(err)
	}
	target := publish.Target{Registry: r.Host, CompatibilityPath: "meta/v18", BOMPath: "boms", RepositoryPath: "tkr-repository-aws", PackagePath: "tkr-aws"}
	res, err := publish.Push(t.Context(), c, target, l)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Images) != 4 {
		t.Errorf("images %+v", res.Images)
	}
	readBack(t, c, res.Target, l)
	repo, err := c.Files(t.Context(), r.Host+"/tkr-repository-aws:v1.24.9_vmware.1-tkg.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := repo.Files["packages/tkr-aws.tanzu.vmware.com/1.24.9+vmware.1-tkg.1.yml"]; !ok {
		t.Errorf("files %v", keys(repo.Files))
	}
	if got := res.ManagerFlags()[1]; got != "--bom-metadata-image-path="+r.Host+"/meta/v18" {
		t.Errorf("flag %s", got)
	}
}

func TestPushMetadataTags(t *testing.T) {
	ctx := t.Context()
	r := registrytest.New(t, registrytest.Options{})
	c := newClient(t, r)
	target := publish.Target{Registry: r.Host}
	repo := target.WithDefaults().CompatibilityRepo()

	// Tags that are not numbers do not count: the first metadata is v1.
	r.Push(t, "tkr-compatibility:latest", registrytest.FilesImage(t, map[string][]byte{"x": []byte("x")}))
	r.Push(t, "tkr-compatibility:v1.2", registrytest.FilesImage(t, map[string][]byte{"x": []byte("x")}))
	push := func(metadata string) *publish.Image {
		t.Helper()
		res, err := publish.Push(ctx, c, target, &publish.Layout{Metadata: []byte(metadata)})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Images) != 1 {
			t.Fatalf("images %+v", res.Images)
		}
		return &res.Images[0]
	}
	one := push(metadataYAML)
	if one.Ref != repo+":v1" || !one.Pushed {
		t.Errorf("first push %+v", one)
	}
	// The same content keeps v1.
	if again := push(metadataYAML); again.Ref != repo+":v1" || again.Pushed || again.Digest != one.Digest {
		t.Errorf("second push %+v", again)
	}
	// New content goes to v2.
	changed := strings.ReplaceAll(metadataYAML, "v2.3.0", "v2.4.0")
	if two := push(changed); two.Ref != repo+":v2" || !two.Pushed {
		t.Errorf("changed push %+v", two)
	}
	// The same file in an image built by another tool is recognised.
	other := registrytest.FilesImage(t, map[string][]byte{"other-name.yaml": []byte(metadataYAML)})
	r.Push(t, "tkr-compatibility:v9", other)
	if nine := push(metadataYAML); nine.Ref != repo+":v9" || nine.Pushed {
		t.Errorf("push over v9 %+v", nine)
	}
	// A tag without v counts for the numbering, but the controller reads v<N>, so it is not
	// reused.
	r.Push(t, "tkr-compatibility:12", other)
	if thirteen := push(metadataYAML); thirteen.Ref != repo+":v13" || !thirteen.Pushed {
		t.Errorf("push over 12 %+v", thirteen)
	}
}

func TestNewestMetadataTag(t *testing.T) {
	for _, tc := range []struct {
		tags []string
		want int
		ok   bool
	}{
		{nil, 0, false},
		{[]string{"latest", "v1.2", "v", "", "v-1", "vv1"}, 0, false},
		{[]string{"v1", "v10", "v9", "7"}, 10, true},
		{[]string{"v0"}, 0, true},
	} {
		got, ok := publish.NewestMetadataTag(tc.tags)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NewestMetadataTag(%q) = %d, %v, want %d, %v", tc.tags, got, ok, tc.want, tc.ok)
		}
	}
}

// TestPushOrder shows that a repository bundle is never pushed before its package bundle: when
// pushing repository bundles fails, the package bundles are there and nothing else is.
func TestPushOrder(t *testing.T) {
	ctx := t.Context()
	r := registrytest.New(t, registrytest.Options{})
	c := newClient(t, r)
	r.SetFault(func(req *http.Request) int {
		if req.Method != http.MethodGet && req.Method != http.MethodHead && strings.Contains(req.URL.Path, "/tkr-repository-") {
			return http.StatusForbidden
		}
		return 0
	})
	target := publish.Target{Registry: r.Host}
	res, err := publish.Push(ctx, c, target, loadExamples(t))
	if err == nil || !strings.Contains(err.Error(), "cannot push the repository bundle") {
		t.Fatalf("error = %v", err)
	}
	if len(res.Images) != 5 {
		t.Errorf("the result lists %+v, want the five package bundles", res.Images)
	}
	for _, img := range res.Images {
		if img.Kind != publish.KindPackageBundle {
			t.Errorf("pushed %+v", img)
		}
	}
	r.SetFault(nil)
	for _, repo := range []string{"tkr-repository-vsphere-nonparavirt", "tkr-bom", "tkr-compatibility"} {
		if tags, err := c.Tags(ctx, r.Ref(repo)); err == nil && len(tags) != 0 {
			t.Errorf("%s has tags %v", repo, tags)
		}
	}
}

func TestPushUnreachable(t *testing.T) {
	r := registrytest.New(t, registrytest.Options{})
	c := newClient(t, r)
	r.Down()
	_, err := publish.Push(t.Context(), c, publish.Target{Registry: r.Host}, loadExamples(t))
	if err == nil || !strings.Contains(err.Error(), "cannot push the package bundle") || !strings.Contains(err.Error(), r.Host) {
		t.Fatalf("error = %v", err)
	}
}

func TestPushCancelled(t *testing.T) {
	r := registrytest.New(t, registrytest.Options{})
	c := newClient(t, r)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := publish.Push(ctx, c, publish.Target{Registry: r.Host}, loadExamples(t)); err == nil {
		t.Fatal("no error with a cancelled context")
	}
}

func TestPushRejectsBadInput(t *testing.T) {
	good := loadExamples(t)
	rel := good.Releases[0]
	for _, tc := range []struct {
		name   string
		target publish.Target
		layout *publish.Layout
		want   string
	}{
		{"no registry", publish.Target{}, good, "no registry given"},
		{"scheme", publish.Target{Registry: "https://r.example"}, good, "without the https:// scheme"},
		{"bad path", publish.Target{Registry: "r.example", BOMPath: "Upper"}, good, "r.example/Upper is not a valid repository"},
		{"nil layout", publish.Target{Registry: "r.example"}, nil, "there is nothing to publish"},
		{"empty layout", publish.Target{Registry: "r.example"}, &publish.Layout{}, "there is nothing to publish"},
		{"bad metadata", publish.Target{Registry: "r.example"}, &publish.Layout{Metadata: []byte("x: y")}, "the compatibility metadata lists no managementClusterVersions"},
		{"bad BOM", publish.Target{Registry: "r.example"}, &publish.Layout{BOMs: map[string][]byte{"v1": []byte("a: b")}}, "the BOM for tag v1 has no release.version"},
		{"BOM under the wrong tag", publish.Target{Registry: "r.example"}, &publish.Layout{BOMs: map[string][]byte{"v1": []byte(bomYAML)}},
			"the BOM for tag v1 is for release v1.25.0+vmware.1-tkg.1, whose tag is v1.25.0_vmware.1-tkg.1"},
		{"release twice", publish.Target{Registry: "r.example"}, &publish.Layout{Releases: []publish.Release{rel, rel}}, "is there twice"},
		{"release under the wrong version", publish.Target{Registry: "r.example"}, &publish.Layout{Releases: []publish.Release{{Version: "v1.99.0", Files: rel.Files, Dir: "d"}}},
			"release v1.99.0 (from d) cannot be published: config/tkr.yaml, document 1: the package bundle is for v1.99.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The client is never used: nothing is pushed before everything is checked.
			_, err := publish.Push(t.Context(), nil, tc.target, tc.layout)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestPushManyReleases publishes 200 releases made in code, then again.
func TestPushManyReleases(t *testing.T) {
	ctx := t.Context()
	r := registrytest.New(t, registrytest.Options{})
	c := newClient(t, r)
	l := &publish.Layout{}
	for i := range 200 {
		v := fmt.Sprintf("v1.%d.%d+vmware.1-tkg.1", 20+i/50, i%50)
		objs, err := catalog.Parse("tkr.yaml", []byte(fmt.Sprintf(
			"apiVersion: run.tanzu.vmware.com/v1alpha3\nkind: TanzuKubernetesRelease\nmetadata: {name: %s}\nspec: {version: %s}\n", version.Label(v), v)))
		if err != nil {
			t.Fatal(err)
		}
		files, err := tkrbundle.ReleaseFiles(objs)
		if err != nil {
			t.Fatal(err)
		}
		l.Releases = append(l.Releases, publish.Release{Version: v, Files: files})
	}
	res, err := publish.Push(ctx, c, publish.Target{Registry: r.Host}, l)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Pushed()); n != 400 {
		t.Errorf("pushed %d images, want 400", n)
	}
	tags, err := c.Tags(ctx, r.Ref(publish.DefaultRepositoryPath))
	if err != nil || len(tags) != 200 {
		t.Errorf("%d repository bundle tags (%v)", len(tags), err)
	}
	readOnly(r)
	again, err := publish.Push(ctx, c, publish.Target{Registry: r.Host}, l)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(again.Pushed()); n != 0 {
		t.Errorf("publishing again pushed %d images", n)
	}
}

func keys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
