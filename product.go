package vigie

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// Product is a version of a product an organisation runs or ships, with
// the SBOM that lists its components. The SBOM is shared as an STIX object
// (x-vigie-sbom) in Collection, private to the organisation by default.
type Product struct {
	ID         string
	OrgID      string
	Name       string
	Version    string
	Supplier   string
	SBOMID     string // the x-vigie-sbom object of this product version
	Collection string // where its SBOM and VEX are published
	Created    time.Time
}

// Validate reports an EINVALID error when the product cannot be stored.
func (p *Product) Validate() error {
	switch {
	case strings.TrimSpace(p.Name) == "" || len(p.Name) > 200:
		return Errorf(EINVALID, "product name required, at most 200 characters")
	case strings.TrimSpace(p.Version) == "" || len(p.Version) > 100:
		return Errorf(EINVALID, "product version required, at most 100 characters")
	case len(p.Supplier) > 200:
		return Errorf(EINVALID, "supplier longer than 200 characters")
	}
	return nil
}

// Finding is one advisory affecting one component of a product version,
// as the early-warning engine keeps it for the product's organisation. Doc
// is the finding as exposure.Finding encodes it.
type Finding struct {
	SBOMID    string          `json:"sbom_id"`
	Key       string          `json:"key"` // advisory id and component, unique in the SBOM
	OrgID     string          `json:"org_id"`
	ProductID string          `json:"product_id"`
	State     string          `json:"state"` // affected, under_investigation, suppressed
	Severity  string          `json:"severity,omitempty"`
	Malicious bool            `json:"malicious,omitempty"`
	Doc       json.RawMessage `json:"finding"`
	Updated   time.Time       `json:"updated"`
}

// ProductStore keeps products and the findings on them.
type ProductStore interface {
	// CreateProduct stores a product. ECONFLICT if the organisation has
	// that name and version already.
	CreateProduct(ctx context.Context, p *Product) error
	// FindProduct returns an organisation's product by id or
	// "NAME@VERSION". ENOTFOUND.
	FindProduct(ctx context.Context, orgID, idOrName string) (*Product, error)
	// ListProducts returns an organisation's products ("" for all), by name.
	ListProducts(ctx context.Context, orgID string) ([]*Product, error)
	// ListFindings returns an organisation's findings, of one product ("" for
	// all), malicious and severe first.
	ListFindings(ctx context.Context, orgID, productID string, limit int) ([]*Finding, error)
}
