package source_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/controllers/source"
	"github.com/tkr-project/tkr/internal/publish"
	"github.com/tkr-project/tkr/internal/registry"
	"github.com/tkr-project/tkr/internal/registry/registrytest"
	"github.com/tkr-project/tkr/pkg/compatibility"
	"github.com/tkr-project/tkr/pkg/tkrbundle"
	"github.com/tkr-project/tkr/pkg/version"
	"github.com/tkr-project/tkr/test/envtest"
)

var env *envtest.Environment

func TestMain(m *testing.M) {
	envtest.Main(m, &env, envtest.Options{Components: []string{"conversion-webhook"}})
}

// testMinor hands every test its own Kubernetes minor version, so the cluster-scoped TKRs and
// OSImages of different tests never collide in the shared API server.
var testMinor atomic.Int32

func init() { testMinor.Store(40) }

// fixture is one test's world: a namespace, a registry and the releases published to it.
type fixture struct {
	t      *testing.T
	ns     string
	minor  int
	reg    *registrytest.Registry
	target publish.Target
	layout *publish.Layout
}

func newFixture(t *testing.T, tlsOn bool) *fixture {
	t.Helper()
	f := &fixture{t: t, minor: int(testMinor.Add(1)), reg: registrytest.New(t, registrytest.Options{TLS: tlsOn})}
	f.ns = fmt.Sprintf("source-%d", f.minor)
	if err := env.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: f.ns}}); err != nil {
		t.Fatal(err)
	}
	f.target = publish.Target{Registry: f.reg.Host + "/tkg"}
	f.layout = &publish.Layout{}
	return f
}

// version returns the fixture's release version number patch.
func (f *fixture) version(patch int) string {
	return fmt.Sprintf("v1.%d.%d+vmware.1-tkg.1", f.minor, patch)
}

// addRelease adds a synthetic release (TKR, two OSImages, a ClusterBootstrapTemplate, a Secret)
// and its BOM to the layout.
func (f *fixture) addRelease(patch int) string {
	v := f.version(patch)
	f.layout.Releases = append(f.layout.Releases, publish.Release{Version: v, Files: releaseFiles(v, "ova-1")})
	if f.layout.BOMs == nil {
		f.layout.BOMs = map[string][]byte{}
	}
	f.layout.BOMs[version.ImageTag(v)] = bomFile(v)
	return v
}

// publishOne publishes one release, compatible with management cluster version v9.0.0, and
// returns its version: the world most tests start from.
func (f *fixture) publishOne() string {
	f.t.Helper()
	v := f.addRelease(1)
	f.setMetadata("v9.0.0", v)
	f.publish()
	return v
}

// setMetadata makes the compatibility metadata list versions for management cluster tkg.
func (f *fixture) setMetadata(tkg string, versions ...string) {
	md := compatibility.Metadata{ManagementClusterVersions: []compatibility.ManagementClusterVersion{{Version: tkg, SupportedKubernetesVersions: versions}}}
	data, err := yaml.Marshal(md)
	if err != nil {
		f.t.Fatal(err)
	}
	f.layout.Metadata = data
}

func (f *fixture) client(opts registry.Options) *registry.Client {
	f.t.Helper()
	if opts.CACerts == nil {
		opts.CACerts = f.reg.CACert
	}
	c, err := registry.New(opts)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) publish() *publish.Result {
	f.t.Helper()
	res, err := publish.Push(context.Background(), f.client(registry.Options{}), f.target, f.layout)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

// options are the source controller's options for this fixture: fast retries, and a polling
// interval long enough that only triggers cause syncs.
func (f *fixture) options(tkg string) source.Options {
	t := f.target.WithDefaults()
	o := source.DefaultOptions()
	o.Name = f.ns
	o.Namespace = f.ns
	o.TKGVersion = tkg
	o.BOMImagePath = t.Registry + "/" + t.BOMPath
	o.BOMMetadataImagePath = t.Registry + "/" + t.CompatibilityPath
	o.TKRRepoImagePath = t.Registry + "/" + t.RepositoryPath
	o.MinRetryInterval = 100 * time.Millisecond
	o.InitialDiscoverFrequency = 2 * time.Second
	o.ContinuousDiscoverFrequency = time.Hour
	return o
}

// start runs a manager with only the source controller until the test ends or stop is called.
func (f *fixture) start(o source.Options) (stop func()) {
	f.t.Helper()
	return startManager(f.t, func(mgr ctrl.Manager) error { return source.Setup(mgr, o) })
}

// startManager runs a manager set up by setup until the test ends or stop is called.
func startManager(t *testing.T, setup func(ctrl.Manager) error) (stop func()) {
	t.Helper()
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme:                 env.Scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		// Each test runs its own manager in this process.
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := setup(mgr); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	var once atomic.Bool
	stop = func() {
		if once.Swap(true) {
			return
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// waitFor polls the TanzuKubernetesReleaseSource until ok accepts it.
func (f *fixture) waitFor(what string, ok func(*runv1alpha3.TanzuKubernetesReleaseSource) bool) *runv1alpha3.TanzuKubernetesReleaseSource {
	f.t.Helper()
	src := &runv1alpha3.TanzuKubernetesReleaseSource{}
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := env.Client.Get(context.Background(), client.ObjectKey{Name: f.ns}, src)
		if err == nil && ok(src) {
			return src
		}
		if err != nil && !apierrors.IsNotFound(err) {
			f.t.Fatal(err)
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("timed out waiting for TanzuKubernetesReleaseSource %s: %s; last status:\n%s", f.ns, what, dump(src.Status))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// synced waits for the first sync of a new report object to succeed (see restart).
func (f *fixture) synced() *runv1alpha3.TanzuKubernetesReleaseSource {
	f.t.Helper()
	return f.waitFor("a completed sync", func(s *runv1alpha3.TanzuKubernetesReleaseSource) bool {
		return s.Status.LastSyncTime != nil && s.Status.ConsecutiveFailures == 0
	})
}

// requestSync asks for a sync with the annotation and waits for it.
func (f *fixture) requestSync() *runv1alpha3.TanzuKubernetesReleaseSource {
	f.t.Helper()
	value := fmt.Sprint(time.Now().UnixNano())
	src := &runv1alpha3.TanzuKubernetesReleaseSource{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Name: f.ns}, src); err != nil {
		f.t.Fatal(err)
	}
	patch := client.MergeFrom(src.DeepCopy())
	metav1.SetMetaDataAnnotation(&src.ObjectMeta, runv1alpha3.AnnotationSyncRequest, value)
	if err := env.Client.Patch(context.Background(), src, patch); err != nil {
		f.t.Fatal(err)
	}
	return f.waitFor("sync request "+value, func(s *runv1alpha3.TanzuKubernetesReleaseSource) bool {
		return s.Status.ObservedSyncRequest == value
	})
}

func condition(s *runv1alpha3.TanzuKubernetesReleaseSource, t runv1alpha3.ConditionType) runv1alpha3.Condition {
	for _, c := range s.Status.Conditions {
		if c.Type == t {
			return c
		}
	}
	return runv1alpha3.Condition{}
}

func release(s *runv1alpha3.TanzuKubernetesReleaseSource, v string) runv1alpha3.SourceRelease {
	for _, r := range s.Status.Releases {
		if r.Version == v {
			return r
		}
	}
	return runv1alpha3.SourceRelease{}
}

func dump(v any) string {
	data, _ := yaml.Marshal(v)
	return string(data)
}

// tkrExists reports whether the TKR of version v exists.
func tkrExists(t *testing.T, v string) bool {
	t.Helper()
	err := env.Client.Get(context.Background(), client.ObjectKey{Name: version.Label(v)}, &runv1alpha3.TanzuKubernetesRelease{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

func releaseFiles(v, imageVersion string) map[string][]byte {
	name := version.Label(v)
	k8s := strings.SplitN(v, "-tkg", 2)[0]
	tkr := fmt.Sprintf(`apiVersion: run.tanzu.vmware.com/v1alpha3
kind: TanzuKubernetesRelease
metadata:
  name: %[1]s
spec:
  version: %[2]s
  kubernetes:
    version: %[3]s
    imageRepository: projects.example.com/tkg
  osImages:
  - name: %[1]s-ubuntu
  - name: %[1]s-photon
  bootstrapPackages:
  - name: antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced
`, name, v, k8s)
	osImage := func(suffix, os, osVersion string) string {
		return fmt.Sprintf(`apiVersion: run.tanzu.vmware.com/v1alpha3
kind: OSImage
metadata:
  name: %s-%s
spec:
  kubernetesVersion: %s
  os: {type: linux, name: %s, version: "%s", arch: amd64}
  image:
    type: ova
    ref: {version: %s-%s}
`, name, suffix, k8s, os, osVersion, v, imageVersion)
	}
	cbt := fmt.Sprintf(`apiVersion: run.tanzu.vmware.com/v1alpha3
kind: ClusterBootstrapTemplate
metadata:
  name: %[1]s
  namespace: tkg-system
spec:
  kapp:
    refName: kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1
  additionalPackages:
  - refName: capabilities.tanzu.vmware.com.0.28.0+vmware.1
    valuesFrom:
      secretRef: %[1]s-capabilities
`, name)
	secret := fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata:
  name: %s-capabilities
  namespace: tkg-system
stringData:
  values.yaml: "rbac: {}"
`, name)
	return map[string][]byte{
		"config/tkr.yaml":      []byte(tkr),
		"config/osimages.yaml": []byte(osImage("ubuntu", "ubuntu", "2004") + "---\n" + osImage("photon", "photon", "3")),
		"config/cbt.yaml":      []byte(cbt),
		"config/secret.yaml":   []byte(secret),
	}
}

func bomFile(v string) []byte {
	k8s := strings.SplitN(v, "-tkg", 2)[0]
	return []byte(fmt.Sprintf(`apiVersion: run.tanzu.vmware.com/v1alpha2
release:
  version: %s
components:
  kubernetes:
  - version: %s
imageConfig:
  imageRepository: projects.example.com/tkg
`, v, k8s))
}

// pushBrokenBundle replaces release v's package bundle with an image of layer, and points v's
// repository bundle at it.
func pushBrokenBundle(t *testing.T, f *fixture, v string, layer v1.Layer) {
	t.Helper()
	tgt := f.target.WithDefaults()
	tag := version.ImageTag(v)
	pkgPath := strings.TrimPrefix(tgt.PackageRepo(), f.reg.Host+"/")
	digest := f.reg.Push(t, pkgPath+":"+tag+"-broken", registrytest.Image(t, layer))
	files, err := tkrbundle.RepositoryFiles(v, tgt.PackageRepo()+"@"+digest, tgt.PackageRepo()+":"+tag+"-broken")
	if err != nil {
		t.Fatal(err)
	}
	img, err := tkrbundle.Image(files, true)
	if err != nil {
		t.Fatal(err)
	}
	f.reg.Push(t, strings.TrimPrefix(tgt.RepositoryRepo(), f.reg.Host+"/")+":"+tag, img)
}

// truncatedLayer is release v's files in a layer whose gzip stream is cut in half.
func truncatedLayer(t *testing.T, v string) v1.Layer {
	t.Helper()
	rc, err := registrytest.Layer(t, releaseFiles(v, "ova-1")).Compressed()
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return static.NewLayer(data[:len(data)/2], types.OCILayer)
}

// restart stops a manager and deletes the report, so the next manager's first sync is seen.
func (f *fixture) restart(stop func()) {
	f.t.Helper()
	stop()
	src := &runv1alpha3.TanzuKubernetesReleaseSource{ObjectMeta: metav1.ObjectMeta{Name: f.ns}}
	if err := env.Client.Delete(context.Background(), src); err != nil {
		f.t.Fatal(err)
	}
}
