/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package tkrdata

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1beta2 "sigs.k8s.io/cluster-api/api/core/v1beta2"
)

// TestConversionEquivalence checks that the views agree with Cluster API's own mapping
// between v1beta1 and v1beta2: a v1beta1 Cluster and its conversion read the same, and the
// same writes to both give objects that still convert into each other.
func TestConversionEquivalence(t *testing.T) {
	f := fullFixture()
	f.Vars = append(f.Vars, variable{VarTKRData, mustJSON(t, ubuntuData())})
	f.MDs[1].Overrides = append(f.MDs[1].Overrides, variable{VarTKRData, mustJSON(t, photonData())})
	f.MDs[2].Overrides = []variable{{VarTKRData, mustJSON(t, photonData())}}

	old := f.v1beta1()
	converted := &clusterv1beta2.Cluster{}
	if err := clusterv1beta1.Convert_v1beta1_Cluster_To_v1beta2_Cluster(old.DeepCopy(), converted, nil); err != nil {
		t.Fatal(err)
	}
	v1, v2 := mustView(t, old), mustView(t, converted)

	t.Run("reads", func(t *testing.T) {
		if diff := cmp.Diff(readView(v1), readView(v2)); diff != "" {
			t.Errorf("views (-v1beta1 +v1beta2):\n%s", diff)
		}
		type data struct {
			Cluster TKRData
			MDs     []TKRData
			Repo    CustomImageRepository
		}
		read := func(c Cluster) data {
			var d data
			var err error
			if d.Cluster, err = Get(c); err != nil {
				t.Fatal(err)
			}
			for i := range c.MachineDeployments() {
				md, err := GetForMD(c, i)
				if err != nil {
					t.Fatal(err)
				}
				d.MDs = append(d.MDs, md)
			}
			d.Repo, err = ReadCustomImageRepository(c, "")
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		d1, d2 := read(v1), read(v2)
		if diff := cmp.Diff(d1, d2); diff != "" {
			t.Errorf("TKR data (-v1beta1 +v1beta2):\n%s", diff)
		}
		if diff := cmp.Diff([]TKRData{ubuntuData(), photonData(), photonData()}, d1.MDs); diff != "" {
			t.Errorf("machine deployment TKR data (-want +got):\n%s", diff)
		}
	})

	t.Run("writes", func(t *testing.T) {
		// What the webhook does after resolving md-0 to Photon and md-1, md-2 to Ubuntu:
		// md-0 gains an override, md-1 loses its TKR_DATA override, md-2 all its variables.
		for _, c := range []Cluster{v1, v2} {
			if err := c.SetTopologyVersion("v1.24.9+vmware.1"); err != nil {
				t.Fatal(err)
			}
			if err := Set(c, ubuntuData()); err != nil {
				t.Fatal(err)
			}
			for i, d := range []TKRData{photonData(), ubuntuData(), ubuntuData()} {
				if err := SetForMD(c, i, d); err != nil {
					t.Fatal(err)
				}
			}
		}
		if diff := cmp.Diff(stateOf(t, v1), stateOf(t, v2)); diff != "" {
			t.Errorf("variables (-v1beta1 +v1beta2):\n%s", diff)
		}
		reconverted := &clusterv1beta2.Cluster{}
		if err := clusterv1beta1.Convert_v1beta1_Cluster_To_v1beta2_Cluster(old, reconverted, nil); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(converted.Spec.Topology, reconverted.Spec.Topology); diff != "" {
			t.Errorf("topology written through v1beta2 vs written through v1beta1 and converted (-v1beta2 +converted):\n%s", diff)
		}
	})
}

func TestClusterClassConversionEquivalence(t *testing.T) {
	old := v1beta1ClusterClassFixture()
	converted := &clusterv1beta2.ClusterClass{}
	if err := clusterv1beta1.Convert_v1beta1_ClusterClass_To_v1beta2_ClusterClass(old.DeepCopy(), converted, nil); err != nil {
		t.Fatal(err)
	}
	cc1, err := ForClusterClass(old)
	if err != nil {
		t.Fatal(err)
	}
	cc2, err := ForClusterClass(converted)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(readClassView(cc1), readClassView(cc2)); diff != "" {
		t.Errorf("views (-v1beta1 +v1beta2):\n%s", diff)
	}
}
