package addons_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cniv1alpha1 "github.com/tkr-project/tkr/api/addons/cni/v1alpha1"
	cniv1alpha2 "github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
	cpiv1alpha1 "github.com/tkr-project/tkr/api/addons/cpi/v1alpha1"
	csiv1alpha1 "github.com/tkr-project/tkr/api/addons/csi/v1alpha1"
	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/test/envtest"
)

const antreaLabel = "antrea.tanzu.vmware.com.1.11.1---vmware.1-tkg.1-advanced"

// kindCase is one config kind (and mode) as a user creates it.
type kindCase struct {
	name string
	// config returns a config named name in ns owned by owner (no owner if nil).
	config func(ns, name string, owner *metav1.OwnerReference) client.Object
	// addon is the middle of the data-values Secret name; want is a line values.yaml has.
	addon, want string
	// credentials is a Secret the config reads, created first; "" for none.
	credentials string
}

func meta(ns, name string, owner *metav1.OwnerReference) metav1.ObjectMeta {
	m := metav1.ObjectMeta{Namespace: ns, Name: name}
	if owner != nil {
		m.OwnerReferences = []metav1.OwnerReference{*owner}
	}
	return m
}

func antreaConfig(ns, name string, owner *metav1.OwnerReference) *cniv1alpha2.AntreaConfig {
	m := meta(ns, name, owner)
	m.Labels = map[string]string{runv1alpha3.LabelPackageName: antreaLabel}
	return &cniv1alpha2.AntreaConfig{ObjectMeta: m}
}

var kinds = []kindCase{
	{
		name:   "AntreaConfig",
		config: func(ns, name string, o *metav1.OwnerReference) client.Object { return antreaConfig(ns, name, o) },
		addon:  "antrea", want: "serviceCIDRv6: fd00:100:64::/108",
	},
	{
		name: "CalicoConfig",
		config: func(ns, name string, o *metav1.OwnerReference) client.Object {
			return &cniv1alpha1.CalicoConfig{ObjectMeta: meta(ns, name, o)}
		},
		addon: "calico", want: "clusterCIDR: 100.96.0.0/11",
	},
	{
		name: "VSphereCPIConfig/vsphereCPI",
		config: func(ns, name string, o *metav1.OwnerReference) client.Object {
			c := &cpiv1alpha1.VSphereCPIConfig{ObjectMeta: meta(ns, name, o)}
			c.Spec.VSphereCPI.Mode = cpiv1alpha1.ModeVSphereCPI
			c.Spec.VSphereCPI.VCenterAPIEndpoint = "vcenter.example.com"
			c.Spec.VSphereCPI.VSphereCredentialLocalObjRef = &corev1.TypedLocalObjectReference{Kind: "Secret", Name: name + "-credential"}
			return c
		},
		addon: "vsphere-cpi", want: "password: s3cret", credentials: "-credential",
	},
	{
		name: "VSphereCPIConfig/vsphereParavirtualCPI",
		config: func(ns, name string, o *metav1.OwnerReference) client.Object {
			c := &cpiv1alpha1.VSphereCPIConfig{ObjectMeta: meta(ns, name, o)}
			c.Spec.VSphereCPI.Mode = cpiv1alpha1.ModeVSphereParavirtualCPI
			return c
		},
		addon: "vsphere-cpi", want: "mode: vsphereParavirtualCPI",
	},
	{
		name: "VSphereCSIConfig/vsphereCSI",
		config: func(ns, name string, o *metav1.OwnerReference) client.Object {
			c := &csiv1alpha1.VSphereCSIConfig{ObjectMeta: meta(ns, name, o)}
			c.Spec.VSphereCSI.Mode = csiv1alpha1.ModeVSphereCSI
			c.Spec.VSphereCSI.Config.VSphereCredentialLocalObjRef = &corev1.TypedLocalObjectReference{Kind: "Secret", Name: name + "-credential"}
			return c
		},
		addon: "vsphere-csi", want: "username: administrator@vsphere.local", credentials: "-credential",
	},
	{
		name: "VSphereCSIConfig/vsphereParavirtualCSI",
		config: func(ns, name string, o *metav1.OwnerReference) client.Object {
			c := &csiv1alpha1.VSphereCSIConfig{ObjectMeta: meta(ns, name, o)}
			c.Spec.VSphereCSI.Mode = csiv1alpha1.ModeVSphereParavirtualCSI
			return c
		},
		addon: "vsphere-pv-csi", want: "vspherePVCSI:",
	},
	{
		name: "KappControllerConfig",
		config: func(ns, name string, o *metav1.OwnerReference) client.Object {
			return &runv1alpha3.KappControllerConfig{ObjectMeta: meta(ns, name, o)}
		},
		addon: "kapp-controller", want: "coreDNSIP: 100.64.0.10",
	},
}

// Every kind renders its data values into <cluster>-<addon>-data-values, owned by the Cluster,
// whichever Cluster API version the Cluster was created in, and points status.secretRef at it.
func TestRendersEveryKind(t *testing.T) {
	for _, k := range kinds {
		for _, v1beta1 := range []bool{true, false} {
			name := k.name + "/v1beta2"
			if v1beta1 {
				name = k.name + "/v1beta1"
			}
			t.Run(name, func(t *testing.T) {
				ns := namespace(t)
				owner := cluster(t, ns, "mycl", v1beta1)
				cfgName := "mycl-" + k.addon + "-package"
				if k.credentials != "" {
					create(t, &corev1.Secret{
						ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: cfgName + k.credentials},
						StringData: map[string]string{"username": "administrator@vsphere.local", "password": "s3cret"},
					})
				}
				cfg := k.config(ns, cfgName, &owner)
				create(t, cfg)

				s := dataValues(t, ns, "mycl-"+k.addon+"-data-values", nil)
				if !strings.Contains(string(s.Data["values.yaml"]), k.want) {
					t.Errorf("values.yaml lacks %q:\n%s", k.want, s.Data["values.yaml"])
				}
				if s.Type != corev1.SecretTypeOpaque {
					t.Errorf("Secret type = %q, want Opaque", s.Type)
				}
				if len(s.OwnerReferences) != 1 || s.OwnerReferences[0].UID != owner.UID || s.OwnerReferences[0].Kind != "Cluster" {
					t.Errorf("Secret owners = %+v, want the Cluster %s", s.OwnerReferences, owner.UID)
				}
				eventually(t, "status.secretRef", func() string {
					get(t, cfg)
					if got := statusSecretRef(t, cfg); got != s.Name {
						return "secretRef is " + got
					}
					return ""
				})
			})
		}
	}
}

// Editing a config re-renders its Secret; so does changing the credentials Secret it reads.
func TestEditRerenders(t *testing.T) {
	ns := namespace(t)
	owner := cluster(t, ns, "edit", false)
	cfg := &cniv1alpha1.CalicoConfig{ObjectMeta: meta(ns, "edit-calico-package", &owner)}
	create(t, cfg)
	dataValues(t, ns, "edit-calico-data-values", func(v string) bool { return strings.Contains(v, `vethMTU: "0"`) })
	get(t, cfg)
	cfg.Spec.Calico.Config.VethMTU = 1400
	if err := env.Client.Update(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	dataValues(t, ns, "edit-calico-data-values", func(v string) bool { return strings.Contains(v, `vethMTU: "1400"`) })

	cred := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "edit-credential"},
		StringData: map[string]string{"username": "u", "password": "old"},
	}
	create(t, cred)
	cpi := kinds[2].config(ns, "edit", &owner).(*cpiv1alpha1.VSphereCPIConfig)
	create(t, cpi)
	dataValues(t, ns, "edit-vsphere-cpi-data-values", func(v string) bool { return strings.Contains(v, "password: old") })
	cred.StringData = map[string]string{"password": "new"}
	if err := env.Client.Update(context.Background(), cred); err != nil {
		t.Fatal(err)
	}
	dataValues(t, ns, "edit-vsphere-cpi-data-values", func(v string) bool { return strings.Contains(v, "password: new") })
}

// Template configs in the system namespace are never rendered, even when owned by a Cluster.
func TestTemplateConfigSkipped(t *testing.T) {
	ns := "tkg-system"
	ensureNamespace(t, ns)
	owner := cluster(t, ns, "tmpl-owner", false)
	tmpl := antreaConfig(ns, "v1.28.3---vmware.1-tkg.1", &owner)
	tmpl.Annotations = map[string]string{runv1alpha3.AnnotationTemplateConfig: "true"}
	create(t, tmpl)
	// A config created after the template is rendered; by then the template would have been too.
	create(t, antreaConfig(ns, "tmpl-owner-antrea-package", &owner))
	s := dataValues(t, ns, "tmpl-owner-antrea-data-values", nil)
	if s == nil {
		return
	}
	get(t, tmpl)
	if tmpl.Status.SecretRef != "" || tmpl.Status.Message != "" {
		t.Errorf("template config was reconciled: status %+v", tmpl.Status)
	}
}

// A config with no owning Cluster is reported, in an Event and (AntreaConfig) status.message.
func TestNoOwner(t *testing.T) {
	ns := namespace(t)
	want := "no owner cluster could be determined for " + ns + "/orphan"
	create(t, &cniv1alpha1.CalicoConfig{ObjectMeta: meta(ns, "orphan", nil)})
	if note := event(t, ns, "orphan", "NoOwnerCluster"); note != want {
		t.Errorf("Event note = %q, want %q", note, want)
	}
	a := antreaConfig(ns, "orphan-antrea", nil)
	create(t, a)
	eventually(t, "status.message", func() string {
		get(t, a)
		if a.Status.Message != "no owner cluster could be determined for "+ns+"/orphan-antrea" {
			return "message is " + a.Status.Message
		}
		return ""
	})
}

// An AntreaConfig without the package-name label cannot be rendered: the Antrea version, which
// decides the fields, comes from it.
func TestAntreaConfigWithoutPackageName(t *testing.T) {
	ns := namespace(t)
	owner := cluster(t, ns, "nolabel", false)
	a := antreaConfig(ns, "nolabel-antrea-package", &owner)
	a.Labels = nil
	create(t, a)
	const want = "AntreaConfig does not contains package name label"
	if note := event(t, ns, a.Name, "InvalidConfig"); note != want {
		t.Errorf("Event note = %q, want %q", note, want)
	}
	// The Event and the status are written one after the other; wait for the status.
	eventually(t, "status.message", func() string {
		get(t, a)
		if a.Status.Message != want || a.Status.SecretRef != "" {
			return fmt.Sprintf("status = %+v", a.Status)
		}
		return ""
	})
}

// What the seed shows: `kubectl get antreaconfig -A` lists the cluster's AntreaConfig with
// SECRETREF <cluster>-antrea-data-values, and the template with none.
func TestKubectlShowsSecretRef(t *testing.T) {
	ns := namespace(t)
	owner := cluster(t, ns, "vick", true)
	// The CLI creates v1alpha1 AntreaConfigs; the controller works on the stored v1alpha2.
	create(t, &cniv1alpha1.AntreaConfig{ObjectMeta: metav1.ObjectMeta{
		Namespace: ns, Name: "vick-antrea-package", OwnerReferences: []metav1.OwnerReference{owner},
		Labels: map[string]string{runv1alpha3.LabelPackageName: "antrea.tanzu.vmware.com.1.7.2---vmware.1-tkg.1-advanced"},
	}})
	dataValues(t, ns, "vick-antrea-data-values", nil)
	var row map[string]string
	eventually(t, "kubectl get antreaconfig -A", func() string {
		table := envtest.ParseTable(env.Kubectl(t, "get", "antreaconfig", "-A"))
		for _, r := range table.Rows {
			if r["NAMESPACE"] == ns && r["NAME"] == "vick-antrea-package" {
				row = r
				if r["SECRETREF"] == "vick-antrea-data-values" {
					return ""
				}
			}
		}
		return "row is " + strings.TrimSpace(strings.Join([]string{row["NAME"], row["SECRETREF"]}, " "))
	})
	if row["TRAFFICENCAPMODE"] != "encap" || row["ANTREAPROXY"] != "true" || row["ANTREAPOLICY"] != "true" {
		t.Errorf("row = %v, want the CRD defaults encap/true/true", row)
	}
}

// statusSecretRef reads status.secretRef, which every config kind has.
func statusSecretRef(t *testing.T, o client.Object) string {
	t.Helper()
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
	if err != nil {
		t.Fatal(err)
	}
	ref, _, _ := unstructured.NestedString(u, "status", "secretRef")
	return ref
}
