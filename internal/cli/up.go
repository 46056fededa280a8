package cli

import (
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"go.uber.org/zap/zapcore"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/tkr-project/tkr/internal/manager"
	"github.com/tkr-project/tkr/internal/playground"
)

func newUpCommand() *cobra.Command {
	o := playground.Options{Manager: manager.DefaultOptions(), Components: manager.Components()}
	var verbose bool
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start an embedded playground: a local management cluster with the example releases",
		Long: `Starts etcd and kube-apiserver on this machine (building them from Go modules on first use),
installs the tkr and Cluster API CRDs, runs every tkr component in this process, loads the example
catalogue, serves a simulated vCenter (govmomi's vcsim) holding a VM template of every example OVA,
and writes a kubeconfig. Stops everything and removes its data on Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// etcd and kube-apiserver run in their own process groups, so only this process can
			// stop them. If the terminal or a pipe reading our output goes away first, a write
			// must fail rather than kill us by SIGPIPE before the cleanup has run.
			signal.Ignore(syscall.SIGPIPE)
			ctrl.SetLogger(zap.New(zap.WriteTo(cmd.ErrOrStderr()), zap.Level(logLevel(verbose))))
			o.Out = cmd.OutOrStdout()
			return playground.Run(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.KubeconfigOut, "kubeconfig-out", "tkr-playground.kubeconfig", "where to write the playground's admin kubeconfig")
	cmd.Flags().StringSliceVar(&o.Manager.Components, "components", nil, "manager components to run (default: all)")
	cmd.Flags().StringVar(&o.Manager.MetricsBindAddress, "metrics-bind-addr", "0", "address of the manager's metrics endpoint; 0 disables it")
	cmd.Flags().StringVar(&o.Manager.HealthProbeBindAddress, "health-probe-bind-address", "0", "address of the manager's health probes; 0 disables them")
	cmd.Flags().StringVar(&o.VCenterAddr, "vcenter-addr", playground.DefaultVCenterAddr, "where the simulated vCenter listens (examples/cluster.yaml's vcenter variable names the default)")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "log what the controllers do")
	return cmd
}

// logLevel keeps the playground's terminal for the guide unless asked for controller logs.
func logLevel(verbose bool) zapcore.Level {
	if verbose {
		return zapcore.InfoLevel
	}
	return zapcore.ErrorLevel
}
