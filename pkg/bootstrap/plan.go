package bootstrap

import (
	"fmt"
	"slices"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// Plan is what the ClusterBootstrap controller makes of one cluster's ClusterBootstrap: the spec
// to store, the packages whose values must first be cloned from the system namespace, and the
// TKR to record in status.resolvedTKR.
type Plan struct {
	// Spec is the desired spec. The packages in Clone still name the template's objects; the
	// controller renames them to the clones' names (ClonedName) as it clones them.
	Spec *runv1alpha3.ClusterBootstrapTemplateSpec
	// Clone are packages of Spec (pointers into it) whose secretRef or providerRef names an
	// object of the system namespace that is to be cloned into the cluster's namespace. Inline
	// values are not listed: every inline package gets its Secret on every reconcile.
	Clone []*runv1alpha3.ClusterBootstrapPackage
	// ResolvedTKR is the TKR the spec now follows.
	ResolvedTKR string
}

// FromTemplate plans a new cluster's ClusterBootstrap: a copy of the template's spec (its labels
// and annotations are not copied), with every secretRef and providerRef cloned.
func FromTemplate(cbt *runv1alpha3.ClusterBootstrapTemplate) Plan {
	p := Plan{Spec: cbt.Spec.DeepCopy(), ResolvedTKR: cbt.Name}
	if p.Spec == nil {
		p.Spec = &runv1alpha3.ClusterBootstrapTemplateSpec{}
	}
	for _, pkg := range Packages(p.Spec) {
		if pkg != nil && refersToObject(pkg) {
			p.Clone = append(p.Clone, pkg)
		}
	}
	return p
}

// ForExisting plans a ClusterBootstrap that someone else created (the CLI, or a user who opted
// out of cloning) and that was never resolved (empty status.resolvedTKR).
//
// Without the add-missing-fields-from-tkr annotation (cbt nil) the spec is used as given: its
// providers and Secrets must exist in the cluster's namespace. With it, cbt is the template the
// annotation names; the fields the ClusterBootstrap leaves out are filled from it, and only the
// values it gains that way are cloned: packages that already had a providerRef or secretRef keep
// them under whatever names the user chose.
//
// Quirk kept: status.resolvedTKR becomes the annotation's TKR, not the Cluster's. When the two
// differ, the next reconcile upgrades the ClusterBootstrap to the Cluster's TKR with the upgrade
// rules, which is what the user asked for by resolving the Cluster elsewhere.
func ForExisting(cb *runv1alpha3.ClusterBootstrap, clusterTKR string, cbt *runv1alpha3.ClusterBootstrapTemplate) (Plan, error) {
	if cb.Spec == nil {
		return Plan{}, fmt.Errorf("ClusterBootstrap %s/%s has no spec", cb.Namespace, cb.Name)
	}
	if cbt == nil {
		return Plan{Spec: cb.Spec.DeepCopy(), ResolvedTKR: clusterTKR}, nil
	}
	if cbt.Spec == nil {
		return Plan{}, fmt.Errorf("ClusterBootstrapTemplate %s/%s has no spec", cbt.Namespace, cbt.Name)
	}
	template := cbt.Spec.DeepCopy()
	if _, unmanaged := cb.Annotations[runv1alpha3.AnnotationUnmanagedCNI]; unmanaged {
		// The user installs the CNI: the template's must not be added.
		template.CNI = cb.Spec.CNI.DeepCopy()
	}
	hadValues := valuesBySlot(cb.Spec)
	merged, err := AddMissingFields(cb.Spec, template)
	if err != nil {
		return Plan{}, fmt.Errorf("filling ClusterBootstrap %s/%s from ClusterBootstrapTemplate %s/%s: %w", cb.Namespace, cb.Name, cbt.Namespace, cbt.Name, err)
	}
	p := Plan{Spec: merged, ResolvedTKR: cbt.Name}
	for _, s := range slots(merged) {
		if !hadValues[s.slot] && refersToObject(s.pkg) {
			p.Clone = append(p.Clone, s.pkg)
		}
	}
	return p, nil
}

// Upgrade holds what an upgrade of a ClusterBootstrap to another TKR reads.
type Upgrade struct {
	// ClusterBootstrap is the cluster's, as stored.
	ClusterBootstrap *runv1alpha3.ClusterBootstrap
	// Template is the ClusterBootstrapTemplate of the new TKR.
	Template *runv1alpha3.ClusterBootstrapTemplate
	// OldTemplate is the template of status.resolvedTKR; nil when it no longer exists.
	OldTemplate *runv1alpha3.ClusterBootstrapTemplate
	// TKR is the new TKR; its bootstrapPackages move packages the template does not list.
	TKR *runv1alpha3.TanzuKubernetesRelease
	// CarvelRefName returns the Carvel refName (e.g. antrea.tanzu.vmware.com) of the Package a
	// ClusterBootstrap package names; additional packages are matched by it.
	CarvelRefName func(packageName string) (string, error)
}

// Plan computes the upgraded spec. Package versions follow the new TKR while the values the user
// chose are kept:
//   - the CNI cannot be switched: its refName moves to the TKR's package of the same name, its
//     valuesFrom stays; an unmanaged CNI stays absent;
//   - Kapp, CSI and CPI take the new template's refName and keep their valuesFrom; one the
//     ClusterBootstrap lacks is taken from the template, values cloned;
//   - additional packages are matched by Carvel refName: in both, the template's version wins and
//     values are kept (values appear only where neither the cluster nor the old template had
//     any); new in the template, appended and cloned; only in the cluster, moved to the TKR's
//     package of the same name if there is one, and never removed.
//
// Quirks fixed: a CNI, Kapp, CSI or CPI copied from the template is cloned like any other, rather
// than left pointing at the template's objects; a CSI or CPI the new template no longer has is
// moved by the TKR's packages (or kept) instead of crashing the controller.
func (u Upgrade) Plan() (Plan, error) {
	cb := u.ClusterBootstrap
	if cb.Spec == nil || u.Template.Spec == nil {
		return Plan{}, fmt.Errorf("ClusterBootstrap and ClusterBootstrapTemplate spec can't be nil")
	}
	spec := cb.Spec.DeepCopy()
	tmpl := u.Template.Spec
	p := Plan{Spec: spec, ResolvedTKR: u.Template.Name}
	adopt := func(from *runv1alpha3.ClusterBootstrapPackage) *runv1alpha3.ClusterBootstrapPackage {
		pkg := from.DeepCopy()
		if refersToObject(pkg) {
			p.Clone = append(p.Clone, pkg)
		}
		return pkg
	}

	// CNI.
	_, unmanaged := cb.Annotations[runv1alpha3.AnnotationUnmanagedCNI]
	switch {
	case unmanaged && spec.CNI != nil:
		return Plan{}, fmt.Errorf("Spec.CNI should be empty if the clusterbootstrap is annotated to use unmanaged CNI.")
	case unmanaged:
	case spec.CNI == nil && tmpl.CNI != nil:
		spec.CNI = adopt(tmpl.CNI)
	case spec.CNI != nil:
		prefix := ShortName(spec.CNI.RefName) + "."
		name, err := BootstrapPackageWithPrefix(u.TKR, prefix)
		if err != nil {
			return Plan{}, fmt.Errorf("unable to find any CNI bootstrap package prefixed with '%s' for ClusterBootstrap %s/%s in TKR: %w", prefix, cb.Namespace, cb.Name, err)
		}
		spec.CNI.RefName = name
	}

	// Kapp, CSI, CPI.
	for _, slot := range []struct {
		cur  **runv1alpha3.ClusterBootstrapPackage
		tmpl *runv1alpha3.ClusterBootstrapPackage
	}{
		{&spec.Kapp, tmpl.Kapp}, {&spec.CSI, tmpl.CSI}, {&spec.CPI, tmpl.CPI},
	} {
		switch {
		case *slot.cur == nil && slot.tmpl != nil:
			*slot.cur = adopt(slot.tmpl)
		case *slot.cur != nil && slot.tmpl != nil:
			(*slot.cur).RefName = slot.tmpl.RefName
		case *slot.cur != nil:
			if name, err := BootstrapPackageWithPrefix(u.TKR, ShortName((*slot.cur).RefName)+"."); err == nil {
				(*slot.cur).RefName = name
			}
		}
	}

	// Additional packages.
	oldValues := map[string]bool{} // exact package name in the old template → had values
	if u.OldTemplate != nil && u.OldTemplate.Spec != nil {
		for _, pkg := range u.OldTemplate.Spec.AdditionalPackages {
			if pkg != nil {
				oldValues[pkg.RefName] = hasValues(pkg)
			}
		}
	}
	inCluster := map[string]*runv1alpha3.ClusterBootstrapPackage{}
	for _, pkg := range spec.AdditionalPackages {
		if pkg == nil {
			continue
		}
		ref, err := u.CarvelRefName(pkg.RefName)
		if err != nil {
			return Plan{}, err
		}
		inCluster[ref] = pkg
	}
	matched := map[*runv1alpha3.ClusterBootstrapPackage]bool{}
	for _, t := range tmpl.AdditionalPackages {
		if t == nil {
			continue
		}
		ref, err := u.CarvelRefName(t.RefName)
		if err != nil {
			return Plan{}, err
		}
		cur, ok := inCluster[ref]
		if !ok {
			spec.AdditionalPackages = append(spec.AdditionalPackages, adopt(t))
			continue
		}
		matched[cur] = true
		hadOld, known := oldValues[cur.RefName]
		if !hasValues(cur) && known && !hadOld && hasValues(t) {
			cur.ValuesFrom = t.ValuesFrom.DeepCopy()
			if refersToObject(cur) {
				p.Clone = append(p.Clone, cur)
			}
		}
		cur.RefName = t.RefName
	}
	for _, cur := range spec.AdditionalPackages {
		if cur == nil || matched[cur] {
			continue
		}
		if slices.Contains(p.Clone, cur) {
			continue // appended from the template above
		}
		if name, err := BootstrapPackageWithPrefix(u.TKR, ShortName(cur.RefName)+"."); err == nil {
			cur.RefName = name
		}
	}
	return p, nil
}

// CloneSource returns the name of the system-namespace object a package's values refer to, and
// whether it is a Secret (secretRef) rather than a provider.
func CloneSource(pkg *runv1alpha3.ClusterBootstrapPackage) (name string, secret bool) {
	switch {
	case pkg == nil || pkg.ValuesFrom == nil:
		return "", false
	case pkg.ValuesFrom.SecretRef != "":
		return pkg.ValuesFrom.SecretRef, true
	case pkg.ValuesFrom.ProviderRef != nil:
		return pkg.ValuesFrom.ProviderRef.Name, false
	}
	return "", false
}

func refersToObject(pkg *runv1alpha3.ClusterBootstrapPackage) bool {
	name, _ := CloneSource(pkg)
	return name != ""
}

func hasValues(pkg *runv1alpha3.ClusterBootstrapPackage) bool {
	return pkg != nil && pkg.ValuesFrom != nil && pkg.ValuesFrom.CountFields() > 0
}

// slotted is a package with where it sits: "cni", "cpi", "csi", "kapp", or
// "additional/<refName>".
type slotted struct {
	slot string
	pkg  *runv1alpha3.ClusterBootstrapPackage
}

// slots lists the packages of spec with their slots, in Packages order, so what is built from
// them (the packages to clone) comes out in the same order every time.
func slots(spec *runv1alpha3.ClusterBootstrapTemplateSpec) []slotted {
	var out []slotted
	for i, pkg := range Packages(spec) {
		if pkg == nil {
			continue
		}
		slot := "additional/" + pkg.RefName
		if i < len(coreSlots) {
			slot = coreSlots[i]
		}
		out = append(out, slotted{slot, pkg})
	}
	return out
}

// coreSlots names the first entries of Packages.
var coreSlots = []string{"cni", "cpi", "csi", "kapp"}

// valuesBySlot reports, per slot of spec, whether the package there has values.
func valuesBySlot(spec *runv1alpha3.ClusterBootstrapTemplateSpec) map[string]bool {
	m := map[string]bool{}
	for _, s := range slots(spec) {
		m[s.slot] = hasValues(s.pkg)
	}
	return m
}
