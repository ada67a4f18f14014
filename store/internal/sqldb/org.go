package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/vigie-cti/vigie"
)

// CreateOrg stores a new organisation.
func (s *DB) CreateOrg(ctx context.Context, o *vigie.Org) error {
	if err := o.Validate(); err != nil {
		return err
	}
	err := s.execBumped(ctx, AudienceGeneration, `INSERT INTO orgs (id, name, sectors, country, created) VALUES (?, ?, ?, ?, ?)`,
		o.ID, o.Name, strings.Join(o.Sectors, ","), o.Country, micros(o.Created))
	if s.d.IsUnique(err) {
		return vigie.Errorf(vigie.ECONFLICT, "organisation %q already exists", o.Name)
	} else if err != nil {
		return s.wrap("create org", err)
	}
	return nil
}

// FindOrg returns the organisation with this id or name.
func (s *DB) FindOrg(ctx context.Context, idOrName string) (*vigie.Org, error) {
	row := s.r.QueryRowContext(ctx, s.q(`SELECT id, name, sectors, country, created FROM orgs WHERE id = ? OR name = ?`), idOrName, idOrName)
	o, err := scanOrg(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no organisation %q", idOrName)
	}
	return o, s.wrap("find org", err)
}

// ListOrgs returns every organisation, by name.
func (s *DB) ListOrgs(ctx context.Context) ([]*vigie.Org, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT id, name, sectors, country, created FROM orgs ORDER BY name`))
	if err != nil {
		return nil, s.wrap("list orgs", err)
	}
	defer rows.Close()
	var orgs []*vigie.Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, s.wrap("list orgs", err)
		}
		orgs = append(orgs, o)
	}
	return orgs, s.wrap("list orgs", rows.Err())
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
		return nil, fmt.Errorf("store: scan org: %w", err)
	}
	o.Sectors = splitList(sectors)
	o.Created = fromMicros(created)
	return &o, nil
}
