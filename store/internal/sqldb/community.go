package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/vigie-cti/vigie"
)

// CreateCommunity stores a community and its members.
func (s *DB) CreateCommunity(ctx context.Context, c *vigie.Community) error {
	if err := c.Validate(); err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("begin", err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO communities (id, name, created) VALUES (?, ?, ?)`), c.ID, c.Name, micros(c.Created))
	if s.d.IsUnique(err) {
		return vigie.Errorf(vigie.ECONFLICT, "community %q already exists", c.Name)
	} else if err != nil {
		return s.wrap("create community", err)
	}
	if err := s.bump(ctx, tx, AudienceGeneration); err != nil {
		return err
	}
	for _, org := range c.Members {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO community_members (community_id, org_id) VALUES (?, ?) ON CONFLICT DO NOTHING`), c.ID, org)
		if s.d.IsForeignKey(err) {
			return vigie.Errorf(vigie.ENOTFOUND, "no organisation %q", org)
		} else if err != nil {
			return s.wrap("add member", err)
		}
	}
	return s.wrap("commit", tx.Commit())
}

// FindCommunity returns a community by id or name.
func (s *DB) FindCommunity(ctx context.Context, idOrName string) (*vigie.Community, error) {
	var c vigie.Community
	var created int64
	err := s.r.QueryRowContext(ctx, s.q(`SELECT id, name, created FROM communities WHERE id = ? OR name = ?`), idOrName, idOrName).Scan(&c.ID, &c.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no community %q", idOrName)
	} else if err != nil {
		return nil, s.wrap("find community", err)
	}
	c.Created = fromMicros(created)
	if c.Members, err = s.strings(ctx, `SELECT org_id FROM community_members WHERE community_id = ? ORDER BY org_id`, c.ID); err != nil {
		return nil, err
	}
	return &c, nil
}

// ListCommunities returns every community, by name.
func (s *DB) ListCommunities(ctx context.Context) ([]*vigie.Community, error) {
	names, err := s.strings(ctx, `SELECT id FROM communities ORDER BY name`)
	if err != nil {
		return nil, err
	}
	out := make([]*vigie.Community, 0, len(names))
	for _, id := range names {
		c, err := s.FindCommunity(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// SetCommunityMember adds or removes an organisation.
func (s *DB) SetCommunityMember(ctx context.Context, communityID, orgID string, member bool) error {
	if _, err := s.FindCommunity(ctx, communityID); err != nil {
		return err
	}
	if _, err := s.FindOrg(ctx, orgID); err != nil {
		return err
	}
	q := `DELETE FROM community_members WHERE community_id = ? AND org_id = ?`
	if member {
		q = `INSERT INTO community_members (community_id, org_id) VALUES (?, ?) ON CONFLICT DO NOTHING`
	}
	if err := s.execBumped(ctx, AudienceGeneration, q, communityID, orgID); err != nil {
		return s.wrap("set community member", err)
	}
	return nil
}

// OrgCommunities returns the ids of the communities orgID belongs to.
func (s *DB) OrgCommunities(ctx context.Context, orgID string) ([]string, error) {
	return s.strings(ctx, `SELECT community_id FROM community_members WHERE org_id = ? ORDER BY community_id`, orgID)
}

// strings runs a query of one text column.
func (s *DB) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, s.q(q), args...)
	if err != nil {
		return nil, s.wrap("query", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, s.wrap("scan", err)
		}
		out = append(out, v)
	}
	return out, s.wrap("query", rows.Err())
}
