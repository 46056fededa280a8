/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

// Package addons tests the CustomResourceDefinitions generated from the
// add-on configuration APIs below it: what kubectl prints, which versions are
// served and stored, and that the defaults reach objects written without them.
package addons

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/client-go/util/jsonpath"
	"sigs.k8s.io/yaml"

	cniv1alpha2 "github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
)

const crdDir = "../../config/crd/bases"

func loadCRD(t *testing.T, name string) *apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(crdDir, name))
	if err != nil {
		t.Fatalf("reading the generated CRD (run controller-gen first): %v", err)
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(data, &crd); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	return &crd
}

func version(t *testing.T, crd *apiextensionsv1.CustomResourceDefinition, name string) *apiextensionsv1.CustomResourceDefinitionVersion {
	t.Helper()
	for i := range crd.Spec.Versions {
		if crd.Spec.Versions[i].Name == name {
			return &crd.Spec.Versions[i]
		}
	}
	t.Fatalf("%s has no version %s", crd.Name, name)
	return nil
}

// column is a printer column as kubectl shows it: header and JSONPath.
type column struct{ Name, JSONPath string }

func TestCRDs(t *testing.T) {
	antreaColumns := []column{
		{"TrafficEncapMode", ".spec.antrea.config.trafficEncapMode"},
		{"DefaultMTU", ".spec.antrea.config.defaultMTU"},
		{"AntreaProxy", ".spec.antrea.config.featureGates.AntreaProxy"},
		{"AntreaPolicy", ".spec.antrea.config.featureGates.AntreaPolicy"},
		{"SecretRef", ".status.secretRef"},
	}
	type servedVersion struct {
		name    string
		storage bool
		columns []column
	}
	tests := []struct {
		file      string
		shortName string
		versions  []servedVersion
	}{
		{
			file:      "cni.tanzu.vmware.com_antreaconfigs.yaml",
			shortName: "antreaconf",
			versions: []servedVersion{
				{name: "v1alpha1", storage: false, columns: antreaColumns},
				{name: "v1alpha2", storage: true, columns: antreaColumns},
			},
		},
		{
			file:      "cni.tanzu.vmware.com_calicoconfigs.yaml",
			shortName: "calicoconf",
			versions: []servedVersion{{name: "v1alpha1", storage: true, columns: []column{
				{"VethMTU", ".spec.calico.config.vethMTU"},
				{"SecretRef", ".status.secretRef"},
			}}},
		},
		{
			file:      "cpi.tanzu.vmware.com_vspherecpiconfigs.yaml",
			shortName: "vcpic",
			versions: []servedVersion{{name: "v1alpha1", storage: true, columns: []column{
				{"Mode", ".spec.vsphereCPI.mode"},
				{"SecretRef", ".status.secretRef"},
			}}},
		},
		{
			file:      "csi.tanzu.vmware.com_vspherecsiconfigs.yaml",
			shortName: "vcsic",
			versions: []servedVersion{{name: "v1alpha1", storage: true, columns: []column{
				{"Mode", ".spec.vsphereCSI.mode"},
				{"SecretRef", ".status.secretRef"},
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			crd := loadCRD(t, tt.file)
			if crd.Spec.Scope != apiextensionsv1.NamespaceScoped {
				t.Errorf("scope = %s, want Namespaced", crd.Spec.Scope)
			}
			if got := crd.Spec.Names.ShortNames; !slices.Equal(got, []string{tt.shortName}) {
				t.Errorf("short names = %v, want [%s]", got, tt.shortName)
			}
			if len(crd.Spec.Versions) != len(tt.versions) {
				t.Errorf("%d versions, want %d", len(crd.Spec.Versions), len(tt.versions))
			}
			for _, want := range tt.versions {
				v := version(t, crd, want.name)
				if !v.Served || v.Storage != want.storage {
					t.Errorf("%s: served %t storage %t, want served true storage %t", v.Name, v.Served, v.Storage, want.storage)
				}
				if v.Subresources == nil || v.Subresources.Status == nil {
					t.Errorf("%s: no status subresource", v.Name)
				}
				var got []column
				for _, c := range v.AdditionalPrinterColumns {
					got = append(got, column{c.Name, c.JSONPath})
					// The original VSphereCPIConfig printed a column from a
					// field that did not exist; make that impossible here.
					if !inSchema(v.Schema.OpenAPIV3Schema, c.JSONPath) {
						t.Errorf("%s: column %s reads %s, which the schema does not have", v.Name, c.Name, c.JSONPath)
					}
				}
				if diff := cmp.Diff(want.columns, got); diff != "" {
					t.Errorf("%s: printer columns mismatch (-want +got):\n%s", v.Name, diff)
				}
			}
		})
	}
}

// inSchema reports whether a simple dotted JSONPath names a property of s.
func inSchema(s *apiextensionsv1.JSONSchemaProps, path string) bool {
	for _, name := range strings.Split(strings.TrimPrefix(path, "."), ".") {
		p, ok := s.Properties[name]
		if !ok {
			return false
		}
		s = &p
	}
	return true
}

// applyDefaults fills in schema defaults as the API server's structural
// defaulting does for the schema features these CRDs use. A default is itself
// walked, which is how "default: {}" on a parent brings out its children's
// defaults even when a client sends no parent at all.
func applyDefaults(t *testing.T, v any, s *apiextensionsv1.JSONSchemaProps) {
	switch v := v.(type) {
	case map[string]any:
		for name, prop := range s.Properties {
			// A null in a non-nullable field counts as absent, as it does
			// for the API server.
			if val, ok := v[name]; (!ok || (val == nil && !prop.Nullable)) && prop.Default != nil {
				var d any
				if err := json.Unmarshal(prop.Default.Raw, &d); err != nil {
					t.Fatalf("default of %s: %v", name, err)
				}
				v[name] = d
			}
			if child, ok := v[name]; ok {
				applyDefaults(t, child, &prop)
			}
		}
	case []any:
		if s.Items != nil && s.Items.Schema != nil {
			for _, e := range v {
				applyDefaults(t, e, s.Items.Schema)
			}
		}
	}
}

// unknownFields lists the paths in v that s does not declare, which the API
// server would prune or, with strict field validation, reject.
func unknownFields(v any, s *apiextensionsv1.JSONSchemaProps, path string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		if s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields {
			return nil
		}
		for name, child := range v {
			if path == "" && name == "metadata" {
				continue
			}
			prop, ok := s.Properties[name]
			if !ok {
				out = append(out, path+"."+name)
				continue
			}
			out = append(out, unknownFields(child, &prop, path+"."+name)...)
		}
	case []any:
		if s.Items != nil && s.Items.Schema != nil {
			for _, e := range v {
				out = append(out, unknownFields(e, s.Items.Schema, path+"[]")...)
			}
		}
	}
	return out
}

// printColumns renders v's printer columns the way kubectl shows them.
func printColumns(t *testing.T, v *apiextensionsv1.CustomResourceDefinitionVersion, obj map[string]any) []string {
	t.Helper()
	var row []string
	for _, c := range v.AdditionalPrinterColumns {
		jp := jsonpath.New(c.Name).AllowMissingKeys(true)
		if err := jp.Parse("{" + c.JSONPath + "}"); err != nil {
			t.Fatalf("column %s: %v", c.Name, err)
		}
		var buf bytes.Buffer
		if err := jp.Execute(&buf, obj); err != nil {
			t.Fatalf("column %s: %v", c.Name, err)
		}
		row = append(row, buf.String())
	}
	return row
}

// lookup returns the value at a path of keys in nested maps, or nil.
func lookup(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// The seed article shows `kubectl get antreaconfig -A` printing "encap true
// true" for configs that never spelled those values out; the defaults in the
// schema are what produce them.
func TestAntreaConfigDefaults(t *testing.T) {
	crd := loadCRD(t, "cni.tanzu.vmware.com_antreaconfigs.yaml")
	seed, err := os.ReadFile("cni/v1alpha1/testdata/seed-antreaconfig.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		version string
		object  []byte
	}{
		{name: "seed AntreaConfig", version: "v1alpha1", object: seed},
		{name: "empty spec", version: "v1alpha1", object: []byte("spec: {}")},
		{name: "empty spec", version: "v1alpha2", object: []byte("spec: {}")},
	}
	for _, tt := range tests {
		t.Run(tt.version+" "+tt.name, func(t *testing.T) {
			v := version(t, crd, tt.version)
			schema := v.Schema.OpenAPIV3Schema
			var obj map[string]any
			if err := yaml.Unmarshal(tt.object, &obj); err != nil {
				t.Fatal(err)
			}
			if unknown := unknownFields(obj, schema, ""); len(unknown) > 0 {
				t.Errorf("fields the schema does not declare: %v", unknown)
			}
			applyDefaults(t, obj, schema)

			want := []string{"encap", "", "true", "true", ""}
			if diff := cmp.Diff(want, printColumns(t, v, obj)); diff != "" {
				t.Errorf("kubectl get row mismatch (-want +got):\n%s", diff)
			}
			if got := lookup(obj, "spec", "antrea", "config", "tlsCipherSuites"); got != cniv1alpha2.DefaultTLSCipherSuites {
				t.Errorf("tlsCipherSuites default = %v, want DefaultTLSCipherSuites", got)
			}
			gates, _ := lookup(obj, "spec", "antrea", "config", "featureGates").(map[string]any)
			wantGates := 14
			if tt.version == "v1alpha2" {
				wantGates = 15
			}
			if len(gates) != wantGates {
				t.Errorf("%d feature gates defaulted, want %d: %v", len(gates), wantGates, gates)
			}
		})
	}
}
