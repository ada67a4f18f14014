package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vigie-cti/vigie"
)

// CreateAPIRoot stores an API root.
func (s *DB) CreateAPIRoot(ctx context.Context, r *vigie.APIRoot) error {
	if err := r.Validate(); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO api_roots (name, title, description, max_content_length) VALUES (?, ?, ?, ?)`),
		r.Name, r.Title, r.Description, r.MaxContentLength)
	if s.d.IsUnique(err) {
		return vigie.Errorf(vigie.ECONFLICT, "API root %q already exists", r.Name)
	} else if err != nil {
		return s.wrap("create API root", err)
	}
	return nil
}

// FindAPIRoot returns an API root by name.
func (s *DB) FindAPIRoot(ctx context.Context, name string) (*vigie.APIRoot, error) {
	var r vigie.APIRoot
	err := s.r.QueryRowContext(ctx, s.q(`SELECT name, title, description, max_content_length FROM api_roots WHERE name = ?`), name).
		Scan(&r.Name, &r.Title, &r.Description, &r.MaxContentLength)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no API root %q", name)
	} else if err != nil {
		return nil, s.wrap("find API root", err)
	}
	return &r, nil
}

// ListAPIRoots returns every API root, by name.
func (s *DB) ListAPIRoots(ctx context.Context) ([]*vigie.APIRoot, error) {
	names, err := s.strings(ctx, `SELECT name FROM api_roots ORDER BY name`)
	if err != nil {
		return nil, err
	}
	roots := make([]*vigie.APIRoot, 0, len(names))
	for _, n := range names {
		r, err := s.FindAPIRoot(ctx, n)
		if err != nil {
			return nil, err
		}
		roots = append(roots, r)
	}
	return roots, nil
}

// CreateCollection stores a collection under an existing API root.
func (s *DB) CreateCollection(ctx context.Context, c *vigie.Collection) error {
	if err := c.Validate(); err != nil {
		return err
	}
	read, err := json.Marshal(c.Read)
	if err != nil {
		return s.wrap("encode grants", err)
	}
	write, err := json.Marshal(c.Write)
	if err != nil {
		return s.wrap("encode grants", err)
	}
	err = s.execBumped(ctx, AudienceGeneration, `INSERT INTO collections (id, api_root, title, description, alias, read_grants, write_grants, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Root, c.Title, c.Description, c.Alias, read, write, micros(c.Created))
	switch {
	case s.d.IsForeignKey(err):
		return vigie.Errorf(vigie.ENOTFOUND, "no API root %q", c.Root)
	case s.d.IsUnique(err):
		return vigie.Errorf(vigie.ECONFLICT, "collection %s already exists", c.ID)
	case err != nil:
		return s.wrap("create collection", err)
	}
	return nil
}

const collectionColumns = `id, api_root, title, description, alias, read_grants, write_grants, created`

// FindCollection returns a collection of an API root.
func (s *DB) FindCollection(ctx context.Context, root, id string) (*vigie.Collection, error) {
	c, err := scanCollection(s.r.QueryRowContext(ctx, s.q(`SELECT `+collectionColumns+` FROM collections WHERE api_root = ? AND id = ?`), root, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no collection %s in API root %q", id, root)
	}
	return c, s.wrap("find collection", err)
}

// ListCollections returns the collections of an API root ("" for all).
func (s *DB) ListCollections(ctx context.Context, root string) ([]*vigie.Collection, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+collectionColumns+` FROM collections WHERE ? = '' OR api_root = ? ORDER BY created, id`), root, root)
	if err != nil {
		return nil, s.wrap("list collections", err)
	}
	defer rows.Close()
	var out []*vigie.Collection
	for rows.Next() {
		c, err := scanCollection(rows)
		if err != nil {
			return nil, s.wrap("list collections", err)
		}
		out = append(out, c)
	}
	return out, s.wrap("list collections", rows.Err())
}

func scanCollection(r scanner) (*vigie.Collection, error) {
	var c vigie.Collection
	var read, write []byte
	var created int64
	if err := r.Scan(&c.ID, &c.Root, &c.Title, &c.Description, &c.Alias, &read, &write, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("store: scan collection: %w", err)
	}
	if err := json.Unmarshal(read, &c.Read); err != nil {
		return nil, fmt.Errorf("store: collection %s read grants: %w", c.ID, err)
	}
	if err := json.Unmarshal(write, &c.Write); err != nil {
		return nil, fmt.Errorf("store: collection %s write grants: %w", c.ID, err)
	}
	c.Created = fromMicros(created)
	return &c, nil
}
