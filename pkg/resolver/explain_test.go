package resolver

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// explainCatalog is a v1.24 catalogue with one TKR for each way of failing.
func explainCatalog() *Resolver {
	r := New()
	gpu := mkTKR("v1.24.9+vmware.1-gpu-efi", "g1")
	gpu.Labels = map[string]string{"tkr.tanzu.vmware.com/gpu-efi": ""}
	deprecated := mkTKR("v1.24.8+vmware.1-tkg.1", "u8")
	deprecated.Labels = map[string]string{"deprecated": "true"}
	deactivated := mkTKR("v1.24.7+vmware.1-tkg.1", "u7")
	deactivated.Labels = map[string]string{"deactivated": ""}
	r.Add(
		withCondition(mkTKR("v1.24.10+vmware.1-tkg.1", "u10"), "Compatible", "TKG v2.1 does not support it."),
		withCondition(mkTKR("v1.24.6+vmware.1-tkg.1", "u6"), "Valid", "spec.kubernetes.version does not match its OSImages"),
		mkTKR("v1.24.9+vmware.1-tkg.1", "u9", "p9", "missing"),
		mkTKR("v1.24.9+vmware.1-tkg.2", "u92a", "u92b"),
		mkTKR("v1.24.5+vmware.1-tkg.1"),
		mkTKR("v1.24.4+vmware.1-tkg.1.a..b", "u4"),
		gpu, deprecated, deactivated,
		mkImage("u10", "v1.24.10+vmware.1", "ubuntu", "amd64"),
		mkImage("u9", "v1.24.9+vmware.1", "ubuntu", "arm64"),
		withCondition(mkImage("p9", "v1.24.9+vmware.1", "photon", "amd64"), "Valid", "bad checksum"),
		mkImage("u92a", "v1.24.9+vmware.1", "ubuntu", "amd64"),
		mkImage("u92b", "v1.24.9+vmware.1", "ubuntu", "amd64"),
		mkImage("g1", "v1.24.9+vmware.1", "ubuntu", "amd64"),
		mkImage("u8", "v1.24.8+vmware.1", "ubuntu", "amd64"),
		mkImage("u7", "v1.24.7+vmware.1", "ubuntu", "amd64"),
		mkImage("u6", "v1.24.6+vmware.1", "ubuntu", "amd64"),
		mkImage("u4", "v1.24.4+vmware.1", "ubuntu", "amd64"),
	)
	return r
}

// candidate returns the candidate named name in part p of x.
func candidate(t *testing.T, x *Explanation, p int, name string) TKRCandidate {
	t.Helper()
	for _, c := range x.Parts[p].Candidates {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("part %s lists no candidate %s:\n%s", x.Parts[p].Part, name, x)
	return TKRCandidate{}
}

func TestExplainRejections(t *testing.T) {
	r := explainCatalog()
	tests := []struct {
		name   string
		q      Query
		part   int
		tkr    string
		want   *Rejection
		images []OSImageCandidate // nil: not checked
	}{
		{
			name: "version prefix",
			q:    clusterQuery("v1.24.9+vmware.1-tkg.1-zshippable", "", ""),
			tkr:  "v1.24.9---vmware.1-tkg.1",
			want: &Rejection{Reason: ReasonVersionPrefix, Requirement: "v1.24.9---vmware.1-tkg.1-zshippable", Expected: "present", Actual: "absent",
				Message: "Its version v1.24.9+vmware.1-tkg.1 does not start with v1.24.9+vmware.1-tkg.1-zshippable."},
		},
		{
			name: "TKR selector, label absent",
			q:    clusterQuery("v1.24", "tkr.tanzu.vmware.com/gpu-efi", ""),
			tkr:  "v1.24.9---vmware.1-tkg.2",
			want: &Rejection{Reason: ReasonTKRSelector, Requirement: "tkr.tanzu.vmware.com/gpu-efi", Expected: "present", Actual: "absent",
				Message: "It fails the TKR selector term tkr.tanzu.vmware.com/gpu-efi: label tkr.tanzu.vmware.com/gpu-efi is absent, but must be present."},
		},
		{
			name: "TKR selector, label present",
			q:    clusterQuery("v1.24", "!deprecated", ""),
			tkr:  "v1.24.8---vmware.1-tkg.1",
			want: &Rejection{Reason: ReasonTKRSelector, Requirement: "!deprecated", Expected: "absent", Actual: `"true"`,
				Message: `It fails the TKR selector term !deprecated: label deprecated is "true", but must be absent.`},
		},
		{
			name: "TKR selector, set-based",
			q:    clusterQuery("v1.24", "deprecated in (no,false)", ""),
			tkr:  "v1.24.8---vmware.1-tkg.1",
			want: &Rejection{Reason: ReasonTKRSelector, Requirement: "deprecated in (false,no)", Expected: `one of "false", "no"`, Actual: `"true"`,
				Message: `It fails the TKR selector term deprecated in (false,no): label deprecated is "true", but must be one of "false", "no".`},
		},
		{
			name: "incompatible",
			q:    clusterQuery("v1.24", "", ""),
			tkr:  "v1.24.10---vmware.1-tkg.1",
			want: &Rejection{Reason: ReasonIncompatible, Requirement: "!incompatible", Expected: "absent", Actual: `""`,
				ConditionMessage: "TKG v2.1 does not support it.",
				Message:          "It is incompatible: its Compatible condition is False: TKG v2.1 does not support it."},
		},
		{
			name: "deactivated",
			q:    clusterQuery("v1.24", "", ""),
			tkr:  "v1.24.7---vmware.1-tkg.1",
			want: &Rejection{Reason: ReasonDeactivated, Requirement: "!deactivated", Expected: "absent", Actual: `""`,
				Message: "It is deactivated: it carries the label deactivated."},
		},
		{
			name: "invalid",
			q:    clusterQuery("v1.24", "", ""),
			tkr:  "v1.24.6---vmware.1-tkg.1",
			want: &Rejection{Reason: ReasonInvalid, Requirement: "!invalid", Expected: "absent", Actual: `""`,
				ConditionMessage: "spec.kubernetes.version does not match its OSImages",
				Message:          "It is invalid: its Valid condition is False: spec.kubernetes.version does not match its OSImages."},
		},
		{
			name: "unparsable version",
			q:    clusterQuery("v1.24", "", ""),
			tkr:  "v1.24.4---vmware.1-tkg.1.a..b",
			want: &Rejection{Reason: ReasonUnparsableVersion},
		},
		{
			name: "no OSImages listed",
			q:    clusterQuery("v1.24", "", ""),
			tkr:  "v1.24.5---vmware.1-tkg.1",
			want: &Rejection{Reason: ReasonNoOSImage, Message: "It lists no OSImages."},
		},
		{
			name: "OSImage selector, exclusion and missing OSImage",
			q:    clusterQuery("v1.24", "", "os-name=ubuntu,os-arch=amd64"),
			tkr:  "v1.24.9---vmware.1-tkg.1",
			want: &Rejection{Reason: ReasonNoOSImage,
				Message: `None of its 3 OSImages can be used; the closest, p9, fails the OSImage selector term os-name=ubuntu: label os-name is "photon", but must be "ubuntu".`},
			// p9 and u9 each fail one term; the name decides.
			images: []OSImageCandidate{
				{Name: "p9", Rejection: &Rejection{Reason: ReasonOSImageSelector, Requirement: "os-name=ubuntu", Expected: `"ubuntu"`, Actual: `"photon"`,
					Message: `It fails the OSImage selector term os-name=ubuntu: label os-name is "photon", but must be "ubuntu".`}},
				{Name: "u9", Rejection: &Rejection{Reason: ReasonOSImageSelector, Requirement: "os-arch=amd64", Expected: `"amd64"`, Actual: `"arm64"`,
					Message: `It fails the OSImage selector term os-arch=amd64: label os-arch is "arm64", but must be "amd64".`}},
				{Name: "missing", Rejection: &Rejection{Reason: ReasonOSImageMissing, Message: "It is listed by the TKR but not in the catalogue."}},
			},
		},
		{
			name: "excluded OSImage",
			q:    clusterQuery("v1.24", "", "os-name=photon"),
			tkr:  "v1.24.9---vmware.1-tkg.1",
			want: &Rejection{Reason: ReasonNoOSImage,
				Message: `None of its 3 OSImages can be used; the closest, p9, is invalid: its Valid condition is False: bad checksum.`},
		},
		{
			name:   "ambiguous",
			q:      clusterQuery("v1.24", "!tkr.tanzu.vmware.com/gpu-efi", "os-name=ubuntu,os-arch=amd64"),
			tkr:    "v1.24.9---vmware.1-tkg.2",
			want:   &Rejection{Reason: ReasonAmbiguous, Message: "2 of its OSImages match, but exactly one must: u92a, u92b."},
			images: []OSImageCandidate{{Name: "u92a"}, {Name: "u92b"}},
		},
		{
			name: "superseded",
			q:    clusterQuery("v1.24", "", "os-name=ubuntu,os-arch=amd64"),
			tkr:  "v1.24.8---vmware.1-tkg.1",
			want: &Rejection{Reason: ReasonSuperseded, Message: "TKR v1.24.9---vmware.1-tkg.2 is newer and is chosen."},
		},
		{
			name: "another part",
			q:    clusterQuery("v1.24", "", "os-name=ubuntu,os-arch=amd64", "os-name=photon"),
			tkr:  "v1.24.9---vmware.1-tkg.2",
			want: &Rejection{Reason: ReasonOtherPart, Part: "md-0",
				Cause: &Rejection{Reason: ReasonNoOSImage,
					Message: `None of its 2 OSImages can be used; the closest, u92a, fails the OSImage selector term os-name=photon: label os-name is "ubuntu", but must be "photon".`},
				Message: `Part md-0 cannot use it. None of its 2 OSImages can be used; the closest, u92a, fails the OSImage selector term os-name=photon: label os-name is "ubuntu", but must be "photon".`},
		},
		{
			name: "another part's version prefix",
			q: Query{ControlPlane: &OSImageQuery{K8sVersionPrefix: "v1.24"},
				MachineDeployments: []*OSImageQuery{{Name: "md-old", K8sVersionPrefix: "v1.23"}}},
			tkr: "v1.24.9---vmware.1-tkg.2",
			want: &Rejection{Reason: ReasonOtherPart, Part: "md-old",
				Cause: &Rejection{Reason: ReasonVersionPrefix, Requirement: "v1.23", Expected: "present", Actual: "absent",
					Message: "Its version v1.24.9+vmware.1-tkg.2 does not start with v1.23."},
				Message: "Part md-old cannot use it. Its version v1.24.9+vmware.1-tkg.2 does not start with v1.23."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, x := r.Explain(tt.q, 0)
			c := candidate(t, x, tt.part, tt.tkr)
			want := tt.want
			if want.Reason == ReasonUnparsableVersion {
				// The parse error's wording belongs to package version.
				if c.Rejection == nil || c.Rejection.Reason != want.Reason ||
					!strings.HasPrefix(c.Rejection.Message, `Its spec.version "v1.24.4+vmware.1-tkg.1.a..b" does not parse, so it cannot be ordered: `) {
					t.Errorf("rejection %+v, want reason %s", c.Rejection, want.Reason)
				}
				return
			}
			if diff := cmp.Diff(want, c.Rejection); diff != "" {
				t.Errorf("rejection of %s (-want +got):\n%s", tt.tkr, diff)
			}
			if tt.images != nil {
				if diff := cmp.Diff(tt.images, c.OSImages); diff != "" {
					t.Errorf("OSImages of %s (-want +got):\n%s", tt.tkr, diff)
				}
			}
		})
	}
}

func TestExplainExactName(t *testing.T) {
	r := New()
	r.Add(mkTKR("v1.24.9+vmware.1-tkg.1", "p24"), mkTKR("v1.24.9+vmware.1-tkg.1-zshippable", "u24"),
		mkImage("p24", "v1.24.9+vmware.1", "photon", "amd64"), mkImage("u24", "v1.24.9+vmware.1", "ubuntu", "amd64"))
	_, x := r.Explain(clusterQuery("v1.24.9+vmware.1-tkg.1", "", "os-name=ubuntu"), 0)
	want := &Rejection{Reason: ReasonExactName,
		Message: "TKR v1.24.9---vmware.1-tkg.1 is named exactly after the version prefix v1.24.9+vmware.1-tkg.1, so only it is considered."}
	if diff := cmp.Diff(want, candidate(t, x, 0, "v1.24.9---vmware.1-tkg.1-zshippable").Rejection); diff != "" {
		t.Errorf("rejection (-want +got):\n%s", diff)
	}
	if got := candidate(t, x, 0, "v1.24.9---vmware.1-tkg.1").Rejection; got == nil || got.Reason != ReasonNoOSImage {
		t.Errorf("the exact TKR: %+v, want %s", got, ReasonNoOSImage)
	}
}

func TestExplainSummaries(t *testing.T) {
	r := explainCatalog()
	tests := []struct {
		q       Query
		outcome Outcome
		summary string
	}{
		{clusterQuery("v1.24", "tkr.tanzu.vmware.com/gpu-efi", "os-name=ubuntu"), OutcomeResolved,
			"Resolved to TKR v1.24.9---vmware.1-gpu-efi with OSImage g1."},
		{clusterQuery("v1.24", "!tkr.tanzu.vmware.com/gpu-efi", "os-name=ubuntu,os-arch=amd64"), OutcomeAmbiguous,
			"TKR v1.24.9---vmware.1-tkg.2 satisfies every part, but 2 of its OSImages match this part: u92a, u92b. " +
				"The OSImage selector must match exactly one."},
		{clusterQuery("v1.24", "", "os-name=windows"), OutcomeUnresolved,
			"None of the 9 TKRs with a version starting with v1.24 satisfies every part."},
		{clusterQuery("v1.24.5", "", ""), OutcomeUnresolved,
			"The only TKR with a version starting with v1.24.5 does not satisfy every part."},
		{clusterQuery("v1.24.9+vmware.1-tkg.3", "", ""), OutcomeUnresolved,
			"No TKR has a version starting with v1.24.9+vmware.1-tkg.3; the nearest start with v1.24.9+vmware.1-tkg."},
		{clusterQuery("v2", "", ""), OutcomeUnresolved, "No TKR has a version starting with v2."},
		{clusterQuery("1.24 ", "", ""), OutcomeInvalid,
			`Nothing can match: version prefix "1.24 " is not usable: the character ' ' at byte 4 is not allowed; use only letters, digits, '.', '-', '_' and '+'.`},
	}
	for _, tt := range tests {
		_, x := r.Explain(tt.q, 0)
		if p := x.Parts[0]; p.Outcome != tt.outcome || p.Summary != tt.summary {
			t.Errorf("%v:\ngot  %s: %s\nwant %s: %s", tt.q, p.Outcome, p.Summary, tt.outcome, tt.summary)
		}
	}
	_, x := New().Explain(clusterQuery("v1.24", "", ""), 0)
	if got, want := x.Parts[0].Summary, "No TKR has a version starting with v1.24: the catalogue holds no TKRs."; got != want {
		t.Errorf("empty catalogue: %q, want %q", got, want)
	}
}

// The candidates closest to being chosen come first, newest first within a reason, and the
// list is capped.
func TestExplainOrderAndLimit(t *testing.T) {
	r := explainCatalog()
	q := clusterQuery("v1.24", "!deprecated", "os-name=ubuntu,os-arch=amd64", "os-name=ubuntu")
	_, x := r.Explain(q, 0)
	var got []string
	for _, c := range x.Parts[0].Candidates {
		reason := Reason("chosen")
		if c.Rejection != nil {
			reason = c.Rejection.Reason
		}
		got = append(got, fmt.Sprintf("%s %s", reason, c.Name))
	}
	want := []string{
		"Ambiguous v1.24.9---vmware.1-tkg.2",
		"Superseded v1.24.9---vmware.1-gpu-efi",
		"NoOSImage v1.24.9---vmware.1-tkg.1",
		"NoOSImage v1.24.5---vmware.1-tkg.1",
		"UnparsableVersion v1.24.4---vmware.1-tkg.1.a..b",
		"Incompatible v1.24.10---vmware.1-tkg.1",
		"Deactivated v1.24.7---vmware.1-tkg.1",
		"Invalid v1.24.6---vmware.1-tkg.1",
		"TKRSelector v1.24.8---vmware.1-tkg.1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}

	_, x = r.Explain(q, 2)
	p := x.Parts[0]
	if len(p.Candidates) != 2 || p.MoreCandidates != 7 {
		t.Errorf("limit 2: %d candidates and %d more, want 2 and 7", len(p.Candidates), p.MoreCandidates)
	}
	_, x = r.Explain(clusterQuery("v1.24.9+vmware.1-tkg.1", "", "os-name=windows"), 1)
	c := x.Parts[0].Candidates[0]
	if len(c.OSImages) != 1 || c.MoreOSImages != 2 {
		t.Errorf("limit 1: %d OSImages and %d more, want 1 and 2", len(c.OSImages), c.MoreOSImages)
	}
	if !strings.Contains(x.String(), "    ... and 2 more OSImages.") {
		t.Errorf("String() does not count the OSImages left out:\n%s", x)
	}
}

func TestExplainDefaultLimit(t *testing.T) {
	r := New()
	for i := range 15 {
		r.Add(mkTKR(fmt.Sprintf("v1.24.%d+vmware.1-tkg.1", i)))
	}
	_, x := r.Explain(clusterQuery("v1.24", "", ""), 0)
	if p := x.Parts[0]; len(p.Candidates) != DefaultExplainLimit || p.MoreCandidates != 15-DefaultExplainLimit {
		t.Errorf("%d candidates and %d more, want %d and %d", len(p.Candidates), p.MoreCandidates, DefaultExplainLimit, 15-DefaultExplainLimit)
	}
	if p := x.Parts[0]; p.Candidates[0].Name != "v1.24.14---vmware.1-tkg.1" {
		t.Errorf("first candidate %s, want the newest", p.Candidates[0].Name)
	}
	if !strings.HasSuffix(x.String(), "\n  ... and 5 more TKRs.") {
		t.Errorf("String() does not end by counting the TKRs left out:\n%s", x)
	}
}

// TestExplainText shows the text form of a webhook denial.
func TestExplainText(t *testing.T) {
	r := explainCatalog()
	q := clusterQuery("v1.24.9", "", "os-name=ubuntu,os-arch=amd64", "os-name=photon")
	_, x := r.Explain(q, 0)
	want := `controlPlane: None of the 3 TKRs with a version starting with v1.24.9 satisfies every part.
  TKR v1.24.9---vmware.1-tkg.2: Part md-0 cannot use it. None of its 2 OSImages can be used; the closest, u92a, fails the OSImage selector term os-name=photon: label os-name is "ubuntu", but must be "photon".
  TKR v1.24.9---vmware.1-gpu-efi: Part md-0 cannot use it. Its only OSImage, g1, fails the OSImage selector term os-name=photon: label os-name is "ubuntu", but must be "photon".
  TKR v1.24.9---vmware.1-tkg.1: None of its 3 OSImages can be used; the closest, p9, fails the OSImage selector term os-name=ubuntu: label os-name is "photon", but must be "ubuntu".
    OSImage p9: It fails the OSImage selector term os-name=ubuntu: label os-name is "photon", but must be "ubuntu".
    OSImage u9: It fails the OSImage selector term os-arch=amd64: label os-arch is "arm64", but must be "amd64".
    OSImage missing: It is listed by the TKR but not in the catalogue.
md-0: None of the 3 TKRs with a version starting with v1.24.9 satisfies every part.
  TKR v1.24.9---vmware.1-tkg.2: None of its 2 OSImages can be used; the closest, u92a, fails the OSImage selector term os-name=photon: label os-name is "ubuntu", but must be "photon".
    OSImage u92a: It fails the OSImage selector term os-name=photon: label os-name is "ubuntu", but must be "photon".
    OSImage u92b: It fails the OSImage selector term os-name=photon: label os-name is "ubuntu", but must be "photon".
  TKR v1.24.9---vmware.1-tkg.1: None of its 3 OSImages can be used; the closest, p9, is invalid: its Valid condition is False: bad checksum.
    OSImage p9: It is invalid: its Valid condition is False: bad checksum.
    OSImage u9: It fails the OSImage selector term os-name=photon: label os-name is "ubuntu", but must be "photon".
    OSImage missing: It is listed by the TKR but not in the catalogue.
  TKR v1.24.9---vmware.1-gpu-efi: Its only OSImage, g1, fails the OSImage selector term os-name=photon: label os-name is "ubuntu", but must be "photon".
    OSImage g1: It fails the OSImage selector term os-name=photon: label os-name is "ubuntu", but must be "photon".`
	if got := x.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s\ndiff (-want +got):\n%s", got, want, cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n")))
	}
}

func TestExplanationJSON(t *testing.T) {
	_, x := explainCatalog().Explain(clusterQuery("v1.24", "", "os-name=ubuntu,os-arch=amd64", "os-name=photon"), 0)
	b, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	var back Explanation
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(x, &back); diff != "" {
		t.Errorf("JSON round trip (-before +after):\n%s", diff)
	}
	for _, key := range []string{`"part":"md-0"`, `"outcome":"Unresolved"`, `"reason":"OtherPart"`, `"requirement":"os-name=photon"`,
		`"actual":"\"ubuntu\""`, `"conditionMessage":"TKG v2.1 does not support it."`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s:\n%s", key, b)
		}
	}
}

// The explanation of an unresolved part must not need the caller to look up objects: the
// first line the webhook prints and the explanation together name everything.
func ExampleResolver_Explain() {
	r := New()
	r.Add(
		&runv1alpha3.TanzuKubernetesRelease{
			ObjectMeta: metav1.ObjectMeta{Name: "v1.24.9---vmware.1-tkg.2"},
			Spec: runv1alpha3.TanzuKubernetesReleaseSpec{
				Version:    "v1.24.9+vmware.1-tkg.2",
				Kubernetes: runv1alpha3.KubernetesSpec{Version: "v1.24.9+vmware.1"},
				OSImages:   []runv1alpha3.OSImageReference{{Name: "ubuntu-2204-amd64"}},
			},
		},
		mkImage("ubuntu-2204-amd64", "v1.24.9+vmware.1", "ubuntu", "amd64"),
	)
	q := Query{
		ControlPlane:       &OSImageQuery{K8sVersionPrefix: "v1.24.9+vmware.1-tkg.1", OSImageSelector: mustSelector("os-name=ubuntu")},
		MachineDeployments: []*OSImageQuery{{Name: "md-0", K8sVersionPrefix: "v1.24.9+vmware.1-tkg.1"}},
	}
	res, x := r.Explain(q, 0)
	if res.ControlPlane.OSImage() == nil {
		fmt.Printf("could not resolve TKR/OSImage for controlPlane, machineDeployments: [md-0], query: %v, result: %v\n%s\n", q, res, x)
	}
	// Output:
	// could not resolve TKR/OSImage for controlPlane, machineDeployments: [md-0], query: {controlPlane: {k8sVersionPrefix: 'v1.24.9+vmware.1-tkg.1', tkrSelector: '', osImageSelector: 'os-name=ubuntu'}, machineDeployments: [{k8sVersionPrefix: 'v1.24.9+vmware.1-tkg.1', tkrSelector: '', osImageSelector: ''}]}, result: {controlPlane: {k8sVersion: '', tkrName: '', osImagesByTKR: map[]}, machineDeployments: [{k8sVersion: '', tkrName: '', osImagesByTKR: map[]}]}
	// controlPlane: No TKR has a version starting with v1.24.9+vmware.1-tkg.1; the nearest start with v1.24.9+vmware.1-tkg.
	//   TKR v1.24.9---vmware.1-tkg.2: Its version v1.24.9+vmware.1-tkg.2 does not start with v1.24.9+vmware.1-tkg.1.
	// md-0: No TKR has a version starting with v1.24.9+vmware.1-tkg.1; the nearest start with v1.24.9+vmware.1-tkg.
	//   TKR v1.24.9---vmware.1-tkg.2: Its version v1.24.9+vmware.1-tkg.2 does not start with v1.24.9+vmware.1-tkg.1.
}

func TestExpectation(t *testing.T) {
	tests := []struct{ sel, want string }{
		{"a=x", `"x"`},
		{"a==x", `"x"`},
		{"a in (y,x)", `one of "x", "y"`},
		{"a!=x", `absent or none of "x"`},
		{"a notin (x,y)", `absent or none of "x", "y"`},
		{"a", "present"},
		{"!a", "absent"},
		{"a>3", `an integer greater than "3"`},
		{"a<3", `an integer less than "3"`},
	}
	for _, tt := range tests {
		reqs, _ := mustSelector(tt.sel).Requirements()
		if got := expectation(reqs[0]); got != tt.want {
			t.Errorf("expectation(%s) = %s, want %s", tt.sel, got, tt.want)
		}
	}
}

// Selectors that match nothing are not confused with those that match everything.
func TestNothingSelector(t *testing.T) {
	r := New()
	r.Add(mkTKR("v1.24.9+vmware.1-tkg.1", "u"), mkImage("u", "v1.24.9+vmware.1", "ubuntu", "amd64"))
	q := Query{
		ControlPlane:       &OSImageQuery{K8sVersionPrefix: "v1.24", OSImageSelector: labels.Everything()},
		MachineDeployments: []*OSImageQuery{{Name: "md-0", K8sVersionPrefix: "v1.24", OSImageSelector: labels.Nothing()}},
	}
	res, x := r.Explain(q, 0)
	if res.ControlPlane.TKRName != "" {
		t.Errorf("resolved to %s although md-0 matches nothing", res.ControlPlane.TKRName)
	}
	want := "Its only OSImage, u, does not match the OSImage selector, which matches nothing."
	if got := candidate(t, x, 1, "v1.24.9---vmware.1-tkg.1").Rejection.Message; got != want {
		t.Errorf("rejection %q, want %q", got, want)
	}
	q.ControlPlane.TKRSelector = labels.Nothing()
	_, x = r.Explain(q, 0)
	want = "It does not match the TKR selector, which matches nothing."
	if got := candidate(t, x, 0, "v1.24.9---vmware.1-tkg.1").Rejection.Message; got != want {
		t.Errorf("rejection %q, want %q", got, want)
	}
}

func TestExplainTie(t *testing.T) {
	r := New()
	twin := mkTKR("v1.24.9+vmware.1-tkg.1", "u")
	twin.Name = "a-copy"
	r.Add(mkTKR("v1.24.9+vmware.1-tkg.1", "u"), twin, mkImage("u", "v1.24.9+vmware.1", "ubuntu", "amd64"))
	_, x := r.Explain(clusterQuery("v1.24", "", ""), 0)
	want := &Rejection{Reason: ReasonSuperseded, Message: "TKR a-copy has the same version and a name that sorts first, and is chosen."}
	if diff := cmp.Diff(want, candidate(t, x, 0, "v1.24.9---vmware.1-tkg.1").Rejection); diff != "" {
		t.Errorf("rejection (-want +got):\n%s", diff)
	}
}
