package clusterbootstrap

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/yaml"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/bootstrap"
)

var secretGVK = corev1.SchemeGroupVersion.WithKind("Secret")

// cloneAll clones, from the system namespace into the Cluster's, the objects the plan's Clone
// packages refer to, and points those packages at the clones. An object already there under the
// clone's name is used as it is (owners and labels are added by adopt): a config or Secret a user
// created under the predictable name is never overwritten, and a clone made by an earlier,
// interrupted reconcile is reused.
func (r *reconciler) cloneAll(ctx context.Context, cluster *clusterv1.Cluster, plan bootstrap.Plan, tkrName string) error {
	for _, pkg := range plan.Clone {
		source, isSecret := bootstrap.CloneSource(pkg)
		target := bootstrap.ClonedName(cluster.Name, pkg.RefName)
		gvk := secretGVK
		if !isSecret {
			var err error
			if gvk, err = bootstrap.ProviderGVK(r.mapper, pkg.ValuesFrom.ProviderRef); err != nil {
				return err
			}
		}
		if err := r.clone(ctx, cluster, pkg, gvk, source, target, tkrName); err != nil {
			return err
		}
		if isSecret {
			pkg.ValuesFrom.SecretRef = target
		} else {
			pkg.ValuesFrom.ProviderRef.Name = target
		}
	}
	return nil
}

// clone copies the content of <system>/<source> (a Secret's data, a provider's spec) to
// <cluster ns>/<target>, unless target exists. Everything of the template's metadata is dropped,
// the template-config annotation included, so the add-on config controller renders the clone.
// The objects a provider refers to through ...LocalObjRef fields are copied first, so its
// controller never sees the clone without them.
func (r *reconciler) clone(ctx context.Context, cluster *clusterv1.Cluster, pkg *runv1alpha3.ClusterBootstrapPackage, gvk schema.GroupVersionKind, source, target, tkrName string) error {
	existing := &unstructured.Unstructured{}
	existing.SetGroupVersionKind(gvk)
	err := r.apiReader.Get(ctx, client.ObjectKey{Namespace: cluster.Namespace, Name: target}, existing)
	if err == nil || !apierrors.IsNotFound(err) {
		return err
	}
	src := &unstructured.Unstructured{}
	src.SetGroupVersionKind(gvk)
	if err := r.apiReader.Get(ctx, client.ObjectKey{Namespace: r.systemNS, Name: source}, src); err != nil {
		if apierrors.IsNotFound(err) {
			return &missingError{reason: "TemplateObjectNotFound", msg: fmt.Sprintf(
				"ClusterBootstrapTemplate %s/%s of TKR %s gives package %s its values from %s %s/%s, which does not exist; create it (the TKR's release bundle ships it) and the ClusterBootstrap is completed.",
				r.systemNS, tkrName, tkrName, pkg.RefName, gvk.Kind, r.systemNS, source)}
		}
		return fmt.Errorf("reading %s %s/%s of ClusterBootstrapTemplate %s/%s: %w", gvk.Kind, r.systemNS, source, r.systemNS, tkrName, err)
	}
	if err := r.copyLocalObjRefs(ctx, cluster, src, nil); err != nil {
		return err
	}
	clone := contentOf(src, cluster.Namespace, target)
	clone.SetLabels(packageLabels(cluster, pkg))
	if gvk == secretGVK {
		clone.Object["type"] = runv1alpha3.SecretTypeClusterBootstrap
	}
	if err := r.addOwners(clone, cluster, nil, exclusive); err != nil {
		return err
	}
	if err := r.client.Create(ctx, clone); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("cloning %s %s/%s to %s/%s for package %s: %w", gvk.Kind, r.systemNS, source, cluster.Namespace, target, pkg.RefName, err)
	} else if err != nil {
		// Created since it was looked for: used as it is, like one found at once.
		return nil
	}
	return r.copyLocalObjRefs(ctx, cluster, src, clone)
}

// contentOf is src without its metadata and status, named name in namespace ns.
func contentOf(src *unstructured.Unstructured, ns, name string) *unstructured.Unstructured {
	out := &unstructured.Unstructured{Object: map[string]any{}}
	for k, v := range src.Object {
		if k != "metadata" && k != "status" {
			out.Object[k] = v
		}
	}
	out.SetNamespace(ns)
	out.SetName(name)
	return out
}

// packageLabels are the labels of everything cloned or adopted for a cluster's package.
func packageLabels(cluster *clusterv1.Cluster, pkg *runv1alpha3.ClusterBootstrapPackage) map[string]string {
	return map[string]string{
		runv1alpha3.LabelPackageName: bootstrap.LabelValue(pkg.RefName),
		runv1alpha3.LabelClusterName: cluster.Name,
	}
}

// copyLocalObjRefs copies every object a field named ...LocalObjRef of the template provider
// refers to (e.g. spec.vsphereCPI.vSphereCredentialLocalObjRef) into the cluster's namespace under
// the same name, owned by the Cluster and, once it exists (clone not nil), the clone; an existing
// copy keeps its content. Copies keep their name, so every cluster of the namespace whose provider
// refers to the same object shares one copy: each Cluster (and clone) owning it keeps it until the
// last of them is deleted.
//
// Quirk fixed: the original made the copy owned by the template provider in the system namespace,
// an owner reference across namespaces that the garbage collector treats as absent; the owner
// here is the cloned provider next to it.
func (r *reconciler) copyLocalObjRefs(ctx context.Context, cluster *clusterv1.Cluster, src, clone *unstructured.Unstructured) error {
	for _, ref := range bootstrap.LocalObjRefs(src.Object) {
		gvk, err := bootstrap.ProviderGVK(r.mapper, &ref)
		if err != nil {
			return fmt.Errorf("%s %s/%s refers to %s %s: %w", src.GetKind(), src.GetNamespace(), src.GetName(), ref.Kind, ref.Name, err)
		}
		var owner client.Object
		if clone != nil {
			owner = clone
		}
		obj := &unstructured.Unstructured{}
		obj.SetGroupVersionKind(gvk)
		err = r.apiReader.Get(ctx, client.ObjectKey{Namespace: cluster.Namespace, Name: ref.Name}, obj)
		if err == nil {
			if err := r.ensureOwners(ctx, cluster, owner, obj, nil, shared); err != nil {
				return err
			}
			continue
		}
		if !apierrors.IsNotFound(err) {
			return err
		}
		if err := r.apiReader.Get(ctx, client.ObjectKey{Namespace: src.GetNamespace(), Name: ref.Name}, obj); err != nil {
			if apierrors.IsNotFound(err) {
				return &missingError{reason: "TemplateObjectNotFound", msg: fmt.Sprintf(
					"%s %s/%s refers to %s %s/%s, which does not exist; create it and the ClusterBootstrap is completed.",
					src.GetKind(), src.GetNamespace(), src.GetName(), ref.Kind, src.GetNamespace(), ref.Name)}
			}
			return err
		}
		copied := contentOf(obj, cluster.Namespace, ref.Name)
		copied.SetLabels(obj.GetLabels())
		copied.SetAnnotations(obj.GetAnnotations())
		if err := r.addOwners(copied, cluster, owner, shared); err != nil {
			return err
		}
		if err := r.client.Create(ctx, copied); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("copying %s %s/%s to namespace %s: %w", ref.Kind, src.GetNamespace(), ref.Name, cluster.Namespace, err)
		}
	}
	return nil
}

// ensureInlineSecrets writes <cluster>-<package>-package from every inline valuesFrom, owned and
// labelled like every other object of the ClusterBootstrap, on every reconcile, so an edit of
// the inline values reaches the Secret.
func (r *reconciler) ensureInlineSecrets(ctx context.Context, cluster *clusterv1.Cluster, cb *runv1alpha3.ClusterBootstrap) error {
	for _, pkg := range bootstrap.Packages(cb.Spec) {
		if pkg == nil || pkg.ValuesFrom == nil || pkg.ValuesFrom.Inline == nil {
			continue
		}
		values, err := yaml.Marshal(pkg.ValuesFrom.Inline)
		if err != nil {
			return fmt.Errorf("package %s of ClusterBootstrap %s/%s: inline values: %w", pkg.RefName, cb.Namespace, cb.Name, err)
		}
		name := bootstrap.ClonedName(cluster.Name, pkg.RefName)
		err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
			secret := &corev1.Secret{}
			err := r.apiReader.Get(ctx, client.ObjectKey{Namespace: cluster.Namespace, Name: name}, secret)
			if apierrors.IsNotFound(err) {
				secret = &corev1.Secret{
					ObjectMeta: metav1.ObjectMeta{Namespace: cluster.Namespace, Name: name, Labels: packageLabels(cluster, pkg)},
					Type:       runv1alpha3.SecretTypeClusterBootstrap,
					Data:       map[string][]byte{"values.yaml": values},
				}
				if err := r.addOwners(secret, cluster, cb, exclusive); err != nil {
					return err
				}
				return r.client.Create(ctx, secret)
			}
			if err != nil {
				return err
			}
			orig := secret.DeepCopy()
			if secret.Data == nil {
				secret.Data = map[string][]byte{}
			}
			secret.Data["values.yaml"] = values
			setLabels(secret, packageLabels(cluster, pkg))
			if err := r.addOwners(secret, cluster, cb, exclusive); err != nil {
				return err
			}
			if equalMeta(orig, secret) && string(orig.Data["values.yaml"]) == string(values) {
				return nil
			}
			return r.client.Update(ctx, secret)
		})
		if err != nil {
			return fmt.Errorf("writing Secret %s/%s from the inline values of package %s: %w", cluster.Namespace, name, pkg.RefName, err)
		}
	}
	return nil
}

// adopt makes every object the ClusterBootstrap's providerRefs and secretRefs name in the
// cluster's namespace owned by the Cluster and (as controller) by the ClusterBootstrap, and labels
// it with its package and cluster, without touching its spec or data. An object another Cluster
// owns is refused, and a missing one is reported: the ClusterBootstrap names it, so someone must
// create it. Inline values' Secrets are written, owners and all, by ensureInlineSecrets.
func (r *reconciler) adopt(ctx context.Context, cluster *clusterv1.Cluster, cb *runv1alpha3.ClusterBootstrap) error {
	for _, pkg := range bootstrap.Packages(cb.Spec) {
		name, isSecret := bootstrap.CloneSource(pkg)
		if name == "" {
			continue
		}
		gvk := secretGVK
		if !isSecret {
			var err error
			if gvk, err = bootstrap.ProviderGVK(r.mapper, pkg.ValuesFrom.ProviderRef); err != nil {
				return err
			}
		}
		obj := &unstructured.Unstructured{}
		obj.SetGroupVersionKind(gvk)
		if err := r.apiReader.Get(ctx, client.ObjectKey{Namespace: cb.Namespace, Name: name}, obj); err != nil {
			if apierrors.IsNotFound(err) {
				return &missingError{reason: "ValuesNotFound", msg: fmt.Sprintf(
					"ClusterBootstrap %s/%s gives package %s its values from %s %s/%s, which does not exist; create it in the cluster's namespace, or remove valuesFrom from the package to take the template's.",
					cb.Namespace, cb.Name, pkg.RefName, gvk.Kind, cb.Namespace, name)}
			}
			return err
		}
		if err := r.ensureOwners(ctx, cluster, cb, obj, packageLabels(cluster, pkg), exclusive); err != nil {
			return err
		}
	}
	return nil
}

// ownership says whether an object may belong to several Clusters.
type ownership bool

const (
	// exclusive objects (a package's values) belong to one Cluster; another Cluster's claim is an
	// error, as in the original.
	exclusive ownership = false
	// shared objects (copies made for ...LocalObjRef fields) may serve several Clusters.
	shared ownership = true
)

// ownersBackoff outlasts the contention on a shared copy: every Cluster of a namespace created at
// once adds itself to the same object, each retry on fresh data.
var ownersBackoff = wait.Backoff{Steps: 12, Duration: 10 * time.Millisecond, Factor: 1.5, Jitter: 0.5}

// ensureOwners adds to obj the owner references addOwners gives it and the labels it lacks, with
// an update that fails on a concurrent change and is then retried on fresh data, so other owners
// are never dropped (quirk fixed: the original's merge patch replaced the whole list).
func (r *reconciler) ensureOwners(ctx context.Context, cluster *clusterv1.Cluster, owner client.Object, obj *unstructured.Unstructured, labels map[string]string, use ownership) error {
	return retry.RetryOnConflict(ownersBackoff, func() error {
		orig := obj.DeepCopy()
		setLabels(obj, labels)
		if err := r.addOwners(obj, cluster, owner, use); err != nil {
			return err
		}
		if equalMeta(orig, obj) {
			return nil
		}
		err := r.client.Update(ctx, obj)
		if apierrors.IsConflict(err) {
			if gerr := r.apiReader.Get(ctx, client.ObjectKeyFromObject(obj), obj); gerr != nil {
				return gerr
			}
		}
		return err
	})
}

// addOwners makes obj owned by the Cluster and, when owner is not nil, by owner: as controller if
// owner is the ClusterBootstrap and obj has no other controller. An exclusive object another
// Cluster owns is refused with the original's message.
func (r *reconciler) addOwners(obj client.Object, cluster *clusterv1.Cluster, owner client.Object, use ownership) error {
	if other, ok := bootstrap.ClusterOwner(obj); ok && other != cluster.Name && use == exclusive {
		return fmt.Errorf("%s/%s is already owned by %s", obj.GetNamespace(), obj.GetName(), other)
	}
	if err := controllerutil.SetOwnerReference(cluster, obj, r.scheme); err != nil {
		return err
	}
	if owner == nil {
		return nil
	}
	if _, isCB := owner.(*runv1alpha3.ClusterBootstrap); isCB {
		err := controllerutil.SetControllerReference(owner, obj, r.scheme)
		var already *controllerutil.AlreadyOwnedError
		if !errors.As(err, &already) {
			return err
		}
		// Someone else controls obj: the ClusterBootstrap is a plain owner.
	}
	return controllerutil.SetOwnerReference(owner, obj, r.scheme)
}

// setLabels sets labels on obj, keeping its others.
func setLabels(obj metav1.Object, labels map[string]string) {
	if len(labels) == 0 {
		return
	}
	l := obj.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	for k, v := range labels {
		l[k] = v
	}
	obj.SetLabels(l)
}

// equalMeta reports whether a and b have the same labels and owner references.
func equalMeta(a, b metav1.Object) bool {
	return equality.Semantic.DeepEqual(a.GetLabels(), b.GetLabels()) &&
		equality.Semantic.DeepEqual(a.GetOwnerReferences(), b.GetOwnerReferences())
}
