/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package legacytkr

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tkr-project/tkr/api/run/v1alpha3"
)

// Parts points at the fields of a v1alpha1 or v1alpha2 TKR. Both versions
// hand their own fields to ToHub and FromHub this way, which keeps a single
// conversion for two distinct Go types.
type Parts struct {
	Meta   *metav1.ObjectMeta
	Spec   *Spec
	Status *Status
}

// savedSpoke is what a hub keeps about the legacy TKR it was converted from.
type savedSpoke struct {
	Spec   Spec   `json:"spec"`
	Status Status `json:"status,omitzero"`
}

// The core images a hub names, in the order a legacy TKR lists them.
var componentNames = []string{"etcd", "coredns", "pause", "kube-vip"}

// ToHub converts a legacy TKR to the v1alpha3 hub.
//
// What the hub cannot hold (images other than the core ones, duplicates,
// nodeImageRef fields other than name) is kept in the hub's
// AnnotationConversionData annotation; hub fields the legacy TKR cannot hold
// are restored from the same annotation on the legacy TKR, if it has one.
func ToHub(src Parts, dst *v1alpha3.TanzuKubernetesRelease) error {
	src.Meta.DeepCopyInto(&dst.ObjectMeta)
	var saved v1alpha3.TanzuKubernetesRelease
	restored, err := UnmarshalData(&dst.ObjectMeta, &saved)
	if err != nil {
		return err
	}

	dst.Spec = v1alpha3.TanzuKubernetesReleaseSpec{
		Version:    withV(src.Spec.Version),
		Kubernetes: kubernetesSpec(src.Spec),
	}
	if ref := src.Spec.NodeImageRef; ref != nil {
		dst.Spec.OSImages = []v1alpha3.OSImageReference{{Name: ref.Name}}
	}
	if restored {
		restoreHubSpec(&saved.Spec, src.Spec, &dst.Spec)
	}
	dst.Status = v1alpha3.TanzuKubernetesReleaseStatus{Conditions: src.Status.Conditions.DeepCopy()}

	return MarshalData(&savedSpoke{Spec: *src.Spec, Status: *src.Status}, &dst.ObjectMeta)
}

// FromHub converts the v1alpha3 hub to a legacy TKR, the reverse of ToHub.
func FromHub(src *v1alpha3.TanzuKubernetesRelease, dst Parts) error {
	src.ObjectMeta.DeepCopyInto(dst.Meta)
	var saved savedSpoke
	restored, err := UnmarshalData(dst.Meta, &saved)
	if err != nil {
		return err
	}

	*dst.Spec = Spec{
		Version:           src.Spec.Version,
		KubernetesVersion: src.Spec.Kubernetes.Version,
		Repository:        src.Spec.Kubernetes.ImageRepository,
		Images:            images(&src.Spec.Kubernetes),
		NodeImageRef:      nodeImageRef(src.Spec.OSImages),
	}
	if restored {
		restoreSpokeSpec(&saved.Spec, &src.Spec, dst.Spec)
	}
	*dst.Status = Status{Conditions: src.Status.Conditions.DeepCopy()}

	return MarshalData(src, dst.Meta)
}

// The restore functions below put back a saved value only where the object
// being converted still shows what that value converts to. The reference
// restored unconditionally, which silently undid any edit made through the
// other version since the annotation was written (e.g. a new nodeImageRef
// would be replaced by the old osImages). Unchanged objects still round-trip
// without loss.

// restoreHubSpec fills dst, converted from src, with the saved hub fields
// that src cannot represent.
func restoreHubSpec(saved *v1alpha3.TanzuKubernetesReleaseSpec, src *Spec, dst *v1alpha3.TanzuKubernetesReleaseSpec) {
	// A legacy TKR shows the hub versions verbatim; when they are unchanged,
	// the saved spelling, which may lack the "v", is the original.
	if src.Version == saved.Version {
		dst.Version = saved.Version
	}
	if src.KubernetesVersion == saved.Kubernetes.Version {
		dst.Kubernetes.Version = saved.Kubernetes.Version
	}
	if sameName(src.NodeImageRef, nodeImageRef(saved.OSImages)) {
		dst.OSImages = saved.OSImages
	}
	dst.BootstrapPackages = saved.BootstrapPackages
}

// restoreSpokeSpec fills dst, converted from src, with the saved legacy
// fields that src cannot represent.
func restoreSpokeSpec(saved *Spec, src *v1alpha3.TanzuKubernetesReleaseSpec, dst *Spec) {
	if withV(saved.Version) == src.Version {
		dst.Version = saved.Version
	}
	if withV(saved.KubernetesVersion) == src.Kubernetes.Version {
		dst.KubernetesVersion = saved.KubernetesVersion
	}
	if sameName(saved.NodeImageRef, dst.NodeImageRef) {
		dst.NodeImageRef = saved.NodeImageRef
	}
	if saved.Images == nil {
		return
	}
	if k := kubernetesSpec(saved); sameComponents(&k, &src.Kubernetes) {
		dst.Images = saved.Images
	}
}

// kubernetesSpec maps the legacy version, repository and core images to a
// hub KubernetesSpec. Other images are dropped; of several images with the
// same core name the last wins.
func kubernetesSpec(spec *Spec) v1alpha3.KubernetesSpec {
	k := v1alpha3.KubernetesSpec{
		Version:         withV(spec.KubernetesVersion),
		ImageRepository: spec.Repository,
	}
	for _, image := range spec.Images {
		if c := component(&k, image.Name); c != nil {
			*c = &v1alpha3.ContainerImageInfo{ImageRepository: image.Repository, ImageTag: image.Tag}
		}
	}
	return k
}

// images lists the core images of k that are set, in componentNames order.
func images(k *v1alpha3.KubernetesSpec) []ContainerImage {
	var out []ContainerImage
	for _, name := range componentNames {
		if c := *component(k, name); c != nil {
			out = append(out, ContainerImage{Repository: c.ImageRepository, Name: name, Tag: c.ImageTag})
		}
	}
	return out
}

// component returns the field of k that holds the core image called name, or
// nil if name is not a core image.
func component(k *v1alpha3.KubernetesSpec, name string) **v1alpha3.ContainerImageInfo {
	switch name {
	case "etcd":
		return &k.Etcd
	case "coredns":
		return &k.CoreDNS
	case "pause":
		return &k.Pause
	case "kube-vip":
		return &k.KubeVIP
	}
	return nil
}

// sameComponents reports whether a and b have the same core images.
func sameComponents(a, b *v1alpha3.KubernetesSpec) bool {
	for _, name := range componentNames {
		x, y := *component(a, name), *component(b, name)
		if (x == nil) != (y == nil) || (x != nil && *x != *y) {
			return false
		}
	}
	return true
}

// nodeImageRef is the legacy form of osImages: a reference to the first.
func nodeImageRef(osImages []v1alpha3.OSImageReference) *corev1.ObjectReference {
	if len(osImages) == 0 {
		return nil
	}
	return &corev1.ObjectReference{Name: osImages[0].Name}
}

// sameName reports whether a and b are both nil or both name the same object.
func sameName(a, b *corev1.ObjectReference) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Name == b.Name
}

// withV prefixes a version with "v" unless it already has one.
//
// Deviation: the reference also turned an empty version into "v", which is
// neither empty nor a version and only hides that the version is missing.
// An empty version stays empty here.
func withV(version string) string {
	if version == "" || strings.HasPrefix(version, "v") {
		return version
	}
	return "v" + version
}
