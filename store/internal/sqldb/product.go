package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/vigie-cti/vigie"
)

const productColumns = `id, org_id, name, version, supplier, sbom_id, collection, created`

// CreateProduct stores a product.
func (s *DB) CreateProduct(ctx context.Context, p *vigie.Product) error {
	if err := p.Validate(); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO products (`+productColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		p.ID, p.OrgID, p.Name, p.Version, p.Supplier, p.SBOMID, p.Collection, micros(p.Created))
	switch {
	case s.d.IsUnique(err):
		return vigie.Errorf(vigie.ECONFLICT, "product %s@%s exists already", p.Name, p.Version)
	case s.d.IsForeignKey(err):
		return vigie.Errorf(vigie.ENOTFOUND, "no organisation %q", p.OrgID)
	}
	return s.wrap("create product", err)
}

// FindProduct returns an organisation's product by id or NAME@VERSION.
func (s *DB) FindProduct(ctx context.Context, orgID, idOrName string) (*vigie.Product, error) {
	name, version, _ := cutLast(idOrName, "@")
	p, err := scanProduct(s.r.QueryRowContext(ctx, s.q(`SELECT `+productColumns+` FROM products WHERE org_id = ? AND (id = ? OR (name = ? AND version = ?))`),
		orgID, idOrName, name, version))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no product %q", idOrName)
	}
	return p, s.wrap("find product", err)
}

// cutLast splits s around the last sep.
func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// ListProducts returns an organisation's products ("" for all), by name.
func (s *DB) ListProducts(ctx context.Context, orgID string) ([]*vigie.Product, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+productColumns+` FROM products WHERE ? = '' OR org_id = ? ORDER BY name, version`), orgID, orgID)
	if err != nil {
		return nil, s.wrap("list products", err)
	}
	defer rows.Close()
	var out []*vigie.Product
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return nil, s.wrap("list products", err)
		}
		out = append(out, p)
	}
	return out, s.wrap("list products", rows.Err())
}

func scanProduct(r scanner) (*vigie.Product, error) {
	var p vigie.Product
	var created int64
	if err := r.Scan(&p.ID, &p.OrgID, &p.Name, &p.Version, &p.Supplier, &p.SBOMID, &p.Collection, &created); err != nil {
		return nil, err
	}
	p.Created = fromMicros(created)
	return &p, nil
}

// FindingRank orders findings for people: malicious packages first, then
// by severity, unknown severity between medium and low.
func FindingRank(f *vigie.Finding) int {
	r := 0
	if f.Malicious {
		r = 100
	}
	switch f.Severity {
	case "critical":
		r += 50
	case "high":
		r += 40
	case "medium":
		r += 30
	case "":
		r += 25
	case "low":
		r += 20
	}
	if f.State == "suppressed" {
		r -= 200
	}
	return r
}

// ListFindings returns an organisation's findings, of one product or all.
func (s *DB) ListFindings(ctx context.Context, orgID, productID string, limit int) ([]*vigie.Finding, error) {
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT sbom_id, key, org_id, product_id, state, severity, doc, updated FROM findings
		WHERE org_id = ? AND (? = '' OR product_id = ?) ORDER BY rank DESC, key LIMIT `+strconv.Itoa(limit)), orgID, productID, productID)
	if err != nil {
		return nil, s.wrap("list findings", err)
	}
	defer rows.Close()
	var out []*vigie.Finding
	for rows.Next() {
		var f vigie.Finding
		var updated int64
		if err := rows.Scan(&f.SBOMID, &f.Key, &f.OrgID, &f.ProductID, &f.State, &f.Severity, &f.Doc, &updated); err != nil {
			return nil, s.wrap("list findings", err)
		}
		f.Updated = fromMicros(updated)
		f.Malicious = strings.Contains(string(f.Doc), `"malicious":true`)
		out = append(out, &f)
	}
	return out, s.wrap("list findings", rows.Err())
}

// keepFindings applies the findings of a batch in tx.
func (s *DB) keepFindings(ctx context.Context, tx *sql.Tx, b *vigie.AlertBatch) error {
	for _, id := range b.FindingsReset {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM findings WHERE sbom_id = ?`), id); err != nil {
			return s.wrap("reset findings", err)
		}
	}
	for _, f := range b.FindingsDelete {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM findings WHERE sbom_id = ? AND key = ?`), f.SBOMID, f.Key); err != nil {
			return s.wrap("delete finding", err)
		}
	}
	for _, f := range b.FindingsPut {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO findings (sbom_id, key, org_id, product_id, state, severity, rank, doc, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (sbom_id, key) DO UPDATE SET state = excluded.state, severity = excluded.severity, rank = excluded.rank, doc = excluded.doc, updated = excluded.updated`),
			f.SBOMID, f.Key, f.OrgID, f.ProductID, f.State, f.Severity, FindingRank(f), []byte(f.Doc), micros(f.Updated)); err != nil {
			return s.wrap("store finding", err)
		}
	}
	return nil
}

// LatestOfTypes returns the latest versions of objects of some types, in
// store order after a position.
func (s *DB) LatestOfTypes(ctx context.Context, types []string, after int64, limit int) ([]*vigie.Object, int64, error) {
	if len(types) == 0 {
		return nil, after, nil
	}
	args := []any{after}
	for _, t := range types {
		args = append(args, t)
	}
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT o.seq, c.id, `+objectColumns+`, o.raw FROM objects o JOIN collections c ON c.seq = o.coll
		WHERE o.seq > ? AND o.type IN (?`+strings.Repeat(`, ?`, len(types)-1)+`)
		AND NOT EXISTS (SELECT 1 FROM objects o2 WHERE o2.coll = o.coll AND o2.id = o.id AND o2.version_key > o.version_key)
		ORDER BY o.seq LIMIT `+strconv.Itoa(limit)), args...)
	if err != nil {
		return nil, after, s.wrap("latest of types", err)
	}
	defer rows.Close()
	var out []*vigie.Object
	last := after
	for rows.Next() {
		var o vigie.Object
		var added int64
		var tlp int
		var recipients string
		if err := rows.Scan(&last, &o.Collection, &o.ID, &o.Type, &o.SpecVersion, &o.Version, &o.VersionKey, &added, &o.Publisher, &tlp, &recipients, &o.Author, &o.Raw); err != nil {
			return nil, after, s.wrap("latest of types", err)
		}
		o.DateAdded, o.TLP, o.Recipients = fromMicros(added), vigie.TLP(tlp), SplitRecipients(recipients)
		out = append(out, &o)
	}
	return out, last, s.wrap("latest of types", rows.Err())
}
