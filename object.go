package vigie

import (
	"encoding/json"
	"time"
)

// Object is one stored version of a STIX object in a collection: the raw
// JSON exactly as received, and the columns queries and rules need.
type Object struct {
	Collection  string
	ID          string // type--UUID
	Type        string
	SpecVersion string
	Version     string    // TAXII version: modified, else created, else date_added, as received
	VersionKey  string    // Version as a sortable, comparable key (see VersionKey)
	DateAdded   time.Time // microsecond precision, strictly increasing in a collection
	Sharing
	Raw json.RawMessage
}

// VersionKey turns a STIX timestamp into a fixed-width UTC string that sorts
// and compares like the instant it names (nanosecond precision), so
// "2020-01-01T00:00:00Z" and "2020-01-01T00:00:00.000Z" are one version.
func VersionKey(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}

// Status is a TAXII status resource: the outcome of one POST of objects.
// vigie processes envelopes synchronously, so a stored status is complete.
type Status struct {
	ID          string
	Root        string
	OrgID       string // the organisation that posted; only it may read the status
	RequestTime time.Time
	Total       int
	Successes   []StatusDetail
	Failures    []StatusDetail
}

// StatusDetail is the outcome for one object of a POST.
type StatusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

// VersionFilter is TAXII's match[version]: any of the first and last
// version, every version, or exact versions (as VersionKey values). The
// zero value means "last", the TAXII default.
type VersionFilter struct {
	First, Last, All bool
	Exact            []string
}

// IsZero reports whether no version was asked for.
func (f VersionFilter) IsZero() bool {
	return !f.First && !f.Last && !f.All && len(f.Exact) == 0
}

// ObjectQuery selects object versions in one collection for a reader. Every
// filter is ANDed; versions are picked among those the reader may read, so
// "last" never reveals that a newer, hidden version exists.
type ObjectQuery struct {
	Collection   string
	Scope        ReadScope
	AddedAfter   time.Time // exclusive; zero for no bound
	Limit        int       // at most this many; the store's caller caps it
	IDs          []string
	Types        []string
	Versions     VersionFilter
	SpecVersions []string
	Publisher    string // only versions this organisation published ("" for any)
	WithoutRaw   bool   // the manifest and versions endpoints need no bodies
}

// ObjectPage is one page of objects, sorted by DateAdded ascending.
type ObjectPage struct {
	Objects []*Object
	More    bool // more objects match after the last one of the page
}
