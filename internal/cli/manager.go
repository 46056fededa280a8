package cli

import (
	"flag"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/config"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/tkr-project/tkr/internal/manager"
	"github.com/tkr-project/tkr/internal/scheme"
)

func newManagerCommand() *cobra.Command {
	opts := manager.DefaultOptions()
	components := manager.Components()
	zapOpts := zap.Options{}
	var kubeconfig string
	cmd := &cobra.Command{
		Use:   "manager",
		Short: "Run tkr's controllers and webhooks against a management cluster",
		Long:  "Runs the selected components (default: all that are configured; source runs when its image paths are given) in one process. Uses the in-cluster service account, or --kubeconfig / $KUBECONFIG outside a cluster.\n\nComponents:\n" + describe(components),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
			cfg, err := loadConfig(kubeconfig)
			if err != nil {
				return err
			}
			mgr, err := manager.New(cmd.Context(), cfg, scheme.New(), opts, components)
			if err != nil {
				return err
			}
			return mgr.Start(cmd.Context())
		},
	}
	opts.AddFlags(cmd.Flags(), components)
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig file (default: in-cluster, then $KUBECONFIG, then ~/.kube/config)")
	gofs := flag.NewFlagSet("zap", flag.ContinueOnError)
	zapOpts.BindFlags(gofs)
	cmd.Flags().AddGoFlagSet(gofs)
	return cmd
}

func describe(components []manager.Component) string {
	s := ""
	for _, c := range components {
		s += "  " + c.Name + ": " + c.Help + "\n"
	}
	return s
}

func loadConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig != "" {
		return clientcmd.BuildConfigFromFlags("", kubeconfig)
	}
	return config.GetConfig()
}
