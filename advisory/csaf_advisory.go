package advisory

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vigie-cti/vigie/sbom"
)

// ParseCSAF reads a CSAF 2.0 document as one advisory, the way Red Hat's own
// OSV conversion does: the id is the document's tracking id, the CVEs of its
// vulnerabilities are Upstream ids, and each product named by a product
// status becomes an affected package through its purl (or its CPE when it
// has no purl):
//
//   - known_affected: the product's version is affected (all versions when
//     it has none; a product_version_range is turned into range events);
//   - fixed, first_fixed: every version before the product's version is
//     affected, one range per fixed version;
//   - last_affected: every version up to the product's version;
//   - first_affected: every version from the product's version on.
//
// A package placed in a Red Hat platform (a relationship to a product whose
// CPE is "cpe:/a:redhat:...") gets the "Red Hat:<stream>" ecosystem of the
// OSV schema, with the epoch written out. Products with neither purl nor CPE
// cannot be matched and are left out. The known_not_affected and
// under_investigation statuses are VEX, read by package vex.
func ParseCSAF(data []byte) (Advisory, error) {
	doc, err := ParseCSAFDocument(data)
	if err != nil {
		return Advisory{}, err
	}
	return FromCSAF(doc)
}

// FromCSAF converts a decoded CSAF document; see ParseCSAF.
func FromCSAF(doc *CSAF) (Advisory, error) {
	d := &doc.Document
	a := Advisory{
		ID:      strings.TrimSpace(d.Tracking.ID),
		Summary: d.Title,
		Source:  "csaf",
	}
	var err error
	if d.Tracking.CurrentReleaseDate == "" {
		return Advisory{}, fmt.Errorf("%w: %s: no tracking.current_release_date", ErrMalformed, a.ID)
	}
	if a.Modified, err = parseTime(d.Tracking.CurrentReleaseDate); err != nil {
		return Advisory{}, fmt.Errorf("%w: %s: current_release_date: %w", ErrMalformed, a.ID, err)
	}
	if d.Tracking.InitialReleaseDate != "" {
		if a.Published, err = parseTime(d.Tracking.InitialReleaseDate); err != nil {
			return Advisory{}, fmt.Errorf("%w: %s: initial_release_date: %w", ErrMalformed, a.ID, err)
		}
	}
	for _, n := range d.Notes {
		if (n.Category == "summary" || n.Category == "description") && a.Details == "" {
			a.Details = n.Text
		}
	}
	if d.AggregateSeverity != nil && d.AggregateSeverity.Text != "" {
		a.Severity = append(a.Severity, Severity{Type: "CSAF", Score: d.AggregateSeverity.Text})
	}
	for _, r := range d.References {
		a.References = appendReference(a.References, csafReference(r))
	}
	if len(doc.Vulnerabilities) == 0 {
		return Advisory{}, fmt.Errorf("%w: %s: no vulnerabilities", ErrMalformed, a.ID)
	}
	products := doc.Products()
	acc := newAffectedSet()
	statuses := 0
	for _, v := range doc.Vulnerabilities {
		for _, id := range v.Identifiers() {
			if id != a.ID && !slices.Contains(a.Upstream, id) {
				a.Upstream = append(a.Upstream, id)
			}
		}
		for _, s := range v.Scores {
			if s.CVSSV3 != nil && s.CVSSV3.VectorString != "" {
				a.Severity = appendSeverity(a.Severity, Severity{Type: "CVSS_V3", Score: s.CVSSV3.VectorString})
			}
			if s.CVSSV2 != nil && s.CVSSV2.VectorString != "" {
				a.Severity = appendSeverity(a.Severity, Severity{Type: "CVSS_V2", Score: s.CVSSV2.VectorString})
			}
		}
		for _, r := range v.References {
			a.References = appendReference(a.References, csafReference(r))
		}
		for _, status := range []string{"known_affected", "first_affected", "last_affected", "fixed", "first_fixed"} {
			for _, id := range v.ProductStatus[status] {
				if p := products[id]; p != nil {
					acc.add(status, p)
				}
			}
		}
		for _, ids := range v.ProductStatus {
			if len(ids) > 0 {
				statuses++
			}
		}
	}
	if statuses == 0 {
		return Advisory{}, fmt.Errorf("%w: %s: no product status in any vulnerability", ErrMalformed, a.ID)
	}
	a.Affected = acc.list
	return a, nil
}

func csafReference(r CSAFReference) Reference {
	t := "WEB"
	if r.Category == "self" {
		t = "ADVISORY"
	}
	return Reference{Type: t, URL: r.URL}
}

func appendReference(list []Reference, r Reference) []Reference {
	if r.URL == "" || slices.Contains(list, r) {
		return list
	}
	return append(list, r)
}

func appendSeverity(list []Severity, s Severity) []Severity {
	if containsSeverity(list, s) {
		return list
	}
	return append(list, s)
}

// affectedSet accumulates affected entries by package, keeping the order in
// which packages first appear.
type affectedSet struct {
	list  []Affected
	index map[string]int
	seen  map[string]bool
}

func newAffectedSet() *affectedSet {
	return &affectedSet{index: map[string]int{}, seen: map[string]bool{}}
}

// add records what one product status says about one product.
func (s *affectedSet) add(status string, p *CSAFProductInfo) {
	leaf := p.Leaf()
	eco, name, version, cpe, purl := "", "", leaf.Version, "", ""
	if leaf.PURL != "" {
		if norm, pkg, v, err := sbom.ParsePURL(leaf.PURL); err == nil && pkg.Ecosystem != "" {
			eco, name = pkg.Ecosystem, pkg.Name
			purl, _, _ = strings.Cut(norm, "?")
			purl, _, _ = strings.Cut(purl, "@")
			if v != "" {
				version = v
			}
		}
	}
	rangeType := RangeEcosystem
	if eco == "" {
		c, err := sbom.ParseCPE(leaf.CPE)
		if err != nil {
			return
		}
		eco, name, cpe, rangeType = sbom.CPEEcosystem, c.Vendor+":"+c.Product, leaf.CPE, RangeSemver
		if !c.AnyVersion() {
			version = c.Version
		}
	} else {
		for _, plat := range p.Platforms() {
			if stream, ok := redHatStream(plat.CPE); ok {
				eco = "Red Hat:" + stream
				if version != "" && !strings.Contains(version, ":") {
					version = "0:" + version
				}
				break
			}
		}
	}
	key := eco + "\x00" + name
	i, ok := s.index[key]
	if !ok {
		i = len(s.list)
		s.index[key] = i
		s.list = append(s.list, Affected{Ecosystem: eco, Name: name, PURL: purl})
		if cpe != "" {
			s.list[i].CPEs = []string{cpe}
		}
	}
	af := &s.list[i]
	addRange := func(events ...Event) {
		k := fmt.Sprint(key, events)
		if s.seen[k] {
			return
		}
		s.seen[k] = true
		af.Ranges = append(af.Ranges, Range{Type: rangeType, Events: events})
	}
	switch status {
	case "known_affected":
		switch {
		case leaf.VersionRange != "":
			if vr, err := ParseVers(leaf.VersionRange); err == nil {
				if events, versions, ok := vr.Events(); ok {
					if len(events) > 0 {
						addRange(events...)
					}
					af.Versions = appendUnique(af.Versions, versions...)
					return
				}
			}
			addRange(Event{Introduced: "0"})
		case version != "":
			af.Versions = appendUnique(af.Versions, version)
		default:
			addRange(Event{Introduced: "0"})
		}
	case "fixed", "first_fixed":
		if version != "" {
			addRange(Event{Introduced: "0"}, Event{Fixed: version})
		}
	case "last_affected":
		if version != "" {
			addRange(Event{Introduced: "0"}, Event{LastAffected: version})
		}
	case "first_affected":
		if version != "" {
			addRange(Event{Introduced: version})
		}
	}
}

// redHatStream returns the OSV "Red Hat" ecosystem suffix of a Red Hat
// product CPE: "cpe:/a:redhat:rhel_aus:8.6::appstream" gives
// "rhel_aus:8.6::appstream".
func redHatStream(cpe string) (string, bool) {
	for _, prefix := range []string{"cpe:/a:redhat:", "cpe:/o:redhat:"} {
		if rest, ok := strings.CutPrefix(cpe, prefix); ok && rest != "" {
			return rest, true
		}
	}
	return "", false
}

func appendUnique(list []string, values ...string) []string {
	for _, v := range values {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}
