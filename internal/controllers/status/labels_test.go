package status_test

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/test/envtest"
)

var env *envtest.Environment

func TestMain(m *testing.M) {
	// The status component runs the labeler and the conditions controllers together, so the
	// tests also show the two never undo each other's labels.
	envtest.Main(m, &env, envtest.Options{Components: []string{"conversion-webhook", "status"}})
}

// eventually polls check until it returns "" or the deadline passes, then fails with the last
// reason. Controllers are asynchronous, so the test waits for the outcome, not for a duration.
func eventually(t *testing.T, check func() string) {
	t.Helper()
	var reason string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if reason = check(); reason == "" {
			return
		}
	}
	t.Fatal(reason)
}

func TestTKRGetsVersionLabels(t *testing.T) {
	ctx := context.Background()
	tkr := &runv1alpha3.TanzuKubernetesRelease{
		ObjectMeta: metav1.ObjectMeta{Name: "v1.24.9---vmware.1-tkg.1", Labels: map[string]string{"team": "platform"}},
		Spec: runv1alpha3.TanzuKubernetesReleaseSpec{
			Version:    "v1.24.9+vmware.1-tkg.1",
			Kubernetes: runv1alpha3.KubernetesSpec{Version: "v1.24.9+vmware.1"},
		},
	}
	if err := env.Client.Create(ctx, tkr); err != nil {
		t.Fatal(err)
	}
	want := []string{"v1", "v1.24", "v1.24.9", "v1.24.9---vmware", "v1.24.9---vmware.1", "v1.24.9---vmware.1-tkg", "v1.24.9---vmware.1-tkg.1"}
	eventually(t, func() string {
		got := &runv1alpha3.TanzuKubernetesRelease{}
		if err := env.Client.Get(ctx, client.ObjectKeyFromObject(tkr), got); err != nil {
			return err.Error()
		}
		for _, l := range want {
			if v, ok := got.Labels[l]; !ok || v != "" {
				return "label " + l + " missing; labels are " + labelsString(got.Labels)
			}
		}
		if got.Labels["team"] != "platform" {
			return "the user's label team=platform was lost"
		}
		return ""
	})

	// A label selector finds it by minor version, and v1.2 is not a prefix of v1.24.
	l := &runv1alpha3.TanzuKubernetesReleaseList{}
	if err := env.Client.List(ctx, l, client.HasLabels{"v1.24"}); err != nil || len(l.Items) != 1 {
		t.Errorf("-l v1.24 found %d TKRs (err %v), want 1", len(l.Items), err)
	}
	if err := env.Client.List(ctx, l, client.HasLabels{"v1.2"}); err != nil || len(l.Items) != 0 {
		t.Errorf("-l v1.2 found %d TKRs (err %v), want 0", len(l.Items), err)
	}

	// Someone edits a derived label (a merge patch, as kubectl label --overwrite sends, so the
	// controllers' concurrent status writes cannot make it conflict); the controller puts it back.
	got := &runv1alpha3.TanzuKubernetesRelease{ObjectMeta: metav1.ObjectMeta{Name: tkr.Name}}
	tamper := client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"labels":{"v1.24":"tampered"}}}`))
	if err := env.Client.Patch(ctx, got, tamper); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() string {
		again := &runv1alpha3.TanzuKubernetesRelease{}
		if err := env.Client.Get(ctx, client.ObjectKeyFromObject(tkr), again); err != nil {
			return err.Error()
		}
		if again.Labels["v1.24"] != "" {
			return "v1.24 label is still " + again.Labels["v1.24"]
		}
		return ""
	})
}

func TestOSImageGetsOSAndImageLabels(t *testing.T) {
	ctx := context.Background()
	img := &runv1alpha3.OSImage{
		ObjectMeta: metav1.ObjectMeta{Name: "v1.24.9---vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93"},
		Spec: runv1alpha3.OSImageSpec{
			KubernetesVersion: "v1.24.9+vmware.1",
			OS:                runv1alpha3.OSInfo{Type: "linux", Name: "ubuntu", Version: "2004", Arch: "amd64"},
			Image: runv1alpha3.MachineImageInfo{Type: "ova", Ref: map[string]interface{}{
				"version": "v1.24.9+vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93",
			}},
		},
	}
	if err := env.Client.Create(ctx, img); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"v1.24": "", "v1.24.9---vmware.1": "", "os-type": "linux", "os-name": "ubuntu", "os-version": "2004", "os-arch": "amd64",
		"image-type": "ova", "ova-version": "v1.24.9---vmware.1-tkg.1-b030088fe71fea7ff1ecb87a4d425c93",
	}
	eventually(t, func() string {
		got := &runv1alpha3.OSImage{}
		if err := env.Client.Get(ctx, client.ObjectKeyFromObject(img), got); err != nil {
			return err.Error()
		}
		for k, v := range want {
			if got.Labels[k] != v {
				return "label " + k + "=" + v + " missing; labels are " + labelsString(got.Labels)
			}
		}
		return ""
	})
}

func labelsString(l map[string]string) string {
	s := ""
	for k, v := range l {
		s += k + "=" + v + " "
	}
	return s
}
