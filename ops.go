package vigie

import (
	"context"
	"time"
)

// OpsStore is what the hub's operators need of the store beyond the
// domain: figures for metrics, retention and reclaiming space.
type OpsStore interface {
	// Stats returns the sizes of the store and how far the early-warning
	// engine is behind, as of now.
	Stats(ctx context.Context, now time.Time) (*StoreStats, error)
	// Prune deletes what policy says is past keeping, as of now, and says
	// what it deleted. Objects go through DeleteObjects, so that their
	// ownership records stay (a deleted id cannot be claimed by another
	// organisation); the audit log keeps its chain verifiable (see
	// AuditCheckpoint). EINVALID for a policy that names no collection
	// of the hub.
	Prune(ctx context.Context, policy *RetentionPolicy, now time.Time) (*PruneReport, error)
	// Compact returns free pages to the file system (SQLite: incremental
	// vacuum; PostgreSQL: nothing, autovacuum does it) while the hub runs,
	// and returns how many bytes the database file shrank by.
	Compact(ctx context.Context) (int64, error)
	// AuditCheckpoint returns the position and hash of the last audit
	// entry pruned (0 and "" when none was): the chain of the entries
	// kept starts there.
	AuditCheckpoint(ctx context.Context) (seq int64, hash string, err error)
}

// StoreStats are the store's figures for metrics. Every map is keyed by a
// bounded value: a table name, a collection or webhook id (made by an
// administrator), a trigger or a delivery state.
type StoreStats struct {
	Bytes       int64            // the database's size on disk
	FreeBytes   int64            // of which free pages (SQLite), reclaimed by Compact
	Rows        map[string]int64 // rows per table: objects, statuses, alerts, ...
	Collections []CollectionStats
	// AlertsByTrigger counts stored alerts per trigger.
	AlertsByTrigger map[string]int64
	// DeliveriesByState counts deliveries per state (pending, delivered, failed).
	DeliveriesByState map[string]int64
	// QueueByWebhook counts pending deliveries per webhook id.
	QueueByWebhook map[string]int64
}

// CollectionStats are one collection's figures.
type CollectionStats struct {
	ID      string
	Objects int64 // object versions stored
	// EngineBehind is how many versions the early-warning engine has not
	// evaluated yet (counted up to MaxEngineBehind), and EngineLag how long
	// the oldest of them has waited.
	EngineBehind int64
	EngineLag    time.Duration
}

// MaxEngineBehind bounds the count of versions the engine is behind, so
// that a scrape stays cheap when the engine is far behind.
const MaxEngineBehind = 100000

// RetentionPolicy says how long the hub keeps what. A zero duration keeps
// everything of its kind, which is the default.
type RetentionPolicy struct {
	// Collections holds per-collection rules, by collection id; "*"
	// applies to every collection without its own rule.
	Collections map[string]CollectionRetention
	Statuses    time.Duration // status resources, by request time
	Deliveries  time.Duration // delivered or failed deliveries, by creation
	Audit       time.Duration // audit entries, by time (a checkpoint keeps the chain verifiable)
	Sightings   time.Duration // the engine's record of sightings, by when seen
}

// CollectionRetention is the retention of one collection's objects.
type CollectionRetention struct {
	// Versions: an object's versions added more than this long ago are
	// deleted, except its latest version, which is always kept.
	Versions time.Duration
	// Expired: an indicator whose valid_until, or any object that was
	// revoked, more than this long ago is deleted, every version.
	Expired time.Duration
}

// PruneReport says what Prune deleted.
type PruneReport struct {
	Versions   int `json:"versions"`   // old versions of objects
	Expired    int `json:"expired"`    // versions of expired or revoked objects
	Statuses   int `json:"statuses"`   // status resources
	Deliveries int `json:"deliveries"` // finished deliveries
	Audit      int `json:"audit"`      // audit entries (before the checkpoint)
	Sightings  int `json:"sightings"`
}
