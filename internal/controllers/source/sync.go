package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/compatibilityinputs"
	"github.com/tkr-project/tkr/internal/registry"
	"github.com/tkr-project/tkr/pkg/bom"
	"github.com/tkr-project/tkr/pkg/compatibility"
	"github.com/tkr-project/tkr/pkg/version"
)

// Names of the objects and keys tkr-source reads and writes besides releases.
const (
	// ControllerConfigMap holds the registry's CA certificates in data.caCerts (PEM).
	ControllerConfigMap = "tkr-controller-config"
	// CACertsKey is the key of the CA certificates in ControllerConfigMap.
	CACertsKey = "caCerts"
	// LabelBOM names the release of a BOM ConfigMap.
	LabelBOM = "tanzuKubernetesRelease"
	// AnnotationBOMImageTag holds the tag a BOM ConfigMap was read from.
	AnnotationBOMImageTag = "bomImageTag"
	// BOMKey is the key of the BOM in a BOM ConfigMap's binaryData.
	BOMKey = "bomContent"
	// AnnotationSourceImage records, on what tkr-source wrote, the image it came from as
	// <tag ref>@<digest>; an image still at that digest is not downloaded again.
	AnnotationSourceImage = "run.tanzu.vmware.com/source-image"
	// AnnotationContentDigest records the digest of the binaryData tkr-source wrote, so an edit
	// by hand is noticed and the registry's content restored, as the original (which rewrote
	// everything every tick) eventually did.
	AnnotationContentDigest = "run.tanzu.vmware.com/content-digest"
)

// sync runs the three steps. Each step's failure is recorded in the report; the later steps
// still run, on what the cluster already holds.
func (r *Reconciler) sync(ctx context.Context) *report {
	rep := &report{boms: map[string]string{}, bomNotes: map[string]string{}, releases: map[string]runv1alpha3.SourceRelease{}}
	reg, err := r.registryClient(ctx)
	if err != nil {
		// Without a client nothing can be read; every step reports the same cause.
		e := stepErr("RegistryConfigInvalid", err, true)
		rep.metadataErr, rep.bomErr, rep.releasesErr = e, e, e
		return rep
	}
	rep.metadata, rep.metadataChanged, rep.metadataErr = r.syncMetadata(ctx, reg)

	set, err := r.compatibleSet(ctx, rep)
	if err != nil {
		e := stepErr("CompatibleSetUnknown", err, true)
		rep.bomErr, rep.releasesErr = e, e
		return rep
	}
	rep.compatible = set
	rep.bomErr = r.syncBOMs(ctx, reg, rep)
	rep.releasesErr = r.syncReleases(ctx, reg, rep)
	return rep
}

// registryClient returns the registry client, rebuilt when the CA certificates in
// tkr-controller-config change. They are read on every sync, so fixing a bad certificate takes
// effect without a restart (the original read them once and crash-looped on a bad one).
func (r *Reconciler) registryClient(ctx context.Context) (*registry.Client, error) {
	cm := &corev1.ConfigMap{}
	var ca string
	switch err := r.Reader.Get(ctx, client.ObjectKey{Namespace: r.Opts.Namespace, Name: ControllerConfigMap}, cm); {
	case err == nil:
		ca = cm.Data[CACertsKey]
	case !apierrors.IsNotFound(err):
		return nil, fmt.Errorf("reading ConfigMap %s/%s: %w", r.Opts.Namespace, ControllerConfigMap, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.registry != nil && r.registryKey == ca {
		return r.registry, nil
	}
	c, err := registry.New(registry.Options{
		CACerts:    []byte(ca),
		SkipVerify: r.Opts.SkipVerify,
		Insecure:   r.Opts.Insecure,
		Transport:  r.Opts.Transport,
		UserAgent:  "tkr-source",
	})
	if err != nil {
		return nil, fmt.Errorf("data.%s of ConfigMap %s/%s cannot be used: %w; put the registry's CA certificates there in PEM form", CACertsKey, r.Opts.Namespace, ControllerConfigMap, err)
	}
	r.registry, r.registryKey = c, ca
	return c, nil
}

// syncMetadata puts the newest readable compatibility metadata image into bom-metadata. Tags are
// numbers with an optional v (v1, v2, 7); an image that cannot be read or parsed is skipped for
// the next older one, but a registry that cannot be reached stops the step, so an outage never
// rolls the metadata back to an older image.
func (r *Reconciler) syncMetadata(ctx context.Context, reg *registry.Client) (*runv1alpha3.SourceImage, bool, *stepError) {
	const reason = "MetadataUnavailable"
	repo := r.Opts.BOMMetadataImagePath
	tags, err := r.tags(ctx, reg, repo)
	if err != nil {
		return nil, false, stepErr(reason, fmt.Errorf("listing the compatibility metadata images: %w", err), isTransient(err))
	}
	numeric := numericTags(tags)
	if len(numeric) == 0 {
		return nil, false, stepErr(reason, fmt.Errorf("repository %s has no compatibility metadata image: it needs tags v1, v2, ..., and has %s", repo, listOrNone(tags)), false)
	}
	current := &corev1.ConfigMap{}
	if err := r.Reader.Get(ctx, client.ObjectKey{Namespace: r.Opts.Namespace, Name: compatibility.MetadataConfigMap}, current); err != nil {
		if !apierrors.IsNotFound(err) {
			return nil, false, stepErr(reason, err, true)
		}
		current = nil
	}
	// skipped says why newer images than the one used could not be; it is reported on every
	// sync (not just the one that found out) until the newest image is fixed, and a broken
	// image is not downloaded again at the same digest.
	var skipped []string
	warning := func(ref string) *stepError {
		if len(skipped) == 0 {
			return nil
		}
		return stepErr("NewestMetadataUnreadable", fmt.Errorf("using %s because newer compatibility metadata images could not be read (%s); publish a fixed image", ref, strings.Join(skipped, "; ")), false)
	}
	for _, tag := range numeric {
		ref := repo + ":" + tag
		digest, err := r.digest(ctx, reg, ref)
		if err != nil {
			return nil, false, stepErr(reason, fmt.Errorf("reading compatibility metadata image %s: %w", ref, err), isTransient(err))
		}
		pinned := ref + "@" + digest
		img := &runv1alpha3.SourceImage{Ref: ref, Digest: digest}
		if msg, ok := r.brokenImage(pinned); ok {
			skipped = append(skipped, fmt.Sprintf("%s: %s", tag, msg))
			continue
		}
		if current != nil && upToDate(current, pinned) {
			// Already there; make sure the legacy copy is too (its namespace may be new).
			changed, err := r.writeMetadata(ctx, r.Opts.LegacyNamespace, current.BinaryData[compatibility.MetadataKey], pinned)
			if err != nil {
				return img, false, stepErr(reason, err, true)
			}
			return img, changed, warning(ref)
		}
		_, _, data, err := r.oneFile(ctx, reg, ref)
		if err != nil {
			if isTransient(err) {
				return nil, false, stepErr(reason, fmt.Errorf("downloading compatibility metadata image %s: %w", ref, err), true)
			}
			r.markBroken(pinned, err.Error())
			skipped = append(skipped, fmt.Sprintf("%s: %v", tag, err))
			continue
		}
		md, err := compatibility.ParseMetadata(data)
		if err != nil {
			r.markBroken(pinned, err.Error())
			skipped = append(skipped, fmt.Sprintf("%s: %v", tag, err))
			continue
		}
		canonical, err := yaml.Marshal(md)
		if err != nil {
			return nil, false, stepErr(reason, err, false)
		}
		changed := false
		for _, ns := range []string{r.Opts.LegacyNamespace, r.Opts.Namespace} {
			c, err := r.writeMetadata(ctx, ns, canonical, pinned)
			if err != nil {
				return img, changed, stepErr(reason, err, true)
			}
			changed = changed || c
		}
		return img, changed, warning(ref)
	}
	return nil, false, stepErr(reason, fmt.Errorf("no compatibility metadata image in %s could be read (%s); ConfigMap %s/%s is left as it was", repo, strings.Join(skipped, "; "), r.Opts.Namespace, compatibility.MetadataConfigMap), false)
}

// writeMetadata creates or updates bom-metadata in ns ("" does nothing) and reports whether it
// changed. A missing namespace is not an error: the legacy one need not exist.
func (r *Reconciler) writeMetadata(ctx context.Context, ns string, data []byte, pinned string) (bool, error) {
	if ns == "" {
		return false, nil
	}
	return r.writeConfigMap(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: compatibility.MetadataConfigMap,
			Annotations: map[string]string{AnnotationSourceImage: pinned}},
		BinaryData: map[string][]byte{compatibility.MetadataKey: data},
	})
}

// upToDate reports whether cm holds, unedited, what tkr-source wrote from the image at pinned.
func upToDate(cm *corev1.ConfigMap, pinned string) bool {
	return cm.Annotations[AnnotationSourceImage] == pinned && cm.Annotations[AnnotationContentDigest] == contentDigest(cm.BinaryData)
}

// contentDigest is the digest of binaryData, keys in order.
func contentDigest(data map[string][]byte) string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(data)) {
		fmt.Fprintf(h, "%d:%s%d:", len(k), k, len(data[k]))
		h.Write(data[k])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// writeConfigMap creates want, or updates the existing ConfigMap's labels, annotations and
// binaryData to want's, keeping everything else, and records the digest of the binaryData. It
// reports whether anything changed. A missing namespace is ignored.
func (r *Reconciler) writeConfigMap(ctx context.Context, want *corev1.ConfigMap) (bool, error) {
	metav1.SetMetaDataAnnotation(&want.ObjectMeta, AnnotationContentDigest, contentDigest(want.BinaryData))
	name := want.Namespace + "/" + want.Name
	got := &corev1.ConfigMap{}
	err := r.Reader.Get(ctx, client.ObjectKeyFromObject(want), got)
	switch {
	case apierrors.IsNotFound(err):
		if err := r.Client.Create(ctx, want); err != nil {
			if apierrors.IsNotFound(err) {
				return false, nil
			}
			return false, fmt.Errorf("creating ConfigMap %s: %w", name, err)
		}
		return true, nil
	case err != nil:
		return false, fmt.Errorf("reading ConfigMap %s: %w", name, err)
	}
	changed := false
	for k, v := range want.Labels {
		if got.Labels[k] != v {
			metav1.SetMetaDataLabel(&got.ObjectMeta, k, v)
			changed = true
		}
	}
	for k, v := range want.Annotations {
		if got.Annotations[k] != v {
			metav1.SetMetaDataAnnotation(&got.ObjectMeta, k, v)
			changed = true
		}
	}
	if !binaryEqual(got.BinaryData, want.BinaryData) {
		got.BinaryData = want.BinaryData
		changed = true
	}
	if !changed {
		return false, nil
	}
	if err := r.Client.Update(ctx, got); err != nil {
		return false, fmt.Errorf("updating ConfigMap %s: %w", name, err)
	}
	return true, nil
}

func binaryEqual(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

// numericTags returns the tags that are a number with an optional leading v, newest first. The
// tag is kept as listed (the original re-added the v, so a tag "7" was fetched as "v7").
func numericTags(tags []string) []string {
	type nt struct {
		tag string
		n   uint64
	}
	var ns []nt
	for _, t := range tags {
		if n, err := strconv.ParseUint(strings.TrimPrefix(t, "v"), 10, 64); err == nil {
			ns = append(ns, nt{t, n})
		}
	}
	slices.SortStableFunc(ns, func(a, b nt) int {
		switch {
		case a.n > b.n:
			return -1
		case a.n < b.n:
			return 1
		}
		return strings.Compare(a.tag, b.tag)
	})
	out := make([]string, 0, len(ns))
	for _, x := range ns {
		out = append(out, x.tag)
	}
	return out
}

// compatibleSet computes the releases to pull, exactly as the status controller decides
// Compatible.
func (r *Reconciler) compatibleSet(ctx context.Context, rep *report) ([]string, error) {
	src, err := compatibilityinputs.Reader{Clusters: r.Reader, ConfigMaps: r.Reader,
		Namespace: r.Opts.Namespace, TKGVersion: r.Opts.TKGVersion}.Read(ctx)
	if err != nil {
		return nil, err
	}
	rep.tkgVersion, rep.tkgVersionFrom = src.ManagementClusterVersion, src.ManagementClusterVersionFrom
	return compatibility.New(src).Versions(), nil
}

// syncBOMs puts the BOM image of every compatible release into a ConfigMap named after the
// release, in the namespace and the legacy namespace. A BOM at the digest already recorded is not
// downloaded again; one whose digest changed is refreshed (the original never refreshed BOMs).
// A release without a BOM image is noted, not failed: bring-your-own releases often have none.
func (r *Reconciler) syncBOMs(ctx context.Context, reg *registry.Client, rep *report) *stepError {
	const reason = "BOMUnavailable"
	if len(rep.compatible) == 0 {
		return nil
	}
	repo := r.Opts.BOMImagePath
	tags, err := r.tags(ctx, reg, repo)
	if err != nil {
		return stepErr(reason, fmt.Errorf("listing the BOM images: %w", err), isTransient(err))
	}
	have := map[string]bool{}
	for _, t := range tags {
		have[t] = true
	}
	existing := &corev1.ConfigMapList{}
	if err := r.Reader.List(ctx, existing, client.InNamespace(r.Opts.Namespace), client.HasLabels{LabelBOM}); err != nil {
		return stepErr(reason, fmt.Errorf("listing the BOM ConfigMaps in %s: %w", r.Opts.Namespace, err), true)
	}
	byTag := map[string]*corev1.ConfigMap{}
	for i := range existing.Items {
		if t := existing.Items[i].Annotations[AnnotationBOMImageTag]; t != "" {
			byTag[t] = &existing.Items[i]
		}
	}
	var serr *stepError
	for _, v := range rep.compatible {
		tag := version.ImageTag(v)
		if !have[tag] {
			rep.bomNotes[v] = fmt.Sprintf("The registry has no BOM image %s:%s.", repo, tag)
			continue
		}
		ref := repo + ":" + tag
		digest, err := r.digest(ctx, reg, ref)
		if err != nil {
			serr = serr.add(reason, fmt.Errorf("reading BOM image %s: %w", ref, err), isTransient(err))
			continue
		}
		pinned := ref + "@" + digest
		if cm := byTag[tag]; cm != nil && upToDate(cm, pinned) {
			rep.boms[v] = cm.Name
			// The legacy copy may be missing: its namespace may be newer than the BOM.
			if r.Opts.LegacyNamespace != "" {
				legacy := cm.DeepCopy()
				legacy.ObjectMeta = metav1.ObjectMeta{Namespace: r.Opts.LegacyNamespace, Name: cm.Name, Labels: cm.Labels, Annotations: cm.Annotations}
				if _, err := r.writeConfigMap(ctx, legacy); err != nil {
					serr = serr.add(reason, err, true)
				}
			}
			continue
		}
		if msg, ok := r.brokenImage(pinned); ok {
			rep.bomNotes[v] = msg
			serr = serr.add("BOMInvalid", fmt.Errorf("%s", msg), false)
			continue
		}
		_, _, data, err := r.oneFile(ctx, reg, ref)
		if err != nil {
			if !isTransient(err) {
				r.markBroken(pinned, fmt.Sprintf("BOM image %s cannot be used: %v; publish a fixed one.", pinned, err))
			}
			serr = serr.add(reason, fmt.Errorf("downloading BOM image %s: %w", ref, err), isTransient(err))
			continue
		}
		b, err := bom.Parse(data)
		if err != nil {
			msg := fmt.Sprintf("BOM image %s is not a valid TKR BOM: %v; publish a fixed one.", pinned, err)
			r.markBroken(pinned, msg)
			rep.bomNotes[v] = msg
			serr = serr.add("BOMInvalid", fmt.Errorf("%s", msg), false)
			continue
		}
		name := b.TKRName()
		for _, ns := range []string{r.Opts.LegacyNamespace, r.Opts.Namespace} {
			if ns == "" {
				continue
			}
			_, err := r.writeConfigMap(ctx, &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name,
					Labels:      map[string]string{LabelBOM: name},
					Annotations: map[string]string{AnnotationBOMImageTag: tag, AnnotationSourceImage: pinned}},
				BinaryData: map[string][]byte{BOMKey: data},
			})
			if err != nil {
				serr = serr.add(reason, err, true)
			}
		}
		rep.boms[v] = name
	}
	return serr
}

// brokenImage returns why the image at pinned (a digest reference) was found unusable. The memo
// lasts one polling interval, so a download cut short that looked like bad content is retried.
func (r *Reconciler) brokenImage(pinned string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.broken[pinned]
	if !ok || time.Since(b.at) > r.Opts.ContinuousDiscoverFrequency {
		return "", false
	}
	return b.msg, true
}

func (r *Reconciler) markBroken(pinned, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.broken == nil {
		r.broken = map[string]brokenImage{}
	}
	r.broken[pinned] = brokenImage{msg: msg, at: time.Now()}
}

type brokenImage struct {
	msg string
	at  time.Time
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	const shown = 10
	if len(xs) > shown {
		return strings.Join(xs[:shown], ", ") + fmt.Sprintf(" and %d more", len(xs)-shown)
	}
	return strings.Join(xs, ", ")
}
