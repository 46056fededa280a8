package carvel

import (
	"context"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/tkr-project/tkr/internal/scheme"
)

func TestGetPackage(t *testing.T) {
	pkg := func(name, ref, version string) *Package {
		p := &Package{ObjectMeta: metav1.ObjectMeta{Namespace: "tkg-system", Name: name}}
		p.Spec.RefName, p.Spec.Version = ref, version
		return p
	}
	c := fake.NewClientBuilder().WithScheme(scheme.New()).WithObjects(
		pkg("antrea.tanzu.vmware.com.1.7.2---vmware.1-tkg.1", "antrea.tanzu.vmware.com", "1.7.2+vmware.1-tkg.1"),
		pkg("empty.example.com.1.0.0", "", ""),
	).Build()
	ctx := context.Background()

	// kapp-controller's spelling finds the Package stored with "---".
	ref, version, err := RefNameAndVersion(ctx, c, "tkg-system", "antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1")
	if err != nil || ref != "antrea.tanzu.vmware.com" || version != "1.7.2+vmware.1-tkg.1" {
		t.Errorf("RefNameAndVersion(+) = %q, %q, %v", ref, version, err)
	}
	if _, err := GetPackage(ctx, c, "tkg-system", "antrea.tanzu.vmware.com.1.7.2---vmware.1-tkg.1"); err != nil {
		t.Errorf("GetPackage(exact name) = %v", err)
	}
	// Not found under either spelling: the API's NotFound, naming what was asked for.
	if _, err := GetPackage(ctx, c, "tkg-system", "antrea.tanzu.vmware.com.9.9.9+vmware.1"); !apierrors.IsNotFound(err) || !strings.Contains(err.Error(), "9.9.9+vmware.1") {
		t.Errorf("GetPackage(missing) = %v, want NotFound naming the asked name", err)
	}
	_, _, err = RefNameAndVersion(ctx, c, "tkg-system", "empty.example.com.1.0.0")
	if err == nil || !strings.HasPrefix(err.Error(), "unable to fetch Package.Spec.RefName or Package.Spec.Version from Package tkg-system/empty.example.com.1.0.0") {
		t.Errorf("RefNameAndVersion(empty spec) = %v", err)
	}
}
