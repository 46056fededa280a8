package antreaconfig_test

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cniv1alpha1 "github.com/tkr-project/tkr/api/addons/cni/v1alpha1"
	cniv1alpha2 "github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
	webhookconfig "github.com/tkr-project/tkr/config/webhook"
	"github.com/tkr-project/tkr/internal/webhooks/antreaconfig"
	"github.com/tkr-project/tkr/test/envtest"
)

var env *envtest.Environment

// TestMain runs the conversion webhook (AntreaConfig is stored as v1alpha2) and this webhook
// alone, registered from its generated entry in config/webhook.
func TestMain(m *testing.M) {
	_, validating, err := webhookconfig.Configurations(antreaconfig.Names)
	if err != nil || len(validating) == 0 {
		panic("config/webhook has no entry for " + antreaconfig.Name + "; run make generate")
	}
	envtest.Main(m, &env, envtest.Options{
		ValidatingWebhooks: validating,
		Setup:              func(_ context.Context, mgr ctrl.Manager) error { return antreaconfig.Setup(mgr) },
	})
}

const denied = `admission webhook "` + antreaconfig.Name + `" denied the request: `

func ptr[T any](v T) *T { return &v }

// settings are the fields the create rules read; v1alpha1Config and v1alpha2Config build an
// AntreaConfig of each version from them.
type settings struct {
	endpointSlice, antreaProxy, noSNAT *bool
	encapMode                          string
}

func v1alpha1Config(name string, s settings) client.Object {
	c := &cniv1alpha1.AntreaConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name}}
	c.Spec.Antrea.Config.FeatureGates.EndpointSlice = s.endpointSlice
	c.Spec.Antrea.Config.FeatureGates.AntreaProxy = s.antreaProxy
	c.Spec.Antrea.Config.NoSNAT = s.noSNAT
	c.Spec.Antrea.Config.TrafficEncapMode = s.encapMode
	return c
}

func v1alpha2Config(name string, s settings) client.Object {
	c := &cniv1alpha2.AntreaConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name}}
	c.Spec.Antrea.Config.FeatureGates.EndpointSlice = s.endpointSlice
	c.Spec.Antrea.Config.FeatureGates.AntreaProxy = s.antreaProxy
	c.Spec.Antrea.Config.NoSNAT = s.noSNAT
	c.Spec.Antrea.Config.TrafficEncapMode = s.encapMode
	return c
}

var versions = []struct {
	name string
	make func(string, settings) client.Object
}{{"v1alpha1", v1alpha1Config}, {"v1alpha2", v1alpha2Config}}

func TestCreate(t *testing.T) {
	tests := []struct {
		name string
		s    settings
		want string // "" means allowed
	}{
		{name: "endpointslice-without-proxy", s: settings{endpointSlice: ptr(true), antreaProxy: ptr(false)},
			want: `spec.antrea.config.featureGates.EndpointSlice: Invalid value: true: field cannot be enabled if AntreaProxy is disabled`},
		{name: "endpointslice-with-proxy", s: settings{endpointSlice: ptr(true), antreaProxy: ptr(true)}},
		{name: "nosnat-encap", s: settings{noSNAT: ptr(true)},
			want: `spec.antrea.config.noSNAT: Invalid value: true: field must be disabled for encap and hybrid mode`},
		{name: "nosnat-hybrid", s: settings{noSNAT: ptr(true), encapMode: "hybrid"},
			want: `field must be disabled for encap and hybrid mode`},
		{name: "nosnat-noencap", s: settings{noSNAT: ptr(true), encapMode: "noEncap"}},
	}
	for _, v := range versions {
		for _, tt := range tests {
			t.Run(v.name+"/"+tt.name, func(t *testing.T) {
				err := env.Client.Create(context.Background(), v.make("create-"+v.name+"-"+tt.name, tt.s))
				switch {
				case tt.want == "" && err != nil:
					t.Fatalf("denied: %v", err)
				case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), denied) || !strings.Contains(err.Error(), tt.want)):
					t.Fatalf("error = %v, want a denial with %q", err, tt.want)
				}
			})
		}
	}
}

func TestUpdateImmutables(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			ctx := context.Background()
			obj := v.make("update-"+v.name, settings{encapMode: "noEncap", noSNAT: ptr(true)})
			if err := env.Client.Create(ctx, obj); err != nil {
				t.Fatal(err)
			}
			// A mutable field changes freely.
			mutate(t, obj, func(c *cniv1alpha2.AntreaConfig) { c.Spec.Antrea.Config.DefaultMTU = "1400" })
			if err := env.Client.Update(ctx, obj); err != nil {
				t.Fatalf("changing defaultMTU: %v", err)
			}
			for _, change := range []struct {
				field  string
				mutate func(*cniv1alpha2.AntreaConfig)
			}{
				{"spec.antrea.config.trafficEncapMode", func(c *cniv1alpha2.AntreaConfig) { c.Spec.Antrea.Config.TrafficEncapMode = "hybrid" }},
				{"spec.antrea.config.noSNAT", func(c *cniv1alpha2.AntreaConfig) { c.Spec.Antrea.Config.NoSNAT = ptr(false) }},
				{"spec.antrea.config.disableUdpTunnelOffload", func(c *cniv1alpha2.AntreaConfig) { c.Spec.Antrea.Config.DisableUDPTunnelOffload = ptr(true) }},
				{"spec.antrea.config.tlsCipherSuites", func(c *cniv1alpha2.AntreaConfig) {
					c.Spec.Antrea.Config.TLSCipherSuites = "TLS_RSA_WITH_AES_256_GCM_SHA384"
				}},
			} {
				fresh := obj.DeepCopyObject().(client.Object)
				if err := env.Client.Get(ctx, client.ObjectKeyFromObject(fresh), fresh); err != nil {
					t.Fatal(err)
				}
				mutate(t, fresh, change.mutate)
				err := env.Client.Update(ctx, fresh)
				if err == nil || !strings.HasPrefix(err.Error(), denied) || !strings.Contains(err.Error(), change.field+": Invalid value") || !strings.Contains(err.Error(), "field is immutable") {
					t.Errorf("changing %s: error = %v, want an immutability denial", change.field, err)
				}
			}
		})
	}
}

// antreaNsx exists only in v1alpha2, where its enable flag is immutable.
func TestUpdateAntreaNsxEnable(t *testing.T) {
	ctx := context.Background()
	c := &cniv1alpha2.AntreaConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "nsx"}}
	if err := env.Client.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	c.Spec.AntreaNsx = &cniv1alpha2.AntreaNsx{Enable: ptr(true)}
	err := env.Client.Update(ctx, c)
	if err == nil || !strings.Contains(err.Error(), "spec.antreaNsx.enable: Invalid value: true: field is immutable") {
		t.Errorf("error = %v, want antreaNsx.enable immutable", err)
	}
}

// mutate applies f to obj in its v1alpha2 form, whatever version obj is.
func mutate(t *testing.T, obj client.Object, f func(*cniv1alpha2.AntreaConfig)) {
	t.Helper()
	switch c := obj.(type) {
	case *cniv1alpha2.AntreaConfig:
		f(c)
	case *cniv1alpha1.AntreaConfig:
		hub := &cniv1alpha2.AntreaConfig{}
		if err := cniv1alpha1.ConvertAntreaConfigToHub(context.Background(), c, hub); err != nil {
			t.Fatal(err)
		}
		f(hub)
		if err := cniv1alpha1.ConvertAntreaConfigFromHub(context.Background(), hub, c); err != nil {
			t.Fatal(err)
		}
	}
}
