package api

// Supplier is a supplier record of the caller's organisation.
type Supplier struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	URL          string   `json:"url,omitempty"`
	MemberOrg    string   `json:"member_org,omitempty"` // the supplier's organisation id on the hub
	PURLPrefixes []string `json:"purl_prefixes,omitempty"`
	CPEPrefixes  []string `json:"cpe_prefixes,omitempty"`
	Keys         string   `json:"keys,omitempty"` // PEM public keys or certificates trusted for its signatures
	Created      string   `json:"created,omitempty"`
}

// SupplierLink is the body of POST /api/v1/suppliers/link.
type SupplierLink struct {
	Product  string `json:"product"`  // NAME@VERSION or id
	Supplier string `json:"supplier"` // name or id
}

// ProductSuppliers is the answer of GET /api/v1/product-suppliers: who
// supplies a product version and who supplies its components.
type ProductSuppliers struct {
	Product    string              `json:"product"`
	Supplier   *SupplierRef        `json:"supplier,omitempty"`
	Components []ComponentSupplier `json:"components"`
	// Unattributed counts the components no supplier was found for.
	Unattributed int `json:"unattributed"`
}

// SupplierRef names a supplier and says where the name came from: "link"
// (vigie supplier link), "upload" (sbom upload --supplier) or "sbom" (the
// SBOM's supplier or manufacturer).
type SupplierRef struct {
	Name   string `json:"name"`
	ID     string `json:"id,omitempty"` // the supplier record, when there is one
	Source string `json:"source"`
}

// ComponentSupplier is one supplier of some of a product's components:
// named by the SBOM ("sbom") or recognised by one of the organisation's
// supplier records' package URL or CPE prefixes ("prefix").
type ComponentSupplier struct {
	SupplierRef
	Components int      `json:"components"`
	Examples   []string `json:"examples"` // up to five component package URLs or names
}

// CatalogSummary describes one control catalog of the hub.
type CatalogSummary struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Version      string `json:"version,omitempty"`
	Format       string `json:"format"`
	Requirements int    `json:"requirements"`
	Imported     string `json:"imported"`
}

// CatalogImport is the body of POST /api/v1/catalogs: the files of one
// catalog (one CycloneDX or vigie file, or the YAML files of the OSPS
// Baseline), by file name.
type CatalogImport struct {
	Files map[string]string `json:"files"`
}

// AttestationUpload is the answer of POST /api/v1/attestations.
type AttestationUpload struct {
	ID           string   `json:"id"`
	Kind         string   `json:"kind"`
	Title        string   `json:"title"`
	Product      string   `json:"product"`
	Collection   string   `json:"collection"`
	Verification string   `json:"verification,omitempty"` // verified, unverified or invalid, for signed kinds
	Reason       string   `json:"reason,omitempty"`       // why not verified
	Expires      string   `json:"expires,omitempty"`
	Warnings     []string `json:"warnings,omitempty"`
}
