/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package tkrdata

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// twoMDs is a Cluster with two machine deployments and the given variables.
func twoMDs(vars []variable, md0, md1 []variable) clusterFixture {
	return clusterFixture{
		Class: "tkg-vsphere-default", Version: "v1.24.9+vmware.1", Vars: vars,
		MDs: []mdFixture{
			{Name: "md-0", Class: "tkg-worker", Overrides: md0},
			{Name: "md-1", Class: "tkg-worker", Overrides: md1},
		},
	}
}

func TestGetMissingOrNull(t *testing.T) {
	tests := []struct {
		name string
		vars []variable
	}{
		{"no variables", nil},
		{"other variables only", []variable{{"imageRepository", `{"host":"r"}`}}},
		{"null", []variable{{VarTKRData, "null"}}},
		{"no value", []variable{{VarTKRData, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachVersion(t, twoMDs(tt.vars, nil, nil), func(t *testing.T, c Cluster) {
				got, err := Get(c)
				if err != nil || got != nil {
					t.Errorf("Get() = %v, %v; want nil, nil", got, err)
				}
				got, err = GetForMD(c, 1)
				if err != nil || got != nil {
					t.Errorf("GetForMD(1) = %v, %v; want nil, nil", got, err)
				}
			})
		})
	}
}

func TestSetGetRoundTrip(t *testing.T) {
	data := ubuntuData()
	data["v1.23.15+vmware.1"] = &Entry{KubernetesSpec: &runv1alpha3.KubernetesSpec{Version: "v1.23.15+vmware.1"}}
	forEachVersion(t, twoMDs([]variable{{"other", `1`}}, nil, nil), func(t *testing.T, c Cluster) {
		if err := Set(c, data); err != nil {
			t.Fatal(err)
		}
		got, err := Get(c)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(data, got); diff != "" {
			t.Errorf("Get after Set (-want +got):\n%s", diff)
		}
		raw, _ := c.Variable(VarTKRData)
		if !strings.HasPrefix(string(raw), `{"v1.23.15+vmware.1":`) {
			t.Errorf("TKR_DATA keys are not sorted: %s", raw)
		}
		want := clusterState{
			Vars:        []variable{{"other", `1`}, {VarTKRData, mustJSON(t, data)}},
			MDOverrides: [][]variable{nil, nil},
		}
		if diff := cmp.Diff(want, stateOf(t, c)); diff != "" {
			t.Errorf("Cluster (-want +got):\n%s", diff)
		}
	})
}

func TestSetNilWritesEmptyObject(t *testing.T) {
	forEachVersion(t, twoMDs(nil, nil, nil), func(t *testing.T, c Cluster) {
		if err := Set(c, nil); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]variable{{VarTKRData, `{}`}}, stateOf(t, c).Vars); diff != "" {
			t.Errorf("variables (-want +got):\n%s", diff)
		}
	})
}

// TestSetPreservesOtherVersions follows what the webhook does on an upgrade: read, replace
// one version's entry, write back.
func TestSetPreservesOtherVersions(t *testing.T) {
	old := `{"v1.23.15+vmware.1":{"kubernetesSpec":{"version":"v1.23.15+vmware.1","etcd":null,"pause":null,"coredns":null,"kube-vip":null},` +
		`"osImageRef":{"version":"v1.23.15"},"labels":{"run.tanzu.vmware.com/tkr":"v1.23.15---vmware.1-tkg.1"}},` +
		`"v1.24.9+vmware.1":{"kubernetesSpec":{"version":"v1.24.9+vmware.1"},"osImageRef":{},"labels":{}}}`
	forEachVersion(t, twoMDs([]variable{{VarTKRData, old}}, nil, nil), func(t *testing.T, c Cluster) {
		data, err := Get(c)
		if err != nil {
			t.Fatal(err)
		}
		want := data["v1.23.15+vmware.1"]
		data["v1.24.9+vmware.1"] = NewEntry(seedTKR(), seedUbuntu(), "")
		if err := Set(c, data); err != nil {
			t.Fatal(err)
		}
		got, err := Get(c)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got["v1.23.15+vmware.1"]); diff != "" {
			t.Errorf("v1.23.15 entry (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(ubuntuData()["v1.24.9+vmware.1"], got["v1.24.9+vmware.1"]); diff != "" {
			t.Errorf("v1.24.9 entry (-want +got):\n%s", diff)
		}
	})
}

func TestGetForMD(t *testing.T) {
	ubuntu, photon := mustJSON(t, ubuntuData()), mustJSON(t, photonData())
	f := twoMDs([]variable{{VarTKRData, ubuntu}}, []variable{{"other", `"x"`}}, []variable{{VarTKRData, photon}})
	forEachVersion(t, f, func(t *testing.T, c Cluster) {
		for i, want := range []TKRData{ubuntuData(), photonData()} {
			got, err := GetForMD(c, i)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("GetForMD(%d) (-want +got):\n%s", i, diff)
			}
		}
		for _, i := range []int{-1, 2} {
			if _, err := GetForMD(c, i); err == nil {
				t.Errorf("GetForMD(%d) succeeded; want an error", i)
			}
		}
	})
}

func TestSetForMD(t *testing.T) {
	ubuntu, photon := mustJSON(t, ubuntuData()), mustJSON(t, photonData())
	// The same value as ubuntu, indented and with its keys in another order, as a user or
	// another tool might have written it.
	ubuntuReordered := reorder(t, ubuntu)
	if ubuntuReordered == ubuntu {
		t.Fatal("reorder did not change the bytes")
	}
	tests := []struct {
		name string
		in   clusterFixture
		data TKRData
		want clusterState
	}{{
		name: "different from the cluster: override created, variables created",
		in:   twoMDs([]variable{{VarTKRData, ubuntu}}, nil, nil),
		data: photonData(),
		want: clusterState{Vars: []variable{{VarTKRData, ubuntu}}, MDOverrides: [][]variable{nil, {{VarTKRData, photon}}}},
	}, {
		name: "different from the cluster: override replaced in place",
		in:   twoMDs([]variable{{VarTKRData, ubuntu}}, nil, []variable{{VarTKRData, `{}`}, {"other", `1`}}),
		data: photonData(),
		want: clusterState{Vars: []variable{{VarTKRData, ubuntu}}, MDOverrides: [][]variable{nil, {{VarTKRData, photon}, {"other", `1`}}}},
	}, {
		name: "equal to the cluster: stale override removed with its variables",
		in:   twoMDs([]variable{{VarTKRData, ubuntu}}, nil, []variable{{VarTKRData, photon}}),
		data: ubuntuData(),
		want: clusterState{Vars: []variable{{VarTKRData, ubuntu}}, MDOverrides: [][]variable{nil, nil}},
	}, {
		name: "equal to the cluster in another formatting and key order: override removed",
		in:   twoMDs([]variable{{VarTKRData, ubuntuReordered}}, nil, []variable{{"other", `1`}, {VarTKRData, photon}}),
		data: ubuntuData(),
		want: clusterState{Vars: []variable{{VarTKRData, ubuntuReordered}}, MDOverrides: [][]variable{nil, {{"other", `1`}}}},
	}, {
		name: "equal to the cluster, no override: nothing changes",
		in:   twoMDs([]variable{{VarTKRData, ubuntu}}, nil, nil),
		data: ubuntuData(),
		want: clusterState{Vars: []variable{{VarTKRData, ubuntu}}, MDOverrides: [][]variable{nil, nil}},
	}, {
		name: "no cluster variable: created as {}",
		in:   twoMDs([]variable{{"other", `1`}}, nil, nil),
		data: photonData(),
		want: clusterState{Vars: []variable{{"other", `1`}, {VarTKRData, `{}`}}, MDOverrides: [][]variable{nil, {{VarTKRData, photon}}}},
	}, {
		name: "null cluster variable: replaced by {}",
		in:   twoMDs([]variable{{VarTKRData, `null`}}, nil, nil),
		data: photonData(),
		want: clusterState{Vars: []variable{{VarTKRData, `{}`}}, MDOverrides: [][]variable{nil, {{VarTKRData, photon}}}},
	}, {
		name: "no cluster variable, empty data: no override",
		in:   twoMDs(nil, nil, nil),
		data: TKRData{},
		want: clusterState{Vars: []variable{{VarTKRData, `{}`}}, MDOverrides: [][]variable{nil, nil}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachVersion(t, tt.in, func(t *testing.T, c Cluster) {
				if err := SetForMD(c, 1, tt.data); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, stateOf(t, c)); diff != "" {
					t.Errorf("Cluster (-want +got):\n%s", diff)
				}
				got, err := GetForMD(c, 1)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.data, got); diff != "" {
					t.Errorf("GetForMD after SetForMD (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// reorder re-encodes the JSON object s indented and with its top-level keys reversed.
func reorder(t *testing.T, s string) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("{\n")
	for k, v := range m { // one key: TKR_DATA has one version here
		var inner map[string]json.RawMessage
		if err := json.Unmarshal(v, &inner); err != nil {
			t.Fatal(err)
		}
		b.WriteString("  " + mustJSON(t, k) + ": {\n")
		for _, ik := range []string{"labels", "osImageRef", "kubernetesSpec"} {
			b.WriteString("    " + mustJSON(t, ik) + ": " + string(inner[ik]))
			if ik != "kubernetesSpec" {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString("  }\n")
	}
	b.WriteString("}")
	return b.String()
}

// TestSetMDVariableDefaults ports the util/topology tests: the cluster-level variable a new
// override needs is created empty, of the value's kind.
func TestSetMDVariableDefaults(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  clusterState
	}{
		{"slice", []string{"a"}, clusterState{Vars: []variable{{"v", `[]`}}, MDOverrides: [][]variable{{{"v", `["a"]`}}, nil}}},
		{"empty slice equals the new []", []string{}, clusterState{Vars: []variable{{"v", `[]`}}, MDOverrides: [][]variable{nil, nil}}},
		{"map", map[string]int{"a": 1}, clusterState{Vars: []variable{{"v", `{}`}}, MDOverrides: [][]variable{{{"v", `{"a":1}`}}, nil}}},
		{"pointer to struct", &CustomImageRepository{Host: "h"}, clusterState{Vars: []variable{{"v", `{}`}}, MDOverrides: [][]variable{{{"v", `{"host":"h","tlsCertificateValidation":false}`}}, nil}}},
		{"string", "s", clusterState{Vars: []variable{{"v", `null`}}, MDOverrides: [][]variable{{{"v", `"s"`}}, nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachVersion(t, twoMDs(nil, nil, nil), func(t *testing.T, c Cluster) {
				if err := SetMDVariable(c, 0, "v", tt.value); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, stateOf(t, c)); diff != "" {
					t.Errorf("Cluster (-want +got):\n%s", diff)
				}
			})
		})
	}
}

func TestMalformed(t *testing.T) {
	jsonErr := func(raw string) string {
		var d TKRData
		err := json.Unmarshal([]byte(raw), &d)
		if err == nil {
			t.Fatalf("%s decodes", raw)
		}
		return err.Error()
	}
	tests := []struct {
		name    string
		in      clusterFixture
		md      int
		wantErr string
	}{{
		name: "cluster variable is a string",
		in:   twoMDs([]variable{{VarTKRData, `"oops"`}}, nil, nil),
		md:   -1,
		wantErr: "unmarshalling from JSON into value: " + jsonErr(`"oops"`) +
			": the value of variable TKR_DATA in spec.topology.variables of the Cluster default/workload-1 is not valid",
	}, {
		name: "cluster variable has an entry of the wrong shape, read for an MD without override",
		in:   twoMDs([]variable{{VarTKRData, `{"v1.24.9":{"labels":[1]}}`}}, nil, nil),
		md:   0,
		wantErr: "unmarshalling from JSON into value: " + jsonErr(`{"v1.24.9":{"labels":[1]}}`) +
			": the value of variable TKR_DATA in spec.topology.variables of the Cluster default/workload-1 is not valid",
	}, {
		name: "MD override is not JSON",
		in:   twoMDs([]variable{{VarTKRData, `{}`}}, nil, []variable{{VarTKRData, `{`}}),
		md:   1,
		wantErr: "unmarshalling from JSON into value: " + jsonErr(`{`) +
			": the override of variable TKR_DATA in spec.topology.workers.machineDeployments[1] (md-1) of the Cluster default/workload-1 is not valid",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachVersion(t, tt.in, func(t *testing.T, c Cluster) {
				var err error
				if tt.md < 0 {
					_, err = Get(c)
				} else {
					_, err = GetForMD(c, tt.md)
				}
				if err == nil {
					t.Fatal("no error")
				}
				if err.Error() != tt.wantErr {
					t.Errorf("error:\ngot  %s\nwant %s", err, tt.wantErr)
				}
			})
		})
	}
}

func TestNoTopology(t *testing.T) {
	forEachVersion(t, clusterFixture{NoTopology: true}, func(t *testing.T, c Cluster) {
		if c.HasTopology() {
			t.Error("HasTopology() = true")
		}
		if got, err := Get(c); got != nil || err != nil {
			t.Errorf("Get() = %v, %v; want nil, nil", got, err)
		}
		want := "the Cluster default/workload-1 has no spec.topology, so variable TKR_DATA cannot be set"
		if err := Set(c, ubuntuData()); err == nil || err.Error() != want {
			t.Errorf("Set() error = %v; want %q", err, want)
		}
		want = "the Cluster default/workload-1 has no spec.topology, so spec.topology.version cannot be set"
		if err := c.SetTopologyVersion("v1.24.9"); err == nil || err.Error() != want {
			t.Errorf("SetTopologyVersion() error = %v; want %q", err, want)
		}
		want = "the Cluster default/workload-1 has no spec.topology.workers.machineDeployments[0]: it has 0 machine deployments"
		if err := SetForMD(c, 0, ubuntuData()); err == nil || err.Error() != want {
			t.Errorf("SetForMD() error = %v; want %q", err, want)
		}
		if diff := cmp.Diff(clusterState{}, stateOf(t, c)); diff != "" {
			t.Errorf("Cluster changed (-want +got):\n%s", diff)
		}
	})
}

func TestMDIndexOutOfRange(t *testing.T) {
	forEachVersion(t, twoMDs(nil, nil, nil), func(t *testing.T, c Cluster) {
		want := "the Cluster default/workload-1 has no spec.topology.workers.machineDeployments[2]: it has 2 machine deployments"
		if err := SetForMD(c, 2, ubuntuData()); err == nil || err.Error() != want {
			t.Errorf("SetForMD(2) error = %v; want %q", err, want)
		}
		if _, err := GetForMD(c, 2); err == nil || err.Error() != want {
			t.Errorf("GetForMD(2) error = %v; want %q", err, want)
		}
		if err := c.SetMDOverride(2, VarTKRData, []byte(`{}`)); err == nil || err.Error() != want {
			t.Errorf("SetMDOverride(2) error = %v; want %q", err, want)
		}
		if err := c.RemoveMDOverride(2, VarTKRData); err == nil || err.Error() != want {
			t.Errorf("RemoveMDOverride(2) error = %v; want %q", err, want)
		}
		if diff := cmp.Diff(clusterState{MDOverrides: [][]variable{nil, nil}}, stateOf(t, c)); diff != "" {
			t.Errorf("Cluster changed (-want +got):\n%s", diff)
		}
	})
}

func TestReadCustomImageRepository(t *testing.T) {
	tests := []struct {
		name        string
		vars        []variable
		varName     string
		want        CustomImageRepository
		wantWarning string
	}{
		{name: "missing", vars: []variable{{"other", `{"host":"x"}`}}},
		{name: "null", vars: []variable{{"imageRepository", `null`}}},
		{name: "host and TLS validation", vars: []variable{{"imageRepository", `{"host":"r.example/tkg","tlsCertificateValidation":true}`}},
			want: CustomImageRepository{Host: "r.example/tkg", TLSCertificateValidation: true}},
		{name: "host only", vars: []variable{{"imageRepository", `{"host":"r.example/tkg"}`}},
			want: CustomImageRepository{Host: "r.example/tkg"}},
		{name: "other variable name", vars: []variable{{"imageRepository", `{"host":"no"}`}, {"myRepo", `{"host":"yes"}`}}, varName: "myRepo",
			want: CustomImageRepository{Host: "yes"}},
		{name: "a string", vars: []variable{{"imageRepository", `"r.example/tkg"`}},
			wantWarning: "ignoring variable imageRepository of the Cluster default/workload-1: it is not a custom image repository {host, tlsCertificateValidation}: "},
		{name: "host of the wrong type", vars: []variable{{"imageRepository", `{"host":5}`}},
			wantWarning: "ignoring variable imageRepository of the Cluster default/workload-1: it is not a custom image repository {host, tlsCertificateValidation}: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachVersion(t, twoMDs(tt.vars, nil, nil), func(t *testing.T, c Cluster) {
				got, warning := ReadCustomImageRepository(c, tt.varName)
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("repository (-want +got):\n%s", diff)
				}
				switch {
				case tt.wantWarning == "" && warning != nil:
					t.Errorf("unexpected warning: %v", warning)
				case tt.wantWarning != "" && (warning == nil || !strings.HasPrefix(warning.Error(), tt.wantWarning)):
					t.Errorf("warning = %v; want it to start with %q", warning, tt.wantWarning)
				}
			})
		})
	}
}
