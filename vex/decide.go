package vex

import (
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/vigie-cti/vigie/sbom"
)

// Target is a product or a component as an SBOM describes it, for matching
// statement products.
type Target struct {
	Ref     string
	PURL    string
	CPE     string
	Name    string
	Version string
}

// TargetOf returns the target of an SBOM component.
func TargetOf(c *sbom.Component) Target {
	if c == nil {
		return Target{}
	}
	return Target{Ref: c.Ref, PURL: c.PURL, CPE: c.CPE, Name: c.Name, Version: c.Version}
}

// Subject is a finding as VEX sees it: a vulnerability known by several ids,
// in a component of a product described by the SBOM whose serial number is
// Serial.
type Subject struct {
	IDs       []string
	Serial    string
	Product   Target
	Component Target
}

// Decide returns the statement that applies to the subject, if any. A
// statement applies when it names one of the subject's ids and either lists
// no product, or lists the subject's product (with no subcomponents, or the
// subject's component among them), or lists the subject's component itself.
// Among those that apply, the most specific wins (one about the component,
// then one about the product, then one about no product), then the latest,
// then the last given.
func Decide(stmts []Statement, s Subject) (Statement, bool) {
	best, bestRank, found := -1, -1, false
	for i := range stmts {
		st := &stmts[i]
		if !namesAny(st, s.IDs) {
			continue
		}
		rank := st.applies(s)
		if rank < 0 {
			continue
		}
		if !found || rank > bestRank ||
			(rank == bestRank && !st.Timestamp.Before(stmts[best].Timestamp)) {
			best, bestRank, found = i, rank, true
		}
	}
	if !found {
		return Statement{}, false
	}
	return stmts[best], true
}

func namesAny(st *Statement, ids []string) bool {
	for _, id := range ids {
		if strings.EqualFold(st.Vulnerability, id) {
			return true
		}
		for _, al := range st.Aliases {
			if strings.EqualFold(al, id) {
				return true
			}
		}
	}
	return false
}

// applies returns how specifically the statement applies to the subject:
// 2 for the component, 1 for the product, 0 for a statement without
// products, -1 when it does not apply.
func (st *Statement) applies(s Subject) int {
	if len(st.Products) == 0 {
		return 0
	}
	rank := -1
	for _, p := range st.Products {
		if p.identifies(s.Component, s.Serial) {
			return 2
		}
		if !p.identifies(s.Product, s.Serial) {
			continue
		}
		if len(p.Subcomponents) == 0 {
			rank = max(rank, 1)
			continue
		}
		for _, sc := range p.Subcomponents {
			if sc.identifies(s.Component, s.Serial) {
				return 2
			}
		}
	}
	return rank
}

// identifies reports whether the product names the target and the target's
// version is one the product is restricted to.
func (p *Product) identifies(t Target, serial string) bool {
	if t == (Target{}) {
		return false
	}
	matched := false
	switch {
	case p.Ref == "":
	case strings.HasPrefix(p.Ref, "urn:cdx:"):
		// A BOM-link: the SBOM's serial number, then the bom-ref.
		body := strings.TrimPrefix(p.Ref, "urn:cdx:")
		bomID, frag, ok := strings.Cut(body, "#")
		bomSerial, _, _ := strings.Cut(bomID, "/")
		matched = ok && frag != "" && frag == t.Ref && sameSerial(bomSerial, serial)
	default:
		matched = p.Ref == t.Ref
	}
	if !matched && p.PURL != "" && t.PURL != "" {
		matched = purlMatches(p.PURL, t.PURL)
	}
	if !matched && p.CPE != "" && t.CPE != "" {
		matched = cpeMatches(p.CPE, t.CPE)
	}
	if !matched && p.Name != "" && t.Name != "" {
		matched = strings.EqualFold(p.Name, t.Name)
	}
	return matched && p.versionAllows(t.Version)
}

func (p *Product) versionAllows(v string) bool {
	if len(p.Versions) == 0 && len(p.Ranges) == 0 {
		return true
	}
	if v == "" {
		return false
	}
	for _, pv := range p.Versions {
		if pv == v || strings.TrimPrefix(pv, "v") == strings.TrimPrefix(v, "v") {
			return true
		}
	}
	for _, r := range p.Ranges {
		if ok, err := r.Contains(v); err == nil && ok {
			return true
		}
	}
	return false
}

func sameSerial(a, b string) bool {
	norm := func(s string) string { return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "urn:uuid:")) }
	return a != "" && norm(a) == norm(b)
}

// purlMatches reports whether the statement's purl names the target's: same
// type, namespace and name; the same version if it has one; and the
// qualifiers it has, with the same values.
func purlMatches(stmt, target string) bool {
	a, err := packageurl.FromString(stmt)
	if err != nil {
		return false
	}
	b, err := packageurl.FromString(target)
	if err != nil {
		return false
	}
	if a.Type != b.Type || a.Namespace != b.Namespace || a.Name != b.Name {
		return false
	}
	if a.Version != "" && strings.TrimPrefix(a.Version, "v") != strings.TrimPrefix(b.Version, "v") {
		return false
	}
	bq := b.Qualifiers.Map()
	for k, v := range a.Qualifiers.Map() {
		if bq[k] != v {
			return false
		}
	}
	return true
}

func cpeMatches(stmt, target string) bool {
	a, err := sbom.ParseCPE(stmt)
	if err != nil {
		return false
	}
	b, err := sbom.ParseCPE(target)
	if err != nil {
		return false
	}
	if a.Vendor != b.Vendor || a.Product != b.Product || (a.Part != "*" && b.Part != "*" && a.Part != b.Part) {
		return false
	}
	return a.AnyVersion() || a.Version == b.Version
}
