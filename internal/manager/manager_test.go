package manager

import (
	"crypto/tls"
	"strings"
	"testing"
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
