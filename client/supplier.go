package client

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/vigie-cti/vigie/api"
)

// Suppliers returns the organisation's supplier records.
func (c *Client) Suppliers(ctx context.Context) ([]api.Supplier, error) {
	var out struct{ Suppliers []api.Supplier }
	return out.Suppliers, c.do(ctx, "GET", "/api/v1/suppliers", nil, &out)
}

// AddSupplier records a supplier of the organisation.
func (c *Client) AddSupplier(ctx context.Context, s api.Supplier) (*api.Supplier, error) {
	var out api.Supplier
	return &out, c.do(ctx, "POST", "/api/v1/suppliers", s, &out)
}

// LinkSupplier links a product version ("NAME@VERSION") to a supplier record.
func (c *Client) LinkSupplier(ctx context.Context, product, supplier string) error {
	return c.do(ctx, "POST", "/api/v1/suppliers/link", api.SupplierLink{Product: product, Supplier: supplier}, nil)
}

// ProductSuppliers returns who supplies a product version and its
// components; sh says where its SBOM was shared (zero: the private
// collection).
func (c *Client) ProductSuppliers(ctx context.Context, product string, sh Share) (*api.ProductSuppliers, error) {
	var out api.ProductSuppliers
	return &out, c.do(ctx, "GET", "/api/v1/product-suppliers?"+sh.query(url.Values{"product": {product}}).Encode(), nil, &out)
}

// Catalogs lists the hub's control catalogs.
func (c *Client) Catalogs(ctx context.Context) ([]api.CatalogSummary, error) {
	var out struct{ Catalogs []api.CatalogSummary }
	return out.Catalogs, c.do(ctx, "GET", "/api/v1/catalogs", nil, &out)
}

// Catalog returns one catalog with its requirements, as JSON (package
// catalog's Catalog; the client imports only api).
func (c *Client) Catalog(ctx context.Context, id string) (json.RawMessage, error) {
	var out json.RawMessage
	return out, c.do(ctx, "GET", "/api/v1/catalogs/"+url.PathEscape(id), nil, &out)
}

// ImportCatalog sends the files of one catalog (by name) to the hub
// (operator keys only).
func (c *Client) ImportCatalog(ctx context.Context, files map[string][]byte) ([]api.CatalogSummary, error) {
	in := api.CatalogImport{Files: map[string]string{}}
	for n, b := range files {
		in.Files[n] = string(b)
	}
	var out struct{ Catalogs []api.CatalogSummary }
	return out.Catalogs, c.do(ctx, "POST", "/api/v1/catalogs", in, &out)
}

// PublishAttestation uploads an attestation about one of the
// organisation's product versions; repo is the product's source
// repository (required for Scorecard results).
func (c *Client) PublishAttestation(ctx context.Context, product, repo string, data []byte, sh Share) (*api.AttestationUpload, error) {
	q := sh.query(url.Values{"product": {product}})
	if repo != "" {
		q.Set("repo", repo)
	}
	var out api.AttestationUpload
	return &out, c.rawPost(ctx, "/api/v1/attestations?"+q.Encode(), "application/octet-stream", data, &out)
}

// Posture returns the posture report of a product version against a
// catalog, as JSON (package posture's Report).
func (c *Client) Posture(ctx context.Context, product, catalogID string, sh Share) (json.RawMessage, error) {
	var out json.RawMessage
	return out, c.do(ctx, "GET", "/api/v1/posture?"+sh.query(url.Values{"product": {product}, "catalog": {catalogID}}).Encode(), nil, &out)
}

// PublishQuestionnaire uploads a supplier's answers to a catalog
// (vigie-questionnaire/1 YAML) about one of its product versions.
func (c *Client) PublishQuestionnaire(ctx context.Context, product string, data []byte, sh Share) (*api.AttestationUpload, error) {
	var out api.AttestationUpload
	return &out, c.rawPost(ctx, "/api/v1/questionnaires?"+sh.query(url.Values{"product": {product}}).Encode(), "application/octet-stream", data, &out)
}

// SupplierPosture returns the roll-up of a supplier's posture over the
// organisation's products linked to it, as JSON (posture.RollUp).
func (c *Client) SupplierPosture(ctx context.Context, supplier, catalogID string) (json.RawMessage, error) {
	var out json.RawMessage
	return out, c.do(ctx, "GET", "/api/v1/posture?"+url.Values{"supplier": {supplier}, "catalog": {catalogID}}.Encode(), nil, &out)
}
