package cli

import (
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/tkr-project/tkr/internal/vcenter/vcentertest"
)

const (
	vcTemplate = "/dc0/vm/ubuntu-2004-kube-v1.24.9+vmware.1-tkg.1"
	vcImported = "/dc0/vm/imported/photon-3-kube-v1.24.9+vmware.1-tkg.1"
	vcRunning  = "/dc0/vm/running"
	vcNode     = "/dc0/vm/workload-1-md-0-abcde"
	vcPlain    = "/dc0/vm/plain"
)

// TestVCenter runs tkr vcenter against one simulated vCenter, which every subtest shares.
func TestVCenter(t *testing.T) {
	for _, env := range []string{"GOVC_URL", "GOVC_USERNAME", "GOVC_PASSWORD", "GOVC_INSECURE", "GOVC_DATACENTER"} {
		t.Setenv(env, "")
	}
	ubuntu := vcentertest.Image{Datacenter: "dc0", Name: "ubuntu-2004-kube-v1.24.9+vmware.1-tkg.1", Template: true,
		Version: pfOVAUbuntu, DistroName: "ubuntu", DistroVersion: "20.04", DistroArch: "amd64"}
	photon := vcentertest.Image{Datacenter: "dc0", Folder: "imported", Name: "photon-3-kube-v1.24.9+vmware.1-tkg.1",
		Version: pfOVAPhoton, DistroName: "photon", DistroVersion: "3", DistroArch: "amd64"}
	running, node := ubuntu, ubuntu
	running.Name, running.Template, running.PoweredOn = "running", false, true
	node.Name, node.Template, node.PoweredOn, node.Deployed = "workload-1-md-0-abcde", false, true, true
	vc, err := vcentertest.Start([]vcentertest.Image{ubuntu, photon, running, node, {Datacenter: "dc0", Name: "plain"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(vc.Close)
	run := func(t *testing.T, args ...string) (string, string, int, error) {
		t.Helper()
		return runCommand(t, "", append([]string{"vcenter", "--url", vc.Host, "--username", vc.Username, "--password", vc.Password, "-k"}, args...)...)
	}
	ok := func(t *testing.T, args ...string) string {
		t.Helper()
		out, _, code, err := run(t, args...)
		if code != 0 {
			t.Fatalf("tkr vcenter %v: exit %d: %v", args, code, err)
		}
		return out
	}
	contains := func(t *testing.T, s string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(s, w) {
				t.Errorf("missing %q in:\n%s", w, s)
			}
		}
	}
	fails := func(t *testing.T, wantCode int, want []string, args ...string) {
		t.Helper()
		_, _, code, err := run(t, args...)
		if code != wantCode || err == nil {
			t.Fatalf("tkr vcenter %v: exit %d (%v), want %d", args, code, err, wantCode)
		}
		contains(t, err.Error(), want...)
	}

	t.Run("info of a template, connected through GOVC_*", func(t *testing.T) {
		t.Setenv("GOVC_URL", "https://"+vc.Username+":"+vc.Password+"@"+vc.Host+"/sdk")
		t.Setenv("GOVC_INSECURE", "1")
		out, _, code, err := runCommand(t, "", "vcenter", "vm.info", vcTemplate)
		if code != 0 {
			t.Fatalf("exit %d: %v", code, err)
		}
		contains(t, out, "Name:        ubuntu-2004-kube-v1.24.9+vmware.1-tkg.1\n", "Path:        "+vcTemplate+"\n",
			"MOID:        "+vc.MOID(vcTemplate)+"\n", "Template:    true\n", "Power state: poweredOff\n",
			"CATEGORY", "DEFAULT VALUE", "Cluster API Provider (CAPI)", "DISTRO_VERSION", "20.04", pfOVAUbuntu,
			"\ntkr matches it as: VERSION="+pfOVAUbuntu+", DISTRO_NAME=ubuntu, DISTRO_VERSION=2004 (dots ignored), DISTRO_ARCH=amd64\n")
	})
	t.Run("info -json", func(t *testing.T) {
		for _, flag := range []string{"-json", "--json", "-json=true"} {
			out := ok(t, "vm.info", flag, vcTemplate)
			contains(t, out, `"defaultValue": "`+pfOVAUbuntu+`"`)
			var got struct {
				VirtualMachines []struct {
					Name   string
					Config struct {
						Template   bool
						VAppConfig struct {
							Property []struct{ Id, Category, Value, DefaultValue string }
						}
					}
					Runtime struct{ PowerState string }
					Self    struct{ Type, Value string }
				}
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.VirtualMachines) != 1 {
				t.Fatalf("%s: not govc's JSON (%v):\n%s", flag, err, out)
			}
			vm := got.VirtualMachines[0]
			if vm.Name != "ubuntu-2004-kube-v1.24.9+vmware.1-tkg.1" || !vm.Config.Template || vm.Runtime.PowerState != "poweredOff" ||
				vm.Self.Type != "VirtualMachine" || vm.Self.Value != vc.MOID(vcTemplate) || len(vm.Config.VAppConfig.Property) != 4 {
				t.Errorf("%s: unexpected %+v", flag, vm)
			}
		}
		if out := ok(t, "vm.info", "-json", vcNode); strings.Contains(out, "guestinfo") {
			t.Errorf("the JSON of a node shows its extraConfig:\n%s", out)
		}
	})
	t.Run("a node and a VM without properties are no images", func(t *testing.T) {
		contains(t, ok(t, "vm.info", vcNode), "Template:    false\n", "Power state: poweredOn\n", "tkr cannot use it as an image: its extraConfig has guestinfo.userdata")
		contains(t, ok(t, "vm.info", vcPlain), "vApp properties: none\n", "tkr cannot use it as an image: it has no vApp property VERSION")
	})
	t.Run("mark an imported OVA as a template", func(t *testing.T) {
		contains(t, ok(t, "vm.info", vcImported), "Template:    false\n",
			"it would match as: VERSION="+pfOVAPhoton+", DISTRO_NAME=photon, DISTRO_VERSION=3 (dots ignored), DISTRO_ARCH=amd64); mark it as a template with: tkr vcenter vm.markastemplate "+vcImported+"\n")
		moid := vc.MOID(vcImported)
		if out := ok(t, "vm.markastemplate", vcImported); out != "Marked "+vcImported+" ("+moid+") as a template.\n" {
			t.Errorf("got %q", out)
		}
		contains(t, ok(t, "vm.info", vcImported), "Template:    true\n", "tkr matches it as: VERSION="+pfOVAPhoton)
		contains(t, ok(t, "vm.markastemplate", vcImported), "is already a template")
	})
	t.Run("a powered-on VM is not marked", func(t *testing.T) {
		contains(t, ok(t, "vm.info", vcRunning), "power it off, then mark it as a template with: tkr vcenter vm.markastemplate "+vcRunning)
		fails(t, 1, []string{vcRunning, vc.URL, "poweredOn; power it off first"}, "vm.markastemplate", vcRunning)
	})
	t.Run("errors", func(t *testing.T) {
		fails(t, 1, []string{"no VM at /dc0/vm/x in vCenter " + vc.URL, "/<datacenter>/vm/"}, "vm.info", "/dc0/vm/x")
		fails(t, 1, []string{"no VM at /dc0/vm/imported in vCenter"}, "vm.info", "/dc0/vm/imported") // a folder
		fails(t, 2, []string{"exactly one VM inventory path"}, "vm.info")
		fails(t, 2, []string{"-jx"}, "vm.info", "-jx", vcTemplate)
		fails(t, 2, []string{"unknown command", "vm.info or vm.markastemplate"}, "vm.nope")
		fails(t, 1, []string{"cannot log in to vCenter " + vc.URL, vc.Username, "GOVC_PASSWORD"}, "vm.info", "--password", "wrong", vcTemplate)

		_, _, code, err := runCommand(t, "", "vcenter", "vm.info", vcTemplate)
		if code != 2 || err == nil || !strings.Contains(err.Error(), "GOVC_URL") || !strings.Contains(err.Error(), "--url") {
			t.Errorf("without a URL: exit %d: %v", code, err)
		}
		_, _, code, err = runCommand(t, "", "vcenter", "--url", vc.URL, "--username", vc.Username, "vm.info", vcTemplate)
		if code != 1 || err == nil || !strings.Contains(err.Error(), "not trusted") || !strings.Contains(err.Error(), "GOVC_INSECURE=1") {
			t.Errorf("an untrusted certificate: exit %d: %v", code, err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		_, _, code, err = runCommand(t, "", "vcenter", "-u", addr, "--username", "u", "vm.info", vcTemplate)
		if code != 1 || err == nil || !strings.Contains(err.Error(), "cannot reach vCenter https://"+addr+"/sdk") {
			t.Errorf("an unreachable vCenter: exit %d: %v", code, err)
		}
	})
}
