package catalog

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// The examples are used by the playground, the docs and other tests, so these tests check that
// they load and that they are consistent with each other: a typo in a name would otherwise only
// show up as a TKR that silently never resolves.

const (
	examplesDir = "../../examples"
	systemNS    = "tkg-system"
	runGroup    = "run.tanzu.vmware.com"
)

var (
	tkrGK       = schema.GroupKind{Group: runGroup, Kind: "TanzuKubernetesRelease"}
	osImageGK   = schema.GroupKind{Group: runGroup, Kind: "OSImage"}
	cbtGK       = schema.GroupKind{Group: runGroup, Kind: "ClusterBootstrapTemplate"}
	configMapGK = schema.GroupKind{Kind: "ConfigMap"}
	secretGK    = schema.GroupKind{Kind: "Secret"}
	clusterGK   = schema.GroupKind{Group: "cluster.x-k8s.io", Kind: "Cluster"}
	ccGK        = schema.GroupKind{Group: "cluster.x-k8s.io", Kind: "ClusterClass"}
	defaultTKR  = []string{"v1.22.17+vmware.1-tkg.1", "v1.23.15+vmware.1-tkg.1", "v1.24.9+vmware.1-tkg.1"}
)

// notManifests are the directories of examples/ whose YAML files are not Kubernetes objects but
// the raw formats tkr-source downloads (TKR BOMs and compatibility metadata).
var notManifests = []string{"boms", "compatibility"}

// loadExamples loads every Kubernetes manifest under examples/.
func loadExamples(t *testing.T) []Object {
	t.Helper()
	entries, err := os.ReadDir(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range entries {
		switch {
		case e.IsDir() && !slices.Contains(notManifests, e.Name()):
			paths = append(paths, filepath.Join(examplesDir, e.Name()))
		case !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")):
			paths = append(paths, filepath.Join(examplesDir, e.Name()))
		}
	}
	objs, err := Load(paths...)
	if err != nil {
		t.Fatalf("loading the examples: %v", err)
	}
	return objs
}

// label turns a version into its label form, which is also the name of TKRs and of their
// ClusterBootstrapTemplates.
func label(version string) string { return strings.ReplaceAll(version, "+", "---") }

func str(t *testing.T, o Object, fields ...string) string {
	t.Helper()
	s, _, err := unstructured.NestedString(o.Object, fields...)
	if err != nil {
		t.Errorf("%s: %v", o.Source, err)
	}
	return s
}

func index(objs []Object) map[string]Object {
	m := map[string]Object{}
	for _, o := range objs {
		m[o.GetNamespace()+"/"+o.GetName()] = o
	}
	return m
}

func TestExamplesLoad(t *testing.T) {
	objs := loadExamples(t)
	counts := map[string]int{}
	for _, o := range objs {
		if o.GetName() == "" {
			t.Errorf("%s: %s has no name", o.Source, o.GetKind())
		}
		counts[o.GroupVersionKind().GroupKind().String()]++
	}
	want := map[string]int{
		"Namespace":                         1,
		"ConfigMap":                         2,  // bom-metadata and the BYO blessing
		"Secret":                            8,  // two default add-on secrets for each of the four standard releases
		"Package.data.packaging.carvel.dev": 57, // each release's bootstrap packages
		"TanzuKubernetesRelease.run.tanzu.vmware.com":   5,
		"OSImage.run.tanzu.vmware.com":                  9,
		"ClusterBootstrapTemplate.run.tanzu.vmware.com": 5,
		"KappControllerConfig.run.tanzu.vmware.com":     4,
		"AntreaConfig.cni.tanzu.vmware.com":             5, // four templates and examples/vick's own
		"VSphereCPIConfig.cpi.tanzu.vmware.com":         4,
		"VSphereCSIConfig.csi.tanzu.vmware.com":         4,
		"Cluster.cluster.x-k8s.io":                      4, // the management cluster and three workload clusters
		"ClusterClass.cluster.x-k8s.io":                 1,
	}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("objects per kind (-want +got):\n%s", diff)
	}

	// The catalogue must create the namespace before anything in it.
	catalog, err := Load(filepath.Join(examplesDir, "catalog"))
	if err != nil {
		t.Fatal(err)
	}
	if first := catalog[0]; first.GetKind() != "Namespace" || first.GetName() != systemNS {
		t.Errorf("the first object of the catalogue is %s %s (%s), want Namespace %s", first.GetKind(), first.GetName(), first.Source, systemNS)
	}
	for _, o := range catalog {
		if o.GetKind() != "Namespace" && o.GetNamespace() != "" && o.GetNamespace() != systemNS {
			t.Errorf("%s: %s %s is in namespace %q; the catalogue only uses %s", o.Source, o.GetKind(), o.GetName(), o.GetNamespace(), systemNS)
		}
	}
}

func TestExamplesTKRsAndOSImages(t *testing.T) {
	objs := loadExamples(t)
	osImages := index(Filter(objs, osImageGK))
	referenced := map[string]string{}
	for _, tkr := range Filter(objs, tkrGK) {
		version := str(t, tkr, "spec", "version")
		k8s := str(t, tkr, "spec", "kubernetes", "version")
		if tkr.GetName() != label(version) {
			t.Errorf("%s: TKR %s has spec.version %s; its name must be %s", tkr.Source, tkr.GetName(), version, label(version))
		}
		if !strings.HasPrefix(version, k8s+"-") {
			t.Errorf("%s: TKR version %s does not extend its Kubernetes version %s", tkr.Source, version, k8s)
		}
		checkNoComputedState(t, tkr)

		refs, _, _ := unstructured.NestedSlice(tkr.Object, "spec", "osImages")
		var oses []string
		for _, r := range refs {
			name, _ := r.(map[string]any)["name"].(string)
			if prev, ok := referenced[name]; ok {
				t.Errorf("%s: OSImage %s is already shipped by TKR %s", tkr.Source, name, prev)
			}
			referenced[name] = tkr.GetName()
			img, ok := osImages["/"+name]
			if !ok {
				t.Errorf("%s: TKR %s refers to OSImage %s, which the examples do not define", tkr.Source, tkr.GetName(), name)
				continue
			}
			if got := str(t, img, "spec", "kubernetesVersion"); got != k8s {
				t.Errorf("%s: OSImage %s has kubernetesVersion %s, but its TKR %s has %s", img.Source, name, got, tkr.GetName(), k8s)
			}
			if !strings.HasPrefix(name, tkr.GetName()) {
				t.Errorf("%s: OSImage %s is not named after its TKR %s", img.Source, name, tkr.GetName())
			}
			if got := str(t, img, "spec", "image", "type"); got != "ova" {
				t.Errorf("%s: OSImage %s has image type %q, want ova", img.Source, name, got)
			}
			oses = append(oses, fmt.Sprintf("%s/%s/%s/%s",
				str(t, img, "spec", "os", "type"), str(t, img, "spec", "os", "name"),
				str(t, img, "spec", "os", "version"), str(t, img, "spec", "os", "arch")))
			if _, ok := tkr.GetLabels()["tkr.tanzu.vmware.com/gpu-efi"]; !ok {
				// Standard OSImages: <TKR name>-<32 hex>, OVA version = TKR version + the same hash.
				hash := strings.TrimPrefix(name, tkr.GetName()+"-")
				if len(hash) != 32 || strings.Trim(hash, "0123456789abcdef") != "" {
					t.Errorf("%s: OSImage %s is not named <TKR name>-<32 hex digits>", img.Source, name)
				}
				if got, want := str(t, img, "spec", "image", "ref", "version"), version+"-"+hash; got != want {
					t.Errorf("%s: OSImage %s has OVA version %s, want %s", img.Source, name, got, want)
				}
			}
		}
		if _, ok := tkr.GetLabels()["tkr.tanzu.vmware.com/gpu-efi"]; !ok {
			slices.Sort(oses)
			if want := []string{"linux/photon/3/amd64", "linux/ubuntu/2004/amd64"}; !slices.Equal(oses, want) {
				t.Errorf("%s: TKR %s ships OSImages for %v, want %v", tkr.Source, tkr.GetName(), oses, want)
			}
		}
	}
	for key, img := range osImages {
		checkNoComputedState(t, img)
		if _, ok := referenced[strings.TrimPrefix(key, "/")]; !ok {
			t.Errorf("%s: no TKR ships OSImage %s", img.Source, img.GetName())
		}
	}
}

// checkNoComputedState fails for labels and status that controllers compute: the examples must
// show what a user or tkr-source writes, so the controllers visibly do their job.
func checkNoComputedState(t *testing.T, o Object) {
	t.Helper()
	for k := range o.GetLabels() {
		if len(k) > 1 && k[0] == 'v' && k[1] >= '0' && k[1] <= '9' || slices.Contains([]string{"incompatible", "invalid", "os-name", "image-type"}, k) {
			t.Errorf("%s: %s %s carries the computed label %q", o.Source, o.GetKind(), o.GetName(), k)
		}
	}
	if _, ok := o.Object["status"]; ok {
		t.Errorf("%s: %s %s has a status", o.Source, o.GetKind(), o.GetName())
	}
}

// TestExamplesSeedObjects pins the objects that are taken from the TKR article verbatim.
func TestExamplesSeedObjects(t *testing.T) {
	objs := loadExamples(t)
	tkrs, osImages := index(Filter(objs, tkrGK)), index(Filter(objs, osImageGK))
	field := func(objs map[string]Object, name string, fields ...string) any {
		t.Helper()
		o, ok := objs["/"+name]
		if !ok {
			t.Fatalf("the examples have no object %s", name)
		}
		v, _, _ := unstructured.NestedFieldNoCopy(o.Object, fields...)
		return v
	}
	wantKubernetes := map[string]any{
		"version":         "v1.24.9+vmware.1",
		"imageRepository": "projects.registry.vmware.com/tkg",
		"coredns":         map[string]any{"imageTag": "v1.8.6_vmware.15"},
		"etcd":            map[string]any{"imageTag": "v3.5.6_vmware.3"},
		"kube-vip":        map[string]any{"imageTag": "v0.5.7_vmware.1"},
		"pause":           map[string]any{"imageTag": "3.7"},
	}
	if diff := cmp.Diff(wantKubernetes, field(tkrs, "v1.24.9---vmware.1-tkg.1", "spec", "kubernetes")); diff != "" {
		t.Errorf("v1.24.9 TKR spec.kubernetes (-want +got):\n%s", diff)
	}
	wantRef := map[string]any{"version": "v1.24.9+vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93"}
	if diff := cmp.Diff(wantRef, field(osImages, "v1.24.9---vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93", "spec", "image", "ref")); diff != "" {
		t.Errorf("v1.24.9 Ubuntu OSImage ref (-want +got):\n%s", diff)
	}
	wantBYO := map[string]any{
		"version": "v1.24.9+vmware.1-gpu-efi",
		"kubernetes": map[string]any{
			"version":         "v1.24.9+vmware.1",
			"imageRepository": "localhost:5000/vmware.io",
			"etcd":            map[string]any{"imageTag": "v3.5.6_vmware.3"},
			"pause":           map[string]any{"imageTag": "3.7"},
			"coredns":         map[string]any{"imageTag": "v1.8.6_vmware.15"},
		},
		"osImages": []any{map[string]any{"name": "v1.24.9---vmware.1-gpu-efi"}},
	}
	if diff := cmp.Diff(wantBYO, field(tkrs, "v1.24.9---vmware.1-gpu-efi", "spec")); diff != "" {
		t.Errorf("BYO TKR spec (-want +got):\n%s", diff)
	}
	wantBYOImage := map[string]any{
		"kubernetesVersion": "v1.24.9+vmware.1",
		"os":                map[string]any{"type": "linux", "name": "ubuntu", "version": "2004", "arch": "amd64"},
		"image":             map[string]any{"type": "ova", "ref": map[string]any{"version": "v1.24.9+vmware.1-gpu-efi"}},
	}
	if diff := cmp.Diff(wantBYOImage, field(osImages, "v1.24.9---vmware.1-gpu-efi", "spec")); diff != "" {
		t.Errorf("BYO OSImage spec (-want +got):\n%s", diff)
	}
}

func TestExamplesClusterBootstrapTemplates(t *testing.T) {
	objs := loadExamples(t)
	byGK := map[schema.GroupKind]map[string]Object{}
	for _, o := range objs {
		gk := o.GroupVersionKind().GroupKind()
		if byGK[gk] == nil {
			byGK[gk] = map[string]Object{}
		}
		byGK[gk][o.GetNamespace()+"/"+o.GetName()] = o
	}
	tkrs := byGK[tkrGK]
	cbts := byGK[cbtGK]
	for _, tkr := range Filter(objs, tkrGK) {
		if _, ok := cbts[systemNS+"/"+tkr.GetName()]; !ok {
			t.Errorf("%s: TKR %s has no ClusterBootstrapTemplate in %s", tkr.Source, tkr.GetName(), systemNS)
		}
	}
	for _, cbt := range Filter(objs, cbtGK) {
		if cbt.GetNamespace() != systemNS {
			t.Errorf("%s: ClusterBootstrapTemplate %s is in %q, want %s", cbt.Source, cbt.GetName(), cbt.GetNamespace(), systemNS)
		}
		tkr, ok := tkrs["/"+cbt.GetName()]
		if !ok {
			t.Errorf("%s: ClusterBootstrapTemplate %s is not named after a TKR", cbt.Source, cbt.GetName())
			continue
		}
		pkgs := map[string]bool{}
		bootstrap, _, _ := unstructured.NestedSlice(tkr.Object, "spec", "bootstrapPackages")
		for _, p := range bootstrap {
			pkgs[p.(map[string]any)["name"].(string)] = true
		}

		var packages []map[string]any
		for _, f := range []string{"cni", "csi", "cpi", "kapp"} {
			p, ok, _ := unstructured.NestedMap(cbt.Object, "spec", f)
			if !ok {
				t.Errorf("%s: ClusterBootstrapTemplate %s has no %s package", cbt.Source, cbt.GetName(), f)
				continue
			}
			packages = append(packages, p)
		}
		additional, _, _ := unstructured.NestedSlice(cbt.Object, "spec", "additionalPackages")
		for _, p := range additional {
			packages = append(packages, p.(map[string]any))
		}
		for _, p := range packages {
			ref, _ := p["refName"].(string)
			// A BYO TKR without bootstrapPackages is legal (tkr-source labels it legacy), so
			// the cross-check only applies when the TKR lists packages.
			if len(pkgs) != 0 && !pkgs[ref] {
				t.Errorf("%s: package %s is not among TKR %s's bootstrapPackages", cbt.Source, ref, tkr.GetName())
			}
			values, _ := p["valuesFrom"].(map[string]any)
			if len(values) > 1 {
				t.Errorf("%s: package %s sets more than one valuesFrom field", cbt.Source, ref)
			}
			if pr, ok := values["providerRef"].(map[string]any); ok {
				gk := schema.GroupKind{Group: pr["apiGroup"].(string), Kind: pr["kind"].(string)}
				provider, ok := byGK[gk][systemNS+"/"+pr["name"].(string)]
				if !ok {
					t.Errorf("%s: package %s refers to %s %s, which is not in %s", cbt.Source, ref, gk, pr["name"], systemNS)
				} else if provider.GetAnnotations()["tkg.tanzu.vmware.com/template-config"] != "true" {
					t.Errorf("%s: %s %s lacks the template-config annotation", provider.Source, gk.Kind, provider.GetName())
				}
			}
			if name, ok := values["secretRef"].(string); ok {
				secret, ok := byGK[secretGK][systemNS+"/"+name]
				switch {
				case !ok:
					t.Errorf("%s: package %s refers to Secret %s, which is not in %s", cbt.Source, ref, name, systemNS)
				case str(t, secret, "type") != "clusterbootstrap-secret" || str(t, secret, "stringData", "values.yaml") == "":
					t.Errorf("%s: Secret %s must have type clusterbootstrap-secret and stringData values.yaml", secret.Source, name)
				}
			}
		}
	}
}

// compatibility is the compatibility metadata format tkr-source reads.
type compatibility struct {
	ManagementClusterVersions []struct {
		SupportedKubernetesVersions []string `json:"supportedKubernetesVersions"`
		Version                     string   `json:"version"`
	} `json:"managementClusterVersions"`
}

func TestExamplesCompatibility(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(examplesDir, "compatibility", "metadata.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	all := loadExamples(t)
	objs := index(all)
	tkrs := index(Filter(all, tkrGK))

	// The ConfigMap must hold exactly the metadata file, so the two cannot drift apart.
	cm, ok := objs[systemNS+"/bom-metadata"]
	if !ok {
		t.Fatal("the catalogue has no bom-metadata ConfigMap")
	}
	if gk := cm.GroupVersionKind().GroupKind(); gk != configMapGK {
		t.Fatalf("%s: bom-metadata is a %s", cm.Source, gk)
	}
	encoded := str(t, cm, "binaryData", "compatibility")
	decoded, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		t.Fatalf("%s: binaryData.compatibility is not base64: %v", cm.Source, err)
	}
	if diff := cmp.Diff(string(raw), string(decoded)); diff != "" {
		t.Errorf("%s: binaryData.compatibility differs from examples/compatibility/metadata.yaml (-file +configmap):\n%s\nregenerate it with: base64 -w0 examples/compatibility/metadata.yaml", cm.Source, diff)
	}

	var meta compatibility
	if err := yaml.UnmarshalStrict(raw, &meta); err != nil {
		t.Fatalf("metadata.yaml: %v", err)
	}
	// The file is already in the form tkr-source re-marshals it to, so storing it changes nothing.
	canonical, err := yaml.Marshal(meta)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(canonical, raw) {
		t.Errorf("metadata.yaml is not in canonical form; want:\n%s", canonical)
	}
	if len(meta.ManagementClusterVersions) != 1 || meta.ManagementClusterVersions[0].Version != "v2.3.0" {
		t.Fatalf("metadata.yaml must describe management-cluster version v2.3.0 only, got %+v", meta)
	}
	if diff := cmp.Diff(defaultTKR, meta.ManagementClusterVersions[0].SupportedKubernetesVersions); diff != "" {
		t.Errorf("TKRs supported by v2.3.0 (-want +got):\n%s", diff)
	}

	// The management cluster announces the version the metadata is looked up with.
	mc, ok := objs[systemNS+"/tkg-mgmt-vc"]
	if !ok || mc.GetAnnotations()["TKGVERSION"] != "v2.3.0" {
		t.Errorf("the catalogue needs the management Cluster tkg-mgmt-vc annotated TKGVERSION: v2.3.0")
	} else if _, ok := mc.GetLabels()["cluster-role.tkg.tanzu.vmware.com/management"]; !ok {
		t.Errorf("%s: the management Cluster lacks its role label", mc.Source)
	}

	// The BYO TKR is blessed by an additional-compatible-tkrs ConfigMap.
	var blessed []string
	for _, o := range Filter(all, configMapGK) {
		if _, ok := o.GetLabels()["run.tanzu.vmware.com/additional-compatible-tkrs"]; !ok {
			continue
		}
		if o.GetNamespace() != systemNS {
			t.Errorf("%s: additional-compatible-tkrs ConfigMap %s is outside %s, so tkr-source ignores it", o.Source, o.GetName(), systemNS)
		}
		var versions []string
		if err := yaml.UnmarshalStrict([]byte(str(t, o, "data", "tkrVersions")), &versions); err != nil {
			t.Errorf("%s: data.tkrVersions is not a YAML list of strings: %v", o.Source, err)
		}
		blessed = append(blessed, versions...)
	}
	if diff := cmp.Diff([]string{"v1.24.9+vmware.1-gpu-efi"}, blessed); diff != "" {
		t.Errorf("blessed TKR versions (-want +got):\n%s", diff)
	}

	// Every compatible version has a TKR; v1.21.14 has one but is deliberately not compatible.
	for _, v := range append(slices.Clone(defaultTKR), blessed...) {
		if _, ok := tkrs["/"+label(v)]; !ok {
			t.Errorf("compatible version %s has no TKR", v)
		}
	}
	if _, ok := tkrs["/v1.21.14---vmware.1-tkg.5"]; !ok {
		t.Error("the incompatible TKR v1.21.14---vmware.1-tkg.5 is missing")
	}
}

// bom is the part of the TKR BOM format (as tkr-source parses it) that the examples cross-check.
type bom struct {
	Release struct {
		Version string `json:"version"`
	} `json:"release"`
	Components map[string][]struct {
		Version string `json:"version"`
	} `json:"components"`
	ImageConfig struct {
		ImageRepository string `json:"imageRepository"`
	} `json:"imageConfig"`
	OVA []struct {
		Name   string `json:"name"`
		OSInfo struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Arch    string `json:"arch"`
		} `json:"osinfo"`
		Version string `json:"version"`
	} `json:"ova"`
}

func TestExamplesBOMs(t *testing.T) {
	objs := loadExamples(t)
	tkrs := index(Filter(objs, tkrGK))
	osImages := index(Filter(objs, osImageGK))

	files, err := filepath.Glob(filepath.Join(examplesDir, "boms", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var versions []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var b bom
		if err := yaml.Unmarshal(data, &b); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		v := b.Release.Version
		versions = append(versions, v)
		// The file is named after the image tag the BOM is published under.
		if want := strings.ReplaceAll(v, "+", "_") + ".yaml"; filepath.Base(f) != want {
			t.Errorf("%s: the BOM of %s must be called %s", f, v, want)
		}
		tkr, ok := tkrs["/"+label(v)]
		if !ok {
			t.Errorf("%s: no TKR for release %s", f, v)
			continue
		}
		if len(b.Components["kubernetes"]) == 0 || b.Components["kubernetes"][0].Version != str(t, tkr, "spec", "kubernetes", "version") {
			t.Errorf("%s: components.kubernetes[0].version does not match TKR %s", f, tkr.GetName())
		}
		if b.ImageConfig.ImageRepository != str(t, tkr, "spec", "kubernetes", "imageRepository") {
			t.Errorf("%s: imageConfig.imageRepository does not match TKR %s", f, tkr.GetName())
		}

		var fromBOM, fromOSImages []string
		for _, o := range b.OVA {
			// OVAs spell 20.04, OSImages 2004: the template resolver drops the dots.
			fromBOM = append(fromBOM, fmt.Sprintf("%s %s/%s/%s", o.Version, o.OSInfo.Name, strings.ReplaceAll(o.OSInfo.Version, ".", ""), o.OSInfo.Arch))
		}
		refs, _, _ := unstructured.NestedSlice(tkr.Object, "spec", "osImages")
		for _, r := range refs {
			img, ok := osImages["/"+r.(map[string]any)["name"].(string)]
			if !ok {
				continue // reported by TestExamplesTKRsAndOSImages
			}
			fromOSImages = append(fromOSImages, fmt.Sprintf("%s %s/%s/%s", str(t, img, "spec", "image", "ref", "version"),
				str(t, img, "spec", "os", "name"), str(t, img, "spec", "os", "version"), str(t, img, "spec", "os", "arch")))
		}
		slices.Sort(fromBOM)
		slices.Sort(fromOSImages)
		if diff := cmp.Diff(fromOSImages, fromBOM); diff != "" {
			t.Errorf("%s: OVAs differ from TKR %s's OSImages (-osimages +bom):\n%s", f, tkr.GetName(), diff)
		}
	}
	if diff := cmp.Diff(defaultTKR, versions); diff != "" {
		t.Errorf("BOMs (-want +got):\n%s", diff)
	}
}

func TestExamplesClusters(t *testing.T) {
	objs := loadExamples(t)
	classes := index(Filter(objs, ccGK))
	for _, c := range Filter(objs, clusterGK) {
		class := str(t, c, "spec", "topology", "class")
		if class == "" {
			continue // the management cluster has no topology
		}
		classNS, _, _ := unstructured.NestedString(c.Object, "spec", "topology", "classNamespace")
		if classNS == "" {
			classNS = c.GetNamespace()
		}
		cc, ok := classes[classNS+"/"+class]
		if !ok {
			t.Errorf("%s: Cluster %s uses ClusterClass %s, which is not in namespace %s", c.Source, c.GetName(), class, classNS)
			continue
		}
		if _, ok := cc.GetAnnotations()["run.tanzu.vmware.com/resolve-tkr"]; !ok {
			t.Errorf("%s: ClusterClass %s lacks the resolve-tkr annotation", cc.Source, class)
		}
		var mdClasses []string
		mds, _, _ := unstructured.NestedSlice(cc.Object, "spec", "workers", "machineDeployments")
		for _, md := range mds {
			mdClasses = append(mdClasses, md.(map[string]any)["class"].(string))
		}
		mds, _, _ = unstructured.NestedSlice(c.Object, "spec", "topology", "workers", "machineDeployments")
		for _, md := range mds {
			if name := md.(map[string]any)["class"].(string); !slices.Contains(mdClasses, name) {
				t.Errorf("%s: MachineDeployment class %s is not defined by ClusterClass %s", c.Source, name, class)
			}
		}
	}
}
