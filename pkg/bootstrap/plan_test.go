package bootstrap

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

func planProvider(group, kind, name string) *runv1alpha3.ValuesFrom {
	return &runv1alpha3.ValuesFrom{ProviderRef: &corev1.TypedLocalObjectReference{APIGroup: &group, Kind: kind, Name: name}}
}

func planPkg(ref string, v *runv1alpha3.ValuesFrom) *runv1alpha3.ClusterBootstrapPackage {
	return &runv1alpha3.ClusterBootstrapPackage{RefName: ref, ValuesFrom: v}
}

// carvelRef derives the Carvel refName from a package name as the example Packages do.
func carvelRef(name string) (string, error) {
	short, rest, _ := strings.Cut(name, ".")
	return short + "." + strings.Join(strings.Split(rest, ".")[:3], "."), nil
}

func refNames(pkgs []*runv1alpha3.ClusterBootstrapPackage) []string {
	var out []string
	for _, p := range pkgs {
		out = append(out, p.RefName)
	}
	return out
}

func TestFromTemplate(t *testing.T) {
	cbt := &runv1alpha3.ClusterBootstrapTemplate{ObjectMeta: metav1.ObjectMeta{Name: "v1.22.3", Namespace: "tkg-system"},
		Spec: &runv1alpha3.ClusterBootstrapTemplateSpec{
			CNI:  planPkg("antrea.tanzu.vmware.com.1.2.3--vmware.1-tkg.1", planProvider("cni.tanzu.vmware.com", "AntreaConfig", "v1.22.3")),
			Kapp: planPkg("kapp-controller.tanzu.vmware.com.0.30.0", nil),
			AdditionalPackages: []*runv1alpha3.ClusterBootstrapPackage{
				planPkg("foobar1.example.com.1.17.2", &runv1alpha3.ValuesFrom{SecretRef: "foobar1-values"}),
				planPkg("foobar2.example.com.1.0.0", &runv1alpha3.ValuesFrom{Inline: map[string]any{"key1": "sample-value1"}}),
			},
		}}
	p := FromTemplate(cbt)
	if p.ResolvedTKR != "v1.22.3" {
		t.Errorf("ResolvedTKR = %q", p.ResolvedTKR)
	}
	if diff := cmp.Diff([]string{"antrea.tanzu.vmware.com.1.2.3--vmware.1-tkg.1", "foobar1.example.com.1.17.2"}, refNames(p.Clone)); diff != "" {
		t.Errorf("cloned (-want +got):\n%s", diff)
	}
	p.Clone[0].ValuesFrom.ProviderRef.Name = "renamed"
	if cbt.Spec.CNI.ValuesFrom.ProviderRef.Name != "v1.22.3" {
		t.Error("the plan shares memory with the template")
	}
}

// C1j and C10 of the original's tests, without an API server: versions follow the new TKR, the
// CNI keeps its provider, user values are kept, new template packages are added and cloned, and
// packages the template dropped are kept (moved by the TKR when it has them).
func TestUpgrade(t *testing.T) {
	cb := &runv1alpha3.ClusterBootstrap{ObjectMeta: metav1.ObjectMeta{Name: "cl", Namespace: "ns"},
		Spec: &runv1alpha3.ClusterBootstrapTemplateSpec{
			CNI:  planPkg("antrea.tanzu.vmware.com.1.2.3--vmware.1-tkg.1", planProvider("cni.tanzu.vmware.com", "AntreaConfig", "cl-antrea-package")),
			Kapp: planPkg("kapp-controller.tanzu.vmware.com.0.30.0", planProvider("run.tanzu.vmware.com", "KappControllerConfig", "cl-kapp-controller-package")),
			CSI:  planPkg("vsphere-csi.tanzu.vmware.com.2.4.0", planProvider("csi.tanzu.vmware.com", "VSphereCSIConfig", "cl-vsphere-csi-package")),
			AdditionalPackages: []*runv1alpha3.ClusterBootstrapPackage{
				planPkg("foobar1.example.com.1.17.2", &runv1alpha3.ValuesFrom{SecretRef: "cl-foobar1-package"}),
				planPkg("foobar.example.com.1.0.0", planProvider("run.tanzu.vmware.com", "FooBar", "cl-foobar-package")),
				planPkg("foobar2.example.com.1.0.0", &runv1alpha3.ValuesFrom{Inline: map[string]any{"key": "mine"}}),
				planPkg("barfoo.example.com.1.0.0", nil),
				planPkg("nofoo.example.com.1.0.0", nil),
			},
		}}
	oldCBT := &runv1alpha3.ClusterBootstrapTemplate{ObjectMeta: metav1.ObjectMeta{Name: "v1.22.3"}, Spec: &runv1alpha3.ClusterBootstrapTemplateSpec{
		AdditionalPackages: []*runv1alpha3.ClusterBootstrapPackage{planPkg("nofoo.example.com.1.0.0", nil), planPkg("barfoo.example.com.1.0.0", &runv1alpha3.ValuesFrom{SecretRef: "x"})},
	}}
	newCBT := &runv1alpha3.ClusterBootstrapTemplate{ObjectMeta: metav1.ObjectMeta{Name: "v1.23.3"}, Spec: &runv1alpha3.ClusterBootstrapTemplateSpec{
		CNI:  planPkg("antrea.tanzu.vmware.com.1.5.2--vmware.3-tkg.1", planProvider("cni.tanzu.vmware.com", "AntreaConfig", "v1.23.3")),
		Kapp: planPkg("kapp-controller.tanzu.vmware.com.0.30.2", planProvider("run.tanzu.vmware.com", "KappControllerConfig", "v1.23.3")),
		CPI:  planPkg("vsphere-cpi.tanzu.vmware.com.1.23.0", planProvider("cpi.tanzu.vmware.com", "VSphereCPIConfig", "v1.23.3")),
		AdditionalPackages: []*runv1alpha3.ClusterBootstrapPackage{
			planPkg("foobar1.example.com.1.18.2", &runv1alpha3.ValuesFrom{SecretRef: "foobar1-template-values"}),
			planPkg("foobar3.example.com.1.0.0", &runv1alpha3.ValuesFrom{SecretRef: "foobar3-values"}),
			planPkg("foobar2.example.com.1.1.0", &runv1alpha3.ValuesFrom{Inline: map[string]any{"key": "template"}}),
			planPkg("barfoo.example.com.1.1.0", &runv1alpha3.ValuesFrom{SecretRef: "barfoo-values"}),
			planPkg("nofoo.example.com.1.1.0", &runv1alpha3.ValuesFrom{Inline: map[string]any{"key1": "value1"}}),
		},
	}}
	tkr := tkrWith("v1.23.3", "antrea.tanzu.vmware.com.1.5.2--vmware.3-tkg.1-advanced-zshippable", "antrea-interworking.tanzu.vmware.com.9.9.9",
		"foobar.example.com.0.2.3", "vsphere-csi.tanzu.vmware.com.2.5.0")
	p, err := Upgrade{ClusterBootstrap: cb, Template: newCBT, OldTemplate: oldCBT, TKR: tkr, CarvelRefName: carvelRef}.Plan()
	if err != nil {
		t.Fatal(err)
	}
	s := p.Spec
	if p.ResolvedTKR != "v1.23.3" {
		t.Errorf("ResolvedTKR = %q", p.ResolvedTKR)
	}
	if s.CNI.RefName != "antrea.tanzu.vmware.com.1.5.2--vmware.3-tkg.1-advanced-zshippable" || s.CNI.ValuesFrom.ProviderRef.Name != "cl-antrea-package" {
		t.Errorf("CNI = %+v, want the TKR's antrea with the cluster's provider", s.CNI)
	}
	if s.Kapp.RefName != "kapp-controller.tanzu.vmware.com.0.30.2" || s.Kapp.ValuesFrom.ProviderRef.Name != "cl-kapp-controller-package" {
		t.Errorf("Kapp = %+v", s.Kapp)
	}
	if s.CSI.RefName != "vsphere-csi.tanzu.vmware.com.2.5.0" {
		t.Errorf("CSI the new template lacks = %+v, want moved by the TKR", s.CSI)
	}
	if s.CPI == nil || s.CPI.ValuesFrom.ProviderRef.Name != "v1.23.3" {
		t.Errorf("CPI = %+v, want the template's, to be cloned", s.CPI)
	}
	want := []string{"foobar1.example.com.1.18.2", "foobar.example.com.0.2.3", "foobar2.example.com.1.1.0", "barfoo.example.com.1.1.0", "nofoo.example.com.1.1.0", "foobar3.example.com.1.0.0"}
	if diff := cmp.Diff(want, refNames(s.AdditionalPackages)); diff != "" {
		t.Errorf("additional packages (-want +got):\n%s", diff)
	}
	a := s.AdditionalPackages
	if a[0].ValuesFrom.SecretRef != "cl-foobar1-package" || a[2].ValuesFrom.Inline["key"] != "mine" {
		t.Errorf("user values not kept: %+v %+v", a[0].ValuesFrom, a[2].ValuesFrom)
	}
	if a[3].ValuesFrom != nil {
		t.Errorf("barfoo gained values %+v although the old template had some (the user removed them)", a[3].ValuesFrom)
	}
	if a[4].ValuesFrom == nil || a[4].ValuesFrom.Inline["key1"] != "value1" {
		t.Errorf("nofoo = %+v, want the new template's inline values (C11)", a[4].ValuesFrom)
	}
	if diff := cmp.Diff([]string{"vsphere-cpi.tanzu.vmware.com.1.23.0", "foobar3.example.com.1.0.0"}, refNames(p.Clone)); diff != "" {
		t.Errorf("cloned (-want +got):\n%s", diff)
	}
	if cb.Spec.CNI.RefName != "antrea.tanzu.vmware.com.1.2.3--vmware.1-tkg.1" {
		t.Error("Plan modified the stored ClusterBootstrap")
	}
}

func TestUpgradeErrors(t *testing.T) {
	cb := &runv1alpha3.ClusterBootstrap{ObjectMeta: metav1.ObjectMeta{Name: "cl", Namespace: "ns"},
		Spec: &runv1alpha3.ClusterBootstrapTemplateSpec{CNI: planPkg("calico.tanzu.vmware.com.3.19.1", nil)}}
	cbt := &runv1alpha3.ClusterBootstrapTemplate{Spec: &runv1alpha3.ClusterBootstrapTemplateSpec{}}
	_, err := Upgrade{ClusterBootstrap: cb, Template: cbt, TKR: tkrWith("v1.23.3", "antrea.tanzu.vmware.com.1.5.2"), CarvelRefName: carvelRef}.Plan()
	if err == nil || !strings.Contains(err.Error(), "unable to find any CNI bootstrap package prefixed with 'calico.' for ClusterBootstrap ns/cl in TKR: no bootstrap package prefixed with 'calico.' is found in the TKR object") {
		t.Errorf("CNI switch: err = %v", err)
	}
	cb.Annotations = map[string]string{runv1alpha3.AnnotationUnmanagedCNI: ""}
	if _, err := (Upgrade{ClusterBootstrap: cb, Template: cbt, TKR: tkrWith("v1.23.3"), CarvelRefName: carvelRef}).Plan(); err == nil || !strings.Contains(err.Error(), "Spec.CNI should be empty") {
		t.Errorf("unmanaged CNI with a CNI: err = %v", err)
	}
	if _, err := (Upgrade{ClusterBootstrap: cb, Template: &runv1alpha3.ClusterBootstrapTemplate{}, CarvelRefName: carvelRef}).Plan(); err == nil || err.Error() != "ClusterBootstrap and ClusterBootstrapTemplate spec can't be nil" {
		t.Errorf("nil template spec: err = %v", err)
	}
}

// C10: a CLI-created ClusterBootstrap keeps the user's configs and gains only what it lacked.
func TestForExisting(t *testing.T) {
	cb := &runv1alpha3.ClusterBootstrap{ObjectMeta: metav1.ObjectMeta{Name: "cl", Namespace: "ns",
		Annotations: map[string]string{runv1alpha3.AnnotationAddMissingFieldsFromTKR: "v1.25.2-custom"}},
		Spec: &runv1alpha3.ClusterBootstrapTemplateSpec{
			CNI:  planPkg("calico.tanzu.vmware.com.3.24.1", planProvider("cni.tanzu.vmware.com", "CalicoConfig", "calico-custom-config")),
			Kapp: planPkg("kapp-controller.tanzu.vmware.com.0.32.9", nil),
			AdditionalPackages: []*runv1alpha3.ClusterBootstrapPackage{
				planPkg("pinniped.tanzu.vmware.com.0.12.1", nil),
				planPkg("barfoo.example.com.1.0.0", &runv1alpha3.ValuesFrom{Inline: map[string]any{"a": "b"}}),
			},
		}}
	cbt := &runv1alpha3.ClusterBootstrapTemplate{ObjectMeta: metav1.ObjectMeta{Name: "v1.25.2-custom", Namespace: "tkg-system"}, Spec: &runv1alpha3.ClusterBootstrapTemplateSpec{
		CNI:  planPkg("antrea.tanzu.vmware.com.1.7.2", planProvider("cni.tanzu.vmware.com", "AntreaConfig", "v1.25.2-custom")),
		Kapp: planPkg("kapp-controller.tanzu.vmware.com.0.32.9", planProvider("run.tanzu.vmware.com", "KappControllerConfig", "v1.25.2-custom")),
		AdditionalPackages: []*runv1alpha3.ClusterBootstrapPackage{
			planPkg("pinniped.tanzu.vmware.com.0.12.1", &runv1alpha3.ValuesFrom{SecretRef: "default-pinniped-config"}),
		},
	}}
	p, err := ForExisting(cb, "v1.25.3-custom", cbt)
	if err != nil {
		t.Fatal(err)
	}
	if p.ResolvedTKR != "v1.25.2-custom" {
		t.Errorf("ResolvedTKR = %q, want the annotation's TKR", p.ResolvedTKR)
	}
	if p.Spec.CNI.ValuesFrom.ProviderRef.Name != "calico-custom-config" || p.Spec.CNI.RefName != "calico.tanzu.vmware.com.3.24.1" {
		t.Errorf("CNI = %+v, want the user's", p.Spec.CNI)
	}
	if diff := cmp.Diff([]string{"kapp-controller.tanzu.vmware.com.0.32.9", "pinniped.tanzu.vmware.com.0.12.1"}, refNames(p.Clone)); diff != "" {
		t.Errorf("cloned (-want +got):\n%s", diff)
	}
	// Without the annotation the spec is taken as it is.
	delete(cb.Annotations, runv1alpha3.AnnotationAddMissingFieldsFromTKR)
	p, err = ForExisting(cb, "v1.25.3-custom", nil)
	if err != nil || p.ResolvedTKR != "v1.25.3-custom" || len(p.Clone) != 0 || p.Spec.Kapp.ValuesFrom != nil {
		t.Errorf("ForExisting without annotation = %+v, %v", p, err)
	}
}
