package status

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/version"
)

// Reasons of Valid=False, for the first problem found.
const (
	// ReasonInvalidVersion: the TKR's spec.version does not parse.
	ReasonInvalidVersion = "InvalidVersion"
	// ReasonInvalidKubernetesVersion: a TKR's spec.kubernetes.version or an OSImage's
	// spec.kubernetesVersion does not parse.
	ReasonInvalidKubernetesVersion = "InvalidKubernetesVersion"
	// ReasonNameMismatch: the TKR's name is not the label form of its spec.version.
	ReasonNameMismatch = "NameMismatch"
	// ReasonOSImageMissing: an OSImage the TKR references does not exist.
	ReasonOSImageMissing = "OSImageMissing"
	// ReasonKubernetesVersionMismatch: a referenced OSImage carries another Kubernetes version.
	ReasonKubernetesVersionMismatch = "KubernetesVersionMismatch"
	// ReasonBootstrapTemplateMissing: the TKR has bootstrap packages but no
	// ClusterBootstrapTemplate.
	ReasonBootstrapTemplateMissing = "BootstrapTemplateMissing"
)

// problem is one thing wrong with an object: a reason and a sentence naming it and the fix.
type problem struct{ reason, message string }

// validCondition is Valid=True without problems, else False with the first problem's reason and
// every problem's sentence, so one read of the condition shows all there is to fix.
func validCondition(problems []problem) runv1alpha3.Condition {
	if len(problems) == 0 {
		return newCondition(runv1alpha3.ConditionValid, corev1.ConditionTrue, "", "")
	}
	msgs := make([]string, 0, len(problems))
	for _, p := range problems {
		msgs = append(msgs, p.message)
	}
	return newCondition(runv1alpha3.ConditionValid, corev1.ConditionFalse, problems[0].reason, strings.Join(msgs, " "))
}

// validTKR decides the Valid condition of tkr. images holds the referenced OSImages that exist;
// hasTemplate says whether the ClusterBootstrapTemplate named after tkr exists in namespace ns.
//
// A TKR is valid when its versions parse, its name is the label form of spec.version (what
// resolution and the cluster's run.tanzu.vmware.com/tkr label rely on), every OSImage it
// references exists and carries its Kubernetes version, and, if it lists bootstrap packages,
// the ClusterBootstrapTemplate holding their defaults exists.
func validTKR(tkr *runv1alpha3.TanzuKubernetesRelease, images map[string]*runv1alpha3.OSImage, hasTemplate bool, ns string) runv1alpha3.Condition {
	var ps []problem
	if _, err := version.Parse(tkr.Spec.Version); err != nil {
		ps = append(ps, problem{ReasonInvalidVersion, fmt.Sprintf(
			"spec.version is invalid: %v. Set it to the release's full SemVer, e.g. v1.24.9+vmware.1-tkg.1.", err)})
	} else if want := version.Label(tkr.Spec.Version); tkr.Name != want {
		ps = append(ps, problem{ReasonNameMismatch, fmt.Sprintf(
			"The name %s does not match spec.version %s, which requires the name %s (the version with every + written as ---). Recreate the release under that name, or correct spec.version.",
			tkr.Name, tkr.Spec.Version, want)})
	}
	k8s := tkr.Spec.Kubernetes.Version
	if _, err := version.Parse(k8s); err != nil {
		ps = append(ps, problem{ReasonInvalidKubernetesVersion, fmt.Sprintf(
			"spec.kubernetes.version is invalid: %v. Set it to the Kubernetes SemVer the release ships, e.g. v1.24.9+vmware.1.", err)})
	}
	seen := map[string]bool{}
	for _, ref := range tkr.Spec.OSImages {
		if seen[ref.Name] {
			continue
		}
		seen[ref.Name] = true
		img, ok := images[ref.Name]
		switch {
		case !ok:
			ps = append(ps, problem{ReasonOSImageMissing, fmt.Sprintf(
				"spec.osImages references OSImage %s, which does not exist. Create the OSImage, or remove it from spec.osImages.", ref.Name)})
		case version.WithV(img.Spec.KubernetesVersion) != version.WithV(k8s):
			ps = append(ps, problem{ReasonKubernetesVersionMismatch, fmt.Sprintf(
				"OSImage %s has spec.kubernetesVersion %s, but this release's spec.kubernetes.version is %s. Reference an OSImage built for %s, or correct the versions.",
				ref.Name, img.Spec.KubernetesVersion, k8s, k8s)})
		}
	}
	if len(tkr.Spec.BootstrapPackages) > 0 && !hasTemplate {
		ps = append(ps, problem{ReasonBootstrapTemplateMissing, fmt.Sprintf(
			"spec.bootstrapPackages lists packages, but there is no ClusterBootstrapTemplate %s/%s with their add-on defaults. Create it (the release's package normally installs it), or remove spec.bootstrapPackages.",
			ns, tkr.Name)})
	}
	return validCondition(ps)
}

// validOSImage decides the Valid condition of an OSImage. It is deliberately narrow: only a
// Kubernetes version that does not parse makes an OSImage invalid, because its version-prefix
// labels and every match against a TKR's Kubernetes version depend on it. Whether the TKRs that
// ship it agree with it is the TKRs' Valid condition.
func validOSImage(img *runv1alpha3.OSImage) runv1alpha3.Condition {
	var ps []problem
	if _, err := version.Parse(img.Spec.KubernetesVersion); err != nil {
		ps = append(ps, problem{ReasonInvalidKubernetesVersion, fmt.Sprintf(
			"spec.kubernetesVersion is invalid: %v. Set it to the Kubernetes SemVer the image carries, e.g. v1.24.9+vmware.1.", err)})
	}
	return validCondition(ps)
}
