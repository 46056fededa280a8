/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package tkrdata

import (
	"testing"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// benchFixture is a Cluster in the middle of an upgrade: TKR_DATA holds two versions, md-1
// runs Photon (an override), md-0 and md-2 the control plane's Ubuntu.
func benchFixture(b *testing.B) clusterFixture {
	ubuntu := ubuntuData()
	ubuntu["v1.23.15+vmware.1"] = &Entry{
		KubernetesSpec: &runv1alpha3.KubernetesSpec{Version: "v1.23.15+vmware.1", ImageRepository: "projects.registry.vmware.com/tkg"},
		OSImageRef:     map[string]interface{}{"version": "v1.23.15+vmware.1-tkg.1-ubuntu"},
		Labels:         map[string]string{runv1alpha3.LabelTKR: "v1.23.15---vmware.1-tkg.1"},
	}
	photon := photonData()
	photon["v1.23.15+vmware.1"] = ubuntu["v1.23.15+vmware.1"]
	f := fullFixture()
	f.Vars = append(f.Vars, variable{VarTKRData, mustJSON(b, ubuntu)})
	f.MDs[1].Overrides = append(f.MDs[1].Overrides, variable{VarTKRData, mustJSON(b, photon)})
	return f
}

// benchEachVersion runs bench for both Cluster versions; c returns a view of a fresh copy of
// benchFixture each time it is called.
func benchEachVersion(b *testing.B, bench func(b *testing.B, c func() Cluster)) {
	f := benchFixture(b)
	b.Run("v1beta1", func(b *testing.B) {
		obj := f.v1beta1()
		bench(b, func() Cluster { return mustView(b, obj.DeepCopy()) })
	})
	b.Run("v1beta2", func(b *testing.B) {
		obj := f.v1beta2()
		bench(b, func() Cluster { return mustView(b, obj.DeepCopy()) })
	})
}

func BenchmarkGet(b *testing.B) {
	benchEachVersion(b, func(b *testing.B, c func() Cluster) {
		cl := c()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Get(cl); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkGetForMDs(b *testing.B) {
	benchEachVersion(b, func(b *testing.B, c func() Cluster) {
		cl := c()
		b.ReportAllocs()
		for b.Loop() {
			for i := range 3 {
				if _, err := GetForMD(cl, i); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

func BenchmarkSet(b *testing.B) {
	data := ubuntuData()
	benchEachVersion(b, func(b *testing.B, c func() Cluster) {
		cl := c()
		b.ReportAllocs()
		for b.Loop() {
			if err := Set(cl, data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSetForMD(b *testing.B) {
	for _, tt := range []struct {
		name string
		data TKRData
	}{
		{"equal-bytes", nil},        // the cluster-level value as Set wrote it: no decoding
		{"equal-reformatted", nil},  // the cluster-level value formatted by someone else
		{"different", photonData()}, // an override, replaced on every iteration but the first
	} {
		b.Run(tt.name, func(b *testing.B) {
			benchEachVersion(b, func(b *testing.B, c func() Cluster) {
				cl := c()
				data := tt.data
				if data == nil {
					var err error
					if data, err = Get(cl); err != nil {
						b.Fatal(err)
					}
				}
				switch tt.name {
				case "equal-bytes":
					if err := Set(cl, data); err != nil {
						b.Fatal(err)
					}
				case "equal-reformatted":
					raw, _ := cl.Variable(VarTKRData)
					_ = cl.SetVariable(VarTKRData, append([]byte(" "), raw...))
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := SetForMD(cl, 0, data); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func BenchmarkNewEntry(b *testing.B) {
	tkr, img := seedTKR(), seedUbuntu()
	b.ReportAllocs()
	for b.Loop() {
		_ = NewEntry(tkr, img, "")
	}
}

// BenchmarkWebhookWrites is the whole TKR_DATA part of an admission that resolved the
// control plane and the 3 machine deployments: read the custom repository, update the
// cluster-level value, then update each machine deployment.
func BenchmarkWebhookWrites(b *testing.B) {
	tkr, ubuntu, photon := seedTKR(), seedUbuntu(), seedPhoton()
	benchEachVersion(b, func(b *testing.B, c func() Cluster) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			cl := c()
			b.StartTimer()
			repo, _ := ReadCustomImageRepository(cl, "")
			data, err := Get(cl)
			if err != nil {
				b.Fatal(err)
			}
			data[tkr.Spec.Kubernetes.Version] = NewEntry(tkr, ubuntu, repo.Host)
			if err := Set(cl, data); err != nil {
				b.Fatal(err)
			}
			for i, img := range []*runv1alpha3.OSImage{ubuntu, photon, ubuntu} {
				md, err := GetForMD(cl, i)
				if err != nil {
					b.Fatal(err)
				}
				md[tkr.Spec.Kubernetes.Version] = NewEntry(tkr, img, repo.Host)
				if err := SetForMD(cl, i, md); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
