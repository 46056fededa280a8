package bootstrap

import (
	"errors"
	"fmt"
	"strings"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// Wildcard ends a package refName that names only a prefix, e.g. "calico*"; the defaulting
// webhook completes it to the TKR's bootstrap package with that prefix.
const Wildcard = "*"

// Packages returns the spec's packages in the order the webhooks and the controller visit them:
// cni, cpi, csi, kapp, then the additional packages. Nil packages are included as nil, so the
// caller sees every slot. A nil spec has none.
func Packages(spec *runv1alpha3.ClusterBootstrapTemplateSpec) []*runv1alpha3.ClusterBootstrapPackage {
	if spec == nil {
		return nil
	}
	pkgs := []*runv1alpha3.ClusterBootstrapPackage{spec.CNI, spec.CPI, spec.CSI, spec.Kapp}
	return append(pkgs, spec.AdditionalPackages...)
}

// CompleteRefNames replaces, in place, every package refName of spec that ends in "*" with the
// one name among tkr.spec.bootstrapPackages that starts with the text before the "*". It stops at
// the first refName that matches no name or several, and then returns that error with spec
// possibly partly completed; the webhook rejects the request in that case, so nothing partial is
// stored. Full names are left alone.
func CompleteRefNames(spec *runv1alpha3.ClusterBootstrapTemplateSpec, tkr *runv1alpha3.TanzuKubernetesRelease) error {
	if spec == nil {
		return errors.New("missing spec definition")
	}
	for _, pkg := range Packages(spec) {
		if pkg == nil || !strings.HasSuffix(pkg.RefName, Wildcard) {
			continue
		}
		name, err := uniqueBootstrapPackage(tkr, strings.TrimSuffix(pkg.RefName, Wildcard))
		if err != nil {
			return err
		}
		pkg.RefName = name
	}
	return nil
}

// uniqueBootstrapPackage is the one bootstrap package name of tkr that starts with prefix.
func uniqueBootstrapPackage(tkr *runv1alpha3.TanzuKubernetesRelease, prefix string) (string, error) {
	if tkr == nil {
		return "", fmt.Errorf("no TanzuKubernetesRelease to complete the package prefix %s from", prefix)
	}
	var found string
	names := make([]string, 0, len(tkr.Spec.BootstrapPackages))
	for _, p := range tkr.Spec.BootstrapPackages {
		names = append(names, p.Name)
		if !strings.HasPrefix(p.Name, prefix) {
			continue
		}
		if found != "" {
			// Quirk (kept): "matche" is the original's spelling; runbooks search for this text.
			return "", fmt.Errorf("multiple bootstrapPackage names matche the prefix %s within the TanzuKubernetesRelease %s", prefix, tkr.Name)
		}
		found = p.Name
	}
	if found == "" {
		// The original printed the Go structs ("[[{a} {b}]]"); the names alone say the same and
		// can be copied into a refName.
		return "", fmt.Errorf("no bootstrapPackage name matches the prefix %s within the BootstrapPackages [%s] of TanzuKubernetesRelease %s", prefix, strings.Join(names, " "), tkr.Name)
	}
	return found, nil
}

// BootstrapPackageWithPrefix returns the first tkr.spec.bootstrapPackages[].name that starts with
// prefix. An upgrade uses it to move a package (the CNI, or an additional package the template
// does not list) to the new TKR's version of the same package; unlike CompleteRefNames it takes
// the first match, because the prefix is a package's short name and TKRs list each package once.
func BootstrapPackageWithPrefix(tkr *runv1alpha3.TanzuKubernetesRelease, prefix string) (string, error) {
	if tkr == nil || len(tkr.Spec.BootstrapPackages) == 0 {
		return "", errors.New("unable to find any bootstrap packages in the TKR object")
	}
	for _, p := range tkr.Spec.BootstrapPackages {
		if strings.HasPrefix(p.Name, prefix) {
			return p.Name, nil
		}
	}
	return "", fmt.Errorf("no bootstrap package prefixed with '%s' is found in the TKR object", prefix)
}
