package resolver

import (
	"fmt"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

var benchSizes = []int{200, 1000, 5000}

// benchQuery is what the webhook asks for a typical cluster: a control plane and three machine
// deployments, one of them on arm64 and one on another OS.
func benchQuery(prefix string) Query {
	return clusterQuery(prefix, "",
		"os-name=ubuntu,os-arch=amd64", // control plane
		"os-name=ubuntu,os-arch=amd64",
		"os-name=ubuntu,os-arch=arm64",
		"os-name=photon,os-arch=amd64")
}

// checkBenchResult makes sure a benchmark measures a successful resolution.
func checkBenchResult(b *testing.B, res Result) {
	b.Helper()
	for i, p := range append([]*OSImageResult{res.ControlPlane}, res.MachineDeployments...) {
		if p.OSImage() == nil {
			b.Fatalf("part %d did not resolve to one OSImage: %v", i, p)
		}
	}
}

// forEachSize runs f as a sub-benchmark per catalogue size, with a full resolver.
func forEachSize(b *testing.B, f func(b *testing.B, r *Resolver)) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("tkrs=%d", n), func(b *testing.B) {
			r := benchCatalog(n).resolver()
			b.ReportAllocs()
			b.ResetTimer()
			f(b, r)
		})
	}
}

// BenchmarkResolve resolves a minor-version prefix, v1.24, which selects 24 TKRs at every
// size, and the prefix v1, which every TKR carries: that cost grows with the catalogue, since
// the Result holds every TKR that satisfies the query.
func BenchmarkResolve(b *testing.B) {
	for _, prefix := range []string{"v1.24", "v1"} {
		q := benchQuery(prefix)
		b.Run("prefix="+prefix, func(b *testing.B) {
			forEachSize(b, func(b *testing.B, r *Resolver) {
				checkBenchResult(b, r.Resolve(q))
				for b.Loop() {
					r.Resolve(q)
				}
			})
		})
	}
}

// BenchmarkResolveParallel resolves from all CPUs at once, as concurrent webhook requests do.
func BenchmarkResolveParallel(b *testing.B) {
	q := benchQuery("v1.24")
	forEachSize(b, func(b *testing.B, r *Resolver) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				r.Resolve(q)
			}
		})
	})
}

// BenchmarkExplain explains the same query as BenchmarkResolve.
func BenchmarkExplain(b *testing.B) {
	q := benchQuery("v1.24")
	forEachSize(b, func(b *testing.B, r *Resolver) {
		for b.Loop() {
			r.Explain(q, 0)
		}
	})
}

// releaseObjects returns one TKR of c and its OSImages, in full and as name-only objects such
// as the cache refresh removes.
func releaseObjects(c *catalog) (full, names []runtime.Object) {
	tkr := c.tkrs[len(c.tkrs)/2]
	full = []runtime.Object{tkr}
	names = []runtime.Object{&runv1alpha3.TanzuKubernetesRelease{ObjectMeta: metav1.ObjectMeta{Name: tkr.Name}}}
	for _, img := range c.osImages {
		if slices.Contains(tkr.Spec.OSImages, runv1alpha3.OSImageReference{Name: img.Name}) {
			full = append(full, img)
			names = append(names, &runv1alpha3.OSImage{ObjectMeta: metav1.ObjectMeta{Name: img.Name}})
		}
	}
	return full, names
}

// BenchmarkChange changes one release (a TKR and its six OSImages) in a full catalogue, as the
// informers do: op=update adds it again, replacing the stored copies, as when its status
// changes; op=remove-add removes it by name and adds it back, as when it is deleted and
// published again.
func BenchmarkChange(b *testing.B) {
	ops := []struct {
		name string
		do   func(r *Resolver, full, names []runtime.Object)
	}{
		{"update", func(r *Resolver, full, _ []runtime.Object) { r.Add(full...) }},
		{"remove-add", func(r *Resolver, full, names []runtime.Object) { r.Remove(names...); r.Add(full...) }},
	}
	for _, op := range ops {
		b.Run("op="+op.name, func(b *testing.B) {
			for _, n := range benchSizes {
				b.Run(fmt.Sprintf("tkrs=%d", n), func(b *testing.B) {
					c := benchCatalog(n)
					r := c.resolver()
					full, names := releaseObjects(c)
					b.ReportAllocs()
					for b.Loop() {
						op.do(r, full, names)
					}
				})
			}
		})
	}
}
