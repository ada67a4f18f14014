package vigie

import "context"

// ExportStore streams objects to the exports (Zeek, Suricata, DNS and
// firewall files), which read whole collections rather than pages.
type ExportStore interface {
	// EachObject calls fn with each object version q selects, by
	// DateAdded (q.Limit is ignored), without holding more than one at a
	// time; fn must not keep the Object, of which only ID, Version,
	// VersionKey, Sharing and Raw are filled. It stops at the first error
	// of fn and returns it.
	EachObject(ctx context.Context, q *ObjectQuery, fn func(*Object) error) error
}
