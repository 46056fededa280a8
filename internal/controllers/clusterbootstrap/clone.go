package clusterbootstrap

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/bootstrap"
)

// cloneAll clones, from the system namespace into the Cluster's, the objects the plan's Clone
// packages refer to, and points those packages at the clones. Each clone is created, or found
// already there and left as it is apart from labels and owners: a config a user created under the
// predictable name is used, never overwritten, and a clone made by an earlier, interrupted
// reconcile is reused.
func (r *reconciler) cloneAll(ctx context.Context, cluster *clusterv1.Cluster, plan bootstrap.Plan, tkrName string) error {
	for _, pkg := range plan.Clone {
		source, isSecret := bootstrap.CloneSource(pkg)
		target := bootstrap.ClonedName(cluster.Name, pkg.RefName)
		if isSecret {
			if err := r.cloneSecret(ctx, cluster, pkg, source, target, tkrName); err != nil {
				return err
			}
			pkg.ValuesFrom.SecretRef = target
			continue
		}
		if err := r.cloneProvider(ctx, cluster, pkg, source, target, tkrName); err != nil {
			return err
		}
		pkg.ValuesFrom.ProviderRef.Name = target
	}
	return nil
}

// packageLabels are the labels of everything cloned or adopted for a cluster's package.
func packageLabels(cluster *clusterv1.Cluster, pkg *runv1alpha3.ClusterBootstrapPackage) map[string]string {
	return map[string]string{
		runv1alpha3.LabelPackageName: bootstrap.LabelValue(pkg.RefName),
		runv1alpha3.LabelClusterName: cluster.Name,
	}
}

// cloneSecret copies the data of Secret <system>/<source> into <cluster ns>/<target>, unless that
// Secret exists already (then its data is kept, as the original did for a Secret the CLI wrote).
func (r *reconciler) cloneSecret(ctx context.Context, cluster *clusterv1.Cluster, pkg *runv1alpha3.ClusterBootstrapPackage, source, target, tkrName string) error {
	existing := &corev1.Secret{}
	err := r.apiReader.Get(ctx, client.ObjectKey{Namespace: cluster.Namespace, Name: target}, existing)
	if err == nil {
		return nil // adopted (labels and owners) with the rest of the ClusterBootstrap's objects
	}
	if !apierrors.IsNotFound(err) {
		return err
	}
	src := &corev1.Secret{}
	if err := r.apiReader.Get(ctx, client.ObjectKey{Namespace: r.systemNS, Name: source}, src); err != nil {
		if apierrors.IsNotFound(err) {
			return &missingError{reason: "TemplateObjectNotFound", msg: fmt.Sprintf(
				"ClusterBootstrapTemplate %s/%s of TKR %s gives package %s its values from Secret %s/%s, which does not exist; create it (the TKR's release bundle ships it) and the ClusterBootstrap is completed.",
				r.systemNS, tkrName, tkrName, pkg.RefName, r.systemNS, source)}
		}
		return err
	}
	clone := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:       cluster.Namespace,
			Name:            target,
			Labels:          packageLabels(cluster, pkg),
			OwnerReferences: []metav1.OwnerReference{ownerRef(cluster)},
		},
		Type: runv1alpha3.SecretTypeClusterBootstrap,
		Data: src.Data,
	}
	if err := r.client.Create(ctx, clone); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("cloning Secret %s/%s to %s/%s for package %s: %w", r.systemNS, source, cluster.Namespace, target, pkg.RefName, err)
	}
	return nil
}

// cloneProvider copies the spec of the provider <system>/<source> to <cluster ns>/<target>, then
// the objects its ...LocalObjRef fields refer to.
//
// Everything of the template's metadata is dropped, the template-config annotation included, so
// the add-on config controller renders the clone.
func (r *reconciler) cloneProvider(ctx context.Context, cluster *clusterv1.Cluster, pkg *runv1alpha3.ClusterBootstrapPackage, source, target, tkrName string) error {
	ref := pkg.ValuesFrom.ProviderRef
	gvk, err := r.providerGVK(ref)
	if err != nil {
		return err
	}
	src := &unstructured.Unstructured{}
	src.SetGroupVersionKind(gvk)
	if err := r.client.Get(ctx, client.ObjectKey{Namespace: r.systemNS, Name: source}, src); err != nil {
		if apierrors.IsNotFound(err) {
			return &missingError{reason: "TemplateObjectNotFound", msg: fmt.Sprintf(
				"ClusterBootstrapTemplate %s/%s of TKR %s gives package %s its values from %s %s/%s, which does not exist; create it (the TKR's release bundle ships it) and the ClusterBootstrap is completed.",
				r.systemNS, tkrName, tkrName, pkg.RefName, gvk.Kind, r.systemNS, source)}
		}
		return fmt.Errorf("reading %s %s/%s of ClusterBootstrapTemplate %s/%s: %w", gvk.Kind, r.systemNS, source, r.systemNS, tkrName, err)
	}
	// The objects the clone refers to are copied first, so its add-on config controller never
	// sees the clone without them; they are owned by the clone once it exists.
	if err := r.copyLocalObjRefs(ctx, cluster, src, nil); err != nil {
		return err
	}
	clone := &unstructured.Unstructured{Object: map[string]any{}}
	for k, v := range src.Object {
		if k != "metadata" && k != "status" {
			clone.Object[k] = v
		}
	}
	clone.SetGroupVersionKind(gvk)
	clone.SetNamespace(cluster.Namespace)
	clone.SetName(target)
	clone.SetLabels(packageLabels(cluster, pkg))
	clone.SetOwnerReferences([]metav1.OwnerReference{ownerRef(cluster)})
	if err := r.client.Create(ctx, clone); err != nil {
		if !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("cloning %s %s/%s to %s/%s for package %s: %w", gvk.Kind, r.systemNS, source, cluster.Namespace, target, pkg.RefName, err)
		}
		// A config the user created first under this name: its spec is theirs. Labels and owners
		// are added with the ClusterBootstrap's other objects (adopt).
		if err := r.client.Get(ctx, client.ObjectKeyFromObject(clone), clone); err != nil {
			return err
		}
	}
	return r.copyLocalObjRefs(ctx, cluster, src, clone)
}

// providerGVK finds the served, preferred version of a providerRef's kind.
func (r *reconciler) providerGVK(ref *corev1.TypedLocalObjectReference) (schema.GroupVersionKind, error) {
	group := ""
	if ref.APIGroup != nil {
		group = *ref.APIGroup
	}
	m, err := r.mapper.RESTMapping(schema.GroupKind{Group: group, Kind: ref.Kind})
	if err != nil {
		return schema.GroupVersionKind{}, fmt.Errorf("unable to find server preferred resource %s/%s: %w", group, ref.Kind, err)
	}
	return m.GroupVersionKind, nil
}

// copyLocalObjRefs copies every object a field named ...LocalObjRef of the template provider
// refers to (e.g. spec.vsphereCPI.vSphereCredentialLocalObjRef) into the cluster's namespace under
// the same name, owned by the Cluster and, once it exists (clone not nil), the clone; an existing
// copy keeps its content.
//
// Quirk fixed: the original made the copy owned by the template provider in the system namespace,
// an owner reference across namespaces that the garbage collector treats as absent; the owner
// here is the cloned provider next to it.
func (r *reconciler) copyLocalObjRefs(ctx context.Context, cluster *clusterv1.Cluster, src, clone *unstructured.Unstructured) error {
	for _, ref := range localObjRefs(src.Object) {
		gvk := schema.GroupVersionKind{Group: ref.group, Version: "v1", Kind: ref.kind}
		if ref.group != "" {
			m, err := r.mapper.RESTMapping(schema.GroupKind{Group: ref.group, Kind: ref.kind})
			if err != nil {
				return fmt.Errorf("%s %s/%s refers to %s %s, whose kind the API server does not serve: %w", src.GetKind(), src.GetNamespace(), src.GetName(), ref.kind, ref.name, err)
			}
			gvk = m.GroupVersionKind
		}
		owners := []metav1.OwnerReference{ownerRef(cluster)}
		if clone != nil {
			owners = append(owners, metav1.OwnerReference{APIVersion: clone.GetAPIVersion(), Kind: clone.GetKind(), Name: clone.GetName(), UID: clone.GetUID()})
		}
		obj := &unstructured.Unstructured{}
		obj.SetGroupVersionKind(gvk)
		err := r.apiReader.Get(ctx, client.ObjectKey{Namespace: cluster.Namespace, Name: ref.name}, obj)
		if err == nil {
			// Copies keep their name, so every cluster of the namespace whose provider refers
			// to the same object shares one copy: each Cluster (and clone) owning it keeps it
			// until the last of them is deleted.
			if err := r.ensureOwners(ctx, cluster, obj, owners, nil, shared); err != nil {
				return err
			}
			continue
		}
		if !apierrors.IsNotFound(err) {
			return err
		}
		if err := r.apiReader.Get(ctx, client.ObjectKey{Namespace: src.GetNamespace(), Name: ref.name}, obj); err != nil {
			if apierrors.IsNotFound(err) {
				return &missingError{reason: "TemplateObjectNotFound", msg: fmt.Sprintf(
					"%s %s/%s refers to %s %s/%s, which does not exist; create it and the ClusterBootstrap is completed.",
					src.GetKind(), src.GetNamespace(), src.GetName(), ref.kind, src.GetNamespace(), ref.name)}
			}
			return err
		}
		copied := &unstructured.Unstructured{Object: map[string]any{}}
		for k, v := range obj.Object {
			if k != "metadata" && k != "status" {
				copied.Object[k] = v
			}
		}
		copied.SetGroupVersionKind(gvk)
		copied.SetNamespace(cluster.Namespace)
		copied.SetName(ref.name)
		copied.SetLabels(obj.GetLabels())
		copied.SetAnnotations(obj.GetAnnotations())
		copied.SetOwnerReferences(owners)
		if err := r.client.Create(ctx, copied); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("copying %s %s/%s to namespace %s: %w", ref.kind, src.GetNamespace(), ref.name, cluster.Namespace, err)
		}
	}
	return nil
}

type localObjRef struct{ group, kind, name string }

// localObjRefs finds, anywhere in obj, maps under a key ending in "LocalObjRef" with string kind
// and name (and optionally apiGroup).
func localObjRefs(obj map[string]any) []localObjRef {
	var refs []localObjRef
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				if m, ok := child.(map[string]any); ok && strings.HasSuffix(k, "LocalObjRef") {
					kind, _ := m["kind"].(string)
					name, _ := m["name"].(string)
					group, _ := m["apiGroup"].(string)
					if kind != "" && name != "" {
						refs = append(refs, localObjRef{group: group, kind: kind, name: name})
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

// ensureInlineSecrets writes <cluster>-<package>-package from every inline valuesFrom, on every
// reconcile, so an edit of the inline values reaches the Secret.
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
					ObjectMeta: metav1.ObjectMeta{Namespace: cluster.Namespace, Name: name, Labels: packageLabels(cluster, pkg),
						OwnerReferences: []metav1.OwnerReference{ownerRef(cluster)}},
					Type: runv1alpha3.SecretTypeClusterBootstrap,
					Data: map[string][]byte{"values.yaml": values},
				}
				return r.client.Create(ctx, secret)
			}
			if err != nil {
				return err
			}
			if string(secret.Data["values.yaml"]) == string(values) {
				return nil
			}
			if secret.Data == nil {
				secret.Data = map[string][]byte{}
			}
			secret.Data["values.yaml"] = values
			return r.client.Update(ctx, secret)
		})
		if err != nil {
			return fmt.Errorf("writing Secret %s/%s from the inline values of package %s: %w", cluster.Namespace, name, pkg.RefName, err)
		}
	}
	return nil
}

// adopt makes every object the ClusterBootstrap's packages refer to in the cluster's namespace
// owned by the Cluster and (as controller) by the ClusterBootstrap, and labels it with its package
// and cluster, without touching its spec or data. An object another Cluster owns is refused, and a
// missing one is reported: the ClusterBootstrap names it, so someone must create it.
func (r *reconciler) adopt(ctx context.Context, cluster *clusterv1.Cluster, cb *runv1alpha3.ClusterBootstrap) error {
	owners := []metav1.OwnerReference{ownerRef(cluster), bootstrapRef(cb)}
	for _, pkg := range bootstrap.Packages(cb.Spec) {
		if pkg == nil || pkg.ValuesFrom == nil {
			continue
		}
		obj := &unstructured.Unstructured{}
		var name, what string
		switch v := pkg.ValuesFrom; {
		case v.ProviderRef != nil:
			gvk, err := r.providerGVK(v.ProviderRef)
			if err != nil {
				return err
			}
			obj.SetGroupVersionKind(gvk)
			name, what = v.ProviderRef.Name, gvk.Kind
		case v.SecretRef != "":
			obj.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
			name, what = v.SecretRef, "Secret"
		case v.Inline != nil:
			obj.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
			name, what = bootstrap.ClonedName(cluster.Name, pkg.RefName), "Secret"
		default:
			continue
		}
		if err := r.apiReader.Get(ctx, client.ObjectKey{Namespace: cb.Namespace, Name: name}, obj); err != nil {
			if apierrors.IsNotFound(err) {
				return &missingError{reason: "ValuesNotFound", msg: fmt.Sprintf(
					"ClusterBootstrap %s/%s gives package %s its values from %s %s/%s, which does not exist; create it in the cluster's namespace, or remove valuesFrom from the package to take the template's.",
					cb.Namespace, cb.Name, pkg.RefName, what, cb.Namespace, name)}
			}
			return err
		}
		if err := r.ensureOwners(ctx, cluster, obj, owners, packageLabels(cluster, pkg), exclusive); err != nil {
			return err
		}
	}
	return nil
}

// ensureOwners adds the owner references and labels obj lacks (refusing, for an exclusive object,
// one that another Cluster owns), with an update that fails on a
// concurrent change and is then retried on fresh data, so other owners are never dropped (quirk
// fixed: the original's merge patch replaced the whole list). The first reference in owners that
// is a ClusterBootstrap becomes the controller unless obj already has one.
func (r *reconciler) ensureOwners(ctx context.Context, cluster *clusterv1.Cluster, obj *unstructured.Unstructured, owners []metav1.OwnerReference, labels map[string]string, use ownership) error {
	return retry.RetryOnConflict(ownersBackoff, func() error {
		for _, ref := range obj.GetOwnerReferences() {
			if use == exclusive && ref.Kind == "Cluster" && groupOf(ref.APIVersion) == clusterv1.GroupVersion.Group && ref.Name != cluster.Name {
				return fmt.Errorf("%s/%s is already owned by %s", obj.GetNamespace(), obj.GetName(), ref.Name)
			}
		}
		refs, changed := obj.GetOwnerReferences(), false
		hasController := false
		for _, ref := range refs {
			if ref.Controller != nil && *ref.Controller {
				hasController = true
			}
		}
		for _, want := range owners {
			if indexOwner(refs, want) >= 0 {
				continue
			}
			if want.Kind == "ClusterBootstrap" && !hasController {
				yes := true
				want.Controller, want.BlockOwnerDeletion = &yes, &yes
				hasController = true
			}
			refs, changed = append(refs, want), true
		}
		l := obj.GetLabels()
		for k, v := range labels {
			if l[k] != v {
				if l == nil {
					l = map[string]string{}
				}
				l[k], changed = v, true
			}
		}
		if !changed {
			return nil
		}
		obj.SetOwnerReferences(refs)
		obj.SetLabels(l)
		err := r.client.Update(ctx, obj)
		if apierrors.IsConflict(err) {
			if gerr := r.apiReader.Get(ctx, client.ObjectKeyFromObject(obj), obj); gerr != nil {
				return gerr
			}
		}
		return err
	})
}

// ownersBackoff outlasts the contention on a shared copy: every Cluster of a namespace created at
// once adds itself to the same object, each retry on fresh data.
var ownersBackoff = wait.Backoff{Steps: 12, Duration: 10 * time.Millisecond, Factor: 1.5, Jitter: 0.5}

// ownership says whether an object may belong to several Clusters.
type ownership bool

const (
	// exclusive objects (a package's values) belong to one Cluster; another Cluster's claim is an
	// error, as in the original.
	exclusive ownership = false
	// shared objects (copies made for ...LocalObjRef fields) may serve several Clusters.
	shared ownership = true
)

// indexOwner finds the reference to the same object (by UID, or by kind and name).
func indexOwner(refs []metav1.OwnerReference, want metav1.OwnerReference) int {
	for i, ref := range refs {
		if ref.UID == want.UID || (ref.Kind == want.Kind && ref.Name == want.Name && groupOf(ref.APIVersion) == groupOf(want.APIVersion)) {
			return i
		}
	}
	return -1
}

// bootstrapRef is an owner reference to the ClusterBootstrap; ensureOwners makes it the
// controller where it can.
func bootstrapRef(cb *runv1alpha3.ClusterBootstrap) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: runv1alpha3.GroupVersion.String(), Kind: "ClusterBootstrap", Name: cb.Name, UID: cb.UID}
}
