package bootstrap

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/tkrdata"
)

func clusterWithVariables(t *testing.T, vars map[string]string) tkrdata.Cluster {
	t.Helper()
	c := &clusterv1beta1.Cluster{Spec: clusterv1beta1.ClusterSpec{Topology: &clusterv1beta1.Topology{Class: "cc", Version: "v1.24.9"}}}
	for name, value := range vars {
		c.Spec.Topology.Variables = append(c.Spec.Topology.Variables, clusterv1beta1.ClusterVariable{Name: name, Value: apiextensionsv1.JSON{Raw: []byte(value)}})
	}
	view, err := tkrdata.ForCluster(c)
	if err != nil {
		t.Fatal(err)
	}
	return view
}

// C1b of the original's tests: the proxy, trust, IP-family and skip-TLS variables become
// annotations, with the CA bundle decoded, newline-terminated and encoded again.
func TestClusterAnnotations(t *testing.T) {
	c := clusterWithVariables(t, map[string]string{
		IPFamilyVariable: `"ipv4"`,
		"proxy":          `{"httpProxy": "foo.com", "httpsProxy": "bar.com", "noProxy": ["foobar.com", "google.com"]}`,
		"trust":          `{"additionalTrustedCAs": [{"name": "CompanyInternalCA-1", "data": "aGVsbG8="}, {"name": "CompanyInternalCA-2", "data": "bHWtcH9="}]}`,
		"skipTLSVerify":  `["registry1", "registry2"]`,
	})
	got, problems := ClusterAnnotations(c)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	want := map[string]string{
		AnnotationHTTPProxy:     "foo.com",
		AnnotationHTTPSProxy:    "bar.com",
		AnnotationNoProxy:       "foobar.com,google.com",
		AnnotationProxyCACert:   "aGVsbG8KbHWtcH8K",
		AnnotationIPFamily:      "ipv4",
		AnnotationSkipTLSVerify: "registry1, registry2",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
}

func TestClusterAnnotationsBadVariable(t *testing.T) {
	c := clusterWithVariables(t, map[string]string{
		"proxy":          `"not an object"`,
		IPFamilyVariable: `"ipv6"`,
	})
	got, problems := ClusterAnnotations(c)
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "variable proxy") {
		t.Fatalf("problems = %v, want one about variable proxy", problems)
	}
	if got[AnnotationIPFamily] != "ipv6" || got[AnnotationHTTPProxy] != "" || len(got) != 6 {
		t.Errorf("annotations = %v", got)
	}
}

func TestTKRSpecRoundTrip(t *testing.T) {
	tkr := &runv1alpha3.TanzuKubernetesRelease{ObjectMeta: metav1.ObjectMeta{Name: "v1.24.9---vmware.1-tkg.1"}}
	tkr.Spec.Version = "v1.24.9+vmware.1-tkg.1"
	tkr.Spec.BootstrapPackages = []runv1alpha3.BootstrapPackageReference{{Name: "antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced"}}
	s, err := EncodeTKRSpec(tkr)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeTKRSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != tkr.Name || got.Spec.Version != tkr.Spec.Version || len(got.Spec.BootstrapPackages) != 1 {
		t.Errorf("decoded %+v", got)
	}
	for _, bad := range []string{"%%%", "aGVsbG8="} {
		if _, err := DecodeTKRSpec(bad); err == nil || !strings.Contains(err.Error(), runv1alpha3.AnnotationTKRSpec) {
			t.Errorf("DecodeTKRSpec(%q) = %v, want an error naming the annotation", bad, err)
		}
	}
}
