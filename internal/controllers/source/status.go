package source

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// writeReport writes the sync's report into the TanzuKubernetesReleaseSource and records Events
// for what changed.
func (r *Reconciler) writeReport(ctx context.Context, src *runv1alpha3.TanzuKubernetesReleaseSource, rep *report, failures int32, next time.Duration) error {
	before := src.DeepCopy()
	now := metav1.Now()
	st := &src.Status
	st.Registry = runv1alpha3.SourceRegistry{
		BOMImagePath:         r.Opts.BOMImagePath,
		BOMMetadataImagePath: r.Opts.BOMMetadataImagePath,
		TKRRepoImagePath:     r.Opts.TKRRepoImagePath,
		SkipVerify:           r.Opts.SkipVerify,
	}
	st.TKGVersion, st.TKGVersionFrom = rep.tkgVersion, rep.tkgVersionFrom
	if rep.metadata != nil {
		st.Metadata = rep.metadata
	}
	if rep.releasesEvaluated {
		st.Releases = releaseList(rep)
	}
	st.Summary = summary(st.Releases)
	st.LastSyncTime = &now
	nextAt := metav1.NewTime(now.Add(next))
	st.NextSyncTime = &nextAt
	st.ConsecutiveFailures = failures
	st.ObservedSyncRequest = src.Annotations[runv1alpha3.AnnotationSyncRequest]

	metadata := condition(runv1alpha3.ConditionMetadataSynced, rep.metadataErr, func() string {
		if rep.metadata == nil {
			return ""
		}
		return fmt.Sprintf("ConfigMap %s/bom-metadata holds %s@%s.", r.Opts.Namespace, rep.metadata.Ref, rep.metadata.Digest)
	}())
	boms := condition(runv1alpha3.ConditionBOMsSynced, rep.bomErr, bomMessage(rep))
	releases := condition(runv1alpha3.ConditionReleasesSynced, rep.releasesErr, releasesMessage(rep, r.Opts))
	ready := runv1alpha3.Condition{Type: runv1alpha3.ConditionReady, Status: corev1.ConditionTrue, Reason: "Synced", Message: st.Summary}
	var problems []string
	for _, c := range []runv1alpha3.Condition{metadata, boms, releases} {
		if c.Status != corev1.ConditionTrue {
			ready.Status, ready.Reason, ready.Severity = corev1.ConditionFalse, c.Reason, c.Severity
			problems = append(problems, c.Message)
		}
	}
	if len(problems) > 0 {
		ready.Message = strings.Join(problems, " ")
		if failures > 0 {
			ready.Message += fmt.Sprintf(" Retrying in %s (attempt %d).", next.Round(time.Second), failures+1)
		}
	}
	for _, c := range []runv1alpha3.Condition{ready, metadata, boms, releases} {
		st.Conditions = st.Conditions.With(c, now)
	}
	if err := r.Client.Status().Patch(ctx, src, client.MergeFrom(before)); err != nil {
		return fmt.Errorf("writing the status of TanzuKubernetesReleaseSource %s: %w", src.Name, err)
	}
	r.recordEvents(src, before, rep)
	return nil
}

func condition(t runv1alpha3.ConditionType, err *stepError, okMessage string) runv1alpha3.Condition {
	if err == nil {
		return runv1alpha3.Condition{Type: t, Status: corev1.ConditionTrue, Reason: "Synced", Message: okMessage}
	}
	severity := runv1alpha3.ConditionSeverityWarning
	if err.transient {
		severity = runv1alpha3.ConditionSeverityError
	}
	return runv1alpha3.Condition{Type: t, Status: corev1.ConditionFalse, Severity: severity, Reason: err.reason, Message: err.Error()}
}

func releaseList(rep *report) []runv1alpha3.SourceRelease {
	out := make([]runv1alpha3.SourceRelease, 0, len(rep.compatible))
	for _, v := range rep.compatible {
		rel, ok := rep.releases[v]
		if !ok {
			continue
		}
		rel.BOM = rep.boms[v]
		if note := rep.bomNotes[v]; note != "" && rel.Phase == runv1alpha3.ReleasePhaseApplied {
			rel.Message = note
		}
		out = append(out, rel)
	}
	return out
}

func summary(rels []runv1alpha3.SourceRelease) string {
	if len(rels) == 0 {
		return "no compatible releases"
	}
	applied := 0
	var others []string
	counts := map[string]int{}
	for _, r := range rels {
		if r.Phase == runv1alpha3.ReleasePhaseApplied {
			applied++
		} else {
			counts[r.Phase]++
		}
	}
	for _, p := range []string{runv1alpha3.ReleasePhaseFailed, runv1alpha3.ReleasePhaseNotPublished} {
		if counts[p] > 0 {
			others = append(others, fmt.Sprintf("%d %s", counts[p], strings.ToLower(p)))
		}
	}
	s := fmt.Sprintf("%d/%d applied", applied, len(rels))
	if len(others) > 0 {
		s += ", " + strings.Join(others, ", ")
	}
	return s
}

func bomMessage(rep *report) string {
	var missing []string
	for _, v := range rep.compatible {
		if _, ok := rep.boms[v]; !ok {
			missing = append(missing, v)
		}
	}
	if len(missing) == 0 {
		return fmt.Sprintf("Every compatible release has its BOM ConfigMap (%d).", len(rep.boms))
	}
	return fmt.Sprintf("%d compatible releases have their BOM ConfigMap; %s %s no BOM image.", len(rep.boms), strings.Join(missing, ", "), hasHave(len(missing)))
}

func hasHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

func releasesMessage(rep *report, o Options) string {
	if len(rep.compatible) == 0 {
		return fmt.Sprintf("No release is compatible with management cluster version %q: the compatibility metadata lists none for it and no additional-compatible-tkrs ConfigMap in %s lists any.", rep.tkgVersion, o.Namespace)
	}
	return fmt.Sprintf("All %d compatible releases are applied.", len(rep.compatible))
}

// recordEvents records what this sync changed: releases applied, failures that are new, and
// OSImages kept because a user modified them.
func (r *Reconciler) recordEvents(src, before *runv1alpha3.TanzuKubernetesReleaseSource, rep *report) {
	if r.Events == nil {
		return
	}
	if rep.metadataChanged && rep.metadata != nil {
		r.Events.Eventf(src, nil, corev1.EventTypeNormal, "MetadataUpdated", "Sync", "ConfigMap %s/bom-metadata now holds %s@%s.", r.Opts.Namespace, rep.metadata.Ref, rep.metadata.Digest)
	}
	for _, v := range rep.applied {
		rel := rep.releases[v]
		r.Events.Eventf(src, nil, corev1.EventTypeNormal, "ReleaseApplied", "Sync", "Applied release %s from %s.", v, rel.Bundle)
	}
	prev := map[string]runv1alpha3.SourceRelease{}
	for _, rel := range before.Status.Releases {
		prev[rel.Version] = rel
	}
	for _, v := range rep.compatible {
		rel := rep.releases[v]
		if rel.Phase == runv1alpha3.ReleasePhaseApplied || rel.Phase == "" {
			continue
		}
		if p, ok := prev[v]; ok && p.Phase == rel.Phase && p.Message == rel.Message {
			continue
		}
		r.Events.Eventf(src, nil, corev1.EventTypeWarning, "Release"+rel.Phase, "Sync", "%s", rel.Message)
	}
	if len(rep.preserved) > 0 {
		slices.Sort(rep.preserved)
		r.Events.Eventf(src, nil, corev1.EventTypeNormal, "OSImagesPreserved", "Sync", "Kept OSImages %s as modified in the cluster; delete them to get the published version.", strings.Join(rep.preserved, ", "))
	}
	// One Event per streak of failed syncs, not one per retry.
	if rep.transient() && src.Status.ConsecutiveFailures == 1 {
		r.Events.Eventf(src, nil, corev1.EventTypeWarning, "SyncFailed", "Sync", "%s", rep.firstError())
	}
}
