/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha1

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utiljson "k8s.io/apimachinery/pkg/util/json"

	"github.com/tkr-project/tkr/api/addons/cni/v1alpha2"
)

// ConversionDataAnnotation is the annotation on a v1alpha1 AntreaConfig that
// carries the v1alpha2 spec fields v1alpha1 cannot hold, so that reading an
// object as v1alpha1 and writing it back does not lose them. Its value is a
// JSON v1alpha2 AntreaConfigSpec in which only those fields are set.
const ConversionDataAnnotation = "cni.tanzu.vmware.com/conversion-data"

// ConvertAntreaConfigToHub converts a v1alpha1 AntreaConfig to the v1alpha2
// hub, restoring the v1alpha2-only fields from ConversionDataAnnotation and
// dropping the annotation. It has the shape controller-runtime's
// conversion.NewSpokeConverter expects.
func ConvertAntreaConfigToHub(_ context.Context, src *AntreaConfig, dst *v1alpha2.AntreaConfig) error {
	src.ObjectMeta.DeepCopyInto(&dst.ObjectMeta)
	dst.Spec = v1alpha2.AntreaConfigSpec{}
	if err := copyJSON(&src.Spec, &dst.Spec); err != nil {
		return fmt.Errorf("converting spec of AntreaConfig %s/%s to %s: %w",
			src.Namespace, src.Name, v1alpha2.GroupVersion, err)
	}
	dst.Status = v1alpha2.AntreaConfigStatus(src.Status)

	data, ok := dst.Annotations[ConversionDataAnnotation]
	if !ok {
		return nil
	}
	dropConversionData(&dst.ObjectMeta)
	var saved v1alpha2.AntreaConfigSpec
	if err := utiljson.Unmarshal([]byte(data), &saved); err != nil {
		return fmt.Errorf("reading annotation %s of AntreaConfig %s/%s: %w",
			ConversionDataAnnotation, src.Namespace, src.Name, err)
	}
	copyHubOnlyFields(&dst.Spec, &saved)
	return nil
}

// ConvertAntreaConfigFromHub converts the v1alpha2 hub to a v1alpha1
// AntreaConfig, saving the fields v1alpha1 has no place for in
// ConversionDataAnnotation. It has the shape controller-runtime's
// conversion.NewSpokeConverter expects.
func ConvertAntreaConfigFromHub(_ context.Context, src *v1alpha2.AntreaConfig, dst *AntreaConfig) error {
	src.ObjectMeta.DeepCopyInto(&dst.ObjectMeta)
	dst.Spec = AntreaConfigSpec{}
	if err := copyJSON(&src.Spec, &dst.Spec); err != nil {
		return fmt.Errorf("converting spec of AntreaConfig %s/%s to %s: %w",
			src.Namespace, src.Name, GroupVersion, err)
	}
	dst.Status = AntreaConfigStatus(src.Status)

	var saved v1alpha2.AntreaConfigSpec
	copyHubOnlyFields(&saved, &src.Spec)
	// An annotation copied from the hub is stale by definition: the hub's own
	// fields are the truth, so replace it or, with nothing to save, drop it.
	if reflect.ValueOf(saved).IsZero() {
		dropConversionData(&dst.ObjectMeta)
		return nil
	}
	data, err := json.Marshal(&saved)
	if err != nil {
		return fmt.Errorf("writing annotation %s of AntreaConfig %s/%s: %w",
			ConversionDataAnnotation, src.Namespace, src.Name, err)
	}
	if dst.Annotations == nil {
		dst.Annotations = map[string]string{}
	}
	dst.Annotations[ConversionDataAnnotation] = string(data)
	return nil
}

// dropConversionData removes ConversionDataAnnotation, leaving nil rather
// than an empty map so that an object that had no annotations before a round
// trip has none after it.
func dropConversionData(m *metav1.ObjectMeta) {
	delete(m.Annotations, ConversionDataAnnotation)
	if len(m.Annotations) == 0 {
		m.Annotations = nil
	}
}

// copyJSON copies the fields that src and dst share by their JSON names and
// ignores the rest. The two versions agree on the wire name of every shared
// field (that is the API contract), so this keeps the conversion free of a
// hand-written field list that could silently miss a field added later; the
// fuzz tests prove the result lossless. Decoding matches names case
// sensitively, as the API server does; encoding/json alone would let a
// miscapitalised tag slip through. dst must be zero on entry, since decoding
// leaves fields absent from the JSON untouched.
func copyJSON(src, dst any) error {
	data, err := json.Marshal(src)
	if err != nil {
		return err
	}
	return utiljson.Unmarshal(data, dst)
}

// copyHubOnlyFields copies the v1alpha2 spec fields that v1alpha1 lacks from
// src to dst. It is the single list of those fields, used both to save them
// and to restore them.
func copyHubOnlyFields(dst, src *v1alpha2.AntreaConfigSpec) {
	dst.AntreaNsx = src.AntreaNsx
	dst.Antrea.Config.TunnelPort = src.Antrea.Config.TunnelPort
	dst.Antrea.Config.TunnelCsum = src.Antrea.Config.TunnelCsum
	dst.Antrea.Config.FeatureGates.TopologyAwareHints = src.Antrea.Config.FeatureGates.TopologyAwareHints
}
