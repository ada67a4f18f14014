package indicator

import (
	"encoding/hex"
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"sync/atomic"
)

// The Index's key tables are open-addressing hash tables with linear
// probing over a power-of-two array of slot words. A slot word is the
// posting, complemented, in its low half (so an occupied slot is never 0)
// and, in its high half, the key itself (IPv4 addresses) or 32 bits of the
// key's hash (a tag that settles almost every mismatch without reading the
// key). Keys that do not fit a slot word live in an array parallel to the
// slots: digests and IPv6 addresses as 64-bit words, strings as references
// into one byte arena per table. A lookup reads one run of slot words and,
// when the tag matches, one key.
//
// Lookup reads the tables without locking (see Index). Slot words are read
// and written atomically; keys, key references and arena bytes are written
// before the slot word that publishes them and never change afterwards.
// Tables only grow: a key is never deleted in place, compaction builds new
// tables, and growing builds a new table that the Index publishes in a new
// view.

// overLoaded reports whether one more key would fill more than 3/4 of a
// table's slots.
func overLoaded(used, slots int) bool { return (used+1)*4 > slots*3 }

// freeSlot returns the first empty slot from the home slot of hash h, for
// filling a new table whose keys are known to be distinct.
func freeSlot(slots []atomic.Uint64, shift uint8, h uint64) int {
	mask := uint64(len(slots) - 1)
	i := h >> shift
	for slots[i&mask].Load() != 0 {
		i++
	}
	return int(i & mask)
}

// slotWord encodes a slot: hi is the tag or key, post the posting.
func slotWord(hi, post uint32) uint64 { return uint64(hi)<<32 | uint64(^post) }

// slotPost returns the posting of an occupied slot word.
func slotPost(w uint64) uint32 { return ^uint32(w) }

// hashSeed holds the random state of an Index's hash functions, so that
// indicators chosen to collide in one process do not collide in another.
type hashSeed struct {
	w   [16]uint64 // mixed into digest words
	mul uint64     // odd multiplier for IPv4 addresses
	str maphash.Seed
}

func newHashSeed() hashSeed {
	s := hashSeed{mul: rand.Uint64() | 1, str: maphash.MakeSeed()}
	for i := range s.w {
		s.w[i] = rand.Uint64()
	}
	return s
}

// mix folds the 128-bit product of a and b.
func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func (s *hashSeed) v4(ip uint32) uint64 { return (uint64(ip) ^ s.w[0]) * s.mul }

// v6 hashes an IPv6 address, as digestWords makes words of it.
func (s *hashSeed) v6(k *[2]uint64) uint64 { return mix(k[0]^s.w[0], k[1]^s.w[1]) }

// hex hashes the hex digits of a digest, at most 128, folding their case:
// a lookup hashes the text it is given, and decodes it only if a slot's
// tag matches. len(t) is a multiple of 8.
func hexHash[S string | []byte](s *hashSeed, t S) uint64 {
	const fold = 0x20 * ones // lowers hex letters, keeps digits
	var h uint64
	w := s.w[:]
	for ; len(t) >= 16 && len(w) >= 2; t, w = t[16:], w[2:] {
		h ^= mix(load8(t)|fold^w[0], load8(t[8:])|fold^w[1])
	}
	if len(t) >= 8 && len(w) >= 2 {
		h ^= mix(load8(t)|fold^w[0], w[1])
	}
	return h
}

// digestHash hashes the digest of n bytes that key words hold (see
// digestWords) as hexHash hashes its hex digits.
func (s *hashSeed) digestHash(k []uint64, n int) uint64 {
	var b [64]byte
	for i := range n {
		j := i % 8 // byte j of a word's 8 is in its byte 2*(j%4) + j/4
		b[i] = byte(k[i/8] >> (8 * (2*(j%4) + j/4)))
	}
	var t [128]byte
	return hexHash(s, hex.AppendEncode(t[:0], b[:n]))
}

func (s *hashSeed) md5(k *[2]uint64) uint64    { return s.digestHash(k[:], 16) }
func (s *hashSeed) sha1(k *[3]uint64) uint64   { return s.digestHash(k[:], 20) }
func (s *hashSeed) sha256(k *[4]uint64) uint64 { return s.digestHash(k[:], 32) }
func (s *hashSeed) sha512(k *[8]uint64) uint64 { return s.digestHash(k[:], 64) }

// digestWords converts digest bytes to the words the tables key on: each
// word holds 8 bytes, the first 4 in its even bytes and the next 4 in its
// odd bytes (the order in which hexWords decodes them fastest), and a last
// partial word is padded with zeros.
func digestWords(dst []uint64, b []byte) {
	for i := range dst {
		var w uint64
		for j := range 8 {
			if k := 8*i + j; k < len(b) {
				w |= uint64(b[k]) << (16*(j%4) + 8*(j/4))
			}
		}
		dst[i] = w
	}
}

// keyFilter is a bit filter in front of a table's slots, eight bits per
// slot, one bit per key: the bit that the top bits of the key's hash name,
// three more of them than pick the home slot. Most values a sensor looks
// up are in no indicator, and the filter rules out most of them (over 90 %
// when the table is full) from an eighth of the slots' memory (a
// sixteenth for strings), which stays in the cache where the slots, at a
// million indicators, do not. A key's bit is set before the slot word that
// publishes it, and never cleared: compaction and growth build new
// filters.
type keyFilter []atomic.Uint64

// filterBits is log2 of the filter bits per slot.
const filterBits = 3

func newKeyFilter(slots int) keyFilter { return make(keyFilter, max(slots<<filterBits/64, 1)) }

// bit returns the word and bit of hash h, for a table whose home slots
// are h >> shift.
func (f keyFilter) bit(h uint64, shift uint8) (*atomic.Uint64, uint64) {
	b := h >> (shift - filterBits)
	return &f[b/64&uint64(len(f)-1)], 1 << (b % 64)
}

// mayHave reports whether a key of hash h may be in the table.
func (f keyFilter) mayHave(h uint64, shift uint8) bool {
	w, bit := f.bit(h, shift)
	return w.Load()&bit != 0
}

// add sets the bit of a key of hash h.
func (f keyFilter) add(h uint64, shift uint8) {
	w, bit := f.bit(h, shift)
	w.Or(bit)
}

// v4Table maps IPv4 addresses to postings; the address is the slot's tag.
type v4Table struct {
	shift  uint8
	slots  []atomic.Uint64
	filter keyFilter
	used   int // written and read by writers only
}

func newV4Table(size int) *v4Table {
	return &v4Table{shift: uint8(64 - bits.Len(uint(size-1))), slots: make([]atomic.Uint64, size), filter: newKeyFilter(size)}
}

// find returns the posting of ip.
func (t *v4Table) find(h uint64, ip uint32) (uint32, bool) {
	if !t.filter.mayHave(h, t.shift) {
		return 0, false
	}
	mask := uint64(len(t.slots) - 1)
	for i := h >> t.shift; ; i = (i + 1) & mask {
		w := t.slots[i&mask].Load()
		if w == 0 {
			return 0, false
		}
		if uint32(w>>32) == ip {
			return slotPost(w), true
		}
	}
}

// slot returns the index of ip's slot, or of the empty slot it would
// take, and its posting.
func (t *v4Table) slot(h uint64, ip uint32) (int, uint32, bool) {
	mask := uint64(len(t.slots) - 1)
	for i := h >> t.shift; ; i = (i + 1) & mask {
		w := t.slots[i&mask].Load()
		if w == 0 {
			return int(i & mask), 0, false
		}
		if uint32(w>>32) == ip {
			return int(i & mask), slotPost(w), true
		}
	}
}

// set stores the posting of ip, of hash h, in slot i (from slot).
func (t *v4Table) set(i int, h uint64, ip, post uint32, fresh bool) {
	if fresh {
		t.used++
		t.filter.add(h, t.shift)
	}
	t.slots[i].Store(slotWord(ip, post))
}

// grown returns a copy of t with room for one more key; the copy is t
// itself when t has room.
func (t *v4Table) grown(s *hashSeed) *v4Table {
	if t != nil && !overLoaded(t.used, len(t.slots)) {
		return t
	}
	nt := newV4Table(tableSize(t.len()))
	for w := range t.all() {
		ip := uint32(w >> 32)
		h := s.v4(ip)
		nt.set(freeSlot(nt.slots, nt.shift, h), h, ip, slotPost(w), true)
	}
	return nt
}

func (t *v4Table) len() int {
	if t == nil {
		return 0
	}
	return t.used
}

// all yields the occupied slot words.
func (t *v4Table) all() func(func(uint64) bool) {
	return func(yield func(uint64) bool) {
		if t == nil {
			return
		}
		for i := range t.slots {
			if w := t.slots[i].Load(); w != 0 && !yield(w) {
				return
			}
		}
	}
}

// tableSize returns the number of slots for a table about to hold n+1
// keys: a power of two at most half full, at least 16.
func tableSize(n int) int {
	size := 16
	for size < 2*(n+1) {
		size *= 2
	}
	return size
}

// digestTable maps fixed-size keys (digests, IPv6 addresses) to postings.
type digestTable[K comparable] struct {
	shift uint8
	slots []atomic.Uint64
	keys  []K
	used  int // written and read by writers only
}

func newDigestTable[K comparable](size int) *digestTable[K] {
	return &digestTable[K]{shift: uint8(64 - bits.Len(uint(size-1))), slots: make([]atomic.Uint64, size), keys: make([]K, size)}
}

// find returns the posting of k, whose hash is h.
func (t *digestTable[K]) find(h uint64, k *K) (uint32, bool) {
	mask := uint64(len(t.slots) - 1)
	tag := uint32(h)
	for i := h >> t.shift; ; i = (i + 1) & mask {
		w := t.slots[i&mask].Load()
		if w == 0 {
			return 0, false
		}
		if uint32(w>>32) == tag && t.keys[i&mask] == *k {
			return slotPost(w), true
		}
	}
}

// findHex returns the posting of the key whose hex digits are hex and
// whose hash is h (see hexHash). It decodes hex into *k, through kw (k's
// words), only when a slot's tag matches; not hex digits match nothing.
func (t *digestTable[K]) findHex(h uint64, hex string, k *K, kw []uint64) (uint32, bool) {
	mask := uint64(len(t.slots) - 1)
	tag := uint32(h)
	decoded := false
	for i := h >> t.shift; ; i = (i + 1) & mask {
		w := t.slots[i&mask].Load()
		if w == 0 {
			return 0, false
		}
		if uint32(w>>32) != tag {
			continue
		}
		if !decoded {
			if !hexWords(kw, hex) {
				return 0, false
			}
			decoded = true
		}
		if t.keys[i&mask] == *k {
			return slotPost(w), true
		}
	}
}

// slot returns the index of k's slot, or of the empty slot it would take,
// and its posting.
func (t *digestTable[K]) slot(h uint64, k *K) (int, uint32, bool) {
	mask := uint64(len(t.slots) - 1)
	tag := uint32(h)
	for i := h >> t.shift; ; i = (i + 1) & mask {
		w := t.slots[i&mask].Load()
		if w == 0 {
			return int(i & mask), 0, false
		}
		if uint32(w>>32) == tag && t.keys[i&mask] == *k {
			return int(i & mask), slotPost(w), true
		}
	}
}

// set stores k and its posting in slot i (from slot); the key is written
// before the slot word that publishes it.
func (t *digestTable[K]) set(i int, h uint64, k *K, post uint32, fresh bool) {
	if fresh {
		t.keys[i] = *k
		t.used++
	}
	t.slots[i].Store(slotWord(uint32(h), post))
}

// grown returns a copy of t with room for one more key, or t itself when
// it has room; hash is the table's hash function.
func (t *digestTable[K]) grown(hash func(*K) uint64) *digestTable[K] {
	if t != nil && !overLoaded(t.used, len(t.slots)) {
		return t
	}
	nt := newDigestTable[K](tableSize(t.len()))
	for k, post := range t.all() {
		h := hash(k)
		nt.set(freeSlot(nt.slots, nt.shift, h), h, k, post, true)
	}
	return nt
}

func (t *digestTable[K]) len() int {
	if t == nil {
		return 0
	}
	return t.used
}

// all yields the keys and their postings.
func (t *digestTable[K]) all() func(func(*K, uint32) bool) {
	return func(yield func(*K, uint32) bool) {
		if t == nil {
			return
		}
		for i := range t.slots {
			if w := t.slots[i].Load(); w != 0 && !yield(&t.keys[i], slotPost(w)) {
				return
			}
		}
	}
}

// strTable maps strings to postings. Keys are kept in one byte arena,
// each slot referring to its key by offset and length next to its slot
// word, so that a lookup reads the slot and then the key.
type strTable struct {
	shift  uint8
	slots  []strSlot
	filter keyFilter // shared, like slots, by a copy with a larger arena
	arena  []byte    // len(arena) == cap(arena); bytes past size are unused
	used   int       // written and read by writers only
	size   int       // arena bytes in use, likewise
}

// strSlot is a slot word and the reference to its key, offset<<32 |
// length, written before the slot word.
type strSlot struct {
	w   atomic.Uint64
	ref uint64
}

// maxArena bounds the bytes of keys one string table holds, so that
// offsets fit in 32 bits.
const maxArena = 1 << 31

func newStrTable(slots int, arena []byte, size int) *strTable {
	return &strTable{
		shift:  uint8(64 - bits.Len(uint(slots-1))),
		slots:  make([]strSlot, slots),
		filter: newKeyFilter(slots),
		arena:  arena[:cap(arena)],
		size:   size,
	}
}

// key returns the key a reference names, and false when the reference
// lies outside this table's arena (the table was replaced while a
// lock-free lookup read it).
func (t *strTable) key(ref uint64) ([]byte, bool) {
	off, n := ref>>32, ref&(1<<32-1)
	if off+n > uint64(len(t.arena)) {
		return nil, false
	}
	return t.arena[off : off+n], true
}

// strFind returns the posting of k, whose hash is h; consistent is false
// when a slot referred outside the arena.
func strFind[S string | []byte](t *strTable, h uint64, k S) (post uint32, found, consistent bool) {
	if !t.filter.mayHave(h, t.shift) {
		return 0, false, true
	}
	mask := uint64(len(t.slots) - 1)
	tag := uint32(h)
	for i := h >> t.shift; ; i = (i + 1) & mask {
		sl := &t.slots[i&mask]
		w := sl.w.Load()
		if w == 0 {
			return 0, false, true
		}
		if uint32(w>>32) != tag {
			continue
		}
		key, ok := t.key(sl.ref)
		if !ok {
			return 0, false, false
		}
		if string(key) == string(k) {
			return slotPost(w), true, true
		}
	}
}

// slot returns the index of k's slot, or of the empty slot it would take,
// and its posting.
func (t *strTable) slot(h uint64, k string) (int, uint32, bool) {
	mask := uint64(len(t.slots) - 1)
	i := h >> t.shift
	for ; ; i = (i + 1) & mask {
		w := t.slots[i&mask].w.Load()
		if w == 0 {
			return int(i & mask), 0, false
		}
		if uint32(w>>32) != uint32(h) {
			continue
		}
		if key, _ := t.key(t.slots[i&mask].ref); string(key) == k {
			return int(i & mask), slotPost(w), true
		}
	}
}

// freeSlot is slot for a key known to be absent.
func (t *strTable) freeSlot(h uint64) int {
	mask := uint64(len(t.slots) - 1)
	i := h >> t.shift
	for t.slots[i&mask].w.Load() != 0 {
		i++
	}
	return int(i & mask)
}

// set stores k and its posting in slot i (from slot). A new key is copied
// to the arena, which must have room for it (see grown).
func (t *strTable) set(i int, h uint64, k string, post uint32, fresh bool) {
	if fresh {
		copy(t.arena[t.size:], k)
		t.slots[i].ref = uint64(t.size)<<32 | uint64(len(k))
		t.size += len(k)
		t.used++
		t.filter.add(h, t.shift)
	}
	t.slots[i].w.Store(slotWord(uint32(h), post))
}

// grown returns a copy of t with room for one more key of n bytes, or t
// itself when it has room. A copy with more slots gets a new slot array;
// a copy with a larger arena shares the slot array of t.
func (t *strTable) grown(seed maphash.Seed, n int) *strTable {
	if t == nil {
		return newStrTable(16, make([]byte, 0, max(n, 256)), 0)
	}
	nt := t
	if t.size+n > len(t.arena) {
		arena := make([]byte, 0, max(t.size+n, len(t.arena)+len(t.arena)/2))
		nt = &strTable{shift: t.shift, slots: t.slots, filter: t.filter, arena: append(arena, t.arena[:t.size]...), used: t.used, size: t.size}
		nt.arena = nt.arena[:cap(nt.arena)]
	}
	if overLoaded(nt.used, len(nt.slots)) {
		old := nt
		nt = newStrTable(tableSize(old.used), old.arena, old.size)
		for i := range old.slots {
			sl := &old.slots[i]
			w := sl.w.Load()
			if w == 0 {
				continue
			}
			key, _ := old.key(sl.ref)
			h := maphash.Bytes(seed, key)
			j := nt.freeSlot(h)
			nt.slots[j].ref = sl.ref
			nt.used++
			nt.filter.add(h, nt.shift)
			nt.slots[j].w.Store(w)
		}
	}
	return nt
}

// all yields the keys and their postings.
func (t *strTable) all() func(func([]byte, uint32) bool) {
	return func(yield func([]byte, uint32) bool) {
		if t == nil {
			return
		}
		for i := range t.slots {
			sl := &t.slots[i]
			w := sl.w.Load()
			if w == 0 {
				continue
			}
			if key, _ := t.key(sl.ref); !yield(key, slotPost(w)) {
				return
			}
		}
	}
}

// blockBits is the length of the IPv4 blocks that the filters of a
// view's IPv4 ISSUBSET operands have one bit for, at most: 2^20 blocks of
// 4,096 addresses in 128 KiB.
const blockBits = 20

// setBit sets bit i of a bit set, atomically, as lookups may be reading
// it.
func setBit(set []uint64, i uint32) {
	atomic.OrUint64(&set[i/64], 1<<(i%64))
}

// hasBit reports whether bit i of a bit set is set.
func hasBit(set []uint64, i uint32) bool {
	return atomic.LoadUint64(&set[i/64])&(1<<(i%64)) != 0
}
