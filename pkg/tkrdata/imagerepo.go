/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package tkrdata

import (
	"encoding/json"
	"fmt"
)

// DefaultCustomImageRepositoryVar is the default name of the cluster variable holding the
// custom image repository (the webhook's --custom-image-repository-cc-var).
const DefaultCustomImageRepositoryVar = "imageRepository"

// CustomImageRepository is the value of the custom image repository variable.
type CustomImageRepository struct {
	// Host is the registry path that replaces every image repository in TKR_DATA entries,
	// e.g. "registry.example.com/tkg". Empty means no custom repository.
	Host string `json:"host"`
	// TLSCertificateValidation says whether to validate the registry's certificate. TKR
	// resolution does not use it; it is read so that the shape is checked as a whole.
	TLSCertificateValidation bool `json:"tlsCertificateValidation"`
}

// ReadCustomImageRepository reads the cluster-level variable varName of c (if empty,
// [DefaultCustomImageRepositoryVar]). A missing or null variable gives the zero value, i.e.
// no custom repository.
//
// A value that does not decode is not fatal, since resolution can go on with the TKR's own
// repositories: the zero value is returned together with a warning, which callers log.
func ReadCustomImageRepository(c Cluster, varName string) (repo CustomImageRepository, warning error) {
	if varName == "" {
		varName = DefaultCustomImageRepositoryVar
	}
	raw, _ := c.Variable(varName)
	if isNull(raw) {
		return CustomImageRepository{}, nil
	}
	if err := json.Unmarshal(raw, &repo); err != nil {
		return CustomImageRepository{}, fmt.Errorf(
			"ignoring variable %s of the Cluster %s: it is not a custom image repository {host, tlsCertificateValidation}: %w",
			varName, key(c), err)
	}
	return repo, nil
}
