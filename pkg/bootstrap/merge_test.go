package bootstrap

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// spec parses a ClusterBootstrapTemplateSpec written as YAML, as users write it.
func specYAML(t *testing.T, y string) *runv1alpha3.ClusterBootstrapTemplateSpec {
	t.Helper()
	s := &runv1alpha3.ClusterBootstrapTemplateSpec{}
	if err := yaml.Unmarshal([]byte(y), s); err != nil {
		t.Fatalf("parsing spec %q: %v", y, err)
	}
	return s
}

// template is a ClusterBootstrapTemplate spec like the example catalogue's.
const templateYAML = `
cni:
  refName: antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1
  valuesFrom:
    providerRef: {apiGroup: cni.tanzu.vmware.com, kind: AntreaConfig, name: v1.25-antrea}
csi:
  refName: vsphere-csi.tanzu.vmware.com.2.6.2+vmware.2-tkg.1
  valuesFrom:
    inline: {vsphereCSI: {mode: vsphereCSI}, namespace: kube-system}
kapp:
  refName: kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1
  valuesFrom:
    providerRef: {apiGroup: run.tanzu.vmware.com, kind: KappControllerConfig, name: v1.25-kapp}
additionalPackages:
- refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
- refName: secretgen-controller.tanzu.vmware.com.0.11.2+vmware.1-tkg.1
  valuesFrom: {secretRef: v1.25-secretgen}
- refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
  valuesFrom: {secretRef: v1.25-pinniped}
`

func TestAddMissingFields(t *testing.T) {
	for _, c := range []struct {
		name      string
		dst, want string
		skip      []string
	}{{
		name: "W1: an empty spec is filled completely",
		dst:  `{}`,
		want: templateYAML,
	}, {
		name: "W1: an empty spec is filled without valuesFrom when valuesFrom is skipped",
		dst:  `{}`,
		skip: []string{SkipValuesFrom},
		want: `
cni: {refName: antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1}
csi: {refName: vsphere-csi.tanzu.vmware.com.2.6.2+vmware.2-tkg.1}
kapp: {refName: kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1}
additionalPackages:
- refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
- refName: secretgen-controller.tanzu.vmware.com.0.11.2+vmware.1-tkg.1
- refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
`,
	}, {
		name: "W2, H: present fields are not overwritten, inline is never merged, extras follow the template order",
		dst: `
cni: {refName: calico.tanzu.vmware.com.3.24.1+vmware.1-tkg.1}
csi:
  refName: vsphere-csi.tanzu.vmware.com.2.6.2+vmware.2-tkg.1
  valuesFrom:
    inline: {vsphereCSI: {mode: vsphereParavirtualCSI}}
additionalPackages:
- refName: kube-vip-cloud-provider.tanzu.vmware.com.0.0.4+vmware.2-tkg.1
  valuesFrom: {inline: {loadbalancerCIDRs: 10.0.0.0/24}}
- refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
- refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
  valuesFrom: {secretRef: my-metrics}
`,
		skip: []string{SkipValuesFrom},
		want: `
cni: {refName: calico.tanzu.vmware.com.3.24.1+vmware.1-tkg.1}
csi:
  refName: vsphere-csi.tanzu.vmware.com.2.6.2+vmware.2-tkg.1
  valuesFrom:
    inline: {vsphereCSI: {mode: vsphereParavirtualCSI}}
kapp: {refName: kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1}
additionalPackages:
- refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
  valuesFrom: {secretRef: my-metrics}
- refName: secretgen-controller.tanzu.vmware.com.0.11.2+vmware.1-tkg.1
- refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
- refName: kube-vip-cloud-provider.tanzu.vmware.com.0.0.4+vmware.2-tkg.1
  valuesFrom: {inline: {loadbalancerCIDRs: 10.0.0.0/24}}
`,
	}, {
		name: "H: the controller adds valuesFrom back and keeps the user's",
		dst: `
cni: {refName: antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1}
csi:
  refName: vsphere-csi.tanzu.vmware.com.2.6.2+vmware.2-tkg.1
  valuesFrom: {inline: {a: b}}
kapp: {refName: kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1}
additionalPackages:
- refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
- refName: secretgen-controller.tanzu.vmware.com.0.11.2+vmware.1-tkg.1
  valuesFrom: {secretRef: mine}
`,
		want: `
cni:
  refName: antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1
  valuesFrom:
    providerRef: {apiGroup: cni.tanzu.vmware.com, kind: AntreaConfig, name: v1.25-antrea}
csi:
  refName: vsphere-csi.tanzu.vmware.com.2.6.2+vmware.2-tkg.1
  valuesFrom: {inline: {a: b}}
kapp:
  refName: kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1
  valuesFrom:
    providerRef: {apiGroup: run.tanzu.vmware.com, kind: KappControllerConfig, name: v1.25-kapp}
additionalPackages:
- refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
- refName: secretgen-controller.tanzu.vmware.com.0.11.2+vmware.1-tkg.1
  valuesFrom: {secretRef: mine}
- refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
  valuesFrom: {secretRef: v1.25-pinniped}
`,
	}, {
		name: "H: skip keys are honoured everywhere, also inside additionalPackages items",
		dst: `
additionalPackages:
- refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
`,
		skip: []string{"valuesFrom", "csi"},
		want: `
cni: {refName: antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1}
kapp: {refName: kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1}
additionalPackages:
- refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
- refName: secretgen-controller.tanzu.vmware.com.0.11.2+vmware.1-tkg.1
- refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
`,
	}, {
		name: "H: an empty valuesFrom is filled, a non-empty one is kept whole (quirk decided)",
		dst: `
cni:
  refName: antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1
  valuesFrom: {}
kapp:
  refName: kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1
  valuesFrom: {secretRef: my-kapp-values}
`,
		want: `
cni:
  refName: antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1
  valuesFrom:
    providerRef: {apiGroup: cni.tanzu.vmware.com, kind: AntreaConfig, name: v1.25-antrea}
csi:
  refName: vsphere-csi.tanzu.vmware.com.2.6.2+vmware.2-tkg.1
  valuesFrom:
    inline: {vsphereCSI: {mode: vsphereCSI}, namespace: kube-system}
kapp:
  refName: kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1
  valuesFrom: {secretRef: my-kapp-values}
additionalPackages:
- refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
- refName: secretgen-controller.tanzu.vmware.com.0.11.2+vmware.1-tkg.1
  valuesFrom: {secretRef: v1.25-secretgen}
- refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
  valuesFrom: {secretRef: v1.25-pinniped}
`,
	}, {
		name: "duplicate user packages are kept (quirk decided)",
		dst: `
additionalPackages:
- refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
  valuesFrom: {secretRef: one}
- refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
  valuesFrom: {secretRef: two}
`,
		skip: []string{SkipValuesFrom, "cni", "csi", "kapp"},
		want: `
additionalPackages:
- refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
  valuesFrom: {secretRef: one}
- refName: secretgen-controller.tanzu.vmware.com.0.11.2+vmware.1-tkg.1
- refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
- refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
  valuesFrom: {secretRef: two}
`,
	}} {
		t.Run(c.name, func(t *testing.T) {
			dst, src := specYAML(t, c.dst), specYAML(t, templateYAML)
			dstBefore, srcBefore := dst.DeepCopy(), src.DeepCopy()
			got, err := AddMissingFields(dst, src, c.skip...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(specYAML(t, c.want), got); diff != "" {
				t.Errorf("merged spec (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(dstBefore, dst); diff != "" {
				t.Errorf("dst was modified (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(srcBefore, src); diff != "" {
				t.Errorf("src was modified (-before +after):\n%s", diff)
			}
		})
	}
}

func TestAddMissingFieldsDoesNotShare(t *testing.T) {
	src := specYAML(t, templateYAML)
	got, err := AddMissingFields(nil, src)
	if err != nil {
		t.Fatal(err)
	}
	got.CSI.ValuesFrom.Inline["namespace"] = "changed"
	got.CNI.ValuesFrom.ProviderRef.APIGroup = ptr.To("changed")
	if src.CSI.ValuesFrom.Inline["namespace"] != "kube-system" || *src.CNI.ValuesFrom.ProviderRef.APIGroup != "cni.tanzu.vmware.com" {
		t.Errorf("the result shares data with the template: %+v", src)
	}
	// A nil template gives a copy of dst.
	dst := &runv1alpha3.ClusterBootstrapTemplateSpec{CNI: &runv1alpha3.ClusterBootstrapPackage{RefName: "x", ValuesFrom: &runv1alpha3.ValuesFrom{ProviderRef: &corev1.TypedLocalObjectReference{Kind: "K"}}}}
	same, err := AddMissingFields(dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if same == dst || same.CNI == dst.CNI || !cmp.Equal(same, dst) {
		t.Errorf("AddMissingFields(dst, nil) = %+v, want an equal copy of %+v", same, dst)
	}
}

func TestAddMissingFieldsKeepsInlineKeysNamedLikeSkipKeys(t *testing.T) {
	src := specYAML(t, `{cni: {refName: a, valuesFrom: {inline: {valuesFrom: kept, num: 3}}}}`)
	got, err := AddMissingFields(&runv1alpha3.ClusterBootstrapTemplateSpec{}, src, "valuesFrom", "num")
	if err != nil {
		t.Fatal(err)
	}
	if got.CNI == nil || got.CNI.ValuesFrom != nil {
		t.Errorf("valuesFrom was not skipped: %+v", got.CNI)
	}
	got, err = AddMissingFields(&runv1alpha3.ClusterBootstrapTemplateSpec{}, src, "num")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"valuesFrom": "kept", "num": float64(3)}; !cmp.Equal(got.CNI.ValuesFrom.Inline, want) {
		t.Errorf("inline = %#v, want %#v", got.CNI.ValuesFrom.Inline, want)
	}
}
