/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha3

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// DeepCopyInto copies the receiver into out, including a deep copy of Ref.
func (in *MachineImageInfo) DeepCopyInto(out *MachineImageInfo) {
	*out = *in
	out.Ref = deepCopyJSONObject(in.Ref)
}

// DeepCopy returns a deep copy of the receiver.
func (in *MachineImageInfo) DeepCopy() *MachineImageInfo {
	if in == nil {
		return nil
	}
	out := new(MachineImageInfo)
	in.DeepCopyInto(out)
	return out
}

// DeepCopyInto copies the receiver into out, including a deep copy of Inline.
func (in *ValuesFrom) DeepCopyInto(out *ValuesFrom) {
	*out = *in
	out.Inline = deepCopyJSONObject(in.Inline)
	out.ProviderRef = in.ProviderRef.DeepCopy()
}

// DeepCopy returns a deep copy of the receiver.
func (in *ValuesFrom) DeepCopy() *ValuesFrom {
	if in == nil {
		return nil
	}
	out := new(ValuesFrom)
	in.DeepCopyInto(out)
	return out
}

// deepCopyJSONObject copies a free-form object field. A nil map stays nil,
// so that an unset field is not turned into an empty one.
func deepCopyJSONObject(in map[string]interface{}) map[string]interface{} {
	if in == nil {
		return nil
	}
	return deepCopyJSONValue(in).(map[string]interface{})
}

// deepCopyJSONValue copies the maps and slices that decoding JSON produces
// and shares the scalars, which are immutable. Unlike
// runtime.DeepCopyJSONValue it does not panic on other values, such as an
// int or a []string set from Go code; those get a JSON round trip, which
// copies them deeply at the price of normalising their type.
func deepCopyJSONValue(in interface{}) interface{} {
	switch v := in.(type) {
	case nil:
		return nil
	case map[string]interface{}:
		if v == nil {
			return v
		}
		out := make(map[string]interface{}, len(v))
		for k, e := range v {
			out[k] = deepCopyJSONValue(e)
		}
		return out
	case []interface{}:
		if v == nil {
			return v
		}
		out := make([]interface{}, len(v))
		for i, e := range v {
			out[i] = deepCopyJSONValue(e)
		}
		return out
	case json.Number:
		return v
	}
	switch reflect.TypeOf(in).Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return in
	}
	data, err := json.Marshal(in)
	if err != nil {
		// DeepCopy cannot report errors; a value that cannot be encoded
		// could not be stored in the API either.
		panic(fmt.Sprintf("deep copying a %T: %v", in, err))
	}
	var out interface{}
	if err := json.Unmarshal(data, &out); err != nil {
		panic(fmt.Sprintf("deep copying a %T: %v", in, err))
	}
	return out
}
