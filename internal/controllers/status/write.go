package status

import (
	"context"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/tkrlabels"
)

// conditioned is a kind whose conditions and exclusion labels the conditions controllers keep.
type conditioned interface {
	labeled
	GetConditions() runv1alpha3.Conditions
	SetConditions(runv1alpha3.Conditions)
}

// newCondition builds a condition with the severity its status calls for: none when True,
// Warning when False (the object is excluded from resolution), Info when Unknown.
func newCondition(t string, status corev1.ConditionStatus, reason, message string) runv1alpha3.Condition {
	c := runv1alpha3.Condition{Type: runv1alpha3.ConditionType(t), Status: status, Reason: reason, Message: message}
	switch status {
	case corev1.ConditionFalse:
		c.Severity = runv1alpha3.ConditionSeverityWarning
	case corev1.ConditionUnknown:
		c.Severity = runv1alpha3.ConditionSeverityInfo
	}
	return c
}

// writeConditions makes obj carry the derived conditions (Compatible and Valid), the
// incompatible and invalid labels they imply, and the Ready condition the resulting labels give.
// It writes nothing when everything is already so, which is what stops the watch of obj from
// looping.
//
// Labels go first, in a merge patch of only the two exclusion keys, so the exclusion takes effect
// as early as possible and the labeler's keys and the administrator's deactivated label are
// never touched. Conditions then go to the status subresource with an optimistic lock, because a
// merge patch replaces the whole list and must not drop a condition someone else just wrote.
// A conflict is not an error: the write that caused it is an event that reconciles obj again.
func writeConditions[T conditioned](ctx context.Context, c client.Client, obj T, derived ...runv1alpha3.Condition) error {
	set, unset := tkrlabels.Exclusions(derived)
	labels, changed := withExclusions(obj.GetLabels(), set, unset)
	want := append(slices.Clone(derived), readyCondition(labels))
	if changed {
		orig := obj.DeepCopyObject().(T)
		obj.SetLabels(labels)
		if err := c.Patch(ctx, obj, client.MergeFrom(orig)); err != nil {
			return ignoreGoneOrConflict(err)
		}
	}
	// Merged into what the label patch returned, the freshest status there is.
	conds, now := obj.GetConditions(), metav1.Now().Rfc3339Copy()
	for _, w := range want {
		conds = conds.With(w, now)
	}
	if equality.Semantic.DeepEqual(conds, obj.GetConditions()) {
		return nil
	}
	orig := obj.DeepCopyObject().(T)
	obj.SetConditions(conds)
	return ignoreGoneOrConflict(c.Status().Patch(ctx, obj, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})))
}

// withExclusions returns labels with the set labels added and the unset ones removed, and
// whether that changed anything. labels itself is not modified: it belongs to the cached object.
func withExclusions(labels, set map[string]string, unset []string) (map[string]string, bool) {
	changed := false
	for k, v := range set {
		if cur, ok := labels[k]; !ok || cur != v {
			changed = true
		}
	}
	for _, k := range unset {
		if _, ok := labels[k]; ok {
			changed = true
		}
	}
	if !changed {
		return labels, false
	}
	out := maps.Clone(labels)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, set)
	for _, k := range unset {
		delete(out, k)
	}
	return out, true
}

// readyCondition is tkrlabels.Ready, the one rule for Ready, with a message that says why the
// exclusion label is there and what to do about it.
func readyCondition(labels map[string]string) runv1alpha3.Condition {
	c := tkrlabels.Ready(labels)
	switch c.Reason {
	case runv1alpha3.ReasonIncompatible:
		c.Message = "It carries the label incompatible, which excludes it from TKR resolution, because its Compatible condition is False; that condition says why and what to do."
	case runv1alpha3.ReasonDeactivated:
		c.Message = "An administrator deactivated it with the label deactivated, which excludes it from TKR resolution; remove the deactivated label to use it again."
	case runv1alpha3.ReasonInvalid:
		c.Message = "It carries the label invalid, which excludes it from TKR resolution, because its Valid condition is False; fix what that condition names."
	}
	return c
}

// ignoreGoneOrConflict drops the write errors that need no retry: the object was deleted, or it
// changed under us and the change will reconcile it again.
func ignoreGoneOrConflict(err error) error {
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}
