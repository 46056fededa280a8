package source

import (
	"strings"
	"testing"
	"time"
)

// Registry failures are retried after 1 s, 2 s, 4 s, ..., capped at the initial frequency until a
// sync has succeeded and at the continuous frequency afterwards.
func TestRetryDelay(t *testing.T) {
	o := DefaultOptions()
	for _, tc := range []struct {
		failures  int32
		succeeded bool
		want      time.Duration
	}{
		{1, false, time.Second},
		{2, false, 2 * time.Second},
		{6, false, 32 * time.Second},
		{7, false, 60 * time.Second}, // the initial frequency
		{30, false, 60 * time.Second},
		{7, true, 64 * time.Second},
		{10, true, 512 * time.Second},
		{11, true, 600 * time.Second}, // the continuous frequency
		{1000, true, 600 * time.Second},
	} {
		if got := o.retryDelay(tc.failures, tc.succeeded); got != tc.want {
			t.Errorf("retryDelay(%d, succeeded=%v) = %s, want %s", tc.failures, tc.succeeded, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	o := DefaultOptions()
	err := o.Validate()
	for _, flag := range []string{"--bom-image-path", "--bom-metadata-image-path", "--tkr-repo-image-path"} {
		if err == nil || !strings.Contains(err.Error(), flag) {
			t.Errorf("Validate without image paths must name %s: %v", flag, err)
		}
	}
	o.BOMImagePath, o.BOMMetadataImagePath, o.TKRRepoImagePath = "r/a", "r/b", "r/c"
	if err := o.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	o.ContinuousDiscoverFrequency = 0
	if err := o.Validate(); err == nil {
		t.Error("a zero frequency must be refused")
	}
}

func TestRepositoryFor(t *testing.T) {
	for provider, want := range map[string]string{
		"vsphere": "registry.example.com/tkg/tkr-repository-vsphere-nonparavirt",
		"docker":  "registry.example.com/tkg/tkr-repository-vsphere-nonparavirt",
		"AWS":     "registry.example.com/tkg/tkr-repository-aws",
		"oci":     "registry.example.com/tkg/tkr-repository-oracle",
	} {
		got, err := RepositoryFor("registry.example.com/tkg/tkr-bom", provider)
		if err != nil || got != want {
			t.Errorf("RepositoryFor(%s) = %q, %v; want %q", provider, got, err, want)
		}
	}
	if _, err := RepositoryFor("", "vsphere"); err == nil {
		t.Error("a provider without a BOM path must be refused")
	}
}
