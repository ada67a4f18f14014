package indicator

import (
	"hash/maphash"
	"math"
	"net/netip"
	"slices"
	"sync/atomic"

	"github.com/gaissmai/bart"

	"github.com/vigie-cti/vigie/pattern"
)

// view is the set of tables Lookup reads, without locking, from the
// Index's current pointer. Writers change a view in place only by atomic
// stores of words (slot words, list lengths, the removed flag of entries)
// and by writing past what any published word refers to; anything else
// (a larger array, a rebuilt table, a new prefix table) goes into a copy
// of the view that they publish when they are done. Slices that grow are
// kept at their full capacity, so writing into their spare room needs no
// new view; a reader that meets a reference past the end of its copy
// knows that a writer was busy and retries under the lock.
type view struct {
	seed    *hashSeed
	entries []entry  // by handle; len == cap
	names   []string // by handle, nil until an indicator has a name
	lists   []uint32 // posting lists (see appendPosting); len == cap
	v4      *v4Table
	v6      *digestTable[[2]uint64]
	md5     *digestTable[[2]uint64]
	sha1    *digestTable[[3]uint64]
	sha256  *digestTable[[4]uint64]
	sha512  *digestTable[[8]uint64]
	str     [numTables]*strTable // tabHash (other values) and the string tables
	ipEq    *bart.Table[uint32]  // = on blocks that are not single addresses
	ipSub   *bart.Table[uint32]  // ISSUBSET operands, IPv6
	ipSup   *bart.Table[uint32]
	// sub4 holds the IPv4 ISSUBSET operands by prefix length, each under
	// its first address, and sub4Lens has bit l set when sub4[l] is not
	// nil. So that most addresses need no probe of sub4, filters tell
	// where operands are: anyBlocks has a bit for each block of blockBits
	// bits that an operand overlaps, longBlocks the same for operands
	// longer than blockBits, and sub4Bits[l], for the lengths up to
	// blockBits, a bit for each block of that length that is an operand.
	sub4       [33]*v4Table
	sub4Lens   uint64
	sub4Bits   [blockBits + 1][]uint64
	anyBlocks  []uint64
	longBlocks []uint64
}

func newView(seed *hashSeed) view {
	return view{seed: seed, ipEq: new(bart.Table[uint32]), ipSub: new(bart.Table[uint32]), ipSup: new(bart.Table[uint32])}
}

// arenaSize returns the largest number of key bytes in a string table.
func (v *view) arenaSize() int {
	n := 0
	for _, t := range v.str {
		if t != nil {
			n = max(n, t.size)
		}
	}
	return n
}

// entry is one filed indicator. Validity is kept in unsigned 32-bit Unix
// seconds (see validSeconds). Only removed changes once the entry is
// published, atomically.
type entry struct {
	id          string
	from, until uint32 // 0: no start, no end
	removed     uint32
	kind        ObservableKind
}

// filed reports whether the entry has not been removed; for writers.
func (e *entry) filed() bool { return e.removed == 0 }

// live reports whether the entry is filed and valid at t.
func (e *entry) live(t uint32) bool {
	return t >= e.from && (e.until == 0 || t < e.until) && atomic.LoadUint32(&e.removed) == 0
}

// A posting is a handle, or listBit and the offset of a list in
// view.lists: its length (stored atomically), its capacity, then the
// handles.
const listBit = 1 << 31

// maxLists bounds the words of posting lists, leaving room under listBit
// for the lists of one more indicator.
const maxLists = 1 << 30

// growFull returns s with room past used, at its full capacity.
func growFull[T any](s []T, used, more int) []T {
	s = slices.Grow(s[:used], more)
	return s[:cap(s)]
}

// addEntry appends an entry and its name.
func (ix *Index) addEntry(e entry, name string) {
	h := ix.nEntries
	if h == len(ix.w.entries) {
		ix.w.entries = growFull(ix.w.entries, h, 1)
		ix.dirty = true
	}
	ix.w.entries[h] = e
	if name != "" || ix.w.names != nil {
		if len(ix.w.names) <= h {
			ix.w.names = growFull(ix.w.names, len(ix.w.names), len(ix.w.entries)-len(ix.w.names))
			ix.dirty = true
		}
		ix.w.names[h] = name
	}
	ix.nEntries++
}

// newList starts a posting list of capacity c holding hs.
func (ix *Index) newList(c int, hs ...uint32) uint32 {
	off := ix.nLists
	if off+2+c > len(ix.w.lists) {
		ix.w.lists = growFull(ix.w.lists, off, 2+c)
		ix.dirty = true
	}
	l := ix.w.lists[off : off+2+c]
	l[0], l[1] = uint32(len(hs)), uint32(c)
	copy(l[2:], hs)
	ix.nLists += 2 + c
	return uint32(off) | listBit
}

// appendPosting returns the posting old (if present) with h added. A list
// with room grows in place: the handle is written, then the length.
func (ix *Index) appendPosting(old uint32, present bool, h uint32) uint32 {
	switch {
	case !present:
		return h
	case old&listBit == 0:
		if old == h {
			return old
		}
		return ix.newList(4, old, h)
	}
	off := int(old &^ listBit)
	l := ix.w.lists[off:]
	n, c := int(l[0]), int(l[1])
	if l[2+n-1] == h {
		return old
	}
	if n < c {
		l[2+n] = h
		atomic.StoreUint32(&l[0], uint32(n+1))
		return old
	}
	p := ix.newList(2*c, l[2:2+n]...)
	l = ix.w.lists[p&^listBit:]
	l[2+n] = h
	l[0] = uint32(n + 1)
	return p
}

// file adds handle h under key k.
func (ix *Index) file(k key, h uint32) {
	w := &ix.w
	switch k.tab {
	case tabIP:
		a := k.pfx.Addr()
		switch {
		case k.pfx.Bits() == a.BitLen() && a.Is4():
			ix.fileV4(v4Key(a), h)
		case k.pfx.Bits() == a.BitLen():
			b := a.As16()
			var d [2]uint64
			digestWords(d[:], b[:])
			fileDigest(ix, &w.v6, w.seed.v6, &d, h)
		default:
			ix.filePrefix(&w.ipEq, k.pfx, h)
		}
	case tabIPSub:
		if k.pfx.Addr().Is4() {
			ix.fileSub4(k.pfx.Masked(), h)
		} else {
			ix.filePrefix(&w.ipSub, k.pfx, h)
		}
	case tabIPSup:
		ix.filePrefix(&w.ipSup, k.pfx, h)
	case tabHash:
		switch b := []byte(k.s); {
		case !k.digest:
			ix.fileString(tabHash, k.s, h)
		case len(b) == 16:
			var d [2]uint64
			digestWords(d[:], b)
			fileDigest(ix, &w.md5, w.seed.md5, &d, h)
		case len(b) == 20:
			var d [3]uint64
			digestWords(d[:], b)
			fileDigest(ix, &w.sha1, w.seed.sha1, &d, h)
		case len(b) == 32:
			var d [4]uint64
			digestWords(d[:], b)
			fileDigest(ix, &w.sha256, w.seed.sha256, &d, h)
		default:
			var d [8]uint64
			digestWords(d[:], b)
			fileDigest(ix, &w.sha512, w.seed.sha512, &d, h)
		}
	default:
		ix.fileString(k.tab, k.s, h)
	}
}

func v4Key(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func (ix *Index) fileV4(ip, h uint32) {
	ix.putV4(&ix.w.v4, ip, h)
}

// putV4 adds h under ip in the table *tp.
func (ix *Index) putV4(tp **v4Table, ip, h uint32) {
	t := (*tp).grown(ix.w.seed)
	if t != *tp {
		*tp, ix.dirty = t, true
	}
	hash := ix.w.seed.v4(ip)
	i, old, ok := t.slot(hash, ip)
	t.set(i, hash, ip, ix.appendPosting(old, ok, h), !ok)
}

// fileSub4 adds h under an IPv4 ISSUBSET block; the filters are marked
// first, so that a lookup that finds the block passes them.
func (ix *Index) fileSub4(pfx netip.Prefix, h uint32) {
	ix.dirty = ix.w.markSub4(pfx) || ix.dirty
	ix.putV4(&ix.w.sub4[pfx.Bits()], v4Key(pfx.Addr()), h)
}

// markSub4 records an IPv4 ISSUBSET block in the filters of sub4 and
// reports whether it changed a header of v.
func (v *view) markSub4(pfx netip.Prefix) bool {
	changed := false
	l := pfx.Bits()
	if v.sub4Lens&(1<<l) == 0 {
		v.sub4Lens, changed = v.sub4Lens|1<<l, true
	}
	if v.anyBlocks == nil {
		v.anyBlocks, v.longBlocks, changed = make([]uint64, 1<<blockBits/64), make([]uint64, 1<<blockBits/64), true
	}
	ip := v4Key(pfx.Addr())
	block := ip >> (32 - blockBits)
	if l > blockBits {
		setBit(v.longBlocks, block)
		setBit(v.anyBlocks, block)
		return changed
	}
	if v.sub4Bits[l] == nil {
		v.sub4Bits[l], changed = make([]uint64, (1<<l+63)/64), true
	}
	setBit(v.sub4Bits[l], ip>>(32-l))
	// The blocks of the operand: a power of two of them, from a multiple
	// of that power, so whole words or part of one.
	n := uint32(1) << (blockBits - l)
	if n < 64 {
		atomic.OrUint64(&v.anyBlocks[block/64], (1<<n-1)<<(block%64))
		return changed
	}
	for i := block / 64; i < (block+n)/64; i++ {
		atomic.StoreUint64(&v.anyBlocks[i], math.MaxUint64)
	}
	return changed
}

func fileDigest[K comparable](ix *Index, tp **digestTable[K], hash func(*K) uint64, k *K, h uint32) {
	t := (*tp).grown(hash)
	if t != *tp {
		*tp, ix.dirty = t, true
	}
	hk := hash(k)
	i, old, ok := t.slot(hk, k)
	t.set(i, hk, k, ix.appendPosting(old, ok, h), !ok)
}

func (ix *Index) fileString(tab table, k string, h uint32) {
	t := ix.w.str[tab].grown(ix.w.seed.str, len(k))
	if t != ix.w.str[tab] {
		ix.w.str[tab], ix.dirty = t, true
	}
	hk := maphash.String(ix.w.seed.str, k)
	i, old, ok := t.slot(hk, k)
	t.set(i, hk, k, ix.appendPosting(old, ok, h), !ok)
}

// filePrefix adds h under a block; the prefix table is copied on write
// (bart's InsertPersist), as lock-free lookups may be reading it.
func (ix *Index) filePrefix(t **bart.Table[uint32], pfx netip.Prefix, h uint32) {
	old, ok := (*t).Get(pfx)
	if p := ix.appendPosting(old, ok, h); !ok || p != old {
		*t, ix.dirty = (*t).InsertPersist(pfx, p), true
	}
}

// compact drops tombstones: entries are renumbered and every table is
// rebuilt, with its postings rewritten, in one pass; the new tables are
// published together.
func (ix *Index) compact() {
	const gone = math.MaxUint32
	old := ix.w
	remap := make([]uint32, ix.nEntries)
	nv := newView(old.seed)
	nv.entries = make([]entry, 0, ix.live)
	for h, e := range old.entries[:ix.nEntries] {
		if !e.filed() {
			remap[h] = gone
			continue
		}
		remap[h] = uint32(len(nv.entries))
		nv.entries = append(nv.entries, e)
	}
	if old.names != nil {
		nv.names = make([]string, len(nv.entries))
		for h, n := range old.names[:min(len(old.names), ix.nEntries)] {
			if remap[h] != gone {
				nv.names[remap[h]] = n
			}
		}
	}
	ix.w, ix.nEntries, ix.nLists = nv, len(nv.entries), 0
	var one [1]uint32
	var out []uint32
	rewrite := func(p uint32) (uint32, bool) {
		out = out[:0]
		hs := one[:]
		if p&listBit == 0 {
			one[0] = p
		} else {
			l := old.lists[p&^listBit:]
			hs = l[2 : 2+l[0]]
		}
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
		return ix.newList(len(out), out...), true
	}
	w := &ix.w
	for sw := range old.v4.all() {
		if p, ok := rewrite(slotPost(sw)); ok {
			t := w.v4.grown(w.seed)
			w.v4 = t
			ip := uint32(sw >> 32)
			h := w.seed.v4(ip)
			t.set(freeSlot(t.slots, t.shift, h), h, ip, p, true)
		}
	}
	compactDigests(&w.v6, old.v6, w.seed.v6, rewrite)
	compactDigests(&w.md5, old.md5, w.seed.md5, rewrite)
	compactDigests(&w.sha1, old.sha1, w.seed.sha1, rewrite)
	compactDigests(&w.sha256, old.sha256, w.seed.sha256, rewrite)
	compactDigests(&w.sha512, old.sha512, w.seed.sha512, rewrite)
	for tab, ot := range old.str {
		for k, post := range ot.all() {
			if p, ok := rewrite(post); ok {
				t := w.str[tab].grown(w.seed.str, len(k))
				w.str[tab] = t
				h := maphash.Bytes(w.seed.str, k)
				t.set(t.freeSlot(h), h, string(k), p, true)
			}
		}
	}
	for _, t := range []struct{ dst, src **bart.Table[uint32] }{{&w.ipEq, &old.ipEq}, {&w.ipSub, &old.ipSub}, {&w.ipSup, &old.ipSup}} {
		for pfx, post := range (*t.src).All() {
			if p, ok := rewrite(post); ok {
				(*t.dst).Insert(pfx, p)
			}
		}
	}
	for l, ot := range old.sub4 {
		for sw := range ot.all() {
			if p, ok := rewrite(slotPost(sw)); ok {
				ip := uint32(sw >> 32)
				w.markSub4(netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(ip >> 24), byte(ip >> 16), byte(ip >> 8), byte(ip)}), l))
				t := w.sub4[l].grown(w.seed)
				w.sub4[l] = t
				h := w.seed.v4(ip)
				t.set(freeSlot(t.slots, t.shift, h), h, ip, p, true)
			}
		}
	}
	w.entries = w.entries[:cap(w.entries)]
	w.names = w.names[:cap(w.names)]
	w.lists = w.lists[:cap(w.lists)]
	pats := make(map[uint32]*pattern.Pattern, len(ix.pats))
	for h, p := range ix.pats {
		pats[remap[h]] = p
	}
	var always []uint32
	for _, h := range ix.always {
		if n := remap[h]; n != gone {
			always = append(always, n)
		}
	}
	ix.pats, ix.always = pats, always
	ix.byID.rebuild(w.entries[:ix.nEntries])
	ix.dead = 0
	ix.dirty = true
}

func compactDigests[K comparable](dst **digestTable[K], src *digestTable[K], hash func(*K) uint64, rewrite func(uint32) (uint32, bool)) {
	for k, post := range src.all() {
		if p, ok := rewrite(post); ok {
			t := (*dst).grown(hash)
			*dst = t
			h := hash(k)
			t.set(freeSlot(t.slots, t.shift, h), h, k, p, true)
		}
	}
}
