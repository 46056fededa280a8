/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package tkrdata

import (
	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/tkrlabels"
	"github.com/tkr-project/tkr/pkg/version"
)

// VarTKRData is the name of the cluster variable that holds the TKR data.
const VarTKRData = "TKR_DATA"

// TKRData is the value of the TKR_DATA variable: an entry per Kubernetes version, e.g.
// "v1.24.9+vmware.1". Entries for versions other than the current one are kept, so that
// during a rolling upgrade machines still on the old version keep finding their data.
type TKRData map[string]*Entry

// Entry is the TKR data of one Kubernetes version. The JSON field names are the contract
// with ClusterClass patches and must not change.
type Entry struct {
	// KubernetesSpec is the TKR's spec.kubernetes after the image repository rules of
	// NewEntry. Its etcd, pause, coredns and kube-vip fields are written as null when unset.
	KubernetesSpec *runv1alpha3.KubernetesSpec `json:"kubernetesSpec"`
	// OSImageRef is a copy of the OSImage's spec.image.ref, injected into infrastructure
	// machine templates (e.g. {id, region} for an AMI, {version} for an OVA).
	OSImageRef map[string]interface{} `json:"osImageRef"`
	// Labels are the TKR and OSImage names (run.tanzu.vmware.com/tkr and
	// run.tanzu.vmware.com/os-image) and the labels derived from the OSImage spec.
	Labels map[string]string `json:"labels"`
}

// NewEntry returns the entry for a resolved TKR and OSImage. Both must be non-nil; neither is
// modified, since they usually come from a shared cache.
//
// kubernetesSpec is a copy of tkr.spec.kubernetes in which every image without its own
// imageRepository inherits spec.kubernetes.imageRepository, so that ClusterClass patches can
// rely on each image naming its repository. A non-empty customRepo (the host of the custom
// image repository variable, see [ReadCustomImageRepository]) then replaces the repository
// of the Kubernetes spec and of every image.
//
// labels hold the TKR and OSImage names, os-type, os-name, os-version, os-arch, image-type and
// the <image type>-<ref key> labels, computed from the OSImage spec as by
// [tkrlabels.OSImage]. The version-prefix labels that function also returns are left out:
// entries identify one image, and prefixes are for selecting among many. As in
// tkrlabels.OSImage, a key or value that is not a valid label is left out.
func NewEntry(tkr *runv1alpha3.TanzuKubernetesRelease, osImage *runv1alpha3.OSImage, customRepo string) *Entry {
	return &Entry{
		KubernetesSpec: kubernetesSpec(&tkr.Spec.Kubernetes, customRepo),
		OSImageRef:     osImage.Spec.Image.DeepCopy().Ref,
		Labels:         entryLabels(tkr.Name, osImage),
	}
}

// kubernetesSpec applies the image repository rules of NewEntry to a copy of spec.
func kubernetesSpec(spec *runv1alpha3.KubernetesSpec, customRepo string) *runv1alpha3.KubernetesSpec {
	out := spec.DeepCopy()
	images := [...]*runv1alpha3.ContainerImageInfo{out.CoreDNS, out.Etcd, out.Pause, out.KubeVIP}
	if customRepo != "" {
		out.ImageRepository = customRepo
	}
	for _, img := range images {
		switch {
		case img == nil:
		case customRepo != "":
			img.ImageRepository = customRepo
		case img.ImageRepository == "":
			img.ImageRepository = out.ImageRepository
		}
	}
	return out
}

// entryLabels returns the labels of an entry for the TKR named tkrName and osImage.
func entryLabels(tkrName string, osImage *runv1alpha3.OSImage) map[string]string {
	ls := tkrlabels.OSImage(osImage)
	// Version prefixes are exactly the keys version.PrefixLabels returns for the Kubernetes
	// version; no other label tkrlabels.OSImage sets can have such a key, because those are
	// fixed names or start with the image type and a '-'.
	for k := range version.PrefixLabels(osImage.Spec.KubernetesVersion) {
		delete(ls, k)
	}
	ls[runv1alpha3.LabelTKR] = tkrName
	ls[runv1alpha3.LabelOSImage] = osImage.Name
	return ls
}
