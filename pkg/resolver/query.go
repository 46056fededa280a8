package resolver

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/version"
)

// Query asks for one TKR for a whole cluster and one OSImage of that TKR for each part of it.
// Its shape follows a Cluster API cluster topology.
type Query struct {
	// ControlPlane is the query for the control plane; nil means the control plane is not
	// to be resolved (for example because it already is).
	ControlPlane *OSImageQuery
	// MachineDeployments holds one query per machine deployment, by index; a nil entry
	// means that machine deployment is not to be resolved.
	MachineDeployments []*OSImageQuery
}

// OSImageQuery is the query for one part of a cluster: the control plane or one machine
// deployment.
type OSImageQuery struct {
	// Name names the part in explanations and errors, for a machine deployment its name in
	// spec.topology.workers.machineDeployments. If empty, the part is called "controlPlane" or
	// "machineDeployments[i]". The name plays no part in resolution.
	Name string
	// K8sVersionPrefix selects the TKRs whose version starts with it at a component boundary:
	// v1.24, 1.24, v1.24.9+vmware.1 and a full TKR version are all prefixes of
	// v1.24.9+vmware.1-tkg.1. A TKR named exactly Label(K8sVersionPrefix) is the only one
	// considered if it is a candidate at all.
	K8sVersionPrefix string
	// TKRSelector must match the labels of a candidate TKR. nil means every TKR.
	TKRSelector labels.Selector
	// OSImageSelector must match the labels of a candidate OSImage. nil means every OSImage.
	OSImageSelector labels.Selector
}

// ControlPlaneName is the name of the control plane part when OSImageQuery.Name is empty.
const ControlPlaneName = "controlPlane"

// partName returns the name of the part at position md (-1 for the control plane).
func partName(q *OSImageQuery, md int) string {
	switch {
	case q != nil && q.Name != "":
		return q.Name
	case md < 0:
		return ControlPlaneName
	default:
		return fmt.Sprintf("machineDeployments[%d]", md)
	}
}

// String returns the query in the form the original service printed in its denials:
// {controlPlane: <cp>, machineDeployments: [<md0> <md1> ...]}, each part as
// OSImageQuery.String prints it and a nil part as nil.
func (q Query) String() string {
	return formatParts(q.ControlPlane, q.MachineDeployments)
}

// formatParts formats a query or result as {controlPlane: <cp>, machineDeployments: [<md0>
// <md1> ...]}.
func formatParts[T fmt.Stringer](cp T, mds []T) string {
	var b strings.Builder
	b.WriteString("{controlPlane: ")
	b.WriteString(cp.String())
	b.WriteString(", machineDeployments: [")
	for i, md := range mds {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(md.String())
	}
	b.WriteString("]}")
	return b.String()
}

// String returns {k8sVersionPrefix: '<prefix>', tkrSelector: '<selector>',
// osImageSelector: '<selector>'}, with the selectors as the caller gave them; an empty or nil
// selector prints as an empty pair of quotes. A nil query prints as nil.
func (q *OSImageQuery) String() string {
	if q == nil {
		return "nil"
	}
	return fmt.Sprintf("{k8sVersionPrefix: '%s', tkrSelector: '%s', osImageSelector: '%s'}",
		q.K8sVersionPrefix, selectorString(q.TKRSelector), selectorString(q.OSImageSelector))
}

func selectorString(s labels.Selector) string {
	if s == nil {
		return ""
	}
	return s.String()
}

// Validate returns an error for each part whose version prefix cannot select any TKR, whatever
// the catalogue holds (see version.ValidatePrefix), naming the part. Such a part resolves to
// nothing, and so does the whole query. Resolve reports the same errors in Result.Err.
func (q Query) Validate() error {
	var errs []error
	q.each(func(md int, p *OSImageQuery) {
		if err := p.validate(md); err != nil {
			errs = append(errs, err)
		}
	})
	return errors.Join(errs...)
}

func (q *OSImageQuery) validate(md int) error {
	if err := version.ValidatePrefix(q.K8sVersionPrefix); err != nil {
		return fmt.Errorf("%s: %w", partName(q, md), err)
	}
	return nil
}

// each calls f for every non-nil part, the control plane (md -1) first and then the machine
// deployments in order.
func (q Query) each(f func(md int, p *OSImageQuery)) {
	if q.ControlPlane != nil {
		f(-1, q.ControlPlane)
	}
	for i, p := range q.MachineDeployments {
		if p != nil {
			f(i, p)
		}
	}
}

// Normalize returns the query with the selectors Resolve effectively applies, for display and
// for tools that match objects themselves (such as kubectl get -l): each TKR selector gains
// the requirement that the label Label(K8sVersionPrefix) exists, and both selectors gain
// !incompatible,!deactivated,!invalid. A nil selector counts as everything. The exact-name
// rule and the requirement that a TKR lists a matching OSImage cannot be written as selectors
// and are not included. Parts whose prefix Validate rejects are returned unchanged, together
// with Validate's error. q itself is not modified.
func (q Query) Normalize() (Query, error) {
	out := Query{MachineDeployments: make([]*OSImageQuery, len(q.MachineDeployments))}
	var errs []error
	q.each(func(md int, p *OSImageQuery) {
		n, err := p.normalize(md)
		if err != nil {
			errs = append(errs, err)
		}
		if md < 0 {
			out.ControlPlane = n
		} else {
			out.MachineDeployments[md] = n
		}
	})
	return out, errors.Join(errs...)
}

// exclusionRequirements are !incompatible,!deactivated,!invalid.
var exclusionRequirements = func() []labels.Requirement {
	var rs []labels.Requirement
	for _, l := range []string{runv1alpha3.LabelIncompatible, runv1alpha3.LabelDeactivated, runv1alpha3.LabelInvalid} {
		r, err := labels.NewRequirement(l, selection.DoesNotExist, nil)
		if err != nil {
			panic(err) // constant, valid label keys
		}
		rs = append(rs, *r)
	}
	return rs
}()

func (q *OSImageQuery) normalize(md int) (*OSImageQuery, error) {
	n := *q
	if err := q.validate(md); err != nil {
		return &n, err
	}
	prefix, err := labels.NewRequirement(version.Label(q.K8sVersionPrefix), selection.Exists, nil)
	if err != nil {
		// ValidatePrefix accepted the key, so this is a disagreement between the two.
		return &n, fmt.Errorf("%s: version prefix %q gives the label key %q, which label selectors reject: %w",
			partName(q, md), q.K8sVersionPrefix, version.Label(q.K8sVersionPrefix), err)
	}
	n.TKRSelector = orEverything(q.TKRSelector).Add(append([]labels.Requirement{*prefix}, exclusionRequirements...)...)
	n.OSImageSelector = orEverything(q.OSImageSelector).Add(exclusionRequirements...)
	return &n, nil
}

func orEverything(s labels.Selector) labels.Selector {
	if s == nil {
		return labels.Everything()
	}
	return s
}
