package manager

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func components(names ...string) []Component {
	var cs []Component
	for _, n := range names {
		cs = append(cs, Component{Name: n})
	}
	return cs
}

func TestSelect(t *testing.T) {
	available := components("conversion-webhook", "status", "source")
	for _, tc := range []struct {
		name    string
		asked   []string
		want    []string
		wantErr string
	}{
		{name: "default is all", want: []string{"conversion-webhook", "status", "source"}},
		{name: "subset keeps registry order", asked: []string{"source", "conversion-webhook"}, want: []string{"conversion-webhook", "source"}},
		{name: "unknown names are listed with the valid ones", asked: []string{"status", "resolver", "bogus"},
			wantErr: "--components names resolver, bogus, which tkr does not have; choose from conversion-webhook, source, status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Components: tc.asked}
			got, err := o.Select(available)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range got {
				names = append(names, c.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.want, ",") {
				t.Errorf("selected %v, want %v", names, tc.want)
			}
		})
	}
}

func TestTLSOptions(t *testing.T) {
	o := Options{TLSMinVersion: "1.3", TLSCipherSuites: []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}}
	opts, err := o.TLSOptions()
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{}
	for _, f := range opts {
		f(cfg)
	}
	if cfg.MinVersion != tls.VersionTLS13 || len(cfg.CipherSuites) != 1 || cfg.CipherSuites[0] != tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 {
		t.Errorf("TLS config = min %x suites %v", cfg.MinVersion, cfg.CipherSuites)
	}
	for _, bad := range []Options{{TLSMinVersion: "1.1"}, {TLSCipherSuites: []string{"NOT_A_SUITE"}}} {
		if _, err := bad.TLSOptions(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// Without --components, the source component runs only when its image paths are given; named
// in --components without them, it refuses to start and names the flags.
func TestSourceRunsWhenConfigured(t *testing.T) {
	o := DefaultOptions()
	if o.Selected(Components(), "source") {
		t.Error("source is selected by default without image paths")
	}
	if !o.Selected(Components(), "status") {
		t.Error("status is not selected by default")
	}
	o.Source.BOMImagePath = "registry.example.com/tkg/tkr-bom"
	if !o.Selected(Components(), "source") {
		t.Error("source is not selected by default with --bom-image-path")
	}
	_, err := o.Source.Resolve(o.Namespace, o.TKGVersion)
	if err == nil || !strings.Contains(err.Error(), "--bom-metadata-image-path") || !strings.Contains(err.Error(), "--tkr-repo-image-path") {
		t.Errorf("Resolve without the other paths: %v", err)
	}
}

// The seed's deployment flags parse, and --infra-provider finds the repository next to the BOMs
// when --tkr-repo-image-path is not given.
func TestSourceFlags(t *testing.T) {
	o := DefaultOptions()
	fs := pflag.NewFlagSet("manager", pflag.ContinueOnError)
	o.AddFlags(fs, Components())
	err := fs.Parse([]string{
		"--metrics-bind-addr=0", "--sa-name=tkr-source-controller-manager-sa", "--namespace=tkg-system",
		"--legacy-namespace=tkr-system", "--bom-image-path=registry.example.com/tkg/tkr-bom",
		"--bom-metadata-image-path=registry.example.com/tkg/v26-v2.3.0-rc.3/tkr-compatibility",
		"--tkg-version=v2.3.0-rc.3", "--initial-discover-frequency=60", "--continuous-discover-frequency=600",
		"--infra-provider=vsphere",
	})
	if err != nil {
		t.Fatal(err)
	}
	so, err := o.Source.Resolve(o.Namespace, o.TKGVersion)
	if err != nil {
		t.Fatal(err)
	}
	if so.TKRRepoImagePath != "registry.example.com/tkg/tkr-repository-vsphere-nonparavirt" {
		t.Errorf("repository from --infra-provider vsphere: %s", so.TKRRepoImagePath)
	}
	if so.LegacyNamespace != "tkr-system" || so.TKGVersion != "v2.3.0-rc.3" || so.ContinuousDiscoverFrequency != 600*time.Second || so.InitialDiscoverFrequency != time.Minute {
		t.Errorf("options: %+v", so)
	}
	o.Source.TKRRepoImagePath, o.Source.InfraProvider = "", "openstack"
	if _, err := o.Source.Resolve(o.Namespace, o.TKGVersion); err == nil || !strings.Contains(err.Error(), `--infra-provider "openstack" is not known; use one of aws, azure, docker, oci, vsphere`) {
		t.Errorf("unknown provider: %v", err)
	}
}
