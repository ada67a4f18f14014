package sqldb

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/vigie-cti/vigie"
)

// AppendAudit seals and stores audit entries in one transaction.
func (s *DB) AppendAudit(ctx context.Context, entries ...*vigie.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("begin", err)
	}
	defer tx.Rollback()
	if err := s.appendAudit(ctx, tx, entries); err != nil {
		return err
	}
	return s.wrap("commit", tx.Commit())
}

// appendAudit appends entries inside tx. The UPDATE of the head row comes
// first: it locks the row until commit (PostgreSQL), so that appends of
// several processes queue there and each reads the head the previous one
// wrote; SQLite's write transactions are serialised already.
func (s *DB) appendAudit(ctx context.Context, tx *sql.Tx, entries []*vigie.AuditEntry) error {
	var seq int64
	var hash string
	err := tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash`).Scan(&seq, &hash)
	if err != nil {
		return s.wrap("lock audit head", err)
	}
	for _, e := range entries {
		e.Seal(seq, hash)
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit (seq, time, org_id, key_id, role, addr, action, target, target_org, outcome, reason, detail, prev, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			e.Seq, micros(e.Time), e.OrgID, e.KeyID, string(e.Role), e.Addr, e.Action, e.Target, e.TargetOrg, e.Outcome, e.Reason, string(e.Detail), e.Prev, e.Hash)
		if err != nil {
			return s.wrap("insert audit entry", err)
		}
		seq, hash = e.Seq, e.Hash
	}
	_, err = tx.ExecContext(ctx, s.q(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`), seq, hash)
	return s.wrap("update audit head", err)
}

// AuditEntries returns the entries q selects, in log order.
func (s *DB) AuditEntries(ctx context.Context, q *vigie.AuditQuery) ([]*vigie.AuditEntry, error) {
	where, args := `seq > ?`, []any{q.After}
	if !q.Since.IsZero() {
		where += ` AND time >= ?`
		args = append(args, micros(q.Since))
	}
	if q.OrgID != "" {
		where += ` AND (org_id = ? OR target_org = ?)`
		args = append(args, q.OrgID, q.OrgID)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT seq, time, org_id, key_id, role, addr, action, target, target_org, outcome, reason, detail, prev, hash
		FROM audit WHERE `+where+` ORDER BY seq LIMIT `+strconv.Itoa(limit)), args...)
	if err != nil {
		return nil, s.wrap("query audit", err)
	}
	defer rows.Close()
	var out []*vigie.AuditEntry
	for rows.Next() {
		var e vigie.AuditEntry
		var at int64
		var role, detail string
		if err := rows.Scan(&e.Seq, &at, &e.OrgID, &e.KeyID, &role, &e.Addr, &e.Action, &e.Target, &e.TargetOrg, &e.Outcome, &e.Reason, &detail, &e.Prev, &e.Hash); err != nil {
			return nil, s.wrap("scan audit entry", err)
		}
		e.Time, e.Role = fromMicros(at), vigie.Role(role)
		if detail != "" {
			e.Detail = []byte(detail)
		}
		out = append(out, &e)
	}
	return out, s.wrap("query audit", rows.Err())
}

// AuditHead returns the position and hash of the last entry appended.
func (s *DB) AuditHead(ctx context.Context) (int64, string, error) {
	var seq int64
	var hash string
	err := s.r.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash)
	return seq, hash, s.wrap("audit head", err)
}
