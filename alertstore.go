package vigie

import (
	"context"
	"time"
)

// WatchStore keeps the organisations' watchlists.
type WatchStore interface {
	// CreateWatch stores an entry (already normalised). ECONFLICT if the
	// organisation watches that value already.
	CreateWatch(ctx context.Context, w *WatchEntry) error
	// ListWatches returns an organisation's entries ("" for every one).
	ListWatches(ctx context.Context, orgID string) ([]*WatchEntry, error)
	// DeleteWatch deletes an organisation's entry. ENOTFOUND.
	DeleteWatch(ctx context.Context, orgID, id string) error
	// WatchGeneration returns a number that changes whenever any watchlist
	// changes, so that the engine reloads them only then.
	WatchGeneration(ctx context.Context) (int64, error)
}

// WebhookStore keeps the organisations' webhooks.
type WebhookStore interface {
	// CreateWebhook stores a webhook.
	CreateWebhook(ctx context.Context, w *Webhook) error
	// ListWebhooks returns an organisation's webhooks ("" for every one).
	ListWebhooks(ctx context.Context, orgID string) ([]*Webhook, error)
	// DeleteWebhook deletes an organisation's webhook. ENOTFOUND.
	DeleteWebhook(ctx context.Context, orgID, id string) error
}

// AlertStore keeps alerts, their events and the delivery outbox.
type AlertStore interface {
	// RecordAlerts applies one batch of the trigger engine in a single
	// transaction: it creates or updates the alerts (deduplicated by
	// organisation and DedupKey), appends their events, queues one
	// delivery per event and webhook, keeps the engine's tables, and moves
	// its cursors from CursorsFrom to CursorsTo. ECONFLICT, with nothing
	// written, if a cursor is no longer at its CursorsFrom value (another
	// process did the batch).
	RecordAlerts(ctx context.Context, b *AlertBatch) ([]AlertEvent, error)
	// ListAlerts returns an organisation's alerts, most recently updated first.
	ListAlerts(ctx context.Context, q *AlertQuery) ([]*Alert, error)
	// CountAlertsByDay counts an organisation's alerts by the day they
	// were first seen, for days days from from (a midnight UTC), oldest
	// first: the dashboard's chart. It reads only the alerts updated since
	// from (an alert first seen since then was updated since then too).
	CountAlertsByDay(ctx context.Context, orgID string, from time.Time, days int) ([]int, error)
	// FindAlert returns one alert of an organisation. ENOTFOUND.
	FindAlert(ctx context.Context, orgID, id string) (*Alert, error)
	// SetAlertState changes the state of an organisation's alert. ENOTFOUND.
	SetAlertState(ctx context.Context, orgID, id string, state AlertState, at time.Time) (*Alert, error)
	// AlertEvents returns an organisation's events after seq, oldest first.
	AlertEvents(ctx context.Context, orgID string, after int64, limit int) ([]AlertEvent, error)
	// LastAlertEvent returns the seq of an organisation's newest event (0
	// for none): where a live view opened now starts.
	LastAlertEvent(ctx context.Context, orgID string) (int64, error)
	// ClaimDeliveries leases up to n pending deliveries due at now to
	// owner until now+lease; a delivery leased by one owner is not given
	// to another until its lease runs out.
	ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, n int) ([]*Delivery, error)
	// FinishDelivery records the outcome of an attempt (State, Attempts,
	// NextAttempt, LastError, LastStatus, Delivered) and ends the lease.
	FinishDelivery(ctx context.Context, d *Delivery) error
	// QueueDelivery queues one pending delivery of Body, due at Created,
	// to the webhook WebhookID of organisation OrgID (a test the
	// organisation asked for), and sets its ID and URL. ENOTFOUND if the
	// organisation has no such webhook.
	QueueDelivery(ctx context.Context, d *Delivery) error
	// ListDeliveries returns an organisation's deliveries in a state ("" for
	// any), newest first.
	ListDeliveries(ctx context.Context, orgID string, state DeliveryState, limit int) ([]*Delivery, error)
}

// EngineStore is what the trigger engine reads besides alerts.
type EngineStore interface {
	// Cursor returns a named cursor or counter of the engine (0 if never
	// set). The counter "audience_generation" changes whenever an
	// organisation, a community, its members or a collection change.
	Cursor(ctx context.Context, name string) (int64, error)
	// ScanObjects returns the versions added to a collection after a date,
	// in date_added order, regardless of readers: only the engine uses it,
	// and it filters by audience before anything leaves.
	ScanObjects(ctx context.Context, collection string, after time.Time, limit int) ([]*Object, error)
	// LatestVersions returns, for each id, its latest version in each
	// collection that holds it, regardless of readers.
	LatestVersions(ctx context.Context, ids []string) ([]*Object, error)
	// Sighters returns the distinct organisations that sighted an indicator
	// at or after since, the members of peer hubs that reported sightings
	// back among them, each as an opaque "peer:PEER_ORG:OBSERVER".
	Sighters(ctx context.Context, indicatorID string, since time.Time) ([]string, error)
	// Relations returns the relationships of the given types whose target
	// (or source, if bySource) is one of refs.
	Relations(ctx context.Context, refs []string, bySource bool, types []string) ([]Relation, error)
	// FindObservables returns the correlation index entries of keys.
	FindObservables(ctx context.Context, keys []string) ([]ObservableRef, error)
	// FindObservableRange returns up to limit correlation index entries
	// whose key k has from <= k < to, compared byte by byte, in key order.
	FindObservableRange(ctx context.Context, from, to string, limit int) ([]ObservableRef, error)
	// ObservableKeys returns, in store order after a position (0 for the
	// start), the keys in the correlation index, and the position to
	// continue from: the engine keeps them in memory to skip lookups of
	// observables nobody shared.
	ObservableKeys(ctx context.Context, after int64, limit int) ([]string, int64, error)
	// LatestOfTypes returns, in store order after the given position (0
	// for the start), the latest version in each collection of the
	// objects of the given types, regardless of readers, and the position
	// to continue from: the engine rebuilds its indexes from them.
	LatestOfTypes(ctx context.Context, types []string, after int64, limit int) ([]*Object, int64, error)
	// TryLead makes this process the one that runs a background job named
	// name, if no other process does; release gives the job up.
	TryLead(ctx context.Context, name string) (release func(), ok bool, err error)
}

// AlertBatch is what the trigger engine writes for one batch of objects.
type AlertBatch struct {
	Now         time.Time
	Alerts      []*Alert // candidates: new, or updates of (OrgID, DedupKey)
	Sightings   []Sighting
	Relations   []Relation
	Observables []ObservableRef
	Prune       []string // observable keys to trim to MaxPerObservable entries
	// Findings on products: all findings of the SBOMs in FindingsReset
	// are deleted first, then FindingsDelete removed and FindingsPut
	// stored (replacing those with the same SBOM and key).
	FindingsReset  []string
	FindingsDelete []Finding
	FindingsPut    []*Finding
	CursorsFrom    map[string]int64
	CursorsTo      map[string]int64
}

// AlertQuery selects an organisation's alerts.
type AlertQuery struct {
	OrgID         string
	States        []AlertState
	Trigger       string
	MinSeverity   Severity
	UpdatedBefore time.Time // paging: strictly before; zero for the newest
	// AfterID, with UpdatedBefore, also selects the alerts updated at
	// that very instant whose id sorts after it: paging by (time, id), so
	// that alerts updated in the same microsecond are never skipped.
	AfterID string
	Limit   int
}

// Sighting records that an organisation sighted an indicator.
type Sighting struct {
	IndicatorID string
	OrgID       string
	SightingID  string
	Seen        time.Time
}

// Relation is a relationship object, as the engine indexes it.
type Relation struct {
	Collection string
	ID         string
	Type       string
	Source     string
	Target     string
}

// ObservableRef says that an object of an organisation carries an
// observable: the correlation index.
type ObservableRef struct {
	Key        string // kind ":" normalised value, e.g. "ipv4:198.51.100.7"
	Collection string
	ObjectID   string
	OrgID      string
}

// MaxPerObservable bounds the correlation index: the entries kept per
// observable (the most recent ones). With the global bound the index stays
// small where MISP's correlation tables grow to hundreds of GB.
const MaxPerObservable = 16
