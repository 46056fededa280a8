package bootstrap

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// Keys of the ClusterBootstrapTemplateSpec as written in YAML, which the merge treats specially.
const (
	keyAdditionalPackages = "additionalPackages"
	keyRefName            = "refName"
	keyValuesFrom         = "valuesFrom"
	keyInline             = "inline"
)

// SkipValuesFrom is the key the defaulting webhook skips when it adds missing fields: the
// template's providers and secrets are not cloned into the ClusterBootstrap's namespace yet when
// the ClusterBootstrap is created, so validation would reject references to them. The controller
// adds valuesFrom back once it has cloned them.
const SkipValuesFrom = keyValuesFrom

// AddMissingFields returns a new spec: dst with every field it leaves out filled from src (a
// ClusterBootstrapTemplate's spec), following the "add missing fields" rules shared by the
// defaulting webhook and the controller. dst and src are not modified.
//
//   - A key missing or null in dst is deep-copied from src, except the keys in skip, which are
//     removed from the copy at every depth (also inside additionalPackages items).
//   - Keys present in both as objects are merged recursively, except "inline", which is never
//     merged: a user's inline values stay exactly as written.
//   - additionalPackages present in both: for each src item in src order, the dst item with the
//     same refName is filled from it, or else a copy of it is added; then the dst items without
//     a src counterpart follow in their original order.
//   - Scalars and other lists present in dst are kept.
//
// Quirk (decided): a non-empty valuesFrom in dst is kept as a whole, like inline. The original
// merged it key by key, so a user's secretRef plus a template's providerRef gave a valuesFrom
// with two fields, which validation then rejects; at most one field may be set, so a valuesFrom
// the user wrote is taken as the user's choice of source. An empty or missing one is filled.
//
// Quirk (decided): dst additionalPackages that share a refName with a src item but are not the
// first such dst item are kept (after the template-ordered items) instead of being dropped, so
// the merge never loses what the user wrote; validation reports the duplicate.
func AddMissingFields(dst, src *runv1alpha3.ClusterBootstrapTemplateSpec, skip ...string) (*runv1alpha3.ClusterBootstrapTemplateSpec, error) {
	if dst == nil {
		dst = &runv1alpha3.ClusterBootstrapTemplateSpec{}
	}
	if src == nil {
		return dst.DeepCopy(), nil
	}
	// ToUnstructured deep-copies, so nothing below touches dst or src.
	to, err := runtime.DefaultUnstructuredConverter.ToUnstructured(dst)
	if err != nil {
		return nil, fmt.Errorf("converting the ClusterBootstrap spec to a map: %w", err)
	}
	from, err := runtime.DefaultUnstructuredConverter.ToUnstructured(src)
	if err != nil {
		return nil, fmt.Errorf("converting the ClusterBootstrapTemplate spec to a map: %w", err)
	}
	skipped := make(map[string]bool, len(skip))
	for _, k := range skip {
		skipped[k] = true
	}
	mergeMissing(to, from, skipped)
	out := &runv1alpha3.ClusterBootstrapTemplateSpec{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(to, out); err != nil {
		return nil, fmt.Errorf("converting the merged ClusterBootstrap spec back from a map: %w", err)
	}
	return out, nil
}

// mergeMissing fills dst (owned by the caller) from src (owned by the caller; values are copied
// before they are put into dst, so src and dst never share a map or a list).
func mergeMissing(dst, src map[string]any, skip map[string]bool) {
	for key, fromValue := range src {
		if skip[key] || fromValue == nil {
			continue
		}
		toValue := dst[key]
		if toValue == nil {
			dst[key] = copyWithout(fromValue, skip)
			continue
		}
		switch key {
		case keyInline:
			// Never merged: a user's inline values are complete as given.
			continue
		case keyValuesFrom:
			if m, ok := toValue.(map[string]any); ok && len(m) > 0 {
				continue // see the valuesFrom quirk on AddMissingFields
			}
			dst[key] = copyWithout(fromValue, skip)
			continue
		case keyAdditionalPackages:
			toList, ok1 := toValue.([]any)
			fromList, ok2 := fromValue.([]any)
			if ok1 && ok2 {
				dst[key] = mergePackages(toList, fromList, skip)
			}
			continue
		}
		toMap, ok1 := toValue.(map[string]any)
		fromMap, ok2 := fromValue.(map[string]any)
		if ok1 && ok2 {
			mergeMissing(toMap, fromMap, skip)
		}
	}
}

// mergePackages merges additionalPackages: template order first, then the user's extras.
func mergePackages(dst, src []any, skip map[string]bool) []any {
	used := make([]bool, len(dst))
	out := make([]any, 0, len(dst)+len(src))
	for _, fromItem := range src {
		fromMap, ok := fromItem.(map[string]any)
		if !ok {
			continue // a null item in the template adds nothing
		}
		match := -1
		for i, toItem := range dst {
			if toMap, ok := toItem.(map[string]any); ok && !used[i] && refNameOf(toMap) == refNameOf(fromMap) {
				match = i
				break
			}
		}
		if match < 0 {
			out = append(out, copyWithout(fromMap, skip))
			continue
		}
		used[match] = true
		toMap := dst[match].(map[string]any)
		mergeMissing(toMap, fromMap, skip)
		out = append(out, toMap)
	}
	for i, toItem := range dst {
		if !used[i] {
			out = append(out, toItem)
		}
	}
	return out
}

// copyWithout deep-copies an unstructured value, dropping the skipped keys from every object in
// it, lists included.
func copyWithout(v any, skip map[string]bool) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			switch {
			case skip[k]:
			case k == keyInline:
				// Inline values are the user's data, not spec: a key there that happens to be
				// called like a skipped key is kept.
				m[k] = copyWithout(e, nil)
			default:
				m[k] = copyWithout(e, skip)
			}
		}
		return m
	case []any:
		l := make([]any, len(t))
		for i, e := range t {
			l[i] = copyWithout(e, skip)
		}
		return l
	default:
		return v // scalars: strings, numbers, booleans
	}
}

func refNameOf(item map[string]any) string {
	s, _ := item[keyRefName].(string)
	return s
}
