package indicator

import (
	"hash/maphash"
	"math/bits"
	"net/netip"
	"sync/atomic"

	"github.com/vigie-cti/vigie/pattern"
)

// hitSink receives the postings a lookup finds in one view: Lookup
// collects the hits, to report them once it knows the view did not change
// under it; Match sorts them into direct matches and candidates.
type hitSink struct {
	v    *view
	t    uint32
	kind ObservableKind
	// bad is set when the lookup met a reference past the end of the
	// view's arrays: a writer was changing the tables.
	bad bool

	hits  [16]uint32 // handle<<1 | 1 for a parent domain, in order found
	nhits int
	more  []uint32            // hits beyond the first 16
	seen  map[uint32]struct{} // handles of more

	match   bool
	confirm bool // direct entries of kind match the current root
	obs     int
	direct  map[uint32]int
	cands   map[uint32]struct{}
}

// emit handles one posting.
func (s *hitSink) emit(p uint32, sub bool) {
	if p&listBit == 0 {
		s.handle(p, sub)
		return
	}
	ls := s.v.lists
	off := uint64(p &^ listBit)
	if off+2 > uint64(len(ls)) {
		s.bad = true
		return
	}
	n := uint64(atomic.LoadUint32(&ls[off]))
	if off+2+n > uint64(len(ls)) {
		s.bad = true
		return
	}
	for _, h := range ls[off+2 : off+2+n] {
		s.handle(h, sub)
	}
}

// handle records one handle of a posting.
func (s *hitSink) handle(h uint32, sub bool) {
	if uint64(h) >= uint64(len(s.v.entries)) {
		s.bad = true
		return
	}
	e := &s.v.entries[h]
	if !e.live(s.t) {
		return
	}
	if s.match {
		switch {
		case e.kind == 0:
			s.cands[h] = struct{}{}
		case s.confirm && e.kind == s.kind:
			if _, dup := s.direct[h]; !dup {
				s.direct[h] = s.obs
			}
		}
		return
	}
	for _, x := range s.hits[:s.nhits] {
		if x>>1 == h {
			return
		}
	}
	x := h << 1
	if sub {
		x |= 1
	}
	if s.nhits < len(s.hits) {
		s.hits[s.nhits] = x
		s.nhits++
		return
	}
	if _, dup := s.seen[h]; dup {
		return
	}
	if s.seen == nil {
		s.seen = map[uint32]struct{}{}
	}
	s.seen[h] = struct{}{}
	s.more = append(s.more, x)
}

// report calls fn with the hits collected, until it returns false.
func (s *hitSink) report(fn func(Hit) bool) {
	for _, x := range s.hits[:s.nhits] {
		if !s.reportOne(x, fn) {
			return
		}
	}
	for _, x := range s.more {
		if !s.reportOne(x, fn) {
			return
		}
	}
}

func (s *hitSink) reportOne(x uint32, fn func(Hit) bool) bool {
	h := x >> 1
	e := &s.v.entries[h]
	hit := Hit{ID: e.id, Direct: e.kind == s.kind, Subdomain: x&1 != 0}
	if int(h) < len(s.v.names) {
		hit.Name = s.v.names[h]
	}
	return fn(hit)
}

// lookup collects the hits of one observable (see Index.Lookup).
func (s *hitSink) lookup(kind ObservableKind, value string, exactDomains bool) {
	s.kind = kind
	switch kind {
	case KindIPv4, KindIPv6:
		if ip, ok := parseIPv4(value); ok {
			s.kind = KindIPv4
			s.lookupIPv4(ip)
			return
		}
		pfx, ok := pattern.AddressBlock(value)
		if !ok {
			return
		}
		s.kind = KindIPv6
		if pfx.Addr().Is4() {
			s.kind = KindIPv4
		}
		s.lookupIP(pfx)
		return
	case KindDomain:
		if isDomainKey(value) {
			lookupDomain(s, value, exactDomains)
		} else {
			var buf [512]byte
			lookupDomain(s, appendDomainKey(buf[:0], value), exactDomains)
		}
	case KindURL:
		if isNormalURL(value) {
			lookupKey(s, tabURL, value, false)
		} else {
			var buf [512]byte
			lookupKey(s, tabURL, appendNormalizedURL(buf[:0], value), false)
		}
	case KindEmail:
		if !hasUpperASCII(value) {
			lookupKey(s, tabEmail, value, false)
		} else {
			var buf [512]byte
			lookupKey(s, tabEmail, appendLowerASCII(buf[:0], value), false)
		}
	case KindFileName:
		lookupKey(s, tabFile, value, false)
	default:
		if alg := kindAlg(kind); alg != "" {
			s.lookupHash(alg, value)
		}
		return
	}
	if s.v.str[tabOther] != nil {
		var buf [512]byte
		lookupKey(s, tabOther, appendLowerASCII(buf[:0], value), false)
	}
}

// lookupDomain looks up a domain name in lower case and, unless exact,
// its parent domains short of the top-level label.
func lookupDomain[S string | []byte](s *hitSink, d S, exact bool) {
	lookupKey(s, tabDomain, d, false)
	for !exact {
		i := indexByte(d, '.')
		if i < 0 || indexByte(d[i+1:], '.') < 0 {
			return
		}
		d = d[i+1:]
		lookupKey(s, tabDomain, d, true)
	}
}

// indexByte is bytes.IndexByte for short keys.
func indexByte[S string | []byte](b S, c byte) int {
	for i := 0; i < len(b); i++ {
		if b[i] == c {
			return i
		}
	}
	return -1
}

// kindAlg returns the hash algorithm of a hash kind.
func kindAlg(k ObservableKind) string {
	switch k {
	case KindMD5:
		return "MD5"
	case KindSHA1:
		return "SHA-1"
	case KindSHA256:
		return "SHA-256"
	case KindSHA512:
		return "SHA-512"
	case KindSHA3_256:
		return "SHA3-256"
	case KindSHA3_512:
		return "SHA3-512"
	case KindSSDEEP:
		return "SSDEEP"
	case KindTLSH:
		return "TLSH"
	}
	return ""
}

// lookupKey looks a key up in one of the string tables; sub marks a
// parent domain.
func lookupKey[S string | []byte](s *hitSink, tab table, k S, sub bool) {
	t := s.v.str[tab]
	if t == nil {
		return
	}
	var h uint64
	switch k := any(k).(type) {
	case string:
		h = maphash.String(s.v.seed.str, k)
	case []byte:
		h = maphash.Bytes(s.v.seed.str, k)
	}
	p, found, consistent := strFind(t, h, k)
	s.bad = s.bad || !consistent
	if found {
		s.emit(p, sub)
	}
}

// foundDigest emits the result of findHex.
func (s *hitSink) foundDigest(p uint32, found bool) {
	if found {
		s.emit(p, false)
	}
}

// lookupHash looks a hash value up. The value of an algorithm with a
// digest table is looked up there when it has the digest's length and is
// hex; other values are looked up as strings. (When no string is filed,
// the hex digits are checked only once a tag matches.)
func (s *hitSink) lookupHash(alg, v string) {
	vw := s.v
	if n, _ := pattern.HashDigits(alg); len(v) == n && n > 0 && (vw.str[tabHash] == nil || isHex(v)) {
		switch alg {
		case "MD5":
			var k [2]uint64
			if t := vw.md5; t != nil {
				s.foundDigest(t.findHex(hexHash(vw.seed, v), v, &k, k[:]))
			}
			return
		case "SHA-1":
			var k [3]uint64
			if t := vw.sha1; t != nil {
				s.foundDigest(t.findHex(hexHash(vw.seed, v), v, &k, k[:]))
			}
			return
		case "SHA-256":
			var k [4]uint64
			if t := vw.sha256; t != nil {
				s.foundDigest(t.findHex(hexHash(vw.seed, v), v, &k, k[:]))
			}
			return
		case "SHA-512":
			var k [8]uint64
			if t := vw.sha512; t != nil {
				s.foundDigest(t.findHex(hexHash(vw.seed, v), v, &k, k[:]))
			}
			return
		}
	}
	if vw.str[tabHash] == nil {
		return
	}
	var b [512]byte
	buf := append(b[:0], alg...)
	buf = append(buf, 0)
	if isHex(v) {
		buf = appendLowerASCII(buf, v)
	} else {
		buf = append(buf, v...)
	}
	lookupKey(s, tabHash, buf, false)
}

// lookupIP finds the indicators of an address or block: equal to it, a
// block containing it (ISSUBSET), or a block it contains (ISSUPERSET).
func (s *hitSink) lookupIP(pfx netip.Prefix) {
	v := s.v
	a := pfx.Addr()
	host := pfx.Bits() == a.BitLen()
	is4 := a.Is4()
	switch {
	case host && is4:
		if v.v4 != nil {
			ip := v4Key(a)
			if p, ok := v.v4.find(v.seed.v4(ip), ip); ok {
				s.emit(p, false)
			}
		}
	case host:
		if v.v6 != nil {
			b := a.As16()
			var k [2]uint64
			digestWords(k[:], b[:])
			if p, ok := v.v6.find(v.seed.v6(&k), &k); ok {
				s.emit(p, false)
			}
		}
	default:
		if p, ok := v.ipEq.Get(pfx); ok {
			s.emit(p, false)
		}
	}
	switch {
	case is4 && v.sub4Lens != 0:
		s.lookupSub4(v4Key(a), pfx.Bits())
	case !is4 && v.ipSub.Size6() > 0:
		s.lookupSub(pfx)
	}
	if (is4 && v.ipSup.Size4() == 0) || (!is4 && v.ipSup.Size6() == 0) {
		return
	}
	if host {
		if p, ok := v.ipSup.Get(pfx); ok {
			s.emit(p, false)
		}
		return
	}
	for _, p := range v.ipSup.Subnets(pfx) {
		s.emit(p, false)
	}
}

// lookupIPv4 is lookupIP for an IPv4 address.
func (s *hitSink) lookupIPv4(ip uint32) {
	v := s.v
	if v.v4 != nil {
		if p, ok := v.v4.find(v.seed.v4(ip), ip); ok {
			s.emit(p, false)
		}
	}
	if v.sub4Lens != 0 {
		s.lookupSub4(ip, 32)
	}
	if v.ipSup.Size4() == 0 {
		return
	}
	pfx := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(ip >> 24), byte(ip >> 16), byte(ip >> 8), byte(ip)}), 32)
	if p, ok := v.ipSup.Get(pfx); ok {
		s.emit(p, false)
	}
}

// lookupSub4 finds the IPv4 ISSUBSET blocks of at most maxLen bits that
// contain ip, the longest first. It probes only the lengths whose filter
// admits ip.
func (s *hitSink) lookupSub4(ip uint32, maxLen int) {
	v := s.v
	if !hasBit(v.anyBlocks, ip>>(32-blockBits)) {
		return
	}
	lens := v.sub4Lens & (1<<(maxLen+1) - 1)
	if lens>>(blockBits+1) != 0 && !hasBit(v.longBlocks, ip>>(32-blockBits)) {
		lens &= 1<<(blockBits+1) - 1
	}
	for lens != 0 {
		l := bits.Len64(lens) - 1
		lens &^= 1 << l
		if l <= blockBits && !hasBit(v.sub4Bits[l], ip>>(32-l)) {
			continue
		}
		key := ip &^ (1<<(32-l) - 1)
		if p, ok := v.sub4[l].find(v.seed.v4(key), key); ok {
			s.emit(p, false)
		}
	}
}

// lookupSub finds the IPv6 ISSUBSET blocks that contain a block, the
// longest first.
func (s *hitSink) lookupSub(pfx netip.Prefix) {
	for q := pfx; ; {
		lpm, p, ok := s.v.ipSub.LookupPrefixLPM(q)
		if !ok {
			return
		}
		s.emit(p, false)
		if lpm.Bits() == 0 {
			return
		}
		q = netip.PrefixFrom(pfx.Addr(), lpm.Bits()-1).Masked()
	}
}
