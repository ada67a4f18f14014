package vigie

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The audit actions of federation (AuditPeerAdd and AuditPeerDelete are
// in audit.go).
const (
	AuditPeerPause   = "peer.pause"      // a peer paused or resumed
	AuditHubOperator = "hub.operator"    // the hub's operator organisation set
	AuditRelay       = "objects.relay"   // object versions relayed from a peer into a local collection
	AuditRelayDelete = "objects.retract" // relayed versions deleted because their origin deleted or narrowed them
)

// HubIdentity is the stable identity of a hub among its peers: a UUID made
// once, when the store is first used as a hub, and the organisation that
// operates the hub. TAXII discovery shows it; relayed objects carry the id
// of the hub they originate from.
type HubIdentity struct {
	ID       string    `json:"id"`                 // UUID
	Operator string    `json:"operator,omitempty"` // organisation id ("" until set)
	Created  time.Time `json:"created"`
}

// Secret is a credential the hub keeps to present to someone else (the key
// of a peer hub). It never prints: String, JSON and log values are
// "[redacted]"; Reveal returns the value for the one place that sends it.
type Secret string

// String returns "[redacted]" (or "" for an empty secret).
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString is String, for %#v.
func (s Secret) GoString() string { return s.String() }

// MarshalJSON writes the redacted form.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// LogValue is the redacted form, for log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Reveal returns the secret itself.
func (s Secret) Reveal() string { return string(s) }

// Peer is another hub this hub pulls objects from: the remote collection
// at URL (the remote API root) read with Key, relayed into the local
// collection, whose read grants decide which local organisations see what
// arrives.
type Peer struct {
	Name             string `json:"name"`
	URL              string `json:"url"` // the remote API root, https://hub-b:8443/coalition/
	Key              Secret `json:"-"`   // the key of role peer the remote hub issued us
	KeyID            string `json:"key_id,omitempty"`
	Fingerprint      string `json:"fingerprint,omitempty"` // pinned SHA-256 of the remote certificate
	CAPEM            string `json:"-"`                     // PEM roots to check the remote certificate against
	RemoteCollection string `json:"remote_collection"`
	LocalCollection  string `json:"local_collection"`
	Paused           bool   `json:"paused"`
	// Push: this hub posts what may leave its local collection into the
	// peer's remote collection (for a peer that cannot reach this hub),
	// instead of pulling from it.
	Push bool `json:"push,omitempty"`
	// Policy narrows what a push sends to this peer (see EgressPolicy).
	Policy  EgressPolicy `json:"policy,omitzero"`
	Created time.Time    `json:"created"`
	State   PeerState    `json:"state"`
}

var peerName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Validate reports an EINVALID error when the peer cannot be stored.
func (p *Peer) Validate() error {
	if !peerName.MatchString(p.Name) {
		return Errorf(EINVALID, "peer name %q: want 1-64 letters, digits, '.', '_' or '-'", p.Name)
	}
	u, err := url.Parse(p.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return Errorf(EINVALID, "peer URL %q: want the remote API root, such as https://hub-b:8443/coalition/", p.URL)
	}
	if strings.Trim(u.Path, "/") == "" {
		return Errorf(EINVALID, "peer URL %q names no API root: want https://hub-b:8443/ROOT/", p.URL)
	}
	if u.Scheme == "http" && (p.Fingerprint != "" || p.CAPEM != "") {
		return Errorf(EINVALID, "peer URL %s is plain http: a CA or a fingerprint needs https", p.URL)
	}
	if p.Key == "" || strings.ContainsAny(string(p.Key), " \t\r\n") {
		return Errorf(EINVALID, "peer %s: want the API key the remote hub issued (one line)", p.Name)
	}
	if !isUUID(p.RemoteCollection) || !isUUID(p.LocalCollection) {
		return Errorf(EINVALID, "peer %s: the remote and local collections are collection ids (UUIDs)", p.Name)
	}
	if !p.Push && !p.Policy.IsZero() {
		return Errorf(EINVALID, "peer %s: an egress policy narrows what this hub sends; a peer it pulls from sets its own (vigie admin peer policy set ORG on that hub)", p.Name)
	}
	return p.Policy.Validate()
}

// StateName says in a word where the peer stands: paused, failing (its
// last exchange failed), starting, catching-up or up-to-date.
func (p *Peer) StateName() string {
	switch {
	case p.Paused:
		return "paused"
	case p.State.LastError != "" && p.State.ErrorAt.After(p.State.LastSync):
		return "failing"
	case p.State.LastSync.IsZero() && p.State.Cursor.IsZero():
		return "starting"
	case !p.State.CaughtUp:
		return "catching-up"
	}
	return "up-to-date"
}

// Lag returns how far behind the peer is at now: seconds since it was
// last known caught up (0 while up to date), and objects known to be
// waiting (a lower bound).
func (p *Peer) Lag(now time.Time) (seconds, objects int64) {
	if p.State.CaughtUp && p.State.LastError == "" {
		return 0, 0
	}
	since := p.State.LastSync
	if since.IsZero() {
		since = p.Created
	}
	return int64(now.Sub(since) / time.Second), p.State.Backlog
}

// PeerState is where a peer's pull stands: its cursors (the remote's
// date_added of the last object and tombstone relayed), its progress and
// its counters. It survives restarts of either hub.
type PeerState struct {
	Cursor     time.Time `json:"cursor,omitzero"`      // X-TAXII-Date-Added-Last of the last page of objects relayed
	TombCursor time.Time `json:"tomb_cursor,omitzero"` // the same for tombstones
	CaughtUp   bool      `json:"caught_up"`            // the last page said there was no more
	// Backlog is how many objects the last pages said were still to come
	// (0 when caught up; a lower bound while paging).
	Backlog   int64      `json:"backlog"`
	LastSync  time.Time  `json:"last_sync,omitzero"` // last successful exchange
	LastError string     `json:"last_error,omitempty"`
	ErrorAt   time.Time  `json:"error_at,omitzero"`
	Stats     RelayStats `json:"stats"`
	// SightingStreams is how far the sightings sent back to the peer go:
	// per stream (one per local collection), the date_added (Unix µs) of
	// the last version scanned; for a push, how far those fetched from
	// the peer go, per stream of the peer.
	SightingStreams map[string]int64 `json:"sighting_streams,omitempty"`
}

// RelayStats counts what arrived from a peer and what became of it.
type RelayStats struct {
	Received      int64 `json:"received"`       // object versions received
	Stored        int64 `json:"stored"`         // stored as new versions
	Duplicates    int64 `json:"duplicates"`     // versions already stored (another path, a retry)
	Looped        int64 `json:"looped"`         // originating from this hub: dropped
	Spoofed       int64 `json:"spoofed"`        // claiming one of this hub's organisations: dropped
	NotOwner      int64 `json:"not_owner"`      // a version of an id another organisation owns: dropped
	TooRestricted int64 `json:"too_restricted"` // marked above TLP:GREEN: dropped (a peer must never send them)
	Invalid       int64 `json:"invalid"`        // not valid STIX 2.1, or refused by the publishing rules
	Retracted     int64 `json:"retracted"`      // versions deleted because their origin deleted or narrowed them
	// SightingsSent sums the counts of sightings sent back to the peer
	// (its indicators, sighted by this hub's members); SightingsDropped
	// counts those it did not take (an indicator it no longer shares).
	SightingsSent    int64 `json:"sightings_sent"`
	SightingsDropped int64 `json:"sightings_dropped"`
	// SightingsReceived sums the counts of sightings fetched from a peer
	// this hub pushes to (its members' sightings of what was pushed).
	SightingsReceived int64 `json:"sightings_received"`
}

// Add adds o's counts to s.
func (s *RelayStats) Add(o RelayStats) {
	s.Received += o.Received
	s.Stored += o.Stored
	s.Duplicates += o.Duplicates
	s.Looped += o.Looped
	s.Spoofed += o.Spoofed
	s.NotOwner += o.NotOwner
	s.TooRestricted += o.TooRestricted
	s.Invalid += o.Invalid
	s.Retracted += o.Retracted
	s.SightingsSent += o.SightingsSent
	s.SightingsDropped += o.SightingsDropped
	s.SightingsReceived += o.SightingsReceived
}

// Origin is where a relayed object comes from: the hub it was first
// published on and the organisation that owns it there. Recorded once per
// id, by the first peer that delivered it.
type Origin struct {
	ID      string // the object id
	Hub     string // the origin hub's HubIdentity.ID
	Org     string // the owning organisation's identity id
	OrgName string // its name, as the origin hub relays it
	Peer    string // the peer it arrived through
}

// Tombstone records that one version of an object left a collection:
// deleted by its owner or the hub operator, or retracted from peers
// because a newer version is marked above what may leave the hub. Its
// Sharing is the version's: a tombstone is visible exactly to those who
// could read the version (CanRead), so it reveals no id to anyone else.
type Tombstone struct {
	Collection string
	ID         string
	Version    string // as the version was stored ("" for an SCO)
	VersionKey string
	DateAdded  time.Time // strictly increasing in a collection, like objects'
	Kind       string    // TombstoneDeleted or TombstoneRetracted
	Owner      string    // the organisation that owned the id ("" when not recorded on the row)
	// NarrowedTo is, for a retraction, the level of the newer version that
	// narrowed this one: peers whose ceiling (ReadScope.Ceiling) is below
	// it stop reading the version.
	NarrowedTo TLP
	Sharing
}

// The kinds of tombstones.
const (
	TombstoneDeleted   = "deleted"
	TombstoneRetracted = "retracted"
)

// TombstoneQuery selects a reader's tombstones of one collection.
type TombstoneQuery struct {
	Collection string
	Scope      ReadScope
	AddedAfter time.Time
	Limit      int
}

// TombstonePage is one page of tombstones by DateAdded.
type TombstonePage struct {
	Tombstones []*Tombstone
	More       bool
}

// VersionRef names one stored version of an object.
type VersionRef struct {
	ID         string
	VersionKey string
}

// FederationStore keeps what federation needs: the hub's identity, its
// peers and their cursors, the origin of relayed objects, and tombstones.
// ObjectStore.DeleteObjects writes a TombstoneDeleted per deleted version
// in its own transaction.
type FederationStore interface {
	// HubIdentity returns the hub's identity, creating it with a new UUID
	// the first time (concurrent first calls agree on one).
	HubIdentity(ctx context.Context) (*HubIdentity, error)
	// SetHubOperator records the organisation that operates the hub.
	// ENOTFOUND if it does not exist.
	SetHubOperator(ctx context.Context, orgID string) error
	// CreatePeer stores a peer. ECONFLICT if the name is taken.
	CreatePeer(ctx context.Context, p *Peer) error
	// FindPeer returns a peer with its key. ENOTFOUND.
	FindPeer(ctx context.Context, name string) (*Peer, error)
	// ListPeers returns every peer with its key, by name.
	ListPeers(ctx context.Context) ([]*Peer, error)
	// DeletePeer removes a peer. ENOTFOUND.
	DeletePeer(ctx context.Context, name string) error
	// SetPeerPaused pauses or resumes a peer. ENOTFOUND.
	SetPeerPaused(ctx context.Context, name string, paused bool) error
	// SavePeerState records a peer's state. ENOTFOUND.
	SavePeerState(ctx context.Context, name string, st PeerState) error
	// RecordOrigins records the origin of ids that have none yet; an id's
	// origin never changes.
	RecordOrigins(ctx context.Context, origins []Origin) error
	// Origins returns the recorded origins of those of ids that have one.
	Origins(ctx context.Context, ids []string) (map[string]Origin, error)
	// Tombstones returns one page of the tombstones q selects.
	Tombstones(ctx context.Context, q *TombstoneQuery) (*TombstonePage, error)
	// EgressPolicy returns the egress policy of organisation orgID as a
	// peer (the zero policy when none was set).
	EgressPolicy(ctx context.Context, orgID string) (EgressPolicy, error)
	// SetEgressPolicy records the egress policy of organisation orgID; the
	// zero policy removes it. ENOTFOUND for an unknown organisation.
	SetEgressPolicy(ctx context.Context, orgID string, p EgressPolicy) error
	// SetPeerPolicy records the egress policy of a push peer. ENOTFOUND.
	SetPeerPolicy(ctx context.Context, name string, p EgressPolicy) error
	// RetractVersions writes a TombstoneRetracted for each of the stored
	// versions refs names in collection, narrowed to level to (GREEN or
	// above), in one transaction.
	RetractVersions(ctx context.Context, collection string, refs []VersionRef, to TLP) error
	// AddRelayedSightings adds the sightings of a report (valid) that the
	// organisation of a peer hub sent back, unless the position recorded
	// for its stream is past r.After (then it was added before), and
	// moves the position to r.Through, in one transaction. It returns the
	// stream's position and whether the report was added.
	AddRelayedSightings(ctx context.Context, peerOrg string, r *SightingReport) (int64, bool, error)
	// RelayedCounts sums what peer hubs reported of an indicator seen at
	// or after since.
	RelayedCounts(ctx context.Context, indicatorID string, since time.Time) (RelayedCount, error)
	// RelayedSightingsAfter returns the indicators whose relayed sightings
	// changed after position after (at most limit changes), and the
	// position to continue from: the engine's cursor.
	RelayedSightingsAfter(ctx context.Context, after int64, limit int) ([]string, int64, error)
	// HubSecret returns the hub's 32-byte secret named name, made at
	// random the first time (concurrent first calls agree on one). It
	// never leaves the hub.
	HubSecret(ctx context.Context, name string) ([]byte, error)
}
