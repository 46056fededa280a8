package bootstrap

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/validation/field"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/version"
)

// Messages of the ClusterBootstrap and ClusterBootstrapTemplate webhooks. They are the original
// product's texts, which runbooks and tests match.
const (
	MsgUnmanagedCNIWithCNI      = "Spec.CNI should be empty if the clusterbootstrap is annotated to use unmanaged CNI."
	MsgNilPackage               = "package can't be nil"
	MsgManyValuesFromFields     = "valuesFrom can't have more than one non-null subfield"
	MsgNilAPIGroup              = "APIGroup can't be nil"
	MsgRefNameChanged           = "new package refName and old package refName should be the same"
	MsgProviderGroupKindChanged = "change to Group and Kind in ProviderRef is not allowed"
	MsgProviderRefReplaced      = "change from providerRef to other types of data value representation is not allowed"
	MsgDuplicateAdditional      = "more than one additional packages share the same refName"
	MsgMissingAdditional        = "missing updated additional package"
	MsgTemplateImmutable        = "ClusterBootstrapTemplate has immutable spec, update is not allowed"
	// MsgAddMissingFieldsEmpty is the error for an add-missing-fields-from-tkr annotation without a value.
	MsgAddMissingFieldsEmpty = "invalid value for annotation: " + runv1alpha3.AnnotationAddMissingFieldsFromTKR + ". The value needs to be the name of TanzuKubernetesRelease"
)

// SpecPath is the field path of a ClusterBootstrap's spec; the webhooks report errors under it.
var SpecPath = field.NewPath("spec")

// UnmanagedCNI reports whether annotations mark the CNI as installed by someone else.
func UnmanagedCNI(annotations map[string]string) bool {
	_, ok := annotations[runv1alpha3.AnnotationUnmanagedCNI]
	return ok
}

// CheckUnmanagedCNI fails when the ClusterBootstrap is annotated as having an unmanaged CNI and
// still names one: the controller would otherwise install a second CNI next to the user's.
func CheckUnmanagedCNI(spec *runv1alpha3.ClusterBootstrapTemplateSpec, annotations map[string]string) error {
	if UnmanagedCNI(annotations) && spec != nil && spec.CNI != nil {
		return errors.New(MsgUnmanagedCNIWithCNI)
	}
	return nil
}

// DefaultSpec is what the defaulting webhook does to a ClusterBootstrap annotated with
// add-missing-fields-from-tkr, given that TKR and its ClusterBootstrapTemplate's spec: wildcard
// refNames are completed from the TKR, missing fields are added from the template without any
// valuesFrom (the controller adds those once it has cloned what they refer to), and the CNI is
// removed when it is unmanaged. spec is not modified.
func DefaultSpec(spec *runv1alpha3.ClusterBootstrapTemplateSpec, tkr *runv1alpha3.TanzuKubernetesRelease, template *runv1alpha3.ClusterBootstrapTemplateSpec, unmanagedCNI bool) (*runv1alpha3.ClusterBootstrapTemplateSpec, error) {
	completed := spec.DeepCopy()
	if err := CompleteRefNames(completed, tkr); err != nil {
		return nil, err
	}
	merged, err := AddMissingFields(completed, template, SkipValuesFrom)
	if err != nil {
		return nil, err
	}
	if unmanagedCNI {
		merged.CNI = nil
	}
	return merged, nil
}

// NilPackage is the error for a package slot that must be set and is not. The value is the
// string "null", which the API server prints quoted as the original did
// (`spec.cni: Invalid value: "null": package can't be nil`).
func NilPackage(path *field.Path) *field.Error {
	return field.Invalid(path, "null", MsgNilPackage)
}

// ValidateValuesFrom checks what can be checked of a valuesFrom without an API server: at most
// one source, and a providerRef with an apiGroup. A nil valuesFrom is valid.
func ValidateValuesFrom(v *runv1alpha3.ValuesFrom, path *field.Path) *field.Error {
	if v == nil {
		return nil
	}
	if v.CountFields() > 1 {
		return field.Invalid(path, v, MsgManyValuesFromFields)
	}
	if v.ProviderRef != nil && v.ProviderRef.APIGroup == nil {
		return field.Invalid(path.Child("providerRef"), v.ProviderRef, MsgNilAPIGroup)
	}
	return nil
}

// CarvelPackage is what the update rules need to know of the Carvel Package a ClusterBootstrap
// package's refName names: the package's own spec.refName (e.g. antrea.tanzu.vmware.com) and its
// spec.version.
type CarvelPackage struct {
	RefName string
	Version string
}

// CompareVersions compares two Carvel package versions as relaxed SemVer: an optional leading
// "v", precedence by major, minor, patch and pre-release, build metadata ignored. It returns -1,
// 0 or +1 as a is lower than, equal to or higher than b.
//
// Build metadata is ignored as in the original (which used Carvel's relaxed SemVer): variants of
// one release such as 1.5.2+vmware.1-tkg.1 and 1.5.2+vmware.3-tkg.1-advanced are not ordered by
// it, and a TKR upgrade may legitimately move between them.
func CompareVersions(a, b string) (int, error) {
	va, err := precedence(a)
	if err != nil {
		return 0, err
	}
	vb, err := precedence(b)
	if err != nil {
		return 0, err
	}
	return version.Compare(va, vb), nil
}

// precedence parses v and drops its build metadata.
func precedence(v string) (*version.Version, error) {
	parsed, err := version.Parse(v)
	if err != nil {
		return nil, err
	}
	s, _, _ := strings.Cut(parsed.String(), "+")
	return version.Parse(s)
}

// CheckPackageUpdate applies the update rules to one package, given the Carvel Packages the old
// and the new refName name: the package stays the same package (so the CNI cannot be switched,
// e.g. from antrea to calico), its version does not go down, and its providerRef keeps its group
// and kind.
func CheckPackageUpdate(path *field.Path, oldPkg, newPkg *runv1alpha3.ClusterBootstrapPackage, oldCarvel, newCarvel CarvelPackage) *field.Error {
	if oldPkg == nil || newPkg == nil {
		return NilPackage(path)
	}
	refPath := path.Child("refName")
	if oldCarvel.RefName != newCarvel.RefName {
		return field.Invalid(refPath, newPkg.RefName, MsgRefNameChanged)
	}
	c, err := CompareVersions(newCarvel.Version, oldCarvel.Version)
	switch {
	case err != nil:
		// Either side may be the unparsable one; the message says which Package to fix.
		return field.Invalid(refPath, newPkg.RefName, fmt.Sprintf("cannot compare the versions of Package %s (%s) and Package %s (%s): %v", oldPkg.RefName, oldCarvel.Version, newPkg.RefName, newCarvel.Version, err))
	case c < 0:
		return field.Invalid(refPath, newPkg.RefName, fmt.Sprintf("package downgrade is not allowed, original version: %s, updated version %s", oldCarvel.Version, newCarvel.Version))
	}
	return CheckValuesFromUpdate(path.Child("valuesFrom"), oldPkg.ValuesFrom, newPkg.ValuesFrom)
}

// CheckValuesFromUpdate applies the update rules to a package's valuesFrom: a providerRef keeps
// its apiGroup and kind, and is not replaced by another kind of source. Inline values and
// secretRefs may change freely.
//
// Quirk (decided): the original checked only when both sides had a valuesFrom, so removing
// valuesFrom altogether passed although its provider's values were then lost; here removing a
// providerRef is refused whatever replaces it, as the rule's message says.
func CheckValuesFromUpdate(path *field.Path, oldV, newV *runv1alpha3.ValuesFrom) *field.Error {
	if oldV == nil || oldV.ProviderRef == nil {
		return nil
	}
	providerPath := path.Child("providerRef")
	if newV == nil || newV.ProviderRef == nil {
		var got any
		if newV != nil {
			got = newV
		}
		return field.Invalid(path, got, MsgProviderRefReplaced)
	}
	o, n := oldV.ProviderRef, newV.ProviderRef
	if deref(o.APIGroup) != deref(n.APIGroup) || o.Kind != n.Kind {
		return field.Invalid(providerPath, n, MsgProviderGroupKindChanged)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// CheckAdditionalPackagesUpdate applies the update rules to the additional packages, given the
// Carvel Package of each old and new item (nil where it could not be read; the caller reports
// that, and the item is left out here). No two new items may be the same Carvel package, every
// old package must still be there (packages are never removed), and each kept package follows
// CheckPackageUpdate. Errors name the new item, except a missing one, which names the old index.
func CheckAdditionalPackagesUpdate(path *field.Path, oldPkgs, newPkgs []*runv1alpha3.ClusterBootstrapPackage, oldCarvel, newCarvel []*CarvelPackage) field.ErrorList {
	var errs field.ErrorList
	byRefName := map[string]int{}
	for i, p := range newPkgs {
		if p == nil || i >= len(newCarvel) || newCarvel[i] == nil {
			continue
		}
		if _, dup := byRefName[newCarvel[i].RefName]; dup {
			errs = append(errs, field.Invalid(path.Index(i).Child("refName"), newCarvel[i].RefName, MsgDuplicateAdditional))
			continue
		}
		byRefName[newCarvel[i].RefName] = i
	}
	for i, p := range oldPkgs {
		if p == nil || i >= len(oldCarvel) || oldCarvel[i] == nil {
			continue
		}
		j, ok := byRefName[oldCarvel[i].RefName]
		if !ok {
			errs = append(errs, field.Invalid(path.Index(i).Child("refName"), p.RefName, MsgMissingAdditional))
			continue
		}
		if err := CheckPackageUpdate(path.Index(j), p, newPkgs[j], *oldCarvel[i], *newCarvel[j]); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// ValidateTemplateSpec checks a ClusterBootstrapTemplate's spec as far as it can be checked when
// it is created: cni and kapp are set, and each package's valuesFrom has the right shape. Whether
// the Packages, providers and secrets exist is not checked, because templates are applied
// together with them in no particular order.
func ValidateTemplateSpec(spec *runv1alpha3.ClusterBootstrapTemplateSpec) field.ErrorList {
	var errs field.ErrorList
	if spec == nil {
		return field.ErrorList{field.Required(SpecPath, "the spec lists the packages of the template")}
	}
	for _, s := range []struct {
		name string
		pkg  *runv1alpha3.ClusterBootstrapPackage
	}{{"cni", spec.CNI}, {"kapp", spec.Kapp}} {
		if s.pkg == nil {
			errs = append(errs, NilPackage(SpecPath.Child(s.name)))
		}
	}
	check := func(path *field.Path, p *runv1alpha3.ClusterBootstrapPackage) {
		if p == nil {
			return
		}
		if err := ValidateValuesFrom(p.ValuesFrom, path.Child("valuesFrom")); err != nil {
			errs = append(errs, err)
		}
	}
	check(SpecPath.Child("cni"), spec.CNI)
	check(SpecPath.Child("csi"), spec.CSI)
	check(SpecPath.Child("cpi"), spec.CPI)
	check(SpecPath.Child("kapp"), spec.Kapp)
	for i, p := range spec.AdditionalPackages {
		check(SpecPath.Child("additionalPackages").Index(i), p)
	}
	return errs
}

// CheckTemplateUpdate refuses any change to a ClusterBootstrapTemplate's spec: clusters created
// from a TKR must all get the same packages, and upgrades compare against the template as it was.
func CheckTemplateUpdate(oldSpec, newSpec *runv1alpha3.ClusterBootstrapTemplateSpec) *field.Error {
	if equality.Semantic.DeepEqual(oldSpec, newSpec) {
		return nil
	}
	return field.Forbidden(SpecPath, MsgTemplateImmutable)
}

// CorePackage is one of the named package slots of a spec, as the ClusterBootstrap webhook
// validates it.
type CorePackage struct {
	// Name is the slot's field name, e.g. "cni".
	Name string
	// Required says whether a ClusterBootstrap must fill the slot.
	Required bool
	// Get returns the slot's package of spec (nil for a nil spec).
	Get func(spec *runv1alpha3.ClusterBootstrapTemplateSpec) *runv1alpha3.ClusterBootstrapPackage
}

// Path is the slot's field path, e.g. spec.cni.
func (c CorePackage) Path() *field.Path { return SpecPath.Child(c.Name) }

// CorePackages lists the slots a ClusterBootstrap webhook validates, in the order it reports
// them: the CNI (required, and left out entirely when it is unmanaged, since someone else
// installs it), kapp-controller (required), then CSI and CPI (optional: not every
// infrastructure has them).
func CorePackages(unmanagedCNI bool) []CorePackage {
	get := func(f func(*runv1alpha3.ClusterBootstrapTemplateSpec) *runv1alpha3.ClusterBootstrapPackage) func(*runv1alpha3.ClusterBootstrapTemplateSpec) *runv1alpha3.ClusterBootstrapPackage {
		return func(s *runv1alpha3.ClusterBootstrapTemplateSpec) *runv1alpha3.ClusterBootstrapPackage {
			if s == nil {
				return nil
			}
			return f(s)
		}
	}
	var slots []CorePackage
	if !unmanagedCNI {
		slots = append(slots, CorePackage{"cni", true, get(func(s *runv1alpha3.ClusterBootstrapTemplateSpec) *runv1alpha3.ClusterBootstrapPackage { return s.CNI })})
	}
	return append(slots,
		CorePackage{"kapp", true, get(func(s *runv1alpha3.ClusterBootstrapTemplateSpec) *runv1alpha3.ClusterBootstrapPackage { return s.Kapp })},
		CorePackage{"csi", false, get(func(s *runv1alpha3.ClusterBootstrapTemplateSpec) *runv1alpha3.ClusterBootstrapPackage { return s.CSI })},
		CorePackage{"cpi", false, get(func(s *runv1alpha3.ClusterBootstrapTemplateSpec) *runv1alpha3.ClusterBootstrapPackage { return s.CPI })},
	)
}
