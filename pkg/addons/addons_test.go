package addons

import (
	"strings"
	"testing"
)

func TestInfraProvider(t *testing.T) {
	for kind, want := range map[string]string{
		"VSphereCluster": "vsphere", "AWSCluster": "aws", "AzureCluster": "azure",
		"DockerCluster": "docker", "OCICluster": "oci",
	} {
		if got, err := InfraProvider(kind); err != nil || got != want {
			t.Errorf("InfraProvider(%q) = %q, %v; want %q", kind, got, err, want)
		}
	}
	for _, kind := range []string{"", "GCPCluster"} {
		if _, err := InfraProvider(kind); err == nil || !strings.HasPrefix(err.Error(), "unknown error in getting infraProvider") {
			t.Errorf("InfraProvider(%q) error = %v, want the original's first words", kind, err)
		}
	}
}

func TestServiceCIDRs(t *testing.T) {
	tests := []struct {
		blocks      []string
		v4, v6, err string
	}{
		{blocks: []string{"100.64.0.0/13"}, v4: "100.64.0.0/13"},
		{blocks: []string{"fd00::/108"}, v6: "fd00::/108"},
		{blocks: []string{"fd00::/108", "100.64.0.0/13"}, v4: "100.64.0.0/13", v6: "fd00::/108"},
		{blocks: nil, err: "Unable to get service CIDRBlocks from cluster"},
		{blocks: []string{"10.0.0.0/8", "10.1.0.0/16", "fd00::/108"}, err: "too many CIDRs specified"},
		{blocks: []string{"not-a-cidr"}, err: "could not parse CIDR"},
	}
	for _, tt := range tests {
		v4, v6, err := ServiceCIDRs(tt.blocks)
		if tt.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("ServiceCIDRs(%v) error = %v, want prefix %q", tt.blocks, err, tt.err)
			}
			continue
		}
		if err != nil || v4 != tt.v4 || v6 != tt.v6 {
			t.Errorf("ServiceCIDRs(%v) = %q, %q, %v; want %q, %q", tt.blocks, v4, v6, err, tt.v4, tt.v6)
		}
	}
}

func TestCredentialsFromSecret(t *testing.T) {
	c, err := CredentialsFromSecret("ns", "creds", map[string][]byte{"username": []byte("u"), "password": []byte("p")})
	if err != nil || c != (Credentials{Username: "u", Password: "p"}) {
		t.Errorf("got %+v, %v", c, err)
	}
	if _, err := CredentialsFromSecret("ns", "creds", map[string][]byte{"username": []byte("u")}); err == nil ||
		err.Error() != "Secret ns/creds doesn't have string data with password" {
		t.Errorf("error = %v", err)
	}
}

func TestDataValuesName(t *testing.T) {
	if got := DataValuesName("mycl", AddonVSpherePVCSI); got != "mycl-vsphere-pv-csi-data-values" {
		t.Errorf("got %q", got)
	}
}
