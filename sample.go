package vigie

import (
	"context"
	"encoding/json"
	"regexp"
	"time"
)

// Audit action and alert trigger of malware triage.
const (
	AuditSampleSubmit = "sample.submit" // a sample submitted and triaged
	AuditSampleFetch  = "sample.fetch"  // a sample's content downloaded
	// TriggerSimilarSample is the trigger of alerts telling a member that
	// a sample similar to one it shared was submitted (the submitter is
	// not named).
	TriggerSimilarSample = "similar-sample"
)

// Sample is one organisation's submission of a file for triage. The file
// is stored apart (SampleStore.SampleBlob), compressed and never as a
// runnable file; who may read the sample follows the rules of objects:
// it is published in a collection (with its STIX file, artifact and
// malware-analysis objects) and marked with a TLP level.
type Sample struct {
	ID         int64 // the store's row id
	SHA256     string
	OrgID      string // the submitter, owner of the sample
	Root       string // where its STIX objects are published
	Collection string
	TLP        TLP // TLPNone: the hub's default
	Recipients []string
	Name       string // the file name given at submission
	Size       int64
	Type       string // the triage's file type
	TLSH       string
	SSDEEP     string
	Imphash    string
	Report     json.RawMessage // the triage report (triage.Report)
	AnalysisID string          // the malware-analysis object
	FileID     string          // the file object
	Created    time.Time
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidSHA256 reports whether s is a SHA-256 in lower-case hex.
func ValidSHA256(s string) bool { return sha256Hex.MatchString(s) }

// Sharing returns what decides who may read the sample (CanRead).
func (s *Sample) Sharing() Sharing {
	return Sharing{Publisher: s.OrgID, TLP: s.TLP, Recipients: s.Recipients}
}

// Validate reports an EINVALID error when the sample cannot be stored.
func (s *Sample) Validate() error {
	switch {
	case !ValidSHA256(s.SHA256):
		return Errorf(EINVALID, "sample sha256 %q: want 64 lower-case hex digits", s.SHA256)
	case s.OrgID == "" || s.Collection == "":
		return Errorf(EINVALID, "sample needs its organisation and collection")
	case len(s.Name) > 255:
		return Errorf(EINVALID, "sample name longer than 255 characters")
	}
	return nil
}

// SampleStore keeps submitted samples.
type SampleStore interface {
	// CreateSample stores a sample and its encoded content, and sets
	// s.ID. ECONFLICT if its organisation submitted this SHA-256 already,
	// ENOTFOUND if the organisation does not exist.
	CreateSample(ctx context.Context, s *Sample, blob []byte) error
	// FindSamples returns every organisation's submissions of a SHA-256,
	// oldest first (none: an empty list).
	FindSamples(ctx context.Context, sha256 string) ([]*Sample, error)
	// SamplesByID returns the samples with these ids that exist, without
	// their reports, in id order.
	SamplesByID(ctx context.Context, ids []int64) ([]*Sample, error)
	// SampleFingerprints returns up to limit samples with an id above
	// after, in id order, without their reports (to build the similarity
	// index).
	SampleFingerprints(ctx context.Context, after int64, limit int) ([]*Sample, error)
	// SampleBlob returns a sample's encoded content. ENOTFOUND.
	SampleBlob(ctx context.Context, id int64) ([]byte, error)
}
