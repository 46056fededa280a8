package clusterbootstrap_test

import (
	"testing"

	"github.com/tkr-project/tkr/test/envtest"
)

var env *envtest.Environment

// One API server for the package, with every webhook a ClusterBootstrap passes through and the
// add-on config controllers that render the clones.
func TestMain(m *testing.M) {
	envtest.Main(m, &env, envtest.Options{Components: []string{
		"conversion-webhook", "clusterbootstrap-webhooks", "clusterbootstrap", "addons",
	}})
}
