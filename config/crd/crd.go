// Package crd embeds the CustomResourceDefinitions a tkr management cluster needs: the ones
// generated from api/ (bases/) and Cluster API's core CRDs at the pinned version (capi/), so the
// test harness, the playground and the installer all apply the same bytes.
package crd

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

//go:embed bases/*.yaml capi/*.yaml providers/*.yaml
var files embed.FS

// Ours returns the CRDs generated from this project's API types.
func Ours() ([]*apiextensionsv1.CustomResourceDefinition, error) { return load("bases") }

// ClusterAPI returns Cluster API's core CRDs (cluster.x-k8s.io and friends).
func ClusterAPI() ([]*apiextensionsv1.CustomResourceDefinition, error) { return load("capi") }

// ProviderStandIns returns stand-ins for APIs that other projects serve on a management cluster:
//   - the infrastructure, control plane and bootstrap providers the example ClusterClass refers to
//     (CAPV's VSphere kinds, kubeadm's): the group, kind, version and Cluster API contract label
//     of the real ones, with any content. Cluster API's conversion of a Cluster reads the contract
//     label to find the apiVersion of its infrastructureRef and controlPlaneRef.
//   - kapp-controller's Package (data.packaging.carvel.dev), an aggregated API there, which the
//     ClusterBootstrap webhooks and controller read.
//
// Only a local control plane installs them; on a management cluster the providers and
// kapp-controller serve the real APIs.
func ProviderStandIns() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	return load("providers")
}

// All returns Ours followed by ClusterAPI.
func All() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	ours, err := Ours()
	if err != nil {
		return nil, err
	}
	capi, err := ClusterAPI()
	if err != nil {
		return nil, err
	}
	return append(ours, capi...), nil
}

func load(dir string) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		return nil, fmt.Errorf("reading embedded CRDs in %s: %w", dir, err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	crds := make([]*apiextensionsv1.CustomResourceDefinition, 0, len(names))
	for _, n := range names {
		p := path.Join(dir, n)
		data, err := files.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("reading embedded CRD %s: %w", p, err)
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(data, crd); err != nil {
			return nil, fmt.Errorf("decoding embedded CRD %s: %w", p, err)
		}
		crds = append(crds, crd)
	}
	return crds, nil
}
