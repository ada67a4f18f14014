package exposure

import (
	"slices"
	"sort"
	"strings"

	"github.com/vigie-cti/vigie/vex"
)

// slotFindings assembles every finding of one SBOM, sorted.
func (ix *Index) slotFindings(s uint32) []Finding {
	sl := ix.slots[s]
	idents := make([]uint32, 0, len(sl.matches))
	for ident := range sl.matches {
		idents = append(idents, ident)
	}
	slices.Sort(idents)
	groups := map[string][]string{}
	var out []Finding
	for _, ident := range idents {
		out = append(out, ix.identFindings(s, ident, groups)...)
	}
	Sort(out)
	return out
}

// identFindings assembles the findings of one component of one SBOM: the
// advisories matching it, grouped by vulnerability (aliases), one finding
// per group. groups caches alias groups across calls.
func (ix *Index) identFindings(s uint32, ident uint32, groups map[string][]string) []Finding {
	sl := ix.slots[s]
	if sl == nil {
		return nil
	}
	ms := sl.matches[ident]
	if len(ms) == 0 {
		return nil
	}
	byGroup := map[string][]match{}
	var order []string
	for _, m := range ms {
		g, ok := groups[m.id]
		if !ok {
			g = ix.set.Group(m.id)
			if len(g) == 0 {
				g = []string{m.id}
			}
			for _, id := range g {
				groups[id] = g
			}
		}
		key := g[0]
		if _, seen := byGroup[key]; !seen {
			order = append(order, key)
		}
		byGroup[key] = append(byGroup[key], m)
	}
	idn := &ix.idents[ident]
	comp := Component{
		Ref: idn.Ref, Name: idn.Name, Version: idn.Version, PURL: idn.PURL, CPE: idn.CPE,
		Ecosystem: idn.Ecosystem, Dependency: idn.Dependency,
	}
	out := make([]Finding, 0, len(order))
	for _, key := range order {
		out = append(out, ix.groupFinding(sl, comp, byGroup[key]))
	}
	return out
}

// groupFinding builds the finding of one vulnerability (its matching
// advisories) in one component.
func (ix *Index) groupFinding(sl *slot, comp Component, ms []match) Finding {
	matched := make([]string, 0, len(ms))
	for _, m := range ms {
		matched = append(matched, m.id)
	}
	sort.Strings(matched)
	primary := primaryID(matched)
	f := Finding{
		SBOM:      sl.ref,
		ID:        primary,
		Aliases:   ix.set.Aliases(primary),
		Component: comp,
		State:     Affected,
		Matched:   matched,
	}
	for _, m := range ms {
		if m.id == primary {
			f.FixedVersion = m.fixed
		}
	}
	for _, m := range ms {
		if f.FixedVersion == "" {
			f.FixedVersion = m.fixed
		}
		a, ok := ix.set.Get(m.id)
		if !ok {
			continue
		}
		if a.Malicious {
			f.Malicious = true
		}
		if !a.Published.IsZero() && (f.Published.IsZero() || a.Published.Before(f.Published)) {
			f.Published = a.Published.UTC()
		}
		if r := ix.ratings[m.id]; r.score > f.Score || f.Severity == "" {
			if r.severity != "" {
				f.Score, f.Severity = r.score, r.severity
			}
		}
		if m.id == primary || f.Summary == "" {
			if a.Summary != "" {
				f.Summary = a.Summary
			}
		}
	}
	if len(sl.statements) > 0 {
		// VEX statements may name the vulnerability by any of its ids,
		// the upstream CVEs of a distribution advisory included.
		ids := f.IDs()
		for _, m := range ms {
			if a, ok := ix.set.Get(m.id); ok {
				ids = append(ids, a.Upstream...)
			}
		}
		subject := vex.Subject{
			IDs:     ids,
			Serial:  sl.serial,
			Product: sl.product,
			Component: vex.Target{
				Ref: comp.Ref, PURL: comp.PURL, CPE: comp.CPE, Name: comp.Name, Version: comp.Version,
			},
		}
		if st, ok := vex.Decide(sl.statements, subject); ok {
			f.VEX = &Decision{
				Status:          st.Status,
				Justification:   st.Justification,
				ImpactStatement: st.ImpactStatement,
				ActionStatement: st.ActionStatement,
				Source:          st.Source,
				Timestamp:       st.Timestamp.UTC(),
			}
			switch st.Status {
			case vex.NotAffected, vex.Fixed:
				f.State = Suppressed
			case vex.UnderInvestigation:
				f.State = UnderInvestigation
			}
		}
	}
	return f
}

// primaryID chooses the id a finding is shown under: a malicious-package
// id first, then an id of an ecosystem database (GO-, GHSA-, PYSEC-, ...)
// before a CVE, then the first in order.
func primaryID(ids []string) string {
	best := ids[0]
	rank := func(id string) int {
		switch {
		case strings.HasPrefix(id, "MAL-"):
			return 0
		case strings.HasPrefix(id, "CVE-"):
			return 2
		}
		return 1
	}
	for _, id := range ids[1:] {
		if rank(id) < rank(best) {
			best = id
		}
	}
	return best
}
