/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha1

import (
	"context"

	"github.com/tkr-project/tkr/api/run/internal/legacytkr"
	"github.com/tkr-project/tkr/api/run/v1alpha3"
)

// ConvertTanzuKubernetesReleaseToHub converts a v1alpha1 TKR to the v1alpha3 hub.
func ConvertTanzuKubernetesReleaseToHub(_ context.Context, src *TanzuKubernetesRelease, dst *v1alpha3.TanzuKubernetesRelease) error {
	return legacytkr.ToHub(legacytkr.Parts{Meta: &src.ObjectMeta, Spec: &src.Spec, Status: &src.Status}, dst)
}

// ConvertTanzuKubernetesReleaseFromHub converts the v1alpha3 hub to a v1alpha1 TKR.
func ConvertTanzuKubernetesReleaseFromHub(_ context.Context, src *v1alpha3.TanzuKubernetesRelease, dst *TanzuKubernetesRelease) error {
	return legacytkr.FromHub(src, legacytkr.Parts{Meta: &dst.ObjectMeta, Spec: &dst.Spec, Status: &dst.Status})
}
