package exposure

import (
	"hash/maphash"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/sbom"
	"github.com/vigie-cti/vigie/vex"
)

// Index holds the components of many SBOMs and the advisories, both indexed
// by package (ecosystem and normalised name), and the findings between
// them. Adding an advisory checks it only against the components of the
// packages it names; adding an SBOM checks its components only against the
// advisories of their packages. Each change returns the findings it
// created (and removed), for alerting.
//
// The index keeps one copy of each distinct component identity and, per
// SBOM and component, eight bytes of posting and eight of bookkeeping, so a
// hub can hold millions of components in memory. It holds no SBOM
// documents: the hub persists SBOMs, advisories and VEX in its database and
// rebuilds the index at start by adding them again (advisories first is
// fastest), then keeps it current.
//
// An Index is safe for concurrent use.
type Index struct {
	mu         sync.Mutex
	set        *advisory.Set
	matchers   map[string]*matcherCache // advisory id to the matchers of its affected entries
	ratings    map[string]rating
	pkgIDs     map[sbom.PackageKey]uint32
	pkgs       []pkgEntry
	identIDs   map[uint64][]uint32 // identity hash to the identities that have it
	seed       maphash.Seed
	idents     []identity
	slotIDs    map[string]uint32
	slots      []*slot // nil when free
	free       []uint32
	advMatches map[string][]pair // advisory id to the (SBOM, component) pairs it matches
}

type rating struct {
	score    float64
	severity string
}

// pkgEntry is one package: the SBOM components that are this package, and
// the advisory entries that name it.
type pkgEntry struct {
	postings []pair
	advs     []affRef
}

// pair is one component (identity) of one SBOM (slot).
type pair struct{ slot, ident uint32 }

// affRef is one affected entry of one advisory.
type affRef struct {
	id    string
	entry int
}

// identity is a component as matching and reporting need it; identical
// components of different SBOMs share one.
type identity struct {
	Ref, Name, Version, MatchVersion, PURL, CPE, Ecosystem string
	Dependency                                             sbom.Dependency
}

type slot struct {
	ref         SBOMRef
	serial      string
	product     vex.Target
	comps       []compRec
	components  int
	unmatchable int
	statements  []vex.Statement
	matches     map[uint32][]match // component identity to the advisories matching it
}

type compRec struct{ ident, pkg uint32 }

type match struct {
	id    string
	fixed string
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{
		set:        advisory.NewSet(),
		matchers:   map[string]*matcherCache{},
		ratings:    map[string]rating{},
		pkgIDs:     map[sbom.PackageKey]uint32{},
		identIDs:   map[uint64][]uint32{},
		seed:       maphash.MakeSeed(),
		slotIDs:    map[string]uint32{},
		advMatches: map[string][]pair{},
	}
}

// Stats counts what an index holds.
type Stats struct {
	SBOMs      int // SBOMs held
	Components int // component entries, one per component of each SBOM
	Identities int // distinct component identities
	Packages   int // distinct packages named by components or advisories
	Advisories int
	Findings   int // (component, advisory) matches
}

// Stats returns the index's counts.
func (ix *Index) Stats() Stats {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	st := Stats{SBOMs: len(ix.slotIDs), Identities: len(ix.idents), Packages: len(ix.pkgs), Advisories: ix.set.Len()}
	for _, p := range ix.pkgs {
		st.Components += len(p.postings)
	}
	for _, ps := range ix.advMatches {
		st.Findings += len(ps)
	}
	return st
}

// packageKey returns the index key of a component: its package, or its CPE
// when it has no package; ok is false when it has neither.
func packageKey(c *sbom.Component) (sbom.PackageKey, bool) {
	if c.PackageName != "" {
		return c.Package().Key(), true
	}
	if c.CPE != "" {
		if cpe, err := sbom.ParseCPE(c.CPE); err == nil {
			return cpe.Package().Key(), true
		}
	}
	return sbom.PackageKey{}, false
}

// affectedKey returns the index key of an advisory's affected entry.
func affectedKey(af *advisory.Affected) (sbom.PackageKey, bool) {
	if af.Name == "" || af.Ecosystem == "" {
		return sbom.PackageKey{}, false
	}
	return sbom.Package{Ecosystem: af.Ecosystem, Name: af.Name}.Key(), true
}

func (ix *Index) pkgID(k sbom.PackageKey) uint32 {
	id, ok := ix.pkgIDs[k]
	if !ok {
		id = uint32(len(ix.pkgs))
		ix.pkgIDs[k] = id
		ix.pkgs = append(ix.pkgs, pkgEntry{})
	}
	return id
}

func (ix *Index) identID(c *sbom.Component) uint32 {
	idn := identity{
		Ref: c.Ref, Name: c.Name, Version: c.Version, MatchVersion: c.MatchVersion,
		PURL: c.PURL, CPE: c.CPE, Ecosystem: c.Ecosystem, Dependency: c.Dependency,
	}
	idn.Name = displayName(c)
	key := idn.hash(ix.seed)
	for _, id := range ix.identIDs[key] {
		if ix.idents[id] == idn {
			return id
		}
	}
	id := uint32(len(ix.idents))
	ix.identIDs[key] = append(ix.identIDs[key], id)
	ix.idents = append(ix.idents, idn)
	return id
}

// hash returns a hash of every field of the identity.
func (idn *identity) hash(seed maphash.Seed) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	for _, f := range [...]string{idn.Ref, idn.Name, idn.Version, idn.MatchVersion, idn.PURL, idn.CPE, idn.Ecosystem, string(idn.Dependency)} {
		h.WriteString(f)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// displayName is the component's name with its group, written the way its
// ecosystem does ("org.slf4j:slf4j-api", "laravel/framework").
func displayName(c *sbom.Component) string {
	if c.Group == "" || strings.Contains(c.Name, c.Group) {
		return c.Name
	}
	if sbom.BaseEcosystem(c.Ecosystem) == "Maven" {
		return c.Group + ":" + c.Name
	}
	return c.Group + "/" + c.Name
}

// AddSBOM adds an SBOM, or replaces the one held under ref.ID (keeping its
// VEX statements), and returns its new findings: all of them for a new
// SBOM, those the previous version did not have for a replacement.
// Components that cannot be matched are counted, not indexed.
func (ix *Index) AddSBOM(ref SBOMRef, doc *sbom.Document) []Finding {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var before []Finding
	var statements []vex.Statement
	if s, ok := ix.slotIDs[ref.ID]; ok {
		before = ix.slotFindings(s)
		statements = ix.slots[s].statements
		ix.removeSlot(s)
	}
	s := ix.newSlot(ref, doc)
	sl := ix.slots[s]
	sl.statements = statements
	seen := make(map[uint32]bool, len(doc.Components))
	for i := range doc.Components {
		c := &doc.Components[i]
		key, ok := packageKey(c)
		if c.Unmatchable != "" || !ok {
			sl.unmatchable++
			continue
		}
		ident := ix.identID(c)
		if seen[ident] {
			continue
		}
		seen[ident] = true
		pk := ix.pkgID(key)
		sl.comps = append(sl.comps, compRec{ident: ident, pkg: pk})
		ix.pkgs[pk].postings = append(ix.pkgs[pk].postings, pair{slot: s, ident: ident})
		for _, ar := range ix.pkgs[pk].advs {
			a, _ := ix.set.Get(ar.id)
			if ok, fixed := ix.matchOne(a, ar.entry, ident); ok {
				ix.addMatch(pair{slot: s, ident: ident}, match{id: ar.id, fixed: fixed})
			}
		}
	}
	after := ix.slotFindings(s)
	return newFindings(before, after)
}

func (ix *Index) newSlot(ref SBOMRef, doc *sbom.Document) uint32 {
	sl := &slot{ref: ref, serial: doc.Serial, components: len(doc.Components)}
	if doc.Product != nil {
		sl.product = vex.TargetOf(doc.Product)
	}
	if sl.product.Name == "" {
		sl.product.Name = ref.Product
	}
	if sl.product.Version == "" {
		sl.product.Version = ref.ProductVersion
	}
	if sl.ref.Product == "" {
		sl.ref.Product = sl.product.Name
	}
	if sl.ref.ProductVersion == "" {
		sl.ref.ProductVersion = sl.product.Version
	}
	var s uint32
	if n := len(ix.free); n > 0 {
		s = ix.free[n-1]
		ix.free = ix.free[:n-1]
		ix.slots[s] = sl
	} else {
		s = uint32(len(ix.slots))
		ix.slots = append(ix.slots, sl)
	}
	ix.slotIDs[ref.ID] = s
	return s
}

// RemoveSBOM drops an SBOM and its findings; it reports whether the index
// held it.
func (ix *Index) RemoveSBOM(id string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	s, ok := ix.slotIDs[id]
	if !ok {
		return false
	}
	ix.removeSlot(s)
	return true
}

func (ix *Index) removeSlot(s uint32) {
	sl := ix.slots[s]
	pkgs := make(map[uint32]bool, len(sl.comps))
	for _, c := range sl.comps {
		pkgs[c.pkg] = true
	}
	for pk := range pkgs {
		e := &ix.pkgs[pk]
		e.postings = slices.DeleteFunc(e.postings, func(p pair) bool { return p.slot == s })
	}
	for _, ms := range sl.matches {
		for _, m := range ms {
			ix.advMatches[m.id] = slices.DeleteFunc(ix.advMatches[m.id], func(p pair) bool { return p.slot == s })
			if len(ix.advMatches[m.id]) == 0 {
				delete(ix.advMatches, m.id)
			}
		}
	}
	delete(ix.slotIDs, sl.ref.ID)
	ix.slots[s] = nil
	ix.free = append(ix.free, s)
}

// SetVEX replaces the VEX statements that apply to an SBOM (those of its
// product's vendor) and returns the findings whose state changed. It
// reports false when the index does not hold the SBOM.
func (ix *Index) SetVEX(sbomID string, statements []vex.Statement) ([]Finding, bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	s, ok := ix.slotIDs[sbomID]
	if !ok {
		return nil, false
	}
	before := ix.slotFindings(s)
	ix.slots[s].statements = slices.Clone(statements)
	after := ix.slotFindings(s)
	var changed []Finding
	for _, f := range after {
		for _, b := range before {
			if sameFinding(&b, &f) && (b.State != f.State || !sameDecision(b.VEX, f.VEX)) {
				changed = append(changed, f)
				break
			}
		}
	}
	return changed, true
}

func sameDecision(a, b *Decision) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// Findings returns the findings of an SBOM, sorted with Sort.
func (ix *Index) Findings(sbomID string) []Finding {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	s, ok := ix.slotIDs[sbomID]
	if !ok {
		return nil
	}
	return ix.slotFindings(s)
}

// SBOMStats returns the number of components of an SBOM and how many of
// them could not be matched.
func (ix *Index) SBOMStats(sbomID string) (components, unmatchable int, ok bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	s, ok := ix.slotIDs[sbomID]
	if !ok {
		return 0, 0, false
	}
	return ix.slots[s].components, ix.slots[s].unmatchable, true
}

// Exposed returns the SBOMs that have a component matched by the advisory
// id or by any advisory that is the same vulnerability, sorted by id.
func (ix *Index) Exposed(advisoryID string) []SBOMRef {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ids := ix.set.Group(advisoryID)
	if len(ids) == 0 {
		ids = []string{advisoryID}
	}
	seen := map[uint32]bool{}
	var out []SBOMRef
	for _, id := range ids {
		for _, p := range ix.advMatches[id] {
			if !seen[p.slot] {
				seen[p.slot] = true
				out = append(out, ix.slots[p.slot].ref)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Advisory returns the advisory held under id.
func (ix *Index) Advisory(id string) (advisory.Advisory, bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	a, ok := ix.set.Get(id)
	if !ok {
		return advisory.Advisory{}, false
	}
	return *a, true
}
