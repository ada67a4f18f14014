// Package advisory reads vulnerability and malicious-package advisories (OSV
// records, CSAF 2.0 documents) into one model, keeps the latest version of
// each in a Set with aliases merged, decides which package versions they
// affect with each ecosystem's own version ordering, and converts them to
// STIX 2.1 vulnerability objects.
//
// Errors wrap ErrMalformed (a record that breaks the OSV or CSAF rules),
// ErrTooLarge (over a documented limit) or ErrUnsupported, so that callers
// can map them to vigie.EINVALID, vigie.ETOOLARGE and vigie.EUNSUPPORTED.
package advisory

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// Advisory is one advisory, in the OSV model whatever its source format.
type Advisory struct {
	ID        string
	Aliases   []string // the same vulnerability under other ids (CVE, GHSA, ...)
	Related   []string // related but different vulnerabilities
	Upstream  []string // upstream vulnerabilities this one derives from (CSAF CVEs)
	Summary   string
	Details   string
	Severity  []Severity
	Published time.Time
	Modified  time.Time
	Withdrawn time.Time // zero unless withdrawn
	// Malicious is set for malicious-package records (OSV "MAL-" ids or
	// records with malicious-packages origins).
	Malicious  bool
	Affected   []Affected
	References []Reference
	// Source says where the advisory was read from ("osv", "csaf") and
	// Origin the file or zip entry, for error messages.
	Source string
	Origin string
}

// Severity is one score of an advisory: a CVSS vector, or a qualitative
// rating ("HIGH") when the source gives only that.
type Severity struct {
	Type  string // CVSS_V2, CVSS_V3, CVSS_V4, or a source name such as "GHSA" or "CSAF"
	Score string
}

// Reference is a link about the advisory.
type Reference struct {
	Type string // OSV reference type: ADVISORY, FIX, WEB, REPORT, ...
	URL  string
}

// Affected is one affected package with its affected versions.
type Affected struct {
	Ecosystem string // OSV ecosystem, with its release suffix ("Alpine:v3.18")
	Name      string // package name in the ecosystem, as the advisory writes it
	PURL      string
	// CPEs identify the product for CSAF products known only by CPE.
	CPEs     []string
	Ranges   []Range
	Versions []string
}

// Range is an OSV range: a timeline of events in one version ordering.
type Range struct {
	Type   string // SEMVER, ECOSYSTEM or GIT
	Repo   string
	Events []Event
}

// Event is one OSV range event; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// The range types.
const (
	RangeSemver    = "SEMVER"
	RangeEcosystem = "ECOSYSTEM"
	RangeGit       = "GIT"
)

// The errors readers wrap.
var (
	ErrMalformed   = errors.New("malformed advisory")
	ErrTooLarge    = errors.New("advisory input over the limits")
	ErrUnsupported = errors.New("unsupported advisory format")
)

// IDs returns the advisory's id followed by its aliases and upstream ids:
// every identifier a VEX statement or a user may use for it.
func (a *Advisory) IDs() []string {
	out := make([]string, 0, 1+len(a.Aliases)+len(a.Upstream))
	out = append(out, a.ID)
	for _, id := range slices.Concat(a.Aliases, a.Upstream) {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// IsWithdrawn reports whether the advisory has been withdrawn.
func (a *Advisory) IsWithdrawn() bool { return !a.Withdrawn.IsZero() }

// IsMaliciousID reports whether an id is an OSV malicious-package id.
func IsMaliciousID(id string) bool { return strings.HasPrefix(id, "MAL-") }

// FixedVersions returns the fixed versions the entry's ranges name, in the
// order the ranges give them.
func (af *Affected) FixedVersions() []string {
	var out []string
	for _, r := range af.Ranges {
		for _, e := range r.Events {
			if e.Fixed != "" && !slices.Contains(out, e.Fixed) {
				out = append(out, e.Fixed)
			}
		}
	}
	return out
}
