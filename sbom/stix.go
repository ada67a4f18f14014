package sbom

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// STIXType is the custom STIX object type an SBOM travels as on the hub:
// shared like any object (collections, TLP), and read back by the
// early-warning engine to match advisories.
//
// Its custom properties: x_vigie_product ({"name", "version",
// "supplier"}), x_vigie_format, x_vigie_spec_version, x_vigie_serial,
// x_vigie_unmatchable (a count) and x_vigie_components (a list of
// components with the fields of Component, snake_case). The original
// document is not embedded: what matching needs is.
const STIXType = "x-vigie-sbom"

// ProductInfo names the product version an SBOM describes.
type ProductInfo struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Supplier string `json:"supplier,omitempty"`
}

type stixSBOM struct {
	Type        string          `json:"type"`
	SpecVersion string          `json:"spec_version"`
	ID          string          `json:"id"`
	Created     string          `json:"created"`
	Modified    string          `json:"modified"`
	CreatedBy   string          `json:"created_by_ref,omitempty"`
	Markings    []string        `json:"object_marking_refs,omitempty"`
	Name        string          `json:"name"`
	Product     ProductInfo     `json:"x_vigie_product"`
	Format      Format          `json:"x_vigie_format"`
	DocSpec     string          `json:"x_vigie_spec_version,omitempty"`
	Serial      string          `json:"x_vigie_serial,omitempty"`
	Unmatchable int             `json:"x_vigie_unmatchable"`
	Root        *stixComponent  `json:"x_vigie_root,omitempty"`
	Components  []stixComponent `json:"x_vigie_components"`
}

type stixComponent struct {
	Ref          string            `json:"ref,omitempty"`
	Type         string            `json:"type,omitempty"`
	Name         string            `json:"name"`
	Group        string            `json:"group,omitempty"`
	Version      string            `json:"version,omitempty"`
	PURL         string            `json:"purl,omitempty"`
	Ecosystem    string            `json:"ecosystem,omitempty"`
	PackageName  string            `json:"package_name,omitempty"`
	MatchVersion string            `json:"match_version,omitempty"`
	CPE          string            `json:"cpe,omitempty"`
	Hashes       map[string]string `json:"hashes,omitempty"`
	Supplier     string            `json:"supplier,omitempty"`
	Dependency   Dependency        `json:"dependency,omitempty"`
	Unmatchable  string            `json:"unmatchable,omitempty"`
}

// STIXObject is what ToSTIX needs besides the document.
type STIXObject struct {
	ID        string // x-vigie-sbom--UUID
	CreatedBy string // the owning organisation's identity
	Markings  []string
	Time      time.Time // created and modified
}

// ToSTIX returns the SBOM as an x-vigie-sbom STIX object (JSON).
func ToSTIX(doc *Document, p ProductInfo, o STIXObject) ([]byte, error) {
	if !strings.HasPrefix(o.ID, STIXType+"--") {
		return nil, fmt.Errorf("sbom: STIX id %q is not an %s id", o.ID, STIXType)
	}
	ts := o.Time.UTC().Format("2006-01-02T15:04:05.000Z")
	s := stixSBOM{
		Type: STIXType, SpecVersion: "2.1", ID: o.ID, Created: ts, Modified: ts, CreatedBy: o.CreatedBy, Markings: o.Markings,
		Name: strings.TrimSpace(p.Name + " " + p.Version), Product: p, Format: doc.Format, DocSpec: doc.SpecVersion, Serial: doc.Serial,
		Unmatchable: doc.Unmatchable, Components: make([]stixComponent, 0, len(doc.Components)),
	}
	if doc.Product != nil {
		c := toSTIXComponent(doc.Product)
		s.Root = &c
	}
	for i := range doc.Components {
		s.Components = append(s.Components, toSTIXComponent(&doc.Components[i]))
	}
	return json.Marshal(s)
}

func toSTIXComponent(c *Component) stixComponent {
	return stixComponent{Ref: c.Ref, Type: c.Type, Name: c.Name, Group: c.Group, Version: c.Version, PURL: c.PURL,
		Ecosystem: c.Ecosystem, PackageName: c.PackageName, MatchVersion: c.MatchVersion, CPE: c.CPE, Hashes: c.Hashes,
		Supplier: c.Supplier, Dependency: c.Dependency, Unmatchable: c.Unmatchable}
}

func fromSTIXComponent(c stixComponent) Component {
	return Component{Ref: c.Ref, Type: c.Type, Name: c.Name, Group: c.Group, Version: c.Version, PURL: c.PURL,
		Ecosystem: c.Ecosystem, PackageName: c.PackageName, MatchVersion: c.MatchVersion, CPE: c.CPE, Hashes: c.Hashes,
		Supplier: c.Supplier, Dependency: c.Dependency, Unmatchable: c.Unmatchable}
}

// FromSTIX reads back an x-vigie-sbom object made by ToSTIX.
func FromSTIX(raw []byte) (*Document, ProductInfo, error) {
	var s stixSBOM
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, ProductInfo{}, fmt.Errorf("%w: %s object: %v", ErrMalformed, STIXType, err)
	}
	if s.Type != STIXType {
		return nil, ProductInfo{}, fmt.Errorf("%w: type %q is not %s", ErrMalformed, s.Type, STIXType)
	}
	doc := &Document{Format: s.Format, SpecVersion: s.DocSpec, Serial: s.Serial, Name: s.Name, Unmatchable: s.Unmatchable,
		Components: make([]Component, 0, len(s.Components))}
	if s.Root != nil {
		root := fromSTIXComponent(*s.Root)
		doc.Product = &root
	}
	for _, c := range s.Components {
		doc.Components = append(doc.Components, fromSTIXComponent(c))
	}
	return doc, s.Product, nil
}
