package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/catalog"
)

// ImportCatalog reads the files of one catalog import (catalog.Parse) and
// stores each catalog they hold, replacing one of the same id. Catalogs
// are hub-wide, so only the hub's operator imports them (EFORBIDDEN for
// anyone else); EINVALID for unreadable or inconsistent files, ETOOLARGE
// over catalog's limits.
func (h *Hub) ImportCatalog(ctx context.Context, p vigie.Principal, files map[string][]byte) ([]*vigie.CatalogRecord, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
	cs, err := catalog.Parse(files)
	if errors.Is(err, catalog.ErrTooLarge) {
		return nil, vigie.Errorf(vigie.ETOOLARGE, "%v", err)
	} else if err != nil {
		return nil, vigie.Errorf(vigie.EINVALID, "%v", err)
	}
	var out []*vigie.CatalogRecord
	for _, c := range cs {
		doc, err := json.Marshal(c)
		if err != nil {
			return nil, fmt.Errorf("hub: encode catalog %s: %w", c.ID, err)
		}
		rec := &vigie.CatalogRecord{ID: c.ID, Title: c.Title, Version: c.Version, Format: c.Format, Requirements: len(c.Requirements), Doc: doc, Imported: h.now().UTC()}
		if err := h.store.PutCatalog(ctx, rec); err != nil {
			return nil, err
		}
		if err := h.record(ctx, withDetail(h.newEntry(p, vigie.AuditCatalogImport, "catalog "+c.ID, vigie.OutcomeSuccess),
			map[string]any{"format": c.Format, "version": c.Version, "requirements": len(c.Requirements)})); err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// Catalogs lists the hub's catalogs (without their requirements) to any
// caller with a key.
func (h *Hub) Catalogs(ctx context.Context, p vigie.Principal) ([]*vigie.CatalogRecord, error) {
	if err := Allow(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	return h.store.ListCatalogs(ctx)
}

// Catalog returns one catalog with its requirements. ENOTFOUND.
func (h *Hub) Catalog(ctx context.Context, p vigie.Principal, id string) (*catalog.Catalog, error) {
	if err := Allow(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	rec, err := h.store.FindCatalog(ctx, id)
	if err != nil {
		return nil, err
	}
	var c catalog.Catalog
	if err := json.Unmarshal(rec.Doc, &c); err != nil {
		return nil, fmt.Errorf("hub: catalog %s: %w", id, err)
	}
	return &c, nil
}
