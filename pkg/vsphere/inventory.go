/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package vsphere

import (
	"strings"

	"github.com/vmware/govmomi/vim25/types"
)

// PropertyCategory is the vApp property category image-builder writes the OVA's identity into.
const PropertyCategory = "Cluster API Provider (CAPI)"

// The vApp property ids of that category that identify an OVA.
const (
	PropertyVersion       = "VERSION"
	PropertyDistroName    = "DISTRO_NAME"
	PropertyDistroVersion = "DISTRO_VERSION"
	PropertyDistroArch    = "DISTRO_ARCH"
)

// UserDataKey is the extraConfig key Cluster API Provider vSphere gives every node it clones.
// A VM carrying it is a cluster node cloned from an image, never an image itself, even though
// it inherits the image's vApp properties.
const UserDataKey = "guestinfo.userdata"

// OVAProperties are the identity image-builder bakes into an OVA as vApp properties.
type OVAProperties struct {
	// Version is VERSION: the OSImage's spec.image.ref.version, e.g.
	// v1.24.9+vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93.
	Version string
	// DistroName, DistroVersion and DistroArch are DISTRO_NAME (ubuntu), DISTRO_VERSION (20.04)
	// and DISTRO_ARCH (amd64).
	DistroName, DistroVersion, DistroArch string
}

// PropertiesFrom reads the OVA identity from a VM's vApp properties. Only properties of
// [PropertyCategory] count. A property's Value wins; an empty Value falls back to DefaultValue,
// which is where an imported OVA keeps it (the original read only DefaultValue, so a value set
// at deploy time was ignored).
func PropertiesFrom(props []types.VAppPropertyInfo) OVAProperties {
	var p OVAProperties
	for _, prop := range props {
		if prop.Category != PropertyCategory {
			continue
		}
		v := prop.Value
		if v == "" {
			v = prop.DefaultValue
		}
		v = strings.TrimSpace(v)
		switch prop.Id {
		case PropertyVersion:
			p.Version = v
		case PropertyDistroName:
			p.DistroName = v
		case PropertyDistroVersion:
			p.DistroVersion = v
		case PropertyDistroArch:
			p.DistroArch = v
		}
	}
	return p
}

// VM is what template matching needs to know of one virtual machine in a datacenter. The
// vCenter index keeps one per VM; preflight and the webhook match against the same records.
type VM struct {
	// Path is the inventory path without the root folder, e.g. /dc0/vm/folder/name: what CAPV
	// takes as a template and what govc prints.
	Path string
	// MOID is the managed object id, e.g. vm-48.
	MOID string
	// Template reports config.template.
	Template bool
	// PoweredOff reports runtime.powerState == poweredOff.
	PoweredOff bool
	// Deployed reports that config.extraConfig has [UserDataKey]: a node, not an image.
	Deployed bool
	// OVA is the identity read by [PropertiesFrom]; a VM without a VERSION is no image.
	OVA OVAProperties
}

// Image reports whether vm is an OS image at all: it has a VERSION and is not a node cloned
// from one.
func (vm *VM) Image() bool { return vm.OVA.Version != "" && !vm.Deployed }

// Usable reports whether a cluster can be cloned from vm as it stands: an image that is a
// powered-off template.
func (vm *VM) Usable() bool { return vm.Image() && vm.Template && vm.PoweredOff }

// Key returns the query vm answers.
func (vm *VM) Key() Query {
	return Query{OVAVersion: vm.OVA.Version, OSInfo: OSInfo{
		Name:    vm.OVA.DistroName,
		Version: NormalizeDistroVersion(vm.OVA.DistroVersion),
		Arch:    vm.OVA.DistroArch,
	}}
}

// NormalizeDistroVersion removes the dots of a DISTRO_VERSION, so that image-builder's 20.04
// compares equal to the OSImage's os-version 2004.
func NormalizeDistroVersion(v string) string { return strings.ReplaceAll(v, ".", "") }
