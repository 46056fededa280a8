// Package compatibility decides which TanzuKubernetesRelease versions a management cluster may
// offer: those its compatibility metadata lists for the management cluster's version, plus those
// an administrator lists in additional-compatible-tkrs ConfigMaps.
//
// The package is pure: it reads ConfigMap objects it is given and never talks to an API server,
// so the status controller, the source controller and offline tools all decide the same way.
// Every error names the ConfigMap and the key it comes from, because that is what a user has to
// fix.
package compatibility

import (
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// Names of the ConfigMaps and keys the compatibility data lives in.
const (
	// MetadataConfigMap is the name of the ConfigMap holding the compatibility metadata, in the
	// TKR namespace.
	MetadataConfigMap = "bom-metadata"
	// MetadataKey is the key of the metadata in MetadataConfigMap, read from binaryData first
	// (where tkr-source writes it) and from data otherwise (easier to write by hand).
	MetadataKey = "compatibility"
	// AdditionalKey is the key of data in an additional-compatible-tkrs ConfigMap that holds a
	// YAML list of TKR versions.
	AdditionalKey = "tkrVersions"
)

// Metadata is the compatibility metadata: which TKR versions each management-cluster version
// supports. Unknown fields (such as a top-level version) are ignored.
type Metadata struct {
	// ManagementClusterVersions has one entry per TKG version of a management cluster.
	ManagementClusterVersions []ManagementClusterVersion `json:"managementClusterVersions"`
}

// ManagementClusterVersion lists the TKR versions one management-cluster version supports.
type ManagementClusterVersion struct {
	// Version is the TKG version of a management cluster, e.g. v2.3.0, matched exactly.
	Version string `json:"version"`
	// SupportedKubernetesVersions are TKR versions (not Kubernetes versions), e.g.
	// v1.24.9+vmware.1-tkg.1.
	SupportedKubernetesVersions []string `json:"supportedKubernetesVersions"`
}

// ErrMissing matches (with errors.Is) the errors that say the metadata does not exist, as
// opposed to metadata that exists but does not parse.
var ErrMissing = errors.New("compatibility metadata missing")

// missing is an error saying what does not exist; it matches ErrMissing.
type missing string

func (m missing) Error() string        { return string(m) }
func (m missing) Is(target error) bool { return target == ErrMissing }

// ParseMetadata parses compatibility metadata YAML. Empty metadata, an entry without a version
// or an empty TKR version is an error: such data comes from a broken fetch or a hand edit gone
// wrong, and deciding compatibility from it would silently mark releases incompatible.
func ParseMetadata(data []byte) (*Metadata, error) {
	var m Metadata
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("is not compatibility metadata (managementClusterVersions[].{version, supportedKubernetesVersions[]}): %w", err)
	}
	if len(m.ManagementClusterVersions) == 0 {
		return nil, errors.New("lists no managementClusterVersions")
	}
	for i, e := range m.ManagementClusterVersions {
		if e.Version == "" {
			return nil, fmt.Errorf("managementClusterVersions[%d] has no version", i)
		}
		for j, v := range e.SupportedKubernetesVersions {
			if v == "" {
				return nil, fmt.Errorf("managementClusterVersions[%d] (version %s): supportedKubernetesVersions[%d] is empty", i, e.Version, j)
			}
		}
	}
	return &m, nil
}

// MetadataFromConfigMap parses the compatibility metadata in cm, from binaryData.compatibility
// or, if that key is absent, data.compatibility. Errors name the ConfigMap and the key.
func MetadataFromConfigMap(cm *corev1.ConfigMap) (*Metadata, error) {
	data, key := cm.BinaryData[MetadataKey], "binaryData."+MetadataKey
	if _, ok := cm.BinaryData[MetadataKey]; !ok {
		s, ok := cm.Data[MetadataKey]
		if !ok {
			return nil, missing(fmt.Sprintf("ConfigMap %s has neither binaryData.%s nor data.%s", objectName(cm), MetadataKey, MetadataKey))
		}
		data, key = []byte(s), "data."+MetadataKey
	}
	m, err := ParseMetadata(data)
	if err != nil {
		return nil, fmt.Errorf("ConfigMap %s, key %s: %w", objectName(cm), key, err)
	}
	return m, nil
}

// Supported returns the TKR versions the first entry for management-cluster version mc lists,
// and whether there is such an entry. Versions match exactly, as in the original: v2.3.0 is
// neither v2.3 nor v2.3.0-fips.1.
func (m *Metadata) Supported(mc string) ([]string, bool) {
	for _, e := range m.ManagementClusterVersions {
		if e.Version == mc {
			return e.SupportedKubernetesVersions, true
		}
	}
	return nil, false
}

// Versions returns the management-cluster versions m has entries for, in file order.
func (m *Metadata) Versions() []string {
	vs := make([]string, 0, len(m.ManagementClusterVersions))
	for _, e := range m.ManagementClusterVersions {
		vs = append(vs, e.Version)
	}
	return vs
}

// AdditionalFromConfigMap parses data.tkrVersions of an additional-compatible-tkrs ConfigMap: a
// YAML list of TKR versions. Errors name the ConfigMap and the key.
func AdditionalFromConfigMap(cm *corev1.ConfigMap) ([]string, error) {
	s, ok := cm.Data[AdditionalKey]
	if !ok {
		return nil, fmt.Errorf("ConfigMap %s has no data.%s", objectName(cm), AdditionalKey)
	}
	var vs []string
	if err := yaml.Unmarshal([]byte(s), &vs); err != nil {
		return nil, fmt.Errorf("ConfigMap %s, key data.%s: is not a YAML list of TKR versions: %w", objectName(cm), AdditionalKey, err)
	}
	for i, v := range vs {
		if v == "" {
			return nil, fmt.Errorf("ConfigMap %s, key data.%s: entry %d is empty", objectName(cm), AdditionalKey, i)
		}
	}
	return vs, nil
}

// objectName is namespace/name, the form kubectl users type.
func objectName(cm *corev1.ConfigMap) string {
	return cm.Namespace + "/" + cm.Name
}
