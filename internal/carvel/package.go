// Package carvel reads kapp-controller's Package objects (data.packaging.carvel.dev), which the
// ClusterBootstrap webhooks and controller consult to learn a package's Carvel refName and version.
package carvel

import (
	"context"
	"fmt"
	"strings"

	datapackagingv1alpha1 "carvel.dev/kapp-controller/pkg/apiserver/apis/datapackaging/v1alpha1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Package is kapp-controller's Package.
type Package = datapackagingv1alpha1.Package

// GetPackage reads the Package called name in namespace.
//
// kapp-controller names Packages "<refName>.<version>" with the version's "+", which only its
// aggregated API accepts; where Packages are served from a CRD (a local control plane) "+" is
// written "---", as in TKR names. When the exact name is not found and contains "+", that spelling
// is tried too, so ClusterBootstraps name packages the same way on both.
//
// Packages are read from the namespace kapp-controller makes global (the system namespace): on a
// management cluster they are visible from every namespace, and the original read them through the
// cluster's namespace; reading them where they live gives the same answer without relying on it.
func GetPackage(ctx context.Context, r client.Reader, namespace, name string) (*Package, error) {
	p := &Package{}
	err := r.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, p)
	if apierrors.IsNotFound(err) && strings.Contains(name, "+") {
		if alt := r.Get(ctx, client.ObjectKey{Namespace: namespace, Name: strings.ReplaceAll(name, "+", "---")}, p); alt == nil {
			return p, nil
		}
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// RefNameAndVersion reads the Package called name and returns its spec.refName and spec.version,
// failing with the original's message when either is empty.
func RefNameAndVersion(ctx context.Context, r client.Reader, namespace, name string) (refName, version string, err error) {
	p, err := GetPackage(ctx, r, namespace, name)
	if err == nil && (p.Spec.RefName == "" || p.Spec.Version == "") {
		err = fmt.Errorf("the Package has no spec.refName or spec.version")
	}
	if err != nil {
		return "", "", fmt.Errorf("unable to fetch Package.Spec.RefName or Package.Spec.Version from Package %s/%s: %w", namespace, name, err)
	}
	return p.Spec.RefName, p.Spec.Version, nil
}
