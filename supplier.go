package vigie

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// Audit actions of supplier trust.
const (
	AuditSupplierAdd   = "supplier.add"   // a supplier record created
	AuditSupplierLink  = "supplier.link"  // a product version linked to a supplier
	AuditCatalogImport = "catalog.import" // a control catalog imported or replaced
)

// Supplier is an organisation that supplies software, as one member
// organisation knows it: a record kept by OrgID and private to it. The
// supplier itself need not be a member of the hub; when it is, MemberOrg
// names its organisation. PURLPrefixes and CPEPrefixes say which components
// are its products ("pkg:maven/org.apache.logging.log4j/",
// "cpe:2.3:a:apache:").
type Supplier struct {
	ID           string
	OrgID        string // the organisation that keeps this record
	Name         string
	URL          string
	MemberOrg    string // the supplier's organisation on this hub, "" when it is not a member
	PURLPrefixes []string
	CPEPrefixes  []string
	// Keys are the PEM public keys or certificates the organisation
	// trusts to check this supplier's signed attestations ("" for none).
	Keys    string
	Created time.Time
}

// Limits of a supplier record.
const (
	MaxSupplierPrefixes = 100
	maxSupplierPrefix   = 300
	MaxSupplierKeys     = 64 << 10 // bytes of PEM
)

// Validate reports an EINVALID error when the supplier cannot be stored.
func (s *Supplier) Validate() error {
	switch {
	case strings.TrimSpace(s.Name) == "" || len(s.Name) > 200:
		return Errorf(EINVALID, "supplier name required, at most 200 characters")
	case len(s.URL) > 500:
		return Errorf(EINVALID, "supplier URL longer than 500 characters")
	case len(s.Keys) > MaxSupplierKeys:
		return Errorf(EINVALID, "supplier keys over %d bytes of PEM", MaxSupplierKeys)
	case len(s.PURLPrefixes)+len(s.CPEPrefixes) > MaxSupplierPrefixes:
		return Errorf(EINVALID, "at most %d package URL and CPE prefixes", MaxSupplierPrefixes)
	}
	if s.URL != "" {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Errorf(EINVALID, "supplier URL %q: want an http(s) URL", s.URL)
		}
	}
	for _, p := range s.PURLPrefixes {
		if !strings.HasPrefix(p, "pkg:") || len(p) < len("pkg:x/") || len(p) > maxSupplierPrefix {
			return Errorf(EINVALID, "package URL prefix %q: want pkg:TYPE/NAMESPACE...", p)
		}
	}
	for _, p := range s.CPEPrefixes {
		if !strings.HasPrefix(p, "cpe:2.3:") || len(p) < len("cpe:2.3:a:x") || len(p) > maxSupplierPrefix {
			return Errorf(EINVALID, "CPE prefix %q: want cpe:2.3:PART:VENDOR...", p)
		}
	}
	return nil
}

// Covers reports whether a component with this package URL or CPE is one
// of the supplier's products (a prefix matches).
func (s *Supplier) Covers(purl, cpe string) bool {
	for _, p := range s.PURLPrefixes {
		if purl != "" && strings.HasPrefix(purl, p) {
			return true
		}
	}
	for _, p := range s.CPEPrefixes {
		if cpe != "" && strings.HasPrefix(cpe, p) {
			return true
		}
	}
	return false
}

// SupplierStore keeps the supplier records of each organisation and the
// links from its product versions to them.
type SupplierStore interface {
	// CreateSupplier stores a supplier record. ECONFLICT if its
	// organisation has a supplier of that name, ENOTFOUND if the
	// organisation does not exist.
	CreateSupplier(ctx context.Context, s *Supplier) error
	// FindSupplier returns an organisation's supplier by id or name
	// (names compared without case). ENOTFOUND.
	FindSupplier(ctx context.Context, orgID, idOrName string) (*Supplier, error)
	// ListSuppliers returns an organisation's suppliers, by name.
	ListSuppliers(ctx context.Context, orgID string) ([]*Supplier, error)
	// LinkProductSupplier links an organisation's product to one of its
	// suppliers, replacing an earlier link. ENOTFOUND if either is not the
	// organisation's.
	LinkProductSupplier(ctx context.Context, orgID, productID, supplierID string) error
	// ProductSupplier returns the supplier linked to an organisation's
	// product. ENOTFOUND when there is none.
	ProductSupplier(ctx context.Context, orgID, productID string) (*Supplier, error)
	// PostureStatuses returns what the last supplier check recorded for
	// an organisation's product against a catalog: status by key (a
	// requirement id, or "expiry:" and an attestation id once warned).
	PostureStatuses(ctx context.Context, orgID, productID, catalogID string) (map[string]string, error)
	// SetPostureStatuses replaces those statuses.
	SetPostureStatuses(ctx context.Context, orgID, productID, catalogID string, st map[string]string) error
}

// TriggerSupplier is the trigger of alerts about a supplier's posture: a
// requirement lost, an attestation about to expire.
const TriggerSupplier = "supplier"
