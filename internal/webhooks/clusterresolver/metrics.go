package clusterresolver

import (
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Outcomes of one admission, the values of the "outcome" label.
const (
	outcomeResolved  = "resolved"  // the cluster got (new) TKR_DATA
	outcomeUnchanged = "unchanged" // already resolved, or no resolve-tkr annotation
	outcomeSkipped   = "skipped"   // paused, deleting, or not ClusterClass-based
	outcomeDenied    = "denied"    // no TKR/OSImage, ambiguous, bad selector, unknown ClusterClass
	outcomeErrored   = "errored"   // could not decode or reach the API
)

var (
	admissions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tkr_resolver_admissions_total",
		Help: "Cluster admissions handled by the TKR resolver webhook, by outcome.",
	}, []string{"outcome"})
	admissionSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "tkr_resolver_admission_duration_seconds",
		Help:    "Time the TKR resolver webhook spent on one Cluster admission, by outcome.",
		Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25},
	}, []string{"outcome"})
)

func init() {
	metrics.Registry.MustRegister(admissions, admissionSeconds)
}
