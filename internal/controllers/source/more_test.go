package source_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/yaml"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/controllers/source"
	"github.com/tkr-project/tkr/internal/registry/registrytest"
	"github.com/tkr-project/tkr/pkg/compatibility"
	"github.com/tkr-project/tkr/pkg/version"
	"github.com/tkr-project/tkr/test/envtest"
)

// --legacy-namespace: bom-metadata and the BOM ConfigMaps are written to both namespaces, and
// nothing else of a release goes to the legacy one.
func TestLegacyNamespace(t *testing.T) {
	f := newFixture(t, false)
	v := f.publishOne()
	legacy := f.ns + "-legacy"
	createNamespace(t, legacy)

	o := f.options("v9.0.0")
	o.LegacyNamespace = legacy
	f.start(o)
	src := f.synced()
	if condition(src, runv1alpha3.ConditionReady).Status != corev1.ConditionTrue {
		t.Fatalf("status:\n%s", dump(src.Status))
	}

	name := version.Label(v)
	mdMain, mdLegacy := getConfigMap(t, f.ns, compatibility.MetadataConfigMap), getConfigMap(t, legacy, compatibility.MetadataConfigMap)
	if mdMain == nil || mdLegacy == nil {
		t.Fatalf("bom-metadata: in %s %v, in %s %v", f.ns, mdMain != nil, legacy, mdLegacy != nil)
	}
	if !reflect.DeepEqual(mdMain.BinaryData, mdLegacy.BinaryData) ||
		mdLegacy.Annotations[source.AnnotationSourceImage] != mdMain.Annotations[source.AnnotationSourceImage] ||
		!strings.Contains(mdLegacy.Annotations[source.AnnotationSourceImage], ":v1@sha256:") {
		t.Errorf("legacy bom-metadata differs: annotations %v vs %v", mdLegacy.Annotations, mdMain.Annotations)
	}
	bomMain, bomLegacy := getConfigMap(t, f.ns, name), getConfigMap(t, legacy, name)
	if bomMain == nil || bomLegacy == nil {
		t.Fatalf("BOM ConfigMap %s: in %s %v, in %s %v", name, f.ns, bomMain != nil, legacy, bomLegacy != nil)
	}
	if string(bomLegacy.BinaryData[source.BOMKey]) != string(bomFile(v)) || bomLegacy.Labels[source.LabelBOM] != name ||
		bomLegacy.Annotations[source.AnnotationBOMImageTag] != version.ImageTag(v) {
		t.Errorf("legacy BOM ConfigMap: labels %v annotations %v", bomLegacy.Labels, bomLegacy.Annotations)
	}
	// The marker and the namespaced objects of the release go to --namespace only.
	if getConfigMap(t, legacy, "tkr-"+name) != nil {
		t.Errorf("the release marker must not be written to the legacy namespace")
	}
	err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: legacy, Name: name}, &runv1alpha3.ClusterBootstrapTemplate{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("ClusterBootstrapTemplate in the legacy namespace: %v", err)
	}
}

// A missing legacy namespace is not an error.
func TestLegacyNamespaceMissing(t *testing.T) {
	f := newFixture(t, false)
	v := f.publishOne()
	o := f.options("v9.0.0")
	o.LegacyNamespace = f.ns + "-missing"
	f.start(o)
	src := f.synced()
	if condition(src, runv1alpha3.ConditionReady).Status != corev1.ConditionTrue || release(src, v).Phase != runv1alpha3.ReleasePhaseApplied {
		t.Fatalf("a missing legacy namespace must not fail the sync:\n%s", dump(src.Status))
	}
}

// A legacy namespace created after the first sync receives bom-metadata and the BOM ConfigMaps at
// the next sync, as the controller promises for bom-metadata ("it may have been created later").
func TestLegacyNamespaceCreatedLater(t *testing.T) {
	f := newFixture(t, false)
	v := f.publishOne()
	legacy := f.ns + "-later"
	o := f.options("v9.0.0")
	o.LegacyNamespace = legacy
	f.start(o)
	f.synced()

	createNamespace(t, legacy)
	src := f.requestSync()
	if condition(src, runv1alpha3.ConditionReady).Status != corev1.ConditionTrue {
		t.Fatalf("status:\n%s", dump(src.Status))
	}
	if getConfigMap(t, legacy, compatibility.MetadataConfigMap) == nil {
		t.Errorf("bom-metadata was not written to the legacy namespace created after the first sync")
	}
	if getConfigMap(t, legacy, version.Label(v)) == nil {
		t.Errorf("BOM ConfigMap %s was not written to the legacy namespace created after the first sync", version.Label(v))
	}
}

// pushBrokenMetadata publishes v1 metadata listing one release, then a v2 image whose file is not
// compatibility metadata, and returns the release.
func pushBrokenMetadata(t *testing.T, f *fixture) string {
	t.Helper()
	v := f.publishOne()
	compatPath := strings.TrimPrefix(f.target.WithDefaults().CompatibilityRepo(), f.reg.Host+"/")
	f.reg.Push(t, compatPath+":v2", registrytest.FilesImage(t, map[string][]byte{"tkr-compatibility.yaml": []byte("managementClusterVersions: [unclosed\n")}))
	return v
}

// The newest compatibility metadata image is not metadata: the older one is used, the releases
// are still applied and no retry is scheduled soon (the broken image stays broken until
// republished).
func TestMetadataFallback(t *testing.T) {
	f := newFixture(t, false)
	v := pushBrokenMetadata(t, f)
	f.start(f.options("v9.0.0"))
	src := f.synced()
	if src.Status.Metadata == nil || !strings.HasSuffix(src.Status.Metadata.Ref, ":v1") {
		t.Errorf("status.metadata must name v1:\n%s", dump(src.Status.Metadata))
	}
	if rel := release(src, v); rel.Phase != runv1alpha3.ReleasePhaseApplied || !tkrExists(t, v) {
		t.Errorf("the release listed by v1 must be applied: %+v", rel)
	}
	if next := src.Status.NextSyncTime.Sub(src.Status.LastSyncTime.Time); next < 30*time.Minute {
		t.Errorf("broken content must not be retried soon; next sync in %s", next)
	}
	cm := getConfigMap(t, f.ns, compatibility.MetadataConfigMap)
	if cm == nil {
		t.Fatal("no bom-metadata")
	}
	md, err := compatibility.ParseMetadata(cm.BinaryData[compatibility.MetadataKey])
	if err != nil {
		t.Fatal(err)
	}
	want := compatibility.Metadata{ManagementClusterVersions: []compatibility.ManagementClusterVersion{{Version: "v9.0.0", SupportedKubernetesVersions: []string{v}}}}
	if !reflect.DeepEqual(*md, want) {
		t.Errorf("bom-metadata holds %+v, want v1's %+v", *md, want)
	}
	if got := cm.Annotations[source.AnnotationSourceImage]; !strings.Contains(got, ":v1@sha256:") {
		t.Errorf("bom-metadata comes from %s, want v1", got)
	}
}

// While the newest metadata image is broken, MetadataSynced (and so Ready) says so, naming it, at
// every sync, not only at the one that first wrote the older image into bom-metadata.
func TestMetadataFallbackReported(t *testing.T) {
	f := newFixture(t, false)
	pushBrokenMetadata(t, f)
	f.start(f.options("v9.0.0"))
	f.synced()
	// The sync after the one that wrote bom-metadata from v1 (a sync request, so it is
	// deterministic; the controller's own write of bom-metadata queues one too).
	src := f.requestSync()
	c := condition(src, runv1alpha3.ConditionMetadataSynced)
	if c.Status != corev1.ConditionFalse || c.Reason != "NewestMetadataUnreadable" || !strings.Contains(c.Message, ":v2") && !strings.Contains(c.Message, "v2:") {
		t.Errorf("MetadataSynced: %+v", c)
	}
	if ready := condition(src, runv1alpha3.ConditionReady); ready.Status != corev1.ConditionFalse || ready.Reason != "NewestMetadataUnreadable" {
		t.Errorf("Ready: %+v", ready)
	}
	if src.Status.Metadata == nil || !strings.HasSuffix(src.Status.Metadata.Ref, ":v1") {
		t.Errorf("status.metadata must name v1:\n%s", dump(src.Status.Metadata))
	}
}

// A numeric tag without the v is fetched as it is (the original fetched "v7"), and it counts by
// its number: 7 beats v1.
func TestMetadataTagWithoutV(t *testing.T) {
	f := newFixture(t, false)
	first, second := f.addRelease(1), f.addRelease(2)
	f.setMetadata("v9.0.0", first)
	f.publish()
	md := compatibility.Metadata{ManagementClusterVersions: []compatibility.ManagementClusterVersion{{Version: "v9.0.0", SupportedKubernetesVersions: []string{first, second}}}}
	data, err := yaml.Marshal(md)
	if err != nil {
		t.Fatal(err)
	}
	compatPath := strings.TrimPrefix(f.target.WithDefaults().CompatibilityRepo(), f.reg.Host+"/")
	f.reg.Push(t, compatPath+":7", registrytest.FilesImage(t, map[string][]byte{"tkr-compatibility.yaml": data}))

	f.start(f.options("v9.0.0"))
	src := f.synced()
	if src.Status.Metadata == nil || !strings.HasSuffix(src.Status.Metadata.Ref, ":7") {
		t.Fatalf("status.metadata must name tag 7:\n%s", dump(src.Status))
	}
	if c := condition(src, runv1alpha3.ConditionMetadataSynced); c.Status != corev1.ConditionTrue {
		t.Errorf("MetadataSynced: %+v", c)
	}
	if got := getConfigMap(t, f.ns, compatibility.MetadataConfigMap).Annotations[source.AnnotationSourceImage]; !strings.Contains(got, ":7@sha256:") {
		t.Errorf("bom-metadata comes from %s, want tag 7", got)
	}
	if release(src, second).Phase != runv1alpha3.ReleasePhaseApplied || !tkrExists(t, second) {
		t.Errorf("the release only tag 7 lists must be applied:\n%s", dump(src.Status.Releases))
	}
}

// A successful sync records ReleaseApplied (and MetadataUpdated) Events regarding the
// TanzuKubernetesReleaseSource; the recorder writes events.k8s.io/v1 Events, in namespace
// "default" for the cluster-scoped object.
func TestEventsOnSuccess(t *testing.T) {
	f := newFixture(t, false)
	v := f.publishOne()
	f.start(f.options("v9.0.0"))
	f.synced()

	ev := waitEvent(t, f.ns, "ReleaseApplied", v)
	if ev.Type != corev1.EventTypeNormal || ev.Regarding.Kind != "TanzuKubernetesReleaseSource" ||
		ev.Regarding.APIVersion != runv1alpha3.GroupVersion.String() || ev.ReportingController != "tkr-source" || ev.Action != "Sync" {
		t.Errorf("ReleaseApplied Event: %s", dump(ev))
	}
	if !strings.Contains(ev.Note, "@sha256:") {
		t.Errorf("the note must name the bundle: %s", ev.Note)
	}
	if md := waitEvent(t, f.ns, "MetadataUpdated", ":v1@sha256:"); md.Type != corev1.EventTypeNormal {
		t.Errorf("MetadataUpdated Event: %s", dump(md))
	}
}

// A registry outage records a SyncFailed Warning.
func TestEventsOnFailure(t *testing.T) {
	f := newFixture(t, false)
	f.publishOne()
	f.reg.Down()
	f.start(f.options("v9.0.0"))
	f.waitFor("a failed sync", func(s *runv1alpha3.TanzuKubernetesReleaseSource) bool { return s.Status.ConsecutiveFailures >= 1 })
	ev := waitEvent(t, f.ns, "SyncFailed", f.reg.Host)
	if ev.Type != corev1.EventTypeWarning || ev.Regarding.Name != f.ns {
		t.Errorf("SyncFailed Event: %s", dump(ev))
	}
}

// SyncFailed is recorded once per streak of failed syncs, not once per retry: counted with a fake
// recorder, since the API server may fold repeated Events into a series.
func TestSyncFailedOncePerStreak(t *testing.T) {
	f := newFixture(t, false)
	v := f.publishOne()
	f.reg.Down()
	rec := events.NewFakeRecorder(1000)
	o := f.options("v9.0.0")
	startManager(t, func(mgr ctrl.Manager) error {
		r := &source.Reconciler{Client: mgr.GetClient(), Reader: mgr.GetAPIReader(), Mapper: mgr.GetRESTMapper(), Events: rec, Opts: o}
		return r.SetupWithManager(mgr)
	})
	f.waitFor("three failed syncs", func(s *runv1alpha3.TanzuKubernetesReleaseSource) bool { return s.Status.ConsecutiveFailures >= 3 })
	f.reg.Up()
	f.waitFor("the release applied", func(s *runv1alpha3.TanzuKubernetesReleaseSource) bool {
		return release(s, v).Phase == runv1alpha3.ReleasePhaseApplied
	})
	f.reg.Down()
	f.requestSync()
	f.reg.Up()
	f.waitFor("a successful sync", func(s *runv1alpha3.TanzuKubernetesReleaseSource) bool { return s.Status.ConsecutiveFailures == 0 })

	counts := map[string]int{}
	for {
		select {
		case e := <-rec.Events:
			counts[strings.Fields(e)[1]]++
			continue
		default:
		}
		break
	}
	if counts["SyncFailed"] != 2 || counts["ReleaseApplied"] != 1 {
		t.Errorf("two streaks of failures and one install must record 2 SyncFailed and 1 ReleaseApplied Events; got %v", counts)
	}
}

// After a sync the source metrics are in controller-runtime's registry.
func TestMetrics(t *testing.T) {
	f := newFixture(t, false)
	v := f.publishOne()
	before := gather(t)
	f.start(f.options("v9.0.0"))
	src := f.synced()
	if release(src, v).Phase != runv1alpha3.ReleasePhaseApplied {
		t.Fatalf("status:\n%s", dump(src.Status))
	}
	after := gather(t)

	if d := after.value("tkr_source_syncs_total", "result", "success") - before.value("tkr_source_syncs_total", "result", "success"); d < 1 {
		t.Errorf("tkr_source_syncs_total{result=success} grew by %v", d)
	}
	// A first sync lists 3 repositories and downloads at least the metadata, a BOM, a repository
	// bundle and a package bundle.
	for _, c := range []struct {
		op  string
		min float64
	}{{"tags", 3}, {"digest", 3}, {"download", 4}} {
		d := after.value("tkr_source_registry_calls_total", "operation", c.op, "result", "ok") -
			before.value("tkr_source_registry_calls_total", "operation", c.op, "result", "ok")
		if d < c.min {
			t.Errorf("tkr_source_registry_calls_total{operation=%s,result=ok} grew by %v, want >= %v", c.op, d, c.min)
		}
	}
	if got := after.value("tkr_source_releases", "phase", "Applied"); got < 1 {
		t.Errorf("tkr_source_releases{phase=Applied} = %v", got)
	}
	if !after.has("tkr_source_releases", "phase", "Failed") || !after.has("tkr_source_releases", "phase", "NotPublished") {
		t.Errorf("tkr_source_releases must report every phase, zero included")
	}
	if after.count("tkr_source_sync_duration_seconds") < 1 || after.value("tkr_source_downloaded_bytes_total") <= before.value("tkr_source_downloaded_bytes_total") {
		t.Errorf("sync duration and downloaded bytes must be recorded")
	}
}

// Creating tkr-controller-config with the registry's CA fixes a failing HTTPS sync at once, without
// a restart and without waiting for a retry.
func TestControllerConfigCreatedTriggersSync(t *testing.T) {
	f := newFixture(t, true)
	v := f.publishOne()
	o := f.options("v9.0.0")
	o.InitialDiscoverFrequency = time.Hour
	o.MinRetryInterval = time.Hour
	f.start(o)
	f.waitFor("a failed sync", func(s *runv1alpha3.TanzuKubernetesReleaseSource) bool { return s.Status.ConsecutiveFailures >= 1 })
	src := f.settle()
	if src.Status.ConsecutiveFailures < 1 || src.Status.NextSyncTime.Sub(src.Status.LastSyncTime.Time) < 30*time.Minute {
		t.Fatalf("the retry must be an hour away:\n%s", dump(src.Status))
	}

	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: source.ControllerConfigMap},
		Data: map[string]string{source.CACertsKey: string(f.reg.CACert)}}
	if err := env.Client.Create(context.Background(), cm); err != nil {
		t.Fatal(err)
	}
	src = f.waitFor(v+" applied", func(s *runv1alpha3.TanzuKubernetesReleaseSource) bool {
		return release(s, v).Phase == runv1alpha3.ReleasePhaseApplied
	})
	if src.Status.ConsecutiveFailures != 0 || condition(src, runv1alpha3.ConditionReady).Status != corev1.ConditionTrue || !tkrExists(t, v) {
		t.Errorf("status after the CA was configured:\n%s", dump(src.Status))
	}
}

// Deleting a release's marker ConfigMap asks for the release to be installed again.
func TestMarkerDeletedReinstalls(t *testing.T) {
	f := newFixture(t, false)
	v := f.publishOne()
	f.start(f.options("v9.0.0"))
	src := f.synced()
	bundle := release(src, v).Bundle
	ctx := context.Background()
	name := "tkr-" + version.Label(v)
	old := getConfigMap(t, f.ns, name)
	if old == nil || old.Annotations[source.AnnotationPackageBundle] != bundle {
		t.Fatalf("marker %s after the first sync: %v", name, old)
	}
	if _, ok := old.Labels[source.LabelTKRPackage]; !ok {
		t.Fatalf("marker labels: %v", old.Labels)
	}
	f.reg.ResetStats()
	if err := env.Client.Delete(ctx, old); err != nil {
		t.Fatal(err)
	}
	var marker *corev1.ConfigMap
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		marker = getConfigMap(t, f.ns, name)
		if marker != nil && marker.UID != old.UID && marker.Annotations[source.AnnotationPackageBundle] != "" &&
			strings.Contains(marker.Data[source.InstallDataKey], "Success: true") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the marker was not recreated by a reinstall: %v", marker)
		}
	}
	if marker.Annotations[source.AnnotationPackageBundle] != bundle {
		t.Errorf("reinstalled from %s, want %s", marker.Annotations[source.AnnotationPackageBundle], bundle)
	}
	if st := f.reg.Stats(); st.Blobs == 0 {
		t.Errorf("a reinstall must download the package bundle again: %+v", st)
	}
	src = f.waitFor("the reinstall reported", func(s *runv1alpha3.TanzuKubernetesReleaseSource) bool {
		rel := release(s, v)
		return rel.Phase == runv1alpha3.ReleasePhaseApplied && rel.LastAppliedTime != nil &&
			rel.LastAppliedTime.UTC().Format(time.RFC3339) == marker.Annotations[source.AnnotationInstalledAt]
	})
	// The objects are owned by the new marker now.
	cbt := &runv1alpha3.ClusterBootstrapTemplate{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: f.ns, Name: version.Label(v)}, cbt); err != nil {
		t.Fatal(err)
	}
	if len(cbt.OwnerReferences) != 1 || cbt.OwnerReferences[0].UID != marker.UID {
		t.Errorf("ClusterBootstrapTemplate owners %+v, want the new marker %s", cbt.OwnerReferences, marker.UID)
	}
}

// The legacy labeler labels TKRs without bootstrap packages, and only those.
func TestLegacyLabeler(t *testing.T) {
	f := newFixture(t, false)
	v := f.publishOne()
	o := f.options("v9.0.0")
	startManager(t, func(mgr ctrl.Manager) error {
		if err := source.Setup(mgr, o); err != nil {
			return err
		}
		return source.SetupLegacyLabeler(mgr)
	})
	src := f.synced()
	if release(src, v).Phase != runv1alpha3.ReleasePhaseApplied {
		t.Fatalf("status:\n%s", dump(src.Status))
	}
	ctx := context.Background()
	newTKR := func(patch int, packages bool) *runv1alpha3.TanzuKubernetesRelease {
		v := f.version(patch)
		tkr := &runv1alpha3.TanzuKubernetesRelease{
			ObjectMeta: metav1.ObjectMeta{Name: version.Label(v)},
			Spec: runv1alpha3.TanzuKubernetesReleaseSpec{Version: v,
				Kubernetes: runv1alpha3.KubernetesSpec{Version: strings.SplitN(v, "-tkg", 2)[0]}},
		}
		if packages {
			tkr.Spec.BootstrapPackages = []runv1alpha3.BootstrapPackageReference{{Name: "antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced"}}
		}
		if err := env.Client.Create(ctx, tkr); err != nil {
			t.Fatal(err)
		}
		return tkr
	}
	modern := newTKR(20, true)
	legacy := newTKR(21, false)
	labelled := func(name string) bool {
		tkr := &runv1alpha3.TanzuKubernetesRelease{}
		if err := env.Client.Get(ctx, client.ObjectKey{Name: name}, tkr); err != nil {
			t.Fatal(err)
		}
		_, ok := tkr.Labels[runv1alpha3.LabelLegacyTKR]
		return ok && tkr.Labels[runv1alpha3.LabelLegacyTKR] == ""
	}
	for deadline := time.Now().Add(30 * time.Second); !labelled(legacy.Name); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("TKR %s without bootstrap packages was not labelled %s", legacy.Name, runv1alpha3.LabelLegacyTKR)
		}
	}
	// The labeler has one worker, so the TKR created before the legacy one has been seen too.
	for _, name := range []string{modern.Name, version.Label(v)} {
		if labelled(name) {
			t.Errorf("TKR %s has bootstrap packages and must not be labelled legacy", name)
		}
	}
}

// kubectl get tkrsource shows the printer columns.
func TestKubectlGet(t *testing.T) {
	f := newFixture(t, false)
	f.publishOne()
	f.start(f.options("v9.0.0"))
	f.synced()

	tab := envtest.ParseTable(env.Kubectl(t, "get", "tkrsource", f.ns))
	if want := []string{"NAME", "TKG VERSION", "READY", "RELEASES", "LAST SYNC", "CREATED"}; !reflect.DeepEqual(tab.Header, want) {
		t.Fatalf("header %q, want %q", tab.Header, want)
	}
	row := tab.Row("NAME", f.ns)
	if row == nil || row["TKG VERSION"] != "v9.0.0" || row["READY"] != "True" || row["RELEASES"] != "1/1 applied" ||
		row["LAST SYNC"] == "" || row["CREATED"] == "" {
		t.Errorf("row: %v", row)
	}
	wide := envtest.ParseTable(env.Kubectl(t, "get", "tkrsource", f.ns, "-o", "wide"))
	if row := wide.Row("NAME", f.ns); row == nil || row["MESSAGE"] != "1/1 applied" {
		t.Errorf("wide row: %v (header %q)", row, wide.Header)
	}
}

// --- helpers ---

func createNamespace(t *testing.T, name string) {
	t.Helper()
	if err := env.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
		t.Fatal(err)
	}
}

// getConfigMap returns the ConfigMap, or nil if it does not exist.
func getConfigMap(t *testing.T, ns, name string) *corev1.ConfigMap {
	t.Helper()
	cm := &corev1.ConfigMap{}
	err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, cm)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return cm
}

// settle waits until the TanzuKubernetesReleaseSource has not changed for a second, so syncs
// already queued (the report object's creation queues one) are over.
func (f *fixture) settle() *runv1alpha3.TanzuKubernetesReleaseSource {
	f.t.Helper()
	const quiet = time.Second
	src := &runv1alpha3.TanzuKubernetesReleaseSource{}
	last, since := "", time.Now()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err := env.Client.Get(context.Background(), client.ObjectKey{Name: f.ns}, src); err != nil {
			f.t.Fatal(err)
		}
		if src.ResourceVersion != last {
			last, since = src.ResourceVersion, time.Now()
			continue
		}
		if time.Since(since) >= quiet {
			return src
		}
	}
	f.t.Fatalf("TanzuKubernetesReleaseSource %s kept changing", f.ns)
	return nil
}

// waitEvent waits for an Event with reason regarding TanzuKubernetesReleaseSource name whose
// note contains noteContains.
func waitEvent(t *testing.T, name, reason, noteContains string) eventsv1.Event {
	t.Helper()
	var seen []string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		list := &eventsv1.EventList{}
		if err := env.Client.List(context.Background(), list, client.InNamespace(metav1.NamespaceDefault)); err != nil {
			t.Fatal(err)
		}
		seen = seen[:0]
		for _, e := range list.Items {
			if e.Regarding.Kind != "TanzuKubernetesReleaseSource" || e.Regarding.Name != name {
				continue
			}
			seen = append(seen, e.Reason+": "+e.Note)
			if e.Reason == reason && strings.Contains(e.Note, noteContains) {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s Event naming %q regarding TanzuKubernetesReleaseSource %s; Events: %q", reason, noteContains, name, seen)
		}
	}
}

// metricFamilies are the gathered metrics by name.
type metricFamilies map[string]*dto.MetricFamily

func gather(t *testing.T) metricFamilies {
	t.Helper()
	mfs, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := metricFamilies{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// matching returns the series of metric name whose labels include labelPairs (name, value, ...).
func (m metricFamilies) matching(name string, labelPairs ...string) []*dto.Metric {
	mf := m[name]
	if mf == nil {
		return nil
	}
	var out []*dto.Metric
	for _, metric := range mf.GetMetric() {
		labels := map[string]string{}
		for _, l := range metric.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		ok := true
		for i := 0; i+1 < len(labelPairs); i += 2 {
			if labels[labelPairs[i]] != labelPairs[i+1] {
				ok = false
			}
		}
		if ok {
			out = append(out, metric)
		}
	}
	return out
}

func (m metricFamilies) has(name string, labelPairs ...string) bool {
	return len(m.matching(name, labelPairs...)) > 0
}

// value sums the counters or gauges of name matching labelPairs.
func (m metricFamilies) value(name string, labelPairs ...string) float64 {
	sum := 0.0
	for _, metric := range m.matching(name, labelPairs...) {
		sum += metric.GetCounter().GetValue() + metric.GetGauge().GetValue()
	}
	return sum
}

// count is the sample count of histogram name.
func (m metricFamilies) count(name string) uint64 {
	n := uint64(0)
	for _, metric := range m.matching(name) {
		n += metric.GetHistogram().GetSampleCount()
	}
	return n
}

// A registry outage after a successful sync does not make the report forget the installed
// releases: they are still compatible and still installed, so status.releases keeps listing them.
func TestOutageKeepsReleaseReport(t *testing.T) {
	f := newFixture(t, false)
	v := f.publishOne()
	f.start(f.options("v9.0.0"))
	f.synced()
	f.reg.Down()
	src := f.requestSync()
	if src.Status.ConsecutiveFailures < 1 {
		t.Fatalf("the sync during the outage must fail:\n%s", dump(src.Status))
	}
	if rel := release(src, v); rel.Version == "" || src.Status.Summary == "no compatible releases" {
		t.Errorf("during the outage the report lost release %s (summary %q):\n%s", v, src.Status.Summary, dump(src.Status))
	}
}

// bom-metadata edited by hand is restored from the registry at once (the edit triggers a sync);
// a BOM ConfigMap edited by hand is restored at the next sync. The registry is the source of
// truth; additional-compatible-tkrs ConfigMaps are the way to add releases.
func TestHandEditsAreRestored(t *testing.T) {
	f := newFixture(t, false)
	v := f.publishOne()
	f.start(f.options("v9.0.0"))
	f.synced()
	f.settle()

	ctx := context.Background()
	key := client.ObjectKey{Namespace: f.ns, Name: compatibility.MetadataConfigMap}
	md := &corev1.ConfigMap{}
	if err := env.Client.Get(ctx, key, md); err != nil {
		t.Fatal(err)
	}
	published := string(md.BinaryData[compatibility.MetadataKey])
	md.BinaryData[compatibility.MetadataKey] = []byte("managementClusterVersions:\n- version: v9.0.0\n  supportedKubernetesVersions: [v1.0.0+hand.1]\n")
	if err := env.Client.Update(ctx, md); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if err := env.Client.Get(ctx, key, md); err != nil {
			t.Fatal(err)
		}
		if string(md.BinaryData[compatibility.MetadataKey]) == published {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hand-edited bom-metadata was not restored:\n%s", md.BinaryData[compatibility.MetadataKey])
		}
	}

	bomKey := client.ObjectKey{Namespace: f.ns, Name: version.Label(v)}
	bom := &corev1.ConfigMap{}
	if err := env.Client.Get(ctx, bomKey, bom); err != nil {
		t.Fatal(err)
	}
	original := string(bom.BinaryData[source.BOMKey])
	bom.BinaryData[source.BOMKey] = []byte("edited")
	if err := env.Client.Update(ctx, bom); err != nil {
		t.Fatal(err)
	}
	f.requestSync()
	if err := env.Client.Get(ctx, bomKey, bom); err != nil {
		t.Fatal(err)
	}
	if string(bom.BinaryData[source.BOMKey]) != original {
		t.Errorf("the hand-edited BOM ConfigMap was not restored: %q", bom.BinaryData[source.BOMKey])
	}
}
