package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/vigie-cti/vigie"
)

// CreateWatch stores a watchlist entry and bumps the watch generation.
func (s *DB) CreateWatch(ctx context.Context, w *vigie.WatchEntry) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("begin", err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO watch_entries (id, org_id, kind, value, created) VALUES (?, ?, ?, ?, ?)`),
		w.ID, w.OrgID, string(w.Kind), w.Value, micros(w.Created))
	switch {
	case s.d.IsUnique(err):
		return vigie.Errorf(vigie.ECONFLICT, "you already watch %s %s", w.Kind, w.Value)
	case s.d.IsForeignKey(err):
		return vigie.Errorf(vigie.ENOTFOUND, "no organisation %q", w.OrgID)
	case err != nil:
		return s.wrap("create watch", err)
	}
	if err := s.bump(ctx, tx, "watch_generation"); err != nil {
		return err
	}
	return s.wrap("commit", tx.Commit())
}

// ListWatches returns an organisation's entries ("" for all).
func (s *DB) ListWatches(ctx context.Context, orgID string) ([]*vigie.WatchEntry, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT id, org_id, kind, value, created FROM watch_entries WHERE ? = '' OR org_id = ? ORDER BY kind, value, org_id`), orgID, orgID)
	if err != nil {
		return nil, s.wrap("list watches", err)
	}
	defer rows.Close()
	var out []*vigie.WatchEntry
	for rows.Next() {
		var w vigie.WatchEntry
		var kind string
		var created int64
		if err := rows.Scan(&w.ID, &w.OrgID, &kind, &w.Value, &created); err != nil {
			return nil, s.wrap("list watches", err)
		}
		w.Kind, w.Created = vigie.WatchKind(kind), fromMicros(created)
		out = append(out, &w)
	}
	return out, s.wrap("list watches", rows.Err())
}

// DeleteWatch deletes an organisation's entry.
func (s *DB) DeleteWatch(ctx context.Context, orgID, id string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("begin", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, s.q(`DELETE FROM watch_entries WHERE org_id = ? AND id = ?`), orgID, id)
	if err != nil {
		return s.wrap("delete watch", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return vigie.Errorf(vigie.ENOTFOUND, "no watchlist entry %s", id)
	}
	if err := s.bump(ctx, tx, "watch_generation"); err != nil {
		return err
	}
	return s.wrap("commit", tx.Commit())
}

// WatchGeneration returns a number that changes with every watchlist change.
func (s *DB) WatchGeneration(ctx context.Context) (int64, error) {
	return s.Cursor(ctx, "watch_generation")
}

// Cursor returns a named counter (0 if never set).
func (s *DB) Cursor(ctx context.Context, name string) (int64, error) {
	var v int64
	err := s.r.QueryRowContext(ctx, s.q(`SELECT value FROM counters WHERE name = ?`), name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, s.wrap("read counter", err)
}

// AudienceGeneration names the counter that changes whenever an
// organisation, a community, its members or a collection change: the
// engine reloads who may read what only then.
const AudienceGeneration = "audience_generation"

// execBumped runs one statement and bumps a counter in one transaction.
func (s *DB) execBumped(ctx context.Context, counter, stmt string, args ...any) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("begin", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.q(stmt), args...); err != nil {
		return err // the caller classifies constraint errors
	}
	if err := s.bump(ctx, tx, counter); err != nil {
		return err
	}
	return s.wrap("commit", tx.Commit())
}

// bump increments a named counter in tx.
func (s *DB) bump(ctx context.Context, tx *sql.Tx, name string) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1`), name)
	return s.wrap("bump counter", err)
}

// CreateWebhook stores a webhook.
func (s *DB) CreateWebhook(ctx context.Context, w *vigie.Webhook) error {
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO webhooks (id, org_id, url, secret, created) VALUES (?, ?, ?, ?, ?)`),
		w.ID, w.OrgID, w.URL, w.Secret, micros(w.Created))
	if s.d.IsForeignKey(err) {
		return vigie.Errorf(vigie.ENOTFOUND, "no organisation %q", w.OrgID)
	}
	return s.wrap("create webhook", err)
}

// ListWebhooks returns an organisation's webhooks ("" for all).
func (s *DB) ListWebhooks(ctx context.Context, orgID string) ([]*vigie.Webhook, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT id, org_id, url, secret, created FROM webhooks WHERE ? = '' OR org_id = ? ORDER BY created, id`), orgID, orgID)
	if err != nil {
		return nil, s.wrap("list webhooks", err)
	}
	defer rows.Close()
	var out []*vigie.Webhook
	for rows.Next() {
		var w vigie.Webhook
		var created int64
		if err := rows.Scan(&w.ID, &w.OrgID, &w.URL, &w.Secret, &created); err != nil {
			return nil, s.wrap("list webhooks", err)
		}
		w.Created = fromMicros(created)
		out = append(out, &w)
	}
	return out, s.wrap("list webhooks", rows.Err())
}

// DeleteWebhook deletes an organisation's webhook and its pending deliveries.
func (s *DB) DeleteWebhook(ctx context.Context, orgID, id string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("begin", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, s.q(`DELETE FROM webhooks WHERE org_id = ? AND id = ?`), orgID, id)
	if err != nil {
		return s.wrap("delete webhook", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return vigie.Errorf(vigie.ENOTFOUND, "no webhook %s", id)
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM deliveries WHERE webhook_id = ? AND state = ?`), id, string(vigie.DeliveryPending)); err != nil {
		return s.wrap("delete webhook", err)
	}
	return s.wrap("commit", tx.Commit())
}
