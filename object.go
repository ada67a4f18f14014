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
	// Author is the object's created_by_ref ("" without one): the
	// publisher's identity, or a third party's (MITRE, a vendor, a feed)
	// whose object the publisher relays.
	Author string
	// Owner and Digest are what AddObjects records for the id when it has
	// no ownership record yet (see Ownership). Owner "" records nothing
	// (the TLP marking definitions, which no one owns). Objects fills
	// Owner as the row has it ("" for ids stored before ownership moved
	// onto the rows), not Digest.
	Owner  string
	Digest string
	Raw    json.RawMessage
	// Words are the words of the text index (SearchText), when WordsRead;
	// AddObjects reads them from Raw otherwise (the hub sets them from the
	// object it already decoded).
	Words     string
	WordsRead bool
}

// RelayedBy returns the organisation that published this version of a
// third-party object (Author names someone else than the Publisher), or
// "" for an object its publisher authored or that names no author.
func (o *Object) RelayedBy() string {
	if o.Author != "" && o.Author != o.Publisher {
		return o.Publisher
	}
	return ""
}

// Ownership is the hub-wide record of who owns an object id: the
// organisation that published its first version, in any collection. Only
// the owner publishes new versions of the id. The record outlives the
// object's deletion (a tombstone), so that nobody else can claim the id by
// publishing it again; the owner may.
type Ownership struct {
	ID     string
	Owner  string // organisation id
	Author string // created_by_ref of the first version ("" without one)
	// Digest is, for objects without versions (SCOs), the hex SHA-256 of
	// the first copy's canonical JSON (see hub), so that an identical copy
	// by another organisation is recognised; "" for versioned objects and
	// for SCOs stored before ownership was recorded.
	Digest string
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
	// Contains selects versions whose raw JSON holds any of these byte
	// strings (the dashboard's search; empty for any).
	Contains []string
	// Text selects versions whose SearchText matches the query (the
	// dashboard's text search); the page then holds the newest matches,
	// newest first.
	Text *TextQuery
}

// ObjectPage is one page of objects, sorted by DateAdded ascending (newest
// first for a Text query).
type ObjectPage struct {
	Objects []*Object
	More    bool // more objects match after the last one of the page
}
