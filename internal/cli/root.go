// Package cli holds the tkr command tree. Each command is a thin layer over a package that does
// the work, so the same logic serves the manager, the webhooks and the command line.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// exitError carries a specific exit code (e.g. 2 for bad input) through cobra. reported means
// the command already told the user (e.g. a denial with its explanation), so Execute adds nothing.
type exitError struct {
	code     int
	err      error
	reported bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// NewRoot builds the tkr command tree.
func NewRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "tkr",
		Short:         "TanzuKubernetesRelease service for Cluster API management clusters",
		Long:          "tkr keeps a catalogue of Kubernetes releases (TKRs), the OS images that run them and the add-ons they bootstrap, and resolves every ClusterClass-based Cluster to exactly one release and image.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newManagerCommand(), newUpCommand(), newResolveCommand(), newGetCommand(), newDeactivateCommand(), newActivateCommand(), newPublishCommand(), newPreflightCommand(), newVCenterCommand())
	return root
}

// Execute runs the command line and returns the process exit code. SIGINT and SIGTERM cancel the
// command's context, so long-running commands shut down cleanly.
func Execute() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := NewRoot().ExecuteContext(ctx); err != nil {
		var ee *exitError
		if !errors.As(err, &ee) || !ee.reported {
			fmt.Fprintln(os.Stderr, "Error:", err)
		}
		if ee != nil {
			return ee.code
		}
		return 1
	}
	return 0
}
