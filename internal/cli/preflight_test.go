package cli

import (
	"context"
	"encoding/json"
	"maps"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/scheme"
	"github.com/tkr-project/tkr/internal/vcenter/vcentertest"
)

// The example catalogue's OVAs the preflight vCenter treats specially, and where it keeps them.
const (
	pfTKR122     = "v1.22.17---vmware.1-tkg.1"
	pfUbuntu122  = "v1.22.17---vmware.1-tkg.1-5e1b48aaaf4aa83ff4cb104ac6faec85"
	pfOVA122     = "v1.22.17+vmware.1-tkg.1-5e1b48aaaf4aa83ff4cb104ac6faec85"
	pfImported   = "/dc0/vm/imported/ubuntu-2004-kube-v1.22.17+vmware.1-tkg.1"
	pfTKR121     = "v1.21.14---vmware.1-tkg.5"
	pfPhoton121  = "v1.21.14---vmware.1-tkg.5-288cc568403ace12038eaf35bba76c29"
	pfOVA121     = "v1.21.14+vmware.1-tkg.5-288cc568403ace12038eaf35bba76c29"
	pfUbuntu124  = "/dc0/vm/ubuntu-2004-kube-v1.24.9+vmware.1-tkg.1" // the seed's
	pfPhoton124  = "/dc0/vm/photon-3-kube-v1.24.9+vmware.1-tkg.1"
	pfOVAUbuntu  = "v1.24.9+vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93"
	pfOVAPhoton  = "v1.24.9+vmware.1-tkg.1-f5e94dab9dfbb9988aeb94f1ffdc6e5e"
	pfOddRelease = "v1.25.0---vmware.1-odd"
)

// preflightVCenter starts a vcsim holding, in dc0, a template of every OVA of the example
// catalogue, except v1.22.17's Ubuntu OVA, imported into the folder imported but not marked as
// a template, and v1.21.14's Photon OVA, not uploaded at all.
func preflightVCenter(t *testing.T) *vcentertest.Server {
	t.Helper()
	cat, err := filePreflightCatalog(scheme.New(), []string{examplesCatalog})
	if err != nil {
		t.Fatal(err)
	}
	var osImages []runv1alpha3.OSImage
	for _, name := range slices.Sorted(maps.Keys(cat.osImages)) {
		if name != pfPhoton121 {
			osImages = append(osImages, *cat.osImages[name])
		}
	}
	images := vcentertest.ImagesFor(osImages, "dc0", "")
	for i := range images {
		if images[i].Version == pfOVA122 && images[i].DistroName == "ubuntu" {
			images[i].Folder, images[i].Template = "imported", false
		}
	}
	vc, err := vcentertest.Start(images)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(vc.Close)
	return vc
}

// preflight runs tkr preflight against vc with the example catalogue and args.
func preflight(t *testing.T, vc *vcentertest.Server, args ...string) (stdout, stderr string, code int, err error) {
	t.Helper()
	return runCommand(t, "", append([]string{"preflight", "--catalog", examplesCatalog,
		"--server", vc.Host, "--datacenter", "dc0", "--username", vc.Username, "--password", vc.Password,
		"--thumbprint", vc.Thumbprint}, args...)...)
}

// readPreflightJSON reads tkr preflight -o json's list.
func readPreflightJSON(t *testing.T, stdout string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatalf("the output is not a JSON list: %v\n%s", err, stdout)
	}
	return rows
}

// TestPreflight runs tkr preflight against one simulated vCenter, which every subtest shares.
func TestPreflight(t *testing.T) {
	vc := preflightVCenter(t)
	found124 := []any{
		map[string]any{"tkr": tkg1, "osImage": "v1.24.9---vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93", "ovaVersion": pfOVAUbuntu,
			"os":       map[string]any{"name": "ubuntu", "version": "2004", "arch": "amd64"},
			"template": pfUbuntu124, "moid": vc.MOID(pfUbuntu124), "problem": ""},
		map[string]any{"tkr": tkg1, "osImage": "v1.24.9---vmware.1-tkg.1-f5e94dab9dfbb9988aeb94f1ffdc6e5e", "ovaVersion": pfOVAPhoton,
			"os":       map[string]any{"name": "photon", "version": "3", "arch": "amd64"},
			"template": pfPhoton124, "moid": vc.MOID(pfPhoton124), "problem": ""},
	}

	t.Run("all templates present", func(t *testing.T) {
		stdout, stderr, code, err := preflight(t, vc, "--tkr", tkg1)
		if code != 0 {
			t.Fatalf("exit code %d: %v\n%s", code, err, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "TKR OSIMAGE OVA VERSION OS TEMPLATE MOID PROBLEM" {
			t.Fatalf("want a header and two rows, got:\n%s", stdout)
		}
		for i, want := range [][]string{
			{tkg1, pfOVAUbuntu, "ubuntu 2004 amd64", pfUbuntu124, vc.MOID(pfUbuntu124), "<none>"},
			{tkg1, pfOVAPhoton, "photon 3 amd64", pfPhoton124, vc.MOID(pfPhoton124), "<none>"},
		} {
			row := strings.Join(strings.Fields(lines[i+1]), " ")
			if !strings.Contains(row, strings.Join(want[:1], " ")) || !strings.Contains(row, strings.Join(want[1:], " ")) {
				t.Errorf("row %d is %q, want the fields %q", i+1, lines[i+1], want)
			}
		}

		t.Setenv(passwordEnv, vc.Password)
		stdout, stderr, code, err = runCommand(t, "", "preflight", "--catalog", examplesCatalog, "--tkr", tkg1, "-o", "json",
			"--server", vc.Host, "--datacenter", "/dc0", "--username", vc.Username, "--thumbprint", vc.Thumbprint)
		if code != 0 {
			t.Fatalf("-o json, password from $%s: exit code %d: %v\n%s", passwordEnv, code, err, stderr)
		}
		var got []any
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(found124, got); diff != "" {
			t.Errorf("-o json (-want +got):\n%s", diff)
		}
	})

	t.Run("an OVA imported but not a template", func(t *testing.T) {
		stdout, stderr, code, err := preflight(t, vc, "--tkr", pfTKR122, "-o", "json")
		if code != 1 || err == nil || !strings.Contains(err.Error(), "1 of 2 OSImages have no usable VM template in vCenter "+vc.Host) {
			t.Fatalf("exit code %d, error %v; want 1 and the count\n%s", code, err, stderr)
		}
		rows := readPreflightJSON(t, stdout)
		if len(rows) != 2 || rows[0]["osImage"] != pfUbuntu122 || rows[1]["template"] == "" || rows[1]["problem"] != "" {
			t.Fatalf("want the Ubuntu OSImage missing and the Photon one found, got:\n%s", stdout)
		}
		want := "unable to find VM Template associated with OVA Version " + pfOVA122 + ", but found these VM(s) [" + pfImported + "] that can be used once converted to a VM Template"
		problem, _ := rows[0]["problem"].(string)
		if !strings.HasPrefix(problem, want+"\n") || !strings.Contains(problem, "govc vm.markastemplate "+pfImported) ||
			!strings.Contains(problem, "OSImage "+pfUbuntu122+" of TKR "+pfTKR122) {
			t.Errorf("problem:\n%s\nwant it to start with\n%s\nand to name the OSImage and the fix", problem, want)
		}
		if rows[0]["template"] != "" || rows[0]["moid"] != "" {
			t.Errorf("a missing template has no path or MOID: %v", rows[0])
		}

		// The table shows the first line; the details follow on standard error.
		stdout, stderr, code, _ = preflight(t, vc, "--tkr", pfTKR122)
		if code != 1 || !strings.Contains(stdout, want+"\n") || strings.Contains(stdout, "govc") || !strings.Contains(stderr, "govc vm.markastemplate "+pfImported) {
			t.Errorf("table: exit code %d; want 1, the summary in the table and the details on stderr; got\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})

	t.Run("an OVA not uploaded", func(t *testing.T) {
		stdout, stderr, code, _ := preflight(t, vc, "--tkr", pfTKR121, "-o", "json")
		if code != 1 {
			t.Fatalf("exit code %d, want 1\n%s", code, stderr)
		}
		rows := readPreflightJSON(t, stdout)
		i := slices.IndexFunc(rows, func(r map[string]any) bool { return r["osImage"] == pfPhoton121 })
		if len(rows) != 2 || i < 0 {
			t.Fatalf("want both OSImages of %s, got:\n%s", pfTKR121, stdout)
		}
		want := "unable to find VM Template associated with OVA Version " + pfOVA121 + ". Please upload at least one VM Template to continue\n"
		if problem, _ := rows[i]["problem"].(string); !strings.HasPrefix(problem, want) {
			t.Errorf("problem:\n%s\nwant it to start with\n%s", problem, want)
		}
	})

	t.Run("every release", func(t *testing.T) {
		stdout, stderr, code, _ := preflight(t, vc, "-o", "json")
		rows := readPreflightJSON(t, stdout)
		var missing []string
		for _, r := range rows {
			if r["problem"] != "" {
				missing = append(missing, r["osImage"].(string))
			}
		}
		if code != 1 || len(rows) != 9 || !slices.Equal(missing, []string{pfPhoton121, pfUbuntu122}) {
			t.Errorf("exit code %d, %d rows, missing %v; want 1, 9 and the two OSImages\n%s", code, len(rows), missing, stderr)
		}
		if rows[0]["tkr"] != pfTKR121 || rows[8]["tkr"] != tkg1 {
			t.Errorf("want the releases oldest first, got %v first and %v last", rows[0]["tkr"], rows[8]["tkr"])
		}
	})

	t.Run("OSImages that are missing, not OVAs or without a version", func(t *testing.T) {
		stdout, stderr, code, _ := preflight(t, vc, "--catalog", filepath.Join("testdata", "preflight"), "--tkr", pfOddRelease, "-o", "json")
		want := []any{map[string]any{"tkr": pfOddRelease, "osImage": "odd-ova-without-version", "ovaVersion": "",
			"os":       map[string]any{"name": "ubuntu", "version": "2004", "arch": "amd64"},
			"template": "", "moid": "", "problem": "OSImage odd-ova-without-version: spec.image.ref.version: ova version is invalid or not found"}}
		var got []any
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" || code != 1 {
			t.Errorf("exit code %d, want 1; rows (-want +got):\n%s", code, diff)
		}
		if !strings.Contains(stderr, "lists the OSImage odd-gone, which is not in the catalogue") {
			t.Errorf("want a warning about odd-gone, got:\n%s", stderr)
		}
	})

	// An endpoint that refuses connections: a port that was just free.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	for _, tc := range []struct {
		name    string
		args    []string
		wantErr []string
	}{
		{"an unknown --tkr", []string{"--tkr", "v9.9.9---nope"},
			[]string{"--tkr", "v9.9.9---nope not found in the catalogue", pfTKR121, tkg1}},
		{"--thumbprint with --insecure", []string{"--insecure"},
			[]string{"--thumbprint and --insecure cannot be combined"}},
		{"no --server", []string{"--server", ""},
			[]string{"no --server given"}},
		{"--cluster with --server", []string{"--cluster", "default/workload"},
			[]string{"--cluster", "cannot be combined with --server, --datacenter, --username, --password, --thumbprint"}},
		{"an unknown output format", []string{"-o", "yaml"},
			[]string{`unknown output format "yaml"`}},
		{"vCenter unreachable", []string{"--server", closed, "--insecure", "--thumbprint", ""},
			[]string{"vCenter " + closed}},
		{"a wrong password", []string{"--password", "wrong", "--tkr", tkg1},
			[]string{"failed to login to vSphere: cannot login to vc:", "vCenter " + vc.Host}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, _, code, err := preflight(t, vc, tc.args...)
			if code != 2 || err == nil {
				t.Fatalf("exit code %d, error %v; want 2\n%s", code, err, stdout)
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}

	t.Run("no password", func(t *testing.T) {
		t.Setenv(passwordEnv, "")
		_, _, code, err := runCommand(t, "", "preflight", "--catalog", examplesCatalog, "--server", vc.Host, "--datacenter", "dc0", "--username", "u")
		if code != 2 || err == nil || !strings.Contains(err.Error(), "no --password given") || !strings.Contains(err.Error(), passwordEnv) {
			t.Errorf("exit code %d, error %v; want 2 and --password and $%s named", code, err, passwordEnv)
		}
	})

	t.Run("--cluster", func(t *testing.T) {
		loadExampleCatalog(t)
		kc := kubeconfig(t)
		const name = "preflight-on-v1.24"
		// The test API server runs no webhooks: the TKR label is written here, as the resolver would.
		applyYAMLText(t, clusterOnTKR(name, runv1alpha3.LabelTKR, tkg1)+`  topology:
    class: tkg-vsphere-default
    version: v1.24.9+vmware.1-tkg.1
    controlPlane:
      replicas: 1
    variables:
    - name: vcenter
      value:
        server: "`+vc.Host+`"
        datacenter: /dc0
        tlsThumbprint: "`+vc.Thumbprint+`"
`)
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name},
			StringData: map[string]string{"username": vc.Username, "password": vc.Password}}
		if err := env.Client.Create(context.Background(), secret); err != nil {
			t.Fatal(err)
		}

		stdout, stderr, code, err := runCommand(t, "", "preflight", "--kubeconfig", kc, "--cluster", "default/"+name, "-o", "json")
		if code != 0 {
			t.Fatalf("exit code %d: %v\n%s", code, err, stderr)
		}
		var got []any
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(found124, got); diff != "" {
			t.Errorf("the Cluster's TKR only (-want +got):\n%s", diff)
		}
		if !strings.Contains(stderr, "Checking the TanzuKubernetesRelease "+tkg1+" of the Cluster default/"+name) {
			t.Errorf("want a note that the Cluster's TKR is checked, got:\n%s", stderr)
		}

		stdout, stderr, code, _ = runCommand(t, "", "preflight", "--kubeconfig", kc, "--cluster", "default/"+name, "--tkr", pfTKR122, "-o", "json")
		if rows := readPreflightJSON(t, stdout); code != 1 || len(rows) != 2 || !strings.HasPrefix(rows[0]["problem"].(string), "unable to find VM Template associated with OVA Version "+pfOVA122) {
			t.Errorf("--tkr overrides the Cluster's label: exit code %d, want 1 and the v1.22.17 rows, got\n%s\n%s", code, stdout, stderr)
		}

		_, _, code, err = runCommand(t, "", "preflight", "--kubeconfig", kc, "--cluster", "default/nope")
		if code != 2 || err == nil || !strings.Contains(err.Error(), "Cluster default/nope not found") {
			t.Errorf("an unknown Cluster: exit code %d, error %v; want 2", code, err)
		}
	})
}
