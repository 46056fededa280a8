/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package vsphere

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/tkrdata"
)

// The reasons a Cluster is left alone, in the original's words.
const (
	SkipNoTopology  = "skipping VM template resolution: topology not set"
	SkipNoTKRLabel  = "skipping VM template resolution: TKR label is not set (yet)"
	SkipNotResolved = "skipping VM template resolution: TKR is not fully resolved"
	SkipNoQueries   = "no queries to resolve, no-op"
)

// The keys of an osImageRef entry this package reads and writes.
const (
	refVersion  = "version"
	refTemplate = "template"
	refMOID     = "moid"
)

// Part is one node pool of a Cluster whose OS image needs a template.
type Part struct {
	// Name is "control plane" or "machine deployment <name>", as messages show it.
	Name string
	// MD is the machine deployment's index, -1 for the control plane.
	MD int
	// Query is what the part asks for; nil when its osImageRef already names a template, which
	// is then never overwritten.
	Query *Query
	// data is the TKR_DATA the part reads, to be written back with the template filled in.
	data tkrdata.TKRData
}

// Plan is what template resolution must do for one Cluster.
type Plan struct {
	// Version is spec.topology.version, the TKR_DATA key every part reads.
	Version string
	Parts   []Part
}

// Wanted returns each distinct query with the names of the parts asking it, the input of
// [Match]; empty when every part is already resolved.
func (p *Plan) Wanted() map[Query][]string {
	wanted := map[Query][]string{}
	for _, part := range p.Parts {
		if part.Query != nil {
			wanted[*part.Query] = append(wanted[*part.Query], part.Name)
		}
	}
	return wanted
}

// PlanFor reads what c needs. It returns a nil Plan and one of the Skip* reasons when c is not
// for template resolution (yet), and an error, worded as the original's, when its TKR_DATA
// cannot be used. The order of checks is the original's (spec §2.3).
func PlanFor(c tkrdata.Cluster) (*Plan, string, error) {
	if !c.HasTopology() {
		return nil, SkipNoTopology, nil
	}
	tkr := c.GetLabels()[runv1alpha3.LabelTKR]
	if tkr == "" {
		return nil, SkipNoTKRLabel, nil
	}
	data, err := tkrdata.Get(c)
	if err != nil {
		return nil, "", fmt.Errorf("error parsing TKR_DATA control plane variable: %w", err)
	}
	v := c.TopologyVersion()
	entry, ok := data[v]
	if !ok || (entry != nil && entry.Labels[runv1alpha3.LabelTKR] != tkr) {
		return nil, SkipNotResolved, nil
	}
	plan := &Plan{Version: v}
	q, err := queryFor(entry)
	if err != nil {
		return nil, "", fmt.Errorf("error building VM template query for the control plane, cluster '%s/%s': %w", c.GetNamespace(), c.GetName(), err)
	}
	plan.Parts = append(plan.Parts, Part{Name: "control plane", MD: -1, Query: q, data: data})
	for i, md := range c.MachineDeployments() {
		mdData, err := tkrdata.GetForMD(c, i)
		if err != nil {
			return nil, "", fmt.Errorf("error parsing TKR_DATA machine deployment %s: %w", md.Name, err)
		}
		mdEntry, ok := mdData[v]
		if !ok {
			continue // the override has no entry for this version: nothing to resolve (T14)
		}
		q, err := queryFor(mdEntry)
		if err != nil {
			return nil, "", fmt.Errorf("error building VM template query for machine deployment '%s', cluster '%s/%s': %w", md.Name, c.GetNamespace(), c.GetName(), err)
		}
		plan.Parts = append(plan.Parts, Part{Name: "machine deployment " + md.Name, MD: i, Query: q, data: mdData})
	}
	if len(plan.Wanted()) == 0 {
		return nil, SkipNoQueries, nil
	}
	return plan, "", nil
}

// queryFor builds the query of one TKR_DATA entry: nil when the entry already names a template.
func queryFor(e *tkrdata.Entry) (*Query, error) {
	if e == nil {
		return nil, errors.New("trying to resolve VM template for non-existent TKRData value")
	}
	if t, _ := e.OSImageRef[refTemplate].(string); t != "" {
		return nil, nil
	}
	ova, ok := e.OSImageRef[refVersion].(string)
	if !ok || ova == "" {
		return nil, errors.New("ova version is invalid or not found")
	}
	return &Query{OVAVersion: ova, OSInfo: OSInfo{
		Name:    e.Labels[runv1alpha3.LabelOSName],
		Version: e.Labels[runv1alpha3.LabelOSVersion],
		Arch:    e.Labels[runv1alpha3.LabelOSArch],
	}}, nil
}

// Apply writes the template found for every part into c: osImageRef.template and
// osImageRef.moid of the entry for p.Version, other keys and other versions untouched. The
// control plane's goes into the cluster-level TKR_DATA, a machine deployment's through
// [tkrdata.SetForMD], so a machine deployment that ends up equal to the cluster-level value
// carries no override. A part whose query has no result is an error, and nothing is written.
func (p *Plan) Apply(c tkrdata.Cluster, results map[Query]Result) error {
	for _, part := range p.Parts {
		if part.Query == nil {
			continue
		}
		if _, ok := results[*part.Query]; !ok {
			if part.MD < 0 {
				return fmt.Errorf("failed to resolve VM template for control plane: no result found for query %s", part.Query)
			}
			return fmt.Errorf("failed to resolve VM template for machine deployment [%d]: no result found for query %s", part.MD, part.Query)
		}
	}
	for _, part := range p.Parts {
		data := part.data
		if part.Query != nil {
			data = withTemplate(data, p.Version, results[*part.Query])
		}
		if part.MD < 0 {
			if err := tkrdata.Set(c, data); err != nil {
				return fmt.Errorf("error setting control plane TKR_DATA variable: %w", err)
			}
			continue
		}
		if err := tkrdata.SetForMD(c, part.MD, data); err != nil {
			return fmt.Errorf("error setting machine deployment [%d]'s TKR_DATA variable: %w", part.MD, err)
		}
	}
	return nil
}

// withTemplate returns a copy of data whose entry for version names r's template. The copy
// keeps the caller's maps intact: several parts may share the cluster-level value.
func withTemplate(data tkrdata.TKRData, version string, r Result) tkrdata.TKRData {
	out := make(tkrdata.TKRData, len(data))
	for k, v := range data {
		out[k] = v
	}
	e := *out[version]
	ref := make(map[string]interface{}, len(e.OSImageRef)+2)
	for k, v := range e.OSImageRef {
		ref[k] = v
	}
	if r.TemplatePath != "" {
		ref[refTemplate] = r.TemplatePath
	}
	if r.TemplateMOID != "" {
		ref[refMOID] = r.TemplateMOID
	}
	e.OSImageRef = ref
	out[version] = &e
	return out
}

// QueryForOSImage returns the query a Cluster resolved to tkr and osImage asks: it is built
// from the very TKR_DATA entry the resolver webhook writes, so `tkr preflight` and the webhook
// cannot disagree. An OSImage whose image type is not ova has no template to find (nil, nil).
func QueryForOSImage(tkr *runv1alpha3.TanzuKubernetesRelease, osImage *runv1alpha3.OSImage) (*Query, error) {
	if osImage.Spec.Image.Type != ImageTypeOVA {
		return nil, nil
	}
	e := tkrdata.NewEntry(tkr, osImage, "")
	delete(e.OSImageRef, refTemplate) // an OSImage that names a template still needs it checked
	q, err := queryFor(e)
	if err != nil {
		return nil, fmt.Errorf("OSImage %s: spec.image.ref.version: %w", osImage.Name, err)
	}
	return q, nil
}

// ImageTypeOVA is the OSImage image type whose images are vSphere VM templates.
const ImageTypeOVA = "ova"

// Summary says which template each part that asked got, e.g. "control plane, machine
// deployment md-0: /dc0/vm/ubuntu-2004-kube-v1.24.9+vmware.1-tkg.1 (vm-48)", one query a clause.
func (p *Plan) Summary(results map[Query]Result) string {
	var clauses []string
	for q, parts := range p.Wanted() {
		r := results[q]
		clauses = append(clauses, fmt.Sprintf("%s: %s (%s)", strings.Join(parts, ", "), r.TemplatePath, r.TemplateMOID))
	}
	slices.Sort(clauses)
	return strings.Join(clauses, "; ")
}
