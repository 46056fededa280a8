package clusterbootstrap

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/carvel"
	"github.com/tkr-project/tkr/pkg/bootstrap"
)

// +kubebuilder:webhook:path=/mutate-run-tanzu-vmware-com-v1alpha3-clusterbootstrap,mutating=true,failurePolicy=fail,sideEffects=None,groups=run.tanzu.vmware.com,resources=clusterbootstraps,verbs=create;update,versions=v1alpha3,name=clusterbootstrap.mutating.vmware.com,admissionReviewVersions=v1
// +kubebuilder:webhook:path=/validate-run-tanzu-vmware-com-v1alpha3-clusterbootstrap,mutating=false,failurePolicy=fail,sideEffects=None,groups=run.tanzu.vmware.com,resources=clusterbootstraps,verbs=create;update,versions=v1alpha3,name=clusterbootstrap.validating.vmware.com,admissionReviewVersions=v1
// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=tanzukubernetesreleases;clusterbootstraptemplates,verbs=get;list;watch
// +kubebuilder:rbac:groups=run.tanzu.vmware.com,resources=kappcontrollerconfigs,verbs=get
// +kubebuilder:rbac:groups=cni.tanzu.vmware.com;cpi.tanzu.vmware.com;csi.tanzu.vmware.com,resources=*,verbs=get
// +kubebuilder:rbac:groups=data.packaging.carvel.dev,resources=packages,verbs=get
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get
// +kubebuilder:rbac:groups=cluster.x-k8s.io,resources=clusters,verbs=get;list;watch

// groupKind is what the API server reports rejected ClusterBootstraps as.
var groupKind = schema.GroupKind{Group: runv1alpha3.GroupVersion.Group, Kind: "ClusterBootstrap"}

// ClusterBootstrapWebhook defaults and validates ClusterBootstraps.
type ClusterBootstrapWebhook struct {
	// Reader reads TKRs, templates and Clusters (the cache, then the API server on a miss).
	Reader client.Reader
	// LiveReader reads Packages, providers and Secrets straight from the API server: they are
	// often created moments before the ClusterBootstrap, and caching every Secret of the
	// management cluster to check that one exists is not worth it.
	LiveReader client.Reader
	// RESTMapper finds the resource of a providerRef's group and kind.
	RESTMapper meta.RESTMapper
	// SystemNamespace holds the ClusterBootstrapTemplates and the Carvel Packages.
	SystemNamespace string
}

var (
	_ admission.Defaulter[*runv1alpha3.ClusterBootstrap] = &ClusterBootstrapWebhook{}
	_ admission.Validator[*runv1alpha3.ClusterBootstrap] = &ClusterBootstrapWebhook{}
)

// Default fills a ClusterBootstrap annotated with add-missing-fields-from-tkr from that TKR's
// ClusterBootstrapTemplate. It must read the TKR and the template, so it calls out to the API.
func (w *ClusterBootstrapWebhook) Default(ctx context.Context, cb *runv1alpha3.ClusterBootstrap) error {
	// An owned ClusterBootstrap was created or adopted by the controller; mutating it here could
	// undo what the controller just wrote.
	if len(cb.OwnerReferences) > 0 {
		return nil
	}
	tkrName, ok := cb.Annotations[runv1alpha3.AnnotationAddMissingFieldsFromTKR]
	if !ok {
		return nil
	}
	if tkrName == "" {
		return apierrors.NewBadRequest(bootstrap.MsgAddMissingFieldsEmpty)
	}
	tkr := &runv1alpha3.TanzuKubernetesRelease{}
	if err := w.Reader.Get(ctx, client.ObjectKey{Name: tkrName}, tkr); err != nil {
		return withHint(err, fmt.Sprintf("The ClusterBootstrap %s/%s names TKR %s in its %s annotation; set it to an existing TKR (kubectl get tkr).",
			cb.Namespace, cb.Name, tkrName, runv1alpha3.AnnotationAddMissingFieldsFromTKR))
	}
	cbt := &runv1alpha3.ClusterBootstrapTemplate{}
	if err := w.Reader.Get(ctx, client.ObjectKey{Namespace: w.SystemNamespace, Name: tkrName}, cbt); err != nil {
		return withHint(err, fmt.Sprintf("Looked for the ClusterBootstrapTemplate %s/%s of TKR %s to fill the ClusterBootstrap %s/%s from; it arrives with the TKR, so retry once it is there.",
			w.SystemNamespace, tkrName, tkrName, cb.Namespace, cb.Name))
	}
	spec, err := bootstrap.DefaultSpec(cb.Spec, tkr, cbt.Spec, bootstrap.UnmanagedCNI(cb.Annotations))
	if err != nil {
		return apierrors.NewBadRequest(fmt.Sprintf("unable to add defaults to the missing fields of ClusterBootstrap %s/%s from TKR %s: %v", cb.Namespace, cb.Name, tkrName, err))
	}
	log.FromContext(ctx).Info("added the missing fields of a ClusterBootstrap from its template", "clusterBootstrap", cb.Namespace+"/"+cb.Name, "tkr", tkrName)
	cb.Spec = spec
	return nil
}

// ValidateCreate checks every package of a new ClusterBootstrap.
func (w *ClusterBootstrapWebhook) ValidateCreate(ctx context.Context, cb *runv1alpha3.ClusterBootstrap) (admission.Warnings, error) {
	if err := bootstrap.CheckUnmanagedCNI(cb.Spec, cb.Annotations); err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	var errs field.ErrorList
	for _, slot := range bootstrap.CorePackages(bootstrap.UnmanagedCNI(cb.Annotations)) {
		pkg := slot.Get(cb.Spec)
		if pkg == nil {
			if slot.Required {
				errs = append(errs, bootstrap.NilPackage(slot.Path()))
			}
			continue
		}
		if _, err := w.validatePackage(ctx, cb.Namespace, slot.Path(), pkg); err != nil {
			errs = append(errs, err)
		}
	}
	for i, pkg := range additional(cb.Spec) {
		if _, err := w.validatePackage(ctx, cb.Namespace, additionalPath.Index(i), pkg); err != nil {
			errs = append(errs, err)
		}
	}
	return nil, invalid(cb, errs)
}

// ValidateUpdate checks the new packages as on create, and that no package is switched to
// another, downgraded, or removed.
func (w *ClusterBootstrapWebhook) ValidateUpdate(ctx context.Context, oldCB, newCB *runv1alpha3.ClusterBootstrap) (admission.Warnings, error) {
	if skip, err := w.deleting(ctx, oldCB); err != nil || skip {
		return nil, err
	}
	if err := bootstrap.CheckUnmanagedCNI(newCB.Spec, newCB.Annotations); err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	ns := newCB.Namespace
	var errs field.ErrorList
	for _, slot := range bootstrap.CorePackages(bootstrap.UnmanagedCNI(newCB.Annotations)) {
		oldPkg, newPkg := slot.Get(oldCB.Spec), slot.Get(newCB.Spec)
		if newPkg == nil {
			// CSI and CPI may be dropped; the CNI and kapp-controller may not.
			if slot.Required {
				errs = append(errs, bootstrap.NilPackage(slot.Path()))
			}
			continue
		}
		newCarvel, err := w.validatePackage(ctx, ns, slot.Path(), newPkg)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		// Quirk (decided): the original compared against a nil old package and answered
		// "package can't be nil", so a slot that was empty (e.g. a CNI that was unmanaged)
		// could never be filled. An empty old slot has nothing to compare with; the new
		// package was validated above.
		if oldPkg == nil {
			continue
		}
		oldCarvel, err := w.carvelPackage(ctx, slot.Path(), oldPkg)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := bootstrap.CheckPackageUpdate(slot.Path(), oldPkg, newPkg, *oldCarvel, *newCarvel); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, w.validateAdditionalUpdate(ctx, ns, additional(oldCB.Spec), additional(newCB.Spec))...)
	return nil, invalid(newCB, errs)
}

// ValidateDelete allows every delete.
func (w *ClusterBootstrapWebhook) ValidateDelete(context.Context, *runv1alpha3.ClusterBootstrap) (admission.Warnings, error) {
	return nil, nil
}

var additionalPath = bootstrap.SpecPath.Child("additionalPackages")

func additional(spec *runv1alpha3.ClusterBootstrapTemplateSpec) []*runv1alpha3.ClusterBootstrapPackage {
	if spec == nil {
		return nil
	}
	return spec.AdditionalPackages
}

// validateAdditionalUpdate validates every new additional package, reads the Carvel Package of
// every old one, and applies the pure update rules to both lists.
func (w *ClusterBootstrapWebhook) validateAdditionalUpdate(ctx context.Context, ns string, oldPkgs, newPkgs []*runv1alpha3.ClusterBootstrapPackage) field.ErrorList {
	var errs field.ErrorList
	newCarvel := make([]*bootstrap.CarvelPackage, len(newPkgs))
	for i, pkg := range newPkgs {
		c, err := w.validatePackage(ctx, ns, additionalPath.Index(i), pkg)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		newCarvel[i] = c
	}
	oldCarvel := make([]*bootstrap.CarvelPackage, len(oldPkgs))
	for i, pkg := range oldPkgs {
		if pkg == nil {
			continue
		}
		c, err := w.carvelPackage(ctx, additionalPath.Index(i), pkg)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		oldCarvel[i] = c
	}
	return append(errs, bootstrap.CheckAdditionalPackagesUpdate(additionalPath, oldPkgs, newPkgs, oldCarvel, newCarvel)...)
}

// deleting reports whether validation of an update is skipped: while the ClusterBootstrap or its
// Cluster is being deleted, the controllers strip finalizers and owner references, and those
// updates must go through even if the packages no longer validate (e.g. a Package is gone).
func (w *ClusterBootstrapWebhook) deleting(ctx context.Context, oldCB *runv1alpha3.ClusterBootstrap) (bool, error) {
	if oldCB.DeletionTimestamp != nil {
		return true, nil
	}
	cluster := &clusterv1.Cluster{}
	err := w.Reader.Get(ctx, client.ObjectKeyFromObject(oldCB), cluster)
	switch {
	case apierrors.IsNotFound(err):
		// A ClusterBootstrap may be created before its Cluster.
		return false, nil
	case err != nil:
		return false, apierrors.NewServiceUnavailable(fmt.Sprintf("cannot read the Cluster %s/%s to learn whether it is being deleted: %v; retry", oldCB.Namespace, oldCB.Name, err))
	}
	return cluster.DeletionTimestamp != nil, nil
}

// validatePackage checks one package: it is set, its Carvel Package exists in the system
// namespace, and its valuesFrom is well-formed and refers to objects that exist in the
// ClusterBootstrap's namespace. It returns the Carvel Package's refName and version.
func (w *ClusterBootstrapWebhook) validatePackage(ctx context.Context, ns string, path *field.Path, pkg *runv1alpha3.ClusterBootstrapPackage) (*bootstrap.CarvelPackage, *field.Error) {
	if pkg == nil {
		return nil, bootstrap.NilPackage(path)
	}
	c, err := w.carvelPackage(ctx, path, pkg)
	if err != nil {
		return nil, err
	}
	vfPath := path.Child("valuesFrom")
	if err := bootstrap.ValidateValuesFrom(pkg.ValuesFrom, vfPath); err != nil {
		return nil, err
	}
	if pkg.ValuesFrom == nil {
		return c, nil
	}
	if ref := pkg.ValuesFrom.ProviderRef; ref != nil {
		if err := w.checkProvider(ctx, ns, ref); err != nil {
			return nil, field.Invalid(vfPath.Child("providerRef"), ref, err.Error())
		}
	}
	if name := pkg.ValuesFrom.SecretRef; name != "" {
		if err := w.LiveReader.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &corev1.Secret{}); err != nil {
			return nil, field.Invalid(vfPath.Child("secretRef"), name, hinted(err, fmt.Sprintf(
				"Looked for the Secret %s/%s named by secretRef; create it before the ClusterBootstrap, or name an existing Secret.", ns, name)))
		}
	}
	return c, nil
}

// carvelPackage reads the Carvel Package a package's refName names, from the system namespace.
func (w *ClusterBootstrapWebhook) carvelPackage(ctx context.Context, path *field.Path, pkg *runv1alpha3.ClusterBootstrapPackage) (*bootstrap.CarvelPackage, *field.Error) {
	p, err := carvel.GetPackage(ctx, w.LiveReader, w.SystemNamespace, pkg.RefName)
	if err != nil {
		// The API's text comes first (runbooks match it); then what was looked for and why it
		// may be missing: a TKR's Packages arrive with its package repository, possibly later.
		return nil, field.Invalid(path.Child("refName"), pkg.RefName, hinted(err, fmt.Sprintf(
			"Looked for the Carvel Package %s in namespace %s. The Packages of a TKR are installed from its package repository and may not be there yet: check `kubectl get packages -n %s`, retry once it is listed, or use a refName from the TKR's spec.bootstrapPackages.",
			pkg.RefName, w.SystemNamespace, w.SystemNamespace)))
	}
	if p.Spec.RefName == "" || p.Spec.Version == "" {
		return nil, field.Invalid(path.Child("refName"), pkg.RefName, fmt.Sprintf(
			"the Carvel Package %s/%s has no spec.refName or spec.version, so the package cannot be checked for a switch or a downgrade; fix or reinstall the Package", w.SystemNamespace, pkg.RefName))
	}
	return &bootstrap.CarvelPackage{RefName: p.Spec.RefName, Version: p.Spec.Version}, nil
}

// checkProvider checks that the providerRef's kind is served and that the object exists in ns.
func (w *ClusterBootstrapWebhook) checkProvider(ctx context.Context, ns string, ref *corev1.TypedLocalObjectReference) error {
	gvk, err := bootstrap.ProviderGVK(w.RESTMapper, ref)
	if err != nil {
		return err
	}
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(gvk)
	if err := w.LiveReader.Get(ctx, client.ObjectKey{Namespace: ns, Name: ref.Name}, obj); err != nil {
		return errors.New(hinted(err, fmt.Sprintf("Looked for the %s %s/%s named by providerRef; create it before the ClusterBootstrap, or name an existing one.", gvk.Kind, ns, ref.Name)))
	}
	return nil
}

// invalid aggregates field errors into the 422 answer kubectl shows with every field path.
func invalid(cb *runv1alpha3.ClusterBootstrap, errs field.ErrorList) error {
	if len(errs) == 0 {
		return nil
	}
	return apierrors.NewInvalid(groupKind, cb.Name, errs)
}

// hinted is err's text followed by what to do, for field error messages.
func hinted(err error, hint string) string {
	return err.Error() + ". " + hint
}

// withHint keeps an API error's status (a NotFound stays a 404) and adds what to do to its
// message.
func withHint(err error, hint string) error {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		s := status.Status()
		s.Message = s.Message + ". " + hint
		return &apierrors.StatusError{ErrStatus: s}
	}
	return fmt.Errorf("%w. %s", err, hint)
}
