package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/vigie-cti/vigie"
)

// CreateCommunity stores a community and its members.
func (s *Store) CreateCommunity(ctx context.Context, c *vigie.Community) error {
	if err := c.Validate(); err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO communities (id, name, created) VALUES (?, ?, ?)`, c.ID, c.Name, micros(c.Created))
	if isConstraint(err) {
		return vigie.Errorf(vigie.ECONFLICT, "community %q already exists", c.Name)
	} else if err != nil {
		return fmt.Errorf("sqlite: create community: %w", err)
	}
	for _, org := range c.Members {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO community_members (community_id, org_id) VALUES (?, ?)`, c.ID, org)
		if isForeignKey(err) {
			return vigie.Errorf(vigie.ENOTFOUND, "no organisation %q", org)
		} else if err != nil {
			return fmt.Errorf("sqlite: add member: %w", err)
		}
	}
	return tx.Commit()
}

// FindCommunity returns a community by id or name.
func (s *Store) FindCommunity(ctx context.Context, idOrName string) (*vigie.Community, error) {
	var c vigie.Community
	var created int64
	err := s.r.QueryRowContext(ctx, `SELECT id, name, created FROM communities WHERE id = ? OR name = ?`, idOrName, idOrName).Scan(&c.ID, &c.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no community %q", idOrName)
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find community: %w", err)
	}
	c.Created = fromMicros(created)
	if c.Members, err = s.strings(ctx, `SELECT org_id FROM community_members WHERE community_id = ? ORDER BY org_id`, c.ID); err != nil {
		return nil, err
	}
	return &c, nil
}

// ListCommunities returns every community, by name.
func (s *Store) ListCommunities(ctx context.Context) ([]*vigie.Community, error) {
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
func (s *Store) SetCommunityMember(ctx context.Context, communityID, orgID string, member bool) error {
	if _, err := s.FindCommunity(ctx, communityID); err != nil {
		return err
	}
	if _, err := s.FindOrg(ctx, orgID); err != nil {
		return err
	}
	q := `DELETE FROM community_members WHERE community_id = ? AND org_id = ?`
	if member {
		q = `INSERT OR IGNORE INTO community_members (community_id, org_id) VALUES (?, ?)`
	}
	if _, err := s.w.ExecContext(ctx, q, communityID, orgID); err != nil {
		return fmt.Errorf("sqlite: set community member: %w", err)
	}
	return nil
}

// OrgCommunities returns the ids of the communities orgID belongs to.
func (s *Store) OrgCommunities(ctx context.Context, orgID string) ([]string, error) {
	return s.strings(ctx, `SELECT community_id FROM community_members WHERE org_id = ? ORDER BY community_id`, orgID)
}

// strings runs a query of one text column.
func (s *Store) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: query: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("sqlite: scan: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
