package clusterbootstrap

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// reader reads from the manager's cache and, when the cache does not have the object, from the
// API server: a TKR, template or Cluster created moments before the ClusterBootstrap that needs
// it (a script applying them together) is not in the cache yet, and must not make the request
// fail with NotFound.
type reader struct {
	cached client.Reader
	live   client.Reader
}

// Get implements client.Reader.
func (r *reader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	err := r.cached.Get(ctx, key, obj, opts...)
	if apierrors.IsNotFound(err) {
		return r.live.Get(ctx, key, obj, opts...)
	}
	return err
}

// List implements client.Reader; lists come from the cache.
func (r *reader) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	return r.cached.List(ctx, list, opts...)
}
