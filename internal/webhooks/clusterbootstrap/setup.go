// Package clusterbootstrap holds the ClusterBootstrap defaulting and validating webhooks and the
// ClusterBootstrapTemplate validating webhook.
package clusterbootstrap

import ctrl "sigs.k8s.io/controller-runtime"

// Names are the webhook configuration entries this package serves (config/webhook).
var Names = []string{}

// Setup registers the webhooks with mgr; systemNamespace holds the templates and Packages.
func Setup(mgr ctrl.Manager, systemNamespace string) error { return nil }
