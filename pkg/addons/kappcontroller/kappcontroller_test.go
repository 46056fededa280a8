package kappcontroller

import (
	"strings"
	"testing"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/addons/addonstest"
)

// spec is a KappControllerConfig spec as the CRD defaults it, plus a config block.
func spec() *runv1alpha3.KappControllerConfigSpec {
	return &runv1alpha3.KappControllerConfigSpec{
		Namespace: "tkg-system",
		KappController: runv1alpha3.KappController{
			CreateNamespace: true,
			GlobalNamespace: "tkg-system",
			Deployment: runv1alpha3.KappDeployment{
				HostNetwork:       true,
				PriorityClassName: "system-cluster-critical",
				Concurrency:       4,
				Tolerations: []map[string]string{
					{"key": "CriticalAddonsOnly", "operator": "Exists"},
					{"effect": "NoSchedule", "key": "node-role.kubernetes.io/master"},
				},
				APIPort:            10100,
				MetricsBindAddress: "0",
			},
			Config: runv1alpha3.KappConfig{
				CACerts:   "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
				HTTPProxy: "http://proxy.example.com:3128", HTTPSProxy: "http://proxy.example.com:3128",
				NoProxy: "localhost,127.0.0.1", DangerousSkipTLSVerify: "registry.example.com",
			},
		},
	}
}

func TestGolden(t *testing.T) {
	got, err := Render(spec(), addonstest.Cluster())
	if err != nil {
		t.Fatal(err)
	}
	addonstest.Golden(t, "kapp-controller", got)
	// §1.14's field list of KappControllerConfig, plus the derived CoreDNS IP and node selector.
	addonstest.RequirePaths(t, got, "namespace", "kappController.createNamespace", "kappController.globalNamespace",
		"kappController.deployment.hostNetwork", "kappController.deployment.priorityClassName",
		"kappController.deployment.concurrency", "kappController.deployment.tolerations",
		"kappController.deployment.apiPort", "kappController.deployment.metricsBindAddress",
		"kappController.deployment.coreDNSIP",
		"kappController.config.caCerts", "kappController.config.httpProxy", "kappController.config.httpsProxy",
		"kappController.config.noProxy", "kappController.config.dangerousSkipTLSVerify",
		"nodeSelector.node-role.kubernetes.io/control-plane")
}

func TestCoreDNSIPAndTolerations(t *testing.T) {
	v, err := Values(spec(), addonstest.Cluster())
	if err != nil {
		t.Fatal(err)
	}
	if got := v.KappController.Deployment.CoreDNSIP; got != "100.64.0.10" {
		t.Errorf("coreDNSIP = %q, want the tenth address of the first service block", got)
	}
	if n := len(v.KappController.Deployment.Tolerations); n != 3 {
		t.Errorf("tolerations = %v, want the two given plus the control plane one", v.KappController.Deployment.Tolerations)
	}
	// The toleration is not added twice, and the spec is not modified.
	s := spec()
	s.KappController.Deployment.Tolerations = append(s.KappController.Deployment.Tolerations, map[string]string{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"})
	before := len(s.KappController.Deployment.Tolerations)
	v, _ = Values(s, addonstest.Cluster())
	if n := len(v.KappController.Deployment.Tolerations); n != before || len(s.KappController.Deployment.Tolerations) != before {
		t.Errorf("tolerations = %d, spec's = %d, want %d", n, len(s.KappController.Deployment.Tolerations), before)
	}
	c := addonstest.Cluster()
	c.ServiceCIDRs = nil
	if _, err := Values(spec(), c); err == nil || !strings.HasPrefix(err.Error(), "Unable to get cluster CoreDNS IP") {
		t.Errorf("no service CIDRs: error = %v", err)
	}
	s = spec()
	s.KappController.Deployment.HostNetwork = false
	if v, err := Values(s, c); err != nil || v.KappController.Deployment.CoreDNSIP != "" {
		t.Errorf("without hostNetwork: %+v, %v", v, err)
	}
}
