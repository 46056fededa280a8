/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

// Package v1alpha1 holds the v1alpha1 API of the cni.tanzu.vmware.com group:
// CalicoConfig, stored in this version, and AntreaConfig, which is still
// served but stored as v1alpha2 and converted on the way in and out.
//
// +kubebuilder:object:generate=true
// +groupName=cni.tanzu.vmware.com
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of the types in this package.
	GroupVersion = schema.GroupVersion{Group: "cni.tanzu.vmware.com", Version: "v1alpha1"}

	// SchemeBuilder collects the functions that add this package's types to a scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds this package's types to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// addKnownTypes registers the kinds with plain apimachinery rather than the
// controller-runtime builder so that API consumers (the CLI, pure packages)
// do not have to link controller-runtime.
func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &AntreaConfig{}, &AntreaConfigList{},
		&CalicoConfig{}, &CalicoConfigList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
