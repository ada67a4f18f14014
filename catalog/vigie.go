package catalog

import (
	"fmt"
	"strings"
)

// VigieFormat is the format line of vigie's own catalog YAML.
const VigieFormat = "vigie-catalog/1"

// vigieFile is vigie's catalog YAML: the catalog's fields and its
// requirements, written by hand for frameworks published only as text
// (the CRA's Annex I).
type vigieFile struct {
	Format       string      `yaml:"format"`
	ID           string      `yaml:"id"`
	Title        string      `yaml:"title"`
	Version      string      `yaml:"version"`
	Publisher    string      `yaml:"publisher"`
	Source       string      `yaml:"source"`
	Frameworks   []Framework `yaml:"frameworks"`
	Requirements []struct {
		ID        string   `yaml:"id"`
		Parent    string   `yaml:"parent"`
		Title     string   `yaml:"title"`
		Text      string   `yaml:"text"`
		Reference string   `yaml:"reference"`
		Aliases   []string `yaml:"aliases"`
		Levels    []string `yaml:"levels"`
		Mappings  []struct {
			Framework string   `yaml:"framework"`
			IDs       []string `yaml:"ids"`
		} `yaml:"mappings"`
	} `yaml:"requirements"`
}

func parseVigie(b []byte) (*Catalog, error) {
	var f vigieFile
	if err := decodeYAML(b, &f); err != nil {
		return nil, err
	}
	if f.Format != VigieFormat {
		return nil, fmt.Errorf("format %q, want %s", f.Format, VigieFormat)
	}
	c := &Catalog{ID: f.ID, Title: strings.TrimSpace(f.Title), Version: f.Version, Publisher: f.Publisher, Source: f.Source,
		Format: FormatVigie, Frameworks: f.Frameworks}
	for _, r := range f.Requirements {
		req := Requirement{ID: r.ID, Parent: r.Parent, Title: strings.TrimSpace(r.Title), Text: strings.TrimSpace(r.Text),
			Reference: r.Reference, Aliases: r.Aliases, Levels: r.Levels}
		for _, m := range r.Mappings {
			if m.Framework == "" {
				return nil, fmt.Errorf("requirement %s: a mapping without framework", r.ID)
			}
			req.Mappings = append(req.Mappings, Mapping{Framework: m.Framework, IDs: m.IDs})
		}
		c.Requirements = append(c.Requirements, req)
	}
	return c, nil
}
