package pattern

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/gaissmai/bart"
)

// ObservableKind is the kind of a value the sensor extracts from files and
// logs and looks up in an Index.
type ObservableKind uint8

// The observable kinds. Each is the canonical property of one
// cyber-observable: KindIPv4 is ipv4-addr:value, KindSHA256 is
// file:hashes.'SHA-256', KindFileName is file:name, and so on.
const (
	KindIPv4 ObservableKind = iota + 1
	KindIPv6
	KindDomain
	KindURL
	KindEmail
	KindFileName
	KindMD5
	KindSHA1
	KindSHA256
	KindSHA512
	KindSHA3_256
	KindSHA3_512
	KindSSDEEP
	KindTLSH
)

// Indicator is what an Index files: an indicator's id and name, its parsed
// pattern and its validity window (a zero ValidUntil never expires).
type Indicator struct {
	ID, Name              string
	Pattern               *Pattern
	ValidFrom, ValidUntil time.Time
}

// IndexOptions configures an Index.
type IndexOptions struct {
	// ExactDomains turns off matching subdomains in Lookup: by default a
	// lookup of "a.b.example.com" also finds indicators of "b.example.com"
	// and "example.com" (never of a bare top-level label).
	ExactDomains bool
}

// Hit is an indicator found by Lookup.
type Hit struct {
	ID, Name string
	// Direct is true when the indicator's pattern is nothing more than
	// equalities (=, IN, ISSUBSET, ISSUPERSET, joined by OR) on the
	// observable's own property, so the lookup is a match (in the Index's
	// normal forms, see Lookup). Otherwise the indicator is a candidate to
	// confirm with Index.Match or (*Pattern).Match: its pattern also tests
	// other properties or observations, reaches the value through a
	// reference, or compares a URL or e-mail address not written in normal
	// form.
	Direct bool
	// Subdomain is true when the hit is for a parent domain of the value
	// looked up.
	Subdomain bool
}

// IndexMatch is an indicator that Index.Match found to match.
type IndexMatch struct {
	ID, Name string
	Result   Result
}

// IndexStats counts the indicators of an Index by how they are matched.
type IndexStats struct {
	// Direct indicators match on a key alone.
	Direct int
	// Candidates are found through a key, then evaluated.
	Candidates int
	// Unindexed indicators have no key and are evaluated on every call to
	// Match (a pattern of only negations or ranges, for instance).
	Unindexed int
	// Tombstones are removed entries not yet compacted away.
	Tombstones int
}

// Index compiles indicators into lookup tables: file hashes are kept as
// fixed-size digests in hash maps, IP addresses in hash maps and CIDR
// blocks in prefix tables (github.com/gaissmai/bart), domain names, URLs
// (see NormalizeURL), e-mail addresses and file names in hash maps. An
// indicator whose pattern is a single equality on an observable matches on
// its key alone; any other pattern is filed under the keys one of which a
// matching observation must contain and is evaluated in full only when a
// key is found; a pattern without such keys is evaluated on every Match.
//
// Indicators are added and removed one at a time. Removal leaves a
// tombstone; when tombstones outnumber half of the live indicators (and
// at least 1024), the tables are compacted in one pass, so removal costs
// amortised O(1) and never rebuilds from the patterns.
//
// An Index is safe for concurrent use: lookups run in parallel with each
// other, while Add, Remove and Expire wait for them. Callbacks run while
// the Index is locked for reading and must not modify it.
type Index struct {
	mu      sync.RWMutex
	opts    IndexOptions
	entries []entry
	byID    idTable
	names   map[uint32]string
	pats    map[uint32]*Pattern // candidates and unindexed patterns
	always  []uint32            // unindexed handles
	live    int
	dead    int

	v4     map[uint32]uint32
	v6     map[[16]byte]uint32
	ipEq   *bart.Table[uint32] // = on blocks that are not single addresses
	ipSub  *bart.Table[uint32]
	ipSup  *bart.Table[uint32]
	md5    map[[16]byte]uint32
	sha1   map[[20]byte]uint32
	sha256 map[[32]byte]uint32
	sha512 map[[64]byte]uint32
	str    [numTables]map[string]uint32 // tabHash (other values) and the string tables
	lists  [][]uint32

	paths  map[string]*regPath   // non-canonical key paths, by path text
	byType map[string][]*regPath // the same, by object type
}

// entry is one filed indicator; id is "" once it is removed. Validity is
// kept in unsigned 32-bit Unix seconds (see validSeconds).
type entry struct {
	id          string
	from, until uint32 // 0: no start, no end
	kind        ObservableKind
}

// live reports whether the entry is filed and valid at t.
func (e *entry) live(t uint32) bool {
	return e.id != "" && t >= e.from && (e.until == 0 || t < e.until)
}

// regPath is a path under which candidate indicators filed keys; Match
// resolves it on every root object of its type.
type regPath struct {
	cmp   Comparison // Op 0: collect the values the path reaches
	count [numTables]int32
}

// listBit marks a posting that refers to ix.lists instead of one handle.
const listBit = 1 << 31

// NewIndex returns an empty Index.
func NewIndex(opts IndexOptions) *Index {
	ix := &Index{
		opts:   opts,
		byID:   newIDTable(),
		names:  map[uint32]string{},
		pats:   map[uint32]*Pattern{},
		v4:     map[uint32]uint32{},
		v6:     map[[16]byte]uint32{},
		md5:    map[[16]byte]uint32{},
		sha1:   map[[20]byte]uint32{},
		sha256: map[[32]byte]uint32{},
		sha512: map[[64]byte]uint32{},
		ipEq:   new(bart.Table[uint32]),
		ipSub:  new(bart.Table[uint32]),
		ipSup:  new(bart.Table[uint32]),
		paths:  map[string]*regPath{},
		byType: map[string][]*regPath{},
	}
	for i := range ix.str {
		ix.str[i] = map[string]uint32{}
	}
	return ix
}

// Len returns the number of indicators in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// Stats counts the indicators by how they are matched.
func (ix *Index) Stats() IndexStats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	s := IndexStats{Tombstones: ix.dead}
	unindexed := 0
	for _, h := range ix.always {
		if ix.entries[h].id != "" {
			unindexed++
		}
	}
	s.Unindexed = unindexed
	s.Candidates = len(ix.pats) - unindexed
	s.Direct = ix.live - len(ix.pats)
	return s
}

// Pattern returns the pattern of an indicator filed as a candidate or
// unindexed; direct indicators keep only their keys.
func (ix *Index) Pattern(id string) (*Pattern, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	h, ok := ix.byID.find(ix.entries, id)
	if !ok {
		return nil, false
	}
	p, ok := ix.pats[h]
	return p, ok
}

// validSeconds converts a validity bound to unsigned Unix seconds: the
// zero time is 0 (no bound); times before 1970 become 1, times after 2106
// the largest value. Lookups convert their time the same way.
func validSeconds(t time.Time) uint32 {
	switch s := t.Unix(); {
	case t.IsZero():
		return 0
	case s < 1:
		return 1
	case s > math.MaxUint32:
		return math.MaxUint32
	default:
		return uint32(s)
	}
}

// Add files an indicator, replacing any indicator with the same ID.
func (ix *Index) Add(ind Indicator) error {
	if ind.ID == "" {
		return errors.New("pattern: add indicator: empty id")
	}
	if ind.Pattern == nil {
		return fmt.Errorf("pattern: add indicator %s: no pattern", ind.ID)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if old, ok := ix.byID.find(ix.entries, ind.ID); ok {
		ix.remove(old)
	}
	if len(ix.entries) >= listBit-1 {
		return fmt.Errorf("pattern: add indicator %s: index is full", ind.ID)
	}
	h := uint32(len(ix.entries))
	e := entry{id: ind.ID, from: validSeconds(ind.ValidFrom), until: validSeconds(ind.ValidUntil)}
	p := ind.Pattern
	if kind, keys, ok := directKind(p); ok {
		e.kind = kind
		for _, k := range keys {
			ix.file(k, h)
		}
	} else {
		ix.pats[h] = p
		if keys, ok := candidateKeys(p); ok {
			for _, k := range keys {
				ix.file(k, h)
				if !k.canonical() {
					ix.register(k, 1)
				}
			}
		} else {
			ix.always = append(ix.always, h)
		}
	}
	ix.entries = append(ix.entries, e)
	ix.byID.insert(ix.entries, ind.ID, h)
	if ind.Name != "" {
		ix.names[h] = ind.Name
	}
	ix.live++
	return nil
}

// Remove removes the indicator with this ID and reports whether it was
// there.
func (ix *Index) Remove(id string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	h, ok := ix.byID.find(ix.entries, id)
	if ok {
		ix.remove(h)
		ix.maybeCompact()
	}
	return ok
}

// Expire removes the indicators whose ValidUntil is at or before now and
// returns how many it removed. It scans every indicator.
func (ix *Index) Expire(now time.Time) int {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	t := validSeconds(now)
	n := 0
	for h := range ix.entries {
		e := &ix.entries[h]
		if e.id != "" && e.until != 0 && e.until <= t {
			ix.remove(uint32(h))
			n++
		}
	}
	ix.maybeCompact()
	return n
}

// remove turns an entry into a tombstone; its postings stay until the next
// compaction, and lookups skip them.
func (ix *Index) remove(h uint32) {
	e := &ix.entries[h]
	ix.byID.remove(ix.entries, e.id)
	delete(ix.names, h)
	if p, ok := ix.pats[h]; ok {
		if keys, ok := candidateKeys(p); ok {
			for _, k := range keys {
				if !k.canonical() {
					ix.register(k, -1)
				}
			}
		}
		delete(ix.pats, h)
	}
	e.id = ""
	ix.live--
	ix.dead++
}

// register counts a key path that Match must resolve explicitly.
func (ix *Index) register(k key, delta int32) {
	name := k.path.String()
	rp := ix.paths[name]
	if rp == nil {
		if delta < 0 {
			return
		}
		rp = &regPath{cmp: Comparison{Path: k.path}}
		ix.paths[name] = rp
		t := k.path.ObjectType
		ix.byType[t] = append(ix.byType[t], rp)
	}
	rp.count[k.tab] += delta
	for _, c := range rp.count {
		if c > 0 {
			return
		}
	}
	delete(ix.paths, name)
	t := k.path.ObjectType
	ix.byType[t] = slices.DeleteFunc(ix.byType[t], func(r *regPath) bool { return r == rp })
	if len(ix.byType[t]) == 0 {
		delete(ix.byType, t)
	}
}

// addPosting appends handle h to the posting of k in m.
func addPosting[K comparable](ix *Index, m map[K]uint32, k K, h uint32) {
	old, ok := m[k]
	m[k] = ix.appendPosting(old, ok, h)
}

// appendPosting returns the posting old (if present) with h added.
func (ix *Index) appendPosting(old uint32, present bool, h uint32) uint32 {
	switch {
	case !present:
		return h
	case old&listBit == 0:
		if old == h {
			return old
		}
		ix.lists = append(ix.lists, []uint32{old, h})
		return uint32(len(ix.lists)-1) | listBit
	}
	l := &ix.lists[old&^listBit]
	if (*l)[len(*l)-1] != h {
		*l = append(*l, h)
	}
	return old
}

// file adds handle h under key k.
func (ix *Index) file(k key, h uint32) {
	switch k.tab {
	case tabIP:
		a := k.pfx.Addr()
		switch {
		case k.pfx.Bits() == a.BitLen() && a.Is4():
			addPosting(ix, ix.v4, v4Key(a), h)
		case k.pfx.Bits() == a.BitLen():
			addPosting(ix, ix.v6, a.As16(), h)
		default:
			ix.filePrefix(ix.ipEq, k.pfx, h)
		}
	case tabIPSub:
		ix.filePrefix(ix.ipSub, k.pfx, h)
	case tabIPSup:
		ix.filePrefix(ix.ipSup, k.pfx, h)
	case tabHash:
		switch {
		case !k.digest:
			addPosting(ix, ix.str[tabHash], k.s, h)
		case len(k.s) == 16:
			addPosting(ix, ix.md5, [16]byte([]byte(k.s)), h)
		case len(k.s) == 20:
			addPosting(ix, ix.sha1, [20]byte([]byte(k.s)), h)
		case len(k.s) == 32:
			addPosting(ix, ix.sha256, [32]byte([]byte(k.s)), h)
		default:
			addPosting(ix, ix.sha512, [64]byte([]byte(k.s)), h)
		}
	default:
		addPosting(ix, ix.str[k.tab], k.s, h)
	}
}

func v4Key(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func (ix *Index) filePrefix(t *bart.Table[uint32], pfx netip.Prefix, h uint32) {
	old, ok := t.Get(pfx)
	t.Insert(pfx, ix.appendPosting(old, ok, h))
}

// maybeCompact compacts once tombstones outnumber half the live entries.
func (ix *Index) maybeCompact() {
	if ix.dead >= 1024 && ix.dead > ix.live/2 {
		ix.compact()
	}
}

// compact drops tombstones: entries are renumbered and every posting is
// rewritten in one pass over the tables.
func (ix *Index) compact() {
	const gone = math.MaxUint32
	remap := make([]uint32, len(ix.entries))
	kept := ix.entries[:0:0]
	kept = slices.Grow(kept, ix.live)
	for h, e := range ix.entries {
		if e.id == "" {
			remap[h] = gone
			continue
		}
		remap[h] = uint32(len(kept))
		kept = append(kept, e)
	}
	var lists [][]uint32
	rewrite := func(p uint32) (uint32, bool) {
		var hs []uint32
		if p&listBit == 0 {
			hs = []uint32{p}
		} else {
			hs = ix.lists[p&^listBit]
		}
		var out []uint32
		for _, h := range hs {
			if n := remap[h]; n != gone {
				out = append(out, n)
			}
		}
		switch len(out) {
		case 0:
			return 0, false
		case 1:
			return out[0], true
		}
		lists = append(lists, out)
		return uint32(len(lists)-1) | listBit, true
	}
	rewriteMap(ix.v4, rewrite)
	rewriteMap(ix.v6, rewrite)
	rewriteMap(ix.md5, rewrite)
	rewriteMap(ix.sha1, rewrite)
	rewriteMap(ix.sha256, rewrite)
	rewriteMap(ix.sha512, rewrite)
	for _, m := range ix.str {
		rewriteMap(m, rewrite)
	}
	for _, t := range []**bart.Table[uint32]{&ix.ipEq, &ix.ipSub, &ix.ipSup} {
		fresh := new(bart.Table[uint32])
		for pfx, p := range (*t).All() {
			if np, ok := rewrite(p); ok {
				fresh.Insert(pfx, np)
			}
		}
		*t = fresh
	}
	names := make(map[uint32]string, len(ix.names))
	for h, n := range ix.names {
		names[remap[h]] = n
	}
	pats := make(map[uint32]*Pattern, len(ix.pats))
	for h, p := range ix.pats {
		pats[remap[h]] = p
	}
	var always []uint32
	for _, h := range ix.always {
		if n := remap[h]; n != gone {
			always = append(always, n)
		}
	}
	ix.entries, ix.lists, ix.names, ix.pats, ix.always = kept, lists, names, pats, always
	ix.byID.rebuild(ix.entries)
	ix.dead = 0
}

func rewriteMap[K comparable](m map[K]uint32, rewrite func(uint32) (uint32, bool)) {
	for k, p := range m {
		if np, ok := rewrite(p); ok {
			m[k] = np
		} else {
			delete(m, k)
		}
	}
}
