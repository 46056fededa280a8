package vspheretemplate

import (
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/tkr-project/tkr/internal/vcenter"
)

// Outcomes of one admission, the values of the "outcome" label.
const (
	outcomeResolved = "resolved" // templates written into TKR_DATA
	outcomeSkipped  = "skipped"  // not resolved yet, already resolved, or not a vSphere cluster
	outcomeDenied   = "denied"   // no template, bad TKR_DATA, variables or credentials, vCenter unreachable
	outcomeErrored  = "errored"  // could not decode or read the API
)

var (
	admissions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tkr_vsphere_template_admissions_total",
		Help: "Cluster admissions handled by the vSphere template webhook, by outcome.",
	}, []string{"outcome"})
	admissionSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "tkr_vsphere_template_admission_duration_seconds",
		Help:    "Time the vSphere template webhook spent on one Cluster admission, by outcome.",
		Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 20},
	}, []string{"outcome"})
)

func init() {
	metrics.Registry.MustRegister(admissions, admissionSeconds)
}

// registerPool exposes how many requests the pool has sent to vCenter, so an operator can see
// that steady-state admissions send none.
func registerPool(pool *vcenter.Pool) error {
	return metrics.Registry.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "tkr_vsphere_vcenter_requests_total",
		Help: "SOAP requests the vSphere template webhook sent to vCenter (logins, listings, property collector long polls).",
	}, func() float64 { return float64(pool.RoundTrips()) }))
}
