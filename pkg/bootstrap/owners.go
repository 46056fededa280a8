package bootstrap

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
)

// ClusterOwner returns the name of the Cluster API Cluster (of any API version) among o's owner
// references. Owner references name objects of o's own namespace, so the Cluster is there. The
// ClusterBootstrap controller and the add-on config controllers find a clone's Cluster this way.
func ClusterOwner(o metav1.Object) (string, bool) {
	for _, ref := range o.GetOwnerReferences() {
		if ref.Kind != "Cluster" {
			continue
		}
		if gv, err := schema.ParseGroupVersion(ref.APIVersion); err == nil && gv.Group == clusterv1.GroupVersion.Group {
			return ref.Name, true
		}
	}
	return "", false
}

// ProviderGVK finds the served, preferred version of a valuesFrom.providerRef's group and kind,
// failing with the original's "unable to find server preferred resource <group>/<kind>" and what
// to do. The REST mapper discovers only the group it is asked about, so an unrelated APIService
// without endpoints (a partial discovery failure) does not get in the way.
func ProviderGVK(mapper meta.RESTMapper, ref *corev1.TypedLocalObjectReference) (schema.GroupVersionKind, error) {
	gk := schema.GroupKind{Kind: ref.Kind}
	if ref.APIGroup != nil {
		gk.Group = *ref.APIGroup
	}
	m, err := mapper.RESTMapping(gk)
	switch {
	case meta.IsNoMatchError(err) || apierrors.IsNotFound(err):
		return schema.GroupVersionKind{}, fmt.Errorf("unable to find server preferred resource %s/%s: no API serves kind %s in group %s; install the provider's CRD or fix apiGroup and kind", gk.Group, gk.Kind, gk.Kind, gk.Group)
	case err != nil:
		return schema.GroupVersionKind{}, fmt.Errorf("unable to find server preferred resource %s/%s: %w", gk.Group, gk.Kind, err)
	}
	return m.GroupVersionKind, nil
}

// LocalObjRefs finds, anywhere under obj's spec, the maps under a key ending in "LocalObjRef"
// with a string kind and name (and optionally apiGroup), e.g.
// spec.vsphereCPI.vSphereCredentialLocalObjRef: the objects a provider refers to in its own
// namespace, which are copied next to its clone.
func LocalObjRefs(obj map[string]any) []corev1.TypedLocalObjectReference {
	var refs []corev1.TypedLocalObjectReference
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				if m, ok := child.(map[string]any); ok && strings.HasSuffix(k, "LocalObjRef") {
					kind, _ := m["kind"].(string)
					name, _ := m["name"].(string)
					if kind != "" && name != "" {
						group, _ := m["apiGroup"].(string)
						refs = append(refs, corev1.TypedLocalObjectReference{APIGroup: &group, Kind: kind, Name: name})
						continue
					}
				}
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(obj["spec"])
	return refs
}
