package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigie-cti/vigie"
)

// CreateKey stores a key.
func (s *DB) CreateKey(ctx context.Context, k *vigie.Key) error {
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO api_keys (id, org_id, role, name, hash, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		k.ID, k.OrgID, string(k.Role), k.Name, k.Hash, micros(k.Created), micros(k.Expires))
	switch {
	case s.d.IsForeignKey(err):
		return vigie.Errorf(vigie.ENOTFOUND, "no organisation %q", k.OrgID)
	case s.d.IsUnique(err):
		return vigie.Errorf(vigie.ECONFLICT, "key %q already exists", k.ID)
	case err != nil:
		return s.wrap("create key", err)
	}
	return nil
}

const keyColumns = `id, org_id, role, name, hash, created, expires, revoked`

// FindKey returns the key with this id.
func (s *DB) FindKey(ctx context.Context, id string) (*vigie.Key, error) {
	k, err := scanKey(s.r.QueryRowContext(ctx, s.q(`SELECT `+keyColumns+` FROM api_keys WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no key %q", id)
	}
	return k, s.wrap("find key", err)
}

// ListKeys returns the keys of an organisation ("" for all), newest first.
func (s *DB) ListKeys(ctx context.Context, orgID string) ([]*vigie.Key, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+keyColumns+` FROM api_keys WHERE ? = '' OR org_id = ? ORDER BY created DESC, id`), orgID, orgID)
	if err != nil {
		return nil, s.wrap("list keys", err)
	}
	defer rows.Close()
	var keys []*vigie.Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, s.wrap("list keys", err)
		}
		keys = append(keys, k)
	}
	return keys, s.wrap("list keys", rows.Err())
}

// RevokeKey marks a key revoked.
func (s *DB) RevokeKey(ctx context.Context, id string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, s.q(`UPDATE api_keys SET revoked = ? WHERE id = ? AND revoked = 0`), micros(at), id)
	if err != nil {
		return s.wrap("revoke key", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.FindKey(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func scanKey(r scanner) (*vigie.Key, error) {
	var k vigie.Key
	var role string
	var created, expires, revoked int64
	if err := r.Scan(&k.ID, &k.OrgID, &role, &k.Name, &k.Hash, &created, &expires, &revoked); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("store: scan key: %w", err)
	}
	k.Role = vigie.Role(role)
	k.Created, k.Expires, k.Revoked = fromMicros(created), fromMicros(expires), fromMicros(revoked)
	return &k, nil
}
