package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
)

// maxAlertObjects bounds the objects one alert lists (the newest kept).
const maxAlertObjects = 50

// RecordAlerts applies one batch of the trigger engine in one transaction.
func (s *DB) RecordAlerts(ctx context.Context, b *vigie.AlertBatch) ([]vigie.AlertEvent, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, s.wrap("begin", err)
	}
	defer tx.Rollback()
	if err := s.moveCursors(ctx, tx, b.CursorsFrom, b.CursorsTo); err != nil {
		return nil, err
	}
	if err := s.keepEngineTables(ctx, tx, b); err != nil {
		return nil, err
	}
	if err := s.keepFindings(ctx, tx, b); err != nil {
		return nil, err
	}
	var events []vigie.AlertEvent
	if len(b.Alerts) > 0 {
		rec, err := s.newRecorder(ctx, tx)
		if err != nil {
			return nil, err
		}
		defer rec.close()
		for _, cand := range b.Alerts {
			ev, err := rec.record(ctx, cand, b.Now)
			if err != nil {
				return nil, err
			}
			events = append(events, ev)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, s.wrap("commit", err)
	}
	return events, nil
}

// recorder writes alerts, events and deliveries with statements prepared
// once per transaction.
type recorder struct {
	s                                         *DB
	find, insert, update, event, hooks, queue *sql.Stmt
	webhooks                                  map[string][]*vigie.Webhook
}

func (s *DB) newRecorder(ctx context.Context, tx *sql.Tx) (*recorder, error) {
	r := &recorder{s: s, webhooks: map[string][]*vigie.Webhook{}}
	for _, p := range []struct {
		dst  **sql.Stmt
		text string
	}{
		{&r.find, `SELECT doc FROM alerts WHERE org_id = ? AND dedup_key = ?`},
		{&r.insert, `INSERT INTO alerts (id, org_id, dedup_key, trigger_kind, severity, state, doc, first_seen, last_seen, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&r.update, `UPDATE alerts SET severity = ?, state = ?, doc = ?, last_seen = ?, updated = ? WHERE id = ?`},
		{&r.event, `INSERT INTO alert_events (org_id, alert_id, kind, doc, created) VALUES (?, ?, ?, ?, ?) RETURNING seq`},
		{&r.hooks, `SELECT id, url FROM webhooks WHERE org_id = ?`},
		{&r.queue, `INSERT INTO deliveries (webhook_id, org_id, event_seq, url, body, state, next_attempt, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
	} {
		st, err := tx.PrepareContext(ctx, s.q(p.text))
		if err != nil {
			r.close()
			return nil, s.wrap("prepare", err)
		}
		*p.dst = st
	}
	return r, nil
}

func (r *recorder) close() {
	for _, st := range []*sql.Stmt{r.find, r.insert, r.update, r.event, r.hooks, r.queue} {
		if st != nil {
			st.Close()
		}
	}
}

// record creates or updates one alert, appends its event and queues its
// deliveries.
func (r *recorder) record(ctx context.Context, cand *vigie.Alert, now time.Time) (vigie.AlertEvent, error) {
	s := r.s
	a, kind, err := r.upsert(ctx, cand, now)
	if err != nil {
		return vigie.AlertEvent{}, err
	}
	doc, err := json.Marshal(a)
	if err != nil {
		return vigie.AlertEvent{}, s.wrap("encode alert", err)
	}
	ev := vigie.AlertEvent{OrgID: a.OrgID, Kind: kind, Alert: doc, Time: now}
	if err := r.event.QueryRowContext(ctx, a.OrgID, a.ID, kind, doc, micros(now)).Scan(&ev.Seq); err != nil {
		return ev, s.wrap("insert alert event", err)
	}
	hooks, ok := r.webhooks[a.OrgID]
	if !ok {
		if hooks, err = r.orgWebhooks(ctx, a.OrgID); err != nil {
			return ev, err
		}
		r.webhooks[a.OrgID] = hooks
	}
	if len(hooks) == 0 {
		return ev, nil
	}
	body, err := json.Marshal(WebhookPayload{ID: ev.Seq, Type: "alert." + kind, Time: now, Alert: doc})
	if err != nil {
		return ev, s.wrap("encode delivery", err)
	}
	for _, h := range hooks {
		if _, err := r.queue.ExecContext(ctx, h.ID, a.OrgID, ev.Seq, h.URL, body, string(vigie.DeliveryPending), micros(now), micros(now)); err != nil {
			return ev, s.wrap("queue delivery", err)
		}
	}
	return ev, nil
}

// WebhookPayload is the JSON body of every webhook delivery.
type WebhookPayload struct {
	ID    int64           `json:"id"`   // the event's sequence number, as in the live stream
	Type  string          `json:"type"` // "alert.created" or "alert.updated"
	Time  time.Time       `json:"time"`
	Alert json.RawMessage `json:"alert"`
}

// moveCursors sets each cursor from its expected value to its new one.
func (s *DB) moveCursors(ctx context.Context, tx *sql.Tx, from, to map[string]int64) error {
	names := make([]string, 0, len(to))
	for n := range to {
		names = append(names, n)
	}
	slices.Sort(names) // a fixed order: no deadlocks between processes
	for _, name := range names {
		var res sql.Result
		var err error
		if from[name] == 0 {
			res, err = tx.ExecContext(ctx, s.q(`INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value WHERE counters.value = 0`), name, to[name])
		} else {
			res, err = tx.ExecContext(ctx, s.q(`UPDATE counters SET value = ? WHERE name = ? AND value = ?`), to[name], name, from[name])
		}
		if err != nil {
			return s.wrap("move cursor", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return vigie.Errorf(vigie.ECONFLICT, "cursor %s moved: another process handled this batch", name)
		}
	}
	return nil
}

// keepEngineTables stores the sightings, relations and observables of a
// batch, many rows per statement.
func (s *DB) keepEngineTables(ctx context.Context, tx *sql.Tx, b *vigie.AlertBatch) error {
	rows := func(n int, row string, prefix, suffix string, args func(i int) []any) error {
		for start := 0; start < n; start += insertChunk {
			end := min(start+insertChunk, n)
			var q strings.Builder
			q.WriteString(prefix)
			var vals []any
			for i := start; i < end; i++ {
				if i > start {
					q.WriteString(", ")
				}
				q.WriteString(row)
				vals = append(vals, args(i)...)
			}
			q.WriteString(suffix)
			if _, err := tx.ExecContext(ctx, s.q(q.String()), vals...); err != nil {
				return s.wrap("engine tables", err)
			}
		}
		return nil
	}
	if err := rows(len(b.Sightings), "(?, ?, ?, ?)", `INSERT INTO sightings (indicator_id, org_id, sighting_id, seen) VALUES `, ` ON CONFLICT DO NOTHING`,
		func(i int) []any {
			sg := b.Sightings[i]
			return []any{sg.IndicatorID, sg.OrgID, sg.SightingID, micros(sg.Seen)}
		}); err != nil {
		return err
	}
	colls := map[string]int64{}
	for _, r := range b.Relations {
		colls[r.Collection] = 0
	}
	for _, o := range b.Observables {
		colls[o.Collection] = 0
	}
	for id := range colls {
		var seq int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT seq FROM collections WHERE id = ?`), id).Scan(&seq); err != nil {
			return s.wrap("engine tables", err)
		}
		colls[id] = seq
	}
	if err := rows(len(b.Relations), "(?, ?, ?, ?, ?)", `INSERT INTO relations (coll, rel_id, rel_type, source_ref, target_ref) VALUES `, ` ON CONFLICT DO NOTHING`,
		func(i int) []any {
			r := b.Relations[i]
			return []any{colls[r.Collection], r.ID, r.Type, r.Source, r.Target}
		}); err != nil {
		return err
	}
	if err := rows(len(b.Observables), "(?, ?, ?, ?)", `INSERT INTO observables (key, coll, object_id, org_id) VALUES `, ` ON CONFLICT DO NOTHING`,
		func(i int) []any {
			o := b.Observables[i]
			return []any{o.Key, colls[o.Collection], o.ObjectID, o.OrgID}
		}); err != nil {
		return err
	}
	for _, k := range b.Prune {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM observables WHERE key = ? AND seq NOT IN (SELECT seq FROM observables WHERE key = ? ORDER BY seq DESC LIMIT `+strconv.Itoa(vigie.MaxPerObservable)+`)`), k, k); err != nil {
			return s.wrap("prune observables", err)
		}
	}
	return nil
}

// upsert creates an alert or merges a candidate into the existing one
// with the same organisation and dedup key: count added, last seen moved,
// objects merged, severity raised, and a resolved alert reopened.
func (r *recorder) upsert(ctx context.Context, c *vigie.Alert, now time.Time) (*vigie.Alert, string, error) {
	s := r.s
	var doc []byte
	err := r.find.QueryRowContext(ctx, c.OrgID, c.DedupKey).Scan(&doc)
	kind := "updated"
	a := c
	switch {
	case errors.Is(err, sql.ErrNoRows):
		kind = "created"
		if a.ID == "" {
			a.ID = vigie.NewUUID()
		}
		a.State = vigie.AlertNew
		a.Count = max(a.Count, 1)
		if a.FirstSeen.IsZero() {
			a.FirstSeen = now
		}
		if a.LastSeen.IsZero() {
			a.LastSeen = now
		}
	case err != nil:
		return nil, "", s.wrap("find alert", err)
	default:
		var old vigie.Alert
		if err := json.Unmarshal(doc, &old); err != nil {
			return nil, "", s.wrap("decode alert", err)
		}
		a = &old
		a.Count += max(c.Count, 1)
		seen := c.LastSeen
		if seen.IsZero() {
			seen = now
		}
		if seen.After(a.LastSeen) {
			a.LastSeen = seen
		}
		a.Severity = max(a.Severity, c.Severity)
		a.Title, a.Detail = c.Title, c.Detail
		a.Objects = mergeRefs(a.Objects, c.Objects)
		a.Countermeasures = mergeRefs(a.Countermeasures, c.Countermeasures)
		if a.State == vigie.AlertResolved {
			a.State = vigie.AlertNew
		}
	}
	a.Updated = now
	doc, err = json.Marshal(a)
	if err != nil {
		return nil, "", s.wrap("encode alert", err)
	}
	if kind == "created" {
		_, err = r.insert.ExecContext(ctx, a.ID, a.OrgID, a.DedupKey, a.Trigger, int(a.Severity), string(a.State), doc, micros(a.FirstSeen), micros(a.LastSeen), micros(now))
	} else {
		_, err = r.update.ExecContext(ctx, int(a.Severity), string(a.State), doc, micros(a.LastSeen), micros(now), a.ID)
	}
	if err != nil {
		return nil, "", s.wrap("store alert", err)
	}
	return a, kind, nil
}

// mergeRefs adds the refs of add missing from have, keeping the newest
// maxAlertObjects.
func mergeRefs(have, add []vigie.ObjectRef) []vigie.ObjectRef {
	for _, r := range add {
		if !slices.ContainsFunc(have, func(h vigie.ObjectRef) bool { return h.ID == r.ID && h.Collection == r.Collection }) {
			have = append(have, r)
		}
	}
	if len(have) > maxAlertObjects {
		have = have[len(have)-maxAlertObjects:]
	}
	return have
}

func (r *recorder) orgWebhooks(ctx context.Context, orgID string) ([]*vigie.Webhook, error) {
	rows, err := r.hooks.QueryContext(ctx, orgID)
	if err != nil {
		return nil, r.s.wrap("webhooks", err)
	}
	defer rows.Close()
	var out []*vigie.Webhook
	for rows.Next() {
		w := &vigie.Webhook{OrgID: orgID}
		if err := rows.Scan(&w.ID, &w.URL); err != nil {
			return nil, r.s.wrap("webhooks", err)
		}
		out = append(out, w)
	}
	return out, r.s.wrap("webhooks", rows.Err())
}

// ListAlerts returns an organisation's alerts, most recently updated first.
func (s *DB) ListAlerts(ctx context.Context, q *vigie.AlertQuery) ([]*vigie.Alert, error) {
	var w strings.Builder
	args := []any{q.OrgID}
	w.WriteString(`SELECT doc FROM alerts WHERE org_id = ?`)
	if len(q.States) > 0 {
		w.WriteString(` AND state IN (?` + strings.Repeat(`, ?`, len(q.States)-1) + `)`)
		for _, st := range q.States {
			args = append(args, string(st))
		}
	}
	if q.Trigger != "" {
		w.WriteString(` AND trigger_kind = ?`)
		args = append(args, q.Trigger)
	}
	if q.MinSeverity > 0 {
		w.WriteString(` AND severity >= ?`)
		args = append(args, int(q.MinSeverity))
	}
	switch {
	case !q.UpdatedBefore.IsZero() && q.AfterID != "":
		// "updated <= ?" first: a range on the (org_id, updated) index.
		w.WriteString(` AND updated <= ? AND (updated < ? OR id > ?)`)
		args = append(args, micros(q.UpdatedBefore), micros(q.UpdatedBefore), q.AfterID)
	case !q.UpdatedBefore.IsZero():
		w.WriteString(` AND updated < ?`)
		args = append(args, micros(q.UpdatedBefore))
	}
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	w.WriteString(` ORDER BY updated DESC, id LIMIT ` + strconv.Itoa(limit))
	rows, err := s.r.QueryContext(ctx, s.q(w.String()), args...)
	if err != nil {
		return nil, s.wrap("list alerts", err)
	}
	defer rows.Close()
	var out []*vigie.Alert
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, s.wrap("list alerts", err)
		}
		var a vigie.Alert
		if err := json.Unmarshal(doc, &a); err != nil {
			return nil, s.wrap("decode alert", err)
		}
		out = append(out, &a)
	}
	return out, s.wrap("list alerts", rows.Err())
}

// CountAlertsByDay counts an organisation's alerts by the day they were
// first seen: a range on the (org_id, updated) index, grouped in SQL.
func (s *DB) CountAlertsByDay(ctx context.Context, orgID string, from time.Time, days int) ([]int, error) {
	const day = int64(24 * time.Hour / time.Microsecond)
	start := micros(from)
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT (first_seen - ?) / ?, COUNT(*) FROM alerts
		WHERE org_id = ? AND updated >= ? AND first_seen >= ? AND first_seen < ? GROUP BY 1`),
		start, day, orgID, start, start, start+int64(days)*day)
	if err != nil {
		return nil, s.wrap("count alerts by day", err)
	}
	defer rows.Close()
	out := make([]int, days)
	for rows.Next() {
		var i int64
		var n int
		if err := rows.Scan(&i, &n); err != nil {
			return nil, s.wrap("count alerts by day", err)
		}
		if i >= 0 && i < int64(days) {
			out[i] = n
		}
	}
	return out, s.wrap("count alerts by day", rows.Err())
}

// FindAlert returns one alert of an organisation.
func (s *DB) FindAlert(ctx context.Context, orgID, id string) (*vigie.Alert, error) {
	var doc []byte
	err := s.r.QueryRowContext(ctx, s.q(`SELECT doc FROM alerts WHERE org_id = ? AND id = ?`), orgID, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no alert %s", id)
	} else if err != nil {
		return nil, s.wrap("find alert", err)
	}
	var a vigie.Alert
	if err := json.Unmarshal(doc, &a); err != nil {
		return nil, s.wrap("decode alert", err)
	}
	return &a, nil
}

// SetAlertState changes the state of an organisation's alert.
func (s *DB) SetAlertState(ctx context.Context, orgID, id string, state vigie.AlertState, at time.Time) (*vigie.Alert, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, s.wrap("begin", err)
	}
	defer tx.Rollback()
	var doc []byte
	err = tx.QueryRowContext(ctx, s.q(`SELECT doc FROM alerts WHERE org_id = ? AND id = ?`), orgID, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no alert %s", id)
	} else if err != nil {
		return nil, s.wrap("find alert", err)
	}
	var a vigie.Alert
	if err := json.Unmarshal(doc, &a); err != nil {
		return nil, s.wrap("decode alert", err)
	}
	a.State, a.Updated = state, at
	if doc, err = json.Marshal(&a); err != nil {
		return nil, s.wrap("encode alert", err)
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE alerts SET state = ?, doc = ?, updated = ? WHERE id = ?`), string(state), doc, micros(at), id); err != nil {
		return nil, s.wrap("set alert state", err)
	}
	return &a, s.wrap("commit", tx.Commit())
}

// AlertEvents returns an organisation's events after seq, oldest first.
func (s *DB) AlertEvents(ctx context.Context, orgID string, after int64, limit int) ([]vigie.AlertEvent, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT seq, kind, doc, created FROM alert_events WHERE org_id = ? AND seq > ? ORDER BY seq LIMIT `+strconv.Itoa(limit)), orgID, after)
	if err != nil {
		return nil, s.wrap("alert events", err)
	}
	defer rows.Close()
	var out []vigie.AlertEvent
	for rows.Next() {
		ev := vigie.AlertEvent{OrgID: orgID}
		var created int64
		if err := rows.Scan(&ev.Seq, &ev.Kind, &ev.Alert, &created); err != nil {
			return nil, s.wrap("alert events", err)
		}
		ev.Time = fromMicros(created)
		out = append(out, ev)
	}
	return out, s.wrap("alert events", rows.Err())
}
