package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// cdxBOM is the part of a CycloneDX 1.6+ document that defines standards.
type cdxBOM struct {
	BOMFormat   string `json:"bomFormat"`
	SpecVersion string `json:"specVersion"`
	Definitions *struct {
		Standards []cdxStandard `json:"standards"`
	} `json:"definitions"`
}

type cdxStandard struct {
	BOMRef       string `json:"bom-ref"`
	Name         string `json:"name"`
	Version      string `json:"version"`
	Description  string `json:"description"`
	Owner        string `json:"owner"`
	Requirements []struct {
		BOMRef       string   `json:"bom-ref"`
		Identifier   string   `json:"identifier"`
		Title        string   `json:"title"`
		Text         string   `json:"text"`
		Descriptions []string `json:"descriptions"`
		OpenCRE      []string `json:"openCre"`
		Parent       string   `json:"parent"`
	} `json:"requirements"`
	Levels []struct {
		BOMRef       string   `json:"bom-ref"`
		Identifier   string   `json:"identifier"`
		Title        string   `json:"title"`
		Requirements []string `json:"requirements"`
	} `json:"levels"`
	ExternalReferences []struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"externalReferences"`
}

// parseCycloneDX returns one catalog per standard of
// definitions.standards. A requirement's id is its identifier; parents
// and levels, which CycloneDX links by bom-ref, are resolved to ids.
func parseCycloneDX(b []byte) ([]*Catalog, error) {
	var bom cdxBOM
	if err := json.Unmarshal(b, &bom); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if bom.BOMFormat != "CycloneDX" {
		return nil, fmt.Errorf("bomFormat %q, want CycloneDX", bom.BOMFormat)
	}
	if bom.Definitions == nil || len(bom.Definitions.Standards) == 0 {
		return nil, errors.New("a CycloneDX document without definitions.standards (standards need CycloneDX 1.6 or later)")
	}
	var out []*Catalog
	ids := map[string]bool{}
	for i, s := range bom.Definitions.Standards {
		c, err := cdxCatalog(&s)
		if err != nil {
			return nil, fmt.Errorf("standard %d (%s): %w", i, s.Name, err)
		}
		if ids[c.ID] {
			return nil, fmt.Errorf("two standards with catalog id %q", c.ID)
		}
		ids[c.ID] = true
		out = append(out, c)
	}
	return out, nil
}

func cdxCatalog(s *cdxStandard) (*Catalog, error) {
	c := &Catalog{ID: slug(s.BOMRef), Title: strings.TrimSpace(s.Name), Version: s.Version, Publisher: s.Owner, Format: FormatCycloneDX}
	if c.ID == "" {
		c.ID = slug(s.Name + "-" + s.Version)
	}
	for _, e := range s.ExternalReferences {
		if c.Source == "" && (e.Type == "website" || e.Type == "documentation") {
			c.Source = e.URL
		}
	}
	refID := map[string]string{}
	for _, r := range s.Requirements {
		if r.Identifier == "" {
			return nil, fmt.Errorf("a requirement (bom-ref %q) without identifier", r.BOMRef)
		}
		if r.BOMRef != "" {
			if _, dup := refID[r.BOMRef]; dup {
				return nil, fmt.Errorf("duplicate bom-ref %q", r.BOMRef)
			}
			refID[r.BOMRef] = r.Identifier
		}
	}
	levelsOf := map[string][]string{}
	for _, l := range s.Levels {
		id := l.Identifier
		if id == "" {
			id = l.BOMRef
		}
		c.Levels = append(c.Levels, Level{ID: id, Title: l.Title})
		for _, ref := range l.Requirements {
			rid, ok := refID[ref]
			if !ok {
				return nil, fmt.Errorf("level %s names requirement %q, which the standard lacks", id, ref)
			}
			levelsOf[rid] = append(levelsOf[rid], id)
		}
	}
	for _, r := range s.Requirements {
		req := Requirement{ID: r.Identifier, Title: strings.TrimSpace(r.Title), Text: strings.TrimSpace(r.Text), Levels: levelsOf[r.Identifier]}
		if len(r.Descriptions) > 0 && req.Text == "" {
			req.Text = strings.Join(r.Descriptions, "\n")
		}
		if r.Parent != "" {
			p, ok := refID[r.Parent]
			if !ok {
				return nil, fmt.Errorf("requirement %s: parent %q is not a requirement of the standard", r.Identifier, r.Parent)
			}
			req.Parent = p
		}
		if len(r.OpenCRE) > 0 {
			m := Mapping{Framework: "OpenCRE"}
			for _, id := range r.OpenCRE {
				m.IDs = append(m.IDs, strings.TrimPrefix(id, "CRE:"))
			}
			req.Mappings = []Mapping{m}
		}
		c.Requirements = append(c.Requirements, req)
	}
	return c, nil
}

var notSlug = regexp.MustCompile(`[^a-z0-9._-]+`)

// slug turns a name into a catalog id.
func slug(s string) string {
	s = strings.Trim(notSlug.ReplaceAllString(strings.ToLower(strings.TrimSpace(s)), "-"), "-._")
	if len(s) > 100 {
		s = strings.TrimRight(s[:100], "-._")
	}
	return s
}
