package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/vigie-cti/vigie"
)

// ClaimDeliveries leases up to n due pending deliveries to owner. The outer
// "lease_until < now" is checked again on the row being updated, so two
// processes racing for one delivery cannot both get it.
func (s *DB) ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, n int) ([]*vigie.Delivery, error) {
	rows, err := s.w.QueryContext(ctx, s.q(`UPDATE deliveries SET lease_until = ?, lease_owner = ?
		WHERE id IN (SELECT id FROM deliveries WHERE state = ? AND next_attempt <= ? AND lease_until < ? ORDER BY next_attempt, id LIMIT `+strconv.Itoa(n)+s.d.SkipLocked+`)
		AND lease_until < ?
		RETURNING id, webhook_id, org_id, event_seq, url, body, attempts, next_attempt, created`),
		micros(now.Add(lease)), owner, string(vigie.DeliveryPending), micros(now), micros(now), micros(now))
	if err != nil {
		return nil, s.wrap("claim deliveries", err)
	}
	defer rows.Close()
	var out []*vigie.Delivery
	for rows.Next() {
		d := &vigie.Delivery{State: vigie.DeliveryPending}
		var next, created int64
		if err := rows.Scan(&d.ID, &d.WebhookID, &d.OrgID, &d.EventSeq, &d.URL, &d.Body, &d.Attempts, &next, &created); err != nil {
			return nil, s.wrap("claim deliveries", err)
		}
		d.NextAttempt, d.Created = fromMicros(next), fromMicros(created)
		out = append(out, d)
	}
	return out, s.wrap("claim deliveries", rows.Err())
}

// FinishDelivery records the outcome of an attempt and ends the lease.
func (s *DB) FinishDelivery(ctx context.Context, d *vigie.Delivery) error {
	_, err := s.w.ExecContext(ctx, s.q(`UPDATE deliveries SET state = ?, attempts = ?, next_attempt = ?, last_error = ?, last_status = ?, delivered = ?, lease_until = 0, lease_owner = '' WHERE id = ?`),
		string(d.State), d.Attempts, micros(d.NextAttempt), d.LastError, d.LastStatus, micros(d.Delivered), d.ID)
	return s.wrap("finish delivery", err)
}

// QueueDelivery queues one delivery to an organisation's webhook.
func (s *DB) QueueDelivery(ctx context.Context, d *vigie.Delivery) error {
	err := s.w.QueryRowContext(ctx, s.q(`INSERT INTO deliveries (webhook_id, org_id, event_seq, url, body, state, next_attempt, created)
		SELECT id, org_id, ?, url, ?, ?, ?, ? FROM webhooks WHERE org_id = ? AND id = ? RETURNING id, url`),
		d.EventSeq, d.Body, string(vigie.DeliveryPending), micros(d.Created), micros(d.Created), d.OrgID, d.WebhookID).Scan(&d.ID, &d.URL)
	if errors.Is(err, sql.ErrNoRows) {
		return vigie.Errorf(vigie.ENOTFOUND, "no webhook %q", d.WebhookID)
	}
	d.State, d.NextAttempt = vigie.DeliveryPending, d.Created
	return s.wrap("queue delivery", err)
}

// ListDeliveries returns an organisation's deliveries, newest first.
func (s *DB) ListDeliveries(ctx context.Context, orgID string, state vigie.DeliveryState, limit int) ([]*vigie.Delivery, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT id, webhook_id, org_id, event_seq, url, state, attempts, next_attempt, last_error, last_status, created, delivered
		FROM deliveries WHERE org_id = ? AND (? = '' OR state = ?) ORDER BY id DESC LIMIT `+strconv.Itoa(limit)), orgID, string(state), string(state))
	if err != nil {
		return nil, s.wrap("list deliveries", err)
	}
	defer rows.Close()
	var out []*vigie.Delivery
	for rows.Next() {
		d := &vigie.Delivery{}
		var st string
		var next, created, delivered int64
		if err := rows.Scan(&d.ID, &d.WebhookID, &d.OrgID, &d.EventSeq, &d.URL, &st, &d.Attempts, &next, &d.LastError, &d.LastStatus, &created, &delivered); err != nil {
			return nil, s.wrap("list deliveries", err)
		}
		d.State, d.NextAttempt, d.Created, d.Delivered = vigie.DeliveryState(st), fromMicros(next), fromMicros(created), fromMicros(delivered)
		out = append(out, d)
	}
	return out, s.wrap("list deliveries", rows.Err())
}
