/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package legacytkr

import (
	"encoding/json"
	"fmt"
	"maps"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/tkr-project/tkr/api/run/v1alpha3"
)

// MarshalData stores src, without its metadata, as JSON in the
// AnnotationConversionData annotation of dst. dst's other annotations are kept.
func MarshalData(src interface{}, dst metav1.Object) error {
	fields, err := runtime.DefaultUnstructuredConverter.ToUnstructured(src)
	if err != nil {
		return fmt.Errorf("encoding conversion data: %w", err)
	}
	// Metadata is dropped because dst carries its own; keeping it would nest
	// a copy of every annotation, this one included, in each conversion.
	// The map is cloned first because for an Unstructured src it is src's own.
	fields = maps.Clone(fields)
	delete(fields, "metadata")
	data, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("encoding conversion data: %w", err)
	}

	annotations := dst.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[v1alpha3.AnnotationConversionData] = string(data)
	dst.SetAnnotations(annotations)
	return nil
}

// UnmarshalData decodes the AnnotationConversionData annotation of from into
// to and removes the annotation from from. It reports whether the annotation
// was there.
func UnmarshalData(from metav1.Object, to interface{}) (bool, error) {
	annotations := from.GetAnnotations()
	data, ok := annotations[v1alpha3.AnnotationConversionData]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal([]byte(data), to); err != nil {
		return false, fmt.Errorf("decoding annotation %s: %w", v1alpha3.AnnotationConversionData, err)
	}
	delete(annotations, v1alpha3.AnnotationConversionData)
	if len(annotations) == 0 {
		// An object that had no annotations before conversion gets none back.
		annotations = nil
	}
	from.SetAnnotations(annotations)
	return true, nil
}
