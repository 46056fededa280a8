package compatibility

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/version"
)

// Reasons of the Compatible condition a Verdict carries.
const (
	// ReasonListed (True): the metadata lists the TKR for the management-cluster version.
	ReasonListed = "Listed"
	// ReasonListedAsAdditional (True): an additional-compatible-tkrs ConfigMap lists the TKR.
	ReasonListedAsAdditional = "ListedAsAdditional"
	// ReasonNotListed (False): neither the metadata entry for the management-cluster version nor
	// any additional-compatible-tkrs ConfigMap lists the TKR.
	ReasonNotListed = "NotListed"
	// ReasonManagementClusterVersionNotListed (False): the metadata has no entry for the
	// management-cluster version, so it vouches for no TKR.
	ReasonManagementClusterVersionNotListed = "ManagementClusterVersionNotListed"
	// ReasonManagementClusterVersionUnknown (Unknown): no management-cluster version is known.
	ReasonManagementClusterVersionUnknown = "ManagementClusterVersionUnknown"
	// ReasonMetadataMissing (Unknown): the metadata ConfigMap or its key does not exist.
	ReasonMetadataMissing = "MetadataMissing"
	// ReasonMetadataInvalid (Unknown): the metadata does not parse.
	ReasonMetadataInvalid = "MetadataInvalid"
)

// Sources is everything compatibility is decided from.
type Sources struct {
	// Namespace is the TKR namespace the ConfigMaps live in; messages name it.
	Namespace string
	// ManagementClusterVersion is the management cluster's TKG version, e.g. v2.3.0; "" when
	// unknown.
	ManagementClusterVersion string
	// ManagementClusterVersionFrom says where ManagementClusterVersion comes from, for
	// messages, e.g. "the TKGVERSION annotation of Cluster tkg-system/mc".
	ManagementClusterVersionFrom string
	// Metadata is the bom-metadata ConfigMap, nil when it does not exist.
	Metadata *corev1.ConfigMap
	// Additional are the additional-compatible-tkrs ConfigMaps. Ones being deleted are ignored.
	Additional []corev1.ConfigMap
}

// Set is the set of TKR versions compatible with a management cluster, with enough of its
// inputs kept to explain why a version is or is not in it.
type Set struct {
	src Sources
	// metadata is nil when metadataErr is set.
	metadata    *Metadata
	metadataErr error
	// supported holds the versions the metadata lists for the management-cluster version;
	// mcListed says whether there is an entry for it at all.
	supported map[string]bool
	mcListed  bool
	// additional maps each additionally listed version to the ConfigMaps listing it.
	additional map[string][]string
	// skipped are the additional ConfigMaps that could not be read.
	skipped []error
}

// New computes the compatible set from src.
func New(src Sources) *Set {
	s := &Set{src: src, supported: map[string]bool{}, additional: map[string][]string{}}
	if src.Metadata == nil {
		s.metadataErr = missing(fmt.Sprintf("ConfigMap %s/%s does not exist", src.Namespace, MetadataConfigMap))
	} else {
		s.metadata, s.metadataErr = MetadataFromConfigMap(src.Metadata)
	}
	if s.metadata != nil && src.ManagementClusterVersion != "" {
		var vs []string
		vs, s.mcListed = s.metadata.Supported(src.ManagementClusterVersion)
		for _, v := range vs {
			s.supported[normalize(v)] = true
		}
	}
	for i := range src.Additional {
		cm := &src.Additional[i]
		if !cm.DeletionTimestamp.IsZero() {
			continue
		}
		vs, err := AdditionalFromConfigMap(cm)
		if err != nil {
			s.skipped = append(s.skipped, err)
			continue
		}
		for _, v := range vs {
			s.additional[normalize(v)] = append(s.additional[normalize(v)], objectName(cm))
		}
	}
	return s
}

// normalize makes "1.24.9+vmware.1-tkg.1" and "v1.24.9+vmware.1-tkg.1" the same entry: TKR
// versions always carry the "v", hand-written lists sometimes forget it.
func normalize(v string) string {
	return version.WithV(strings.TrimSpace(v))
}

// Versions returns every compatible TKR version, sorted.
func (s *Set) Versions() []string {
	var vs []string
	for v := range s.supported {
		vs = append(vs, v)
	}
	for v := range s.additional {
		if !s.supported[v] {
			vs = append(vs, v)
		}
	}
	slices.Sort(vs)
	return vs
}

// Skipped returns the errors of the additional-compatible-tkrs ConfigMaps that were ignored
// because they could not be read.
func (s *Set) Skipped() []error { return s.skipped }

// Verdict is the Compatible condition of one TKR: a status, a CamelCase reason and a message
// that says what was looked for, what was found and what to do.
type Verdict struct {
	Status  corev1.ConditionStatus
	Reason  string
	Message string
}

// Check decides whether TKR version v is compatible. Listings win over missing inputs: a TKR an
// additional-compatible-tkrs ConfigMap lists is compatible even when the management-cluster
// version or the metadata is unknown, so a bootstrap cluster can use its default TKR.
func (s *Set) Check(v string) Verdict {
	key := normalize(v)
	metadata := s.src.Namespace + "/" + MetadataConfigMap
	mc := s.src.ManagementClusterVersion
	if s.supported[key] {
		return Verdict{corev1.ConditionTrue, ReasonListed,
			fmt.Sprintf("%s is listed for management cluster version %s in ConfigMap %s.", v, mc, metadata)}
	}
	if cms := s.additional[key]; len(cms) > 0 {
		return Verdict{corev1.ConditionTrue, ReasonListedAsAdditional,
			fmt.Sprintf("%s is listed in data.%s of the additional-compatible-tkrs ConfigMap %s.", v, AdditionalKey, strings.Join(cms, ", "))}
	}
	// Every answer below says that no additional ConfigMap lists v, and how to add it to one,
	// because that is the administrator's way out whatever else is missing.
	notAdditional := fmt.Sprintf("%s is not listed in any additional-compatible-tkrs ConfigMap in %s.", v, s.src.Namespace)
	var vd Verdict
	switch {
	case mc == "":
		vd = Verdict{corev1.ConditionUnknown, ReasonManagementClusterVersionUnknown, fmt.Sprintf(
			"No management cluster version is known, so the compatibility metadata cannot be consulted: "+
				"no Cluster labelled %s has a %s annotation and no tkg-version is configured. %s "+
				"Annotate the management Cluster with its TKG version (%s: v2.3.0, for example) or start tkr with --tkg-version.",
			runv1alpha3.LabelManagementCluster, runv1alpha3.AnnotationTKGVersion, notAdditional, runv1alpha3.AnnotationTKGVersion)}
	case errors.Is(s.metadataErr, ErrMissing):
		vd = Verdict{corev1.ConditionUnknown, ReasonMetadataMissing, fmt.Sprintf(
			"The compatibility of %s with management cluster version %s cannot be decided: %s. %s "+
				"Create ConfigMap %s with the compatibility metadata in binaryData.%s (tkr-source writes it), or list the release in an additional-compatible-tkrs ConfigMap.",
			v, mc, s.metadataErr, notAdditional, metadata, MetadataKey)}
	case s.metadataErr != nil:
		vd = Verdict{corev1.ConditionUnknown, ReasonMetadataInvalid, fmt.Sprintf(
			"The compatibility of %s with management cluster version %s cannot be decided: %s. %s "+
				"Correct the compatibility metadata in ConfigMap %s, or list the release in an additional-compatible-tkrs ConfigMap.",
			v, mc, s.metadataErr, notAdditional, metadata)}
	case !s.mcListed:
		vd = Verdict{corev1.ConditionFalse, ReasonManagementClusterVersionNotListed, fmt.Sprintf(
			"Management cluster version %s%s has no entry in ConfigMap %s (it has entries for %s), so that metadata lists no compatible release, and %s "+
				"If the management cluster was just upgraded, wait for the compatibility metadata to be refreshed; otherwise correct the management cluster version.",
			mc, from(s.src.ManagementClusterVersionFrom), metadata, strings.Join(s.metadata.Versions(), ", "), notAdditional)}
	default:
		vd = Verdict{corev1.ConditionFalse, ReasonNotListed, fmt.Sprintf(
			"%s is not listed for management cluster version %s in ConfigMap %s or any additional-compatible-tkrs ConfigMap. "+
				"Use a listed release, or, if you know this one works with the management cluster, add it to data.%s of a ConfigMap in %s labelled %s.",
			v, mc, metadata, AdditionalKey, s.src.Namespace, runv1alpha3.LabelAdditionalCompatibleTKRs)}
	}
	// A ConfigMap that could not be read may be the one meant to list v.
	for _, err := range s.skipped {
		vd.Message += fmt.Sprintf(" An additional-compatible-tkrs ConfigMap was ignored: %s.", err)
	}
	return vd
}

// from is the parenthesis naming where the management-cluster version comes from, if known.
func from(what string) string {
	if what == "" {
		return ""
	}
	return " (from " + what + ")"
}
