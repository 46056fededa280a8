/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

// Package v1alpha2 holds the v1alpha2 API of the cni.tanzu.vmware.com group.
// It is the storage version of AntreaConfig and the hub every other
// AntreaConfig version converts through.
//
// +kubebuilder:object:generate=true
// +groupName=cni.tanzu.vmware.com
package v1alpha2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of the types in this package.
	GroupVersion = schema.GroupVersion{Group: "cni.tanzu.vmware.com", Version: "v1alpha2"}

	// SchemeBuilder collects the functions that add this package's types to a scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds this package's types to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// addKnownTypes registers the kinds with plain apimachinery rather than the
// controller-runtime builder so that API consumers (the CLI, pure packages)
// do not have to link controller-runtime.
func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &AntreaConfig{}, &AntreaConfigList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
