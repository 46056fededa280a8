#!/usr/bin/env bash
# Copies Cluster API's core CRDs from the module cache (the version pinned in go.mod) into
# config/crd/capi, so the test harness and the playground install exactly the CRDs a management
# cluster running that Cluster API release has. Run by `make generate`.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(go list -m -f '{{.Dir}}' sigs.k8s.io/cluster-api)/core/config/crd/bases
if [ ! -d "$src" ]; then
  go mod download sigs.k8s.io/cluster-api
  src=$(go list -m -f '{{.Dir}}' sigs.k8s.io/cluster-api)/core/config/crd/bases
fi
rm -f config/crd/capi/*.yaml
for f in "$src"/*.yaml; do
  install -m 0644 "$f" "config/crd/capi/$(basename "$f")"
done
