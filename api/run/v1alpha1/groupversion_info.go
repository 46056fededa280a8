/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

// Package v1alpha1 holds the v1alpha1 TanzuKubernetesRelease API of the
// run.tanzu.vmware.com group. It is served for old clients only: objects are
// stored as v1alpha3 and converted on the way in and out.
//
// +kubebuilder:object:generate=true
// +groupName=run.tanzu.vmware.com
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of the types in this package.
	GroupVersion = schema.GroupVersion{Group: "run.tanzu.vmware.com", Version: "v1alpha1"}

	// SchemeBuilder collects the functions that add this package's types to a scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds this package's types to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &TanzuKubernetesRelease{}, &TanzuKubernetesReleaseList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
