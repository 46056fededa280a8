package tkrlabels

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// exclusionOrder is the order in which the exclusion labels are checked and reported. It is the
// original service's order for the reason of Ready=False, which users and tooling have seen.
var exclusionOrder = [...]string{
	runv1alpha3.LabelIncompatible,
	runv1alpha3.LabelDeactivated,
	runv1alpha3.LabelInvalid,
}

// derivedExclusions maps each exclusion label that is derived from a condition to that
// condition. LabelDeactivated has no entry: an administrator sets it by hand to take a release
// out of use, so no condition may clear it.
var derivedExclusions = [...]struct{ label, condition string }{
	{runv1alpha3.LabelIncompatible, runv1alpha3.ConditionCompatible},
	{runv1alpha3.LabelInvalid, runv1alpha3.ConditionValid},
}

// Exclusions returns the exclusion labels that conds imply, for a TKR or an OSImage:
// LabelIncompatible when the Compatible condition is False and LabelInvalid when the Valid
// condition is False. These are in set, each with the value "". The labels whose condition is
// not False (True, Unknown or missing) are in unset, in the order incompatible, invalid: the
// condition is the only authority on them, so a stale label must be removed.
// LabelDeactivated is in neither; it is kept as the object carries it.
func Exclusions(conds runv1alpha3.Conditions) (set map[string]string, unset []string) {
	for _, d := range derivedExclusions {
		if c := Condition(conds, d.condition); c != nil && c.Status == corev1.ConditionFalse {
			if set == nil {
				set = make(map[string]string, len(derivedExclusions))
			}
			set[d.label] = ""
		} else {
			unset = append(unset, d.label)
		}
	}
	return set, unset
}

// Excluded returns the first exclusion label present in labels, checking LabelIncompatible,
// LabelDeactivated and LabelInvalid in that order, or "" if none is present. An object with an
// exclusion label is never chosen by TKR resolution.
func Excluded(labels map[string]string) string {
	for _, l := range exclusionOrder {
		if _, ok := labels[l]; ok {
			return l
		}
	}
	return ""
}

// ExclusionCondition returns the condition type that exclusion label l is derived from
// (Compatible for LabelIncompatible, Valid for LabelInvalid), or "" for LabelDeactivated and
// any other label, which no condition decides.
func ExclusionCondition(l string) string {
	for _, d := range derivedExclusions {
		if d.label == l {
			return d.condition
		}
	}
	return ""
}

// Ready returns the Ready condition that labels imply: False with severity Warning when an
// exclusion label is present, the first one of incompatible, deactivated and invalid giving
// the reason (Incompatible, Deactivated or Invalid); True otherwise. LastTransitionTime is left
// zero for the caller, which knows whether the status changed.
func Ready(labels map[string]string) runv1alpha3.Condition {
	l := Excluded(labels)
	if l == "" {
		return runv1alpha3.Condition{Type: runv1alpha3.ConditionReady, Status: corev1.ConditionTrue}
	}
	return runv1alpha3.Condition{
		Type:     runv1alpha3.ConditionReady,
		Status:   corev1.ConditionFalse,
		Severity: runv1alpha3.ConditionSeverityWarning,
		Reason:   readyReason(l),
		Message:  fmt.Sprintf("It carries the label %q, which excludes it from TKR resolution.", l),
	}
}

func readyReason(l string) string {
	switch l {
	case runv1alpha3.LabelIncompatible:
		return runv1alpha3.ReasonIncompatible
	case runv1alpha3.LabelDeactivated:
		return runv1alpha3.ReasonDeactivated
	default:
		return runv1alpha3.ReasonInvalid
	}
}

// Condition returns the condition of type t in conds, or nil if there is none.
func Condition(conds runv1alpha3.Conditions, t string) *runv1alpha3.Condition {
	for i := range conds {
		if string(conds[i].Type) == t {
			return &conds[i]
		}
	}
	return nil
}
