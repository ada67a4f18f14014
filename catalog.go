package vigie

import (
	"context"
	"encoding/json"
	"time"
)

// CatalogRecord is a control catalog as the hub keeps it: hub-wide
// reference data (standards are public), imported by the hub's operator.
// Doc is the catalog as package catalog encodes it.
type CatalogRecord struct {
	ID           string
	Title        string
	Version      string
	Format       string // the form it was imported from: osps-baseline, cyclonedx, vigie
	Requirements int
	Doc          json.RawMessage // empty in lists
	Imported     time.Time
}

// CatalogStore keeps control catalogs.
type CatalogStore interface {
	// PutCatalog stores a catalog, replacing the one of the same id.
	PutCatalog(ctx context.Context, c *CatalogRecord) error
	// FindCatalog returns a catalog by id, with its Doc. ENOTFOUND.
	FindCatalog(ctx context.Context, id string) (*CatalogRecord, error)
	// ListCatalogs returns every catalog without its Doc, by id.
	ListCatalogs(ctx context.Context) ([]*CatalogRecord, error)
}
