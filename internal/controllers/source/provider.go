package source

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// repositoryByProvider maps --infra-provider to the TKR repository of that provider, as the
// Tanzu CLI did when it computed the original deployment's --tkr-repo-image-path. Docker has no
// TKRs of its own and uses vSphere's.
var repositoryByProvider = map[string]string{
	"vsphere": "tkr-repository-vsphere-nonparavirt",
	"aws":     "tkr-repository-aws",
	"azure":   "tkr-repository-azure",
	"docker":  "tkr-repository-vsphere-nonparavirt",
	"oci":     "tkr-repository-oracle",
}

// RepositoryFor derives the TKR repository path for provider from the BOM repository: both live
// under the same registry prefix (registry.example.com/tkg/tkr-bom →
// registry.example.com/tkg/tkr-repository-vsphere-nonparavirt).
func RepositoryFor(bomImagePath, provider string) (string, error) {
	repo, ok := repositoryByProvider[strings.ToLower(provider)]
	if !ok {
		known := make([]string, 0, len(repositoryByProvider))
		for p := range repositoryByProvider {
			known = append(known, p)
		}
		sort.Strings(known)
		return "", fmt.Errorf("--infra-provider %q is not known; use one of %s, or give --tkr-repo-image-path", provider, strings.Join(known, ", "))
	}
	if bomImagePath == "" {
		return "", fmt.Errorf("--infra-provider %s needs --bom-image-path to find the registry, or give --tkr-repo-image-path", provider)
	}
	return path.Join(path.Dir(bomImagePath), repo), nil
}
