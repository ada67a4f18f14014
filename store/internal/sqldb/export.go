package sqldb

import (
	"context"
	"database/sql"

	"github.com/vigie-cti/vigie"
)

// EachObject calls fn with each object version q selects, by date added,
// reading rows as fn consumes them (one query, no pages). The Object and
// its Raw bytes are reused from one call to the next.
func (s *DB) EachObject(ctx context.Context, q *vigie.ObjectQuery, fn func(*vigie.Object) error) error {
	cols := objectColumns + `, o.raw`
	if q.WithoutRaw {
		cols = objectColumns + `, NULL`
	}
	where, args := s.d.WhereObjects(q)
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+cols+` FROM objects o WHERE `+where+` ORDER BY o.date_added`), args...)
	if err != nil {
		return s.wrap("query objects", err)
	}
	defer rows.Close()
	var o vigie.Object
	for rows.Next() {
		var added int64
		var tlp int
		var recipients string
		var raw sql.RawBytes
		if err := rows.Scan(&o.ID, &o.Type, &o.SpecVersion, &o.Version, &o.VersionKey, &added, &o.Publisher, &tlp, &recipients, &o.Author, &raw); err != nil {
			return s.wrap("scan object", err)
		}
		o.Collection = q.Collection
		o.DateAdded = fromMicros(added)
		o.TLP = vigie.TLP(tlp)
		o.Recipients = SplitRecipients(recipients)
		o.Raw = []byte(raw)
		if err := fn(&o); err != nil {
			return err
		}
	}
	return s.wrap("query objects", rows.Err())
}
