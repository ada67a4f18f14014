package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/vigie-cti/vigie"
)

// Ownership is kept on the object rows (columns owner, author, digest): the
// earliest stored row of an id with an owner records it. Table object_owners
// holds the records of ids stored before migration 0006 and of deleted ids,
// and wins over the rows: it was written from the earliest row when that
// still existed.

// ownerChunk is how many ids one ownership look-up carries.
const ownerChunk = 500

// checkClaims returns ECONFLICT when an id of objs is already owned by
// another organisation than the Owner its object names: a concurrent
// request, in another collection, claimed it first. The caller holds the
// locks (Dialect.LockIDs) that keep such requests apart.
func (s *DB) checkClaims(ctx context.Context, tx *sql.Tx, objs []*vigie.Object) error {
	want := make(map[string]string, len(objs))
	ids := make([]string, 0, len(objs))
	for _, o := range objs {
		if o.Owner == "" {
			continue
		}
		if _, dup := want[o.ID]; !dup {
			ids = append(ids, o.ID)
		}
		want[o.ID] = o.Owner
	}
	if len(ids) == 0 {
		return nil
	}
	owners, err := s.owners(ctx, tx, ids)
	if err != nil {
		return err
	}
	for id, w := range owners {
		if w.Owner != want[id] {
			return vigie.Errorf(vigie.ECONFLICT, "object %s was claimed by another publication at the same time; retry", id)
		}
	}
	return nil
}

// claimedIDs returns the distinct ids of objs that carry an owner.
func claimedIDs(objs []*vigie.Object) []string {
	seen := make(map[string]bool, len(objs))
	ids := make([]string, 0, len(objs))
	for _, o := range objs {
		if o.Owner != "" && !seen[o.ID] {
			seen[o.ID] = true
			ids = append(ids, o.ID)
		}
	}
	return ids
}

// ObjectOwners returns the ownership records of those of ids that have one.
// It reads through the writer's handle: with SQLite, the readers' page
// caches are dropped at every commit, and the writer's holds the pages of
// the ids just written, which are those a publisher looks up next.
func (s *DB) ObjectOwners(ctx context.Context, ids []string) (map[string]vigie.Ownership, error) {
	return s.owners(ctx, s.w, ids)
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// owners looks the ownership of ids up, in object_owners first, then in the
// earliest owned row of each id.
func (s *DB) owners(ctx context.Context, db querier, ids []string) (map[string]vigie.Ownership, error) {
	out := make(map[string]vigie.Ownership, len(ids))
	for start := 0; start < len(ids); start += ownerChunk {
		list, err := json.Marshal(ids[start:min(start+ownerChunk, len(ids))])
		if err != nil {
			return nil, s.wrap("look up owners", err)
		}
		// seq 0 marks a record of object_owners: it wins.
		rows, err := db.QueryContext(ctx, s.q(`SELECT id, owner, author, digest, 0 FROM object_owners WHERE id IN (`+s.d.Strings+`)
			UNION ALL SELECT id, owner, author, digest, seq FROM objects WHERE id IN (`+s.d.Strings+`) AND owner <> ''`), list, list)
		if err != nil {
			return nil, s.wrap("look up owners", err)
		}
		first := make(map[string]int64, ownerChunk)
		for rows.Next() {
			var w vigie.Ownership
			var seq int64
			if err := rows.Scan(&w.ID, &w.Owner, &w.Author, &w.Digest, &seq); err != nil {
				rows.Close()
				return nil, s.wrap("look up owners", err)
			}
			if at, ok := first[w.ID]; ok && at <= seq {
				continue
			}
			first[w.ID] = seq
			out[w.ID] = w
		}
		if err := rows.Close(); err != nil {
			return nil, s.wrap("look up owners", err)
		}
	}
	return out, nil
}

// keepTombstones copies into object_owners the ownership of the ids
// whose rows a deletion is about to remove, from their earliest owned row,
// unless a record is there already.
func (s *DB) keepTombstones(ctx context.Context, tx *sql.Tx, ids []string) error {
	for start := 0; start < len(ids); start += ownerChunk {
		chunk := ids[start:min(start+ownerChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		var b strings.Builder
		if s.d.InsertOrIgnore {
			b.WriteString(`INSERT OR IGNORE`)
		} else {
			b.WriteString(`INSERT`)
		}
		b.WriteString(` INTO object_owners (id, owner, author, digest)
			SELECT o.id, o.owner, o.author, o.digest FROM objects o
			WHERE o.id IN (?` + strings.Repeat(`, ?`, len(chunk)-1) + `) AND o.owner <> ''
			AND NOT EXISTS (SELECT 1 FROM objects o2 WHERE o2.id = o.id AND o2.owner <> '' AND o2.seq < o.seq)`)
		if !s.d.InsertOrIgnore {
			b.WriteString(` ON CONFLICT (id) DO NOTHING`)
		}
		if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
			return s.wrap("keep ownership of deleted objects", err)
		}
	}
	return nil
}
