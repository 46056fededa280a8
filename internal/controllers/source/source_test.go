package source_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/carvel"
	"github.com/tkr-project/tkr/internal/controllers/source"
	"github.com/tkr-project/tkr/internal/publish"
	"github.com/tkr-project/tkr/internal/registry"
	"github.com/tkr-project/tkr/internal/registry/registrytest"
	"github.com/tkr-project/tkr/pkg/compatibility"
	"github.com/tkr-project/tkr/pkg/version"
)

// Only the releases the metadata lists for the management cluster version, plus those an
// additional-compatible-tkrs ConfigMap lists, are pulled; everything lands where the original
// put it.
func TestPullsOnlyCompatibleReleases(t *testing.T) {
	f := newFixture(t, false)
	var all []string
	for i := 1; i <= 5; i++ {
		all = append(all, f.addRelease(i))
	}
	f.setMetadata("v9.0.0", all[0], all[1])
	f.publish()
	additional(t, f.ns, "byo", all[3])

	f.start(f.options("v9.0.0"))
	src := f.synced()

	for i, v := range all {
		want := i == 0 || i == 1 || i == 3
		if got := tkrExists(t, v); got != want {
			t.Errorf("TKR %s exists = %v, want %v", v, got, want)
		}
	}
	if src.Status.Summary != "3/3 applied" || condition(src, runv1alpha3.ConditionReady).Status != corev1.ConditionTrue {
		t.Fatalf("status:\n%s", dump(src.Status))
	}
	if src.Status.TKGVersion != "v9.0.0" || src.Status.Metadata == nil || !strings.HasSuffix(src.Status.Metadata.Ref, ":v1") {
		t.Errorf("status does not report the TKG version and metadata image:\n%s", dump(src.Status))
	}
	ctx := context.Background()
	// bom-metadata holds the metadata in canonical form; BOM ConfigMaps are named after releases.
	md := &corev1.ConfigMap{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: f.ns, Name: compatibility.MetadataConfigMap}, md); err != nil {
		t.Fatal(err)
	}
	if _, err := compatibility.ParseMetadata(md.BinaryData[compatibility.MetadataKey]); err != nil {
		t.Errorf("bom-metadata: %v", err)
	}
	for _, v := range []string{all[0], all[1], all[3]} {
		name := version.Label(v)
		bom := &corev1.ConfigMap{}
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: f.ns, Name: name}, bom); err != nil {
			t.Fatalf("BOM ConfigMap of %s: %v", v, err)
		}
		if bom.Labels[source.LabelBOM] != name || bom.Annotations[source.AnnotationBOMImageTag] != version.ImageTag(v) || len(bom.BinaryData[source.BOMKey]) == 0 {
			t.Errorf("BOM ConfigMap %s: labels %v annotations %v", name, bom.Labels, bom.Annotations)
		}
		// Namespaced objects are moved into the namespace and owned by the release's marker.
		cbt := &runv1alpha3.ClusterBootstrapTemplate{}
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: f.ns, Name: name}, cbt); err != nil {
			t.Fatalf("ClusterBootstrapTemplate of %s: %v", v, err)
		}
		if len(cbt.OwnerReferences) != 1 || cbt.OwnerReferences[0].Name != "tkr-"+name || cbt.OwnerReferences[0].Kind != "ConfigMap" {
			t.Errorf("ClusterBootstrapTemplate %s owners: %+v", name, cbt.OwnerReferences)
		}
		secret := &corev1.Secret{}
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: f.ns, Name: name + "-capabilities"}, secret); err != nil {
			t.Errorf("Secret of %s: %v", v, err)
		}
		img := &runv1alpha3.OSImage{}
		if err := env.Client.Get(ctx, client.ObjectKey{Name: name + "-ubuntu"}, img); err != nil {
			t.Errorf("OSImage of %s: %v", v, err)
		}
		if rel := release(src, v); rel.Phase != runv1alpha3.ReleasePhaseApplied || rel.BOM != name || !strings.Contains(rel.Bundle, "@sha256:") {
			t.Errorf("release %s in status: %+v", v, rel)
		}
	}
}

// A Carvel Package shipped in a release bundle lands in the namespace, owned by the release's
// marker like the ClusterBootstrapTemplate that names it, and is found under the refName with
// "+" that ClusterBootstraps use.
func TestBundlePackageApplied(t *testing.T) {
	f := newFixture(t, false)
	v := f.addRelease(1)
	// The stand-in Package CRD cannot store "+" in a name, so the bundle spells it "---", as
	// internal/carvel expects; the bundle's namespace is replaced by the controller's.
	const name = "kapp-controller.tanzu.vmware.com.0.41.5---vmware.1-tkg.1"
	f.layout.Releases[0].Files["config/packages.yaml"] = []byte(`apiVersion: data.packaging.carvel.dev/v1alpha1
kind: Package
metadata:
  name: ` + name + `
  namespace: tkg-system
spec:
  refName: kapp-controller.tanzu.vmware.com
  version: 0.41.5+vmware.1-tkg.1
  template:
    spec:
      fetch:
      - imgpkgBundle: {image: projects.example.com/tkg/packages/core/kapp-controller:v0.41.5_vmware.1-tkg.1}
`)
	f.setMetadata("v9.0.0", v)
	f.publish()

	f.start(f.options("v9.0.0"))
	src := f.synced()
	if rel := release(src, v); rel.Phase != runv1alpha3.ReleasePhaseApplied {
		t.Fatalf("release: %+v\n%s", rel, dump(src.Status))
	}
	ctx := context.Background()
	pkg, err := carvel.GetPackage(ctx, env.Client, f.ns, "kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1")
	if err != nil {
		t.Fatalf("the bundle's Package is not in %s: %v", f.ns, err)
	}
	if pkg.Name != name || pkg.Spec.RefName != "kapp-controller.tanzu.vmware.com" || pkg.Spec.Version != "0.41.5+vmware.1-tkg.1" {
		t.Errorf("Package %s/%s: refName %q, version %q", pkg.Namespace, pkg.Name, pkg.Spec.RefName, pkg.Spec.Version)
	}
	if len(pkg.OwnerReferences) != 1 || pkg.OwnerReferences[0].Name != "tkr-"+version.Label(v) || pkg.OwnerReferences[0].Kind != "ConfigMap" {
		t.Errorf("Package owners: %+v", pkg.OwnerReferences)
	}
	if got := pkg.Annotations[source.AnnotationSourceBundle]; got != release(src, v).Bundle {
		t.Errorf("Package came from %q, want the release's bundle %q", got, release(src, v).Bundle)
	}
}

// A management cluster upgrade (a new --tkg-version) pulls the newly compatible releases and
// keeps the old ones.
func TestTKGVersionChange(t *testing.T) {
	f := newFixture(t, false)
	old, next := f.addRelease(1), f.addRelease(2)
	f.layout.Metadata = []byte("managementClusterVersions:\n" +
		"- version: v9.0.0\n  supportedKubernetesVersions: [" + old + "]\n" +
		"- version: v9.1.0\n  supportedKubernetesVersions: [" + old + ", " + next + "]\n")
	f.publish()

	stop := f.start(f.options("v9.0.0"))
	f.synced()
	if !tkrExists(t, old) || tkrExists(t, next) {
		t.Fatalf("with v9.0.0 only %s must be pulled", old)
	}
	f.restart(stop)

	f.start(f.options("v9.1.0"))
	src := f.synced()
	if !tkrExists(t, old) || !tkrExists(t, next) {
		t.Fatalf("after the upgrade both releases must exist:\n%s", dump(src.Status))
	}
	if src.Status.TKGVersion != "v9.1.0" || src.Status.Summary != "2/2 applied" {
		t.Errorf("status:\n%s", dump(src.Status))
	}
}

// Without --tkg-version, the management Cluster's TKGVERSION annotation decides, and adding an
// additional-compatible-tkrs ConfigMap pulls its release at once, without waiting for a poll.
func TestAdditionalConfigMapTriggersSync(t *testing.T) {
	f := newFixture(t, false)
	listed, extra := f.addRelease(1), f.addRelease(2)
	f.setMetadata("v9.0.0", listed)
	f.publish()
	additional(t, f.ns, "placeholder") // exists from the start, lists nothing

	f.start(f.options("v9.0.0"))
	f.synced()
	if tkrExists(t, extra) {
		t.Fatalf("%s is not compatible yet", extra)
	}
	additional(t, f.ns, "byo", extra)
	src := f.waitFor(extra+" applied", func(s *runv1alpha3.TanzuKubernetesReleaseSource) bool {
		return release(s, extra).Phase == runv1alpha3.ReleasePhaseApplied
	})
	if !tkrExists(t, extra) {
		t.Fatalf("TKR %s missing:\n%s", extra, dump(src.Status))
	}
}

// A broken BOM is reported and does not stop the other BOMs or any release.
func TestBrokenBOM(t *testing.T) {
	f := newFixture(t, false)
	good, bad := f.addRelease(1), f.addRelease(2)
	f.setMetadata("v9.0.0", good, bad)
	f.publish()
	// Overwrite the BOM image with one missing its required fields (publish refuses to write it).
	bomPath := strings.TrimPrefix(f.target.WithDefaults().BOMRepo(), f.reg.Host+"/")
	f.reg.Push(t, bomPath+":"+version.ImageTag(bad), registrytest.FilesImage(t, map[string][]byte{"tkr-bom.yaml": []byte("release: {}\n")}))

	f.start(f.options("v9.0.0"))
	src := f.synced()
	c := condition(src, runv1alpha3.ConditionBOMsSynced)
	if c.Status != corev1.ConditionFalse || c.Reason != "BOMInvalid" || !strings.Contains(c.Message, version.ImageTag(bad)) {
		t.Errorf("BOMsSynced: %+v", c)
	}
	if release(src, good).BOM == "" || release(src, bad).BOM != "" {
		t.Errorf("releases:\n%s", dump(src.Status.Releases))
	}
	if !tkrExists(t, good) || !tkrExists(t, bad) {
		t.Errorf("both releases must be applied: a BOM does not gate its release")
	}
	if condition(src, runv1alpha3.ConditionReady).Status != corev1.ConditionFalse {
		t.Errorf("Ready must be False while a BOM is broken")
	}
}

// A bundle with a file that does not parse, or a truncated layer, applies nothing; the other
// releases are applied; the broken digest is not downloaded again on the next sync.
func TestBrokenBundlesApplyNothing(t *testing.T) {
	f := newFixture(t, false)
	good, garbled, truncated := f.addRelease(1), f.addRelease(2), f.addRelease(3)
	f.setMetadata("v9.0.0", good, garbled, truncated)
	f.publish()
	// Replace two package bundles (publish refuses to write such ones): one with a file that is
	// not YAML, one whose layer is cut short.
	files := releaseFiles(garbled, "ova-1")
	files["config/zz-garbage.yaml"] = []byte("kind: [unclosed\n")
	pushBrokenBundle(t, f, garbled, registrytest.Layer(t, files))
	pushBrokenBundle(t, f, truncated, truncatedLayer(t, truncated))

	f.start(f.options("v9.0.0"))
	src := f.synced()
	if !tkrExists(t, good) {
		t.Fatalf("the good release must be applied:\n%s", dump(src.Status))
	}
	for _, v := range []string{garbled, truncated} {
		rel := release(src, v)
		if rel.Phase != runv1alpha3.ReleasePhaseFailed || !strings.Contains(rel.Message, "nothing of it was applied") {
			t.Errorf("release %s: %+v", v, rel)
		}
		if tkrExists(t, v) {
			t.Errorf("TKR %s must not exist", v)
		}
		img := &runv1alpha3.OSImage{}
		if err := env.Client.Get(context.Background(), client.ObjectKey{Name: version.Label(v) + "-ubuntu"}, img); err == nil {
			t.Errorf("OSImage of %s must not exist", v)
		}
	}
	if !strings.Contains(release(src, garbled).Message, "config/zz-garbage.yaml") {
		t.Errorf("the message must name the broken file: %s", release(src, garbled).Message)
	}
	if c := condition(src, runv1alpha3.ConditionReleasesSynced); c.Status != corev1.ConditionFalse || c.Reason != "BundleInvalid" {
		t.Errorf("ReleasesSynced: %+v", c)
	}
	f.reg.ResetStats()
	f.requestSync()
	if st := f.reg.Stats(); st.Blobs != 0 {
		t.Errorf("a broken bundle at the same digest was downloaded again: %+v", st)
	}
}

// With the registry down, the sync fails and retries with backoff; once it is up, the releases
// arrive without anyone doing anything.
func TestRegistryDownThenUp(t *testing.T) {
	f := newFixture(t, false)
	v := f.publishOne()
	f.reg.Down()

	f.start(f.options("v9.0.0"))
	src := f.waitFor("two failed syncs", func(s *runv1alpha3.TanzuKubernetesReleaseSource) bool {
		return s.Status.ConsecutiveFailures >= 2
	})
	ready := condition(src, runv1alpha3.ConditionReady)
	if ready.Status != corev1.ConditionFalse || !strings.Contains(ready.Message, "Retrying in") {
		t.Errorf("Ready while the registry is down: %+v", ready)
	}
	if src.Status.NextSyncTime == nil || src.Status.NextSyncTime.Sub(src.Status.LastSyncTime.Time) > 2*time.Second {
		t.Errorf("the retry must come within the initial frequency: %s → %s", src.Status.LastSyncTime, src.Status.NextSyncTime)
	}
	f.reg.Up()
	src = f.waitFor("the release applied", func(s *runv1alpha3.TanzuKubernetesReleaseSource) bool {
		return release(s, v).Phase == runv1alpha3.ReleasePhaseApplied
	})
	if src.Status.ConsecutiveFailures != 0 || condition(src, runv1alpha3.ConditionReady).Status != corev1.ConditionTrue {
		t.Errorf("status after recovery:\n%s", dump(src.Status))
	}
}

// A catalogue mirrored to another registry (as imgpkg copy does) is read from the mirror alone:
// the bundle references inside are relocated.
func TestRelocatedToMirror(t *testing.T) {
	f := newFixture(t, false)
	v := f.publishOne()

	mirror := newFixture(t, false)
	mirror.minor = f.minor // same releases
	to := publish.Target{Registry: mirror.reg.Host + "/airgap/tkg"}
	if err := publish.Mirror(context.Background(), f.client(registry.Options{}), f.target, to, []string{v}); err != nil {
		t.Fatal(err)
	}
	f.reg.Down() // the original registry is unreachable from the air-gapped site

	mirror.target = to
	mirror.start(mirror.options("v9.0.0"))
	src := mirror.synced()
	rel := release(src, v)
	if rel.Phase != runv1alpha3.ReleasePhaseApplied || !strings.HasPrefix(rel.Bundle, mirror.reg.Host+"/airgap/tkg/") {
		t.Fatalf("release from the mirror: %+v", rel)
	}
	tkr := &runv1alpha3.TanzuKubernetesRelease{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Name: version.Label(v)}, tkr); err != nil {
		t.Fatal(err)
	}
	if got := tkr.Annotations[source.AnnotationSourceBundle]; !strings.HasPrefix(got, mirror.reg.Host) {
		t.Errorf("TKR came from %s, want the mirror", got)
	}
}

// An OSImage a user changed is kept when a new bundle of its release is applied; the rest of the
// release is updated.
func TestUserModifiedOSImageKept(t *testing.T) {
	f := newFixture(t, false)
	v := f.publishOne()
	f.start(f.options("v9.0.0"))
	f.synced()

	ctx := context.Background()
	name := version.Label(v)
	img := &runv1alpha3.OSImage{}
	if err := env.Client.Get(ctx, client.ObjectKey{Name: name + "-ubuntu"}, img); err != nil {
		t.Fatal(err)
	}
	img.Spec.Image.Ref["version"] = "my-own-template"
	if err := env.Client.Update(ctx, img); err != nil {
		t.Fatal(err)
	}
	// Republish the release with new image versions: a new package bundle digest.
	f.layout.Releases[0].Files = releaseFiles(v, "ova-2")
	f.publish()
	src := f.requestSync()
	if rel := release(src, v); rel.Phase != runv1alpha3.ReleasePhaseApplied {
		t.Fatalf("release: %+v", rel)
	}
	if err := env.Client.Get(ctx, client.ObjectKey{Name: name + "-ubuntu"}, img); err != nil {
		t.Fatal(err)
	}
	if img.Spec.Image.Ref["version"] != "my-own-template" {
		t.Errorf("the user's OSImage was overwritten: %v", img.Spec.Image.Ref)
	}
	photon := &runv1alpha3.OSImage{}
	if err := env.Client.Get(ctx, client.ObjectKey{Name: name + "-photon"}, photon); err != nil {
		t.Fatal(err)
	}
	if photon.Spec.Image.Ref["version"] != v+"-ova-2" {
		t.Errorf("the untouched OSImage must follow the new bundle: %v", photon.Spec.Image.Ref)
	}
}

// HTTPS with a private CA works when the CA is in tkr-controller-config, fails with a message
// saying so when it is not, and works with skip-verify.
func TestPrivateCA(t *testing.T) {
	f := newFixture(t, true)
	v := f.publishOne()

	stop := f.start(f.options("v9.0.0"))
	src := f.waitFor("a failed sync", func(s *runv1alpha3.TanzuKubernetesReleaseSource) bool { return s.Status.ConsecutiveFailures >= 1 })
	if msg := condition(src, runv1alpha3.ConditionReady).Message; !strings.Contains(msg, "caCerts") {
		t.Errorf("the failure must say where the CA goes: %s", msg)
	}
	f.restart(stop)

	o := f.options("v9.0.0")
	o.SkipVerify = true
	stop = f.start(o)
	if rel := release(f.synced(), v); rel.Phase != runv1alpha3.ReleasePhaseApplied {
		t.Fatalf("with skip-verify: %+v", rel)
	}
	f.restart(stop)

	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: source.ControllerConfigMap},
		Data: map[string]string{source.CACertsKey: string(f.reg.CACert)}}
	if err := env.Client.Create(context.Background(), cm); err != nil {
		t.Fatal(err)
	}
	f.start(f.options("v9.0.0"))
	src = f.synced()
	if condition(src, runv1alpha3.ConditionReady).Status != corev1.ConditionTrue {
		t.Fatalf("with the CA in tkr-controller-config:\n%s", dump(src.Status))
	}
}

// The steady state: a repository of 200 releases, 3 of them compatible. After the first sync, a
// sync downloads nothing: no blob, only tag lists and manifest HEADs.
func TestSteadyStateDownloadsNothing(t *testing.T) {
	f := newFixture(t, false)
	var compatible []string
	for i := 1; i <= 200; i++ {
		v := f.addRelease(i)
		if i%50 == 0 && i < 200 {
			compatible = append(compatible, v)
		}
	}
	f.setMetadata("v9.0.0", compatible...)
	f.publish()

	f.reg.ResetStats()
	f.start(f.options("v9.0.0"))
	src := f.synced()
	if src.Status.Summary != "3/3 applied" {
		t.Fatalf("status:\n%s", dump(src.Status))
	}
	// The first sync's own writes (the report, bom-metadata) trigger one more; let it finish.
	f.settle()
	first := f.reg.Stats()
	f.reg.ResetStats()
	f.requestSync()
	steady := f.reg.Stats()
	t.Logf("first sync: %d requests (%d blob GETs, %d manifest GETs), %d bytes", first.Requests, first.Blobs, first.Manifests, first.BytesOut)
	t.Logf("steady-state sync: %d requests (%d pings, %d tag lists, %d manifest HEADs, %d manifest GETs, %d blob GETs), %d bytes",
		steady.Requests, steady.Pings, steady.TagLists, steady.ManifestHeads, steady.Manifests, steady.Blobs, steady.BytesOut)
	if steady.Blobs != 0 || steady.Manifests != 0 {
		t.Errorf("a steady-state sync downloaded something: %+v", steady)
	}
	// 3 tag lists, 1 metadata HEAD, 3 BOM HEADs, 3 repository bundle HEADs (+ pings).
	if steady.ManifestHeads != 7 || steady.TagLists != 3 {
		t.Errorf("steady-state sync: %+v", steady)
	}
}

// additional creates an additional-compatible-tkrs ConfigMap listing versions.
func additional(t *testing.T, ns, name string, versions ...string) {
	t.Helper()
	list := "[" + strings.Join(versions, ", ") + "]"
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{runv1alpha3.LabelAdditionalCompatibleTKRs: ""}},
		Data:       map[string]string{compatibility.AdditionalKey: list},
	}
	if err := env.Client.Create(context.Background(), cm); err != nil {
		t.Fatal(err)
	}
}
