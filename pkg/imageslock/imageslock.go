// Package imageslock reads and writes the imgpkg ImagesLock file of a bundle (.imgpkg/images.yml)
// and relocates the references it lists, the way `imgpkg pull` does for a bundle that was copied
// to another registry (an air-gapped mirror).
//
// The package does no network I/O: it works on the bytes of a bundle that was already fetched.
package imageslock

import (
	"bytes"
	"fmt"

	"sigs.k8s.io/yaml"
)

const (
	// Path is where an imgpkg bundle keeps its images lock, relative to the bundle's root.
	Path = ".imgpkg/images.yml"

	// AnnotationKbldID is the annotation of a lock entry that holds the reference the image was
	// known by before kbld resolved it to a digest (usually a tag reference).
	AnnotationKbldID = "kbld.carvel.dev/id"

	// APIVersion is the apiVersion of an ImagesLock.
	APIVersion = "imgpkg.carvel.dev/v1alpha1"

	// Kind is the kind of an ImagesLock.
	Kind = "ImagesLock"
)

// Lock is an imgpkg ImagesLock: the images a bundle refers to, each pinned by digest.
type Lock struct {
	// APIVersion is always APIVersion.
	APIVersion string `json:"apiVersion"`
	// Kind is always Kind.
	Kind string `json:"kind"`
	// Images are the locked images.
	Images []Image `json:"images"`
}

// Image is one entry of a Lock.
type Image struct {
	// Image is the digest reference of the image (registry/repository@sha256:...).
	Image string `json:"image"`
	// Annotations carry, among others, AnnotationKbldID.
	Annotations map[string]string `json:"annotations,omitempty"`
}

// New returns a lock listing images.
func New(images ...Image) *Lock {
	return &Lock{APIVersion: APIVersion, Kind: Kind, Images: images}
}

// Parse reads an images lock. Empty input gives an empty lock, because a bundle without images
// may ship an empty file. Input that is not YAML, or is YAML of another kind or apiVersion, is an
// error.
func Parse(data []byte) (*Lock, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return New(), nil
	}
	l := &Lock{}
	if err := yaml.Unmarshal(data, l); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", Path, err)
	}
	if l.Kind != Kind || l.APIVersion != APIVersion {
		return nil, fmt.Errorf("parsing %s: expected apiVersion %s and kind %s, found apiVersion %q and kind %q",
			Path, APIVersion, Kind, l.APIVersion, l.Kind)
	}
	return l, nil
}

// Marshal writes the lock as YAML. A lock without images is written with `images: []`, which is
// what imgpkg writes, rather than `images: null`.
func (l *Lock) Marshal() ([]byte, error) {
	out := *l
	if out.Images == nil {
		out.Images = []Image{}
	}
	data, err := yaml.Marshal(&out)
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", Path, err)
	}
	return data, nil
}
