package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"time"

	"github.com/vigie-cti/vigie"
)

// pruneBatch is how many rows one pruning transaction deletes, so that
// other writers (SQLite has one at a time) never wait long.
const pruneBatch = 1000

// Prune deletes what policy says is past keeping (see vigie.OpsStore).
func (s *DB) Prune(ctx context.Context, p *vigie.RetentionPolicy, now time.Time) (*vigie.PruneReport, error) {
	rep := &vigie.PruneReport{}
	rows, err := s.r.QueryContext(ctx, `SELECT c.seq, c.id, COALESCE(k.value, 0) FROM collections c LEFT JOIN counters k ON k.name = 'engine:' || c.id ORDER BY c.seq`)
	if err != nil {
		return nil, s.wrap("collections", err)
	}
	type coll struct {
		seq, cursor int64
		id          string
	}
	var colls []coll
	known := map[string]bool{"*": true}
	for rows.Next() {
		var c coll
		if err := rows.Scan(&c.seq, &c.id, &c.cursor); err != nil {
			rows.Close()
			return nil, s.wrap("collections", err)
		}
		colls, known[c.id] = append(colls, c), true
	}
	if err := rows.Close(); err != nil {
		return nil, s.wrap("collections", err)
	}
	for id := range p.Collections {
		if !known[id] {
			return nil, vigie.Errorf(vigie.EINVALID, "retention names collection %q, which this hub does not have", id)
		}
	}
	for _, c := range colls {
		rule, ok := p.Collections[c.id]
		if !ok {
			rule = p.Collections["*"]
		}
		if rule.Versions > 0 {
			n, err := s.pruneVersions(ctx, c.seq, c.id, now.Add(-rule.Versions), c.cursor)
			rep.Versions += n
			if err != nil {
				return rep, err
			}
		}
		if rule.Expired > 0 {
			n, err := s.pruneExpired(ctx, c.seq, c.id, now.Add(-rule.Expired))
			rep.Expired += n
			if err != nil {
				return rep, err
			}
		}
	}
	if p.Statuses > 0 {
		n, err := s.PurgeStatuses(ctx, now.Add(-p.Statuses))
		rep.Statuses = n
		if err != nil {
			return rep, err
		}
	}
	if p.Deliveries > 0 {
		n, err := s.deleteBatches(ctx, "deliveries", `DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries
			WHERE state IN ('delivered', 'failed') AND created < ? LIMIT `+strconv.Itoa(pruneBatch)+`)`, micros(now.Add(-p.Deliveries)))
		rep.Deliveries = n
		if err != nil {
			return rep, err
		}
	}
	if p.Sightings > 0 {
		res, err := s.w.ExecContext(ctx, s.q(`DELETE FROM sightings WHERE seen < ?`), micros(now.Add(-p.Sightings)))
		if err != nil {
			return rep, s.wrap("prune sightings", err)
		}
		n, _ := res.RowsAffected()
		rep.Sightings = int(n)
		if res, err = s.w.ExecContext(ctx, s.q(`DELETE FROM relayed_sightings WHERE last_seen < ?`), micros(now.Add(-p.Sightings))); err != nil {
			return rep, s.wrap("prune relayed sightings", err)
		}
		n, _ = res.RowsAffected()
		rep.Sightings += int(n)
	}
	if p.Audit > 0 {
		n, err := s.pruneAudit(ctx, now.Add(-p.Audit), now)
		rep.Audit = n
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// pruneVersions deletes the versions of a collection added before cutoff
// that are not their id's latest and that the engine has evaluated (added
// at or before cursor). It deletes through DeleteObjects, one id at a
// time, so that federation peers get a tombstone of each version.
func (s *DB) pruneVersions(ctx context.Context, collSeq int64, collID string, cutoff time.Time, cursor int64) (int, error) {
	total := 0
	for {
		rows, err := s.r.QueryContext(ctx, s.q(`SELECT o.id, o.version_key FROM objects o
			WHERE o.coll = ? AND o.date_added < ? AND o.date_added <= ?
			AND EXISTS (SELECT 1 FROM objects o2 WHERE o2.coll = o.coll AND o2.id = o.id AND o2.version_key > o.version_key)
			ORDER BY o.id LIMIT `+strconv.Itoa(pruneBatch)), collSeq, micros(cutoff), cursor)
		if err != nil {
			return total, s.wrap("old versions", err)
		}
		var ids []string
		keys := map[string][]string{}
		for rows.Next() {
			var id, key string
			if err := rows.Scan(&id, &key); err != nil {
				rows.Close()
				return total, s.wrap("old versions", err)
			}
			if len(keys[id]) == 0 {
				ids = append(ids, id)
			}
			keys[id] = append(keys[id], key)
		}
		if err := rows.Close(); err != nil {
			return total, s.wrap("old versions", err)
		}
		if len(ids) == 0 {
			return total, nil
		}
		for _, id := range ids {
			n, err := s.DeleteObjects(ctx, &vigie.ObjectQuery{Collection: collID, IDs: []string{id}, Scope: vigie.ReadScope{All: true}, Versions: vigie.VersionFilter{Exact: keys[id]}})
			total += n
			if err != nil {
				return total, err
			}
			if n == 0 {
				return total, nil // the versions went meanwhile (another prune): do not loop on them
			}
		}
	}
}

// deleteBatches runs a DELETE of at most pruneBatch rows until it deletes
// none, and returns how many it deleted.
func (s *DB) deleteBatches(ctx context.Context, what, stmt string, args ...any) (int, error) {
	total := 0
	for {
		res, err := s.w.ExecContext(ctx, s.q(stmt), args...)
		if err != nil {
			return total, s.wrap("prune "+what, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, s.wrap("prune "+what, err)
		}
		total += int(n)
		if n == 0 {
			return total, nil
		}
	}
}

// pruneExpired deletes every version of the objects of a collection whose
// latest version is an indicator with valid_until before cutoff, or is
// revoked and was modified before cutoff. It deletes through
// DeleteObjects, which keeps the ownership records of the ids.
func (s *DB) pruneExpired(ctx context.Context, collSeq int64, collID string, cutoff time.Time) (int, error) {
	total := 0
	for after := int64(0); ; {
		rows, err := s.r.QueryContext(ctx, s.q(`SELECT o.seq, o.id, o.raw FROM objects o WHERE o.coll = ? AND o.seq > ?
			AND NOT EXISTS (SELECT 1 FROM objects o2 WHERE o2.coll = o.coll AND o2.id = o.id AND o2.version_key > o.version_key)
			ORDER BY o.seq LIMIT `+strconv.Itoa(pruneBatch)), collSeq, after)
		if err != nil {
			return total, s.wrap("expired objects", err)
		}
		var ids []string
		n := 0
		for rows.Next() {
			var id string
			var raw []byte
			if err := rows.Scan(&after, &id, &raw); err != nil {
				rows.Close()
				return total, s.wrap("expired objects", err)
			}
			n++
			if expired(raw, cutoff) {
				ids = append(ids, id)
			}
		}
		if err := rows.Close(); err != nil {
			return total, s.wrap("expired objects", err)
		}
		for len(ids) > 0 {
			batch := ids[:min(len(ids), 200)]
			ids = ids[len(batch):]
			d, err := s.DeleteObjects(ctx, &vigie.ObjectQuery{Collection: collID, IDs: batch, Scope: vigie.ReadScope{All: true}, Versions: vigie.VersionFilter{All: true}})
			total += d
			if err != nil {
				return total, err
			}
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}

// expired reports whether a STIX object is an indicator valid until before
// cutoff, or is revoked and was modified before cutoff.
func expired(raw []byte, cutoff time.Time) bool {
	var o struct {
		Type       string `json:"type"`
		ValidUntil string `json:"valid_until"`
		Revoked    bool   `json:"revoked"`
		Modified   string `json:"modified"`
	}
	if json.Unmarshal(raw, &o) != nil {
		return false
	}
	before := func(ts string) bool {
		t, err := time.Parse(time.RFC3339Nano, ts)
		return err == nil && t.Before(cutoff)
	}
	return (o.Type == "indicator" && before(o.ValidUntil)) || (o.Revoked && before(o.Modified))
}

// pruneAudit deletes the audit entries older than cutoff, but never the
// last one, and moves the checkpoint to the last entry deleted, in one
// transaction per batch: the chain of the entries kept verifies from the
// checkpoint at every moment.
func (s *DB) pruneAudit(ctx context.Context, cutoff, now time.Time) (int, error) {
	total := 0
	for {
		n, err := s.pruneAuditBatch(ctx, cutoff, now)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

func (s *DB) pruneAuditBatch(ctx context.Context, cutoff, now time.Time) (int, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.wrap("begin", err)
	}
	defer tx.Rollback()
	// Lock the head as appends do, so that no append runs meanwhile.
	var head int64
	var headHash string
	if err := tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash`).Scan(&head, &headHash); err != nil {
		return 0, s.wrap("lock audit head", err)
	}
	var last sql.NullInt64
	err = tx.QueryRowContext(ctx, s.q(`SELECT max(seq) FROM (SELECT seq FROM audit WHERE time < ? AND seq < ? ORDER BY seq LIMIT `+strconv.Itoa(pruneBatch)+`) AS old`),
		micros(cutoff), head).Scan(&last)
	if err != nil {
		return 0, s.wrap("audit to prune", err)
	}
	if !last.Valid {
		return 0, nil
	}
	var hash string
	if err := tx.QueryRowContext(ctx, s.q(`SELECT hash FROM audit WHERE seq = ?`), last.Int64).Scan(&hash); err != nil {
		return 0, s.wrap("audit checkpoint", err)
	}
	res, err := tx.ExecContext(ctx, s.q(`DELETE FROM audit WHERE seq <= ?`), last.Int64)
	if err != nil {
		return 0, s.wrap("prune audit", err)
	}
	n, _ := res.RowsAffected()
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE audit_checkpoint SET seq = ?, hash = ?, pruned = ? WHERE id = 1`), last.Int64, hash, micros(now)); err != nil {
		return 0, s.wrap("audit checkpoint", err)
	}
	return int(n), s.wrap("commit", tx.Commit())
}

// AuditCheckpoint returns where the chain of the audit entries kept starts.
func (s *DB) AuditCheckpoint(ctx context.Context) (int64, string, error) {
	var seq int64
	var hash string
	err := s.r.QueryRowContext(ctx, `SELECT seq, hash FROM audit_checkpoint WHERE id = 1`).Scan(&seq, &hash)
	return seq, hash, s.wrap("audit checkpoint", err)
}

// Compact returns free pages to the file system where the dialect can.
func (s *DB) Compact(ctx context.Context) (int64, error) {
	if s.d.Compact == nil {
		return 0, nil
	}
	return s.d.Compact(ctx, s.w)
}
