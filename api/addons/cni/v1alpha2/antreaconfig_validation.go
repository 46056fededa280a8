/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha2

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// These rules live here, on the hub, so that one implementation serves every
// served version: a webhook for an older version converts the object to
// v1alpha2 first. Unset optional fields are read as their CRD defaults, since
// the API server defaults before admission and an unset field therefore means
// the default, never "no value".

var configPath = field.NewPath("spec", "antrea", "config")

// ValidateCreate checks the rules an AntreaConfig must satisfy when it is
// created and returns every violation found.
func ValidateCreate(cfg *AntreaConfig) field.ErrorList {
	var errs field.ErrorList
	c := &cfg.Spec.Antrea.Config

	if isTrue(c.FeatureGates.EndpointSlice) && !boolOr(c.FeatureGates.AntreaProxy, true) {
		errs = append(errs, field.Invalid(configPath.Child("featureGates", "EndpointSlice"), true,
			"field cannot be enabled if AntreaProxy is disabled"))
	}

	if isTrue(c.NoSNAT) {
		switch encapMode(c) {
		case TrafficEncapModeEncap, TrafficEncapModeHybrid:
			errs = append(errs, field.Invalid(configPath.Child("noSNAT"), true,
				"field must be disabled for encap and hybrid mode"))
		}
	}
	return errs
}

// ValidateUpdate checks that an update from oldCfg to newCfg leaves the
// immutable fields alone and returns one error for each field that changed.
// It does not re-run the create rules, matching the behaviour clients already
// rely on; the noSNAT rule cannot be broken by an update anyway, since both
// fields it reads are immutable. A webhook that also wants the EndpointSlice
// rule on update can call ValidateCreate on the new object.
func ValidateUpdate(oldCfg, newCfg *AntreaConfig) field.ErrorList {
	var errs field.ErrorList
	o, n := &oldCfg.Spec.Antrea.Config, &newCfg.Spec.Antrea.Config

	immutable := func(path *field.Path, changed bool, value any) {
		if changed {
			errs = append(errs, field.Invalid(path, value, "field is immutable"))
		}
	}
	immutable(configPath.Child("noSNAT"),
		boolOr(o.NoSNAT, false) != boolOr(n.NoSNAT, false), boolOr(n.NoSNAT, false))
	immutable(configPath.Child("disableUdpTunnelOffload"),
		boolOr(o.DisableUDPTunnelOffload, false) != boolOr(n.DisableUDPTunnelOffload, false),
		boolOr(n.DisableUDPTunnelOffload, false))
	immutable(configPath.Child("tlsCipherSuites"),
		cipherSuites(o) != cipherSuites(n), cipherSuites(n))
	immutable(configPath.Child("trafficEncapMode"),
		encapMode(o) != encapMode(n), encapMode(n))
	immutable(field.NewPath("spec", "antreaNsx", "enable"),
		nsxEnabled(&oldCfg.Spec) != nsxEnabled(&newCfg.Spec), nsxEnabled(&newCfg.Spec))
	return errs
}

func isTrue(b *bool) bool { return b != nil && *b }

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

func encapMode(c *AntreaConfigDataValue) string {
	if c.TrafficEncapMode == "" {
		return TrafficEncapModeEncap
	}
	return c.TrafficEncapMode
}

func cipherSuites(c *AntreaConfigDataValue) string {
	if c.TLSCipherSuites == "" {
		return DefaultTLSCipherSuites
	}
	return c.TLSCipherSuites
}

func nsxEnabled(s *AntreaConfigSpec) bool {
	return s.AntreaNsx != nil && isTrue(s.AntreaNsx.Enable)
}
