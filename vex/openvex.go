package vex

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	openvex "github.com/openvex/go-vex/pkg/vex"
)

// parseOpenVEX reads an OpenVEX document: the current version through
// go-vex, and the first draft (context "https://openvex.dev/ns" or
// ".../v0.0.1", where vulnerabilities and products were plain strings).
func parseOpenVEX(data []byte) (*Document, error) {
	var head struct {
		Context string `json:"@context"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: openvex json: %w", ErrMalformed, err)
	}
	if !strings.HasPrefix(head.Context, openvex.Context) {
		return nil, fmt.Errorf("%w: @context %q is not OpenVEX", ErrNotVEX, head.Context)
	}
	version := strings.TrimPrefix(strings.TrimPrefix(head.Context, openvex.Context), "/")
	if version == "" || version == "v0.0.1" {
		return parseOpenVEX001(data)
	}
	v, err := openvex.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	doc := &Document{Format: OpenVEX, ID: v.ID, Author: v.Author}
	if v.Timestamp != nil {
		doc.Timestamp = *v.Timestamp
	}
	if v.LastUpdated != nil {
		doc.Timestamp = *v.LastUpdated
	}
	for i, s := range v.Statements {
		if !s.Status.Valid() {
			return nil, fmt.Errorf("%w: statements[%d]: status %q", ErrMalformed, i, s.Status)
		}
		st := Statement{
			Vulnerability:   string(s.Vulnerability.Name),
			Status:          Status(s.Status),
			Justification:   string(s.Justification),
			ImpactStatement: s.ImpactStatement,
			ActionStatement: s.ActionStatement,
			Timestamp:       doc.Timestamp,
			Source:          doc.ID,
		}
		if st.Vulnerability == "" {
			st.Vulnerability = s.Vulnerability.ID
		}
		if st.Vulnerability == "" {
			return nil, fmt.Errorf("%w: statements[%d]: no vulnerability", ErrMalformed, i)
		}
		for _, al := range s.Vulnerability.Aliases {
			st.Aliases = append(st.Aliases, string(al))
		}
		if s.Timestamp != nil {
			st.Timestamp = *s.Timestamp
		}
		if s.LastUpdated != nil {
			st.Timestamp = *s.LastUpdated
		}
		if st.ImpactStatement == "" {
			st.ImpactStatement = s.StatusNotes
		}
		for _, p := range s.Products {
			prod := openvexComponent(p.Component)
			for _, sc := range p.Subcomponents {
				prod.Subcomponents = append(prod.Subcomponents, openvexComponent(sc.Component))
			}
			st.Products = append(st.Products, prod)
		}
		doc.Statements = append(doc.Statements, st)
	}
	return doc, nil
}

func openvexComponent(c openvex.Component) Product {
	p := Product{Ref: c.ID}
	if strings.HasPrefix(c.ID, "pkg:") {
		p.PURL = c.ID
	}
	for t, id := range c.Identifiers {
		switch t {
		case openvex.PURL:
			p.PURL = id
		case openvex.CPE23, openvex.CPE22:
			p.CPE = id
		}
	}
	return p
}

// vex001 is the first OpenVEX draft's shape.
type vex001 struct {
	ID         string     `json:"@id"`
	Author     string     `json:"author"`
	Timestamp  *time.Time `json:"timestamp"`
	Statements []struct {
		Vulnerability   string     `json:"vulnerability"`
		Products        []string   `json:"products"`
		Subcomponents   []string   `json:"subcomponents"`
		Status          string     `json:"status"`
		Justification   string     `json:"justification"`
		ImpactStatement string     `json:"impact_statement"`
		ActionStatement string     `json:"action_statement"`
		Timestamp       *time.Time `json:"timestamp"`
	} `json:"statements"`
}

func parseOpenVEX001(data []byte) (*Document, error) {
	var v vex001
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%w: openvex v0.0.1: %w", ErrMalformed, err)
	}
	doc := &Document{Format: OpenVEX, ID: v.ID, Author: v.Author}
	if v.Timestamp != nil {
		doc.Timestamp = *v.Timestamp
	}
	for i, s := range v.Statements {
		if !openvex.Status(s.Status).Valid() || s.Vulnerability == "" {
			return nil, fmt.Errorf("%w: statements[%d]: bad status %q or no vulnerability", ErrMalformed, i, s.Status)
		}
		st := Statement{
			Vulnerability:   s.Vulnerability,
			Status:          Status(s.Status),
			Justification:   s.Justification,
			ImpactStatement: s.ImpactStatement,
			ActionStatement: s.ActionStatement,
			Timestamp:       doc.Timestamp,
			Source:          doc.ID,
		}
		if s.Timestamp != nil {
			st.Timestamp = *s.Timestamp
		}
		var subs []Product
		for _, sc := range s.Subcomponents {
			subs = append(subs, openvexComponent(openvex.Component{ID: sc}))
		}
		for _, p := range s.Products {
			prod := openvexComponent(openvex.Component{ID: p})
			prod.Subcomponents = subs
			st.Products = append(st.Products, prod)
		}
		doc.Statements = append(doc.Statements, st)
	}
	return doc, nil
}
