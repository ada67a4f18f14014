package sqldb

import (
	"context"
	"database/sql"
	"strings"

	"github.com/vigie-cti/vigie"
)

// ownerChunk is how many ids one statement of the ownership table carries.
const ownerChunk = 500

// claimOwners records the ownership of the ids of objs that have none, and
// returns ECONFLICT when an id is owned by another organisation than the
// Owner its object names (a concurrent request claimed it first).
// full caches the prepared statement of a whole chunk of claims.
func (s *DB) claimOwners(ctx context.Context, tx *sql.Tx, objs []*vigie.Object, full **sql.Stmt) error {
	args := make([]any, 0, len(objs)*4)
	want := make(map[string]string, len(objs))
	for _, o := range objs {
		if o.Owner == "" {
			continue
		}
		if _, dup := want[o.ID]; !dup {
			args = append(args, o.ID, o.Owner, o.Author, o.Digest)
		}
		want[o.ID] = o.Owner
	}
	if len(args) == 0 {
		return nil
	}
	var b strings.Builder
	if s.d.InsertOrIgnore {
		b.WriteString(`INSERT OR IGNORE`)
	} else {
		b.WriteString(`INSERT`)
	}
	b.WriteString(` INTO object_owners (id, owner, author, digest) VALUES (?, ?, ?, ?)`)
	b.WriteString(strings.Repeat(`, (?, ?, ?, ?)`, len(args)/4-1))
	if !s.d.InsertOrIgnore {
		b.WriteString(` ON CONFLICT (id) DO NOTHING`)
	}
	b.WriteString(` RETURNING id`)
	var rows *sql.Rows
	var err error
	if len(args) == insertChunk*4 {
		if *full == nil {
			if *full, err = tx.PrepareContext(ctx, s.q(b.String())); err != nil {
				return s.wrap("prepare owners", err)
			}
		}
		rows, err = (*full).QueryContext(ctx, args...)
	} else {
		rows, err = tx.QueryContext(ctx, s.q(b.String()), args...)
	}
	if err != nil {
		return s.wrap("record owners", err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return s.wrap("record owners", err)
		}
		delete(want, id)
	}
	if err := rows.Close(); err != nil {
		return s.wrap("record owners", err)
	}
	if len(want) == 0 {
		return nil
	}
	// The ids already owned: new versions, copies, or a lost race.
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	owners, err := s.owners(ctx, tx, ids)
	if err != nil {
		return err
	}
	for id, owner := range want {
		if got, ok := owners[id]; !ok || got.Owner != owner {
			return vigie.Errorf(vigie.ECONFLICT, "object %s was claimed by another publication at the same time; retry", id)
		}
	}
	return nil
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

func (s *DB) owners(ctx context.Context, db querier, ids []string) (map[string]vigie.Ownership, error) {
	out := make(map[string]vigie.Ownership, len(ids))
	for start := 0; start < len(ids); start += ownerChunk {
		chunk := ids[start:min(start+ownerChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := db.QueryContext(ctx, s.q(`SELECT id, owner, author, digest FROM object_owners WHERE id IN (?`+strings.Repeat(`, ?`, len(chunk)-1)+`)`), args...)
		if err != nil {
			return nil, s.wrap("look up owners", err)
		}
		for rows.Next() {
			var w vigie.Ownership
			if err := rows.Scan(&w.ID, &w.Owner, &w.Author, &w.Digest); err != nil {
				rows.Close()
				return nil, s.wrap("look up owners", err)
			}
			out[w.ID] = w
		}
		if err := rows.Close(); err != nil {
			return nil, s.wrap("look up owners", err)
		}
	}
	return out, nil
}
