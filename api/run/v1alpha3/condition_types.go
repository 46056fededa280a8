/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha3

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The types below reproduce the wire shape of Cluster API v1beta1 conditions,
// which is what existing TKR, OSImage and ClusterBootstrap objects carry.
// They are defined here rather than imported because Cluster API deprecated
// its v1beta1 package; owning them keeps this API stable when it goes away.

// ConditionType is the kind of a condition, in CamelCase.
type ConditionType string

// ConditionSeverity classifies the reason of a condition that is not True.
type ConditionSeverity string

// Condition severities, with the same values as Cluster API v1beta1.
const (
	// ConditionSeverityError means the condition blocks progress and needs attention.
	ConditionSeverityError ConditionSeverity = "Error"
	// ConditionSeverityWarning means the condition is not blocking but may need attention.
	ConditionSeverityWarning ConditionSeverity = "Warning"
	// ConditionSeverityInfo means the condition is informational only.
	ConditionSeverityInfo ConditionSeverity = "Info"
	// ConditionSeverityNone is the severity of a True condition.
	ConditionSeverityNone ConditionSeverity = ""
)

// Condition is one observation about an object, in the Cluster API v1beta1 shape.
type Condition struct {
	// Type of the condition, in CamelCase or in foo.example.com/CamelCase.
	// +required
	Type ConditionType `json:"type"`

	// Status of the condition: True, False or Unknown.
	// +required
	Status corev1.ConditionStatus `json:"status"`

	// Severity classifies a Reason code, so that the reader can tell how
	// serious a condition that is not True is. Empty when Status is True.
	// +optional
	Severity ConditionSeverity `json:"severity,omitempty"`

	// LastTransitionTime is when the condition last changed status.
	// +required
	LastTransitionTime metav1.Time `json:"lastTransitionTime,omitempty"`

	// Reason is a CamelCase code for the last transition.
	// +optional
	Reason string `json:"reason,omitempty"`

	// Message is a human readable explanation of the last transition.
	// +optional
	Message string `json:"message,omitempty"`
}

// Conditions is a list of conditions, at most one per type.
type Conditions []Condition

// With returns the conditions with c in place of the one of its type, or appended; cs itself is
// not modified (it may belong to a cache). c's LastTransitionTime becomes now unless the
// condition keeps its status and already had a transition time, so the time tells when the
// object last changed state, not when it was last looked at.
func (cs Conditions) With(c Condition, now metav1.Time) Conditions {
	out := make(Conditions, len(cs), len(cs)+1)
	copy(out, cs)
	c.LastTransitionTime = now
	for i := range out {
		if out[i].Type != c.Type {
			continue
		}
		if out[i].Status == c.Status && !out[i].LastTransitionTime.IsZero() {
			c.LastTransitionTime = out[i].LastTransitionTime
		}
		out[i] = c
		return out
	}
	return append(out, c)
}
