package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
)

// insertChunk is how many rows one INSERT statement carries.
const insertChunk = 100

// AddObjects stores objects, the status of their POST and its audit
// entries in one transaction.
func (s *DB) AddObjects(ctx context.Context, collection string, objs []*vigie.Object, st *vigie.Status, audit ...*vigie.AuditEntry) error {
	// The words of the text index, read before the transaction so that
	// the write lock is held no longer than before.
	words := make([]string, len(objs))
	for i, o := range objs {
		if words[i] = o.Words; !o.WordsRead {
			words[i] = vigie.SearchText(o.Raw)
		}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("begin", err)
	}
	defer tx.Rollback()

	// Hand out a block of date_added values above every earlier one. The
	// UPDATE holds the collection's row until commit, so concurrent writers
	// (other processes too) are serialised and commit in date_added order:
	// a reader paging with added_after never skips an object committed late.
	n := int64(len(objs))
	now := time.Now().UnixMicro()
	var last, coll int64
	err = tx.QueryRowContext(ctx, s.q(`UPDATE collections SET last_added = `+s.d.Greatest+`(last_added + ?, ?) WHERE id = ? RETURNING last_added, seq`),
		n, now+n-1, collection).Scan(&last, &coll)
	if errors.Is(err, sql.ErrNoRows) {
		return vigie.Errorf(vigie.ENOTFOUND, "no collection %s", collection)
	} else if err != nil {
		return s.wrap("allocate date_added", err)
	}
	first := last - n + 1

	// Ownership is hub-wide: requests into other collections that claim
	// the same ids wait for this one (SQLite has one writer at a time).
	if s.d.LockIDs != nil {
		if err := s.d.LockIDs(ctx, tx, claimedIDs(objs)); err != nil {
			return s.wrap("lock object ids", err)
		}
	}

	added := make(map[versionOf]bool, len(objs))
	var texts []textRow
	var full *sql.Stmt // the INSERT of a whole chunk, prepared once
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for start := 0; start < len(objs); start += insertChunk {
		chunk := objs[start:min(start+insertChunk, len(objs))]
		if err := s.checkClaims(ctx, tx, chunk); err != nil {
			return err
		}
		args := make([]any, 0, len(chunk)*objectInsertColumns)
		for i, o := range chunk {
			o.Collection = collection
			o.DateAdded = fromMicros(first + int64(start+i))
			args = append(args, coll, o.ID, o.Type, o.SpecVersion, o.Version, o.VersionKey,
				first+int64(start+i), o.Publisher, int(o.TLP), Recipients(o.Recipients), o.Author, o.Owner, o.Digest, []byte(o.Raw))
		}
		var rows *sql.Rows
		if len(chunk) == insertChunk {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, s.q(s.insertObjects(insertChunk))); err != nil {
					return s.wrap("prepare insert", err)
				}
			}
			rows, err = full.QueryContext(ctx, args...)
		} else {
			rows, err = tx.QueryContext(ctx, s.q(s.insertObjects(len(chunk))), args...)
		}
		if err != nil {
			return s.wrap("insert objects", err)
		}
		at := make(map[versionOf]int, len(chunk)) // a version's index in objs
		for i := len(chunk) - 1; i >= 0; i-- {    // the first copy is the one stored
			at[versionOf{chunk[i].ID, chunk[i].VersionKey}] = start + i
		}
		for rows.Next() {
			var v versionOf
			var seq int64
			if err := rows.Scan(&seq, &v.id, &v.key); err != nil {
				rows.Close()
				return s.wrap("insert objects", err)
			}
			added[v] = true
			if w := words[at[v]]; w != "" {
				texts = append(texts, textRow{seq, coll, w})
			}
		}
		if err := rows.Close(); err != nil {
			return s.wrap("insert objects", err)
		}
	}
	if err := s.insertText(ctx, tx, texts); err != nil {
		return err
	}
	for _, o := range objs {
		msg := "this version was already stored"
		if v := (versionOf{o.ID, o.VersionKey}); added[v] {
			msg = ""
			delete(added, v) // a second copy in the same envelope is a duplicate
		}
		st.Successes = append(st.Successes, vigie.StatusDetail{ID: o.ID, Version: o.Version, Message: msg})
	}
	if err := s.insertStatus(ctx, tx, st); err != nil {
		return err
	}
	if len(audit) > 0 {
		if err := s.appendAudit(ctx, tx, audit); err != nil {
			return err
		}
	}
	return s.wrap("commit", tx.Commit())
}

// objectInsertColumns is how many values insertObjects takes per object.
const objectInsertColumns = 14

// insertObjects returns the INSERT of n object versions, which reports the
// versions it stored (not those already there).
func (s *DB) insertObjects(n int) string {
	var b strings.Builder
	if s.d.InsertOrIgnore {
		b.WriteString(`INSERT OR IGNORE`)
	} else {
		b.WriteString(`INSERT`)
	}
	b.WriteString(` INTO objects (coll, id, type, spec_version, version, version_key, date_added, publisher, tlp, recipients, author, owner, digest, raw) VALUES `)
	row := "(?" + strings.Repeat(", ?", objectInsertColumns-1) + ")"
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	if !s.d.InsertOrIgnore {
		b.WriteString(` ON CONFLICT (coll, id, version_key) DO NOTHING`)
	}
	b.WriteString(` RETURNING seq, id, version_key`)
	return b.String()
}

// versionOf identifies one version of an object in a collection.
type versionOf struct{ id, key string }

const objectColumns = `o.id, o.type, o.spec_version, o.version, o.version_key, o.date_added, o.publisher, o.tlp, o.recipients, o.author`

// Objects returns one page of the object versions q selects.
func (s *DB) Objects(ctx context.Context, q *vigie.ObjectQuery) (*vigie.ObjectPage, error) {
	cols := objectColumns + `, o.owner, o.raw`
	if q.WithoutRaw {
		cols = objectColumns + `, o.owner, NULL`
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	var rows *sql.Rows
	var err error
	if q.Text != nil {
		rows, err = s.textObjects(ctx, q, cols, limit)
	} else {
		where, args := s.d.WhereObjects(q)
		rows, err = s.r.QueryContext(ctx, s.q(`SELECT `+cols+` FROM objects o WHERE `+where+` ORDER BY o.date_added LIMIT `+strconv.Itoa(limit+1)), args...)
	}
	if err != nil {
		return nil, s.wrap("query objects", err)
	}
	defer rows.Close()
	page := &vigie.ObjectPage{}
	for rows.Next() {
		if len(page.Objects) == limit {
			page.More = true
			break
		}
		var o vigie.Object
		var added int64
		var tlp int
		var recipients string
		var raw []byte
		if err := rows.Scan(&o.ID, &o.Type, &o.SpecVersion, &o.Version, &o.VersionKey, &added, &o.Publisher, &tlp, &recipients, &o.Author, &o.Owner, &raw); err != nil {
			return nil, s.wrap("scan object", err)
		}
		o.Collection = q.Collection
		o.DateAdded = fromMicros(added)
		o.TLP = vigie.TLP(tlp)
		o.Recipients = SplitRecipients(recipients)
		o.Raw = raw
		page.Objects = append(page.Objects, &o)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("query objects", err)
	}
	return page, nil
}

// DeleteObjects deletes the versions q selects, keeping the ownership of
// their ids in object_owners (tombstones) and a federation tombstone of
// each version (table tombstones) in the same transaction.
func (s *DB) DeleteObjects(ctx context.Context, q *vigie.ObjectQuery) (int, error) {
	where, args := s.d.WhereObjects(q)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.wrap("begin", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, s.q(`SELECT DISTINCT o.id FROM objects o WHERE `+where), args...)
	if err != nil {
		return 0, s.wrap("select objects to delete", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, s.wrap("select objects to delete", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return 0, s.wrap("select objects to delete", err)
	}
	if err := s.keepTombstones(ctx, tx, ids); err != nil {
		return 0, err
	}
	// Federation: a tombstone per deleted version, for peers to follow.
	if err := s.writeTombstones(ctx, tx, q.Collection, vigie.TombstoneDeleted, vigie.TLPNone, where, args); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, s.q(`DELETE FROM objects WHERE seq IN (SELECT o.seq FROM objects o WHERE `+where+`)`), args...)
	if err != nil {
		return 0, s.wrap("delete objects", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.wrap("rows affected", err)
	}
	return int(n), s.wrap("commit", tx.Commit())
}

// statusDoc is how a status's details are stored.
type statusDoc struct {
	Total     int                  `json:"total"`
	Successes []vigie.StatusDetail `json:"successes"`
	Failures  []vigie.StatusDetail `json:"failures"`
}

func (s *DB) insertStatus(ctx context.Context, tx *sql.Tx, st *vigie.Status) error {
	doc, err := json.Marshal(statusDoc{Total: st.Total, Successes: st.Successes, Failures: st.Failures})
	if err != nil {
		return s.wrap("encode status", err)
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO statuses (id, api_root, org_id, request_time, doc) VALUES (?, ?, ?, ?, ?)`),
		st.ID, st.Root, st.OrgID, micros(st.RequestTime), doc)
	if err != nil {
		return s.wrap("insert status", err)
	}
	return nil
}

// FindStatus returns a status by id.
func (s *DB) FindStatus(ctx context.Context, id string) (*vigie.Status, error) {
	st := vigie.Status{ID: id}
	var at int64
	var raw []byte
	err := s.r.QueryRowContext(ctx, s.q(`SELECT api_root, org_id, request_time, doc FROM statuses WHERE id = ?`), id).Scan(&st.Root, &st.OrgID, &at, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no status %s", id)
	} else if err != nil {
		return nil, s.wrap("find status", err)
	}
	var doc statusDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("store: decode status %s: %w", id, err)
	}
	st.RequestTime = fromMicros(at)
	st.Total, st.Successes, st.Failures = doc.Total, doc.Successes, doc.Failures
	return &st, nil
}

// PurgeStatuses deletes the statuses requested before a time.
func (s *DB) PurgeStatuses(ctx context.Context, before time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, s.q(`DELETE FROM statuses WHERE request_time < ?`), micros(before))
	if err != nil {
		return 0, s.wrap("purge statuses", err)
	}
	n, err := res.RowsAffected()
	return int(n), s.wrap("rows affected", err)
}
