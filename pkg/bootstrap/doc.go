// Package bootstrap holds the rules of ClusterBootstrap that do not need an API server: the names
// of the objects cloned for a cluster, how a ClusterBootstrap is filled from a
// ClusterBootstrapTemplate ("add missing fields"), how wildcard package names are completed from a
// TKR, what an upgrade to another TKR changes, and what the webhooks accept. The controller, the
// webhooks and the CLI call these functions; none of them re-implements a rule.
package bootstrap
