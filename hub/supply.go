package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/sbom"
	"github.com/vigie-cti/vigie/vex"
)

// PrivateRoot is the API root of the collections the hub makes for each
// organisation's own SBOMs and VEX.
const PrivateRoot = "private"

// privateCollection returns, creating it on first use, the collection only
// organisation org may read and write, where its SBOMs and VEX go unless
// it shares them elsewhere.
func (h *Hub) privateCollection(ctx context.Context, p vigie.Principal, org *vigie.Org) (*vigie.Collection, error) {
	id := vigie.NameUUID("private-collection/" + org.ID)
	c, err := h.store.FindCollection(ctx, PrivateRoot, id)
	if vigie.ErrorCode(err) != vigie.ENOTFOUND {
		return c, err
	}
	c, err = h.addCollection(ctx, p, CollectionSpec{Root: PrivateRoot, ID: id, Title: org.Name + ": SBOMs and VEX",
		Description: "Private to " + org.Name + ": the SBOMs and VEX of its products.", Read: []string{"org:" + org.ID}, Write: []string{"org:" + org.ID}})
	if vigie.ErrorCode(err) == vigie.ECONFLICT {
		return h.store.FindCollection(ctx, PrivateRoot, id)
	}
	return c, err
}

// Product returns the caller's product "NAME@VERSION" (or id), registering
// it (with supplier) if it is new and register is true.
func (h *Hub) Product(ctx context.Context, p vigie.Principal, nameAtVersion, supplier string, register bool) (*vigie.Product, error) {
	if p.Anonymous() {
		return nil, vigie.Errorf(vigie.EUNAUTHORIZED, "this needs an API key")
	}
	prod, err := h.store.FindProduct(ctx, p.OrgID, nameAtVersion)
	if vigie.ErrorCode(err) != vigie.ENOTFOUND || !register {
		return prod, err
	}
	if !p.Role.Allows(vigie.RolePublisher) {
		return nil, vigie.Errorf(vigie.EFORBIDDEN, "registering a product needs a publisher key")
	}
	name, version, ok := cutLast(nameAtVersion, "@")
	if !ok {
		return nil, vigie.Errorf(vigie.EINVALID, "product %q: want NAME@VERSION", nameAtVersion)
	}
	org, err := h.store.FindOrg(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	col, err := h.privateCollection(ctx, p, org)
	if err != nil {
		return nil, err
	}
	prod = &vigie.Product{ID: vigie.NewUUID(), OrgID: p.OrgID, Name: name, Version: version, Supplier: supplier, Collection: col.ID, Created: h.now().UTC()}
	prod.SBOMID = sbom.STIXType + "--" + vigie.NameUUID("sbom/"+prod.ID)
	if err := h.store.CreateProduct(ctx, prod); err != nil {
		if vigie.ErrorCode(err) == vigie.ECONFLICT {
			return h.store.FindProduct(ctx, p.OrgID, nameAtVersion)
		}
		return nil, err
	}
	return prod, h.record(ctx, withDetail(h.newEntry(p, vigie.AuditProductAdd, "product "+prod.ID, vigie.OutcomeSuccess),
		map[string]string{"name": prod.Name, "version": prod.Version, "supplier": prod.Supplier}))
}

// Products returns p's organisation's products, by name.
func (h *Hub) Products(ctx context.Context, p vigie.Principal) ([]*vigie.Product, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	return h.store.ListProducts(ctx, p.OrgID)
}

// maxFindings bounds the findings one call returns.
const maxFindings = 10000

// Findings returns the findings on p's organisation's products, of the
// product "NAME@VERSION" or id ("" for all), malicious and severe first.
func (h *Hub) Findings(ctx context.Context, p vigie.Principal, product string) ([]*vigie.Finding, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	productID := ""
	if product != "" {
		prod, err := h.Product(ctx, p, product, "", false)
		if err != nil {
			return nil, err
		}
		productID = prod.ID
	}
	return h.store.ListFindings(ctx, p.OrgID, productID, maxFindings)
}

// cutLast splits s around its last sep; ok is false when either side is
// empty.
func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i <= 0 || i+len(sep) == len(s) {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// Share says where and how an SBOM or VEX is published: a collection the
// caller may write ("" for its private one) and a TLP level (none: the
// collection decides, and unmarked objects take the hub's default).
type Share struct {
	Collection string
	Root       string
	TLP        vigie.TLP
}

// SBOMUpload is what an SBOM upload stored (the answer of POST
// /api/v1/sboms, whose shape lives in package api).
type SBOMUpload = api.SBOMUpload

// UploadSBOM reads an SBOM (CycloneDX or SPDX, any of their encodings) of
// a product version and publishes it as a new version of the product's
// x-vigie-sbom object; the early-warning engine then matches it. EINVALID
// for a document that is not a readable SBOM.
func (h *Hub) UploadSBOM(ctx context.Context, p vigie.Principal, prod *vigie.Product, data []byte, share Share) (*SBOMUpload, error) {
	doc, err := parseSBOM(data)
	if err != nil {
		return nil, err
	}
	return h.uploadSBOM(ctx, p, prod, doc, share)
}

// parseSBOM reads an SBOM: EINVALID, or ETOOLARGE over sbom's limits.
func parseSBOM(data []byte) (*sbom.Document, error) {
	doc, err := sbom.Parse(data, sbom.Options{})
	if errors.Is(err, sbom.ErrTooLarge) {
		return nil, vigie.Errorf(vigie.ETOOLARGE, "%v", err)
	} else if err != nil {
		return nil, vigie.Errorf(vigie.EINVALID, "%v", err)
	}
	return doc, nil
}

func (h *Hub) uploadSBOM(ctx context.Context, p vigie.Principal, prod *vigie.Product, doc *sbom.Document, share Share) (*SBOMUpload, error) {
	c, a, err := h.documentTarget(ctx, p, prod, share)
	if err != nil {
		return nil, err
	}
	raw, err := sbom.ToSTIX(doc, sbom.ProductInfo{Name: prod.Name, Version: prod.Version, Supplier: prod.Supplier},
		sbom.STIXObject{ID: prod.SBOMID, CreatedBy: p.OrgID, Markings: markings(share.TLP), Time: h.now()})
	if err != nil {
		return nil, fmt.Errorf("hub: sbom to STIX: %w", err)
	}
	if err := h.publishOne(ctx, p, a, c, raw); err != nil {
		return nil, err
	}
	return &SBOMUpload{SBOMID: prod.SBOMID, ProductID: prod.ID, Product: prod.Name + "@" + prod.Version, Format: string(doc.Format),
		SpecVersion: doc.SpecVersion, Components: len(doc.Components), Unmatchable: doc.Unmatchable, Warnings: doc.Warnings, Collection: c.ID}, nil
}

// UploadVEX reads a VEX document (CycloneDX, OpenVEX or CSAF) about a
// product and publishes it as a new version of the product's x-vigie-vex
// object, beside its SBOM. It returns how many statements it holds.
func (h *Hub) UploadVEX(ctx context.Context, p vigie.Principal, prod *vigie.Product, data []byte, share Share) (int, error) {
	d, err := vex.Parse(data)
	if err != nil {
		return 0, vigie.Errorf(vigie.EINVALID, "%v", err)
	}
	c, a, err := h.documentTarget(ctx, p, prod, share)
	if err != nil {
		return 0, err
	}
	id := vex.STIXType + "--" + vigie.NameUUID("vex/"+prod.ID)
	raw, err := vex.ToSTIX(data, d, id, p.OrgID, prod.SBOMID, markings(share.TLP), h.now())
	if err != nil {
		return 0, fmt.Errorf("hub: vex to STIX: %w", err)
	}
	return len(d.Statements), h.publishOne(ctx, p, a, c, raw)
}

// documentShare refuses TLP:RED for an SBOM or VEX: an upload names no
// RED recipients, so its publisher alone could read it.
func documentShare(share Share) error {
	if share.TLP == vigie.TLPRed {
		return vigie.Errorf(vigie.EINVALID, "TLP:RED needs recipients, and an SBOM or VEX upload names none: choose TLP:AMBER+STRICT, or keep it private")
	}
	return nil
}

// documentTarget resolves where an SBOM or VEX goes.
func (h *Hub) documentTarget(ctx context.Context, p vigie.Principal, prod *vigie.Product, share Share) (*vigie.Collection, vigie.Access, error) {
	if err := documentShare(share); err != nil {
		return nil, vigie.Access{}, err
	}
	return h.shareTarget(ctx, p, prod, share)
}

// shareTarget resolves the collection a product's document goes to.
func (h *Hub) shareTarget(ctx context.Context, p vigie.Principal, prod *vigie.Product, share Share) (*vigie.Collection, vigie.Access, error) {
	root, id := PrivateRoot, prod.Collection
	if share.Collection != "" {
		root, id = share.Root, share.Collection
	}
	c, a, err := h.Collection(ctx, p, root, id)
	if err != nil {
		return nil, a, err
	}
	if !a.Write {
		return nil, a, vigie.Errorf(vigie.EFORBIDDEN, "you may not write to collection %s", c.ID)
	}
	return c, a, nil
}

// publishOne publishes one object and turns a refusal into an error.
func (h *Hub) publishOne(ctx context.Context, p vigie.Principal, a vigie.Access, c *vigie.Collection, raw []byte) error {
	st, err := h.Publish(ctx, p, a, c, []json.RawMessage{raw})
	if err != nil {
		return err
	}
	if len(st.Failures) > 0 {
		return vigie.Errorf(vigie.EINVALID, "refused: %s", st.Failures[0].Message)
	}
	return nil
}

func markings(t vigie.TLP) []string {
	if t == vigie.TLPNone {
		return nil
	}
	return []string{vigie.MarkingRef(t)}
}

// ImportResult is what an advisory import did (its shape lives in
// package api).
type ImportResult = api.ImportResult

// ImportAdvisories publishes advisories as STIX vulnerability objects
// (advisory.ToSTIXVulnerability) into a collection the caller may write,
// marked tlp (CLEAR when none is given: advisories are public), in
// envelopes of the hub's object limit. Each import of an advisory is a new
// version of the same object; the engine matches them against every SBOM
// its organisation may read.
func (h *Hub) ImportAdvisories(ctx context.Context, p vigie.Principal, root, collection string, as []advisory.Advisory, tlp vigie.TLP) (*ImportResult, error) {
	if tlp == vigie.TLPNone {
		tlp = vigie.TLPClear // advisories are public, unless said otherwise
	}
	c, a, err := h.Collection(ctx, p, root, collection)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{}
	var batch []json.RawMessage
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		st, err := h.Publish(ctx, p, a, c, batch)
		if err != nil {
			return err
		}
		res.Stored += len(st.Successes)
		res.Refused = append(res.Refused, st.Failures...)
		batch = batch[:0]
		return nil
	}
	for _, adv := range as {
		raw, err := advisory.ToSTIXVulnerability(adv)
		if err == nil && tlp != vigie.TLPNone {
			raw, err = WithMarking(raw, tlp)
		}
		if err != nil {
			res.Skipped = append(res.Skipped, vigie.StatusDetail{ID: adv.ID, Message: err.Error()})
			continue
		}
		if batch = append(batch, raw); len(batch) == h.cfg.Limits.MaxObjects {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	return res, flush()
}

// WithMarking returns an object's JSON with its object_marking_refs set to
// TLP level t (unchanged for TLPNone).
func WithMarking(raw []byte, t vigie.TLP) ([]byte, error) {
	if t == vigie.TLPNone {
		return raw, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	refs, _ := json.Marshal([]string{vigie.MarkingRef(t)})
	m["object_marking_refs"] = refs
	return json.Marshal(m)
}

// UploadProductSBOM is UploadSBOM of the caller's product "NAME@VERSION"
// or id, registered (with supplier) if it is new, but only once the SBOM
// reads: a file that is not an SBOM leaves no product behind.
func (h *Hub) UploadProductSBOM(ctx context.Context, p vigie.Principal, product, supplier string, data []byte, share Share) (*SBOMUpload, error) {
	if err := member(p, vigie.RolePublisher); err != nil {
		return nil, err
	}
	doc, err := parseSBOM(data)
	if err != nil {
		return nil, err
	}
	if err := documentShare(share); err != nil {
		return nil, err
	}
	prod, err := h.Product(ctx, p, product, supplier, true)
	if err != nil {
		return nil, err
	}
	return h.uploadSBOM(ctx, p, prod, doc, share)
}
