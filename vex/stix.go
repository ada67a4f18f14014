package vex

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// STIXType is the custom STIX object type a VEX document travels as on the
// hub. Its custom properties: x_vigie_sbom_ref (the x-vigie-sbom object it
// speaks for), x_vigie_format, and x_vigie_document_bin (the document as
// received, base64), which the early-warning engine reads back with Parse.
const STIXType = "x-vigie-vex"

type stixVEX struct {
	Type        string   `json:"type"`
	SpecVersion string   `json:"spec_version"`
	ID          string   `json:"id"`
	Created     string   `json:"created"`
	Modified    string   `json:"modified"`
	CreatedBy   string   `json:"created_by_ref,omitempty"`
	Markings    []string `json:"object_marking_refs,omitempty"`
	Name        string   `json:"name,omitempty"`
	SBOMRef     string   `json:"x_vigie_sbom_ref"`
	Format      Format   `json:"x_vigie_format"`
	Document    string   `json:"x_vigie_document_bin"`
}

// ToSTIX returns a VEX document (as received, already read with Parse to
// know its format) as an x-vigie-vex STIX object speaking for sbomRef.
func ToSTIX(data []byte, d *Document, id, createdBy, sbomRef string, markings []string, t time.Time) ([]byte, error) {
	if !strings.HasPrefix(id, STIXType+"--") {
		return nil, fmt.Errorf("vex: STIX id %q is not an %s id", id, STIXType)
	}
	ts := t.UTC().Format("2006-01-02T15:04:05.000Z")
	return json.Marshal(stixVEX{Type: STIXType, SpecVersion: "2.1", ID: id, Created: ts, Modified: ts, CreatedBy: createdBy,
		Markings: markings, Name: d.ID, SBOMRef: sbomRef, Format: d.Format, Document: base64.StdEncoding.EncodeToString(data)})
}

// FromSTIX reads back an x-vigie-vex object: the SBOM it speaks for and
// its statements.
func FromSTIX(raw []byte) (sbomRef string, d *Document, err error) {
	var s stixVEX
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", nil, fmt.Errorf("%w: %s object: %v", ErrMalformed, STIXType, err)
	}
	if s.Type != STIXType || s.SBOMRef == "" {
		return "", nil, fmt.Errorf("%w: not an %s object with %s", ErrMalformed, STIXType, "x_vigie_sbom_ref")
	}
	data, err := base64.StdEncoding.DecodeString(s.Document)
	if err != nil {
		return "", nil, fmt.Errorf("%w: x_vigie_document_bin: %v", ErrMalformed, err)
	}
	d, err = Parse(data)
	return s.SBOMRef, d, err
}
