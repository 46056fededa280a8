/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

// Package conversion provides the converters the conversion webhook
// registers for the kinds of the run.tanzu.vmware.com group.
package conversion

import (
	"sigs.k8s.io/controller-runtime/pkg/webhook/conversion"

	"github.com/tkr-project/tkr/api/run/v1alpha1"
	"github.com/tkr-project/tkr/api/run/v1alpha2"
	"github.com/tkr-project/tkr/api/run/v1alpha3"
)

// TanzuKubernetesRelease builds the converter of TanzuKubernetesRelease:
// v1alpha3 is the hub, v1alpha1 and v1alpha2 are its spokes. The scheme it
// is given must hold all three versions.
var TanzuKubernetesRelease = conversion.NewHubSpokeConverter(&v1alpha3.TanzuKubernetesRelease{},
	conversion.NewSpokeConverter(&v1alpha1.TanzuKubernetesRelease{},
		v1alpha1.ConvertTanzuKubernetesReleaseFromHub, v1alpha1.ConvertTanzuKubernetesReleaseToHub),
	conversion.NewSpokeConverter(&v1alpha2.TanzuKubernetesRelease{},
		v1alpha2.ConvertTanzuKubernetesReleaseFromHub, v1alpha2.ConvertTanzuKubernetesReleaseToHub),
)
