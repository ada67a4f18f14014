package indicator

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigie-cti/vigie/pattern"
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
	Pattern               *pattern.Pattern
	ValidFrom, ValidUntil time.Time
}

// Options configures an Index.
type Options struct {
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
	// normal forms, see Lookup). Otherwise the indicator is a candidate
	// to confirm with Index.Match or (*pattern.Pattern).Match: its pattern
	// also tests other properties or observations, reaches the value
	// through a reference, or compares a URL or e-mail address not written
	// in normal form.
	Direct bool
	// Subdomain is true when the hit is for a parent domain of the value
	// looked up.
	Subdomain bool
}

// Match is an indicator that Index.Match found to match.
type Match struct {
	ID, Name string
	Result   pattern.Result
}

// Stats counts the indicators of an Index by how they are matched.
type Stats struct {
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
// fixed-size digests, IP addresses as fixed-size keys, domain names, URLs
// (see NormalizeURL), e-mail addresses and file names as strings, all in
// flat open-addressing hash tables; IPv4 ISSUBSET blocks in such tables
// too, one per prefix length, behind bit filters that rule most addresses
// out, and other CIDR blocks in prefix tables (github.com/gaissmai/bart).
// An indicator whose pattern is a single equality on an observable matches
// on its key alone; any other pattern is filed under the keys one of which
// a matching observation must contain and is evaluated in full only when
// a key is found; a pattern without such keys is evaluated on every Match.
//
// Indicators are added and removed one at a time. Removal leaves a
// tombstone; when tombstones outnumber half of the live indicators (and
// at least 1024), the tables are compacted in one pass, so removal costs
// amortised O(1) and never rebuilds from the patterns.
//
// An Index is safe for concurrent use. Add, Remove and Expire run one at a
// time and wait for Match. Lookup takes no lock: it reads the tables
// optimistically and, when a writer changed them meanwhile, again under
// the read lock, so it always answers as of one moment between writes.
// Callbacks must not modify the Index.
type Index struct {
	mu   sync.RWMutex
	seq  atomic.Uint64        // odd while a writer changes the tables
	cur  atomic.Pointer[view] // the tables as Lookup reads them
	opts Options
	seed *hashSeed

	// The fields below are guarded by mu.
	w        view // the tables writers change; cur is a copy of it
	dirty    bool // w has headers cur does not have yet
	nEntries int  // entries of w.entries in use
	nLists   int  // words of w.lists in use
	byID     idTable
	pats     map[uint32]*pattern.Pattern // candidates and unindexed patterns
	always   []uint32                    // unindexed handles
	live     int
	dead     int

	paths  map[string]*regPath   // non-canonical key paths, by path text
	byType map[string][]*regPath // the same, by object type
}

// regPath is a path under which candidate indicators filed keys; Match
// resolves it on every root object of its type.
type regPath struct {
	path  *pattern.ObjectPath
	count [numTables]int32
}

// NewIndex returns an empty Index.
func NewIndex(opts Options) *Index {
	seed := newHashSeed()
	ix := &Index{
		opts:   opts,
		seed:   &seed,
		byID:   newIDTable(),
		pats:   map[uint32]*pattern.Pattern{},
		paths:  map[string]*regPath{},
		byType: map[string][]*regPath{},
	}
	ix.w = newView(ix.seed)
	ix.publish()
	return ix
}

// Len returns the number of indicators in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// Stats counts the indicators by how they are matched.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	s := Stats{Tombstones: ix.dead}
	unindexed := 0
	for _, h := range ix.always {
		if ix.w.entries[h].filed() {
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
func (ix *Index) Pattern(id string) (*pattern.Pattern, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	h, ok := ix.byID.find(ix.w.entries, id)
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

// beginWrite starts a change of the tables: lock-free lookups that
// overlap it, until endWrite, retry under the read lock.
func (ix *Index) beginWrite() {
	ix.mu.Lock()
	ix.seq.Add(1)
}

// endWrite publishes the tables changed since beginWrite.
func (ix *Index) endWrite() {
	if ix.dirty {
		ix.publish()
	}
	ix.seq.Add(1)
	ix.mu.Unlock()
}

// publish makes the tables writers changed visible to Lookup.
func (ix *Index) publish() {
	v := ix.w
	ix.cur.Store(&v)
	ix.dirty = false
}

// Add files an indicator, replacing any indicator with the same ID.
func (ix *Index) Add(ind Indicator) error {
	if ind.ID == "" {
		return errors.New("indicator: add indicator: empty id")
	}
	if ind.Pattern == nil {
		return fmt.Errorf("indicator: add indicator %s: no pattern", ind.ID)
	}
	ix.beginWrite()
	defer ix.endWrite()
	if old, ok := ix.byID.find(ix.w.entries, ind.ID); ok {
		ix.remove(old)
	}
	if ix.nEntries >= listBit-1 || ix.nLists >= maxLists || ix.w.arenaSize() >= maxArena/2 {
		return fmt.Errorf("indicator: add indicator %s: index is full", ind.ID)
	}
	h := uint32(ix.nEntries)
	e := entry{id: ind.ID, from: validSeconds(ind.ValidFrom), until: validSeconds(ind.ValidUntil)}
	p := ind.Pattern
	var keys []key
	if kind, ks, ok := directKind(p); ok {
		e.kind, keys = kind, ks
	} else {
		ix.pats[h] = p
		if ks, ok := candidateKeys(p); ok {
			keys = ks
			for _, k := range keys {
				if !k.canonical() {
					ix.register(k, 1)
				}
			}
		} else {
			ix.always = append(ix.always, h)
		}
	}
	// The entry is written before the keys that publish its handle.
	ix.addEntry(e, ind.Name)
	for _, k := range keys {
		ix.file(k, h)
	}
	ix.byID.insert(ix.w.entries, ind.ID, h)
	ix.live++
	return nil
}

// Remove removes the indicator with this ID and reports whether it was
// there.
func (ix *Index) Remove(id string) bool {
	ix.beginWrite()
	defer ix.endWrite()
	h, ok := ix.byID.find(ix.w.entries, id)
	if ok {
		ix.remove(h)
		ix.maybeCompact()
	}
	return ok
}

// Expire removes the indicators whose ValidUntil is at or before now and
// returns how many it removed. It scans every indicator.
func (ix *Index) Expire(now time.Time) int {
	ix.beginWrite()
	defer ix.endWrite()
	t := validSeconds(now)
	n := 0
	for h := range ix.nEntries {
		e := &ix.w.entries[h]
		if e.filed() && e.until != 0 && e.until <= t {
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
	e := &ix.w.entries[h]
	ix.byID.remove(ix.w.entries, e.id)
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
	atomic.StoreUint32(&e.removed, 1)
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
		rp = &regPath{path: k.path}
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

// maybeCompact compacts once tombstones outnumber half the live entries.
func (ix *Index) maybeCompact() {
	if ix.dead >= 1024 && ix.dead > ix.live/2 {
		ix.compact()
	}
}
