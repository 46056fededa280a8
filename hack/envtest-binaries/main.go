// Command envtest-binaries builds (once) and prints the directory of the kube-apiserver, etcd and
// kubectl binaries matching the k8s.io/api version given, for KUBEBUILDER_ASSETS.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/tkr-project/tkr/internal/controlplane/binaries"
)

func main() {
	apiVersion := flag.String("k8s-api-version", "", "k8s.io/api module version the binaries must match, e.g. v0.36.3")
	etcdVersion := flag.String("etcd-version", binaries.DefaultEtcdVersion, "go.etcd.io/etcd/server/v3 version to build")
	flag.Parse()
	v, err := binaries.ForLibrary(*apiVersion)
	if err != nil {
		fmt.Fprintln(os.Stderr, "envtest-binaries:", err)
		os.Exit(2)
	}
	v.Etcd = *etcdVersion
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	dir, err := binaries.Ensure(ctx, v, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "envtest-binaries:", err)
		os.Exit(1)
	}
	fmt.Println(dir)
}
