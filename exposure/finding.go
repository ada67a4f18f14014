// Package exposure matches the components of SBOMs against advisories and
// keeps the result current as either side changes: an Index holds the
// components of many SBOMs by package, so that a new or updated advisory is
// checked only against the components it names and a new SBOM only against
// the advisories of its packages, and reports each change as findings the
// early-warning engine can turn into alerts. VEX statements of the product's
// vendor suppress findings (kept, with the justification) or mark them
// under investigation. Writers render a report as a table, JSON or SARIF
// 2.1.0.
package exposure

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/vigie-cti/vigie/sbom"
	"github.com/vigie-cti/vigie/vex"
)

// SBOMRef identifies an SBOM held by an Index: the key the hub gives it,
// the organisation that owns it, and the product version it describes.
type SBOMRef struct {
	ID             string `json:"id"`
	Org            string `json:"org,omitempty"`
	Product        string `json:"product,omitempty"`
	ProductVersion string `json:"product_version,omitempty"`
}

// State is what a finding means for its product once VEX is applied.
type State string

// The states. A finding is affected unless a VEX statement of the product
// says otherwise: not_affected and fixed suppress it (it stays visible,
// with the justification), under_investigation marks it so.
const (
	Affected           State = "affected"
	Suppressed         State = "suppressed"
	UnderInvestigation State = "under_investigation"
)

// Component is the component of a finding.
type Component struct {
	Ref        string          `json:"ref,omitempty"`
	Name       string          `json:"name"`
	Version    string          `json:"version"`
	PURL       string          `json:"purl,omitempty"`
	CPE        string          `json:"cpe,omitempty"`
	Ecosystem  string          `json:"ecosystem,omitempty"`
	Dependency sbom.Dependency `json:"dependency,omitempty"`
}

// Decision is the VEX statement applied to a finding.
type Decision struct {
	Status          vex.Status `json:"status"`
	Justification   string     `json:"justification,omitempty"`
	ImpactStatement string     `json:"impact_statement,omitempty"`
	ActionStatement string     `json:"action_statement,omitempty"`
	Source          string     `json:"source,omitempty"`
	// Timestamp is when the statement was made (the statement's own time,
	// else its document's), zero if the VEX gave none.
	Timestamp time.Time `json:"timestamp,omitzero"`
}

// Finding is one vulnerability, or one malicious package, in one component
// of one SBOM. Advisories that are the same vulnerability under different
// ids (aliases) make one finding: ID is the chosen one, Aliases the others.
type Finding struct {
	SBOM         SBOMRef   `json:"sbom"`
	ID           string    `json:"id"`
	Aliases      []string  `json:"aliases,omitempty"`
	Summary      string    `json:"summary,omitempty"`
	Malicious    bool      `json:"malicious,omitempty"`
	Severity     string    `json:"severity,omitempty"` // critical, high, medium, low, none, or "" if unknown
	Score        float64   `json:"score,omitempty"`
	Component    Component `json:"component"`
	FixedVersion string    `json:"fixed_version,omitempty"`
	// Published is when the vulnerability was first published: the
	// earliest publication date among the matched advisories, zero if
	// none gives one.
	Published time.Time `json:"published,omitzero"`
	State     State     `json:"state"`
	VEX       *Decision `json:"vex,omitempty"`
	// Matched lists the advisories whose affected versions include the
	// component (ID and some of Aliases).
	Matched []string `json:"matched"`
}

// IDs returns the finding's id and aliases.
func (f *Finding) IDs() []string { return append([]string{f.ID}, f.Aliases...) }

// Open reports whether the finding needs action: affected or under
// investigation, not suppressed.
func (f *Finding) Open() bool { return f.State != Suppressed }

// stateOrder ranks states for display: affected, then under
// investigation, then suppressed.
func stateOrder(s State) int {
	switch s {
	case Affected:
		return 0
	case UnderInvestigation:
		return 1
	}
	return 2
}

// Sort orders findings for people: malicious packages first, then open
// before suppressed, then by score (highest first), then by id, SBOM and
// component.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if a.Malicious != b.Malicious {
			if a.Malicious {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(stateOrder(a.State), stateOrder(b.State)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		if c := strings.Compare(a.SBOM.ID, b.SBOM.ID); c != 0 {
			return c
		}
		if c := strings.Compare(a.Component.Name, b.Component.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Component.Version, b.Component.Version)
	})
}

// Counts summarises findings by state.
type Counts struct {
	Affected           int `json:"affected"`
	UnderInvestigation int `json:"under_investigation"`
	Suppressed         int `json:"suppressed"`
	Malicious          int `json:"malicious"`
}

// Count counts findings by state; Malicious counts the open malicious ones.
func Count(fs []Finding) Counts {
	var c Counts
	for _, f := range fs {
		switch f.State {
		case Affected:
			c.Affected++
		case UnderInvestigation:
			c.UnderInvestigation++
		case Suppressed:
			c.Suppressed++
		}
		if f.Malicious && f.Open() {
			c.Malicious++
		}
	}
	return c
}

// Open returns how many findings are open (affected or under
// investigation).
func (c Counts) Open() int { return c.Affected + c.UnderInvestigation }
