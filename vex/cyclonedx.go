package vex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vigie-cti/vigie/advisory"
)

// parseCycloneDX reads the vulnerabilities of a CycloneDX BOM (a VEX BOM or
// a BOM with embedded VEX). Each vulnerability with an analysis gives one
// statement whose products are its affects targets, restricted to the
// versions they list; without an analysis, the status of each listed
// version gives the statement.
func parseCycloneDX(data []byte, isXML bool) (*Document, error) {
	var bom cdx.BOM
	if isXML {
		if bytes.Contains(data, []byte("<!DOCTYPE")) || bytes.Contains(data, []byte("<!ENTITY")) {
			return nil, fmt.Errorf("%w: XML with a DTD", ErrMalformed)
		}
		if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatXML).Decode(&bom); err != nil {
			return nil, fmt.Errorf("%w: cyclonedx xml: %w", ErrMalformed, err)
		}
		if bom.SpecVersion == 0 {
			return nil, fmt.Errorf("%w: XML namespace %q is not a CycloneDX namespace", ErrNotVEX, bom.XMLNS)
		}
	} else {
		if err := json.Unmarshal(data, &bom); err != nil {
			return nil, fmt.Errorf("%w: cyclonedx json: %w", ErrMalformed, err)
		}
		if bom.BOMFormat != "CycloneDX" {
			return nil, fmt.Errorf("%w: bomFormat %q", ErrNotVEX, bom.BOMFormat)
		}
	}
	if bom.Vulnerabilities == nil {
		return nil, fmt.Errorf("%w: a CycloneDX BOM without vulnerabilities", ErrNotVEX)
	}
	doc := &Document{Format: CycloneDX, ID: bom.SerialNumber}
	local := map[string]cdx.Component{}
	if bom.Metadata != nil {
		doc.Timestamp = parseTime(bom.Metadata.Timestamp)
		if c := bom.Metadata.Component; c != nil && c.BOMRef != "" {
			local[c.BOMRef] = *c
		}
		switch {
		case bom.Metadata.Supplier != nil:
			doc.Author = bom.Metadata.Supplier.Name
		case bom.Metadata.Manufacture != nil:
			doc.Author = bom.Metadata.Manufacture.Name
		}
	}
	if bom.Components != nil {
		collectComponents(local, *bom.Components, 0)
	}
	for _, v := range *bom.Vulnerabilities {
		doc.Statements = append(doc.Statements, cdxStatements(v, local, doc)...)
	}
	return doc, nil
}

func collectComponents(into map[string]cdx.Component, cs []cdx.Component, depth int) {
	if depth > 64 {
		return
	}
	for _, c := range cs {
		if c.BOMRef != "" {
			into[c.BOMRef] = c
		}
		if c.Components != nil {
			collectComponents(into, *c.Components, depth+1)
		}
	}
}

func cdxStatements(v cdx.Vulnerability, local map[string]cdx.Component, doc *Document) []Statement {
	base := Statement{Vulnerability: strings.TrimSpace(v.ID), Source: doc.ID, Timestamp: doc.Timestamp}
	if v.References != nil {
		for _, r := range *v.References {
			if r.ID != "" && r.ID != base.Vulnerability {
				base.Aliases = append(base.Aliases, r.ID)
			}
		}
	}
	for _, ts := range []string{v.Published, v.Updated} {
		if t := parseTime(ts); !t.IsZero() {
			base.Timestamp = t
		}
	}
	base.ActionStatement = strings.TrimSpace(v.Recommendation)
	if base.ActionStatement == "" {
		base.ActionStatement = strings.TrimSpace(v.Workaround)
	}
	var affects []cdx.Affects
	if v.Affects != nil {
		affects = *v.Affects
	}
	if a := v.Analysis; a != nil && a.State != "" {
		st := base
		st.Status = cdxStatus(a.State)
		if a.State == cdx.IASFalsePositive {
			st.Justification = "false_positive"
		} else {
			st.Justification = string(a.Justification)
		}
		st.ImpactStatement = strings.TrimSpace(a.Detail)
		if st.ActionStatement == "" && a.Response != nil {
			var rs []string
			for _, r := range *a.Response {
				rs = append(rs, string(r))
			}
			st.ActionStatement = strings.Join(rs, ", ")
		}
		for _, ts := range []string{a.FirstIssued, a.LastUpdated} {
			if t := parseTime(ts); !t.IsZero() {
				st.Timestamp = t
			}
		}
		for _, af := range affects {
			st.Products = append(st.Products, cdxProduct(af.Ref, af.Range, local))
		}
		return []Statement{st}
	}
	// No analysis: each listed version's status is the statement.
	var out []Statement
	for _, af := range affects {
		if af.Range == nil {
			continue
		}
		for _, ver := range *af.Range {
			st := base
			switch ver.Status {
			case cdx.VulnerabilityStatusAffected:
				st.Status = Affected
			case cdx.VulnerabilityStatusNotAffected:
				st.Status = NotAffected
			default:
				st.Status = UnderInvestigation
			}
			one := []cdx.AffectedVersions{ver}
			st.Products = []Product{cdxProduct(af.Ref, &one, local)}
			out = append(out, st)
		}
	}
	return out
}

func cdxStatus(s cdx.ImpactAnalysisState) Status {
	switch s {
	case cdx.IASResolved, cdx.IASResolvedWithPedigree:
		return Fixed
	case cdx.IASExploitable:
		return Affected
	case cdx.IASNotAffected, cdx.IASFalsePositive:
		return NotAffected
	}
	return UnderInvestigation
}

// cdxProduct builds the product of an affects target. A ref to a
// component of the same document takes that component's identity, and its
// version when the target lists none.
func cdxProduct(ref string, versions *[]cdx.AffectedVersions, local map[string]cdx.Component) Product {
	p := Product{Ref: strings.TrimSpace(ref)}
	frag := p.Ref
	if _, f, ok := strings.Cut(p.Ref, "#"); ok && strings.HasPrefix(p.Ref, "urn:cdx:") {
		frag = f
	}
	if strings.HasPrefix(frag, "pkg:") {
		p.PURL = frag
	}
	if c, ok := local[p.Ref]; ok {
		if p.PURL == "" {
			p.PURL = c.PackageURL
		}
		p.CPE, p.Name = c.CPE, c.Name
		if (versions == nil || len(*versions) == 0) && c.Version != "" {
			p.Versions = []string{c.Version}
		}
	}
	if versions != nil {
		for _, v := range *versions {
			switch {
			case v.Version != "":
				p.Versions = append(p.Versions, v.Version)
			case v.Range != "":
				if vr, err := advisory.ParseVers(v.Range); err == nil {
					p.Ranges = append(p.Ranges, vr)
				}
			}
		}
	}
	return p
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t
}
