/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

// Package v1alpha3 holds the v1alpha3 API of the run.tanzu.vmware.com group:
// TanzuKubernetesRelease, OSImage, ClusterBootstrapTemplate, ClusterBootstrap
// and KappControllerConfig. It is the storage version of every kind in the
// group and the hub the older TanzuKubernetesRelease versions convert through.
//
// +kubebuilder:object:generate=true
// +groupName=run.tanzu.vmware.com
package v1alpha3

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of the types in this package.
	GroupVersion = schema.GroupVersion{Group: "run.tanzu.vmware.com", Version: "v1alpha3"}

	// SchemeBuilder collects the functions that add this package's types to a scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds this package's types to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme

	// objectTypes is filled by the init functions of the *_types.go files,
	// so each kind is registered next to its definition.
	objectTypes []runtime.Object
)

// addKnownTypes registers the kinds with plain apimachinery rather than the
// controller-runtime builder so that API consumers do not have to link
// controller-runtime.
func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, objectTypes...)
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
