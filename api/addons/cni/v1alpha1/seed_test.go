/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha1

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// The CLI seeds clusters with this AntreaConfig, so v1alpha1 must accept it
// with no field left over.
func TestSeedAntreaConfigDecodesStrictly(t *testing.T) {
	tests := []struct {
		file string
		want AntreaConfig
	}{
		{
			file: "testdata/seed-antreaconfig-template.yaml",
			want: AntreaConfig{
				TypeMeta: metav1.TypeMeta{APIVersion: "cni.tanzu.vmware.com/v1alpha1", Kind: "AntreaConfig"},
			},
		},
		{
			file: "testdata/seed-antreaconfig.yaml",
			want: AntreaConfig{
				TypeMeta:   metav1.TypeMeta{APIVersion: "cni.tanzu.vmware.com/v1alpha1", Kind: "AntreaConfig"},
				ObjectMeta: metav1.ObjectMeta{Name: "vick-wl", Namespace: "vick"},
				Spec: AntreaConfigSpec{Antrea: Antrea{Config: AntreaConfigDataValue{
					Egress:        AntreaEgress{ExceptCIDRs: []string{"10.0.0.0/8", "192.168.0.0/16"}},
					NodePortLocal: AntreaNodePortLocal{Enabled: ptr(true)},
				}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			var got AntreaConfig
			if err := yaml.UnmarshalStrict(data, &got); err != nil {
				t.Fatalf("UnmarshalStrict: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decoded AntreaConfig mismatch (-want +got):\n%s", diff)
			}
			if gv := got.GroupVersionKind().GroupVersion(); gv != GroupVersion {
				t.Errorf("apiVersion = %s, want %s", gv, GroupVersion)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
