/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package vsphere

import (
	"encoding/json"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1beta2 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/tkrdata"
)

const (
	version = "v1.22.3+vmware.1"
	tkrName = "v1.22.3---vmware.1-tkg.1"
)

// entry is a TKR_DATA entry for version with OVA ova on OS name, as the resolver writes it.
func entry(ova, name string) string {
	return `{"kubernetesSpec":{"version":"` + version + `"},"osImageRef":{"version":"` + ova + `"},` +
		`"labels":{"run.tanzu.vmware.com/tkr":"` + tkrName + `","os-name":"` + name + `","os-version":"2004","os-arch":"amd64"}}`
}

func data(ova, name string) string { return `{"` + version + `":` + entry(ova, name) + `}` }

type md struct{ name, override string }

// newCluster returns a v1beta1 Cluster labelled with tkrName (unless label is false) whose
// cluster-level TKR_DATA is cp ("" for none) and whose machine deployments are mds.
func newCluster(label bool, cp string, mds ...md) *clusterv1beta1.Cluster {
	c := &clusterv1beta1.Cluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: "clusterNamespace", Name: "cluster"},
		Spec: clusterv1beta1.ClusterSpec{Topology: &clusterv1beta1.Topology{
			Class: "tkg-vsphere-default", Version: version,
			Workers: &clusterv1beta1.WorkersTopology{},
		}},
	}
	if label {
		c.Labels = map[string]string{"run.tanzu.vmware.com/tkr": tkrName}
	}
	if cp != "" {
		c.Spec.Topology.Variables = []clusterv1beta1.ClusterVariable{{Name: "TKR_DATA", Value: apiextensionsv1.JSON{Raw: []byte(cp)}}}
	}
	for _, m := range mds {
		t := clusterv1beta1.MachineDeploymentTopology{Name: m.name, Class: "tkg-worker"}
		if m.override != "" {
			t.Variables = &clusterv1beta1.MachineDeploymentVariables{Overrides: []clusterv1beta1.ClusterVariable{{Name: "TKR_DATA", Value: apiextensionsv1.JSON{Raw: []byte(m.override)}}}}
		}
		c.Spec.Topology.Workers.MachineDeployments = append(c.Spec.Topology.Workers.MachineDeployments, t)
	}
	return c
}

func q(ova, name string) Query {
	return Query{OVAVersion: ova, OSInfo: OSInfo{Name: name, Version: "2004", Arch: "amd64"}}
}

func TestPlanSkips(t *testing.T) {
	noTopology := newCluster(true, "")
	noTopology.Spec.Topology = nil
	otherVersion := newCluster(true, data("foo", "ubuntu"))
	otherVersion.Spec.Topology.Version = "foo"
	otherTKR := newCluster(true, data("foo", "ubuntu"))
	otherTKR.Labels["run.tanzu.vmware.com/tkr"] = "v1.22.3---vmware.1-tkg.2"
	resolved := newCluster(true, strings.Replace(data("foo", "ubuntu"), `"version":"foo"`, `"version":"foo","template":"/dc0/vm/t"`, 1))
	for name, tc := range map[string]struct {
		c    *clusterv1beta1.Cluster
		want string
	}{
		"T2 no topology":                         {noTopology, SkipNoTopology},
		"T6 no TKR label":                        {newCluster(false, data("foo", "ubuntu")), SkipNoTKRLabel},
		"T7 version not in TKR_DATA":             {otherVersion, SkipNotResolved},
		"T8 no TKR_DATA":                         {newCluster(true, ""), SkipNotResolved},
		"entry of another TKR":                   {otherTKR, SkipNotResolved},
		"T21 control plane template already set": {resolved, SkipNoQueries},
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := tkrdata.ForCluster(tc.c)
			plan, skip, err := PlanFor(c)
			if err != nil || plan != nil || skip != tc.want {
				t.Fatalf("PlanFor = %v, %q, %v; want nil, %q, nil", plan, skip, err, tc.want)
			}
		})
	}
}

func TestPlanErrors(t *testing.T) {
	noVersion := strings.Replace(data("foo", "ubuntu"), `"version":"foo"`, `"id":"x"`, 1)
	for name, tc := range map[string]struct {
		c    *clusterv1beta1.Cluster
		want string
	}{
		"T12 control plane TKR_DATA is a string": {newCluster(true, `"foo"`), "error parsing TKR_DATA control plane variable"},
		"T13 md TKR_DATA is a string":            {newCluster(true, data("foo", "ubuntu"), md{"md1", `"foo"`}), "error parsing TKR_DATA machine deployment md1"},
		"T22 control plane without version":      {newCluster(true, noVersion), "error building VM template query for the control plane, cluster 'clusterNamespace/cluster': ova version is invalid or not found"},
		"T22 md without version": {newCluster(true, data("foo", "ubuntu"), md{"md1", noVersion}),
			"error building VM template query for machine deployment 'md1', cluster 'clusterNamespace/cluster': ova version is invalid or not found"},
		"null entry": {newCluster(true, `{"`+version+`":null}`), "trying to resolve VM template for non-existent TKRData value"},
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := tkrdata.ForCluster(tc.c)
			_, _, err := PlanFor(c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("PlanFor error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestPlanAndApply covers T3, T4, T5, T14, T15, T16 and T21 for machine deployments: the
// queries each part asks and what is written back.
func TestPlanAndApply(t *testing.T) {
	results := map[Query]Result{
		q("foo", "ubuntu"): {TemplatePath: "fooTemplate", TemplateMOID: "fooMOID"},
		q("baz", "ubuntu"): {TemplatePath: "bazTemplate", TemplateMOID: "bazMOID"},
		q("qux", "ubuntu"): {TemplatePath: "quxTemplate", TemplateMOID: "quxMOID"},
	}
	c1 := newCluster(true, data("foo", "ubuntu"), md{"md1", data("baz", "ubuntu")}, md{"md2", ""}, md{"md3", data("qux", "ubuntu")})
	c, _ := tkrdata.ForCluster(c1)
	plan, _, err := PlanFor(c)
	if err != nil {
		t.Fatal(err)
	}
	wanted := plan.Wanted()
	if len(wanted) != 3 || len(wanted[q("foo", "ubuntu")]) != 2 {
		t.Fatalf("Wanted = %v; want foo (control plane, md2), baz, qux: identical queries are asked once", wanted)
	}
	if err := plan.Apply(c, results); err != nil {
		t.Fatal(err)
	}
	if got, want := plan.Summary(results), "control plane, machine deployment md2: fooTemplate (fooMOID); machine deployment md1: bazTemplate (bazMOID); machine deployment md3: quxTemplate (quxMOID)"; got != want {
		t.Errorf("Summary = %q\nwant %q", got, want)
	}
	templateOf := func(d tkrdata.TKRData) string {
		return d[version].OSImageRef["template"].(string) + "/" + d[version].OSImageRef["moid"].(string)
	}
	cp, _ := tkrdata.Get(c)
	if got := templateOf(cp); got != "fooTemplate/fooMOID" {
		t.Errorf("control plane = %s", got)
	}
	if cp[version].OSImageRef["version"] != "foo" || cp[version].Labels["os-name"] != "ubuntu" {
		t.Errorf("other keys of the entry were not kept: %+v", cp[version])
	}
	for i, want := range []string{"bazTemplate/bazMOID", "fooTemplate/fooMOID", "quxTemplate/quxMOID"} {
		d, _ := tkrdata.GetForMD(c, i)
		if got := templateOf(d); got != want {
			t.Errorf("md%d = %s, want %s", i+1, got, want)
		}
	}
	if _, ok := c.MDOverride(1, "TKR_DATA"); ok {
		t.Error("md2 inherits the control plane's TKR_DATA and must carry no override")
	}

	t.Run("T14 md override without an entry for the version is left alone", func(t *testing.T) {
		other := `{"v1.21.0+vmware.1":` + entry("old", "ubuntu") + `}`
		c, _ := tkrdata.ForCluster(newCluster(true, data("foo", "ubuntu"), md{"md1", other}))
		plan, _, err := PlanFor(c)
		if err != nil || len(plan.Parts) != 1 {
			t.Fatalf("plan = %+v, %v; want the control plane only", plan, err)
		}
		if err := plan.Apply(c, results); err != nil {
			t.Fatal(err)
		}
		raw, _ := c.MDOverride(0, "TKR_DATA")
		if string(raw) != other {
			t.Errorf("md1 override changed to %s", raw)
		}
	})
	t.Run("T15 a query without result", func(t *testing.T) {
		c, _ := tkrdata.ForCluster(newCluster(true, data("foo", "ubuntu"), md{"md1", data("baz", "ubuntu")}))
		plan, _, _ := PlanFor(c)
		err := plan.Apply(c, map[Query]Result{})
		want := "failed to resolve VM template for control plane: no result found for query {OVA version: 'foo', OSInfo: '{ ubuntu 2004 amd64}'}"
		if err == nil || err.Error() != want {
			t.Fatalf("Apply = %v, want %s", err, want)
		}
		err = plan.Apply(c, map[Query]Result{q("foo", "ubuntu"): {}})
		if err == nil || !strings.HasPrefix(err.Error(), "failed to resolve VM template for machine deployment [0]: no result found for query") {
			t.Fatalf("Apply = %v", err)
		}
		if d, _ := tkrdata.Get(c); d[version].OSImageRef["template"] != nil {
			t.Error("a failed Apply wrote the control plane")
		}
	})
	t.Run("T16 an empty result keeps the existing values", func(t *testing.T) {
		withMOID := strings.Replace(data("foo", "ubuntu"), `"version":"foo"`, `"version":"foo","moid":"vm-1"`, 1)
		c, _ := tkrdata.ForCluster(newCluster(true, withMOID))
		plan, _, _ := PlanFor(c)
		if err := plan.Apply(c, map[Query]Result{q("foo", "ubuntu"): {}}); err != nil {
			t.Fatal(err)
		}
		if d, _ := tkrdata.Get(c); d[version].OSImageRef["moid"] != "vm-1" {
			t.Errorf("moid = %v", d[version].OSImageRef["moid"])
		}
	})
	t.Run("T21 a resolved md is not asked again", func(t *testing.T) {
		done := strings.Replace(data("baz", "ubuntu"), `"version":"baz"`, `"version":"baz","template":"/dc0/vm/baz"`, 1)
		c, _ := tkrdata.ForCluster(newCluster(true, data("foo", "ubuntu"), md{"md1", done}))
		plan, _, _ := PlanFor(c)
		if plan.Parts[1].Query != nil || len(plan.Wanted()) != 1 {
			t.Fatalf("plan = %+v", plan.Parts)
		}
	})
}

// TestPlanV1beta2 shows both Cluster API versions give the same plan and result.
func TestPlanV1beta2(t *testing.T) {
	c := &clusterv1beta2.Cluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "c", Labels: map[string]string{"run.tanzu.vmware.com/tkr": tkrName}},
		Spec: clusterv1beta2.ClusterSpec{Topology: clusterv1beta2.Topology{
			ClassRef: clusterv1beta2.ClusterClassRef{Name: "cc"}, Version: version,
			Variables: []clusterv1beta2.ClusterVariable{{Name: "TKR_DATA", Value: apiextensionsv1.JSON{Raw: []byte(data("foo", "ubuntu"))}}},
		}},
	}
	v, err := tkrdata.ForCluster(c)
	if err != nil {
		t.Fatal(err)
	}
	plan, _, err := PlanFor(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Apply(v, map[Query]Result{q("foo", "ubuntu"): {TemplatePath: "/dc0/vm/foo", TemplateMOID: "vm-1"}}); err != nil {
		t.Fatal(err)
	}
	var got map[string]map[string]map[string]any
	_ = json.Unmarshal(c.Spec.Topology.Variables[0].Value.Raw, &got)
	if ref := got[version]["osImageRef"]; ref["template"] != "/dc0/vm/foo" || ref["moid"] != "vm-1" {
		t.Fatalf("osImageRef = %v", ref)
	}
}

func TestStrings(t *testing.T) {
	if got := q("v", "ubuntu").String(); got != "{OVA version: 'v', OSInfo: '{ ubuntu 2004 amd64}'}" {
		t.Errorf("Query = %s", got)
	}
	if got := (Result{TemplatePath: "p", TemplateMOID: "m"}).String(); got != "{TemplatePath: 'p', TemplateMOID: 'm'}" {
		t.Errorf("Result = %s", got)
	}
}

func TestQueryForOSImage(t *testing.T) {
	tkr := &runv1alpha3.TanzuKubernetesRelease{ObjectMeta: metav1.ObjectMeta{Name: tkrName}}
	img := &runv1alpha3.OSImage{ObjectMeta: metav1.ObjectMeta{Name: "img"}, Spec: runv1alpha3.OSImageSpec{
		KubernetesVersion: version,
		OS:                runv1alpha3.OSInfo{Type: "linux", Name: "ubuntu", Version: "2004", Arch: "amd64"},
		Image:             runv1alpha3.MachineImageInfo{Type: "ova", Ref: map[string]interface{}{"version": "foo"}},
	}}
	got, err := QueryForOSImage(tkr, img)
	if err != nil || *got != q("foo", "ubuntu") {
		t.Fatalf("QueryForOSImage = %v, %v", got, err)
	}
	img.Spec.Image = runv1alpha3.MachineImageInfo{Type: "ami", Ref: map[string]interface{}{"id": "ami-1"}}
	if got, err := QueryForOSImage(tkr, img); got != nil || err != nil {
		t.Fatalf("an AMI: %v, %v", got, err)
	}
}
