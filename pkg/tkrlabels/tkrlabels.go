// Package tkrlabels decides which labels a TanzuKubernetesRelease or an OSImage carries because
// of its spec: the version-prefix labels that let `kubectl get tkr -l v1.24` and resolve-tkr
// selectors find releases, and the OS and image labels resolve-os-image selectors match. The
// status controller writes them; the resolver computes the same set in memory.
package tkrlabels

import (
	"fmt"
	"maps"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/version"
)

// maxValue is the longest label value Kubernetes accepts.
const maxValue = validation.LabelValueMaxLength

// TKR returns the labels derived from a TKR's spec: every version prefix of spec.version.
func TKR(tkr *runv1alpha3.TanzuKubernetesRelease) map[string]string {
	return version.PrefixLabels(tkr.Spec.Version)
}

// OSImage returns the labels derived from an OSImage's spec: the version prefixes of its
// Kubernetes version, os-type, os-name, os-version, os-arch, image-type, and one label per
// leaf of spec.image.ref named <image type>-<key>[-<subkey>...] (e.g. ova-version, ami-region).
//
// Unlike the original, a key or value that is not a valid label (a list, a key with a '/') is
// left out rather than kept: written to the object it would make the API server reject the
// whole update, and a label that exists only in memory would match selectors kubectl cannot.
func OSImage(img *runv1alpha3.OSImage) map[string]string {
	l := version.PrefixLabels(img.Spec.KubernetesVersion)
	set := func(k, v string) {
		if len(validation.IsQualifiedName(k)) == 0 && len(validation.IsValidLabelValue(v)) == 0 {
			l[k] = v
		}
	}
	set(runv1alpha3.LabelOSType, img.Spec.OS.Type)
	set(runv1alpha3.LabelOSName, img.Spec.OS.Name)
	set(runv1alpha3.LabelOSVersion, img.Spec.OS.Version)
	set(runv1alpha3.LabelOSArch, img.Spec.OS.Arch)
	set(runv1alpha3.LabelImageType, img.Spec.Image.Type)
	refLabels(img.Spec.Image.Type, img.Spec.Image.Ref, set)
	return l
}

// refLabels flattens ref into labels, as the original did: nested objects extend the key,
// other values print in Go's default format with '+' written as "---", cut to 63 bytes.
func refLabels(prefix string, ref map[string]interface{}, set func(k, v string)) {
	for k, v := range ref {
		key := prefix + "-" + k
		if m, ok := v.(map[string]interface{}); ok {
			refLabels(key, m, set)
			continue
		}
		s := strings.ReplaceAll(fmt.Sprint(v), "+", "---")
		if len(s) > maxValue {
			s = s[:maxValue]
		}
		set(key, s)
	}
}

// Merge returns current with derived added or overwritten, and whether anything changed.
// Labels not in derived are kept: users and other controllers own them.
func Merge(current, derived map[string]string) (map[string]string, bool) {
	changed := false
	for k, v := range derived {
		if old, ok := current[k]; !ok || old != v {
			changed = true
			break
		}
	}
	if !changed {
		return current, false
	}
	merged := make(map[string]string, len(current)+len(derived))
	maps.Copy(merged, current)
	maps.Copy(merged, derived)
	return merged, true
}
