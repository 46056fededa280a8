package bootstrap

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

var unmanaged = map[string]string{runv1alpha3.AnnotationUnmanagedCNI: ""}

func TestDefaultSpec(t *testing.T) {
	tkr := tkrWith("v1.25.7---vmware.2-tkg.1",
		"antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1",
		"kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1",
		"kube-vip-cloud-provider.tanzu.vmware.com.0.0.4+vmware.2-tkg.1",
		"metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1")
	for _, c := range []struct {
		name, in, want string
		unmanaged      bool
		err            string
	}{{
		name: "W1: an empty spec is filled, without valuesFrom",
		in:   `{}`,
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
		name: "W3, W4: wildcards are completed before the merge, so they match template packages; extras and user inline are kept",
		in: `
csi:
  refName: vsphere-csi.tanzu.vmware.com.2.6.2+vmware.2-tkg.1
  valuesFrom: {inline: {mine: true}}
additionalPackages:
- refName: kube-vip*
  valuesFrom: {inline: {loadbalancerCIDRs: 10.0.0.0/24}}
- refName: metrics-server*
`,
		want: `
cni: {refName: antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1}
csi:
  refName: vsphere-csi.tanzu.vmware.com.2.6.2+vmware.2-tkg.1
  valuesFrom: {inline: {mine: true}}
kapp: {refName: kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1}
additionalPackages:
- refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
- refName: secretgen-controller.tanzu.vmware.com.0.11.2+vmware.1-tkg.1
- refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
- refName: kube-vip-cloud-provider.tanzu.vmware.com.0.0.4+vmware.2-tkg.1
  valuesFrom: {inline: {loadbalancerCIDRs: 10.0.0.0/24}}
`,
	}, {
		name: "W5: a wildcard without a match fails",
		in:   `{cni: {refName: calico*}}`,
		err:  "no bootstrapPackage name matches the prefix calico",
	}, {
		name: "W8: no annotation keeps the user's CNI",
		in:   `{cni: {refName: antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1, valuesFrom: {secretRef: mine}}, kapp: {refName: k}}`,
		want: `
cni: {refName: antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1, valuesFrom: {secretRef: mine}}
csi: {refName: vsphere-csi.tanzu.vmware.com.2.6.2+vmware.2-tkg.1}
kapp: {refName: k}
additionalPackages:
- refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
- refName: secretgen-controller.tanzu.vmware.com.0.11.2+vmware.1-tkg.1
- refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
`,
	}, {
		name:      "W9: unmanaged CNI drops the template's CNI",
		in:        `{kapp: {refName: k}, additionalPackages: []}`,
		unmanaged: true,
		want: `
csi: {refName: vsphere-csi.tanzu.vmware.com.2.6.2+vmware.2-tkg.1}
kapp: {refName: k}
additionalPackages:
- refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
- refName: secretgen-controller.tanzu.vmware.com.0.11.2+vmware.1-tkg.1
- refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
`,
	}, {
		name:      "W10: unmanaged CNI drops the user's CNI too",
		in:        `{cni: {refName: antrea*}}`,
		unmanaged: true,
		want: `
csi: {refName: vsphere-csi.tanzu.vmware.com.2.6.2+vmware.2-tkg.1}
kapp: {refName: kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1}
additionalPackages:
- refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
- refName: secretgen-controller.tanzu.vmware.com.0.11.2+vmware.1-tkg.1
- refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
`,
	}} {
		t.Run(c.name, func(t *testing.T) {
			in := specYAML(t, c.in)
			before := in.DeepCopy()
			got, err := DefaultSpec(in, tkr, specYAML(t, templateYAML), c.unmanaged)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error = %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(specYAML(t, c.want), got); diff != "" {
				t.Errorf("defaulted spec (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, in); diff != "" {
				t.Errorf("the input was modified:\n%s", diff)
			}
		})
	}
}

// errorsOf renders each field error as the API server shows it.
func errorsOf(errs ...*field.Error) []string {
	var out []string
	for _, e := range errs {
		if e != nil {
			out = append(out, e.Error())
		}
	}
	return out
}

func TestUnmanagedCNI(t *testing.T) {
	withCNI := specYAML(t, `{cni: {refName: a}, kapp: {refName: k}}`)
	withoutCNI := specYAML(t, `{kapp: {refName: k}}`)
	// W11-W16: create and update apply the same rules; the webhook calls these for both.
	for _, c := range []struct {
		name        string
		spec        *runv1alpha3.ClusterBootstrapTemplateSpec
		annotations map[string]string
		wantErrs    []string
	}{
		{"W11/W14: no annotation and no CNI", withoutCNI, nil, []string{`spec.cni: Invalid value: "null": package can't be nil`}},
		{"no annotation and a CNI", withCNI, nil, nil},
		{"W12/W15: annotation and a CNI", withCNI, unmanaged, []string{MsgUnmanagedCNIWithCNI}},
		{"W13/W16: annotation and no CNI", withoutCNI, unmanaged, nil},
	} {
		var got []string
		if err := CheckUnmanagedCNI(c.spec, c.annotations); err != nil {
			got = append(got, err.Error())
		} else {
			for _, slot := range CorePackages(UnmanagedCNI(c.annotations)) {
				if slot.Get(c.spec) == nil && slot.Required {
					got = append(got, errorsOf(NilPackage(slot.Path()))...)
				}
			}
		}
		if !cmp.Equal(got, c.wantErrs) {
			t.Errorf("%s: errors %q, want %q", c.name, got, c.wantErrs)
		}
	}
	if names := func() (n []string) {
		for _, s := range CorePackages(false) {
			n = append(n, s.Name)
		}
		return n
	}(); !cmp.Equal(names, []string{"cni", "kapp", "csi", "cpi"}) {
		t.Errorf("CorePackages(false) = %v", names)
	}
	if len(CorePackages(true)) != 3 || CorePackages(true)[0].Get(nil) != nil {
		t.Errorf("CorePackages(true) must leave out the CNI and read nil specs as empty")
	}
}

func TestValidateValuesFrom(t *testing.T) {
	p := field.NewPath("spec", "cni", "valuesFrom")
	for _, c := range []struct {
		in   string
		want string
	}{
		{`{refName: a}`, ""},
		{`{refName: a, valuesFrom: {}}`, ""},
		{`{refName: a, valuesFrom: {secretRef: s}}`, ""},
		{`{refName: a, valuesFrom: {secretRef: s, inline: {a: b}}}`, "spec.cni.valuesFrom: Invalid value: " + `{"inline":{"a":"b"},"secretRef":"s"}: ` + MsgManyValuesFromFields},
		{`{refName: a, valuesFrom: {providerRef: {kind: K, name: p}}}`, `spec.cni.valuesFrom.providerRef: Invalid value: {"apiGroup":null,"kind":"K","name":"p"}: ` + MsgNilAPIGroup},
		{`{refName: a, valuesFrom: {providerRef: {apiGroup: g, kind: K, name: p}}}`, ""},
	} {
		pkg := specYAML(t, "{cni: "+c.in+"}").CNI
		got := ""
		if err := ValidateValuesFrom(pkg.ValuesFrom, p); err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("ValidateValuesFrom(%s) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1.2.3", "1.2.3", 0},
		{"v1.2.3", "1.2.3", 0},
		{"0.13.3+vmware.1-tkg.1", "0.25.1+vmware.1-tkg.1", -1},
		{"1.10.0", "1.9.9", 1},
		// Build metadata does not order versions (relaxed SemVer, as the original).
		{"1.5.2+vmware.1-tkg.1", "1.5.2+vmware.3-tkg.1-advanced", 0},
		{"1.0.0-rc.1", "1.0.0", -1},
	} {
		got, err := CompareVersions(c.a, c.b)
		if err != nil || got != c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, %v, want %d", c.a, c.b, got, err, c.want)
		}
	}
	if _, err := CompareVersions("1.2", "1.2.3"); err == nil {
		t.Error("CompareVersions accepted 1.2")
	}
}

func TestCheckPackageUpdate(t *testing.T) {
	path := SpecPath.Child("cni")
	antrea := CarvelPackage{RefName: "antrea.tanzu.vmware.com", Version: "1.7.2+vmware.1-tkg.1"}
	for _, c := range []struct {
		name             string
		oldPkg, newPkg   string
		oldCarv, newCarv CarvelPackage
		want             string
	}{
		{"same", `{refName: a}`, `{refName: a}`, antrea, antrea, ""},
		{"upgrade", `{refName: a}`, `{refName: b}`, antrea, CarvelPackage{"antrea.tanzu.vmware.com", "1.9.0+vmware.1-tkg.1"}, ""},
		{"nil new", `{refName: a}`, ``, antrea, antrea, `spec.cni: Invalid value: "null": package can't be nil`},
		{"switch", `{refName: a}`, `{refName: c}`, antrea, CarvelPackage{"calico.tanzu.vmware.com", "3.24.1"}, `spec.cni.refName: Invalid value: "c": ` + MsgRefNameChanged},
		{"downgrade", `{refName: a}`, `{refName: b}`, antrea, CarvelPackage{"antrea.tanzu.vmware.com", "1.5.2+vmware.3-tkg.1"}, `spec.cni.refName: Invalid value: "b": package downgrade is not allowed, original version: 1.7.2+vmware.1-tkg.1, updated version 1.5.2+vmware.3-tkg.1`},
		{"bad version", `{refName: a}`, `{refName: b}`, antrea, CarvelPackage{"antrea.tanzu.vmware.com", "latest"}, `cannot compare the versions of Package a (1.7.2+vmware.1-tkg.1) and Package b (latest)`},
		{"provider group", `{refName: a, valuesFrom: {providerRef: {apiGroup: g, kind: K, name: p}}}`, `{refName: a, valuesFrom: {providerRef: {apiGroup: h, kind: K, name: p}}}`, antrea, antrea, `spec.cni.valuesFrom.providerRef: Invalid value: {"apiGroup":"h","kind":"K","name":"p"}: ` + MsgProviderGroupKindChanged},
		{"provider kind", `{refName: a, valuesFrom: {providerRef: {apiGroup: g, kind: K, name: p}}}`, `{refName: a, valuesFrom: {providerRef: {apiGroup: g, kind: L, name: p}}}`, antrea, antrea, MsgProviderGroupKindChanged},
		{"provider name may change", `{refName: a, valuesFrom: {providerRef: {apiGroup: g, kind: K, name: p}}}`, `{refName: a, valuesFrom: {providerRef: {apiGroup: g, kind: K, name: m}}}`, antrea, antrea, ""},
		{"provider to inline", `{refName: a, valuesFrom: {providerRef: {apiGroup: g, kind: K, name: p}}}`, `{refName: a, valuesFrom: {inline: {a: b}}}`, antrea, antrea, `spec.cni.valuesFrom: Invalid value: {"inline":{"a":"b"}}: ` + MsgProviderRefReplaced},
		{"provider removed (quirk decided)", `{refName: a, valuesFrom: {providerRef: {apiGroup: g, kind: K, name: p}}}`, `{refName: a}`, antrea, antrea, MsgProviderRefReplaced},
		{"inline to secret", `{refName: a, valuesFrom: {inline: {a: b}}}`, `{refName: a, valuesFrom: {secretRef: s}}`, antrea, antrea, ""},
	} {
		oldPkg, newPkg := specYAML(t, "{cni: "+c.oldPkg+"}").CNI, specYAML(t, "{cni: "+c.newPkg+"}").CNI
		if c.newPkg == "" {
			newPkg = nil
		}
		got := ""
		if err := CheckPackageUpdate(path, oldPkg, newPkg, c.oldCarv, c.newCarv); err != nil {
			got = err.Error()
		}
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCheckAdditionalPackagesUpdate(t *testing.T) {
	path := SpecPath.Child("additionalPackages")
	carvel := func(ref, v string) *CarvelPackage { return &CarvelPackage{RefName: ref, Version: v} }
	oldPkgs := specYAML(t, `{additionalPackages: [{refName: foobar1.1}, {refName: foobar.1}]}`).AdditionalPackages
	oldCarvel := []*CarvelPackage{carvel("foobar1", "1.0.0"), carvel("foobar", "1.0.0")}
	for _, c := range []struct {
		name     string
		newPkgs  string
		carvel   []*CarvelPackage
		wantErrs []string
	}{
		{"reordered and bumped, one added", `[{refName: foobar.2}, {refName: new.1}, {refName: foobar1.1}]`,
			[]*CarvelPackage{carvel("foobar", "1.1.0"), carvel("new", "1.0.0"), carvel("foobar1", "1.0.0")}, nil},
		{"one removed", `[{refName: foobar.1}]`, []*CarvelPackage{carvel("foobar", "1.0.0")},
			[]string{`spec.additionalPackages[0].refName: Invalid value: "foobar1.1": ` + MsgMissingAdditional}},
		{"downgrade names the new index", `[{refName: foobar.0}, {refName: foobar1.1}]`, []*CarvelPackage{carvel("foobar", "0.9.0"), carvel("foobar1", "1.0.0")},
			[]string{`spec.additionalPackages[0].refName: Invalid value: "foobar.0": package downgrade is not allowed, original version: 1.0.0, updated version 0.9.0`}},
		{"duplicate", `[{refName: foobar1.1}, {refName: foobar.1}, {refName: foobar.2}]`, []*CarvelPackage{carvel("foobar1", "1.0.0"), carvel("foobar", "1.0.0"), carvel("foobar", "1.1.0")},
			[]string{`spec.additionalPackages[2].refName: Invalid value: "foobar": ` + MsgDuplicateAdditional}},
		{"unreadable packages are left to the caller", `[{refName: gone}, {refName: foobar1.1}]`, []*CarvelPackage{nil, carvel("foobar1", "1.0.0")},
			[]string{`spec.additionalPackages[1].refName: Invalid value: "foobar.1": ` + MsgMissingAdditional}},
	} {
		newPkgs := specYAML(t, "{additionalPackages: "+c.newPkgs+"}").AdditionalPackages
		got := errorsOf(CheckAdditionalPackagesUpdate(path, oldPkgs, newPkgs, oldCarvel, c.carvel)...)
		if !cmp.Equal(got, c.wantErrs) {
			t.Errorf("%s: errors %q, want %q", c.name, got, c.wantErrs)
		}
	}
}

func TestTemplateRules(t *testing.T) {
	got := errorsOf(ValidateTemplateSpec(specYAML(t, `{csi: {refName: c, valuesFrom: {secretRef: s, inline: {}}}, additionalPackages: [{refName: x, valuesFrom: {providerRef: {kind: K, name: p}}}]}`))...)
	want := []string{
		`spec.cni: Invalid value: "null": ` + MsgNilPackage,
		`spec.kapp: Invalid value: "null": ` + MsgNilPackage,
		`spec.csi.valuesFrom: Invalid value: {"secretRef":"s"}: ` + MsgManyValuesFromFields,
		`spec.additionalPackages[0].valuesFrom.providerRef: Invalid value: {"apiGroup":null,"kind":"K","name":"p"}: ` + MsgNilAPIGroup,
	}
	if !cmp.Equal(got, want) {
		t.Errorf("ValidateTemplateSpec errors:\n%q\nwant\n%q", got, want)
	}
	if errs := ValidateTemplateSpec(specYAML(t, templateYAML)); len(errs) != 0 {
		t.Errorf("the example template is invalid: %v", errs)
	}
	old := specYAML(t, templateYAML)
	if err := CheckTemplateUpdate(old, old.DeepCopy()); err != nil {
		t.Errorf("an unchanged spec was refused: %v", err)
	}
	changed := old.DeepCopy()
	changed.Kapp.RefName = "kapp-controller.tanzu.vmware.com.0.41.6+vmware.1-tkg.1"
	if err := CheckTemplateUpdate(old, changed); err == nil || !strings.Contains(err.Error(), MsgTemplateImmutable) {
		t.Errorf("a changed spec: error = %v", err)
	}
}
