#!/usr/bin/env bash
# Prints the directory holding kube-apiserver, etcd and kubectl matching go.mod's k8s.io/api,
# building them from the Go module proxy on first use (cached outside the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./hack/envtest-binaries --k8s-api-version "$(go list -m -f '{{.Version}}' k8s.io/api)" "$@"
