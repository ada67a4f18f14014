package hub

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/attest"
	"github.com/vigie-cti/vigie/sbom"
)

// SupplierSpec is what a member records about one of its suppliers.
type SupplierSpec struct {
	Name         string
	URL          string
	MemberOrg    string // the supplier's organisation on this hub (name or id), "" if none
	PURLPrefixes []string
	CPEPrefixes  []string
	// Keys are PEM public keys or certificates the member trusts to check
	// the supplier's signed attestations (attest.ParseKeys).
	Keys []byte
}

// AddSupplier records a supplier for p's organisation. The record is
// private to it: another organisation never sees it. EFORBIDDEN below the
// publisher role, EINVALID for a bad record, ENOTFOUND for an unknown
// MemberOrg, ECONFLICT when the name is taken.
func (h *Hub) AddSupplier(ctx context.Context, p vigie.Principal, spec SupplierSpec) (*vigie.Supplier, error) {
	if err := member(p, vigie.RolePublisher); err != nil {
		return nil, err
	}
	sp := &vigie.Supplier{ID: vigie.NewUUID(), OrgID: p.OrgID, Name: strings.TrimSpace(spec.Name), URL: spec.URL,
		PURLPrefixes: spec.PURLPrefixes, CPEPrefixes: spec.CPEPrefixes, Created: h.now().UTC()}
	if len(spec.Keys) > 0 {
		if len(spec.Keys) > vigie.MaxSupplierKeys {
			return nil, vigie.Errorf(vigie.EINVALID, "supplier keys over %d bytes of PEM", vigie.MaxSupplierKeys)
		}
		if _, err := attest.ParseKeys(spec.Keys); err != nil {
			return nil, vigie.Errorf(vigie.EINVALID, "supplier keys: %v", err)
		}
		sp.Keys = string(spec.Keys)
	}
	if spec.MemberOrg != "" {
		o, err := h.store.FindOrg(ctx, spec.MemberOrg)
		if err != nil {
			return nil, err
		}
		sp.MemberOrg = o.ID
	}
	if err := h.store.CreateSupplier(ctx, sp); err != nil {
		return nil, err
	}
	return sp, h.record(ctx, withDetail(h.newEntry(p, vigie.AuditSupplierAdd, "supplier "+sp.ID, vigie.OutcomeSuccess),
		map[string]string{"name": sp.Name, "member_org": sp.MemberOrg}))
}

// Suppliers returns p's organisation's supplier records, by name.
func (h *Hub) Suppliers(ctx context.Context, p vigie.Principal) ([]*vigie.Supplier, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	return h.store.ListSuppliers(ctx, p.OrgID)
}

// LinkSupplier links p's product "NAME@VERSION" (or id) to one of its
// supplier records (name or id). ENOTFOUND when either is not p's
// organisation's, EFORBIDDEN below the publisher role.
func (h *Hub) LinkSupplier(ctx context.Context, p vigie.Principal, product, supplier string) (*vigie.Product, *vigie.Supplier, error) {
	if err := member(p, vigie.RolePublisher); err != nil {
		return nil, nil, err
	}
	prod, err := h.store.FindProduct(ctx, p.OrgID, product)
	if err != nil {
		return nil, nil, err
	}
	sp, err := h.store.FindSupplier(ctx, p.OrgID, supplier)
	if err != nil {
		return nil, nil, err
	}
	if err := h.store.LinkProductSupplier(ctx, p.OrgID, prod.ID, sp.ID); err != nil {
		return nil, nil, err
	}
	return prod, sp, h.record(ctx, withDetail(h.newEntry(p, vigie.AuditSupplierLink, "product "+prod.ID, vigie.OutcomeSuccess),
		map[string]string{"supplier": sp.ID}))
}

// maxExamples bounds the component examples per supplier.
const maxExamples = 5

// ProductSuppliers says who supplies p's product version and who supplies
// each of its components, from the product's latest SBOM (in its private
// collection, or where share says it was published) and p's supplier
// records. No supplier needs to be a member of the hub.
func (h *Hub) ProductSuppliers(ctx context.Context, p vigie.Principal, product string, share Share) (*api.ProductSuppliers, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	prod, err := h.store.FindProduct(ctx, p.OrgID, product)
	if err != nil {
		return nil, err
	}
	doc, err := h.productSBOM(ctx, p, prod, share)
	if err != nil {
		return nil, err
	}
	records, err := h.store.ListSuppliers(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	out := &api.ProductSuppliers{Product: prod.Name + "@" + prod.Version, Components: []api.ComponentSupplier{}}
	out.Supplier, err = h.productSupplier(ctx, p, prod, doc, records)
	if err != nil {
		return nil, err
	}
	byKey := map[string]int{}
	for i := range doc.Components {
		c := &doc.Components[i]
		ref, ok := componentSupplier(c, records)
		if !ok {
			out.Unattributed++
			continue
		}
		k := ref.Source + "\x00" + strings.ToLower(ref.Name)
		j, seen := byKey[k]
		if !seen {
			j = len(out.Components)
			byKey[k] = j
			out.Components = append(out.Components, api.ComponentSupplier{SupplierRef: ref, Examples: []string{}})
		}
		cs := &out.Components[j]
		cs.Components++
		if len(cs.Examples) < maxExamples {
			cs.Examples = append(cs.Examples, componentName(c))
		}
	}
	slices.SortStableFunc(out.Components, func(a, b api.ComponentSupplier) int {
		if a.Components != b.Components {
			return b.Components - a.Components
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// productSupplier is the supplier of the product itself: the linked
// record, else the name given at upload, else the SBOM's.
func (h *Hub) productSupplier(ctx context.Context, p vigie.Principal, prod *vigie.Product, doc *sbom.Document, records []*vigie.Supplier) (*api.SupplierRef, error) {
	sp, err := h.store.ProductSupplier(ctx, p.OrgID, prod.ID)
	switch {
	case err == nil:
		return &api.SupplierRef{Name: sp.Name, ID: sp.ID, Source: "link"}, nil
	case vigie.ErrorCode(err) != vigie.ENOTFOUND:
		return nil, err
	}
	ref := &api.SupplierRef{Name: prod.Supplier, Source: "upload"}
	if ref.Name == "" && doc.Product != nil {
		ref.Name, ref.Source = doc.Product.Supplier, "sbom"
	}
	if ref.Name == "" {
		return nil, nil
	}
	ref.ID = recordNamed(records, ref.Name)
	return ref, nil
}

// componentSupplier is the supplier of one component: a record whose
// prefixes cover it (the organisation's own knowledge wins), else the
// SBOM's supplier field.
func componentSupplier(c *sbom.Component, records []*vigie.Supplier) (api.SupplierRef, bool) {
	for _, r := range records {
		if r.Covers(c.PURL, c.CPE) {
			return api.SupplierRef{Name: r.Name, ID: r.ID, Source: "prefix"}, true
		}
	}
	if c.Supplier != "" {
		return api.SupplierRef{Name: c.Supplier, ID: recordNamed(records, c.Supplier), Source: "sbom"}, true
	}
	return api.SupplierRef{}, false
}

// recordNamed returns the id of the record of that name, "" if none.
func recordNamed(records []*vigie.Supplier, name string) string {
	for _, r := range records {
		if strings.EqualFold(r.Name, name) {
			return r.ID
		}
	}
	return ""
}

func componentName(c *sbom.Component) string {
	switch {
	case c.PURL != "":
		return c.PURL
	case c.Version != "":
		return c.Name + "@" + c.Version
	}
	return c.Name
}

// productSBOM reads the latest version of a product's SBOM that p may read.
func (h *Hub) productSBOM(ctx context.Context, p vigie.Principal, prod *vigie.Product, share Share) (*sbom.Document, error) {
	root, id := PrivateRoot, prod.Collection
	if share.Collection != "" {
		root, id = share.Root, share.Collection
	}
	c, a, err := h.Collection(ctx, p, root, id)
	if err != nil {
		return nil, err
	}
	page, err := h.Objects(ctx, p, a, &vigie.ObjectQuery{Collection: c.ID, IDs: []string{prod.SBOMID}, Versions: vigie.VersionFilter{Last: true}, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(page.Objects) == 0 {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no SBOM of %s@%s in collection %s (upload one, or name where it was shared)", prod.Name, prod.Version, c.ID)
	}
	doc, _, err := sbom.FromSTIX(page.Objects[0].Raw)
	if err != nil {
		return nil, fmt.Errorf("hub: SBOM %s: %w", prod.SBOMID, err)
	}
	return doc, nil
}
