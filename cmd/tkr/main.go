// Command tkr is the TanzuKubernetesRelease service: the manager that runs its controllers and
// webhooks, and the command line that lists, resolves and publishes releases.
package main

import (
	"os"

	"github.com/tkr-project/tkr/internal/cli"
)

func main() { os.Exit(cli.Execute()) }
