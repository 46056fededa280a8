package source

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/registry"
)

var (
	syncs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tkr_source_syncs_total",
		Help: "Syncs of the TKR source controller, by result (success, failure: a registry or API server error that is retried with backoff, or content: a broken image that waits for a fix).",
	}, []string{"result"})
	syncSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "tkr_source_sync_duration_seconds",
		Help:    "Duration of one sync of the TKR source controller.",
		Buckets: prometheus.ExponentialBuckets(0.01, 4, 8),
	})
	registryCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tkr_source_registry_calls_total",
		Help: "Registry calls of the TKR source controller, by operation (tags, digest, download) and result (ok, error).",
	}, []string{"operation", "result"})
	downloadedBytes = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tkr_source_downloaded_bytes_total",
		Help: "Bytes of files the TKR source controller downloaded from image layers.",
	})
	releaseGauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "tkr_source_releases",
		Help: "Compatible releases by phase (Applied, Failed, NotPublished) after the last sync.",
	}, []string{"phase"})
)

func init() {
	metrics.Registry.MustRegister(syncs, syncSeconds, registryCalls, downloadedBytes, releaseGauge)
}

func observeSync(rep *report, d time.Duration) {
	syncSeconds.Observe(d.Seconds())
	switch {
	case rep.transient():
		syncs.WithLabelValues("failure").Inc()
	case rep.firstError() != "":
		syncs.WithLabelValues("content").Inc()
	default:
		syncs.WithLabelValues("success").Inc()
	}
	counts := map[string]int{runv1alpha3.ReleasePhaseApplied: 0, runv1alpha3.ReleasePhaseFailed: 0, runv1alpha3.ReleasePhaseNotPublished: 0}
	for _, rel := range rep.releases {
		counts[rel.Phase]++
	}
	for phase, n := range counts {
		releaseGauge.WithLabelValues(phase).Set(float64(n))
	}
}

func result(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}

// The registry calls of a sync go through these, so every one is counted.

func (r *Reconciler) tags(ctx context.Context, reg *registry.Client, repo string) ([]string, error) {
	tags, err := reg.Tags(ctx, repo)
	registryCalls.WithLabelValues("tags", result(err)).Inc()
	return tags, err
}

func (r *Reconciler) digest(ctx context.Context, reg *registry.Client, ref string) (string, error) {
	d, err := reg.Digest(ctx, ref)
	registryCalls.WithLabelValues("digest", result(err)).Inc()
	return d, err
}

func (r *Reconciler) oneFile(ctx context.Context, reg *registry.Client, ref string) (*registry.Image, string, []byte, error) {
	img, name, data, err := reg.OneFile(ctx, ref)
	registryCalls.WithLabelValues("download", result(err)).Inc()
	downloadedBytes.Add(float64(len(data)))
	return img, name, data, err
}

func (r *Reconciler) files(ctx context.Context, reg *registry.Client, ref string) (*registry.Image, error) {
	img, err := reg.Files(ctx, ref)
	registryCalls.WithLabelValues("download", result(err)).Inc()
	if img != nil {
		for _, f := range img.Files {
			downloadedBytes.Add(float64(len(f)))
		}
	}
	return img, err
}
