package vspheretemplate

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tkr-project/tkr/internal/vcenter"
	"github.com/tkr-project/tkr/pkg/tkrdata"
)

// The topology variables the webhook reads.
const (
	VarVCenter     = "vcenter"
	VarIdentityRef = "identityRef"
)

// CAPVNamespace holds the Secrets that VSphereClusterIdentities name, as Cluster API Provider
// vSphere installs it.
const CAPVNamespace = "capv-system"

// identityGVK is CAPV's cluster-scoped VSphereClusterIdentity. It is read as unstructured: tkr
// needs two fields of it, which does not justify depending on the provider's module.
var identityGVK = schema.GroupVersionKind{Group: "infrastructure.cluster.x-k8s.io", Version: "v1beta1", Kind: "VSphereClusterIdentity"}

// vcenterVariable is the Cluster's vcenter variable; template is ignored, as in the original.
type vcenterVariable struct {
	Server        string `json:"server"`
	Datacenter    string `json:"datacenter"`
	TLSThumbprint string `json:"tlsThumbprint"`
}

// identityRef is CAPV's VSphereIdentityReference.
type identityRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// EndpointFor reads the vCenter endpoint and credentials of c. The first sentence of every
// error is the original's; what to fix follows.
func EndpointFor(ctx context.Context, r client.Reader, c tkrdata.Cluster) (vcenter.Endpoint, error) {
	var ep vcenter.Endpoint
	raw, ok := c.Variable(VarVCenter)
	if !ok {
		return ep, fmt.Errorf("error parsing vcenter cluster variable: the Cluster %s has no vcenter variable; add spec.topology.variables {name: vcenter, value: {server: <vCenter host>, datacenter: <datacenter>, tlsThumbprint: <SHA-1 thumbprint>}}", key(c))
	}
	var v vcenterVariable
	if err := json.Unmarshal(raw, &v); err != nil {
		return ep, fmt.Errorf("error parsing vcenter cluster variable: %w; the value must be an object {server, datacenter, tlsThumbprint}", err)
	}
	var missing []string
	if strings.TrimSpace(v.Server) == "" {
		missing = append(missing, "server")
	}
	if strings.TrimSpace(v.Datacenter) == "" {
		missing = append(missing, "datacenter")
	}
	if len(missing) > 0 {
		return ep, fmt.Errorf("error parsing vcenter cluster variable: the vcenter variable of the Cluster %s has no %s; set it to the vCenter host and the datacenter holding the VM templates", key(c), strings.Join(missing, " and no "))
	}
	// The variable is read before the credentials (the original did the reverse): without it, a
	// missing Secret is not the problem to report.
	user, password, err := credentials(ctx, r, c)
	if err != nil {
		return ep, err
	}
	return vcenter.Endpoint{
		Server:     v.Server,
		Datacenter: v.Datacenter,
		Thumbprint: v.TLSThumbprint,
		// As in the original and in CAPV: no thumbprint means the certificate is not verified.
		Insecure: v.TLSThumbprint == "",
		Username: user,
		Password: password,
	}, nil
}

// credentials returns the vCenter user and password of c (spec §2.2): the Secret named after
// the Cluster, the Secret its identityRef names, or the Secret of the VSphereClusterIdentity it
// names.
func credentials(ctx context.Context, r client.Reader, c tkrdata.Cluster) (string, string, error) {
	secret := client.ObjectKey{Namespace: c.GetNamespace(), Name: c.GetName()}
	if raw, ok := c.Variable(VarIdentityRef); ok && len(raw) > 0 && string(raw) != "null" {
		var ref identityRef
		if err := json.Unmarshal(raw, &ref); err != nil {
			return "", "", fmt.Errorf("could not parse variable identityRef: %s: %w", raw, err)
		}
		switch ref.Kind {
		case "Secret":
			secret.Name = ref.Name
		case identityGVK.Kind:
			id := &unstructured.Unstructured{}
			id.SetGroupVersionKind(identityGVK)
			if err := r.Get(ctx, client.ObjectKey{Name: ref.Name}, id); err != nil {
				return "", "", fmt.Errorf("could not get VSphereClusterIdentity %s: %w", ref.Name, err)
			}
			if ready, _, _ := unstructured.NestedBool(id.Object, "status", "ready"); !ready {
				return "", "", fmt.Errorf("VShereClusterIdentity %s is not ready yet; wait until Cluster API Provider vSphere reports it ready (status.ready)", ref.Name)
			}
			name, _, _ := unstructured.NestedString(id.Object, "spec", "secretName")
			secret = client.ObjectKey{Namespace: CAPVNamespace, Name: name}
		default:
			return "", "", fmt.Errorf("not supported identityRef type %s; use Secret or VSphereClusterIdentity", ref.Kind)
		}
	}
	s := &corev1.Secret{}
	if err := r.Get(ctx, secret, s); err != nil {
		hint := ""
		if apierrors.IsNotFound(err) {
			hint = "; create it with the keys username and password, or point the identityRef variable at the Secret or VSphereClusterIdentity that holds them"
		}
		return "", "", fmt.Errorf("could not get secret for key: %s: %w%s", secret, err, hint)
	}
	user, password := string(s.Data["username"]), string(s.Data["password"])
	if user == "" || password == "" {
		return "", "", fmt.Errorf("the Secret %s has no username or no password; it must hold both keys for vCenter", secret)
	}
	return user, password, nil
}

func key(c tkrdata.Cluster) string { return c.GetNamespace() + "/" + c.GetName() }
