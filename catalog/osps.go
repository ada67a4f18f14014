package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// The OSPS Baseline YAML: one file per family of controls, each control
// with assessment requirements and guideline mappings, and metadata.yaml
// with the maturity levels and the mapping references. Two shapes are
// read: the released one (guideline-mappings, "Maturity Level 1") and the
// Gemara ControlCatalog one (group, guidelines, "maturity-1").
type ospsFamily struct {
	Title    string        `yaml:"title"`
	Controls []ospsControl `yaml:"controls"`
}

type ospsControl struct {
	ID                string        `yaml:"id"`
	Title             string        `yaml:"title"`
	Objective         string        `yaml:"objective"`
	Guidelines        []ospsMapping `yaml:"guidelines"`
	GuidelineMappings []ospsMapping `yaml:"guideline-mappings"`
	Requirements      []struct {
		ID            string   `yaml:"id"`
		Text          string   `yaml:"text"`
		Applicability []string `yaml:"applicability"`
	} `yaml:"assessment-requirements"`
}

type ospsMapping struct {
	ReferenceID string `yaml:"reference-id"`
	Entries     []struct {
		ReferenceID string `yaml:"reference-id"`
	} `yaml:"entries"`
}

type ospsLevel struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
}

type ospsReference struct {
	ID      string `yaml:"id"`
	Title   string `yaml:"title"`
	Version string `yaml:"version"`
	URL     string `yaml:"url"`
}

// ospsMeta is metadata.yaml in either shape (and frameworks.yaml, which
// holds only mapping-references).
type ospsMeta struct {
	ID                string          `yaml:"id"`
	Title             string          `yaml:"title"`
	Version           string          `yaml:"version"`
	Categories        []ospsLevel     `yaml:"applicability-categories"`
	MappingReferences []ospsReference `yaml:"mapping-references"`
	Metadata          *struct {
		ID                string          `yaml:"id"`
		Version           string          `yaml:"version"`
		Groups            []ospsLevel     `yaml:"applicability-groups"`
		MappingReferences []ospsReference `yaml:"mapping-references"`
		Author            struct {
			Name string `yaml:"name"`
		} `yaml:"author"`
	} `yaml:"metadata"`
}

// decodeYAML decodes one YAML document strictly enough: exactly one
// document, errors naming the line.
func decodeYAML(b []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("not valid YAML: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return errors.New("more than one YAML document")
	}
	return nil
}

// ospsKind tells a family file from metadata and the lexicon.
func ospsKind(b []byte) (string, error) {
	var n yaml.Node
	if err := decodeYAML(b, &n); err != nil {
		return "", err
	}
	if len(n.Content) != 1 {
		return "", errors.New("empty YAML document")
	}
	root := n.Content[0]
	if root.Kind == yaml.SequenceNode {
		return "lexicon", nil
	}
	if root.Kind != yaml.MappingNode {
		return "", errors.New("not an OSPS Baseline file: want a mapping at the top")
	}
	keys := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		keys[root.Content[i].Value] = true
	}
	switch {
	case keys["controls"]:
		return "family", nil
	case keys["metadata"] || keys["mapping-references"] || keys["applicability-categories"]:
		return "metadata", nil
	}
	return "", errors.New("not an OSPS Baseline file: no controls, metadata or mapping-references")
}

func parseOSPS(names []string, files map[string][]byte) (*Catalog, error) {
	c := &Catalog{ID: "osps-baseline", Title: "Open Source Project Security Baseline", Publisher: "OpenSSF",
		Source: "https://baseline.openssf.org", Format: FormatOSPS}
	levelIDs := map[string]string{} // title -> id
	families := 0
	for _, name := range names {
		b := files[name]
		kind, err := ospsKind(b)
		if err != nil {
			return nil, fmt.Errorf("catalog: %s: %w", name, err)
		}
		switch kind {
		case "lexicon":
			continue // terms, no requirements
		case "metadata":
			var m ospsMeta
			if err := decodeYAML(b, &m); err != nil {
				return nil, fmt.Errorf("catalog: %s: %w", name, err)
			}
			applyOSPSMeta(c, &m, levelIDs)
		case "family":
			var f ospsFamily
			if err := decodeYAML(b, &f); err != nil {
				return nil, fmt.Errorf("catalog: %s: %w", name, err)
			}
			if err := addOSPSFamily(c, &f); err != nil {
				return nil, fmt.Errorf("catalog: %s: %w", name, err)
			}
			families++
		}
	}
	if families == 0 {
		return nil, errors.New("catalog: no OSPS Baseline family file (OSPS-*.yaml with controls)")
	}
	for i := range c.Requirements {
		for j, l := range c.Requirements[i].Levels {
			c.Requirements[i].Levels[j] = ospsLevelID(l, levelIDs)
		}
	}
	return c, nil
}

func applyOSPSMeta(c *Catalog, m *ospsMeta, levelIDs map[string]string) {
	levels, refs := m.Categories, m.MappingReferences
	if m.ID != "" {
		c.ID = m.ID
	}
	if m.Title != "" {
		c.Title = strings.TrimSpace(m.Title)
	}
	c.Version = m.Version
	if md := m.Metadata; md != nil {
		if md.ID != "" {
			c.ID = md.ID
		}
		if md.Version != "" {
			c.Version = md.Version
		}
		if md.Author.Name != "" {
			c.Publisher = md.Author.Name
		}
		levels = append(levels, md.Groups...)
		refs = append(refs, md.MappingReferences...)
	}
	for _, l := range levels {
		if l.ID != "" && levelIDs[l.Title] == "" {
			levelIDs[l.Title] = l.ID
			c.Levels = append(c.Levels, Level{ID: l.ID, Title: l.Title})
		}
	}
	for _, r := range refs {
		if r.ID == "" {
			continue
		}
		dup := false
		for _, f := range c.Frameworks {
			dup = dup || f.ID == r.ID
		}
		if !dup {
			c.Frameworks = append(c.Frameworks, Framework{ID: r.ID, Title: r.Title, Version: r.Version, URL: r.URL})
		}
	}
}

// ospsLevelID turns "Maturity Level 2" into "maturity-2" (through the
// metadata's titles, or by its number).
func ospsLevelID(l string, levelIDs map[string]string) string {
	if id := levelIDs[l]; id != "" {
		return id
	}
	if n, ok := strings.CutPrefix(l, "Maturity Level "); ok {
		return "maturity-" + strings.TrimSpace(n)
	}
	return l
}

func addOSPSFamily(c *Catalog, f *ospsFamily) error {
	if len(f.Controls) == 0 {
		return errors.New("no controls")
	}
	for _, ctl := range f.Controls {
		if ctl.ID == "" {
			return errors.New("a control without an id")
		}
		maps := ctl.GuidelineMappings
		if len(ctl.Guidelines) > 0 {
			maps = ctl.Guidelines
		}
		r := Requirement{ID: ctl.ID, Title: strings.TrimSpace(ctl.Title), Text: strings.TrimSpace(ctl.Objective)}
		for _, m := range maps {
			mp := Mapping{Framework: strings.TrimSpace(m.ReferenceID)}
			for _, e := range m.Entries {
				if id := strings.TrimSpace(e.ReferenceID); id != "" {
					mp.IDs = append(mp.IDs, id)
				}
			}
			switch {
			case mp.Framework == "" && len(mp.IDs) == 0:
				continue // an empty placeholder (OSPS-DO-07 has one): it maps nothing
			case mp.Framework == "":
				return fmt.Errorf("control %s: a mapping without reference-id", ctl.ID)
			}
			r.Mappings = append(r.Mappings, mp)
		}
		c.Requirements = append(c.Requirements, r)
		if len(c.Requirements) > MaxRequirements {
			return fmt.Errorf("over %d requirements: %w", MaxRequirements, ErrTooLarge)
		}
		for _, ar := range ctl.Requirements {
			c.Requirements = append(c.Requirements, Requirement{ID: ar.ID, Parent: ctl.ID, Text: strings.TrimSpace(ar.Text),
				Levels: append([]string(nil), ar.Applicability...)})
		}
	}
	return nil
}
