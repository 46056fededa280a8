// Package apply server-side-applies objects read from YAML, the way `kubectl apply
// --server-side` does, so a catalogue can be loaded into a cluster in one call.
package apply

import (
	"context"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tkr-project/tkr/pkg/catalog"
)

// Object is one object to apply; Source names where it came from, for error messages.
type Object struct {
	Object *unstructured.Unstructured
	Source string
}

// Objects applies objs with field manager owner. Namespaces go first so the objects inside
// them can follow; otherwise the given order is kept. It stops at the first failure, naming the
// object and where it came from.
func Objects(ctx context.Context, c client.Client, owner string, objs []Object) error {
	ordered := slices.Clone(objs)
	slices.SortStableFunc(ordered, func(a, b Object) int { return rank(a) - rank(b) })
	for _, o := range ordered {
		u := o.Object.DeepCopy()
		// Apply rejects objects carrying server-owned metadata; YAML from a live cluster has them.
		u.SetResourceVersion("")
		u.SetUID("")
		u.SetManagedFields(nil)
		if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(owner), client.ForceOwnership); err != nil {
			return fmt.Errorf("applying %s %s from %s: %w", u.GetKind(), name(u), o.Source, err)
		}
	}
	return nil
}

func rank(o Object) int {
	if o.Object.GetKind() == "Namespace" && o.Object.GetAPIVersion() == "v1" {
		return 0
	}
	return 1
}

func name(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetName()
	}
	return u.GetNamespace() + "/" + u.GetName()
}

// Files loads YAML files or directories (see pkg/catalog) and applies every object in them, as
// `kubectl apply --server-side -f` does. It returns what it loaded.
func Files(ctx context.Context, c client.Client, owner string, paths ...string) ([]catalog.Object, error) {
	objs, err := catalog.Load(paths...)
	if err != nil {
		return nil, err
	}
	toApply := make([]Object, 0, len(objs))
	for _, o := range objs {
		toApply = append(toApply, Object{Object: o.Unstructured, Source: o.Source.String()})
	}
	return objs, Objects(ctx, c, owner, toApply)
}
