package source

import (
	"strings"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/registry"
)

// report is what one sync found and did; writeReport turns it into the
// TanzuKubernetesReleaseSource's status and Events.
type report struct {
	tkgVersion, tkgVersionFrom string
	// compatible are the compatible release versions, sorted.
	compatible []string

	metadata    *runv1alpha3.SourceImage
	metadataErr *stepError
	// metadataChanged is set when bom-metadata was written.
	metadataChanged bool

	bomErr   *stepError
	boms     map[string]string // release version → BOM ConfigMap name
	bomNotes map[string]string // release version → why it has no BOM ConfigMap

	releasesErr *stepError
	// releasesEvaluated is set once every compatible release has been looked at; a step that
	// failed before (the registry or the API server unreachable) leaves the last report as it was.
	releasesEvaluated bool
	releases          map[string]runv1alpha3.SourceRelease
	// applied are the releases installed by this sync (for Events).
	applied []string
	// preserved are OSImages left as a user modified them.
	preserved []string
}

// stepError is the failure of one step (or of some items of it), with a condition reason.
type stepError struct {
	reason string
	errs   []error
	// transient is set when any of errs is worth retrying soon: the registry or the API server
	// could not be reached, as opposed to content that will stay broken until republished.
	transient bool
}

// stepErr starts a stepError with one error.
func stepErr(reason string, err error, transient bool) *stepError {
	return (*stepError)(nil).add(reason, err, transient)
}

// add records err, starting a stepError with reason when e is nil, so a step can collect the
// failures of its items in one variable.
func (e *stepError) add(reason string, err error, transient bool) *stepError {
	if e == nil {
		e = &stepError{reason: reason}
	}
	e.errs = append(e.errs, err)
	e.transient = e.transient || transient
	return e
}

func (e *stepError) Error() string {
	msgs := make([]string, 0, len(e.errs))
	for _, err := range e.errs {
		msgs = append(msgs, sentence(err.Error()))
	}
	return strings.Join(msgs, " ")
}

func (rep *report) transient() bool {
	for _, e := range []*stepError{rep.metadataErr, rep.bomErr, rep.releasesErr} {
		if e != nil && e.transient {
			return true
		}
	}
	return false
}

func (rep *report) firstError() string {
	for _, e := range []*stepError{rep.metadataErr, rep.bomErr, rep.releasesErr} {
		if e != nil {
			return e.Error()
		}
	}
	return ""
}

// isTransient tells registry, network and configuration trouble (retry soon, with backoff) from
// content that stays broken until a new digest is published.
func isTransient(err error) bool { return !registry.IsContent(err) }

// sentence makes a message end with a full stop, so joined messages read as sentences.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}
