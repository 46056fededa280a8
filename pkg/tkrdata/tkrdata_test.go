/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package tkrdata

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// TestSeedGolden checks the JSON ClusterClass patches read against the seed's TKR_DATA.
func TestSeedGolden(t *testing.T) {
	want, err := os.ReadFile("testdata/seed-tkr-data.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var wantValue any
	if err := yaml.Unmarshal(want, &wantValue); err != nil {
		t.Fatal(err)
	}

	got := mustJSON(t, ubuntuData())
	var gotValue any
	if err := json.Unmarshal([]byte(got), &gotValue); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantValue, gotValue); diff != "" {
		t.Errorf("TKR_DATA (-seed +got):\n%s", diff)
	}
}

// TestEntryJSON pins the exact encoding, including null for images a TKR does not have.
func TestEntryJSON(t *testing.T) {
	e := &Entry{
		KubernetesSpec: &runv1alpha3.KubernetesSpec{Version: "v1.24.9+vmware.1", Etcd: &runv1alpha3.ContainerImageInfo{ImageTag: "v3.5.6_vmware.3"}},
		OSImageRef:     map[string]interface{}{"id": "ami-1", "region": "us-west-2"},
		Labels:         map[string]string{"os-name": "ubuntu"},
	}
	got := mustJSON(t, TKRData{"v1.24.9+vmware.1": e, "v1.23.15+vmware.1": nil})
	want := `{"v1.23.15+vmware.1":null,"v1.24.9+vmware.1":{"kubernetesSpec":{"version":"v1.24.9+vmware.1",` +
		`"etcd":{"imageTag":"v3.5.6_vmware.3"},"pause":null,"coredns":null,"kube-vip":null},` +
		`"osImageRef":{"id":"ami-1","region":"us-west-2"},"labels":{"os-name":"ubuntu"}}}`
	if got != want {
		t.Errorf("JSON:\ngot  %s\nwant %s", got, want)
	}

	var back TKRData
	if err := json.Unmarshal([]byte(got), &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(TKRData{"v1.24.9+vmware.1": e, "v1.23.15+vmware.1": nil}, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestNewEntryImageRepositories(t *testing.T) {
	img := func(repo, tag string) *runv1alpha3.ContainerImageInfo {
		return &runv1alpha3.ContainerImageInfo{ImageRepository: repo, ImageTag: tag}
	}
	tests := []struct {
		name       string
		in         runv1alpha3.KubernetesSpec
		customRepo string
		want       runv1alpha3.KubernetesSpec
	}{{
		name: "images without a repository inherit the Kubernetes one",
		in:   runv1alpha3.KubernetesSpec{Version: "v1", ImageRepository: "k8s.example/tkg", Etcd: img("", "e"), Pause: img("own.example/p", "p"), KubeVIP: img("", "k")},
		want: runv1alpha3.KubernetesSpec{Version: "v1", ImageRepository: "k8s.example/tkg", Etcd: img("k8s.example/tkg", "e"), Pause: img("own.example/p", "p"), KubeVIP: img("k8s.example/tkg", "k")},
	}, {
		name: "no Kubernetes repository leaves images alone",
		in:   runv1alpha3.KubernetesSpec{Version: "v1", Etcd: img("", "e"), CoreDNS: img("own.example/c", "c")},
		want: runv1alpha3.KubernetesSpec{Version: "v1", Etcd: img("", "e"), CoreDNS: img("own.example/c", "c")},
	}, {
		name:       "a custom repository replaces every repository",
		in:         runv1alpha3.KubernetesSpec{Version: "v1", ImageRepository: "k8s.example/tkg", Etcd: img("", "e"), Pause: img("own.example/p", "p"), CoreDNS: img("", "c"), KubeVIP: img("x", "k")},
		customRepo: "custom.example/tkg",
		want:       runv1alpha3.KubernetesSpec{Version: "v1", ImageRepository: "custom.example/tkg", Etcd: img("custom.example/tkg", "e"), Pause: img("custom.example/tkg", "p"), CoreDNS: img("custom.example/tkg", "c"), KubeVIP: img("custom.example/tkg", "k")},
	}, {
		name:       "a custom repository without a Kubernetes one, images left unset",
		in:         runv1alpha3.KubernetesSpec{Version: "v1", Pause: img("", "p")},
		customRepo: "custom.example/tkg",
		want:       runv1alpha3.KubernetesSpec{Version: "v1", ImageRepository: "custom.example/tkg", Pause: img("custom.example/tkg", "p")},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tkr := seedTKR()
			tkr.Spec.Kubernetes = tt.in
			before := tkr.DeepCopy()

			e := NewEntry(tkr, seedUbuntu(), tt.customRepo)
			if diff := cmp.Diff(&tt.want, e.KubernetesSpec); diff != "" {
				t.Errorf("kubernetesSpec (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, tkr); diff != "" {
				t.Errorf("NewEntry modified the TKR (-before +after):\n%s", diff)
			}
		})
	}
}

func TestNewEntryDoesNotShare(t *testing.T) {
	tkr, img := seedTKR(), seedUbuntu()
	img.Spec.Image.Ref["nested"] = map[string]interface{}{"a": "b"}
	tkrBefore, imgBefore := tkr.DeepCopy(), img.DeepCopy()

	e := NewEntry(tkr, img, "")
	e.KubernetesSpec.Etcd.ImageTag = "changed"
	e.OSImageRef["version"] = "changed"
	e.OSImageRef["nested"].(map[string]interface{})["a"] = "changed"

	if diff := cmp.Diff(tkrBefore, tkr); diff != "" {
		t.Errorf("changing the entry changed the TKR (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(imgBefore, img); diff != "" {
		t.Errorf("changing the entry changed the OSImage (-before +after):\n%s", diff)
	}
}

func TestNewEntryLabels(t *testing.T) {
	img := &runv1alpha3.OSImage{
		ObjectMeta: metav1.ObjectMeta{Name: "ubuntu-ami", Labels: map[string]string{"user": "not copied"}},
		Spec: runv1alpha3.OSImageSpec{
			KubernetesVersion: "v1.24.9+vmware.1",
			OS:                runv1alpha3.OSInfo{Type: "linux", Name: "ubuntu", Version: "20.04", Arch: "amd64"},
			Image: runv1alpha3.MachineImageInfo{Type: "ami", Ref: map[string]interface{}{
				"id":     "ami-123",
				"region": "us-west-2",
				"foo":    map[string]interface{}{"bar": true},
			}},
		},
	}
	want := map[string]string{
		"run.tanzu.vmware.com/tkr":      "v1.24.9---vmware.1-tkg.1",
		"run.tanzu.vmware.com/os-image": "ubuntu-ami",
		"os-type":                       "linux", "os-name": "ubuntu", "os-version": "20.04", "os-arch": "amd64",
		"image-type": "ami", "ami-id": "ami-123", "ami-region": "us-west-2", "ami-foo-bar": "true",
	}
	if diff := cmp.Diff(want, NewEntry(seedTKR(), img, "").Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
}
