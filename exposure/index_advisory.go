package exposure

import (
	"slices"

	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/sbom"
)

// Update is what adding or removing an advisory changed.
type Update struct {
	Change advisory.Change
	// Added are the findings that did not exist before: a component newly
	// affected, not merely one more alias of a vulnerability already
	// found in it. Each is an event for the owning organisation.
	Added []Finding
	// Removed are the findings that no longer exist (a fixed range
	// widened, an advisory withdrawn).
	Removed []Finding
}

// AddAdvisory adds an advisory, or replaces the version held when a is
// newer (by Modified); a withdrawn advisory removes the one held. The
// advisory is checked only against the components of the packages it names.
func (ix *Index) AddAdvisory(a advisory.Advisory) Update {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.addAdvisory(a)
}

// AddAdvisories adds advisories in order and returns the combined update.
// Adding the advisories before the SBOMs (as when rebuilding the index at
// start) costs no matching at all.
func (ix *Index) AddAdvisories(as []advisory.Advisory) Update {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var u Update
	for _, a := range as {
		one := ix.addAdvisory(a)
		u.Added = append(u.Added, one.Added...)
		u.Removed = append(u.Removed, one.Removed...)
	}
	return u
}

// RemoveAdvisory drops an advisory and returns the findings that
// disappeared with it.
func (ix *Index) RemoveAdvisory(id string) Update {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if _, held := ix.set.Get(id); !held {
		return Update{Change: advisory.Unchanged}
	}
	touched := slices.Clone(ix.advMatches[id])
	before := ix.pairFindings(touched)
	ix.unindexAdvisory(id)
	ix.set.Remove(id)
	return ix.diff(advisory.Removed, touched, before)
}

func (ix *Index) addAdvisory(a advisory.Advisory) Update {
	old, held := ix.set.Get(a.ID)
	if held && !a.Modified.After(old.Modified) || !held && a.IsWithdrawn() {
		return Update{Change: advisory.Unchanged}
	}
	// The pairs whose findings may change: those the held version
	// matches and those the new one does.
	touched := slices.Clone(ix.advMatches[a.ID])
	var newMatches []pairMatch
	matchers := newMatcherCache(len(a.Affected))
	if !a.IsWithdrawn() {
		newMatches = ix.matchAdvisory(&a, matchers)
		for _, pm := range newMatches {
			touched = append(touched, pm.pair)
		}
	}
	touched = uniquePairs(touched)
	before := ix.pairFindings(touched)
	if held {
		ix.unindexAdvisory(a.ID)
	}
	change := ix.set.Add(a)
	if !a.IsWithdrawn() {
		stored, _ := ix.set.Get(a.ID)
		ix.matchers[a.ID] = matchers
		score, severity := stored.Rating()
		ix.ratings[a.ID] = rating{score: score, severity: severity}
		for i := range stored.Affected {
			if key, ok := affectedKey(&stored.Affected[i]); ok {
				pk := ix.pkgID(key)
				ix.pkgs[pk].advs = append(ix.pkgs[pk].advs, affRef{id: a.ID, entry: i})
			}
		}
		for _, pm := range newMatches {
			ix.addMatch(pm.pair, pm.match)
		}
	}
	return ix.diff(change, touched, before)
}

type pairMatch struct {
	pair  pair
	match match
}

// matcherCache holds the matchers of one advisory's affected entries,
// built when first needed: most advisories name packages no SBOM has.
type matcherCache struct {
	ms    []*advisory.Matcher
	built []bool
}

func newMatcherCache(n int) *matcherCache {
	return &matcherCache{ms: make([]*advisory.Matcher, n), built: make([]bool, n)}
}

// get returns the matcher of entry i, nil if it cannot be built.
func (c *matcherCache) get(a *advisory.Advisory, i int) *advisory.Matcher {
	if !c.built[i] {
		c.built[i] = true
		if m, err := advisory.NewMatcher(a.Affected[i]); err == nil {
			c.ms[i] = m
		}
	}
	return c.ms[i]
}

// matchAdvisory checks an advisory against the components of the packages
// it names, deciding each distinct component version once.
func (ix *Index) matchAdvisory(a *advisory.Advisory, matchers *matcherCache) []pairMatch {
	var out []pairMatch
	for i := range a.Affected {
		af := &a.Affected[i]
		key, ok := affectedKey(af)
		if !ok {
			continue
		}
		pk, ok := ix.pkgIDs[key]
		if !ok || len(ix.pkgs[pk].postings) == 0 {
			continue
		}
		m := matchers.get(a, i)
		if m == nil {
			continue
		}
		type verdict struct {
			ok    bool
			fixed string
		}
		memo := map[uint32]verdict{}
		for _, p := range ix.pkgs[pk].postings {
			v, done := memo[p.ident]
			if !done {
				v.ok, v.fixed = ix.decide(af, m, p.ident)
				memo[p.ident] = v
			}
			if v.ok {
				out = append(out, pairMatch{pair: p, match: match{id: a.ID, fixed: v.fixed}})
			}
		}
	}
	return out
}

// matchOne decides whether entry of advisory a affects a component
// identity, building the entry's matcher when first needed.
func (ix *Index) matchOne(a *advisory.Advisory, entry int, ident uint32) (bool, string) {
	c := ix.matchers[a.ID]
	if c == nil {
		c = newMatcherCache(len(a.Affected))
		ix.matchers[a.ID] = c
	}
	m := c.get(a, entry)
	if m == nil {
		return false, ""
	}
	return ix.decide(&a.Affected[entry], m, ident)
}

func (ix *Index) decide(af *advisory.Affected, m *advisory.Matcher, ident uint32) (bool, string) {
	idn := &ix.idents[ident]
	if !sbom.ReleaseMatches(af.Ecosystem, idn.Ecosystem) {
		return false, ""
	}
	ok, fixed, err := m.Affects(idn.MatchVersion)
	if err != nil {
		return false, ""
	}
	return ok, fixed
}

func (ix *Index) addMatch(p pair, m match) {
	sl := ix.slots[p.slot]
	if sl.matches == nil {
		sl.matches = map[uint32][]match{}
	}
	for _, x := range sl.matches[p.ident] {
		if x.id == m.id {
			return
		}
	}
	sl.matches[p.ident] = append(sl.matches[p.ident], m)
	ix.advMatches[m.id] = append(ix.advMatches[m.id], p)
}

// unindexAdvisory removes an advisory's package entries, matchers and
// matches (not the advisory itself).
func (ix *Index) unindexAdvisory(id string) {
	if a, ok := ix.set.Get(id); ok {
		for i := range a.Affected {
			if key, ok := affectedKey(&a.Affected[i]); ok {
				if pk, ok := ix.pkgIDs[key]; ok {
					e := &ix.pkgs[pk]
					e.advs = slices.DeleteFunc(e.advs, func(r affRef) bool { return r.id == id })
				}
			}
		}
	}
	for _, p := range ix.advMatches[id] {
		sl := ix.slots[p.slot]
		ms := slices.DeleteFunc(sl.matches[p.ident], func(m match) bool { return m.id == id })
		if len(ms) == 0 {
			delete(sl.matches, p.ident)
		} else {
			sl.matches[p.ident] = ms
		}
	}
	delete(ix.advMatches, id)
	delete(ix.matchers, id)
	delete(ix.ratings, id)
}

func uniquePairs(ps []pair) []pair {
	seen := make(map[pair]bool, len(ps))
	out := ps[:0]
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// pairFindings assembles the findings of the given (SBOM, component) pairs.
func (ix *Index) pairFindings(ps []pair) map[pair][]Finding {
	out := make(map[pair][]Finding, len(ps))
	groups := map[string][]string{}
	for _, p := range ps {
		out[p] = ix.identFindings(p.slot, p.ident, groups)
	}
	return out
}

// diff compares the findings of the touched pairs before and now.
func (ix *Index) diff(change advisory.Change, touched []pair, before map[pair][]Finding) Update {
	u := Update{Change: change}
	after := ix.pairFindings(touched)
	for _, p := range touched {
		u.Added = append(u.Added, newFindings(before[p], after[p])...)
		u.Removed = append(u.Removed, newFindings(after[p], before[p])...)
	}
	Sort(u.Added)
	Sort(u.Removed)
	return u
}

// newFindings returns the findings of after that are not in before: same
// SBOM and component, and no advisory id in common.
func newFindings(before, after []Finding) []Finding {
	var out []Finding
	for i := range after {
		found := false
		for j := range before {
			if sameFinding(&before[j], &after[i]) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, after[i])
		}
	}
	return out
}

func sameFinding(a, b *Finding) bool {
	if a.SBOM.ID != b.SBOM.ID || a.Component != b.Component {
		return false
	}
	for _, x := range a.IDs() {
		if slices.Contains(b.IDs(), x) {
			return true
		}
	}
	return false
}
