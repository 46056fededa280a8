/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package vsphere

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Inventory is every VM of one datacenter that matching considers.
type Inventory struct {
	// Datacenter is the datacenter's inventory path, e.g. /dc0; messages name it.
	Datacenter string
	VMs        []VM
}

// Match finds the template for every query in wanted, whose values name the parts asking for
// it (e.g. "control plane", "machine deployment md-0"); the names only serve the error.
//
// A query is answered by a VM whose [VM.Key] equals it and which is [VM.Usable]. When several
// are, the choice is deterministic (the original took whichever vCenter listed first): the
// template with the smallest inventory path wins, then the smallest MOID; the others are listed
// in [Result.Others]. So the same inventory always gives the same template, whatever order a
// property collector returns.
//
// Queries with no template are reported together in a *[NotFoundError]; the results found are
// returned as well, for callers such as preflight that report per query. The webhook denies the
// Cluster when there is any miss, as the original did.
func Match(inv *Inventory, wanted map[Query][]string) (map[Query]Result, error) {
	results := make(map[Query]Result, len(wanted))
	var usable []*VM
	for i := range inv.VMs {
		vm := &inv.VMs[i]
		if !vm.Usable() {
			continue
		}
		usable = append(usable, vm)
		q := vm.Key()
		if _, ok := wanted[q]; !ok {
			continue
		}
		r, found := results[q]
		switch {
		case !found:
			results[q] = Result{TemplatePath: vm.Path, TemplateMOID: vm.MOID}
			continue
		case before(vm, r.TemplatePath, r.TemplateMOID):
			r.Others = append(r.Others, r.TemplatePath)
			r.TemplatePath, r.TemplateMOID = vm.Path, vm.MOID
		default:
			r.Others = append(r.Others, vm.Path)
		}
		slices.Sort(r.Others)
		results[q] = r
	}
	if len(results) == len(wanted) {
		return results, nil
	}
	nf := &NotFoundError{Datacenter: inv.Datacenter, Templates: len(usable)}
	for q, parts := range wanted {
		if _, ok := results[q]; ok {
			continue
		}
		nf.Misses = append(nf.Misses, miss(inv, q, parts))
	}
	slices.SortFunc(nf.Misses, func(a, b Miss) int { return compareQueries(a.Query, b.Query) })
	return results, nf
}

// before reports whether vm wins over the template at path and moid.
func before(vm *VM, path, moid string) bool {
	if vm.Path != path {
		return vm.Path < path
	}
	return vm.MOID < moid
}

func compareQueries(a, b Query) int {
	return cmp.Or(
		cmp.Compare(a.OVAVersion, b.OVAVersion),
		cmp.Compare(a.OSInfo.Name, b.OSInfo.Name),
		cmp.Compare(a.OSInfo.Version, b.OSInfo.Version),
		cmp.Compare(a.OSInfo.Arch, b.OSInfo.Arch),
	)
}

// miss collects the near misses of q: images of the same OVA and OS that are not usable
// templates, and images of the same OVA VERSION built for another OS.
func miss(inv *Inventory, q Query, parts []string) Miss {
	m := Miss{Query: q, Parts: slices.Sorted(slices.Values(parts))}
	for _, vm := range inv.VMs {
		switch {
		case !vm.Image():
		case vm.Key() == q:
			m.Convertible = append(m.Convertible, vm)
		case vm.OVA.Version == q.OVAVersion:
			m.OtherOS = append(m.OtherOS, vm)
		}
	}
	byPath := func(a, b VM) int { return cmp.Compare(a.Path, b.Path) }
	slices.SortFunc(m.Convertible, byPath)
	slices.SortFunc(m.OtherOS, byPath)
	return m
}

// Miss is a query no template answers.
type Miss struct {
	Query Query
	// Parts name what asked for the query.
	Parts []string
	// Convertible are images of exactly this OVA and OS that are VMs rather than templates
	// (or are powered on): converting one to a template fixes the miss.
	Convertible []VM
	// OtherOS are images with the query's VERSION but another DISTRO_NAME, DISTRO_VERSION or
	// DISTRO_ARCH.
	OtherOS []VM
}

// Summary is the miss's sentence in the original's words, which runbooks and scripts match:
// "unable to find VM Template associated with OVA Version <v>. Please upload ..." or "..., but
// found these VM(s) [...] that can be used once converted to a VM Template".
func (m *Miss) Summary() string {
	if len(m.Convertible) > 0 {
		names := make([]string, len(m.Convertible))
		for i, vm := range m.Convertible {
			names[i] = vm.Path
		}
		return fmt.Sprintf("unable to find VM Template associated with OVA Version %s, but found these VM(s) [%s] that can be used once converted to a VM Template",
			m.Query.OVAVersion, strings.Join(names, ","))
	}
	return fmt.Sprintf("unable to find VM Template associated with OVA Version %s. Please upload at least one VM Template to continue", m.Query.OVAVersion)
}

// Details explains the miss for a user: what was looked for where, what was found instead and
// what to do. Every line is a complete sentence; datacenter and templates come from the
// [NotFoundError].
func (m *Miss) Details(datacenter string, templates int) []string {
	var lines []string
	who := ""
	if len(m.Parts) > 0 {
		who = strings.Join(m.Parts, ", ") + ": "
	}
	searched := fmt.Sprintf("%d templates were searched", templates)
	if templates == 1 {
		searched = "1 template was searched"
	}
	lines = append(lines, fmt.Sprintf("%slooked in datacenter %s for a powered-off VM template whose vApp properties (category %q) are %s; %s.",
		who, datacenter, PropertyCategory, m.Query.Describe(), searched))
	for _, vm := range m.Convertible {
		if vm.Template {
			continue // a template that is not usable is powered on, which vCenter does not allow; nothing to advise
		}
		fix := "mark it as a template with: govc vm.markastemplate " + vm.Path
		if !vm.PoweredOff {
			fix = "power it off (govc vm.power -off " + vm.Path + ") and mark it as a template with: govc vm.markastemplate " + vm.Path
		}
		lines = append(lines, fmt.Sprintf("Found VM %s (%s) with this OVA version and OS, but it is not a template; %s.", vm.Path, vm.MOID, fix))
	}
	for _, vm := range m.OtherOS {
		kind := "VM"
		if vm.Template {
			kind = "template"
		}
		lines = append(lines, fmt.Sprintf("Found %s %s (%s) with VERSION=%s but DISTRO_NAME=%s, DISTRO_VERSION=%s, DISTRO_ARCH=%s; the OSImage's os-name, os-version and os-arch labels must match the OVA's DISTRO_* properties.",
			kind, vm.Path, vm.MOID, vm.OVA.Version, orNone(vm.OVA.DistroName), orNone(vm.OVA.DistroVersion), orNone(vm.OVA.DistroArch)))
	}
	if len(m.Convertible) == 0 {
		lines = append(lines, fmt.Sprintf("Upload the OVA whose VERSION is %s to datacenter %s and mark it as a template, or choose another OSImage with the resolve-os-image annotation.", m.Query.OVAVersion, datacenter))
	}
	return lines
}

// NotFoundError reports the queries that no template in a datacenter answers.
type NotFoundError struct {
	Datacenter string
	// Templates counts the usable templates searched.
	Templates int
	Misses    []Miss
}

// Error starts with the original's message, the misses' summaries joined by "; ", so runbooks
// keep matching; one line per detail of each miss follows.
func (e *NotFoundError) Error() string {
	summaries := make([]string, len(e.Misses))
	for i := range e.Misses {
		summaries[i] = e.Misses[i].Summary()
	}
	var b strings.Builder
	b.WriteString(strings.Join(summaries, "; "))
	for i := range e.Misses {
		for _, line := range e.Misses[i].Details(e.Datacenter, e.Templates) {
			b.WriteString("\n")
			b.WriteString(line)
		}
	}
	return b.String()
}
