package sqldb

import (
	"context"
	"database/sql"

	"github.com/vigie-cti/vigie"
)

// EachObject calls fn with each object version q selects, by date added,
// reading rows as fn consumes them (one query, no pages). It fills ID,
// Version, VersionKey, Sharing and Raw, the columns exports need; the
// Object and its Raw bytes are reused from one call to the next.
//
// For the default version filter (the last version the reader may read)
// the rows are read without a per-row search of newer versions: the ids
// that have several versions in the collection are listed first (a scan
// of the version index), and only their rows are checked, with the same
// rule as Objects. An id that gains a version during the walk may show
// its previous version once.
func (s *DB) EachObject(ctx context.Context, q *vigie.ObjectQuery, fn func(*vigie.Object) error) error {
	qq := *q
	var multi map[string]struct{}
	if f := q.Versions; f.IsZero() || f.Last && !f.First && !f.All && len(f.Exact) == 0 {
		var err error
		if multi, err = s.multiVersion(ctx, q.Collection); err != nil {
			return err
		}
		qq.Versions = vigie.VersionFilter{All: true}
	}
	raw := `o.raw`
	if q.WithoutRaw {
		raw = `NULL`
	}
	where, args := s.d.WhereObjects(&qq)
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT o.id, o.version, o.version_key, o.publisher, o.tlp, o.recipients, `+raw+` FROM objects o WHERE `+where+` ORDER BY o.date_added`), args...)
	if err != nil {
		return s.wrap("query objects", err)
	}
	defer rows.Close()
	var o vigie.Object
	o.Collection = q.Collection
	for rows.Next() {
		var tlp int
		var recipients string
		var raw sql.RawBytes
		if err := rows.Scan(&o.ID, &o.Version, &o.VersionKey, &o.Publisher, &tlp, &recipients, &raw); err != nil {
			return s.wrap("scan object", err)
		}
		if _, ok := multi[o.ID]; ok {
			last, err := s.isLast(ctx, q, o.ID, o.VersionKey)
			if err != nil {
				return err
			}
			if !last {
				continue
			}
		}
		o.TLP = vigie.TLP(tlp)
		o.Recipients = SplitRecipients(recipients)
		o.Raw = []byte(raw)
		if err := fn(&o); err != nil {
			return err
		}
	}
	return s.wrap("query objects", rows.Err())
}

// multiVersion returns the ids that have more than one version in a
// collection. "+o.coll" keeps SQLite from reading the rows through the
// (coll, ...) indexes, so that it scans the version index, which leads
// with the id, without a temporary B-tree (PostgreSQL reads it as coll).
func (s *DB) multiVersion(ctx context.Context, collection string) (map[string]struct{}, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT o.id FROM objects o WHERE +o.coll = (SELECT seq FROM collections WHERE id = ?) GROUP BY o.id HAVING COUNT(*) > 1`), collection)
	if err != nil {
		return nil, s.wrap("query versions", err)
	}
	defer rows.Close()
	ids := map[string]struct{}{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.wrap("scan versions", err)
		}
		ids[id] = struct{}{}
	}
	return ids, s.wrap("query versions", rows.Err())
}

// isLast reports whether versionKey is the last version of id that q's
// reader may read, by the rule of Objects.
func (s *DB) isLast(ctx context.Context, q *vigie.ObjectQuery, id, versionKey string) (bool, error) {
	page, err := s.Objects(ctx, &vigie.ObjectQuery{Collection: q.Collection, Scope: q.Scope, IDs: []string{id}, WithoutRaw: true, Limit: 1})
	if err != nil {
		return false, err
	}
	return len(page.Objects) == 1 && page.Objects[0].VersionKey == versionKey, nil
}
