/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha3

// Annotations that steer how a ClusterBootstrap is created and kept up to date.
const (
	// AnnotationTKRSpec on a Cluster holds its TKR spec as base64-encoded gzip
	// of YAML, for use when the TKR object itself is missing.
	AnnotationTKRSpec = "run.tanzu.vmware.com/tkr-spec"
	// AnnotationCustomClusterBootstrap on a Cluster (presence only) opts out of
	// cloning the ClusterBootstrap from the TKR's template.
	AnnotationCustomClusterBootstrap = "tkg.tanzu.vmware.com/custom-clusterbootstrap"
	// AnnotationAddMissingFieldsFromTKR on a ClusterBootstrap names the TKR
	// whose ClusterBootstrapTemplate fills the fields the ClusterBootstrap leaves out.
	AnnotationAddMissingFieldsFromTKR = "tkg.tanzu.vmware.com/add-missing-fields-from-tkr"
	// AnnotationUnmanagedCNI on a ClusterBootstrap (presence only) says the CNI
	// is installed by someone else.
	AnnotationUnmanagedCNI = "tkg.tanzu.vmware.com/unmanaged-cni"
	// AnnotationSkipPackageInstallDeletion on a ClusterBootstrap holds
	// comma-separated PackageInstall name prefixes to keep when the cluster is deleted.
	AnnotationSkipPackageInstallDeletion = "run.tanzu.vmware.com/skip-packageinstall-deletion"
	// AnnotationClusterPaused on a Cluster names the TKR the cluster is being
	// upgraded to while the cluster is paused for that upgrade.
	AnnotationClusterPaused = "tkg.tanzu.vmware.com/paused"
	// AnnotationTemplateConfig marks, with "true", an add-on config object in
	// the system namespace that serves as a template for clusters.
	AnnotationTemplateConfig = "tkg.tanzu.vmware.com/template-config"
	// AnnotationClusterName on a PackageInstall names its cluster.
	AnnotationClusterName = "tkg.tanzu.vmware.com/cluster-name"
	// AnnotationClusterNamespace on a PackageInstall holds its cluster's namespace.
	AnnotationClusterNamespace = "tkg.tanzu.vmware.com/cluster-namespace"
)

// Labels put on the Secrets and providers cloned for a cluster.
const (
	// LabelPackageName holds the label-safe refName of the package.
	LabelPackageName = "tkg.tanzu.vmware.com/package-name"
	// LabelClusterName holds the name of the cluster.
	LabelClusterName = "tkg.tanzu.vmware.com/cluster-name"
)

const (
	// ClusterBootstrapFinalizer is the finalizer the add-on controllers put on
	// clusters and the objects they create for them.
	ClusterBootstrapFinalizer = "tkg.tanzu.vmware.com/addon"
	// SecretTypeClusterBootstrap is the type of the Secrets managed through a ClusterBootstrap.
	SecretTypeClusterBootstrap = "clusterbootstrap-secret"
)
