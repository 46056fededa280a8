package binaries

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestForLibrary(t *testing.T) {
	v, err := ForLibrary("v0.36.3")
	if err != nil || v.Kubernetes != "v1.36.3" || v.Etcd != DefaultEtcdVersion {
		t.Errorf("ForLibrary(v0.36.3) = %+v, %v", v, err)
	}
	if _, err := ForLibrary("v1.2.3"); err == nil {
		t.Error("ForLibrary accepted a version that is not a k8s.io/api version")
	}
}

func TestCacheKeyAndAssets(t *testing.T) {
	t.Setenv("TKR_ENVTEST_CACHE", t.TempDir())
	dir, err := Dir(Versions{Kubernetes: "v1.36.3", Etcd: "v3.6.16"})
	if err != nil {
		t.Fatal(err)
	}
	if base := filepath.Base(dir); !strings.HasPrefix(base, "k8s-v1.36.3-etcd-v3.6.16-go") {
		t.Errorf("cache directory %s does not name the versions it holds", base)
	}
	if Complete(dir) {
		t.Error("an empty directory counts as complete")
	}
	// A complete KUBEBUILDER_ASSETS directory is used without building anything.
	assets := t.TempDir()
	for _, p := range Programs {
		if err := os.WriteFile(filepath.Join(assets, p), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("KUBEBUILDER_ASSETS", assets)
	got, err := Ensure(t.Context(), Versions{Kubernetes: "v9.9.9", Etcd: "v9.9.9"}, nil)
	if err != nil || got != assets {
		t.Errorf("Ensure = %q, %v; want the KUBEBUILDER_ASSETS directory", got, err)
	}
}
