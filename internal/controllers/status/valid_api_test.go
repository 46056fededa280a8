package status_test

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// validTKR is a release of its own version, so these tests do not depend on the catalogue.
func validTKR(name, ver string, images ...string) *runv1alpha3.TanzuKubernetesRelease {
	r := &runv1alpha3.TanzuKubernetesRelease{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: runv1alpha3.TanzuKubernetesReleaseSpec{
			Version:    ver,
			Kubernetes: runv1alpha3.KubernetesSpec{Version: "v1.30.1+vmware.1"},
		},
	}
	for _, i := range images {
		r.Spec.OSImages = append(r.Spec.OSImages, runv1alpha3.OSImageReference{Name: i})
	}
	return r
}

func validOSImage(name, k8s string) *runv1alpha3.OSImage {
	return &runv1alpha3.OSImage{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: runv1alpha3.OSImageSpec{
			KubernetesVersion: k8s,
			OS:                runv1alpha3.OSInfo{Type: "linux", Name: "ubuntu", Version: "2204", Arch: "amd64"},
			Image:             runv1alpha3.MachineImageInfo{Type: "ova", Ref: map[string]interface{}{"version": name}},
		},
	}
}

// ensureNamespace creates the TKR namespace unless an earlier test did; envtest cannot delete
// namespaces, so it is never cleaned up.
func ensureNamespace(t *testing.T) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: tkrNamespace}}
	if err := env.Client.Create(context.Background(), ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

func TestValid(t *testing.T) {
	ctx := context.Background()
	ensureNamespace(t)
	// Vouch for the test releases, so Ready shows Invalid rather than Incompatible.
	create(t, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: tkrNamespace, Name: "valid-test-tkrs", Labels: map[string]string{runv1alpha3.LabelAdditionalCompatibleTKRs: ""}},
		Data:       map[string]string{"tkrVersions": "[v1.30.1+vmware.1-tkg.1, v1.30.2+vmware.1-tkg.1, v1.30.3+vmware.1-tkg.1, v1.30.9+vmware.1-tkg.1, latest]"},
	})

	t.Run("missing OSImage", func(t *testing.T) {
		const name, image = "v1.30.1---vmware.1-tkg.1", "v1.30.1---vmware.1-tkg.1-ubuntu"
		create(t, validTKR(name, "v1.30.1+vmware.1-tkg.1", image))
		got := tkr(name)
		waitState(t, got, "Compatible=True(ListedAsAdditional) Valid=False(OSImageMissing) Ready=False(Invalid) +invalid")
		wantMessage(t, got, runv1alpha3.ConditionValid,
			"spec.osImages references OSImage v1.30.1---vmware.1-tkg.1-ubuntu, which does not exist. Create the OSImage, or remove it from spec.osImages.")
		wantMessage(t, got, runv1alpha3.ConditionReady, "because its Valid condition is False")

		create(t, validOSImage(image, "v1.30.1+vmware.1"))
		waitState(t, got, "Compatible=True(ListedAsAdditional) Valid=True Ready=True")
		waitState(t, osImage(image), "Compatible=True(ShippedByCompatibleRelease) Valid=True Ready=True")
	})

	t.Run("OSImage of another Kubernetes version", func(t *testing.T) {
		const name, image = "v1.30.2---vmware.1-tkg.1", "v1.30.2---vmware.1-tkg.1-ubuntu"
		img := validOSImage(image, "v1.29.0+vmware.1")
		create(t, img)
		create(t, validTKR(name, "v1.30.2+vmware.1-tkg.1", image))
		got := tkr(name)
		waitState(t, got, "Compatible=True(ListedAsAdditional) Valid=False(KubernetesVersionMismatch) Ready=False(Invalid) +invalid")
		wantMessage(t, got, runv1alpha3.ConditionValid,
			"OSImage v1.30.2---vmware.1-tkg.1-ubuntu has spec.kubernetesVersion v1.29.0+vmware.1, but this release's spec.kubernetes.version is v1.30.1+vmware.1.")

		// Correcting the OSImage (a spec change) re-validates the release.
		patch := client.MergeFrom(img.DeepCopy())
		img.Spec.KubernetesVersion = "v1.30.1+vmware.1"
		if err := env.Client.Patch(ctx, img, patch); err != nil {
			t.Fatal(err)
		}
		waitState(t, got, "Compatible=True(ListedAsAdditional) Valid=True Ready=True")
	})

	t.Run("ClusterBootstrapTemplate", func(t *testing.T) {
		const name = "v1.30.3---vmware.1-tkg.1"
		r := validTKR(name, "v1.30.3+vmware.1-tkg.1")
		r.Spec.BootstrapPackages = []runv1alpha3.BootstrapPackageReference{{Name: "antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced"}}
		create(t, r)
		got := tkr(name)
		waitState(t, got, "Compatible=True(ListedAsAdditional) Valid=False(BootstrapTemplateMissing) Ready=False(Invalid) +invalid")
		wantMessage(t, got, runv1alpha3.ConditionValid,
			"spec.bootstrapPackages lists packages, but there is no ClusterBootstrapTemplate tkg-system/v1.30.3---vmware.1-tkg.1")

		create(t, &runv1alpha3.ClusterBootstrapTemplate{
			ObjectMeta: metav1.ObjectMeta{Namespace: tkrNamespace, Name: name},
			Spec:       &runv1alpha3.ClusterBootstrapTemplateSpec{},
		})
		waitState(t, got, "Compatible=True(ListedAsAdditional) Valid=True Ready=True")
	})

	t.Run("name", func(t *testing.T) {
		create(t, validTKR("v1.30.9---custom", "v1.30.9+vmware.1-tkg.1"))
		got := tkr("v1.30.9---custom")
		waitState(t, got, "Compatible=True(ListedAsAdditional) Valid=False(NameMismatch) Ready=False(Invalid) +invalid")
		wantMessage(t, got, runv1alpha3.ConditionValid,
			"The name v1.30.9---custom does not match spec.version v1.30.9+vmware.1-tkg.1, which requires the name v1.30.9---vmware.1-tkg.1")
	})

	t.Run("version", func(t *testing.T) {
		create(t, validTKR("latest", "latest"))
		got := tkr("latest")
		waitState(t, got, "Compatible=True(ListedAsAdditional) Valid=False(InvalidVersion) Ready=False(Invalid) +invalid")
		wantMessage(t, got, runv1alpha3.ConditionValid, `spec.version is invalid: version "latest" is not a valid semantic version`)
	})

	t.Run("OSImage version", func(t *testing.T) {
		create(t, validOSImage("nightly-image", "nightly"))
		got := osImage("nightly-image")
		waitState(t, got, "Compatible=Unknown(NotShipped) Valid=False(InvalidKubernetesVersion) Ready=False(Invalid) +invalid")
		wantMessage(t, got, runv1alpha3.ConditionValid, `spec.kubernetesVersion is invalid: version "nightly" is not a valid semantic version`)
		wantMessage(t, got, runv1alpha3.ConditionCompatible, "No TanzuKubernetesRelease lists it in spec.osImages")
	})
}
