package calico

import (
	"strings"
	"testing"

	cniv1alpha1 "github.com/tkr-project/tkr/api/addons/cni/v1alpha1"
	"github.com/tkr-project/tkr/pkg/addons/addonstest"
)

func TestGolden(t *testing.T) {
	spec := &cniv1alpha1.CalicoConfigSpec{Calico: cniv1alpha1.Calico{Config: cniv1alpha1.CalicoConfigDataValue{VethMTU: 1440, SkipCNIBinaries: true}}}
	got, err := Render(spec, addonstest.Cluster())
	if err != nil {
		t.Fatal(err)
	}
	addonstest.Golden(t, "calico", got)
	// §1.14: spec.calico.config.{vethMTU, skipCNIBinaries}, plus what the package derives from the Cluster.
	addonstest.RequirePaths(t, got, "infraProvider", "ipFamily", "calico.config.vethMTU",
		"calico.config.skipCNIBinaries", "calico.config.clusterCIDR")
}

func TestNetwork(t *testing.T) {
	c := addonstest.Cluster()
	c.PodCIDRs = []string{"fd00:100:96::/48", "100.96.0.0/11"}
	v, err := Values(&cniv1alpha1.CalicoConfigSpec{}, c)
	if err != nil {
		t.Fatal(err)
	}
	if v.IPFamily != "ipv6,ipv4" || v.Calico.Config.ClusterCIDR != "fd00:100:96::/48,100.96.0.0/11" || v.Calico.Config.VethMTU != "0" {
		t.Errorf("got %+v", v)
	}
	c.PodCIDRs = nil
	if _, err := Values(&cniv1alpha1.CalicoConfigSpec{}, c); err == nil || !strings.Contains(err.Error(), "cluster.Spec.ClusterNetwork.Pods is not set for cluster 'mycl'") {
		t.Errorf("no pod CIDRs: error = %v", err)
	}
}
