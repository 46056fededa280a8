/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

// Package tkrdata reads and writes the TKR_DATA cluster variable, the contract between TKR
// resolution and ClusterClasses: a JSON object keyed by Kubernetes version whose entries hold
// the resolved TKR's core images (kubernetesSpec), the resolved OSImage's provider reference
// (osImageRef) and the labels of the pair. ClusterClass patches read it as
// (index .TKR_DATA .builtin.controlPlane.version) and
// (index .TKR_DATA .builtin.machineDeployment.version).
//
// The package is pure: it only transforms objects it is given, so the mutating webhook, the
// CLI's offline `tkr resolve` and the controllers share it.
//
// # Cluster API versions
//
// Users and the seed write Cluster API v1beta1 Clusters, while Cluster API stores and serves
// v1beta2. [ForCluster] and [ForClusterClass] wrap either version in a version-neutral view
// ([Cluster], [ClusterClass]) that exposes exactly what resolution reads and writes, so that
// every caller gets the same result whatever version it decoded. Views write through to the
// wrapped object.
//
// # Machine deployment overrides
//
// A machine deployment whose resolved OSImage differs from the control plane's carries its own
// TKR_DATA as a variable override. [SetForMD] writes an override only when the value differs
// from the cluster-level one, and removes it otherwise, so machine deployments on the control
// plane's OSImage carry none. Unlike the original, which compared raw bytes, values are
// compared after decoding, so a cluster-level value that differs only in formatting or key
// order does not cause a needless override.
package tkrdata
