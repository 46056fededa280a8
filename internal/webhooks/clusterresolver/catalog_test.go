package clusterresolver

import (
	"context"
	"net/http"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/tkr-project/tkr/internal/scheme"
	"github.com/tkr-project/tkr/pkg/resolver"
)

// Until the catalogue is loaded the webhook is not ready, and a request that reaches it anyway
// is told to retry instead of being denied against an empty catalogue.
func TestNotReadyUntilLoaded(t *testing.T) {
	s := scheme.New()
	c := NewCatalog(resolver.New(), fake.NewClientBuilder().WithScheme(s).Build())
	if err := c.ReadyCheck()(nil); err == nil {
		t.Fatal("ready before the catalogue was loaded")
	}
	w := &Webhook{Catalog: c, Reader: fake.NewClientBuilder().WithScheme(s).Build(), Decoder: admission.NewDecoder(s), CatalogWait: 50 * time.Millisecond}
	if err := w.waitForCatalog(context.Background()); err == nil {
		t.Error("waitForCatalog returned before the catalogue was loaded")
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = c.Start(ctx) }()
	select {
	case <-c.Loaded():
	case <-time.After(5 * time.Second):
		t.Fatal("the catalogue never loaded")
	}
	if err := c.ReadyCheck()((*http.Request)(nil)); err != nil {
		t.Errorf("not ready after loading: %v", err)
	}
}
