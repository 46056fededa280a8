package bootstrap

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// tkrWith is a TKR named name with the given bootstrap packages (also used by plan_test.go).
func tkrWith(name string, pkgs ...string) *runv1alpha3.TanzuKubernetesRelease {
	tkr := &runv1alpha3.TanzuKubernetesRelease{ObjectMeta: metav1.ObjectMeta{Name: name}}
	for _, p := range pkgs {
		tkr.Spec.BootstrapPackages = append(tkr.Spec.BootstrapPackages, runv1alpha3.BootstrapPackageReference{Name: p})
	}
	return tkr
}

var completionTKR = tkrWith("v1.25.7---vmware.2-tkg.1",
	"antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced",
	"calico.tanzu.vmware.com.3.24.1+vmware.1-tkg.1",
	"capabilities.tanzu.vmware.com.0.29.0+vmware.1",
	"kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1",
	"kube-vip-cloud-provider.tanzu.vmware.com.0.0.4+vmware.2-tkg.1",
)

func TestCompleteRefNames(t *testing.T) {
	for _, c := range []struct {
		name, in, want, err string
	}{{
		name: "H, W3: a prefix matching one package is completed, everywhere",
		in:   `{cni: {refName: calico*}, kapp: {refName: "kapp-controller*", valuesFrom: {secretRef: s}}, additionalPackages: [{refName: "kube-vip*"}, {refName: "capabilities.tanzu*"}]}`,
		want: `{cni: {refName: calico.tanzu.vmware.com.3.24.1+vmware.1-tkg.1}, kapp: {refName: kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1, valuesFrom: {secretRef: s}}, additionalPackages: [{refName: kube-vip-cloud-provider.tanzu.vmware.com.0.0.4+vmware.2-tkg.1}, {refName: capabilities.tanzu.vmware.com.0.29.0+vmware.1}]}`,
	}, {
		name: "H: full names are untouched, even when not in the TKR",
		in:   `{cni: {refName: antrea.tanzu.vmware.com.1.2.3+vmware.1-tkg.1}, csi: {refName: c}}`,
		want: `{cni: {refName: antrea.tanzu.vmware.com.1.2.3+vmware.1-tkg.1}, csi: {refName: c}}`,
	}, {
		name: "H: no match",
		in:   `{cpi: {refName: vsphere-cpi*}}`,
		err:  "no bootstrapPackage name matches the prefix vsphere-cpi within the BootstrapPackages [antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced calico.tanzu.vmware.com.3.24.1+vmware.1-tkg.1 capabilities.tanzu.vmware.com.0.29.0+vmware.1 kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1 kube-vip-cloud-provider.tanzu.vmware.com.0.0.4+vmware.2-tkg.1] of TanzuKubernetesRelease v1.25.7---vmware.2-tkg.1",
	}, {
		name: "H: several matches",
		in:   `{additionalPackages: [{refName: c*}]}`,
		err:  "multiple bootstrapPackage names matche the prefix c within the TanzuKubernetesRelease v1.25.7---vmware.2-tkg.1",
	}} {
		t.Run(c.name, func(t *testing.T) {
			s := specYAML(t, c.in)
			err := CompleteRefNames(s, completionTKR)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("error = %v, want %s", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(specYAML(t, c.want), s); diff != "" {
				t.Errorf("completed spec (-want +got):\n%s", diff)
			}
		})
	}
	if err := CompleteRefNames(nil, completionTKR); err == nil || err.Error() != "missing spec definition" {
		t.Errorf("nil spec: error = %v, want missing spec definition", err)
	}
}

func TestBootstrapPackageWithPrefix(t *testing.T) {
	for _, c := range []struct {
		tkr          *runv1alpha3.TanzuKubernetesRelease
		prefix, want string
		err          string
	}{
		{tkr: completionTKR, prefix: "antrea", want: "antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced"},
		// The first match wins, unlike the unique match of wildcard completion.
		{tkr: completionTKR, prefix: "ca", want: "calico.tanzu.vmware.com.3.24.1+vmware.1-tkg.1"},
		{tkr: completionTKR, prefix: "foobar", err: "no bootstrap package prefixed with 'foobar' is found in the TKR object"},
		{tkr: tkrWith("legacy"), prefix: "antrea", err: "unable to find any bootstrap packages in the TKR object"},
		{tkr: nil, prefix: "antrea", err: "unable to find any bootstrap packages in the TKR object"},
	} {
		got, err := BootstrapPackageWithPrefix(c.tkr, c.prefix)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("BootstrapPackageWithPrefix(%q): error = %v, want %s", c.prefix, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("BootstrapPackageWithPrefix(%q) = %q, %v, want %q", c.prefix, got, err, c.want)
		}
	}
}
