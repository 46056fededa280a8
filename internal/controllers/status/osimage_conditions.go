package status

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// Reasons of an OSImage's Compatible condition, which follows the TKRs that ship the image.
const (
	// ReasonShippedByCompatibleRelease (True): at least one compatible TKR ships the image.
	ReasonShippedByCompatibleRelease = "ShippedByCompatibleRelease"
	// ReasonOnlyIncompatibleReleases (False): every TKR that ships the image is incompatible.
	ReasonOnlyIncompatibleReleases = "OnlyIncompatibleReleases"
	// ReasonReleaseCompatibilityUnknown (Unknown): no shipping TKR is compatible, and the
	// compatibility of some is unknown.
	ReasonReleaseCompatibilityUnknown = "ReleaseCompatibilityUnknown"
	// ReasonNotShipped (Unknown): no TKR references the image.
	ReasonNotShipped = "NotShipped"
)

// osImageConditions keeps the Compatible, Valid and Ready conditions, and the incompatible and
// invalid labels, on OSImages, so the COMPATIBLE column of `kubectl get osimg` is filled and
// resolution skips images only incompatible releases use.
type osImageConditions struct {
	client client.Client
}

// Reconcile recomputes the conditions of one OSImage and writes what changed.
func (r *osImageConditions) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	img := &runv1alpha3.OSImage{}
	if err := r.client.Get(ctx, req.NamespacedName, img); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !img.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	l := &runv1alpha3.TanzuKubernetesReleaseList{}
	if err := r.client.List(ctx, l, client.MatchingFields{osImageIndex: img.Name}); err != nil {
		return ctrl.Result{}, fmt.Errorf("listing the TKRs that ship OSImage %s: %w", img.Name, err)
	}
	if err := writeConditions(ctx, r.client, img, osImageCompatible(l.Items), validOSImage(img)); err != nil {
		return ctrl.Result{}, fmt.Errorf("writing the conditions of OSImage %s: %w", img.Name, err)
	}
	return ctrl.Result{}, nil
}

// osImageCompatible derives an OSImage's Compatible condition from the TKRs that ship it: True
// if any of them is compatible, False if all of them are incompatible, Unknown otherwise,
// including when none ships it. TKRs being deleted no longer count.
func osImageCompatible(shipping []runv1alpha3.TanzuKubernetesRelease) runv1alpha3.Condition {
	var compatible, incompatible, unknown []string
	for i := range shipping {
		tkr := &shipping[i]
		if !tkr.DeletionTimestamp.IsZero() {
			continue
		}
		switch compatibleStatus(tkr) {
		case corev1.ConditionTrue:
			compatible = append(compatible, tkr.Name)
		case corev1.ConditionFalse:
			incompatible = append(incompatible, tkr.Name)
		default:
			unknown = append(unknown, tkr.Name)
		}
	}
	list := func(names []string) string {
		slices.Sort(names)
		return strings.Join(names, ", ")
	}
	switch {
	case len(compatible) > 0:
		return newCondition(runv1alpha3.ConditionCompatible, corev1.ConditionTrue, ReasonShippedByCompatibleRelease,
			fmt.Sprintf("Compatible releases ship it: %s.", list(compatible)))
	case len(incompatible) == 0 && len(unknown) == 0:
		return newCondition(runv1alpha3.ConditionCompatible, corev1.ConditionUnknown, ReasonNotShipped,
			"No TanzuKubernetesRelease lists it in spec.osImages, so no release decides its compatibility. Reference it from a release's spec.osImages, or delete it if no release needs it.")
	case len(unknown) == 0:
		return newCondition(runv1alpha3.ConditionCompatible, corev1.ConditionFalse, ReasonOnlyIncompatibleReleases,
			fmt.Sprintf("Only incompatible releases ship it: %s. Their Compatible conditions say why and what to do.", list(incompatible)))
	}
	msg := fmt.Sprintf("No release that ships it is known to be compatible; the compatibility of %s is unknown", list(unknown))
	if len(incompatible) > 0 {
		msg += fmt.Sprintf(" (incompatible: %s)", list(incompatible))
	}
	return newCondition(runv1alpha3.ConditionCompatible, corev1.ConditionUnknown, ReasonReleaseCompatibilityUnknown,
		msg+". Their Compatible conditions say what is missing.")
}
