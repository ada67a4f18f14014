package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigie-cti/vigie"
)

const userColumns = `id, org_id, email, role, password, totp, created, disabled`

// CreateUser stores a new user.
func (s *DB) CreateUser(ctx context.Context, u *vigie.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		u.ID, u.OrgID, u.Email, string(u.Role), u.Password, u.TOTP, micros(u.Created), micros(u.Disabled))
	switch {
	case s.d.IsForeignKey(err):
		return vigie.Errorf(vigie.ENOTFOUND, "no organisation %q", u.OrgID)
	case s.d.IsUnique(err):
		return vigie.Errorf(vigie.ECONFLICT, "a user with e-mail %q already exists", u.Email)
	case err != nil:
		return s.wrap("create user", err)
	}
	return nil
}

// FindUser returns the user with this id or e-mail.
func (s *DB) FindUser(ctx context.Context, idOrEmail string) (*vigie.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, s.q(`SELECT `+userColumns+` FROM users WHERE id = ? OR email = lower(?)`), idOrEmail, idOrEmail))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no user %q", idOrEmail)
	}
	return u, s.wrap("find user", err)
}

// ListUsers returns the users of an organisation ("" for all), by e-mail.
func (s *DB) ListUsers(ctx context.Context, orgID string) ([]*vigie.User, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+userColumns+` FROM users WHERE ? = '' OR org_id = ? ORDER BY email`), orgID, orgID)
	if err != nil {
		return nil, s.wrap("list users", err)
	}
	defer rows.Close()
	var us []*vigie.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, s.wrap("list users", err)
		}
		us = append(us, u)
	}
	return us, s.wrap("list users", rows.Err())
}

// UpdateUser writes the mutable fields of a user.
func (s *DB) UpdateUser(ctx context.Context, u *vigie.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, s.q(`UPDATE users SET role = ?, password = ?, totp = ?, disabled = ? WHERE id = ?`),
		string(u.Role), u.Password, u.TOTP, micros(u.Disabled), u.ID)
	if err != nil {
		return s.wrap("update user", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return vigie.Errorf(vigie.ENOTFOUND, "no user %q", u.ID)
	}
	return nil
}

func scanUser(r scanner) (*vigie.User, error) {
	var u vigie.User
	var role string
	var created, disabled int64
	if err := r.Scan(&u.ID, &u.OrgID, &u.Email, &role, &u.Password, &u.TOTP, &created, &disabled); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("store: scan user: %w", err)
	}
	u.Role = vigie.Role(role)
	u.Created, u.Disabled = fromMicros(created), fromMicros(disabled)
	return &u, nil
}

// CreateUserToken stores a session or a sign-in link.
func (s *DB) CreateUserToken(ctx context.Context, t *vigie.UserToken) error {
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO user_tokens (hash, user_id, kind, created, expires, addr) VALUES (?, ?, ?, ?, ?, ?)`),
		t.Hash, t.UserID, t.Kind, micros(t.Created), micros(t.Expires), t.Addr)
	switch {
	case s.d.IsForeignKey(err):
		return vigie.Errorf(vigie.ENOTFOUND, "no user %q", t.UserID)
	case s.d.IsUnique(err):
		return vigie.Errorf(vigie.ECONFLICT, "token already exists")
	case err != nil:
		return s.wrap("create user token", err)
	}
	return nil
}

// FindUserToken returns the token with this hash.
func (s *DB) FindUserToken(ctx context.Context, hash []byte) (*vigie.UserToken, error) {
	var t vigie.UserToken
	var created, expires int64
	err := s.r.QueryRowContext(ctx, s.q(`SELECT hash, user_id, kind, created, expires, addr FROM user_tokens WHERE hash = ?`), hash).
		Scan(&t.Hash, &t.UserID, &t.Kind, &created, &expires, &t.Addr)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no such session or sign-in link")
	} else if err != nil {
		return nil, s.wrap("find user token", err)
	}
	t.Created, t.Expires = fromMicros(created), fromMicros(expires)
	return &t, nil
}

// DeleteUserToken deletes one token; ENOTFOUND when it was not there.
func (s *DB) DeleteUserToken(ctx context.Context, hash []byte) error {
	res, err := s.w.ExecContext(ctx, s.q(`DELETE FROM user_tokens WHERE hash = ?`), hash)
	if err != nil {
		return s.wrap("delete user token", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return vigie.Errorf(vigie.ENOTFOUND, "no such session or sign-in link")
	}
	return nil
}

// DeleteUserTokens deletes a user's tokens of a kind ("" for all).
func (s *DB) DeleteUserTokens(ctx context.Context, userID, kind string) (int, error) {
	res, err := s.w.ExecContext(ctx, s.q(`DELETE FROM user_tokens WHERE user_id = ? AND (? = '' OR kind = ?)`), userID, kind, kind)
	if err != nil {
		return 0, s.wrap("delete user tokens", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// PurgeUserTokens deletes the tokens that expired before a time.
func (s *DB) PurgeUserTokens(ctx context.Context, before time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, s.q(`DELETE FROM user_tokens WHERE expires < ?`), micros(before))
	if err != nil {
		return 0, s.wrap("purge user tokens", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// LastAlertEvent returns the seq of an organisation's newest alert event.
func (s *DB) LastAlertEvent(ctx context.Context, orgID string) (int64, error) {
	var seq sql.NullInt64
	err := s.r.QueryRowContext(ctx, s.q(`SELECT max(seq) FROM alert_events WHERE org_id = ?`), orgID).Scan(&seq)
	return seq.Int64, s.wrap("last alert event", err)
}
