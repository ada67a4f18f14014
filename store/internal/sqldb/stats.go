package sqldb

import (
	"context"
	"strconv"
	"time"

	"github.com/vigie-cti/vigie"
)

// statTables are the tables whose row counts Stats reports: those that
// grow with use.
var statTables = []string{"objects", "statuses", "alerts", "alert_events", "deliveries", "sightings", "relayed_sightings", "observables", "relations", "audit"}

// Stats returns the store's figures for metrics.
func (s *DB) Stats(ctx context.Context, now time.Time) (*vigie.StoreStats, error) {
	st := &vigie.StoreStats{Rows: map[string]int64{}, AlertsByTrigger: map[string]int64{}, DeliveriesByState: map[string]int64{}, QueueByWebhook: map[string]int64{}}
	if s.d.Size != "" {
		if err := s.r.QueryRowContext(ctx, s.d.Size).Scan(&st.Bytes, &st.FreeBytes); err != nil {
			return nil, s.wrap("database size", err)
		}
	}
	for _, t := range statTables {
		var n int64
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return nil, s.wrap("count "+t, err)
		}
		st.Rows[t] = n
	}
	if err := s.groupCounts(ctx, `SELECT trigger_kind, count(*) FROM alerts GROUP BY trigger_kind`, st.AlertsByTrigger); err != nil {
		return nil, err
	}
	if err := s.groupCounts(ctx, `SELECT state, count(*) FROM deliveries GROUP BY state`, st.DeliveriesByState); err != nil {
		return nil, err
	}
	if err := s.groupCounts(ctx, `SELECT webhook_id, count(*) FROM deliveries WHERE state = 'pending' GROUP BY webhook_id`, st.QueueByWebhook); err != nil {
		return nil, err
	}
	type coll struct {
		seq int64
		id  string
	}
	rows, err := s.r.QueryContext(ctx, `SELECT c.seq, c.id, COALESCE(k.value, 0) FROM collections c LEFT JOIN counters k ON k.name = 'engine:' || c.id ORDER BY c.seq`)
	if err != nil {
		return nil, s.wrap("collections", err)
	}
	var colls []coll
	var cursors []int64
	for rows.Next() {
		var c coll
		var cur int64
		if err := rows.Scan(&c.seq, &c.id, &cur); err != nil {
			rows.Close()
			return nil, s.wrap("collections", err)
		}
		colls, cursors = append(colls, c), append(cursors, cur)
	}
	if err := rows.Close(); err != nil {
		return nil, s.wrap("collections", err)
	}
	for i, c := range colls {
		cs := vigie.CollectionStats{ID: c.id}
		if err := s.r.QueryRowContext(ctx, s.q(`SELECT count(*) FROM objects WHERE coll = ?`), c.seq).Scan(&cs.Objects); err != nil {
			return nil, s.wrap("count objects", err)
		}
		var oldest int64
		err := s.r.QueryRowContext(ctx, s.q(`SELECT count(*), COALESCE(min(date_added), 0) FROM
			(SELECT date_added FROM objects WHERE coll = ? AND date_added > ? ORDER BY date_added LIMIT `+strconv.Itoa(vigie.MaxEngineBehind)+`) AS behind`),
			c.seq, cursors[i]).Scan(&cs.EngineBehind, &oldest)
		if err != nil {
			return nil, s.wrap("engine lag", err)
		}
		if cs.EngineBehind > 0 {
			cs.EngineLag = max(now.Sub(fromMicros(oldest)), 0)
		}
		st.Collections = append(st.Collections, cs)
	}
	return st, nil
}

// groupCounts fills into from a query of (key, count) rows.
func (s *DB) groupCounts(ctx context.Context, stmt string, into map[string]int64) error {
	rows, err := s.r.QueryContext(ctx, stmt)
	if err != nil {
		return s.wrap("group counts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return s.wrap("group counts", err)
		}
		into[k] = n
	}
	return s.wrap("group counts", rows.Err())
}
