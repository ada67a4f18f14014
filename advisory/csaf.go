package advisory

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// CSAF is the part of a CSAF 2.0 document that vigie reads: the document
// metadata, the product tree and the vulnerabilities with their product
// status, remediations, scores, threats and flags.
type CSAF struct {
	Document struct {
		Category    string `json:"category"`
		CSAFVersion string `json:"csaf_version"`
		Title       string `json:"title"`
		Publisher   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
			Category  string `json:"category"`
		} `json:"publisher"`
		Tracking struct {
			ID                 string `json:"id"`
			Status             string `json:"status"`
			Version            string `json:"version"`
			InitialReleaseDate string `json:"initial_release_date"`
			CurrentReleaseDate string `json:"current_release_date"`
		} `json:"tracking"`
		AggregateSeverity *struct {
			Text string `json:"text"`
		} `json:"aggregate_severity"`
		Notes      []CSAFNote      `json:"notes"`
		References []CSAFReference `json:"references"`
	} `json:"document"`
	ProductTree struct {
		Branches         []CSAFBranch       `json:"branches"`
		FullProductNames []CSAFProduct      `json:"full_product_names"`
		Relationships    []CSAFRelationship `json:"relationships"`
		ProductGroups    []struct {
			GroupID    string   `json:"group_id"`
			ProductIDs []string `json:"product_ids"`
		} `json:"product_groups"`
	} `json:"product_tree"`
	Vulnerabilities []CSAFVulnerability `json:"vulnerabilities"`
}

// CSAFNote is a CSAF note.
type CSAFNote struct {
	Category string `json:"category"`
	Title    string `json:"title"`
	Text     string `json:"text"`
}

// CSAFReference is a CSAF reference.
type CSAFReference struct {
	Category string `json:"category"`
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}

// CSAFBranch is a node of the product tree.
type CSAFBranch struct {
	Category string       `json:"category"`
	Name     string       `json:"name"`
	Branches []CSAFBranch `json:"branches"`
	Product  *CSAFProduct `json:"product"`
}

// CSAFProduct is a full product name with its identification helper.
type CSAFProduct struct {
	ProductID string `json:"product_id"`
	Name      string `json:"name"`
	Helper    *struct {
		CPE  string `json:"cpe"`
		PURL string `json:"purl"`
	} `json:"product_identification_helper"`
}

// CSAFRelationship composes two products ("X default_component_of Y").
type CSAFRelationship struct {
	Category         string      `json:"category"`
	ProductReference string      `json:"product_reference"`
	RelatesTo        string      `json:"relates_to_product_reference"`
	FullProductName  CSAFProduct `json:"full_product_name"`
}

// CSAFVulnerability is one vulnerability of a CSAF document.
type CSAFVulnerability struct {
	CVE string `json:"cve"`
	IDs []struct {
		SystemName string `json:"system_name"`
		Text       string `json:"text"`
	} `json:"ids"`
	Title         string              `json:"title"`
	Notes         []CSAFNote          `json:"notes"`
	ProductStatus map[string][]string `json:"product_status"`
	Remediations  []struct {
		Category   string   `json:"category"`
		Details    string   `json:"details"`
		URL        string   `json:"url"`
		ProductIDs []string `json:"product_ids"`
		GroupIDs   []string `json:"group_ids"`
	} `json:"remediations"`
	Scores []struct {
		CVSSV3 *struct {
			VectorString string  `json:"vectorString"`
			BaseScore    float64 `json:"baseScore"`
			BaseSeverity string  `json:"baseSeverity"`
		} `json:"cvss_v3"`
		CVSSV2 *struct {
			VectorString string `json:"vectorString"`
		} `json:"cvss_v2"`
		Products []string `json:"products"`
	} `json:"scores"`
	Threats []struct {
		Category   string   `json:"category"`
		Details    string   `json:"details"`
		ProductIDs []string `json:"product_ids"`
		GroupIDs   []string `json:"group_ids"`
	} `json:"threats"`
	Flags []struct {
		Label      string   `json:"label"`
		ProductIDs []string `json:"product_ids"`
		GroupIDs   []string `json:"group_ids"`
	} `json:"flags"`
	References []CSAFReference `json:"references"`
}

// Identifiers returns the vulnerability's identifiers: its CVE first, then the
// texts of its ids.
func (v *CSAFVulnerability) Identifiers() []string {
	var out []string
	if v.CVE != "" {
		out = append(out, v.CVE)
	}
	for _, id := range v.IDs {
		if id.Text != "" && id.Text != v.CVE {
			out = append(out, id.Text)
		}
	}
	return out
}

// CSAFProductInfo is a product of the product tree with what identifies it:
// its helpers, and the vendor, product name and version of the branches it
// sits under. A product defined by a relationship has Component and
// Platform set instead ("Component default_component_of Platform").
type CSAFProductInfo struct {
	ID           string
	Name         string
	PURL         string
	CPE          string
	Vendor       string
	Product      string
	Version      string
	VersionRange string
	Relationship string
	Component    *CSAFProductInfo
	Platform     *CSAFProductInfo
}

// Leaf returns the product that carries the package identity: the deepest
// component of a relationship chain, or the product itself.
func (p *CSAFProductInfo) Leaf() *CSAFProductInfo {
	for i := 0; p.Component != nil && i < maxCSAFDepth; i++ {
		p = p.Component
	}
	return p
}

// Platforms returns the products a relationship chain places the product
// in: the platforms of every relationship, and what those are themselves
// part of (a package in a module in an operating system gives the module and
// the operating system).
func (p *CSAFProductInfo) Platforms() []*CSAFProductInfo {
	var out []*CSAFProductInfo
	var walk func(q *CSAFProductInfo, platform bool, depth int)
	walk = func(q *CSAFProductInfo, platform bool, depth int) {
		if q == nil || depth > maxCSAFDepth {
			return
		}
		if platform {
			out = append(out, q)
		}
		walk(q.Component, platform, depth+1)
		walk(q.Platform, true, depth+1)
	}
	walk(p, false, 0)
	return out
}

// errNoCSAFVersion is the error of a JSON document that is not CSAF.
var errNoCSAFVersion = errors.New("not a CSAF document (no document.csaf_version)")

// maxCSAFDepth bounds branch nesting and relationship chains.
const maxCSAFDepth = 32

// ParseCSAFDocument decodes a CSAF 2.0 document and checks the fields vigie
// relies on.
func ParseCSAFDocument(data []byte) (*CSAF, error) {
	var doc CSAF
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: csaf json: %w", ErrMalformed, err)
	}
	if doc.Document.CSAFVersion == "" {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, errNoCSAFVersion)
	}
	if doc.Document.CSAFVersion != "2.0" {
		return nil, fmt.Errorf("%w: CSAF %s (2.0 is supported)", ErrUnsupported, doc.Document.CSAFVersion)
	}
	if strings.TrimSpace(doc.Document.Tracking.ID) == "" {
		return nil, fmt.Errorf("%w: csaf document without tracking id", ErrMalformed)
	}
	return &doc, nil
}

// Products resolves the product tree: every product id to its identity.
// Relationship chains are followed to a bounded depth; unknown references
// are left out.
func (d *CSAF) Products() map[string]*CSAFProductInfo {
	out := map[string]*CSAFProductInfo{}
	var walk func(bs []CSAFBranch, path CSAFProductInfo, depth int)
	walk = func(bs []CSAFBranch, path CSAFProductInfo, depth int) {
		if depth > maxCSAFDepth {
			return
		}
		for _, b := range bs {
			p := path
			switch b.Category {
			case "vendor":
				p.Vendor = b.Name
			case "product_name":
				p.Product = b.Name
			case "product_version":
				p.Version = b.Name
			case "product_version_range":
				p.VersionRange = b.Name
			}
			if b.Product != nil && b.Product.ProductID != "" {
				info := p
				fillProduct(&info, b.Product)
				out[info.ID] = &info
			}
			walk(b.Branches, p, depth+1)
		}
	}
	walk(d.ProductTree.Branches, CSAFProductInfo{}, 0)
	for i := range d.ProductTree.FullProductNames {
		fp := &d.ProductTree.FullProductNames[i]
		if fp.ProductID == "" {
			continue
		}
		info := CSAFProductInfo{}
		fillProduct(&info, fp)
		out[info.ID] = &info
	}
	// Relationships may refer to each other in any order: resolve in
	// rounds until nothing changes.
	pending := d.ProductTree.Relationships
	for round := 0; len(pending) > 0 && round < maxCSAFDepth; round++ {
		var next []CSAFRelationship
		for _, r := range pending {
			comp, plat := out[r.ProductReference], out[r.RelatesTo]
			if comp == nil || plat == nil {
				next = append(next, r)
				continue
			}
			info := CSAFProductInfo{Relationship: r.Category, Component: comp, Platform: plat}
			fillProduct(&info, &r.FullProductName)
			if info.ID != "" {
				out[info.ID] = &info
			}
		}
		if len(next) == len(pending) {
			break
		}
		pending = next
	}
	return out
}

func fillProduct(info *CSAFProductInfo, p *CSAFProduct) {
	info.ID, info.Name = p.ProductID, p.Name
	if p.Helper != nil {
		info.PURL, info.CPE = strings.TrimSpace(p.Helper.PURL), strings.TrimSpace(p.Helper.CPE)
	}
}

// GroupMembers returns the product ids of the given product groups.
func (d *CSAF) GroupMembers(groupIDs []string) []string {
	var out []string
	for _, g := range d.ProductTree.ProductGroups {
		for _, id := range groupIDs {
			if g.GroupID == id {
				out = append(out, g.ProductIDs...)
			}
		}
	}
	return out
}
