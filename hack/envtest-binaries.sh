#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from the Go module proxy and caches them outside the
# repository, so integration tests and `tkr up` can run a real control plane on a machine where
# nothing but Go is installed. Prints the directory holding the binaries on stdout (and only that).
#
# Versions: Kubernetes follows the k8s.io/api version in go.mod (v0.X.Y -> v1.X.Y), etcd is pinned
# below. The cache key contains both versions, the Go version and the platform, so a second run is
# a no-op and an upgrade builds into a fresh directory.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
etcd_version=${ETCD_VERSION:-v3.6.16}
api_version=$(awk '$1 == "k8s.io/api" { print $2; exit }' "$here/go.mod")
if [ -z "$api_version" ]; then
  echo "envtest-binaries: cannot find k8s.io/api in $here/go.mod" >&2
  exit 1
fi
k8s_version=${K8S_VERSION:-v1.${api_version#v0.}}
staging_version=v0.${k8s_version#v1.}
goos=$(go env GOOS)
goarch=$(go env GOARCH)
gover=$(go env GOVERSION)
cache_root=${TKR_ENVTEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tkr/envtest}
dest="$cache_root/k8s-${k8s_version}-etcd-${etcd_version}-${gover}-${goos}-${goarch}"

if [ -x "$dest/kube-apiserver" ] && [ -x "$dest/etcd" ] && [ -x "$dest/kubectl" ]; then
  echo "$dest"
  exit 0
fi

log() { echo "envtest-binaries: $*" >&2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$cache_root"

# --- kube-apiserver and kubectl from k8s.io/kubernetes ---------------------------------------
# k8s.io/kubernetes replaces its staging modules (k8s.io/api, k8s.io/apiserver, ...) with local
# paths, which module consumers cannot see; pin each of them to the matching published version.
log "building kube-apiserver and kubectl ${k8s_version} (first run only; this takes several minutes)"
kmod=$(go mod download -json "k8s.io/kubernetes@${k8s_version}" | awk -F'"' '$2 == "GoMod" { print $4 }')
mkdir -p "$work/k8s"
{
  echo "module tkr.local/envtest-k8s"
  echo
  echo "go $(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')"
  echo
  echo "require k8s.io/kubernetes ${k8s_version}"
  echo
  sed -nE 's#^[[:space:]]*(k8s\.io/[a-z0-9-]+) => \./staging/src/.*#replace \1 => \1 '"${staging_version}"'#p' "$kmod"
} > "$work/k8s/go.mod"
ldflags="-s -w \
 -X k8s.io/component-base/version.gitVersion=${k8s_version} \
 -X k8s.io/component-base/version.gitMajor=$(echo "$k8s_version" | cut -d. -f1 | tr -d v) \
 -X k8s.io/component-base/version.gitMinor=$(echo "$k8s_version" | cut -d. -f2) \
 -X k8s.io/component-base/version.gitTreeState=clean"
(
  cd "$work/k8s"
  export GOFLAGS=-mod=mod
  go get "k8s.io/kubernetes/cmd/kube-apiserver@${k8s_version}" "k8s.io/kubernetes/cmd/kubectl@${k8s_version}" >&2
  go build -trimpath -ldflags "$ldflags" -o "$work/bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver >&2
  go build -trimpath -ldflags "$ldflags" -o "$work/bin/kubectl" k8s.io/kubernetes/cmd/kubectl >&2
)

# --- etcd from go.etcd.io/etcd/server/v3 -----------------------------------------------------
log "building etcd ${etcd_version}"
mkdir -p "$work/etcd"
cat > "$work/etcd/main.go" <<'GO'
// Command etcd starts an etcd server; a thin entry point over the published server module.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
printf 'module tkr.local/envtest-etcd\n\ngo %s\n' "$(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')" > "$work/etcd/go.mod"
(
  cd "$work/etcd"
  export GOFLAGS=-mod=mod
  go get "go.etcd.io/etcd/server/v3@${etcd_version}" >&2
  go build -trimpath -ldflags "-s -w" -o "$work/bin/etcd" . >&2
)

# Publish atomically so a concurrent or interrupted run never leaves a half-filled directory.
tmpdest="$dest.tmp.$$"
rm -rf "$tmpdest"
mv "$work/bin" "$tmpdest"
if ! mv -T "$tmpdest" "$dest" 2>/dev/null; then
  rm -rf "$tmpdest"
fi
log "binaries ready in $dest"
echo "$dest"
