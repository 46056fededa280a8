/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

// Package vsphere holds the rules that tie an OSImage of type ova to a VM template in vCenter,
// without talking to vCenter: which vApp properties identify an OVA ([PropertiesFrom]), which
// VMs can serve as templates ([VM.Usable]), which template answers a query and why none does
// ([Match], [NotFoundError]), and what a Cluster asks for and how the answer is written back
// into its TKR_DATA ([PlanFor], [Plan.Apply]).
//
// The vSphere template webhook and `tkr preflight` both call these, over inventories that the
// vCenter index (internal/vcenter) keeps, so they give the same answer and the same message.
//
// # Deliberate differences from the original
//
//   - When several templates answer one query, the one with the smallest inventory path wins
//     (then the smallest MOID); the original took whichever vCenter listed first.
//   - A property's Value is read, falling back to DefaultValue; the original read DefaultValue
//     only.
//   - A denial names every query that failed and the node pools that asked for it, the datacenter
//     searched, how many templates were searched and the nearest VMs (same OVA but not a template,
//     or same VERSION but another OS), after the original's first sentence.
//   - A powered-on, never-deployed VM of the right OVA is reported as convertible (power it off,
//     mark it as a template); the original did not mention it.
package vsphere
