/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package vsphere

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/types"
)

// image is a usable template of ova on Ubuntu 20.04 amd64 at path.
func image(path, moid, ova string) VM {
	return VM{Path: path, MOID: moid, Template: true, PoweredOff: true,
		OVA: OVAProperties{Version: ova, DistroName: "ubuntu", DistroVersion: "20.04", DistroArch: "amd64"}}
}

func TestMatch(t *testing.T) {
	cp, md := q("fooOva", "ubuntu"), q("bazOva", "ubuntu")
	inv := &Inventory{Datacenter: "/dc0", VMs: []VM{
		image("/dc0/vm/z/foo", "vm-9", "fooOva"),
		image("/dc0/vm/a/foo", "vm-3", "fooOva"), // a duplicate with a smaller path: chosen whatever the order
		image("/dc0/vm/baz", "vm-4", "bazOva"),
		{Path: "/dc0/vm/baz-vm", MOID: "vm-5", PoweredOff: true, OVA: image("", "", "bazOva").OVA}, // not a template
		{Path: "/dc0/vm/node", MOID: "vm-6", Deployed: true, OVA: image("", "", "bazOva").OVA},     // a node
	}}
	t.Run("R1 no query", func(t *testing.T) {
		got, err := Match(inv, nil)
		if err != nil || len(got) != 0 {
			t.Fatalf("Match = %v, %v", got, err)
		}
	})
	t.Run("R2 control plane and machine deployment", func(t *testing.T) {
		got, err := Match(inv, map[Query][]string{cp: {"control plane"}, md: {"machine deployment md-0"}})
		if err != nil {
			t.Fatal(err)
		}
		if r := got[cp]; r.TemplatePath != "/dc0/vm/a/foo" || r.TemplateMOID != "vm-3" || fmt.Sprint(r.Others) != "[/dc0/vm/z/foo]" {
			t.Errorf("duplicate: %+v; want the smallest path, the other listed", r)
		}
		if r := got[md]; r.TemplatePath != "/dc0/vm/baz" || r.TemplateMOID != "vm-4" {
			t.Errorf("template over non-template: %+v", r)
		}
	})
	t.Run("R3 only non-template matches", func(t *testing.T) {
		inv := &Inventory{Datacenter: "/dc0", VMs: inv.VMs[3:]}
		_, err := Match(inv, map[Query][]string{md: {"control plane"}})
		want := "unable to find VM Template associated with OVA Version bazOva, but found these VM(s) [/dc0/vm/baz-vm] that can be used once converted to a VM Template"
		if err == nil || strings.Split(err.Error(), "\n")[0] != want {
			t.Fatalf("error = %v\nwant first line %s", err, want)
		}
		if !strings.Contains(err.Error(), "govc vm.markastemplate /dc0/vm/baz-vm") {
			t.Errorf("the error does not say how to convert the VM:\n%s", err)
		}
	})
	t.Run("R4 no match, or the OVA on another OS", func(t *testing.T) {
		photon := image("/dc0/vm/photon", "vm-7", "quxOva")
		photon.OVA.DistroName, photon.OVA.DistroVersion = "photon", "3"
		inv := &Inventory{Datacenter: "/dc0", VMs: append(inv.VMs[:3:3], photon)}
		got, err := Match(inv, map[Query][]string{q("quxOva", "ubuntu"): {"machine deployment md-1"}, q("nopeOva", "ubuntu"): {"control plane"}, cp: {"machine deployment md-0"}})
		if err == nil {
			t.Fatal("no error")
		}
		lines := strings.Split(err.Error(), "\n")
		want := "unable to find VM Template associated with OVA Version nopeOva. Please upload at least one VM Template to continue; " +
			"unable to find VM Template associated with OVA Version quxOva. Please upload at least one VM Template to continue"
		if lines[0] != want {
			t.Errorf("first line = %s\nwant %s", lines[0], want)
		}
		for _, s := range []string{
			"control plane: looked in datacenter /dc0 for a powered-off VM template",
			"VERSION=quxOva, DISTRO_NAME=ubuntu, DISTRO_VERSION=2004 (dots ignored), DISTRO_ARCH=amd64; 4 templates were searched",
			"Found template /dc0/vm/photon (vm-7) with VERSION=quxOva but DISTRO_NAME=photon, DISTRO_VERSION=3",
			"machine deployment md-1: looked in datacenter /dc0",
		} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("the error lacks %q:\n%s", s, err)
			}
		}
		if _, ok := got[cp]; !ok || len(got) != 1 {
			t.Errorf("the query that matched is not returned: %v", got)
		}
	})
}

func TestPropertiesFrom(t *testing.T) {
	props := []types.VAppPropertyInfo{
		{Category: PropertyCategory, Id: "VERSION", DefaultValue: "v1"},
		{Category: PropertyCategory, Id: "DISTRO_NAME", DefaultValue: "photon", Value: "ubuntu"},
		{Category: PropertyCategory, Id: "DISTRO_VERSION", DefaultValue: "20.04"},
		{Category: PropertyCategory, Id: "DISTRO_ARCH", DefaultValue: "amd64"},
		{Category: "Other", Id: "VERSION", DefaultValue: "ignored"},
	}
	got := PropertiesFrom(props)
	want := OVAProperties{Version: "v1", DistroName: "ubuntu", DistroVersion: "20.04", DistroArch: "amd64"}
	if got != want {
		t.Fatalf("PropertiesFrom = %+v, want %+v (Value wins over DefaultValue; other categories ignored)", got, want)
	}
	vm := VM{OVA: got}
	if vm.Key() != (Query{OVAVersion: "v1", OSInfo: OSInfo{Name: "ubuntu", Version: "2004", Arch: "amd64"}}) {
		t.Fatalf("Key = %+v", vm.Key())
	}
}
