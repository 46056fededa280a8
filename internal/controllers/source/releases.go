package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/registry"
	"github.com/tkr-project/tkr/pkg/imageslock"
	"github.com/tkr-project/tkr/pkg/tkrbundle"
	"github.com/tkr-project/tkr/pkg/version"
)

// The marker ConfigMap of a release, tkr-<release label> in the namespace, records that the
// release is installed and from which bundles. Every namespaced object of the release is owned by
// it, so deleting it removes them (and asks for a reinstall).
const (
	// LabelTKRPackage marks a release's marker ConfigMap, as in the original.
	LabelTKRPackage = "run.tanzu.vmware.com/tkr-package"
	// AnnotationRepositoryBundle records the repository bundle (<tag ref>@<digest>) the release
	// was last checked against.
	AnnotationRepositoryBundle = "run.tanzu.vmware.com/repository-bundle"
	// AnnotationPackageBundle records the package bundle (a digest reference) installed.
	AnnotationPackageBundle = "run.tanzu.vmware.com/package-bundle"
	// AnnotationInstalledAt records when the package bundle was installed (RFC 3339).
	AnnotationInstalledAt = "run.tanzu.vmware.com/installed-at"
	// InstallDataKey holds the install state in the original's format.
	InstallDataKey = "installData"

	// AnnotationSourceBundle on an object of a release names the package bundle it came from.
	AnnotationSourceBundle = "run.tanzu.vmware.com/source-bundle"
	// AnnotationSpecHash on an OSImage is the hash of the spec tkr-source applied. An OSImage
	// whose spec no longer has that hash was modified by someone else and is left alone.
	AnnotationSpecHash = "run.tanzu.vmware.com/source-spec-hash"
)

// markerName is the marker ConfigMap's name for release version v.
func markerName(v string) string { return "tkr-" + version.Label(v) }

// syncReleases installs the package bundle of every compatible release that is not installed at
// the digest its repository bundle names. A release that fails does not hold up the others.
func (r *Reconciler) syncReleases(ctx context.Context, reg *registry.Client, rep *report) *stepError {
	if len(rep.compatible) == 0 {
		rep.releasesEvaluated = true
		return nil
	}
	repo := r.Opts.TKRRepoImagePath
	tags, err := r.tags(ctx, reg, repo)
	if err != nil {
		return stepErr("RegistryUnavailable", fmt.Errorf("listing the TKR repository bundles: %w", err), isTransient(err))
	}
	have := map[string]bool{}
	for _, t := range tags {
		have[t] = true
	}
	markers := &corev1.ConfigMapList{}
	if err := r.Reader.List(ctx, markers, client.InNamespace(r.Opts.Namespace), client.HasLabels{LabelTKRPackage}); err != nil {
		return stepErr("APIUnavailable", fmt.Errorf("listing the release markers in %s: %w", r.Opts.Namespace, err), true)
	}
	byName := map[string]*corev1.ConfigMap{}
	for i := range markers.Items {
		byName[markers.Items[i].Name] = &markers.Items[i]
	}
	var serr *stepError
	rep.releasesEvaluated = true
	for _, v := range rep.compatible {
		tag := version.ImageTag(v)
		if !have[tag] {
			rep.releases[v] = runv1alpha3.SourceRelease{Version: v, Phase: runv1alpha3.ReleasePhaseNotPublished,
				Message: fmt.Sprintf("The registry has no repository bundle %s:%s. Publish the release there (tkr publish), or stop listing it as compatible.", repo, tag)}
			serr = serr.add("ReleaseNotPublished", fmt.Errorf("%s is compatible but %s:%s does not exist", v, repo, tag), false)
			continue
		}
		rel, err := r.syncRelease(ctx, reg, v, repo+":"+tag, byName[markerName(v)], rep)
		rep.releases[v] = rel
		if err != nil {
			serr = serr.add(err.reason, err.errs[0], err.transient)
		}
	}
	return serr
}

// syncRelease brings one release up to date. The repository bundle is only downloaded when its
// digest differs from the one last seen, and the package bundle only when the one it names is
// not the one installed.
func (r *Reconciler) syncRelease(ctx context.Context, reg *registry.Client, v, repoRef string, marker *corev1.ConfigMap, rep *report) (runv1alpha3.SourceRelease, *stepError) {
	rel := runv1alpha3.SourceRelease{Version: v}
	fail := func(reason string, err error, transient bool) (runv1alpha3.SourceRelease, *stepError) {
		rel.Phase = runv1alpha3.ReleasePhaseFailed
		rel.Message = sentence(err.Error())
		if marker != nil && installed(marker) {
			rel.Message += fmt.Sprintf(" The release stays installed from %s.", marker.Annotations[AnnotationPackageBundle])
		}
		return rel, stepErr(reason, fmt.Errorf("%s: %w", v, err), transient)
	}
	digest, err := r.digest(ctx, reg, repoRef)
	if err != nil {
		return fail("RegistryUnavailable", fmt.Errorf("reading repository bundle %s: %w", repoRef, err), isTransient(err))
	}
	pinnedRepo := repoRef + "@" + digest
	if marker != nil && installed(marker) && marker.Annotations[AnnotationRepositoryBundle] == pinnedRepo {
		return appliedFrom(rel, marker), nil
	}
	if msg, ok := r.brokenImage(pinnedRepo); ok {
		return fail("BundleInvalid", fmt.Errorf("%s", msg), false)
	}
	img, err := r.files(ctx, reg, pinnedRepo)
	if err != nil {
		return r.failDownload(fail, "repository bundle", pinnedRepo, err)
	}
	files, err := relocate(pinnedRepo, img.Files)
	if err != nil {
		return r.failContent(fail, "repository bundle", pinnedRepo, err)
	}
	pkgs, err := tkrbundle.ParseRepository(files)
	if err != nil {
		return r.failContent(fail, "repository bundle", pinnedRepo, err)
	}
	var bundle string
	var found []string
	for _, p := range pkgs {
		if version.WithV(p.Version) == v {
			bundle = p.BundleImage
		}
		found = append(found, p.Version)
	}
	if bundle == "" {
		return r.failContent(fail, "repository bundle", pinnedRepo,
			fmt.Errorf("it holds no Package labelled %s for version %s (it holds %s)", LabelTKRPackage, v, listOrNone(found)))
	}
	rel.Bundle = bundle
	if marker != nil && installed(marker) && marker.Annotations[AnnotationPackageBundle] == bundle {
		// A new repository bundle naming the package bundle already installed: remember it,
		// download nothing more.
		if err := r.patchMarker(ctx, marker, map[string]string{AnnotationRepositoryBundle: pinnedRepo}, nil); err != nil {
			return fail("APIUnavailable", err, true)
		}
		return appliedFrom(rel, marker), nil
	}
	if msg, ok := r.brokenImage(bundle); ok {
		return fail("BundleInvalid", fmt.Errorf("%s", msg), false)
	}
	// A broken package bundle also marks the repository bundle naming it, so neither is
	// downloaded again until either changes.
	failPackage := func(err error) (runv1alpha3.SourceRelease, *stepError) {
		return r.failContent(fail, "package bundle", bundle, err, pinnedRepo)
	}
	pimg, err := r.files(ctx, reg, bundle)
	if err != nil {
		if isTransient(err) {
			return r.failDownload(fail, "package bundle", bundle, err)
		}
		return failPackage(err)
	}
	pfiles, err := relocate(bundle, pimg.Files)
	if err != nil {
		return failPackage(err)
	}
	release, err := tkrbundle.ParseRelease(pfiles, v)
	if err != nil {
		return failPackage(err)
	}
	now := metav1.Now()
	if err := r.install(ctx, v, pinnedRepo, bundle, release, now, rep); err != nil {
		return fail("ApplyFailed", err, true)
	}
	rel.Phase = runv1alpha3.ReleasePhaseApplied
	rel.LastAppliedTime = &now
	rep.applied = append(rep.applied, v)
	return rel, nil
}

type failFunc func(reason string, err error, transient bool) (runv1alpha3.SourceRelease, *stepError)

func (r *Reconciler) failDownload(fail failFunc, what, ref string, err error) (runv1alpha3.SourceRelease, *stepError) {
	if isTransient(err) {
		return fail("RegistryUnavailable", fmt.Errorf("downloading %s %s: %w", what, ref, err), true)
	}
	return r.failContent(fail, what, ref, err)
}

// failContent records a bundle whose content cannot be used, so the same digest (and the
// bundles in also, which lead to it) are not downloaded again; nothing of it has been applied.
func (r *Reconciler) failContent(fail failFunc, what, ref string, err error, also ...string) (runv1alpha3.SourceRelease, *stepError) {
	msg := fmt.Sprintf("%s %s cannot be used, so nothing of it was applied: %v. Publish a fixed bundle under a new digest.", what, ref, err)
	for _, pinned := range append([]string{ref}, also...) {
		r.markBroken(pinned, msg)
	}
	return fail("BundleInvalid", fmt.Errorf("%s", msg), false)
}

func installed(marker *corev1.ConfigMap) bool {
	return strings.Contains(marker.Data[InstallDataKey], "Success: true") && marker.Annotations[AnnotationPackageBundle] != ""
}

func appliedFrom(rel runv1alpha3.SourceRelease, marker *corev1.ConfigMap) runv1alpha3.SourceRelease {
	rel.Phase = runv1alpha3.ReleasePhaseApplied
	rel.Bundle = marker.Annotations[AnnotationPackageBundle]
	if t, err := time.Parse(time.RFC3339, marker.Annotations[AnnotationInstalledAt]); err == nil {
		mt := metav1.NewTime(t)
		rel.LastAppliedTime = &mt
	}
	return rel
}

// relocate rewrites the references a bundle's images lock lists to the bundle's own repository
// when the bundle was read from a mirror (see pkg/imageslock).
func relocate(bundleRef string, files map[string][]byte) (map[string][]byte, error) {
	lockData, ok := files[imageslock.Path]
	if !ok {
		return files, nil
	}
	lock, err := imageslock.Parse(lockData)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", imageslock.Path, err)
	}
	rel, err := imageslock.Relocations(bundleRef, lock)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", imageslock.Path, err)
	}
	return imageslock.Relocate(files, rel), nil
}

// install applies a parsed release: the marker first (Success: false), then the objects in the
// release's order (the TKR last, so it appears complete), then the marker's Success. A failure
// part way leaves the marker unsuccessful, and the next sync applies the release again.
func (r *Reconciler) install(ctx context.Context, v, pinnedRepo, bundle string, release *tkrbundle.Release, now metav1.Time, rep *report) error {
	marker, err := r.ensureMarker(ctx, v)
	if err != nil {
		return err
	}
	owner := metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: marker.Name, UID: marker.UID}
	for _, obj := range release.Objects {
		if err := r.applyObject(ctx, obj, bundle, owner, rep); err != nil {
			return err
		}
	}
	return r.patchMarker(ctx, marker, map[string]string{
		AnnotationRepositoryBundle: pinnedRepo,
		AnnotationPackageBundle:    bundle,
		AnnotationInstalledAt:      now.UTC().Format(time.RFC3339),
	}, map[string]string{InstallDataKey: "Success: true\n"})
}

func (r *Reconciler) ensureMarker(ctx context.Context, v string) (*corev1.ConfigMap, error) {
	m := &corev1.ConfigMap{}
	key := client.ObjectKey{Namespace: r.Opts.Namespace, Name: markerName(v)}
	err := r.Reader.Get(ctx, key, m)
	if err == nil {
		return m, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("reading release marker ConfigMap %s: %w", key, err)
	}
	m = &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name, Labels: map[string]string{LabelTKRPackage: ""}},
		Data:       map[string]string{InstallDataKey: "Success: false\n"},
	}
	if err := r.Client.Create(ctx, m); err != nil {
		return nil, fmt.Errorf("creating release marker ConfigMap %s: %w", key, err)
	}
	return m, nil
}

func (r *Reconciler) patchMarker(ctx context.Context, m *corev1.ConfigMap, annotations, data map[string]string) error {
	patch := client.MergeFrom(m.DeepCopy())
	for k, v := range annotations {
		metav1.SetMetaDataAnnotation(&m.ObjectMeta, k, v)
	}
	for k, v := range data {
		if m.Data == nil {
			m.Data = map[string]string{}
		}
		m.Data[k] = v
	}
	if err := r.Client.Patch(ctx, m, patch); err != nil {
		return fmt.Errorf("updating release marker ConfigMap %s/%s: %w", m.Namespace, m.Name, err)
	}
	return nil
}

// applyObject applies one object of a release with the ownership rules of the original:
// cluster-scoped objects (TKR, OSImage) stand alone; namespaced ones go into the namespace and
// are owned by the marker. An OSImage someone modified is kept as it is.
func (r *Reconciler) applyObject(ctx context.Context, in *unstructured.Unstructured, bundle string, owner metav1.OwnerReference, rep *report) error {
	u := in.DeepCopy()
	gvk := u.GroupVersionKind()
	mapping, err := r.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return fmt.Errorf("the API server does not serve %s (for %s in bundle %s): %w; install its CustomResourceDefinition", gvk, u.GetName(), bundle, err)
	}
	if mapping.Scope.Name() == "namespace" {
		u.SetNamespace(r.Opts.Namespace)
		u.SetOwnerReferences([]metav1.OwnerReference{owner})
	} else {
		u.SetNamespace("")
	}
	delete(u.Object, "status")
	u.SetResourceVersion("")
	u.SetUID("")
	u.SetManagedFields(nil)
	annotations := u.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[AnnotationSourceBundle] = bundle
	if gvk.Kind == "OSImage" {
		annotations[AnnotationSpecHash] = specHash(u)
		u.SetAnnotations(annotations)
		keep, err := r.modifiedOSImage(ctx, u)
		if err != nil {
			return err
		}
		if keep {
			rep.preserved = append(rep.preserved, u.GetName())
			return nil
		}
	}
	u.SetAnnotations(annotations)
	if err := r.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
		return fmt.Errorf("applying %s %s from bundle %s: %w", gvk.Kind, objectName(u), bundle, err)
	}
	return nil
}

// modifiedOSImage reports whether an OSImage exists with a spec other than the one tkr-source
// last applied to it (or one tkr-source never applied): a user's change, which wins.
func (r *Reconciler) modifiedOSImage(ctx context.Context, want *unstructured.Unstructured) (bool, error) {
	got := &unstructured.Unstructured{}
	got.SetGroupVersionKind(want.GroupVersionKind())
	if err := r.Reader.Get(ctx, client.ObjectKey{Name: want.GetName()}, got); err != nil {
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("reading OSImage %s: %w", want.GetName(), err)
	}
	recorded := got.GetAnnotations()[AnnotationSpecHash]
	return recorded == "" || recorded != specHash(got), nil
}

func specHash(u *unstructured.Unstructured) string {
	spec, _ := json.Marshal(u.Object["spec"]) // map keys are sorted by encoding/json
	sum := sha256.Sum256(spec)
	return hex.EncodeToString(sum[:8])
}

func objectName(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetName()
	}
	return u.GetNamespace() + "/" + u.GetName()
}
