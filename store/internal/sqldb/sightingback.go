package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/vigie-cti/vigie"
)

// seqRelayed names the counter that orders changes of relayed_sightings:
// taken and bumped inside each report's transaction, so that its row lock
// makes the numbers commit in order (the engine's cursor never skips one).
const seqRelayed = "relayed_sightings_seq"

// AddRelayedSightings adds a report's sightings from peerOrg unless the
// stream's recorded position is past r.After, and moves the position to
// r.Through, in one transaction.
func (s *DB) AddRelayedSightings(ctx context.Context, peerOrg string, r *vigie.SightingReport) (int64, bool, error) {
	stream := "sightings-in:" + peerOrg + ":" + r.Stream
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, s.wrap("begin", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, s.q(`INSERT INTO counters (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value WHERE counters.value <= ?`), stream, r.Through, r.After)
	if err != nil {
		return 0, false, s.wrap("move sightings stream", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var pos int64
		err := tx.QueryRowContext(ctx, s.q(`SELECT value FROM counters WHERE name = ?`), stream).Scan(&pos)
		return pos, false, s.wrap("read sightings stream", err)
	}
	if len(r.Sightings) > 0 {
		var seq int64
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO counters (name, value) VALUES (?, 1)
			ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value`), seqRelayed).Scan(&seq)
		if err != nil {
			return 0, false, s.wrap("bump relayed sightings", err)
		}
		stmt := s.q(`INSERT INTO relayed_sightings (peer_org, indicator_id, observer, day, count, first_seen, last_seen, seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (peer_org, indicator_id, observer, day) DO UPDATE SET
				count = relayed_sightings.count + excluded.count,
				first_seen = CASE WHEN excluded.first_seen < relayed_sightings.first_seen THEN excluded.first_seen ELSE relayed_sightings.first_seen END,
				last_seen = CASE WHEN excluded.last_seen > relayed_sightings.last_seen THEN excluded.last_seen ELSE relayed_sightings.last_seen END,
				seq = excluded.seq`)
		for _, sg := range r.Sightings {
			if _, err := tx.ExecContext(ctx, stmt, peerOrg, sg.IndicatorID, sg.Observer, micros(sg.Day), sg.Count,
				micros(sg.FirstSeen), micros(sg.LastSeen), seq); err != nil {
				return 0, false, s.wrap("add relayed sighting", err)
			}
		}
	}
	return r.Through, true, s.wrap("commit relayed sightings", tx.Commit())
}

// RelayedCounts returns what peers reported of an indicator seen at or
// after since.
func (s *DB) RelayedCounts(ctx context.Context, indicatorID string, since time.Time) (vigie.RelayedCount, error) {
	var c vigie.RelayedCount
	var sum sql.NullInt64
	err := s.r.QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(count), 0), COUNT(DISTINCT peer_org || ':' || observer)
		FROM relayed_sightings WHERE indicator_id = ? AND last_seen >= ?`), indicatorID, micros(since)).Scan(&sum, &c.Observers)
	c.Count = sum.Int64
	return c, s.wrap("count relayed sightings", err)
}

// RelayedSightingsAfter returns the indicators of the relayed sightings
// changed after position after (at most limit rows), and the position to
// continue from.
func (s *DB) RelayedSightingsAfter(ctx context.Context, after int64, limit int) ([]string, int64, error) {
	// Whole changes only: the rows of one report share a seq.
	var bound sql.NullInt64
	err := s.r.QueryRowContext(ctx, s.q(`SELECT MAX(seq) FROM (SELECT DISTINCT seq FROM relayed_sightings WHERE seq > ? ORDER BY seq LIMIT ?) t`),
		after, max(limit, 1)).Scan(&bound)
	if err != nil || !bound.Valid {
		return nil, after, s.wrap("relayed sightings", err)
	}
	ids, err := s.strings(ctx, `SELECT DISTINCT indicator_id FROM relayed_sightings WHERE seq > ? AND seq <= ? ORDER BY indicator_id`, after, bound.Int64)
	return ids, bound.Int64, err
}

// HubSecret returns the hub's secret named name, making it the first time.
func (s *DB) HubSecret(ctx context.Context, name string) ([]byte, error) {
	get := func() ([]byte, error) {
		var v string
		if err := s.w.QueryRowContext(ctx, s.q(`SELECT secret FROM hub_secrets WHERE name = ?`), name).Scan(&v); err != nil {
			return nil, err
		}
		return hex.DecodeString(v)
	}
	if v, err := get(); err == nil {
		return v, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, s.wrap("read hub secret", err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("store: hub secret: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, s.q(`INSERT INTO hub_secrets (name, secret) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`), name, hex.EncodeToString(b)); err != nil {
		return nil, s.wrap("make hub secret", err)
	}
	v, err := get() // concurrent first calls agree on the one stored
	return v, s.wrap("read hub secret", err)
}
