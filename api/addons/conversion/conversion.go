/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

// Package conversion holds the converters the conversion webhook registers
// for the add-on configuration kinds that are served in more than one version.
package conversion

import (
	crconversion "sigs.k8s.io/controller-runtime/pkg/webhook/conversion"

	cniv1alpha1 "github.com/tkr-project/tkr/api/addons/cni/v1alpha1"
	cniv1alpha2 "github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
)

// AntreaConfig builds the converter for AntreaConfig: v1alpha2 is the hub and
// v1alpha1 its only spoke. Pass it to the webhook builder's WithConverter.
var AntreaConfig = crconversion.NewHubSpokeConverter(&cniv1alpha2.AntreaConfig{},
	crconversion.NewSpokeConverter(&cniv1alpha1.AntreaConfig{},
		cniv1alpha1.ConvertAntreaConfigFromHub, cniv1alpha1.ConvertAntreaConfigToHub),
)
