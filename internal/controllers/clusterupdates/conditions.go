package clusterupdates

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// Reasons of the UpdatesAvailable condition besides runv1alpha3.ReasonAlreadyUpToDate and
// runv1alpha3.ReasonCannotParseTKR.
const (
	// ReasonUpdatesAvailable is the reason of UpdatesAvailable=True in the Cluster API v1beta2
	// conditions, which require a reason. The v1beta1 condition has none, as in the original.
	ReasonUpdatesAvailable = "UpdatesAvailable"
	// ReasonCannotComputeUpdates is the reason of UpdatesAvailable=Unknown when the TKR name
	// parses but the updates cannot be computed: the ClusterClass is missing, a selector does
	// not parse, a machine deployment names an unknown class, or the cluster is not resolved to
	// TKRs (no resolve-tkr annotation). The original returned an error or dereferenced nil.
	ReasonCannotComputeUpdates = "CannotComputeUpdates"
)

// condition is the UpdatesAvailable condition a Cluster should carry.
type condition struct {
	status corev1.ConditionStatus
	// reason is the v1beta2 reason; v1beta1Reason that of the v1beta1 condition.
	reason, v1beta1Reason string
	// severity is the v1beta1 severity, set only for False as Cluster API requires.
	severity clusterv1.ConditionSeverity
	message  string
}

// set writes want into both places where Cluster API keeps conditions, so readers of either
// API version find it under status.conditions:
//
//   - status.conditions (metav1.Condition), which v1beta2 readers see as status.conditions and
//     v1beta1 readers as status.v1beta2.conditions;
//   - status.deprecated.v1beta1.conditions (Cluster API's v1beta1 Condition, with severity),
//     which Cluster API's conversion turns into status.conditions for v1beta1 readers, such as
//     the Tanzu CLI and the original's clients.
//
// A nil want removes the condition from both. LastTransitionTime changes only with the status.
// set reports whether anything changed.
func set(c *clusterv1.Cluster, want *condition, now metav1.Time) bool {
	if want == nil {
		changed := meta.RemoveStatusCondition(&c.Status.Conditions, runv1alpha3.ConditionUpdatesAvailable)
		if d := c.Status.Deprecated; d != nil && d.V1Beta1 != nil {
			if i := indexOf(d.V1Beta1.Conditions); i >= 0 {
				d.V1Beta1.Conditions = append(d.V1Beta1.Conditions[:i:i], d.V1Beta1.Conditions[i+1:]...)
				changed = true
			}
		}
		return changed
	}

	changed := meta.SetStatusCondition(&c.Status.Conditions, metav1.Condition{
		Type:               runv1alpha3.ConditionUpdatesAvailable,
		Status:             metav1.ConditionStatus(want.status),
		ObservedGeneration: c.Generation,
		Reason:             want.reason,
		Message:            want.message,
		LastTransitionTime: now,
	})

	if c.Status.Deprecated == nil {
		c.Status.Deprecated = &clusterv1.ClusterDeprecatedStatus{}
	}
	if c.Status.Deprecated.V1Beta1 == nil {
		c.Status.Deprecated.V1Beta1 = &clusterv1.ClusterV1Beta1DeprecatedStatus{}
	}
	conds := &c.Status.Deprecated.V1Beta1.Conditions
	next := clusterv1.Condition{
		Type:               runv1alpha3.ConditionUpdatesAvailable,
		Status:             want.status,
		Severity:           want.severity,
		Reason:             want.v1beta1Reason,
		Message:            want.message,
		LastTransitionTime: now,
	}
	i := indexOf(*conds)
	if i < 0 {
		*conds = append(*conds, next)
		return true
	}
	old := (*conds)[i]
	if old.Status == next.Status {
		next.LastTransitionTime = old.LastTransitionTime
		if old.Severity == next.Severity && old.Reason == next.Reason && old.Message == next.Message {
			return changed
		}
	}
	(*conds)[i] = next
	return true
}

func indexOf(conds clusterv1.Conditions) int {
	for i := range conds {
		if conds[i].Type == runv1alpha3.ConditionUpdatesAvailable {
			return i
		}
	}
	return -1
}
