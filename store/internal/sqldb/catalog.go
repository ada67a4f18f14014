package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/vigie-cti/vigie"
)

// PutCatalog stores a catalog, replacing the one of the same id.
func (s *DB) PutCatalog(ctx context.Context, c *vigie.CatalogRecord) error {
	if c.ID == "" || len(c.Doc) == 0 {
		return vigie.Errorf(vigie.EINVALID, "catalog id and document required")
	}
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO catalogs (id, title, version, format, requirements, doc, imported) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, version = excluded.version, format = excluded.format,
		requirements = excluded.requirements, doc = excluded.doc, imported = excluded.imported`),
		c.ID, c.Title, c.Version, c.Format, c.Requirements, []byte(c.Doc), micros(c.Imported))
	return s.wrap("put catalog", err)
}

// FindCatalog returns a catalog by id, with its document.
func (s *DB) FindCatalog(ctx context.Context, id string) (*vigie.CatalogRecord, error) {
	var c vigie.CatalogRecord
	var doc []byte
	var imported int64
	err := s.r.QueryRowContext(ctx, s.q(`SELECT id, title, version, format, requirements, doc, imported FROM catalogs WHERE id = ?`), id).
		Scan(&c.ID, &c.Title, &c.Version, &c.Format, &c.Requirements, &doc, &imported)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no catalog %q", id)
	} else if err != nil {
		return nil, s.wrap("find catalog", err)
	}
	c.Doc, c.Imported = doc, fromMicros(imported)
	return &c, nil
}

// ListCatalogs returns every catalog without its document, by id.
func (s *DB) ListCatalogs(ctx context.Context) ([]*vigie.CatalogRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, title, version, format, requirements, imported FROM catalogs ORDER BY id`)
	if err != nil {
		return nil, s.wrap("list catalogs", err)
	}
	defer rows.Close()
	var out []*vigie.CatalogRecord
	for rows.Next() {
		var c vigie.CatalogRecord
		var imported int64
		if err := rows.Scan(&c.ID, &c.Title, &c.Version, &c.Format, &c.Requirements, &imported); err != nil {
			return nil, s.wrap("list catalogs", err)
		}
		c.Imported = fromMicros(imported)
		out = append(out, &c)
	}
	return out, s.wrap("list catalogs", rows.Err())
}
