// Package e2e drives tkr through a real API server, as a platform engineer would with kubectl.
package e2e

import (
	"testing"

	"github.com/tkr-project/tkr/test/envtest"
)

// env is shared by every test in the package: starting an API server costs seconds.
var env *envtest.Environment

func TestMain(m *testing.M) { envtest.Main(m, &env, envtest.Options{}) }
