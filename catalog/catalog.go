// Package catalog reads control catalogs (the requirements a supplier can
// be held to) from their machine-readable forms: the OpenSSF OSPS Baseline
// YAML (both its released and its Gemara ControlCatalog shapes), CycloneDX
// definitions.standards (NIST SSDF 1.1, CISA's attestation form, any
// standard) and vigie's own YAML form, in which the EU Cyber Resilience
// Act's Annex I is written (catalogs/cra-annex-i.yaml). A requirement keeps
// its id and its mappings to other frameworks.
package catalog

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Formats a catalog is read from.
const (
	FormatOSPS      = "osps-baseline"
	FormatCycloneDX = "cyclonedx"
	FormatVigie     = "vigie"
)

// Limits on what Parse reads.
const (
	MaxFiles        = 64
	MaxFileBytes    = 8 << 20
	MaxTotalBytes   = 32 << 20
	MaxRequirements = 10000
	MaxTextLen      = 64 << 10
	MaxMappings     = 1000 // mapping entries of one requirement
)

// ErrTooLarge is returned (wrapped) when input exceeds a limit.
var ErrTooLarge = errors.New("catalog: input over the limits")

// Catalog is a set of requirements, in the order their source gives them.
type Catalog struct {
	ID           string        `json:"id"`
	Title        string        `json:"title"`
	Version      string        `json:"version,omitempty"`
	Publisher    string        `json:"publisher,omitempty"`
	Source       string        `json:"source,omitempty"` // where the authoritative text is
	Format       string        `json:"format"`
	Levels       []Level       `json:"levels,omitempty"`
	Frameworks   []Framework   `json:"frameworks,omitempty"` // the frameworks its mappings name
	Requirements []Requirement `json:"requirements"`
}

// Level is a maturity or assurance level requirements apply at.
type Level struct {
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
}

// Framework is another catalog the mappings refer to (OSPS Baseline's
// mapping-references).
type Framework struct {
	ID      string `json:"id"`
	Title   string `json:"title,omitempty"`
	Version string `json:"version,omitempty"`
	URL     string `json:"url,omitempty"`
}

// Requirement is one requirement (or a group or control holding others,
// named by their Parent).
type Requirement struct {
	ID        string `json:"id"`
	Parent    string `json:"parent,omitempty"`
	Title     string `json:"title,omitempty"`
	Text      string `json:"text,omitempty"`
	Reference string `json:"reference,omitempty"` // where in its source ("Annex I, Part II, point (1)")
	// Aliases are the other ids crosswalks use for this requirement
	// (OSPS Baseline writes CRA Annex I Part I (2)(a) as "1.2a").
	Aliases  []string  `json:"aliases,omitempty"`
	Levels   []string  `json:"levels,omitempty"`
	Mappings []Mapping `json:"mappings,omitempty"`
}

// Mapping says a requirement corresponds to requirements of another
// framework (by the framework's id: SSDF, CRA, OpenCRE ...).
type Mapping struct {
	Framework string   `json:"framework"`
	IDs       []string `json:"ids"`
}

// Find returns the requirement of this id (or alias), nil if none.
func (c *Catalog) Find(id string) *Requirement {
	for i := range c.Requirements {
		r := &c.Requirements[i]
		if r.ID == id {
			return r
		}
	}
	for i := range c.Requirements {
		for _, a := range c.Requirements[i].Aliases {
			if a == id {
				return &c.Requirements[i]
			}
		}
	}
	return nil
}

// MappingsOf returns the mappings of a requirement and of its ancestors
// (OSPS Baseline maps controls, whose assessment requirements inherit),
// merged by framework.
func (c *Catalog) MappingsOf(id string) []Mapping {
	var out []Mapping
	idx := map[string]int{}
	seen := map[string]bool{}
	for r := c.Find(id); r != nil && !seen[r.ID]; r = c.Find(r.Parent) {
		seen[r.ID] = true
		for _, m := range r.Mappings {
			j, ok := idx[m.Framework]
			if !ok {
				j = len(out)
				idx[m.Framework] = j
				out = append(out, Mapping{Framework: m.Framework})
			}
			for _, id := range m.IDs {
				if !containsString(out[j].IDs, id) {
					out[j].IDs = append(out[j].IDs, id)
				}
			}
		}
		if r.Parent == "" {
			break
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var catalogID = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,99}$`)

// Validate reports what makes the catalog unusable: no id or title, a
// requirement without an id, duplicate ids or aliases, a parent that is
// not in the catalog, or a limit exceeded.
func (c *Catalog) Validate() error {
	if !catalogID.MatchString(c.ID) {
		return fmt.Errorf("catalog id %q: want 1 to 100 lower-case letters, digits, '.', '_' or '-'", c.ID)
	}
	if strings.TrimSpace(c.Title) == "" {
		return fmt.Errorf("catalog %s: no title", c.ID)
	}
	if len(c.Requirements) == 0 {
		return fmt.Errorf("catalog %s: no requirements", c.ID)
	}
	if len(c.Requirements) > MaxRequirements {
		return fmt.Errorf("catalog %s: %d requirements, at most %d: %w", c.ID, len(c.Requirements), MaxRequirements, ErrTooLarge)
	}
	ids := map[string]bool{}
	for _, r := range c.Requirements {
		if err := checkID(r.ID); err != nil {
			return fmt.Errorf("catalog %s: requirement %w", c.ID, err)
		}
		if ids[r.ID] {
			return fmt.Errorf("catalog %s: duplicate requirement id %q", c.ID, r.ID)
		}
		ids[r.ID] = true
		if len(r.Text) > MaxTextLen || len(r.Title) > MaxTextLen {
			return fmt.Errorf("catalog %s: requirement %s: text over %d bytes: %w", c.ID, r.ID, MaxTextLen, ErrTooLarge)
		}
		n := 0
		for _, m := range r.Mappings {
			n += len(m.IDs)
		}
		if n > MaxMappings {
			return fmt.Errorf("catalog %s: requirement %s: %d mappings, at most %d: %w", c.ID, r.ID, n, MaxMappings, ErrTooLarge)
		}
	}
	for _, r := range c.Requirements {
		for _, a := range r.Aliases {
			if ids[a] {
				return fmt.Errorf("catalog %s: alias %q of %s is already an id or alias", c.ID, a, r.ID)
			}
			ids[a] = true
		}
	}
	parent := map[string]string{}
	for _, r := range c.Requirements {
		if r.Parent == "" {
			continue
		}
		p := c.Find(r.Parent)
		if p == nil {
			return fmt.Errorf("catalog %s: requirement %s: parent %q is not in the catalog", c.ID, r.ID, r.Parent)
		}
		parent[r.ID] = p.ID
	}
	for _, r := range c.Requirements {
		id := r.ID
		for steps := 0; parent[id] != ""; steps++ {
			if steps > len(parent) {
				return fmt.Errorf("catalog %s: requirement %s: its parents form a cycle", c.ID, r.ID)
			}
			id = parent[id]
		}
	}
	return nil
}

// checkID accepts the ids catalogs use (OSPS-VM-04.02, PW.4.1,
// CRA-I-2(a)): printable, no spaces, at most 100 bytes.
func checkID(id string) error {
	if id == "" || len(id) > 100 {
		return fmt.Errorf("id %q: want 1 to 100 characters", id)
	}
	for _, r := range id {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("id %q: no spaces or control characters", id)
		}
	}
	return nil
}

// Parse reads the files of one import (by name) and returns the catalogs
// they hold, each validated: one vigie catalog file, one CycloneDX
// document (one catalog per standard it defines), or the YAML files of the
// OSPS Baseline (families, metadata.yaml; lexicon.yaml and frameworks.yaml
// are read for what they add). Formats are not mixed in one import.
func Parse(files map[string][]byte) ([]*Catalog, error) {
	if len(files) == 0 {
		return nil, errors.New("catalog: no file")
	}
	if len(files) > MaxFiles {
		return nil, fmt.Errorf("catalog: %d files, at most %d: %w", len(files), MaxFiles, ErrTooLarge)
	}
	total := 0
	names := make([]string, 0, len(files))
	for name, b := range files {
		if len(b) > MaxFileBytes {
			return nil, fmt.Errorf("catalog: %s: %d bytes, at most %d: %w", name, len(b), MaxFileBytes, ErrTooLarge)
		}
		total += len(b)
		names = append(names, name)
	}
	if total > MaxTotalBytes {
		return nil, fmt.Errorf("catalog: %d bytes in all, at most %d: %w", total, MaxTotalBytes, ErrTooLarge)
	}
	sort.Strings(names)
	kinds := map[string]string{}
	for _, n := range names {
		k, err := sniff(files[n])
		if err != nil {
			return nil, fmt.Errorf("catalog: %s: %w", n, err)
		}
		kinds[n] = k
	}
	var cs []*Catalog
	var err error
	switch k := kinds[names[0]]; {
	case k == FormatCycloneDX || k == FormatVigie:
		if len(names) != 1 {
			return nil, fmt.Errorf("catalog: a %s catalog is one file; got %d", k, len(names))
		}
		if k == FormatCycloneDX {
			cs, err = parseCycloneDX(files[names[0]])
		} else {
			var c *Catalog
			c, err = parseVigie(files[names[0]])
			cs = []*Catalog{c}
		}
		if err != nil {
			return nil, fmt.Errorf("catalog: %s: %w", names[0], err)
		}
	default:
		for _, n := range names {
			if kinds[n] != FormatOSPS {
				return nil, fmt.Errorf("catalog: %s is %s, not an OSPS Baseline file; import it alone", n, kinds[n])
			}
		}
		var c *Catalog
		if c, err = parseOSPS(names, files); err != nil {
			return nil, err
		}
		cs = []*Catalog{c}
	}
	for _, c := range cs {
		if err := c.Validate(); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// sniff tells a file's format from its first bytes and top-level keys.
func sniff(b []byte) (string, error) {
	s := strings.TrimSpace(string(b))
	switch {
	case s == "":
		return "", errors.New("empty file")
	case strings.HasPrefix(s, "{"):
		if strings.Contains(s, `"bomFormat"`) {
			return FormatCycloneDX, nil
		}
		return "", errors.New("a JSON document that is not CycloneDX")
	case strings.Contains(s, "format: vigie-catalog/"):
		return FormatVigie, nil
	}
	return FormatOSPS, nil
}
