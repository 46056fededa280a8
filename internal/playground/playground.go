// Package playground runs `tkr up`: a throwaway management cluster on this machine with the
// example catalogue loaded and every tkr component running, for trying tkr with kubectl.
package playground

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/examples"
	"github.com/tkr-project/tkr/internal/apply"
	"github.com/tkr-project/tkr/internal/controlplane"
	"github.com/tkr-project/tkr/internal/controlplane/binaries"
	"github.com/tkr-project/tkr/internal/manager"
	"github.com/tkr-project/tkr/internal/publish"
	"github.com/tkr-project/tkr/internal/registry"
	"github.com/tkr-project/tkr/internal/scheme"
	"github.com/tkr-project/tkr/pkg/catalog"
)

// FieldOwner is the server-side-apply field manager of objects the playground loads.
const FieldOwner = "tkr-playground"

// Options configure Run.
type Options struct {
	// KubeconfigOut is where the admin kubeconfig is written; it is removed on exit.
	KubeconfigOut string
	// Out receives progress and the guide.
	Out io.Writer
	// Manager configures the in-process tkr manager; webhook serving is set by Run.
	Manager manager.Options
	// Components is the registry the manager selects from.
	Components []manager.Component
	// VCenterAddr is where the simulated vCenter listens when the vsphere-webhook runs;
	// examples/cluster.yaml names DefaultVCenterAddr.
	VCenterAddr string
}

// Run starts the playground and blocks until ctx is cancelled (SIGINT/SIGTERM), then stops the
// manager, kube-apiserver and etcd and removes every file it made.
func Run(ctx context.Context, o Options) (err error) {
	started := time.Now()
	out := o.Out
	versions, err := binaries.Current()
	if err != nil {
		return err
	}
	binDir, err := binaries.Ensure(ctx, versions, out)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "tkr-playground-")
	if err != nil {
		return fmt.Errorf("creating the playground's data directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	exampleDir, err := writeExamples(tmp)
	if err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(tmp, "control-plane.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()

	// The releases reach the cluster the way they do on a real management cluster: published to
	// a registry, pulled by the source controller.
	reg, err := startRegistry()
	if err != nil {
		return err
	}
	defer reg.Stop() //nolint:errcheck // nothing is left to save
	target, err := publishExamples(ctx, reg.Host)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Published the example releases to the playground's registry %s.\n", target.Registry)
	o.Manager.Source.BOMImagePath = target.BOMRepo()
	o.Manager.Source.BOMMetadataImagePath = target.CompatibilityRepo()
	o.Manager.Source.TKRRepoImagePath = target.RepositoryRepo()

	// The OVAs of the example releases are VM templates in a simulated vCenter, so the vSphere
	// webhook finds their templates as it would on a real vSphere management cluster.
	var vcGuide *vcenterGuide
	if o.Manager.Selected(o.Components, "vsphere-webhook") {
		addr := o.VCenterAddr
		if addr == "" {
			addr = DefaultVCenterAddr
		}
		vc, imported, err := startVCenter(addr)
		if err != nil {
			return err
		}
		defer vc.Close()
		vcGuide = &vcenterGuide{vc: vc, imported: imported}
		fmt.Fprintf(out, "Started a simulated vCenter on %s with a VM template of every example OVA in datacenter dc0.\n", vc.Host)
	}

	mutating, validating, err := controlplane.AdmissionWebhooks(o.Manager, o.Components)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Starting etcd and kube-apiserver %s ...\n", versions.Kubernetes)
	cp, err := controlplane.Start(ctx, controlplane.Options{
		BinaryDir:          binDir,
		Output:             logFile,
		MutatingWebhooks:   mutating,
		ValidatingWebhooks: validating,
	})
	if err != nil {
		return err
	}
	defer func() {
		fmt.Fprintln(out, "Stopping kube-apiserver and etcd ...")
		if stopErr := cp.Stop(); stopErr != nil && err == nil {
			err = fmt.Errorf("stopping the control plane: %w", stopErr)
		}
	}()

	s := scheme.New()
	mgr, err := cp.RunManager(ctx, s, o.Manager, o.Components, nil)
	if err != nil {
		return err
	}
	defer func() {
		fmt.Fprintln(out, "Stopping the tkr manager ...")
		if mgrErr := mgr.Stop(); mgrErr != nil && err == nil {
			err = fmt.Errorf("the tkr manager stopped with an error: %w", mgrErr)
		}
	}()

	c, err := client.New(cp.Config, client.Options{Scheme: s})
	if err != nil {
		return err
	}
	n, err := loadCatalog(ctx, c, exampleDir)
	if err != nil {
		return err
	}
	if vcGuide != nil {
		if err := createCredentials(ctx, c, vcGuide.vc); err != nil {
			return err
		}
	}
	if o.Manager.Selected(o.Components, "source") {
		fmt.Fprintln(out, "Waiting for the source controller to pull the compatible releases ...")
		summary, err := waitForSource(ctx, c, o.Manager.Source.Name, 2*time.Minute)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "The source controller pulled the compatible releases: %s.\n", summary)
	}
	if err := os.WriteFile(o.KubeconfigOut, cp.KubeConfig, 0o600); err != nil {
		return fmt.Errorf("writing the kubeconfig to %s: %w", o.KubeconfigOut, err)
	}
	defer os.Remove(o.KubeconfigOut)

	fmt.Fprintf(out, "tkr playground is ready in %s: %d example objects loaded.\n\n", time.Since(started).Round(100*time.Millisecond), n)
	printGuide(out, o.KubeconfigOut, cp.Kubectl(), guideExamplesDir(exampleDir), target.Registry)
	if vcGuide != nil {
		vcGuide.print(out, guideExamplesDir(exampleDir))
	}
	fmt.Fprintln(out, "\nPress Ctrl-C to stop; everything is removed on exit.")
	select {
	case <-ctx.Done():
		fmt.Fprintln(out, "\nShutting down the playground ...")
		return nil
	case <-mgr.Done():
		return errors.New("the tkr manager stopped unexpectedly; run with -v to see why")
	}
}

// writeExamples copies the embedded example catalogue into dir so the guide can point at real
// files wherever tkr runs from.
func writeExamples(dir string) (string, error) {
	root := filepath.Join(dir, "examples")
	err := fs.WalkDir(examples.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(root, filepath.FromSlash(path))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(examples.FS, path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		return "", fmt.Errorf("writing the example catalogue: %w", err)
	}
	return root, nil
}

// loadCatalog applies what an administrator configures on a management cluster: the
// namespace, the management Cluster with its TKGVERSION, the additional-compatible-tkrs
// ConfigMap that blesses the BYO release, and the ClusterClass. The releases themselves and
// bom-metadata come from the registry, through the source controller.
func loadCatalog(ctx context.Context, c client.Client, exampleDir string) (int, error) {
	objs, err := catalog.Load(filepath.Join(exampleDir, "catalog"), filepath.Join(exampleDir, "clusterclass.yaml"))
	if err != nil {
		return 0, fmt.Errorf("loading the example catalogue: %w", err)
	}
	var toApply []apply.Object
	for _, o := range objs {
		if managementConfig(o) {
			toApply = append(toApply, apply.Object{Object: o.Unstructured, Source: o.Source.String()})
		}
	}
	if err := apply.Objects(ctx, c, FieldOwner, toApply); err != nil {
		return 0, fmt.Errorf("loading the example catalogue: %w", err)
	}
	return len(toApply), nil
}

// managementConfig reports whether o is management-cluster configuration rather than part of a
// release or the compatibility metadata.
func managementConfig(o catalog.Object) bool {
	switch o.GetKind() {
	case "Namespace", "Cluster", "ClusterClass":
		return true
	case "ConfigMap":
		_, additional := o.GetLabels()[runv1alpha3.LabelAdditionalCompatibleTKRs]
		return additional
	}
	return false
}

// publishExamples publishes the embedded examples to the registry at host, as `tkr publish
// examples --registry <host>/tkg` would.
func publishExamples(ctx context.Context, host string) (publish.Target, error) {
	target := publish.Target{Registry: host + "/tkg"}.WithDefaults()
	layout, err := publish.Load(examples.FS)
	if err != nil {
		return target, fmt.Errorf("reading the example releases: %w", err)
	}
	c, err := registry.New(registry.Options{UserAgent: "tkr-playground"})
	if err != nil {
		return target, err
	}
	if _, err := publish.Push(ctx, c, target, layout); err != nil {
		return target, fmt.Errorf("publishing the example releases to the playground's registry: %w", err)
	}
	return target, nil
}

// waitForSource waits until the TanzuKubernetesReleaseSource name is Ready and returns its
// summary, or says what it reports when it is not Ready in time.
func waitForSource(ctx context.Context, c client.Client, name string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	src := &runv1alpha3.TanzuKubernetesReleaseSource{}
	for {
		err := c.Get(ctx, client.ObjectKey{Name: name}, src)
		if err == nil {
			for _, cond := range src.Status.Conditions {
				if cond.Type == runv1alpha3.ConditionReady && cond.Status == corev1.ConditionTrue && src.Status.Summary != "no compatible releases" {
					return src.Status.Summary, nil
				}
			}
		}
		if time.Now().After(deadline) {
			msg := "it has reported nothing"
			for _, cond := range src.Status.Conditions {
				if cond.Type == runv1alpha3.ConditionReady {
					msg = cond.Message
				}
			}
			return "", fmt.Errorf("the source controller did not pull the example releases within %s: %s", timeout, msg)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// guideExamplesDir prefers ./examples when tkr runs from a checkout, so commands are short.
func guideExamplesDir(extracted string) string {
	if fi, err := os.Stat(filepath.Join("examples", "cluster.yaml")); err == nil && !fi.IsDir() {
		return "examples"
	}
	return extracted
}

func printGuide(w io.Writer, kubeconfig, kubectl, examplesDir, registry string) {
	abs, err := filepath.Abs(kubeconfig)
	if err != nil {
		abs = kubeconfig
	}
	fmt.Fprintf(w, `Try it with kubectl (any recent kubectl works; this one was built with the control plane):

  export KUBECONFIG=%s
  alias kubectl=%s

  kubectl get tkrsource                  # what the source controller pulled from the playground's registry
  kubectl get tkrsource default -o yaml  # per release: phase, bundle digest, BOM ConfigMap
  kubectl get tkr                        # the releases: NAME VERSION READY COMPATIBLE CREATED
  kubectl get tkr -l v1.24               # version-prefix labels select a Kubernetes minor
  kubectl get osimg                      # the OS images each release ships
  kubectl get cbt -n tkg-system          # add-on bootstrap templates, one per release
  kubectl get antreaconfig -A            # add-on config templates
  kubectl get tanzukubernetesreleases.v1alpha1.run.tanzu.vmware.com v1.24.9---vmware.1-tkg.1 -o yaml
                                         # the legacy v1alpha1 form, converted on the fly

  # A ClusterClass-based Cluster, as in the seed article (v1beta1, stored as v1beta2). The resolver
  # webhook picks its release and OS image and writes them into the Cluster:
  kubectl apply -f %s/cluster.yaml
  kubectl get cluster workload-1 -L run.tanzu.vmware.com/tkr
  kubectl get cluster.v1beta1.cluster.x-k8s.io workload-1 -o jsonpath='{.spec.topology.variables[?(@.name=="TKR_DATA")].value}'
  # Its add-ons: a ClusterBootstrap named after it, cloned from its release's template, with its
  # own <cluster>-<package>-package configs, which the add-on controllers render (SECRETREF):
  kubectl get cb -A                      # NAME CNI CSI CPI KAPP RESOLVED_TKR
  kubectl get antreaconfig -A            # workload-1-antrea-package ... workload-1-antrea-data-values
  # Choose Antrea's settings before a cluster exists: an AntreaConfig named <cluster>-antrea-package
  # in its namespace (here hybrid encapsulation for the seed's tkg-vick) is used as it is:
  kubectl apply -f %[3]s/vick/
  kubectl get antreaconfig -n vick       # tkg-vick-antrea-package hybrid ... tkg-vick-antrea-data-values
  # The same releases as tkr sees them, and the updates a cluster on v1.23 is offered:
  tkr get                                # or: go run ./cmd/tkr get
  sed 's/v1.24.9+vmware.1/v1.23/; s/workload-1/workload-old/' %[3]s/cluster.yaml | kubectl apply -f -
  tkr get --cluster default/workload-old
  # Ask for an OS no release ships, and read why it is denied:
  sed 's/os-name=ubuntu/os-name=windows/; s/workload-1/workload-2/' %[3]s/cluster.yaml | kubectl apply -f -
  # v1.21.14+vmware.1-tkg.5 is in the registry (%[4]s) but not compatible with v2.3.0, so it
  # was not pulled. Declare it compatible and watch it arrive:
  kubectl create configmap more-tkrs -n tkg-system --from-literal=tkrVersions='[v1.21.14+vmware.1-tkg.5]'
  kubectl label configmap more-tkrs -n tkg-system run.tanzu.vmware.com/additional-compatible-tkrs=
  kubectl get tkr v1.21.14---vmware.1-tkg.5
`, abs, kubectl, examplesDir, registry)
}
