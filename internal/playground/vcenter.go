package playground

import (
	"context"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tkr-project/tkr/internal/vcenter/vcentertest"
)

// DefaultVCenterAddr is where the playground's simulated vCenter listens: the server that
// examples/cluster.yaml's vcenter variable names.
const DefaultVCenterAddr = "127.0.0.1:8989"

// CredentialsSecret holds the simulated vCenter's login; examples/cluster.yaml's identityRef
// variable names it, so every Cluster derived from the example in its namespace finds it.
var CredentialsSecret = client.ObjectKey{Namespace: "default", Name: "vsphere-credentials"}

// notYetTemplate is the OVA the playground imports without marking it as a template, so the
// guide can show the denial a user gets and how to fix it: v1.23.15's Photon image.
const notYetTemplate = "v1.23.15+vmware.1-tkg.1-9c269f8f79994b9cd627f61db88e267f"

// importedFolder is where that OVA sits.
const importedFolder = "imported"

// startVCenter starts vcsim at addr with datacenter dc0 holding, as image-builder names them, a
// VM template of every OVA the example catalogue ships, except one imported as a plain VM.
func startVCenter(addr string) (*vcentertest.Server, string, error) {
	osImages, err := vcentertest.ExampleOSImages()
	if err != nil {
		return nil, "", err
	}
	images := vcentertest.ImagesFor(osImages, "dc0", "")
	imported := ""
	for i := range images {
		if images[i].Version == notYetTemplate {
			images[i].Folder, images[i].Template = importedFolder, false
			imported = images[i].Path()
		}
	}
	vc, err := vcentertest.StartAt(addr, images)
	if err != nil {
		return nil, "", fmt.Errorf("starting the simulated vCenter on %s (examples/cluster.yaml expects it there): %w", addr, err)
	}
	return vc, imported, nil
}

// GuideNamespace is the namespace of the guide's second cluster (examples/vick), the seed's
// tkg-vick; the playground creates it with its own credentials Secret.
const GuideNamespace = "vick"

// createCredentials writes the Secret the identityRef of examples/cluster.yaml and
// examples/vick/cluster.yaml names, in each one's namespace.
func createCredentials(ctx context.Context, c client.Client, vc *vcentertest.Server) error {
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: GuideNamespace}}); err != nil {
		return fmt.Errorf("creating namespace %s for the guide's cluster tkg-vick: %w", GuideNamespace, err)
	}
	for _, ns := range []string{CredentialsSecret.Namespace, GuideNamespace} {
		secret := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: CredentialsSecret.Name},
			StringData: map[string]string{"username": vc.Username, "password": vc.Password},
		}
		if err := c.Create(ctx, secret); err != nil {
			return fmt.Errorf("creating the vCenter credentials Secret %s/%s: %w", ns, CredentialsSecret.Name, err)
		}
	}
	return nil
}

// seedTemplate is the seed's template path, as the guide shows it.
const seedTemplate = "/dc0/vm/ubuntu-2004-kube-v1.24.9+vmware.1-tkg.1"

// vcenterGuide prints the vSphere part of the guide.
type vcenterGuide struct {
	vc       *vcentertest.Server
	imported string
}

func (g *vcenterGuide) print(w io.Writer, examplesDir string) {
	vc := g.vc
	fmt.Fprintf(w, `
  # vSphere: the vSphere webhook found the VM template of workload-1's OVA in the simulated vCenter
  # (%[1]s, datacenter dc0) and wrote it into TKR_DATA as osImageRef.template %[2]s and its moid.
  # v1.23.15's Photon OVA was imported as %[3]s but never marked as a
  # template, so a Cluster that needs it is denied with the fix:
  sed 's/v1.24.9+vmware.1/v1.23/; s/os-name=ubuntu/os-name=photon/; s/workload-1/workload-photon/' %[4]s/cluster.yaml | kubectl apply -f -
  # Which OVAs each release needs and which are missing, before anyone creates a cluster:
  tkr preflight --catalog %[4]s/catalog --server %[1]s --datacenter dc0 --username %[5]s --password %[6]s --insecure
  tkr preflight --cluster default/workload-1   # that Cluster's vcenter variable and credentials
  # The template's vApp properties, and the fix for the Photon OVA, as govc would show and do them
  # (tkr vcenter reads govc's environment variables, so the commands carry over to govc):
  export GOVC_URL=%[1]s GOVC_USERNAME=%[5]s GOVC_PASSWORD=%[6]s GOVC_INSECURE=1
  tkr vcenter vm.info %[2]s
  tkr vcenter vm.info -json %[2]s | grep -i defaultvalue
  tkr vcenter vm.markastemplate %[3]s
  sed 's/v1.24.9+vmware.1/v1.23/; s/os-name=ubuntu/os-name=photon/; s/workload-1/workload-photon/' %[4]s/cluster.yaml | kubectl apply -f -
`, vc.Host, seedTemplate, g.imported, examplesDir, vc.Username, vc.Password)
}
