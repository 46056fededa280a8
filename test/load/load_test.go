package load

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/client-go/rest"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	dto "github.com/prometheus/client_model/go"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/webhooks/clusterresolver"
)

const (
	concurrentCreates = 50
	loadRounds        = 4
)

// BenchmarkConcurrentClusterCreates measures what the resolver webhook adds to Cluster creation
// through the real API server: rounds of 50 concurrent creates with the webhook registered, then
// the same with its MutatingWebhookConfiguration removed. It reports the latency percentiles of
// both and their difference (the added latency), plus the webhook's own handling time. `make
// test` runs it once so the figures appear in CI; `make bench` repeats it.
//
// On a two-core machine the client, kube-apiserver, etcd and the webhook share the CPU, so the
// concurrent figures are dominated by queueing: the one-at-a-time figures (seq-*) and the
// handler's own time say what a single request pays.
func BenchmarkConcurrentClusterCreates(b *testing.B) {
	setupB(b)
	cfg := rest.CopyConfig(env.Config)
	cfg.QPS = -1 // no client-side throttling: measure the server, not the client's token bucket
	c, err := client.New(cfg, client.Options{Scheme: env.Scheme})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		// An untimed round first: the API server initialises its handling of a CRD on the first
		// write (about 2 s for Cluster API's Cluster CRD on two cores, webhook or not), and opens
		// its connections to the webhook.
		createRounds(b, c, fmt.Sprintf("warm-with-%d", i), true, 1, concurrentCreates)
		handlerBefore := handlerHistogram(b)
		with := createRounds(b, c, fmt.Sprintf("with-%d", i), true, loadRounds, concurrentCreates)
		handlerP50, handlerP99 := handlerHistogram(b).since(handlerBefore)
		seqWith := createRounds(b, c, fmt.Sprintf("seq-with-%d", i), true, concurrentCreates, 1)
		// The floor: the webhook is called but has nothing to do (no resolve-tkr anywhere), so it
		// answers at once without a patch. What remains is the API server's cost of calling any
		// admission webhook at this concurrency.
		noop := createRounds(b, c, fmt.Sprintf("noop-%d", i), false, loadRounds, concurrentCreates)
		hook := removeWebhook(b, c)
		createRounds(b, c, fmt.Sprintf("warm-without-%d", i), false, 1, concurrentCreates)
		without := createRounds(b, c, fmt.Sprintf("without-%d", i), false, loadRounds, concurrentCreates)
		seqWithout := createRounds(b, c, fmt.Sprintf("seq-without-%d", i), false, concurrentCreates, 1)
		restoreWebhook(b, c, hook)
		// One create at a time: what the webhook adds to a request when nothing else competes
		// for the two cores.
		s50w, s99w := percentiles(seqWith)
		s50o, s99o := percentiles(seqWithout)
		b.ReportMetric(ms(s50w-s50o), "seq-p50-added-ms")
		b.ReportMetric(ms(s99w-s99o), "seq-p99-added-ms")
		b.ReportMetric(handlerP50*1000, "handler-p50-ms")
		b.ReportMetric(handlerP99*1000, "handler-p99-ms")
		p50w, p99w := percentiles(with)
		p50o, p99o := percentiles(without)
		p50n, p99n := percentiles(noop)
		b.ReportMetric(ms(p50n-p50o), "noop-p50-added-ms")
		b.ReportMetric(ms(p99n-p99o), "noop-p99-added-ms")
		b.ReportMetric(ms(p50w), "p50-with-ms")
		b.ReportMetric(ms(p99w), "p99-with-ms")
		b.ReportMetric(ms(p50o), "p50-without-ms")
		b.ReportMetric(ms(p99o), "p99-without-ms")
		b.ReportMetric(ms(p50w-p50o), "p50-added-ms")
		b.ReportMetric(ms(p99w-p99o), "p99-added-ms")
		if err := c.DeleteAllOf(ctx, &clusterv1beta1.Cluster{}, client.InNamespace("default"), client.HasLabels{"load-test"}); err != nil {
			b.Fatal(err)
		}
	}
}

// createRounds creates rounds × concurrency Clusters, concurrency at a time, and returns every
// create's latency. With the webhook the Clusters must come back resolved.
func createRounds(b *testing.B, c client.Client, phase string, wantResolved bool, rounds, concurrency int) []time.Duration {
	b.Helper()
	var latencies []time.Duration
	for r := 0; r < rounds; r++ {
		var mu sync.Mutex
		var wg sync.WaitGroup
		errs := make(chan error, concurrency)
		for i := 0; i < concurrency; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cl := loadCluster(fmt.Sprintf("load-%s-%d-%d", phase, r, i))
				if strings.HasPrefix(phase, "noop") {
					cl.Annotations = nil
					cl.Spec.Topology.Class = "no-resolve"
					cl.Spec.Topology.Workers = nil
				}
				start := time.Now()
				err := c.Create(context.Background(), cl)
				d := time.Since(start)
				if err == nil && wantResolved != (cl.Labels[runv1alpha3.LabelTKR] != "") {
					err = fmt.Errorf("Cluster %s: resolved = %t, want %t", cl.Name, !wantResolved, wantResolved)
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				latencies = append(latencies, d)
				mu.Unlock()
			}()
		}
		wg.Wait()
		if testing.Verbose() && concurrency > 1 {
			p50, p99 := percentiles(latencies[len(latencies)-concurrency:])
			b.Logf("%s round %d: p50 %s p99 %s", phase, r, p50, p99)
		}
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
	return latencies
}

// removeWebhook deletes the configuration holding the resolver webhook and waits until the API
// server stops calling it.
func removeWebhook(b *testing.B, c client.Client) *admissionv1.MutatingWebhookConfiguration {
	b.Helper()
	list := &admissionv1.MutatingWebhookConfigurationList{}
	if err := c.List(context.Background(), list); err != nil {
		b.Fatal(err)
	}
	i := slices.IndexFunc(list.Items, func(m admissionv1.MutatingWebhookConfiguration) bool {
		return slices.ContainsFunc(m.Webhooks, func(w admissionv1.MutatingWebhook) bool { return w.Name == clusterresolver.Name })
	})
	if i < 0 {
		b.Fatal("no MutatingWebhookConfiguration holds the resolver webhook")
	}
	hook := list.Items[i].DeepCopy()
	if err := c.Delete(context.Background(), hook); err != nil {
		b.Fatal(err)
	}
	waitForWebhook(b, c, false)
	return hook
}

func restoreWebhook(b *testing.B, c client.Client, hook *admissionv1.MutatingWebhookConfiguration) {
	b.Helper()
	hook.ResourceVersion, hook.UID = "", ""
	if err := c.Create(context.Background(), hook); err != nil {
		b.Fatal(err)
	}
	waitForWebhook(b, c, true)
}

// waitForWebhook probes with dry-run creates until the API server does (or no longer does) call
// the webhook: configuration changes reach the API server's admission chain asynchronously.
func waitForWebhook(b *testing.B, c client.Client, active bool) {
	b.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		probe := loadCluster(fmt.Sprintf("probe-%d", time.Now().UnixNano()))
		if err := c.Create(context.Background(), probe, client.DryRunAll); err != nil {
			b.Fatal(err)
		}
		if (probe.Labels[runv1alpha3.LabelTKR] != "") == active {
			return
		}
	}
	b.Fatalf("the API server did not %s calling the webhook within 30s", map[bool]string{true: "start", false: "stop"}[active])
}

func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	return at(0.50), at(0.99)
}

// histogram is a snapshot of the webhook's admission-duration histogram (outcome resolved).
type histogram struct {
	bounds []float64
	counts []uint64 // cumulative, per bound
}

func handlerHistogram(b *testing.B) histogram {
	b.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "tkr_resolver_admission_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			if !slices.ContainsFunc(m.GetLabel(), func(l *dto.LabelPair) bool { return l.GetValue() == "resolved" }) {
				continue
			}
			var h histogram
			for _, bk := range m.GetHistogram().GetBucket() {
				h.bounds = append(h.bounds, bk.GetUpperBound())
				h.counts = append(h.counts, bk.GetCumulativeCount())
			}
			return h
		}
	}
	return histogram{}
}

// since returns the bucket upper bounds holding the 50th and 99th percentile of the handler
// times observed between before and h: an upper estimate, at the histogram's resolution.
func (h histogram) since(before histogram) (p50, p99 float64) {
	if len(h.counts) == 0 {
		return 0, 0
	}
	delta := make([]uint64, len(h.counts))
	for i := range h.counts {
		delta[i] = h.counts[i]
		if i < len(before.counts) {
			delta[i] -= before.counts[i]
		}
	}
	total := delta[len(delta)-1]
	at := func(p float64) float64 {
		for i, c := range delta {
			if float64(c) >= p*float64(total) {
				return h.bounds[i]
			}
		}
		return h.bounds[len(h.bounds)-1]
	}
	return at(0.50), at(0.99)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
