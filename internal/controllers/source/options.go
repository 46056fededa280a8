// Package source is tkr-source: it pulls the releases compatible with the management cluster
// from an OCI registry laid out as docs/registry-layout.md describes, and reports what it did on
// a TanzuKubernetesReleaseSource.
//
// One sync does three steps, each skipping what is already in the cluster at the same digest:
//  1. the newest readable compatibility metadata image → ConfigMap bom-metadata;
//  2. the BOM image of every compatible release → a BOM ConfigMap named after the release;
//  3. the repository bundle of every compatible release → its package bundle → the TKR,
//     OSImages, ClusterBootstrapTemplate, add-on config templates and Secrets inside it.
//
// Syncs run at start, every --continuous-discover-frequency, whenever the compatible set may have
// changed (management cluster version, bom-metadata, additional-compatible-tkrs ConfigMaps), when
// a release's marker ConfigMap is deleted, and when the TanzuKubernetesReleaseSource's
// run.tanzu.vmware.com/sync-request annotation changes. Registry failures are retried with
// exponential backoff starting at a second.
package source

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Options configure the source controller; the flags of `tkr manager` fill them.
type Options struct {
	// Name is the TanzuKubernetesReleaseSource the controller reports on. Default "default".
	Name string
	// Namespace receives bom-metadata, the BOM ConfigMaps, the release markers and every
	// namespaced object of a release; it also holds tkr-controller-config and the
	// additional-compatible-tkrs ConfigMaps.
	Namespace string
	// LegacyNamespace, when set, also receives bom-metadata and the BOM ConfigMaps, for
	// consumers that read them from tkr-system.
	LegacyNamespace string
	// BOMImagePath, BOMMetadataImagePath and TKRRepoImagePath are the repositories of the BOM
	// images, the compatibility metadata images and the TKR repository bundles.
	BOMImagePath, BOMMetadataImagePath, TKRRepoImagePath string
	// TKGVersion, when set, is the management cluster's version; else the TKGVERSION annotation
	// of the management Cluster is used.
	TKGVersion string
	// SkipVerify turns off TLS verification of the registry.
	SkipVerify bool
	// Insecure allows plain HTTP to any registry.
	Insecure bool
	// InitialDiscoverFrequency caps the retry backoff until the first successful sync;
	// ContinuousDiscoverFrequency is the polling interval and caps the backoff afterwards.
	InitialDiscoverFrequency, ContinuousDiscoverFrequency time.Duration
	// MinRetryInterval is the first retry delay after a failed sync. Default 1s.
	MinRetryInterval time.Duration
	// Transport, when set, is the registry client's base transport (tests).
	Transport http.RoundTripper
}

// DefaultOptions are the original deployment's defaults.
func DefaultOptions() Options {
	return Options{
		Name:                        "default",
		Namespace:                   "tkg-system",
		InitialDiscoverFrequency:    60 * time.Second,
		ContinuousDiscoverFrequency: 600 * time.Second,
		MinRetryInterval:            time.Second,
	}
}

// Validate reports missing or contradictory settings, naming the flags to fix.
func (o *Options) Validate() error {
	var errs []error
	for _, f := range []struct{ flag, value string }{
		{"--bom-image-path", o.BOMImagePath},
		{"--bom-metadata-image-path", o.BOMMetadataImagePath},
		{"--tkr-repo-image-path", o.TKRRepoImagePath},
	} {
		if f.value == "" {
			errs = append(errs, fmt.Errorf("the source component needs %s (the registry repository it reads, e.g. registry.example.com/tkg/...)", f.flag))
		}
	}
	if o.Namespace == "" {
		errs = append(errs, errors.New("the source component needs --namespace"))
	}
	if o.ContinuousDiscoverFrequency <= 0 || o.InitialDiscoverFrequency <= 0 {
		errs = append(errs, errors.New("--initial-discover-frequency and --continuous-discover-frequency must be positive numbers of seconds"))
	}
	return errors.Join(errs...)
}

func (o *Options) defaults() {
	d := DefaultOptions()
	if o.Name == "" {
		o.Name = d.Name
	}
	if o.MinRetryInterval <= 0 {
		o.MinRetryInterval = d.MinRetryInterval
	}
}

// retryDelay is the backoff after failures consecutive failed syncs: MinRetryInterval doubled
// per failure, capped at the initial frequency until a sync has succeeded and at the continuous
// frequency afterwards. The original waited a fixed 60 s, then 600 s, whatever the error.
func (o *Options) retryDelay(failures int32, succeededOnce bool) time.Duration {
	limit := o.ContinuousDiscoverFrequency
	if !succeededOnce && o.InitialDiscoverFrequency < limit {
		limit = o.InitialDiscoverFrequency
	}
	d := o.MinRetryInterval
	for i := int32(1); i < failures && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}
