/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

// Package v1alpha1 holds the v1alpha1 API of the cpi.tanzu.vmware.com group:
// the vSphere cloud provider configuration of a workload cluster.
//
// +kubebuilder:object:generate=true
// +groupName=cpi.tanzu.vmware.com
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of the types in this package.
	GroupVersion = schema.GroupVersion{Group: "cpi.tanzu.vmware.com", Version: "v1alpha1"}

	// SchemeBuilder collects the functions that add this package's types to a scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds this package's types to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// addKnownTypes registers the kinds with plain apimachinery, as the cni
// packages do, to keep controller-runtime out of API consumers.
func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &VSphereCPIConfig{}, &VSphereCPIConfigList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
