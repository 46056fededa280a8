package tkrlabels

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

func TestTKRFromSeed(t *testing.T) {
	// The labels the seed article shows on v1.24.9---vmware.1-tkg.1.
	tkr := &runv1alpha3.TanzuKubernetesRelease{Spec: runv1alpha3.TanzuKubernetesReleaseSpec{Version: "v1.24.9+vmware.1-tkg.1"}}
	want := map[string]string{
		"v1": "", "v1.24": "", "v1.24.9": "", "v1.24.9---vmware": "", "v1.24.9---vmware.1": "",
		"v1.24.9---vmware.1-tkg": "", "v1.24.9---vmware.1-tkg.1": "",
	}
	if diff := cmp.Diff(want, TKR(tkr)); diff != "" {
		t.Errorf("TKR labels (-want +got):\n%s", diff)
	}
}

func TestOSImage(t *testing.T) {
	long := "v1.24.9+vmware.1-tkg.1-226b7a84930e5368c38aa867f998ce33" + strings.Repeat("longsuffix", 3)
	img := &runv1alpha3.OSImage{
		ObjectMeta: metav1.ObjectMeta{Name: "x"},
		Spec: runv1alpha3.OSImageSpec{
			KubernetesVersion: "v1.24.9+vmware.1",
			OS:                runv1alpha3.OSInfo{Type: "linux", Name: "ubuntu", Version: "2004", Arch: "amd64"},
			Image: runv1alpha3.MachineImageInfo{Type: "ami", Ref: map[string]interface{}{
				"id":                        "ami-123",
				"region":                    "us-west-2",
				"foo":                       map[string]interface{}{"bar": true},
				"size":                      float64(1e6),
				"no-other-osimage-has-this": "v1.24.9+vmware.1-tkg.1-226b7a84930e5368c38aa867f998ce33",
				"overlength-ref-field":      long,
				"list":                      []interface{}{"a", "b"}, // not a label value: left out
				"weird key":                 "x",                     // not a label key: left out
			}},
		},
	}
	want := map[string]string{
		"v1": "", "v1.24": "", "v1.24.9": "", "v1.24.9---vmware": "", "v1.24.9---vmware.1": "",
		"os-type": "linux", "os-name": "ubuntu", "os-version": "2004", "os-arch": "amd64", "image-type": "ami",
		"ami-id": "ami-123", "ami-region": "us-west-2", "ami-foo-bar": "true", "ami-size": "1e---06", // the original writes every + as ---, numbers included
		"ami-no-other-osimage-has-this": "v1.24.9---vmware.1-tkg.1-226b7a84930e5368c38aa867f998ce33",
		"ami-overlength-ref-field":      strings.ReplaceAll(long, "+", "---")[:63],
	}
	if diff := cmp.Diff(want, OSImage(img)); diff != "" {
		t.Errorf("OSImage labels (-want +got):\n%s", diff)
	}
}

func TestMerge(t *testing.T) {
	current := map[string]string{"user": "keep", "v1": "stale"}
	merged, changed := Merge(current, map[string]string{"v1": "", "v1.24": ""})
	if !changed {
		t.Fatal("Merge reported no change")
	}
	if diff := cmp.Diff(map[string]string{"user": "keep", "v1": "", "v1.24": ""}, merged); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}
	if current["v1"] != "stale" {
		t.Error("Merge modified its input")
	}
	if _, changed := Merge(merged, map[string]string{"v1": ""}); changed {
		t.Error("Merge reported a change when every derived label was already there")
	}
}
