// Package bom reads TKR BOMs: the YAML files, one per tkr-bom image, that list what a
// TanzuKubernetesRelease is made of (component versions and images, the default image repository,
// kubeadm defaults and the machine images per infrastructure).
//
// The source controller copies a BOM into a ConfigMap named after the release without looking
// inside beyond the three required fields, and `tkr publish` only needs the release version to
// tag the image, so the model here is deliberately loose: unknown keys are ignored and the
// per-infrastructure sections keep their metadata as plain maps. The package is pure.
package bom

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tkr-project/tkr/pkg/version"
)

// BOM is a TKR BOM. Only Release.Version, Components and ImageConfig.ImageRepository are
// required; everything else is carried for whoever wants it.
type BOM struct {
	// APIVersion is run.tanzu.vmware.com/v1alpha2 in published BOMs. It is not checked, as in the
	// original.
	APIVersion string `yaml:"apiVersion,omitempty"`
	// Release names the TKR the BOM describes.
	Release Release `yaml:"release"`
	// Components maps a component name (kubernetes, etcd, coredns, antrea, ...) to its versions.
	Components map[string][]Component `yaml:"components"`
	// ImageConfig holds the default image repository.
	ImageConfig ImageConfig `yaml:"imageConfig"`
	// KubeadmConfigSpec is the kubeadm ClusterConfiguration the release was built with.
	KubeadmConfigSpec *KubeadmConfigSpec `yaml:"kubeadmConfigSpec,omitempty"`
	// OVA lists the vSphere machine images.
	OVA []OVA `yaml:"ova,omitempty"`
	// AMI maps an AWS region to the machine images published there.
	AMI map[string][]AMI `yaml:"ami,omitempty"`
	// Azure lists the Azure machine images.
	Azure []Azure `yaml:"azure,omitempty"`
	// Addons is kept as plain data: nothing in this service reads it.
	Addons map[string]any `yaml:"addons,omitempty"`
}

// Release names the TKR of a BOM.
type Release struct {
	// Version is the TKR version, e.g. v1.24.9+vmware.1-tkg.1.
	Version string `yaml:"version"`
}

// Component is one version of a component.
type Component struct {
	// Version is the component's version, e.g. v1.24.9+vmware.1 for kubernetes.
	Version string `yaml:"version"`
	// Images maps an image key (kubeAPIServer, pause, etcd, ...) to the image.
	Images map[string]Image `yaml:"images,omitempty"`
	// Metadata is free-form.
	Metadata map[string]any `yaml:"metadata,omitempty"`
}

// Image is an image of a component, relative to the image repository.
type Image struct {
	// ImagePath is the path below ImageConfig.ImageRepository, e.g. kube-apiserver.
	ImagePath string `yaml:"imagePath"`
	// Tag is the image tag, e.g. v1.24.9_vmware.1.
	Tag string `yaml:"tag"`
}

// ImageConfig holds the default image repository of a release.
type ImageConfig struct {
	// ImageRepository is e.g. projects.registry.vmware.com/tkg.
	ImageRepository string `yaml:"imageRepository"`
}

// KubeadmConfigSpec is the part of a kubeadm ClusterConfiguration that BOMs carry. Other fields
// are ignored.
type KubeadmConfigSpec struct {
	// APIVersion is e.g. kubeadm.k8s.io/v1beta3.
	APIVersion string `yaml:"apiVersion,omitempty"`
	// Kind is ClusterConfiguration.
	Kind string `yaml:"kind,omitempty"`
	// ImageRepository is where kubeadm pulls the control-plane images from.
	ImageRepository string `yaml:"imageRepository,omitempty"`
	// KubernetesVersion is e.g. v1.24.9+vmware.1.
	KubernetesVersion string `yaml:"kubernetesVersion,omitempty"`
	// Etcd is etcd.local{dataDir, imageRepository, imageTag, extraArgs}, kept as data.
	Etcd map[string]any `yaml:"etcd,omitempty"`
	// DNS is dns{type, imageRepository, imageTag}, kept as data.
	DNS map[string]any `yaml:"dns,omitempty"`
}

// OSInfo describes the operating system of a machine image. BOMs write the version the way the
// OS vendor does (20.04), unlike OSImages (2004).
type OSInfo struct {
	// Name is e.g. ubuntu or photon.
	Name string `yaml:"name,omitempty"`
	// Version is e.g. 20.04.
	Version string `yaml:"version,omitempty"`
	// Arch is e.g. amd64.
	Arch string `yaml:"arch,omitempty"`
}

// OVA is a vSphere machine image.
type OVA struct {
	// Name is e.g. ova-ubuntu-2004.
	Name string `yaml:"name"`
	// OSInfo is written osinfo in the file, as in the original.
	OSInfo OSInfo `yaml:"osinfo"`
	// Version is the VERSION property baked into the OVA.
	Version string `yaml:"version"`
	// Metadata is free-form.
	Metadata map[string]any `yaml:"metadata,omitempty"`
}

// AMI is an AWS machine image in one region.
type AMI struct {
	// ID is the AMI ID, e.g. ami-0123456789abcdef0.
	ID string `yaml:"id"`
	// OSInfo is written osinfo in the file.
	OSInfo OSInfo `yaml:"osinfo"`
	// Metadata is free-form.
	Metadata map[string]any `yaml:"metadata,omitempty"`
}

// Azure is an Azure machine image. Fields the original does not model (resourceGroup, gallery,
// ...) are ignored.
type Azure struct {
	// SKU, Publisher, Offer and Version identify a marketplace image.
	SKU string `yaml:"sku,omitempty"`
	// Publisher is the marketplace publisher.
	Publisher string `yaml:"publisher,omitempty"`
	// Offer is the marketplace offer.
	Offer string `yaml:"offer,omitempty"`
	// Version is the image version.
	Version string `yaml:"version,omitempty"`
	// ThirdPartyImage is true for images that need their plan accepted.
	ThirdPartyImage bool `yaml:"thirdPartyImage,omitempty"`
	// OSInfo is written osinfo in the file.
	OSInfo OSInfo `yaml:"osinfo"`
	// Metadata is free-form.
	Metadata map[string]any `yaml:"metadata,omitempty"`
}

// Parse parses a TKR BOM. It requires what the source controller requires (release.version, at
// least one component, imageConfig.imageRepository), so that a BOM `tkr publish` accepts is one
// the controller accepts too. Scalars are read as text, so an unquoted `tag: 3.7` stays "3.7".
// Errors are phrased to follow the name of the BOM, as in fmt.Errorf("the BOM %s %w", file, err).
func Parse(data []byte) (*BOM, error) {
	var b BOM
	if err := yaml.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("is not a TKR BOM: %w", err)
	}
	if b.Release.Version == "" {
		return nil, errors.New("has no release.version; set it to the TKR version the BOM describes, e.g. v1.24.9+vmware.1-tkg.1")
	}
	if len(b.Components) == 0 {
		return nil, errors.New("has no components; list at least components.kubernetes")
	}
	if b.ImageConfig.ImageRepository == "" {
		return nil, errors.New("has no imageConfig.imageRepository; set it to the registry the images are in, e.g. projects.registry.vmware.com/tkg")
	}
	return &b, nil
}

// TKRName returns the name of the TKR (and of the BOM ConfigMap): the release version with every
// '+' written as "---". Unlike version.Label it keeps the version as written, as the original
// does.
func (b *BOM) TKRName() string {
	return strings.ReplaceAll(b.Release.Version, "+", "---")
}

// KubernetesVersion returns the version of the first kubernetes component, or "" if there is
// none.
func (b *BOM) KubernetesVersion() string {
	if ks := b.Components["kubernetes"]; len(ks) > 0 {
		return ks[0].Version
	}
	return ""
}

// Tag returns the tag of the BOM's image, Tag(b.Release.Version).
func (b *BOM) Tag() string {
	return Tag(b.Release.Version)
}

// Tag returns the image tag for TKR version v: the version with every '+' written as '_'.
func Tag(v string) string {
	return version.ImageTag(v)
}

// FileName returns the name of the one file in the BOM image with the given tag,
// tkr-bom-<tag>.yaml, as TKG names it.
func FileName(tag string) string {
	return "tkr-bom-" + tag + ".yaml"
}
