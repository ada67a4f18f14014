package pattern

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Lookup calls fn with each indicator, valid at now, filed under an
// observable value, until fn returns false. Values are compared in the
// Index's normal forms: IP addresses and CIDR blocks as address blocks
// (an address also finds the ISSUBSET blocks that contain it), domain
// names and e-mail addresses in lower case (a domain also finds its parent
// domains unless IndexOptions.ExactDomains is set; a final dot is
// ignored), URLs by NormalizeURL, hashes as digests whatever the case of
// their hex digits, file names exactly. Each indicator is reported once per
// call. Hits with Direct false are candidates to confirm. Lookup does not
// allocate.
func (ix *Index) Lookup(kind ObservableKind, value string, now time.Time, fn func(Hit) bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	s := hitSink{ix: ix, t: validSeconds(now), kind: kind, fn: fn}
	var buf [512]byte
	switch kind {
	case KindIPv4, KindIPv6:
		pfx, ok := parsePrefix(value)
		if !ok {
			return
		}
		s.kind = KindIPv6
		if pfx.Addr().Is4() {
			s.kind = KindIPv4
		}
		ix.lookupIP(&s, pfx)
		return
	case KindDomain:
		d := appendDomainKey(buf[:0], value)
		for sub := false; ; sub = true {
			if p, ok := ix.str[tabDomain][string(d)]; ok && !s.emit(p, sub) {
				return
			}
			i := bytes.IndexByte(d, '.')
			if ix.opts.ExactDomains || i < 0 || bytes.IndexByte(d[i+1:], '.') < 0 {
				break
			}
			d = d[i+1:]
		}
	case KindURL:
		u := appendNormalizedURL(buf[:0], value)
		if p, ok := ix.str[tabURL][string(u)]; ok && !s.emit(p, false) {
			return
		}
	case KindEmail:
		e := appendLowerASCII(buf[:0], value)
		if p, ok := ix.str[tabEmail][string(e)]; ok && !s.emit(p, false) {
			return
		}
	case KindFileName:
		if p, ok := ix.str[tabFile][value]; ok && !s.emit(p, false) {
			return
		}
	default:
		if alg := kindAlg(kind); alg != "" {
			ix.lookupHash(&s, alg, value, buf[:0])
		}
		return
	}
	other := appendLowerASCII(buf[:0], value)
	if p, ok := ix.str[tabOther][string(other)]; ok {
		s.emit(p, false)
	}
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

// lookupHash looks a hash value up; buf is scratch space.
func (ix *Index) lookupHash(s *hitSink, alg, v string, buf []byte) bool {
	var d [64]byte
	n, _ := hashDigits(alg)
	if fixed := alg == "MD5" || alg == "SHA-1" || alg == "SHA-256" || alg == "SHA-512"; fixed && len(v) == n && decodeHex(d[:n/2], v) {
		var p uint32
		var ok bool
		switch n {
		case 32:
			p, ok = ix.md5[[16]byte(d[:16])]
		case 40:
			p, ok = ix.sha1[[20]byte(d[:20])]
		case 64:
			p, ok = ix.sha256[[32]byte(d[:32])]
		default:
			p, ok = ix.sha512[d]
		}
		return !ok || s.emit(p, false)
	}
	buf = append(buf, alg...)
	buf = append(buf, 0)
	if isHexString(v) {
		buf = appendLowerASCII(buf, v)
	} else {
		buf = append(buf, v...)
	}
	if p, ok := ix.str[tabHash][string(buf)]; ok {
		return s.emit(p, false)
	}
	return true
}

// decodeHex decodes hex digits into dst, which has half their length.
func decodeHex(dst []byte, s string) bool {
	for i := range dst {
		hi, ok1 := hexValue(s[2*i])
		lo, ok2 := hexValue(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

// hexValue decodes one hex digit of either case.
func hexValue(c byte) (byte, bool) {
	v := hexDigits[c]
	return v, v != 0xff
}

// hexDigits maps a byte to its value as a hex digit, or 0xff.
const hexDigits = "" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\xff\xff\xff\xff\xff\xff" +
	"\xff\x0a\x0b\x0c\x0d\x0e\x0f\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\x0a\x0b\x0c\x0d\x0e\x0f\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"

// lookupIP finds the indicators of an address or block: equal to it, a
// block containing it (ISSUBSET), or a block it contains (ISSUPERSET).
func (ix *Index) lookupIP(s *hitSink, pfx netip.Prefix) bool {
	a := pfx.Addr()
	host := pfx.Bits() == a.BitLen()
	var p uint32
	var ok bool
	switch {
	case host && a.Is4():
		p, ok = ix.v4[v4Key(a)]
	case host:
		p, ok = ix.v6[a.As16()]
	default:
		p, ok = ix.ipEq.Get(pfx)
	}
	if ok && !s.emit(p, false) {
		return false
	}
	for q := pfx; ; {
		lpm, p, ok := ix.ipSub.LookupPrefixLPM(q)
		if !ok {
			break
		}
		if !s.emit(p, false) {
			return false
		}
		if lpm.Bits() == 0 {
			break
		}
		q = netip.PrefixFrom(a, lpm.Bits()-1).Masked()
	}
	if host {
		if p, ok := ix.ipSup.Get(pfx); ok {
			return s.emit(p, false)
		}
		return true
	}
	for _, p := range ix.ipSup.Subnets(pfx) {
		if !s.emit(p, false) {
			return false
		}
	}
	return true
}

// hitSink receives postings: Lookup reports them to fn; Match sorts them
// into direct matches and candidates.
type hitSink struct {
	ix    *Index
	t     uint32
	kind  ObservableKind
	fn    func(Hit) bool
	seen  [16]uint32 // handles reported by this lookup
	nseen int
	more  map[uint32]struct{} // handles reported beyond the first 16

	match   bool
	confirm bool // direct entries of kind match the current root
	obs     int
	direct  map[uint32]int
	cands   map[uint32]struct{}
}

// emit handles one posting; it returns false when fn asked to stop.
func (s *hitSink) emit(p uint32, sub bool) bool {
	one := [1]uint32{p}
	hs := one[:]
	if p&listBit != 0 {
		hs = s.ix.lists[p&^listBit]
	}
	for _, h := range hs {
		e := &s.ix.entries[h]
		if !e.live(s.t) {
			continue
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
			continue
		}
		if !s.firstTime(h) {
			continue
		}
		hit := Hit{ID: e.id, Direct: e.kind == s.kind, Subdomain: sub}
		if len(s.ix.names) > 0 {
			hit.Name = s.ix.names[h]
		}
		if !s.fn(hit) {
			return false
		}
	}
	return true
}

// firstTime records h and reports whether it was not reported before.
func (s *hitSink) firstTime(h uint32) bool {
	for _, x := range s.seen[:s.nseen] {
		if x == h {
			return false
		}
	}
	if _, dup := s.more[h]; dup {
		return false
	}
	if s.nseen < len(s.seen) {
		s.seen[s.nseen] = h
		s.nseen++
		return true
	}
	if s.more == nil {
		s.more = map[uint32]struct{}{}
	}
	s.more[h] = struct{}{}
	return true
}

// Match finds the indicators, valid at now, that the observations match,
// and calls fn with each until fn returns false. Its answers are those of
// evaluating every indicator's pattern with (*Pattern).Match: direct
// indicators match on their keys, read from the observations' root
// objects, candidates found through a key are evaluated in full, and
// unindexed indicators are evaluated on every call. Indicators are
// reported in the order they were added. An error of one evaluation (see
// MaxEvalSteps) does not stop the others; the errors are returned joined.
func (ix *Index) Match(obs []Observation, now time.Time, fn func(IndexMatch) bool) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	s := hitSink{ix: ix, t: validSeconds(now), match: true, direct: map[uint32]int{}, cands: map[uint32]struct{}{}}
	ev := evaluator{limit: MaxEvalSteps}
	var errs []error
	for i := range obs {
		s.obs = i
		if err := ix.extract(&s, &ev, &obs[i]); err != nil {
			errs = append(errs, err)
			break
		}
	}
	for _, h := range ix.always {
		if ix.entries[h].live(s.t) {
			s.cands[h] = struct{}{}
		}
	}
	handles := make([]uint32, 0, len(s.direct)+len(s.cands))
	for h := range s.direct {
		handles = append(handles, h)
	}
	for h := range s.cands {
		handles = append(handles, h)
	}
	slices.Sort(handles)
	for _, h := range handles {
		m := IndexMatch{ID: ix.entries[h].id, Name: ix.names[h]}
		if i, ok := s.direct[h]; ok {
			m.Result = Result{Matched: true, Observations: []int{i}}
		} else {
			r, err := ix.pats[h].Match(obs)
			if err != nil {
				errs = append(errs, fmt.Errorf("indicator %s: %w", m.ID, err))
				continue
			}
			if !r.Matched {
				continue
			}
			m.Result = r
		}
		if !fn(m) {
			break
		}
	}
	return errors.Join(errs...)
}

// MatchObservation is Match for a single observation.
func (ix *Index) MatchObservation(o Observation, now time.Time, fn func(IndexMatch) bool) error {
	return ix.Match([]Observation{o}, now, fn)
}

// extract looks up the values of one observation's root objects: the
// canonical property of each observable type, every hash, and the values
// of registered paths.
func (ix *Index) extract(s *hitSink, ev *evaluator, o *Observation) error {
	var buf [512]byte
	ev.obs = o
	for _, id := range o.Roots {
		root := o.Objects[id]
		if root == nil {
			continue
		}
		t, _ := root["type"].(string)
		v, _ := root["value"].(string)
		s.confirm = true
		switch t {
		case "ipv4-addr", "ipv6-addr":
			if pfx, ok := parsePrefix(v); ok {
				s.kind = KindIPv4
				if t == "ipv6-addr" {
					s.kind = KindIPv6
				}
				ix.lookupIP(s, pfx)
			}
		case "domain-name":
			s.kind = KindDomain
			ix.lookupString(s, tabDomain, appendLowerASCII(buf[:0], v))
		case "url":
			u := appendNormalizedURL(buf[:0], v)
			s.kind, s.confirm = KindURL, string(u) == v
			ix.lookupString(s, tabURL, u)
		case "email-addr":
			e := appendLowerASCII(buf[:0], v)
			s.kind, s.confirm = KindEmail, string(e) == v
			ix.lookupString(s, tabEmail, e)
		case "file":
			if name, ok := root["name"].(string); ok {
				s.kind = KindFileName
				ix.lookupString(s, tabFile, []byte(name))
			}
		}
		if hm, ok := root["hashes"].(map[string]any); ok {
			for k, hv := range hm {
				sv, ok := hv.(string)
				if !ok {
					continue
				}
				alg := vocabularyAlg(k)
				s.kind = hashKind(alg)
				s.confirm = t == "file" && s.kind != 0 && resolveHashKey(hm, alg) == k
				ix.lookupHash(s, alg, sv, buf[:0])
			}
		}
		s.confirm = false
		for _, rp := range ix.byType[t] {
			ev.visit = func(v any, ctx valueCtx) { ix.visitRegistered(s, rp, v, ctx) }
			ev.comparison(&rp.cmp, root)
			if ev.err != nil {
				return ev.err
			}
		}
	}
	return nil
}

// lookupString looks a key up in one of the string tables.
func (ix *Index) lookupString(s *hitSink, tab table, k []byte) {
	if p, ok := ix.str[tab][string(k)]; ok {
		s.emit(p, false)
	}
}

// visitRegistered looks up a value reached by a registered path in the
// tables the path's keys were filed in.
func (ix *Index) visitRegistered(s *hitSink, rp *regPath, v any, ctx valueCtx) {
	sv, ok := v.(string)
	if !ok {
		return
	}
	var buf [512]byte
	if rp.count[tabIP] > 0 || rp.count[tabIPSub] > 0 || rp.count[tabIPSup] > 0 {
		if pfx, ok := parsePrefix(sv); ok {
			ix.lookupIP(s, pfx)
		}
	}
	if rp.count[tabHash] > 0 && ctx.hashes {
		ix.lookupHash(s, vocabularyAlg(ctx.key), sv, buf[:0])
	}
	if rp.count[tabOther] > 0 {
		ix.lookupString(s, tabOther, appendLowerASCII(buf[:0], sv))
	}
}

// resolveHashKey returns the key of a hashes dictionary that lookupHash
// reads for algorithm alg.
func resolveHashKey(m map[string]any, alg string) string {
	if _, ok := m[alg]; ok {
		return alg
	}
	want := normalizeHashAlg(alg)
	best := ""
	for k := range m {
		if normalizeHashAlg(k) == want && (best == "" || k < best) {
			best = k
		}
	}
	return best
}
