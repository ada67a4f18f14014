package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/vigie-cti/vigie"
)

const supplierColumns = `id, org_id, name, url, member_org, purls, cpes, keys, created`

// CreateSupplier stores a supplier record.
func (s *DB) CreateSupplier(ctx context.Context, sp *vigie.Supplier) error {
	if err := sp.Validate(); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO suppliers (`+supplierColumns+`, name_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		sp.ID, sp.OrgID, sp.Name, sp.URL, sp.MemberOrg, strings.Join(sp.PURLPrefixes, "\n"), strings.Join(sp.CPEPrefixes, "\n"),
		sp.Keys, micros(sp.Created), strings.ToLower(sp.Name))
	switch {
	case s.d.IsUnique(err):
		return vigie.Errorf(vigie.ECONFLICT, "supplier %q exists already", sp.Name)
	case s.d.IsForeignKey(err):
		return vigie.Errorf(vigie.ENOTFOUND, "no organisation %q", sp.OrgID)
	}
	return s.wrap("create supplier", err)
}

// FindSupplier returns an organisation's supplier by id or name.
func (s *DB) FindSupplier(ctx context.Context, orgID, idOrName string) (*vigie.Supplier, error) {
	sp, err := scanSupplier(s.r.QueryRowContext(ctx, s.q(`SELECT `+supplierColumns+` FROM suppliers WHERE org_id = ? AND (id = ? OR name_key = ?)`),
		orgID, idOrName, strings.ToLower(idOrName)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no supplier %q", idOrName)
	}
	return sp, s.wrap("find supplier", err)
}

// ListSuppliers returns an organisation's suppliers, by name.
func (s *DB) ListSuppliers(ctx context.Context, orgID string) ([]*vigie.Supplier, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+supplierColumns+` FROM suppliers WHERE org_id = ? ORDER BY name_key`), orgID)
	if err != nil {
		return nil, s.wrap("list suppliers", err)
	}
	defer rows.Close()
	var out []*vigie.Supplier
	for rows.Next() {
		sp, err := scanSupplier(rows)
		if err != nil {
			return nil, s.wrap("list suppliers", err)
		}
		out = append(out, sp)
	}
	return out, s.wrap("list suppliers", rows.Err())
}

// LinkProductSupplier links an organisation's product to its supplier.
func (s *DB) LinkProductSupplier(ctx context.Context, orgID, productID, supplierID string) error {
	res, err := s.w.ExecContext(ctx, s.q(`INSERT INTO product_suppliers (product_id, org_id, supplier_id)
		SELECT p.id, p.org_id, sp.id FROM products p, suppliers sp
		WHERE p.id = ? AND p.org_id = ? AND sp.id = ? AND sp.org_id = p.org_id
		ON CONFLICT (product_id) DO UPDATE SET supplier_id = excluded.supplier_id`), productID, orgID, supplierID)
	if err != nil {
		return s.wrap("link product supplier", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.wrap("link product supplier", err)
	} else if n == 0 {
		return vigie.Errorf(vigie.ENOTFOUND, "no product %q or supplier %q of this organisation", productID, supplierID)
	}
	return nil
}

// ProductSupplier returns the supplier linked to an organisation's product.
func (s *DB) ProductSupplier(ctx context.Context, orgID, productID string) (*vigie.Supplier, error) {
	sp, err := scanSupplier(s.r.QueryRowContext(ctx, s.q(`SELECT `+prefixed("s.", supplierColumns)+` FROM product_suppliers l
		JOIN suppliers s ON s.id = l.supplier_id WHERE l.product_id = ? AND l.org_id = ? AND s.org_id = ?`), productID, orgID, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "product %q has no linked supplier", productID)
	}
	return sp, s.wrap("product supplier", err)
}

// prefixed qualifies each column of a comma-separated list.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

func scanSupplier(r scanner) (*vigie.Supplier, error) {
	var sp vigie.Supplier
	var purls, cpes string
	var created int64
	if err := r.Scan(&sp.ID, &sp.OrgID, &sp.Name, &sp.URL, &sp.MemberOrg, &purls, &cpes, &sp.Keys, &created); err != nil {
		return nil, err
	}
	sp.PURLPrefixes, sp.CPEPrefixes = lines(purls), lines(cpes)
	sp.Created = fromMicros(created)
	return &sp, nil
}

// lines splits a newline-joined list; nil for "".
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// PostureStatuses returns the statuses the last supplier check recorded.
func (s *DB) PostureStatuses(ctx context.Context, orgID, productID, catalogID string) (map[string]string, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT key, status FROM posture_status WHERE org_id = ? AND product_id = ? AND catalog_id = ?`), orgID, productID, catalogID)
	if err != nil {
		return nil, s.wrap("posture statuses", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, s.wrap("posture statuses", err)
		}
		out[k] = v
	}
	return out, s.wrap("posture statuses", rows.Err())
}

// SetPostureStatuses replaces the statuses of a product against a catalog.
func (s *DB) SetPostureStatuses(ctx context.Context, orgID, productID, catalogID string, st map[string]string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("set posture statuses", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM posture_status WHERE org_id = ? AND product_id = ? AND catalog_id = ?`), orgID, productID, catalogID); err != nil {
		return s.wrap("set posture statuses", err)
	}
	for k, v := range st {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO posture_status (org_id, product_id, catalog_id, key, status) VALUES (?, ?, ?, ?, ?)`), orgID, productID, catalogID, k, v); err != nil {
			return s.wrap("set posture statuses", err)
		}
	}
	return s.wrap("set posture statuses", tx.Commit())
}
