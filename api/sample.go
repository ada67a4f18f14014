package api

import (
	"encoding/json"
	"time"

	"github.com/vigie-cti/vigie"
)

// Sample is the answer of POST /api/v1/samples and GET
// /api/v1/samples/{sha256}: a submitted sample, its triage report, and
// the similar samples the caller may read.
type Sample struct {
	SHA256     string          `json:"sha256"`
	Name       string          `json:"name,omitempty"`
	Size       int64           `json:"size"`
	Type       string          `json:"type"`
	TLP        string          `json:"tlp"`
	Root       string          `json:"api_root"`
	Collection string          `json:"collection"`
	Yours      bool            `json:"yours"` // submitted by the caller's organisation
	Submitted  time.Time       `json:"submitted"`
	AnalysisID string          `json:"analysis_id,omitempty"` // the STIX malware-analysis object
	FileID     string          `json:"file_id,omitempty"`     // the STIX file object
	Existing   bool            `json:"existing,omitempty"`    // the organisation had submitted it already
	Report     json.RawMessage `json:"report"`                // triage.Report
	Similar    []SimilarSample `json:"similar"`
	// Only in the answer to a submission, from what the submitter may
	// read: the YARA rules of indicators that match the sample, and the
	// indicators whose STIX pattern names its hashes.
	YARA       []YARAHit         `json:"yara,omitempty"`
	Indicators []vigie.ObjectRef `json:"indicators,omitempty"`
}

// YARAHit is a YARA rule of a shared indicator that matched a sample.
type YARAHit struct {
	Indicator string `json:"indicator"`
	Rule      string `json:"rule"`
}

// SimilarSample is a sample like another, among those the caller may
// read. The organisation that submitted it is not named.
type SimilarSample struct {
	SHA256       string `json:"sha256"`
	Type         string `json:"type"`
	Size         int64  `json:"size"`
	TLP          string `json:"tlp"`
	Root         string `json:"api_root"`
	Collection   string `json:"collection"`
	AnalysisID   string `json:"analysis_id,omitempty"`
	TLSHDistance int    `json:"tlsh_distance"` // -1 when either has no TLSH
	SSDEEPScore  int    `json:"ssdeep_score"`
	ImphashEqual bool   `json:"imphash_equal"`
	Yours        bool   `json:"yours"`
}
