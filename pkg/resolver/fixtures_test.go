package resolver

import (
	"fmt"
	"math/rand"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/version"
)

// This file generates catalogues for tests and benchmarks, deterministically from a seed, in the
// manner of the original service's test data: TKRs named Label(version) with versions
// v1.<minor>.<patch>+vmware.1-tkg.<build>, each shipping OSImages of its Kubernetes version,
// some of them incompatible or invalid.

// flavour is the OS of an OSImage.
type flavour struct{ name, version, arch string }

// flavours are the OSes images are made for. The name and arch pair is unique, so a selector
// such as os-name=ubuntu,os-arch=amd64 picks one image of a TKR that ships them all.
var flavours = []flavour{
	{"ubuntu", "22.04", "amd64"},
	{"photon", "5", "amd64"},
	{"ubuntu", "22.04", "arm64"},
	{"amazon", "2", "amd64"},
	{"photon", "5", "arm64"},
	{"windows", "2019", "amd64"},
}

// catalogSpec says what to generate.
type catalogSpec struct {
	seed int64
	// tkrs is how many TKRs to generate. They fill the minors from v1.20 upwards,
	// perMinor each: patches 0, 1, ..., with builds tkg.1 .. tkg.<builds> each.
	tkrs, perMinor, builds int
	// ownImages > 0 gives each TKR that many OSImages of its own, one per flavour.
	// Otherwise each Kubernetes version gets poolImages OSImages of random flavours, and each
	// TKR ships a random non-empty subset of them, as the original's fixtures did.
	ownImages, poolImages int
	// badRate is the probability that a TKR's Compatible, and independently its Valid,
	// condition is False; OSImages get a quarter of it.
	badRate float64
}

// catalog is a generated catalogue. Objects are in generation order.
type catalog struct {
	tkrs     []*runv1alpha3.TanzuKubernetesRelease
	osImages []*runv1alpha3.OSImage
}

func (c *catalog) objects() []runtime.Object {
	var objs []runtime.Object
	for _, t := range c.tkrs {
		objs = append(objs, t)
	}
	for _, i := range c.osImages {
		objs = append(objs, i)
	}
	return objs
}

func (c *catalog) resolver() *Resolver {
	r := New()
	r.Add(c.objects()...)
	return r
}

// testCatalog is the small, irregular catalogue of the scenario tests: 30 TKRs over two minors,
// sharing pools of 4 OSImages per Kubernetes version, with bad conditions at the original's rate.
func testCatalog(seed int64) *catalog {
	return genCatalog(catalogSpec{seed: seed, tkrs: 30, perMinor: 15, builds: 3, poolImages: 4, badRate: 0.2})
}

// benchCatalog is the benchmark catalogue: n TKRs, 24 per minor (8 patches with 3 builds
// each), six OSImages each, and a few bad conditions. A minor prefix such as v1.24 selects 24
// TKRs whatever n is; the prefix v1 selects all of them.
func benchCatalog(n int) *catalog {
	return genCatalog(catalogSpec{seed: 1, tkrs: n, perMinor: 24, builds: 3, ownImages: 6, badRate: 0.05})
}

func genCatalog(s catalogSpec) *catalog {
	rng := rand.New(rand.NewSource(s.seed))
	c := &catalog{}
	pools := map[string][]*runv1alpha3.OSImage{}
	for i := 0; i < s.tkrs; i++ {
		minor, patch, build := 20+i/s.perMinor, (i%s.perMinor)/s.builds, 1+i%s.builds
		k8s := fmt.Sprintf("v1.%d.%d+vmware.1", minor, patch)
		tkr := genTKR(rng, fmt.Sprintf("%s-tkg.%d", k8s, build), k8s, s.badRate)
		var shipped []*runv1alpha3.OSImage
		if s.ownImages > 0 {
			for f := 0; f < s.ownImages; f++ {
				img := genOSImage(rng, k8s, flavours[f%len(flavours)], s.badRate/4)
				c.osImages = append(c.osImages, img)
				shipped = append(shipped, img)
			}
		} else {
			pool := pools[k8s]
			if pool == nil {
				for range s.poolImages {
					img := genOSImage(rng, k8s, flavours[rng.Intn(len(flavours))], s.badRate/4)
					pool = append(pool, img)
					c.osImages = append(c.osImages, img)
				}
				pools[k8s] = pool
			}
			for _, j := range rng.Perm(len(pool))[:1+rng.Intn(len(pool))] {
				shipped = append(shipped, pool[j])
			}
		}
		for _, img := range shipped {
			tkr.Spec.OSImages = append(tkr.Spec.OSImages, runv1alpha3.OSImageReference{Name: img.Name})
		}
		c.tkrs = append(c.tkrs, tkr)
	}
	return c
}

func genTKR(rng *rand.Rand, v, k8s string, badRate float64) *runv1alpha3.TanzuKubernetesRelease {
	tkr := &runv1alpha3.TanzuKubernetesRelease{
		TypeMeta:   metav1.TypeMeta{APIVersion: "run.tanzu.vmware.com/v1alpha3", Kind: "TanzuKubernetesRelease"},
		ObjectMeta: metav1.ObjectMeta{Name: version.Label(v), Labels: map[string]string{"team": []string{"a", "b", "c"}[rng.Intn(3)]}},
		Spec: runv1alpha3.TanzuKubernetesReleaseSpec{
			Version: v,
			Kubernetes: runv1alpha3.KubernetesSpec{
				Version:         k8s,
				ImageRepository: "registry.example.com/" + randString(rng, 8),
				Etcd:            &runv1alpha3.ContainerImageInfo{ImageTag: "v3.5.6_vmware.3"},
				CoreDNS:         &runv1alpha3.ContainerImageInfo{ImageTag: "v1.8.6_vmware.15"},
			},
		},
	}
	if rng.Float64() < 0.1 {
		tkr.Labels["deprecated"] = ""
	}
	tkr.Status.Conditions = genConditions(rng, badRate)
	return tkr
}

func genOSImage(rng *rand.Rand, k8s string, f flavour, badRate float64) *runv1alpha3.OSImage {
	regions := []string{"us", "ap", "eu", "sa"}
	sides := []string{"central", "north", "south", "west", "east"}
	img := &runv1alpha3.OSImage{
		TypeMeta: metav1.TypeMeta{APIVersion: "run.tanzu.vmware.com/v1alpha3", Kind: "OSImage"},
		ObjectMeta: metav1.ObjectMeta{
			Name: fmt.Sprintf("%s-ami-%s-%s-%s-%s", version.Label(k8s), f.name, f.version, f.arch, randString(rng, 5)),
		},
		Spec: runv1alpha3.OSImageSpec{
			KubernetesVersion: k8s,
			OS:                runv1alpha3.OSInfo{Type: "linux", Name: f.name, Version: f.version, Arch: f.arch},
			Image: runv1alpha3.MachineImageInfo{Type: "ami", Ref: map[string]interface{}{
				"id":     "ami-" + randString(rng, 10),
				"region": fmt.Sprintf("%s-%s-%d", regions[rng.Intn(len(regions))], sides[rng.Intn(len(sides))], rng.Intn(3)),
				"foo":    map[string]interface{}{"bar": rng.Intn(2) == 0},
			}},
		},
	}
	img.Status.Conditions = genConditions(rng, badRate)
	return img
}

func genConditions(rng *rand.Rand, badRate float64) runv1alpha3.Conditions {
	var conds runv1alpha3.Conditions
	for _, t := range []string{runv1alpha3.ConditionCompatible, runv1alpha3.ConditionValid} {
		c := runv1alpha3.Condition{Type: runv1alpha3.ConditionType(t), Status: corev1.ConditionTrue}
		if rng.Float64() < badRate {
			c.Status, c.Severity, c.Message = corev1.ConditionFalse, runv1alpha3.ConditionSeverityWarning, "generated as "+t+"=False"
		}
		conds = append(conds, c)
	}
	return conds
}

func randString(rng *rand.Rand, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.Intn(len(alphabet))]
	}
	return string(b)
}

// mustSelector parses s, failing the program on error: selectors in tests are constants.
func mustSelector(s string) labels.Selector {
	sel, err := labels.Parse(s)
	if err != nil {
		panic(err)
	}
	return sel
}

// clusterQuery returns a query with a control plane and the machine deployments md-0, md-1,
// ... all with the same prefix and TKR selector, and the given OSImage selectors (the first
// for the control plane).
func clusterQuery(prefix, tkrSel string, osSels ...string) Query {
	q := Query{}
	for i, s := range osSels {
		p := &OSImageQuery{K8sVersionPrefix: prefix, TKRSelector: mustSelector(tkrSel), OSImageSelector: mustSelector(s)}
		if i == 0 {
			q.ControlPlane = p
			continue
		}
		p.Name = fmt.Sprintf("md-%d", i-1)
		q.MachineDeployments = append(q.MachineDeployments, p)
	}
	return q
}
