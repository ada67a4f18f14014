package vex

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/sbom"
)

// parseCSAF reads the product statuses of a CSAF 2.0 document (the VEX
// profile, csaf_vex, or any other category) as statements, one per
// vulnerability, status and product. The justification of a not-affected
// product is the label of its flag; its impact statement the details of its
// "impact" threat; the action statement the details of its remediations. A
// product placed in another by a relationship becomes that product with the
// component as subcomponent.
func parseCSAF(data []byte) (*Document, error) {
	c, err := advisory.ParseCSAFDocument(data)
	if err != nil {
		if errors.Is(err, advisory.ErrUnsupported) {
			return nil, fmt.Errorf("%w: %w", ErrNotVEX, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	doc := &Document{
		Format: CSAF,
		ID:     c.Document.Tracking.ID,
		Author: c.Document.Publisher.Name,
	}
	doc.Timestamp = parseTime(c.Document.Tracking.CurrentReleaseDate)
	products := c.Products()
	statuses := []struct {
		key    string
		status Status
	}{
		{"known_not_affected", NotAffected},
		{"fixed", Fixed},
		{"first_fixed", Fixed},
		{"under_investigation", UnderInvestigation},
		{"known_affected", Affected},
		{"first_affected", Affected},
		{"last_affected", Affected},
	}
	for _, v := range c.Vulnerabilities {
		ids := v.Identifiers()
		if len(ids) == 0 {
			continue
		}
		perProduct := func(list []string, groups []string, id string) bool {
			return slices.Contains(list, id) || slices.Contains(c.GroupMembers(groups), id)
		}
		for _, s := range statuses {
			for _, id := range v.ProductStatus[s.key] {
				info := products[id]
				if info == nil {
					continue
				}
				st := Statement{
					Vulnerability: ids[0],
					Aliases:       ids[1:],
					Status:        s.status,
					Timestamp:     doc.Timestamp,
					Source:        doc.ID,
					Products:      []Product{csafProduct(info)},
				}
				for _, f := range v.Flags {
					if perProduct(f.ProductIDs, f.GroupIDs, id) {
						st.Justification = f.Label
					}
				}
				for _, t := range v.Threats {
					if t.Category == "impact" && perProduct(t.ProductIDs, t.GroupIDs, id) {
						st.ImpactStatement = t.Details
					}
				}
				var actions []string
				for _, r := range v.Remediations {
					if perProduct(r.ProductIDs, r.GroupIDs, id) && r.Details != "" {
						actions = append(actions, r.Details)
					}
				}
				st.ActionStatement = strings.Join(actions, "\n")
				doc.Statements = append(doc.Statements, st)
			}
		}
	}
	return doc, nil
}

// csafProduct turns a resolved CSAF product into a statement product.
func csafProduct(info *advisory.CSAFProductInfo) Product {
	if info.Component != nil && info.Platform != nil {
		p := csafProduct(info.Platform)
		p.Subcomponents = append(p.Subcomponents, csafProduct(info.Component))
		return p
	}
	p := Product{Ref: info.ID, PURL: info.PURL, CPE: info.CPE, Name: info.Product}
	if p.Name == "" {
		p.Name = info.Name
	}
	// A purl or CPE that carries a version identifies the version itself;
	// the branch's version name is the vendor's label for it.
	if identifiesVersion(info) {
		return p
	}
	if info.Version != "" {
		p.Versions = []string{info.Version}
	}
	if info.VersionRange != "" {
		if vr, err := advisory.ParseVers(info.VersionRange); err == nil {
			p.Ranges = []advisory.VersRange{vr}
		}
	}
	return p
}

func identifiesVersion(info *advisory.CSAFProductInfo) bool {
	if info.PURL != "" {
		if _, _, v, err := sbom.ParsePURL(info.PURL); err == nil && v != "" {
			return true
		}
	}
	if info.CPE != "" {
		if c, err := sbom.ParseCPE(info.CPE); err == nil && !c.AnyVersion() {
			return true
		}
	}
	return false
}
