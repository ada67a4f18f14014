package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/attest"
	"github.com/vigie-cti/vigie/posture"
)

// maxReportAttestations bounds the attestations one report reads.
const maxReportAttestations = 1000

// PostureReport weighs p's product version (NAME@VERSION or id) against a
// catalog: its SBOM and findings (p's own), and the attestations about
// that version that p may read (TLP and collections applied), published
// by p's organisation or by the supplier the product is linked to when
// that supplier is a member, their signatures checked against the keys p
// trusts for that supplier (invalid ones are not counted). ENOTFOUND for another organisation's
// product or an unknown catalog.
func (h *Hub) PostureReport(ctx context.Context, p vigie.Principal, product, catalogID string, share Share) (*posture.Report, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	prod, err := h.store.FindProduct(ctx, p.OrgID, product)
	if err != nil {
		return nil, err
	}
	cat, err := h.Catalog(ctx, p, catalogID)
	if err != nil {
		return nil, err
	}
	ev := posture.Evidence{Now: h.now()}
	doc, err := h.productSBOM(ctx, p, prod, share)
	switch {
	case err == nil:
		ev.SBOM, ev.Components = true, len(doc.Components)
	case vigie.ErrorCode(err) != vigie.ENOTFOUND:
		return nil, err
	}
	fs, err := h.store.ListFindings(ctx, p.OrgID, prod.ID, maxFindings)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		ev.Findings = append(ev.Findings, postureFinding(f))
	}
	publishers := []string{p.OrgID}
	supplier := prod.Supplier
	var keys []attest.Key
	if sp, err := h.store.ProductSupplier(ctx, p.OrgID, prod.ID); err == nil {
		supplier = sp.Name
		if sp.MemberOrg != "" && sp.MemberOrg != p.OrgID {
			publishers = append(publishers, sp.MemberOrg)
		}
		if sp.Keys != "" {
			if keys, err = attest.ParseKeys([]byte(sp.Keys)); err != nil {
				return nil, fmt.Errorf("hub: supplier %s keys: %w", sp.ID, err)
			}
		}
	} else if vigie.ErrorCode(err) != vigie.ENOTFOUND {
		return nil, err
	}
	if ev.Attestations, err = h.readableAttestations(ctx, p, publishers, keys, prod.Name, prod.Version); err != nil {
		return nil, err
	}
	return posture.Evaluate(cat, prod.Name+"@"+prod.Version, supplier, ev), nil
}

// stixAttestation is the part of an x-vigie-attestation a report reads.
type stixAttestation struct {
	ID      string `json:"id"`
	Product struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"x_vigie_product"`
	Document string `json:"x_vigie_document"`
	Expires  string `json:"x_vigie_expires"`
}

// readableAttestations returns the latest version of every attestation
// about name@version that publishers published and p may read, in every
// collection p may read, its signatures checked against keys (the keys
// p trusts for the product's supplier).
func (h *Hub) readableAttestations(ctx context.Context, p vigie.Principal, publishers []string, keys []attest.Key, name, version string) ([]posture.Attestation, error) {
	roots, err := h.store.ListAPIRoots(ctx)
	if err != nil {
		return nil, err
	}
	var out []posture.Attestation
	seen := map[string]bool{}
	for _, r := range roots {
		cs, as, err := h.Collections(ctx, p, r.Name)
		if err != nil {
			return nil, err
		}
		for i, c := range cs {
			if !as[i].Read {
				continue
			}
			for _, pub := range publishers {
				q := &vigie.ObjectQuery{Collection: c.ID, Types: []string{attest.STIXType}, Publisher: pub, Versions: vigie.VersionFilter{Last: true}}
				for {
					page, err := h.Objects(ctx, p, as[i], q)
					if err != nil {
						return nil, err
					}
					for _, o := range page.Objects {
						if seen[o.ID] || len(out) >= maxReportAttestations {
							continue
						}
						var s stixAttestation
						if json.Unmarshal(o.Raw, &s) != nil || s.Product.Name != name || s.Product.Version != version {
							continue
						}
						d, err := attest.Read([]byte(s.Document), keys)
						if err != nil {
							continue // was read at publication; a copy from elsewhere that no longer reads does not count
						}
						a := posture.Attestation{ID: o.ID, Doc: d}
						if s.Expires != "" {
							a.Expires, _ = time.Parse(time.RFC3339, s.Expires)
						}
						seen[o.ID] = true
						out = append(out, a)
					}
					if !page.More || len(page.Objects) == 0 {
						break
					}
					q.AddedAfter = page.Objects[len(page.Objects)-1].DateAdded
				}
			}
		}
	}
	return out, nil
}

// maxRollUpProducts bounds the products of one supplier roll-up.
const maxRollUpProducts = 1000

// SupplierPosture rolls up the posture reports of every product p's
// organisation links to its supplier record (name or id) against a
// catalog. ENOTFOUND for a supplier that is not p's.
func (h *Hub) SupplierPosture(ctx context.Context, p vigie.Principal, supplier, catalogID string) (*posture.RollUp, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	sp, err := h.store.FindSupplier(ctx, p.OrgID, supplier)
	if err != nil {
		return nil, err
	}
	prods, err := h.store.ListProducts(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	var reports []*posture.Report
	for _, prod := range prods {
		linked, err := h.store.ProductSupplier(ctx, p.OrgID, prod.ID)
		if vigie.ErrorCode(err) == vigie.ENOTFOUND || (err == nil && linked.ID != sp.ID) {
			continue
		} else if err != nil {
			return nil, err
		}
		if len(reports) == maxRollUpProducts {
			return nil, vigie.Errorf(vigie.ETOOLARGE, "more than %d products linked to %s", maxRollUpProducts, sp.Name)
		}
		r, err := h.PostureReport(ctx, p, prod.ID, catalogID, Share{})
		if err != nil {
			return nil, err
		}
		reports = append(reports, r)
	}
	if _, err := h.Catalog(ctx, p, catalogID); err != nil {
		return nil, err
	}
	return posture.Roll(sp.Name, catalogID, h.now(), reports), nil
}

// postureFinding is a stored finding as the posture report weighs it: its
// state, and the dates of the advisory and of the VEX answering it.
func postureFinding(f *vigie.Finding) posture.Finding {
	out := posture.Finding{ID: f.Key, Open: f.State != "suppressed", Malicious: f.Malicious, Severity: f.Severity}
	var doc struct {
		Published time.Time `json:"published"`
		VEX       *struct {
			Timestamp time.Time `json:"timestamp"`
		} `json:"vex"`
	}
	// Findings stored before the dates were recorded lack them: their
	// VEX response is then unknown, not a failure.
	if json.Unmarshal(f.Doc, &doc) == nil {
		out.Published = doc.Published
		if doc.VEX != nil {
			out.HasVEX, out.VEXAt = true, doc.VEX.Timestamp
		}
	}
	return out
}
