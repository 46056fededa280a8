/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package tkrdata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
)

// errPrefix starts every decoding error, as in the original, so that users and scripts that
// look for it keep finding it.
const errPrefix = "unmarshalling from JSON into value: "

// null is the JSON a missing or empty variable value stands for.
var null = []byte("null")

// Get returns the cluster-level TKR_DATA of c, nil if the variable is missing or null.
// A value that is not a TKR_DATA object is an error starting with
// "unmarshalling from JSON into value: ".
func Get(c Cluster) (TKRData, error) {
	var data TKRData
	if err := GetVariable(c, VarTKRData, &data); err != nil {
		return nil, err
	}
	return data, nil
}

// GetForMD returns the TKR_DATA machine deployment i of c uses: its override if it has one,
// otherwise the cluster-level value.
func GetForMD(c Cluster, i int) (TKRData, error) {
	var data TKRData
	if err := GetMDVariable(c, i, VarTKRData, &data); err != nil {
		return nil, err
	}
	return data, nil
}

// Set writes data as the cluster-level TKR_DATA of c: the whole map, as JSON with sorted keys.
// A nil map is written as {} because ClusterClass patches index the value.
func Set(c Cluster, data TKRData) error {
	if data == nil {
		data = TKRData{}
	}
	return SetVariable(c, VarTKRData, data)
}

// SetForMD writes data as the TKR_DATA of machine deployment i of c, following the rules of
// [SetMDVariable]: the override is removed when data equals the cluster-level value and is
// created or replaced otherwise.
func SetForMD(c Cluster, i int, data TKRData) error {
	if data == nil {
		data = TKRData{}
	}
	return SetMDVariable(c, i, VarTKRData, data)
}

// GetVariable decodes the cluster-level variable name of c into value, which must be a
// pointer. A missing variable decodes as JSON null, which sets maps, slices and pointers to
// nil and leaves other values alone.
func GetVariable(c Cluster, name string, value any) error {
	raw, _ := c.Variable(name)
	if err := json.Unmarshal(orNull(raw), value); err != nil {
		return fmt.Errorf(errPrefix+"%w: the value of variable %s in spec.topology.variables of the Cluster %s is not valid",
			err, name, key(c))
	}
	return nil
}

// GetMDVariable decodes into value the variable name as machine deployment i of c sees it:
// its override if it has one, otherwise the cluster-level value.
func GetMDVariable(c Cluster, i int, name string, value any) error {
	mds := c.MachineDeployments()
	if i < 0 || i >= len(mds) {
		return errNoMD(c, i, len(mds))
	}
	raw, ok := c.MDOverride(i, name)
	if !ok {
		return GetVariable(c, name, value)
	}
	if err := json.Unmarshal(orNull(raw), value); err != nil {
		return fmt.Errorf(errPrefix+"%w: the override of variable %s in spec.topology.workers.machineDeployments[%d] (%s) of the Cluster %s is not valid",
			err, name, i, mds[i].Name, key(c))
	}
	return nil
}

// SetVariable encodes value as JSON and writes it as the cluster-level variable name of c.
// Maps are written with sorted keys.
func SetVariable(c Cluster, name string, value any) error {
	raw, err := encode(c, name, value)
	if err != nil {
		return err
	}
	return c.SetVariable(name, raw)
}

// SetMDVariable encodes value as JSON and writes it as the variable name of machine
// deployment i of c:
//
//   - The cluster-level variable is created first if it is missing or null, as {} for a map
//     or struct value and [] for a slice or array (null otherwise), so that the override
//     always has a cluster-level variable to override.
//   - If value equals the cluster-level value, any override is removed: the machine deployment
//     inherits the value.
//   - Otherwise the override is created or replaced, creating the machine deployment's
//     variables if needed.
//
// Values are compared after decoding, so formatting and key order do not matter. Numbers
// compare by their text: 1 and 1.0 count as different, which at worst writes an override that
// was not needed, never drops one that was.
func SetMDVariable(c Cluster, i int, name string, value any) error {
	if n := len(c.MachineDeployments()); i < 0 || i >= n {
		return errNoMD(c, i, n)
	}
	raw, err := encode(c, name, value)
	if err != nil {
		return err
	}
	clusterRaw, _ := c.Variable(name)
	if isNull(clusterRaw) {
		clusterRaw = emptyLike(value)
		if err := c.SetVariable(name, clusterRaw); err != nil {
			return err
		}
	}
	if jsonEqual(raw, clusterRaw) {
		return c.RemoveMDOverride(i, name)
	}
	return c.SetMDOverride(i, name, raw)
}

// encode returns the JSON of value, the new value of variable name of c.
func encode(c Cluster, name string, value any) ([]byte, error) {
	raw, err := json.Marshal(value)
	if err != nil {
		return nil, fmt.Errorf("the new value of variable %s of the Cluster %s cannot be encoded as JSON: %w", name, key(c), err)
	}
	return raw, nil
}

// emptyLike returns the empty JSON value of the kind value encodes as.
func emptyLike(value any) []byte {
	t := reflect.TypeOf(value)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return null
	}
	switch t.Kind() {
	case reflect.Map, reflect.Struct:
		return []byte("{}")
	case reflect.Slice, reflect.Array:
		return []byte("[]")
	}
	return null
}

// orNull returns raw, or null for an empty value: the API leaves out a null value.
func orNull(raw []byte) []byte {
	if len(raw) == 0 {
		return null
	}
	return raw
}

// isNull reports whether raw is missing or JSON null.
func isNull(raw []byte) bool {
	return len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), null)
}

// jsonEqual reports whether a and b encode the same JSON value. Identical bytes, the usual
// case when this package wrote both, skip the decoding. Invalid JSON equals nothing.
func jsonEqual(a, b []byte) bool {
	a, b = orNull(a), orNull(b)
	if bytes.Equal(a, b) {
		return true
	}
	va, ok := decodeJSON(a)
	if !ok {
		return false
	}
	vb, ok := decodeJSON(b)
	return ok && reflect.DeepEqual(va, vb)
}

// decodeJSON decodes a single JSON value, keeping numbers as their text so that large
// integers are not rounded into equality.
func decodeJSON(raw []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}
