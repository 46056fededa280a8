/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package legacytkr

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/tkr-project/tkr/api/run/v1alpha3"
)

// Spec is the spec of a v1alpha1 or v1alpha2 TanzuKubernetesRelease.
type Spec struct {
	// Version is the TKR version, e.g. v1.22.9+vmware.1-tkg.1.
	// +required
	Version string `json:"version"`

	// KubernetesVersion is the Kubernetes version, e.g. v1.22.9+vmware.1.
	// +optional
	KubernetesVersion string `json:"kubernetesVersion,omitempty"`

	// Repository is the registry path of the core Kubernetes images.
	// +optional
	Repository string `json:"repository,omitempty"`

	// Images are the core images, such as etcd, pause, coredns and kube-vip.
	// +optional
	Images []ContainerImage `json:"images,omitempty"`

	// NodeImageRef points at the machine image of the nodes.
	// +optional
	NodeImageRef *corev1.ObjectReference `json:"nodeImageRef,omitempty"`
}

// ContainerImage locates one container image.
type ContainerImage struct {
	// Repository is the registry path of the image.
	// +optional
	Repository string `json:"repository,omitempty"`

	// Name is the name of the image, e.g. etcd.
	// +required
	Name string `json:"name"`

	// Tag is the tag of the image.
	// +optional
	Tag string `json:"tag,omitempty"`
}

// String returns the image reference, [repository/]name[:tag].
func (i ContainerImage) String() string {
	s := i.Name
	if i.Repository != "" {
		s = i.Repository + "/" + s
	}
	if i.Tag != "" {
		s += ":" + i.Tag
	}
	return s
}

// Status is the status of a v1alpha1 or v1alpha2 TanzuKubernetesRelease.
type Status struct {
	// Conditions are the observations about the TKR.
	// +optional
	Conditions v1alpha3.Conditions `json:"conditions,omitempty"`
}
