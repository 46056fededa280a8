package resolution

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/labels"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/resolver"
)

// describe renders a query as one line per part, "<name> <query>", so that tests compare
// prefixes, selectors and which parts are left as plain strings. A nil query is nil.
func describe(q *resolver.Query) []string {
	if q == nil {
		return nil
	}
	out := []string{"controlPlane " + q.ControlPlane.String()}
	for _, md := range q.MachineDeployments {
		name := "-"
		if md != nil {
			name = md.Name
		}
		out = append(out, name+" "+md.String())
	}
	return out
}

// part renders one part as describe does.
func part(name, prefix, tkrSelector, osImageSelector string) string {
	return fmt.Sprintf("%s {k8sVersionPrefix: '%s', tkrSelector: '%s', osImageSelector: '%s'}",
		name, prefix, canonical(tkrSelector), canonical(osImageSelector))
}

// canonical returns a selector as labels.Selector prints it (requirements sorted by key).
func canonical(sel string) string {
	s, err := labels.Parse(sel)
	if err != nil {
		panic(err)
	}
	return s.String()
}

// TestQuery ports the constructQuery scenarios of spec §5.3 (Q1–Q9) and the skip test of
// §3.4: which parts are asked for, with which prefix and selectors.
func TestQuery(t *testing.T) {
	r := newFixtureResolver()
	full := fullSelector(t, r, chosenImage)
	resolvedData := entryJSON(t, r, chosenK8s, chosenTKR, chosenImage, "")
	photonData := entryJSON(t, r, chosenK8s, chosenTKR, photon124, "")
	mdClasses := ccSpec{mdClasses: map[string]string{"md-class-0": "", "md-class-1": full}}
	threeMDs := []mdSpec{{name: "md-0", class: "md-class-0"}, {name: "md-1", class: "md-class-1"}, {name: "md-2", class: "md-class-1"}}
	resolved := func(mds ...mdSpec) clusterSpec {
		return clusterSpec{
			labels:     map[string]string{runv1alpha3.LabelTKR: chosenTKR},
			resolveTKR: ptr(""),
			version:    "v1.24.9",
			cpSelector: ptr(ubuntuUS),
			vars:       []variable{{"TKR_DATA", resolvedData}},
			mds:        mds,
		}
	}
	withMDs := func(s clusterSpec, mds ...mdSpec) clusterSpec { s.mds = mds; return s }
	withVersion := func(s clusterSpec, v string) clusterSpec { s.version = v; return s }
	withTKRSelector := func(s clusterSpec, sel string) clusterSpec { s.resolveTKR = &sel; return s }

	tests := []struct {
		name    string
		cluster clusterSpec
		cc      ccSpec
		want    []string
		wantErr string
	}{
		{
			name:    "Q1 no resolve-tkr annotation",
			cluster: clusterSpec{version: "v1.24.9"},
		},
		{
			name:    "Q2 no topology",
			cluster: clusterSpec{resolveTKR: ptr("foo"), noTopology: true},
		},
		{
			name:    "Q3 empty resolve-tkr without topology",
			cluster: clusterSpec{resolveTKR: ptr(""), noTopology: true},
		},
		{
			name: "Q4 already resolved",
			cluster: clusterSpec{
				labels:     map[string]string{runv1alpha3.LabelTKR: chosenTKR},
				resolveTKR: ptr(chosenLabel),
				version:    "v1.24",
				cpSelector: &full,
				vars:       []variable{{"TKR_DATA", resolvedData}},
				noWorkers:  true,
			},
			want: []string{"controlPlane nil"},
		},
		{
			name:    "Q5 not yet resolved",
			cluster: clusterSpec{resolveTKR: ptr(chosenLabel), version: "v1.24.9", cpSelector: &full, noWorkers: true},
			want:    []string{part("controlPlane", "v1.24.9", chosenLabel, full)},
		},
		{
			name:    "Q6 no control plane resolve-os-image",
			cluster: clusterSpec{resolveTKR: ptr(chosenLabel), version: "v1.24.9", noWorkers: true},
			want:    []string{part("controlPlane", "v1.24.9", chosenLabel, "")},
		},
		{
			name:    "Q7 machine deployments take their class's selector",
			cluster: clusterSpec{resolveTKR: ptr(chosenLabel), version: "v1.24.9+vmware", cpSelector: &full, mds: threeMDs},
			cc:      mdClasses,
			want: []string{
				part("controlPlane", "v1.24.9+vmware", chosenLabel, full),
				part("md-0", "v1.24.9+vmware", chosenLabel, ""),
				part("md-1", "v1.24.9+vmware", chosenLabel, full),
				part("md-2", "v1.24.9+vmware", chosenLabel, full),
			},
		},
		{
			name: "Q8 machine deployment of a class the ClusterClass lacks",
			cluster: clusterSpec{resolveTKR: ptr(chosenLabel), version: "v1.24.9", mds: []mdSpec{
				{name: "md-0", class: "non-existent"}, {name: "md-1", class: "md-class-1"},
			}},
			cc:      mdClasses,
			wantErr: "machineDeployment refers to non-existent MD class 'non-existent'",
		},
		{
			name: "Q9 label names a TKR that does not exist",
			cluster: clusterSpec{
				labels:     map[string]string{runv1alpha3.LabelTKR: chosenTKR + "-does-not-exist"},
				resolveTKR: ptr(chosenLabel),
				version:    "v1.24.9",
				cpSelector: &full,
				vars:       []variable{{"TKR_DATA", resolvedData}},
				noWorkers:  true,
			},
			want: []string{part("controlPlane", "v1.24.9", chosenLabel, full)},
		},
		{
			name:    "resolve-tkr falls back to the ClusterClass",
			cluster: clusterSpec{version: "v1.24", noWorkers: true},
			cc:      ccSpec{resolveTKR: ptr("!" + gpuLabel), cpSelector: ptr(ubuntuUS)},
			want:    []string{part("controlPlane", "v1.24", "!"+gpuLabel, ubuntuUS)},
		},
		{
			name:    "the Cluster's annotations win over the ClusterClass's",
			cluster: clusterSpec{resolveTKR: ptr(gpuLabel), version: "v1.24", cpSelector: ptr("os-name=photon"), noWorkers: true},
			cc:      ccSpec{resolveTKR: ptr("!" + gpuLabel), cpSelector: ptr(ubuntuUS)},
			want:    []string{part("controlPlane", "v1.24", gpuLabel, "os-name=photon")},
		},
		{
			name: "a machine deployment's own annotation wins over its class's",
			cluster: clusterSpec{resolveTKR: ptr(""), version: "v1.24", mds: []mdSpec{
				{name: "md-0", class: "md-class-1", selector: ptr(photonUS)},
			}},
			cc: mdClasses,
			want: []string{
				part("controlPlane", "v1.24", "", ""),
				part("md-0", "v1.24", "", photonUS),
			},
		},
		{
			name:    "unparsable resolve-tkr",
			cluster: clusterSpec{resolveTKR: ptr("os-name in (ubuntu"), version: "v1.24"},
			wantErr: "error parsing selector: 'os-name in (ubuntu': ",
		},
		{
			name:    "unparsable resolve-os-image",
			cluster: clusterSpec{resolveTKR: ptr(""), version: "v1.24", cpSelector: ptr("=ubuntu")},
			wantErr: "error parsing selector: '=ubuntu': ",
		},
		{
			name:    "unusable version prefix",
			cluster: clusterSpec{resolveTKR: ptr(""), version: "v1.24 ", noWorkers: true},
			wantErr: "the Cluster test-ns/test-c-0 cannot be resolved: its spec.topology.version is not a usable version prefix: version prefix \"v1.24 \"",
		},
		{
			name:    "malformed TKR_DATA with resolve-tkr",
			cluster: clusterSpec{resolveTKR: ptr(""), version: "v1.24", vars: []variable{{"TKR_DATA", `["not", "a", "map"]`}}},
			wantErr: "unmarshalling from JSON into value: ",
		},
		{
			name:    "malformed TKR_DATA without resolve-tkr",
			cluster: clusterSpec{version: "v1.24", vars: []variable{{"TKR_DATA", `["not", "a", "map"]`}}},
		},
		{
			name: "resolved machine deployments on the control plane's OSImage are left alone",
			cluster: resolved(
				mdSpec{name: "md-0", class: "md-class-0"},
				mdSpec{name: "md-1", class: "md-class-1", selector: ptr(ubuntuUS)},
			),
			cc:   mdClasses,
			want: []string{"controlPlane nil", "- nil", "- nil"},
		},
		{
			name:    "a machine deployment on another OS without its own TKR_DATA is pinned to the cluster's TKR",
			cluster: resolved(mdSpec{name: "md-0", class: "md-class-0", selector: ptr(photonUS)}),
			cc:      mdClasses,
			want:    []string{"controlPlane nil", part("md-0", "v1.24.9+vmware.1-tkg.1", "", photonUS)},
		},
		{
			name: "a machine deployment on another OS with its own TKR_DATA is left alone",
			cluster: resolved(mdSpec{name: "md-0", class: "md-class-0", selector: ptr(photonUS),
				overrides: []variable{{"TKR_DATA", photonData}}}),
			cc:   mdClasses,
			want: []string{"controlPlane nil", "- nil"},
		},
		{
			name:    "a new version is resolved again",
			cluster: withMDs(withVersion(resolved(), "v1.23"), mdSpec{name: "md-0", class: "md-class-0"}),
			cc:      mdClasses,
			want:    []string{part("controlPlane", "v1.23", "", ubuntuUS), part("md-0", "v1.23", "", "")},
		},
		{
			name:    "the full TKR version is a prefix of the TKR",
			cluster: withVersion(resolved(), "v1.24.9+vmware.1-tkg.1"),
			want:    []string{"controlPlane nil"},
		},
		{
			name:    "a TKR selector the TKR fails is resolved again",
			cluster: withTKRSelector(resolved(), gpuLabel),
			want:    []string{part("controlPlane", "v1.24.9", gpuLabel, ubuntuUS)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachAPIVersion(t, func(t *testing.T, api int) {
				c, cc := views(t, api, tt.cluster, tt.cc)
				before := snapshot(t, c)
				q, err := queryToResolve(c, cc, r)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
					}
				} else if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if err == nil {
					if diff := cmp.Diff(tt.want, describe(q)); diff != "" {
						t.Errorf("query (-want +got):\n%s", diff)
					}
				}
				if after := snapshot(t, c); after != before {
					t.Errorf("building the query changed the Cluster:\nbefore %s\nafter  %s", before, after)
				}
			})
		})
	}
}

// TestConstructQueryWithoutClusterClass checks that a nil ClusterClass (not known to the
// caller) gives selectors from the Cluster alone rather than an error.
func TestConstructQueryWithoutClusterClass(t *testing.T) {
	eachAPIVersion(t, func(t *testing.T, api int) {
		c, _ := views(t, api, clusterSpec{resolveTKR: ptr(""), version: "v1.24", cpSelector: ptr(ubuntuUS),
			mds: []mdSpec{{name: "md-0", class: "anything"}}}, ccSpec{})
		q, err := ConstructQuery("v1.24", c, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{part("controlPlane", "v1.24", "", ubuntuUS), part("md-0", "v1.24", "", "")}
		if diff := cmp.Diff(want, describe(q)); diff != "" {
			t.Errorf("query (-want +got):\n%s", diff)
		}
	})
}
