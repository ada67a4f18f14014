// Package similar finds the samples most similar to a given one, among
// many, by their fuzzy hashes: TLSH distance (through vantage-point trees,
// never a scan of every sample), ssdeep score (samples that share a
// 7-character run of their digests at a comparable block size, found by
// min-hash postings), and imphash equality.
//
// An Index holds only fingerprints and the caller's numeric ids (a
// store's row ids): about 150 bytes per sample. Who may read which sample
// is not its business: callers ask for more matches than they show and
// filter them with their access rules.
package similar

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/vigie-cti/vigie/fuzzyhash/ssdeep"
	"github.com/vigie-cti/vigie/fuzzyhash/tlsh"
)

// Fingerprint is what the index keeps of one sample.
type Fingerprint struct {
	ID      uint32 // the caller's id for the sample; 0 is not allowed
	TLSH    string // a TLSH digest (T1 form or not), "" if none
	SSDEEP  string // an ssdeep digest, "" if none
	Imphash string // 32 hex digits, "" if none
}

// Query asks for the samples similar to a fingerprint.
type Query struct {
	TLSH    string
	SSDEEP  string
	Imphash string
	// MaxDistance is the largest TLSH distance reported (default 100).
	MaxDistance int
	// MinScore is the smallest ssdeep score reported (default 1).
	MinScore int
	// Limit is the most matches returned (default 100, at most 10,000).
	Limit int
	// Exclude is an id never returned (the sample itself).
	Exclude uint32
}

// Match is one similar sample.
type Match struct {
	ID       uint32 `json:"-"`
	Distance int    `json:"tlsh_distance"` // -1 when either has no TLSH
	Score    int    `json:"ssdeep_score"`  // 0 when not comparable
	Imphash  bool   `json:"imphash_equal"` // same import hash
}

// closeness orders matches: the smallest TLSH distance first, then the
// highest ssdeep score, then imphash equality.
func (m Match) less(o Match) bool {
	md, od := m.Distance, o.Distance
	if md < 0 {
		md = 1 << 20
	}
	if od < 0 {
		od = 1 << 20
	}
	if md != od {
		return md < od
	}
	if m.Score != o.Score {
		return m.Score > o.Score
	}
	if m.Imphash != o.Imphash {
		return m.Imphash
	}
	return m.ID < o.ID
}

const (
	pendingMax  = 256  // TLSH digests kept unsorted before a tree is built
	postingsMax = 4096 // postings kept unsorted before a merge
	minhashK    = 2    // smallest 7-gram hashes kept per ssdeep part
	maxLimit    = 10000
)

// Index is a similarity index. It is safe for concurrent use.
type Index struct {
	mu      sync.RWMutex
	ids     []uint32 // by slot
	deleted []uint64 // bitset by slot
	live    int
	// TLSH: Bentley–Saxe levels of vantage-point trees and a pending list.
	levels  []*vpTree
	pending []vpItem
	rnd     *rand.Rand
	// ssdeep digests, packed, by slot (offset+1 into arena; 0 for none).
	ssOff []uint32
	arena []byte
	grams postings // 7-gram min-hashes → slot
	// imphash: the first slot of each import hash, and the next slot
	// with the same one (0 ends; slots are stored plus one).
	impHead map[uint64]uint32
	impNext []uint32
	seed    maphash.Seed
}

// New returns an empty index.
func New() *Index {
	return &Index{rnd: rand.New(rand.NewPCG(1, 2)), seed: maphash.MakeSeed(), impHead: map[uint64]uint32{}}
}

// Len returns the number of samples in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// Add puts a sample's fingerprint in the index. A malformed digest is an
// error and nothing is added.
func (ix *Index) Add(fp Fingerprint) error {
	if fp.ID == 0 {
		return errors.New("similar: id 0")
	}
	var td *tlsh.Digest
	if fp.TLSH != "" {
		d, err := tlsh.Parse(fp.TLSH)
		if err != nil {
			return fmt.Errorf("similar: %w", err)
		}
		td = &d
	}
	var sd *ssdeep.Digest
	if fp.SSDEEP != "" {
		d, err := ssdeep.Parse(fp.SSDEEP)
		if err != nil {
			return fmt.Errorf("similar: %w", err)
		}
		sd = &d
	}
	imp, hasImp, err := imphashKey(fp.Imphash)
	if err != nil {
		return err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot := uint32(len(ix.ids))
	ix.ids = append(ix.ids, fp.ID)
	if int(slot)/64 >= len(ix.deleted) {
		ix.deleted = append(ix.deleted, 0)
	}
	ix.live++
	if td != nil {
		ix.pending = append(ix.pending, newItem(td, slot))
		if len(ix.pending) >= pendingMax {
			ix.flush()
		}
	}
	ix.ssOff = append(ix.ssOff, 0)
	if sd != nil {
		if bsLog, ok := blockLog(sd.BlockSize); ok {
			ix.ssOff[slot] = uint32(len(ix.arena)) + 1
			ix.arena = packSSDEEP(ix.arena, bsLog, sd)
			for _, k := range ix.gramKeys(bsLog, sd) {
				ix.grams.add(k, slot)
			}
		}
	}
	ix.impNext = append(ix.impNext, 0)
	if hasImp {
		ix.impNext[slot] = ix.impHead[imp]
		ix.impHead[imp] = slot + 1
	}
	return nil
}

// Remove takes a sample out of the index (it is never returned again).
func (ix *Index) Remove(id uint32) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for slot, x := range ix.ids {
		if x == id && ix.deleted[slot/64]&(1<<(slot%64)) == 0 {
			ix.deleted[slot/64] |= 1 << (slot % 64)
			ix.live--
		}
	}
}

func (ix *Index) isDeleted(slot uint32) bool { return ix.deleted[slot/64]&(1<<(slot%64)) != 0 }

// flush builds a tree from the pending digests and the levels it merges
// with (a binary counter: level i holds pendingMax<<i digests or none).
func (ix *Index) flush() {
	merge := []*vpTree{}
	level := 0
	for level < len(ix.levels) && ix.levels[level] != nil {
		merge = append(merge, ix.levels[level])
		ix.levels[level] = nil
		level++
	}
	items := mergeTrees(ix.pending, merge...)
	// Drop deleted digests on the way.
	items = slices.DeleteFunc(items, func(it vpItem) bool { return ix.isDeleted(it.slot) })
	t := buildTree(items, ix.rnd)
	if level == len(ix.levels) {
		ix.levels = append(ix.levels, nil)
	}
	ix.levels[level] = t
	ix.pending = nil
}

// Search returns the samples similar to q, closest first.
func (ix *Index) Search(q Query) ([]Match, error) {
	if q.MaxDistance <= 0 {
		q.MaxDistance = 100
	}
	if q.MinScore <= 0 {
		q.MinScore = 1
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	q.Limit = min(q.Limit, maxLimit)
	var td *tlsh.Digest
	if q.TLSH != "" {
		d, err := tlsh.Parse(q.TLSH)
		if err != nil {
			return nil, fmt.Errorf("similar: %w", err)
		}
		td = &d
	}
	var sd *ssdeep.Digest
	if q.SSDEEP != "" {
		d, err := ssdeep.Parse(q.SSDEEP)
		if err != nil {
			return nil, fmt.Errorf("similar: %w", err)
		}
		sd = &d
	}
	imp, hasImp, err := imphashKey(q.Imphash)
	if err != nil {
		return nil, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	found := map[uint32]*Match{}
	get := func(slot uint32) *Match {
		m := found[slot]
		if m == nil {
			m = &Match{ID: ix.ids[slot], Distance: -1}
			found[slot] = m
		}
		return m
	}
	skip := func(slot uint32) bool { return ix.isDeleted(slot) || ix.ids[slot] == q.Exclude }
	if td != nil {
		ix.searchTLSH(td, q, skip, get)
	}
	if sd != nil {
		if bsLog, ok := blockLog(sd.BlockSize); ok {
			seen := map[uint32]bool{}
			for _, k := range ix.gramKeys(bsLog, sd) {
				ix.grams.each(k, func(slot uint32) bool {
					if !seen[slot] && !skip(slot) {
						seen[slot] = true
						if s := ix.score(sd, slot); s >= q.MinScore {
							get(slot).Score = s
						}
					}
					return len(seen) < 4*maxLimit
				})
			}
		}
	}
	if hasImp {
		n := 0
		for s := ix.impHead[imp]; s != 0 && n < q.Limit; s = ix.impNext[s-1] {
			if slot := s - 1; !skip(slot) {
				get(slot).Imphash = true
				n++
			}
		}
	}
	out := make([]Match, 0, len(found))
	for slot, m := range found {
		if sd != nil && m.Score == 0 {
			if s := ix.score(sd, slot); s >= q.MinScore {
				m.Score = s
			}
		}
		if td != nil && m.Distance < 0 {
			m.Distance = ix.distanceTo(td, slot)
			if m.Distance > q.MaxDistance && m.Score == 0 && !m.Imphash {
				continue
			}
		}
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].less(out[j]) })
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// searchTLSH finds the Limit closest digests within MaxDistance: every
// tree is searched with a radius that shrinks to the Limit-th best.
func (ix *Index) searchTLSH(td *tlsh.Digest, q Query, skip func(uint32) bool, get func(uint32) *Match) {
	best := &distHeap{}
	radius := func() int {
		if best.Len() >= q.Limit {
			return min(q.MaxDistance, best.top())
		}
		return q.MaxDistance
	}
	visit := func(it *vpItem, lower int) {
		if skip(it.slot) {
			return
		}
		d := it.digest()
		dist := tlsh.Distance(*td, d)
		if dist <= radius() {
			best.push(dist, it.slot, q.Limit)
		}
	}
	for i := range ix.pending {
		it := &ix.pending[i]
		if l := l1(&td.Body, &it.body); l <= radius() {
			visit(it, l)
		}
	}
	for _, t := range ix.levels {
		if t != nil {
			t.search(&td.Body, radius, visit)
		}
	}
	for _, e := range best.items {
		get(e.slot).Distance = e.dist
	}
}

func (ix *Index) distanceTo(td *tlsh.Digest, slot uint32) int {
	// Rare path (a match found by ssdeep or imphash): find the digest.
	for i := range ix.pending {
		if ix.pending[i].slot == slot {
			return tlsh.Distance(*td, ix.pending[i].digest())
		}
	}
	for _, t := range ix.levels {
		if t == nil {
			continue
		}
		for i := range t.items {
			if t.items[i].slot == slot {
				return tlsh.Distance(*td, t.items[i].digest())
			}
		}
	}
	return -1
}

func (ix *Index) score(sd *ssdeep.Digest, slot uint32) int {
	off := ix.ssOff[slot]
	if off == 0 {
		return 0
	}
	other := unpackSSDEEP(ix.arena[off-1:])
	return ssdeep.Score(*sd, other)
}

// gramKeys are the min-hash keys of an ssdeep digest: for each part, the
// minhashK smallest hashes of its 7-character runs (after runs of one
// character are cut to three, as the score does), with the part's block
// size in the hash, so that only comparable parts meet.
func (ix *Index) gramKeys(bsLog int, d *ssdeep.Digest) []uint32 {
	var keys []uint32
	for i, part := range [2]string{d.Part1, d.Part2} {
		p := elimSeq(part)
		var hs []uint32
		for j := 0; j+7 <= len(p); j++ {
			var h maphash.Hash
			h.SetSeed(ix.seed)
			h.WriteByte(byte(bsLog + i))
			h.WriteString(p[j : j+7])
			hs = append(hs, uint32(h.Sum64()))
		}
		slices.Sort(hs)
		hs = slices.Compact(hs)
		keys = append(keys, hs[:min(minhashK, len(hs))]...)
	}
	return keys
}

func elimSeq(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i >= 3 && s[i] == s[i-1] && s[i] == s[i-2] && s[i] == s[i-3] {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func imphashKey(s string) (uint64, bool, error) {
	if s == "" {
		return 0, false, nil
	}
	if len(s) != 32 {
		return 0, false, fmt.Errorf("similar: imphash %q is not 32 hex digits", s)
	}
	var k uint64
	for i := 0; i < 16; i++ {
		c := s[i]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, false, fmt.Errorf("similar: imphash %q is not hexadecimal", s)
		}
		k = k<<4 | uint64(v)
	}
	return k, true, nil
}

// blockLog returns i for a block size 3<<i.
func blockLog(bs uint64) (int, bool) {
	for i := 0; i < 40; i++ {
		if uint64(3)<<i == bs {
			return i, true
		}
	}
	return 0, false
}

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

var b64Index = func() (t [256]byte) {
	for i := range b64 {
		t[b64[i]] = byte(i)
	}
	return t
}()

// packSSDEEP appends a digest as: block size log, the two part lengths,
// then the characters at 6 bits each.
func packSSDEEP(dst []byte, bsLog int, d *ssdeep.Digest) []byte {
	dst = append(dst, byte(bsLog), byte(len(d.Part1)), byte(len(d.Part2)))
	var acc uint32
	bits := 0
	for _, s := range [2]string{d.Part1, d.Part2} {
		for i := 0; i < len(s); i++ {
			acc = acc<<6 | uint32(b64Index[s[i]])
			bits += 6
			for bits >= 8 {
				bits -= 8
				dst = append(dst, byte(acc>>bits))
			}
		}
	}
	if bits > 0 {
		dst = append(dst, byte(acc<<(8-bits)))
	}
	return dst
}

func unpackSSDEEP(b []byte) ssdeep.Digest {
	bsLog, n1, n2 := int(b[0]), int(b[1]), int(b[2])
	chars := make([]byte, 0, n1+n2)
	var acc uint32
	bits := 0
	p := 3
	for len(chars) < n1+n2 {
		for bits < 6 {
			acc = acc<<8 | uint32(b[p])
			p++
			bits += 8
		}
		bits -= 6
		chars = append(chars, b64[(acc>>bits)&0x3f])
	}
	return ssdeep.Digest{BlockSize: uint64(3) << bsLog, Part1: string(chars[:n1]), Part2: string(chars[n1:])}
}

// postings maps 32-bit keys to slots, each pair packed in a uint64 (key
// in the high half): a sorted array and a small unsorted tail, merged when
// the tail grows.
type postings struct {
	sorted []uint64
	tail   []uint64
}

func (p *postings) add(key uint32, slot uint32) {
	p.tail = append(p.tail, uint64(key)<<32|uint64(slot))
	if len(p.tail) >= postingsMax {
		slices.Sort(p.tail)
		merged := make([]uint64, 0, len(p.sorted)+len(p.tail))
		i, j := 0, 0
		for i < len(p.sorted) && j < len(p.tail) {
			if p.sorted[i] <= p.tail[j] {
				merged = append(merged, p.sorted[i])
				i++
			} else {
				merged = append(merged, p.tail[j])
				j++
			}
		}
		merged = append(append(merged, p.sorted[i:]...), p.tail[j:]...)
		p.sorted, p.tail = merged, nil
	}
}

// each calls f with every slot of key until f returns false.
func (p *postings) each(key uint32, f func(uint32) bool) {
	lo := uint64(key) << 32
	i := sort.Search(len(p.sorted), func(i int) bool { return p.sorted[i] >= lo })
	for ; i < len(p.sorted) && uint32(p.sorted[i]>>32) == key; i++ {
		if !f(uint32(p.sorted[i])) {
			return
		}
	}
	for _, x := range p.tail {
		if uint32(x>>32) == key && !f(uint32(x)) {
			return
		}
	}
}

// distHeap keeps the n smallest distances (a max-heap).
type distHeap struct{ items []distEntry }

type distEntry struct {
	dist int
	slot uint32
}

func (h *distHeap) Len() int { return len(h.items) }
func (h *distHeap) top() int { return h.items[0].dist }

func (h *distHeap) push(dist int, slot uint32, n int) {
	if len(h.items) < n {
		h.items = append(h.items, distEntry{dist, slot})
		for i := len(h.items) - 1; i > 0; {
			p := (i - 1) / 2
			if h.items[p].dist >= h.items[i].dist {
				break
			}
			h.items[p], h.items[i] = h.items[i], h.items[p]
			i = p
		}
		return
	}
	if dist >= h.items[0].dist {
		return
	}
	h.items[0] = distEntry{dist, slot}
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h.items) && h.items[l].dist > h.items[m].dist {
			m = l
		}
		if r < len(h.items) && h.items[r].dist > h.items[m].dist {
			m = r
		}
		if m == i {
			break
		}
		h.items[i], h.items[m] = h.items[m], h.items[i]
		i = m
	}
}
