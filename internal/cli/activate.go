package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/scheme"
	"github.com/tkr-project/tkr/pkg/tkrlabels"
)

// newDeactivateCommand builds tkr deactivate, which labels releases deactivated.
func newDeactivateCommand() *cobra.Command {
	return newActivationCommand(false, "deactivate TKR...",
		"Stop new clusters and upgrades from using TanzuKubernetesReleases",
		`Labels each named TanzuKubernetesRelease deactivated. The TKR resolver then never chooses it for a
new Cluster or an upgrade, and tkr get no longer offers it as an update; Clusters that run it keep
running, and it can still not be deleted while they do. Undo with tkr activate.

Releases already deactivated are left as they are. Exit status: 0 when every release is
deactivated; 1 when a release does not exist or cannot be changed (the others are still done).`,
		"  tkr deactivate v1.23.15---vmware.1-tkg.1")
}

// newActivateCommand builds tkr activate, which removes the deactivated label.
func newActivateCommand() *cobra.Command {
	return newActivationCommand(true, "activate TKR...",
		"Let new clusters and upgrades use deactivated TanzuKubernetesReleases again",
		`Removes the deactivated label from each named TanzuKubernetesRelease, so that the TKR resolver may
choose it again. A release that is also incompatible or invalid stays unused until that changes;
the command says so.

Releases that are not deactivated are left as they are. Exit status: 0 when every release is
active; 1 when a release does not exist or cannot be changed (the others are still done).`,
		"  tkr activate v1.23.15---vmware.1-tkg.1")
}

func newActivationCommand(activate bool, use, short, long, example string) *cobra.Command {
	var kube kubeFlags
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    long,
		Example: example,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &exitError{code: exitBadInput, err: fmt.Errorf("tkr %s needs the names of the TanzuKubernetesReleases to change; list them with tkr get", cmd.Name())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			c, _, err := kube.client(scheme.New())
			if err != nil {
				return err
			}
			return setActivation(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), c, activate, args)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitBadInput, err: err}
	})
	kube.addFlags(cmd.Flags())
	return cmd
}

// setActivation adds (activate false) or removes (activate true) the deactivated label on each
// named release, reporting each on stdout, or on stderr when it fails. Every release is tried;
// the error says how many failed.
func setActivation(ctx context.Context, stdout, stderr io.Writer, c client.Client, activate bool, names []string) error {
	failed := 0
	for _, name := range names {
		msg, err := setOne(ctx, c, activate, name)
		if err != nil {
			fmt.Fprintln(stderr, "Error: "+err.Error())
			failed++
			continue
		}
		fmt.Fprintln(stdout, msg)
	}
	if failed > 0 {
		verb := "deactivated"
		if activate {
			verb = "activated"
		}
		return &exitError{code: 1, reported: true, err: fmt.Errorf("%d of %d TanzuKubernetesReleases could not be %s", failed, len(names), verb)}
	}
	return nil
}

// setOne changes one release and returns what happened, as a sentence.
func setOne(ctx context.Context, c client.Client, activate bool, name string) (string, error) {
	tkr := &runv1alpha3.TanzuKubernetesRelease{}
	if err := c.Get(ctx, client.ObjectKey{Name: name}, tkr); err != nil {
		if apierrors.IsNotFound(err) {
			return "", fmt.Errorf("TanzuKubernetesRelease %s not found; list the releases with tkr get", name)
		}
		return "", fmt.Errorf("cannot read TanzuKubernetesRelease %s: %w", name, err)
	}
	_, deactivated := tkr.Labels[runv1alpha3.LabelDeactivated]
	switch {
	case activate && !deactivated:
		return fmt.Sprintf("TanzuKubernetesRelease %s is not deactivated; nothing to do.%s", name, stillExcluded(tkr)), nil
	case !activate && deactivated:
		return fmt.Sprintf("TanzuKubernetesRelease %s is already deactivated; nothing to do.", name), nil
	}
	// A merge patch of the one label: it needs no resourceVersion, so it cannot conflict with
	// the status controller's label updates, and it leaves every other label alone. null
	// removes the label; the API server ignores removing one that is already gone.
	var value any
	if !activate {
		value = ""
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]any{runv1alpha3.LabelDeactivated: value}}})
	if err != nil {
		return "", err
	}
	if err := c.Patch(ctx, tkr, client.RawPatch(types.MergePatchType, patch)); err != nil {
		if apierrors.IsNotFound(err) {
			return "", fmt.Errorf("TanzuKubernetesRelease %s not found; it was deleted while being changed", name)
		}
		return "", fmt.Errorf("cannot label TanzuKubernetesRelease %s: %w", name, err)
	}
	if activate {
		return fmt.Sprintf("TanzuKubernetesRelease %s activated: new clusters and upgrades may use it again.%s", name, stillExcluded(tkr)), nil
	}
	return fmt.Sprintf("TanzuKubernetesRelease %s deactivated: new clusters and upgrades no longer use it; clusters that run it are not affected.", name), nil
}

// stillExcluded warns, as a sentence with a leading space, when a release without the
// deactivated label is still kept from use by another exclusion label, so that activating it
// does not look like it failed silently.
func stillExcluded(tkr *runv1alpha3.TanzuKubernetesRelease) string {
	l := maps.Clone(releaseLabels(tkr))
	delete(l, runv1alpha3.LabelDeactivated)
	if e := tkrlabels.Excluded(l); e != "" {
		why := "it is labelled " + e
		if cond := tkrlabels.ExclusionCondition(e); cond != "" {
			why = fmt.Sprintf("its %s condition is False", cond)
		}
		return fmt.Sprintf(" It is still %s (%s), so it stays unused until that changes.", e, why)
	}
	return ""
}
