package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/vigie-cti/vigie"
)

// CreateOrg stores a new organisation.
func (s *Store) CreateOrg(ctx context.Context, o *vigie.Org) error {
	if err := o.Validate(); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO orgs (id, name, sectors, country, created) VALUES (?, ?, ?, ?, ?)`,
		o.ID, o.Name, strings.Join(o.Sectors, ","), o.Country, micros(o.Created))
	if isConstraint(err) {
		return vigie.Errorf(vigie.ECONFLICT, "organisation %q already exists", o.Name)
	} else if err != nil {
		return fmt.Errorf("sqlite: create org: %w", err)
	}
	return nil
}

// FindOrg returns the organisation with this id or name.
func (s *Store) FindOrg(ctx context.Context, idOrName string) (*vigie.Org, error) {
	row := s.r.QueryRowContext(ctx, `SELECT id, name, sectors, country, created FROM orgs WHERE id = ? OR name = ?`, idOrName, idOrName)
	o, err := scanOrg(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no organisation %q", idOrName)
	}
	return o, err
}

// ListOrgs returns every organisation, by name.
func (s *Store) ListOrgs(ctx context.Context) ([]*vigie.Org, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, name, sectors, country, created FROM orgs ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list orgs: %w", err)
	}
	defer rows.Close()
	var orgs []*vigie.Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		orgs = append(orgs, o)
	}
	return orgs, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanOrg(r scanner) (*vigie.Org, error) {
	var o vigie.Org
	var sectors string
	var created int64
	if err := r.Scan(&o.ID, &o.Name, &sectors, &o.Country, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("sqlite: scan org: %w", err)
	}
	o.Sectors = splitList(sectors)
	o.Created = fromMicros(created)
	return &o, nil
}
