package indicator

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigie-cti/vigie/pattern"
)

// Lookup calls fn with each indicator, valid at now, filed under an
// observable value, until fn returns false. Values are compared in the
// Index's normal forms: IP addresses and CIDR blocks as address blocks
// (an address also finds the ISSUBSET blocks that contain it), domain
// names and e-mail addresses in lower case (a domain also finds its parent
// domains unless Options.ExactDomains is set; a final dot is
// ignored), URLs by NormalizeURL, hashes as digests whatever the case of
// their hex digits, file names exactly. Each indicator is reported once per
// call. Hits with Direct false are candidates to confirm. Lookup does not
// allocate (unless one value has more than 16 hits) and takes no lock
// unless a writer changes the Index meanwhile (see Index); fn is called
// once the search is complete.
func (ix *Index) Lookup(kind ObservableKind, value string, now time.Time, fn func(Hit) bool) {
	s := hitSink{t: validSeconds(now)}
	if seq := ix.seq.Load(); seq&1 == 0 {
		s.v = ix.cur.Load()
		s.lookup(kind, value, ix.opts.ExactDomains)
		if !s.bad && ix.seq.Load() == seq {
			if s.nhits > 0 {
				s.report(fn)
			}
			return
		}
	}
	ix.lookupLocked(kind, value, s.t, fn)
}

// lookupLocked is Lookup under the read lock, when a writer changed the
// tables during the lock-free attempt.
func (ix *Index) lookupLocked(kind ObservableKind, value string, t uint32, fn func(Hit) bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	s := hitSink{t: t, v: ix.cur.Load()}
	s.lookup(kind, value, ix.opts.ExactDomains)
	s.report(fn)
}

// Match finds the indicators, valid at now, that the observations match,
// and calls fn with each until fn returns false. Its answers are those of
// evaluating every indicator's pattern with (*pattern.Pattern).Match:
// direct indicators match on their keys, read from the observations' root
// objects, candidates found through a key are evaluated in full, and
// unindexed indicators are evaluated on every call. Indicators are
// reported in the order they were added. An error of one evaluation (see
// pattern.MaxEvalSteps) does not stop the others; the errors are returned
// joined.
func (ix *Index) Match(obs []pattern.Observation, now time.Time, fn func(Match) bool) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	s := hitSink{v: ix.cur.Load(), t: validSeconds(now), match: true, direct: map[uint32]int{}, cands: map[uint32]struct{}{}}
	var w pattern.Walker
	var errs []error
	for i := range obs {
		s.obs = i
		if err := ix.extract(&s, &w, &obs[i]); err != nil {
			errs = append(errs, err)
			break
		}
	}
	for _, h := range ix.always {
		if ix.w.entries[h].live(s.t) {
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
		m := Match{ID: ix.w.entries[h].id}
		if int(h) < len(ix.w.names) {
			m.Name = ix.w.names[h]
		}
		if i, ok := s.direct[h]; ok {
			m.Result = pattern.Result{Matched: true, Observations: []int{i}}
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
func (ix *Index) MatchObservation(o pattern.Observation, now time.Time, fn func(Match) bool) error {
	return ix.Match([]pattern.Observation{o}, now, fn)
}

// extract looks up the values of one observation's root objects: the
// canonical property of each observable type, every hash, and the values
// of registered paths.
func (ix *Index) extract(s *hitSink, w *pattern.Walker, o *pattern.Observation) error {
	var buf [512]byte
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
			if pfx, ok := pattern.AddressBlock(v); ok {
				s.kind = KindIPv4
				if t == "ipv6-addr" {
					s.kind = KindIPv6
				}
				s.lookupIP(pfx)
			}
		case "domain-name":
			s.kind = KindDomain
			lookupKey(s, tabDomain, appendLowerASCII(buf[:0], v), false)
		case "url":
			u := appendNormalizedURL(buf[:0], v)
			s.kind, s.confirm = KindURL, string(u) == v
			lookupKey(s, tabURL, u, false)
		case "email-addr":
			e := appendLowerASCII(buf[:0], v)
			s.kind, s.confirm = KindEmail, string(e) == v
			lookupKey(s, tabEmail, e, false)
		case "file":
			if name, ok := root["name"].(string); ok {
				s.kind = KindFileName
				lookupKey(s, tabFile, name, false)
			}
		}
		if hm, ok := root["hashes"].(map[string]any); ok {
			for k, hv := range hm {
				sv, ok := hv.(string)
				if !ok {
					continue
				}
				alg := pattern.HashAlgorithm(k)
				s.kind = hashKind(alg)
				s.confirm = t == "file" && s.kind != 0 && readsHashKey(hm, alg, k)
				s.lookupHash(alg, sv)
			}
		}
		s.confirm = false
		for _, rp := range ix.byType[t] {
			visit := func(v any, key string, inHashes bool) { ix.visitRegistered(s, rp, v, key, inHashes) }
			if err := w.Values(o, root, rp.path, visit); err != nil {
				return err
			}
		}
	}
	return nil
}

// visitRegistered looks up a value reached by a registered path in the
// tables the path's keys were filed in.
func (ix *Index) visitRegistered(s *hitSink, rp *regPath, v any, key string, inHashes bool) {
	sv, ok := v.(string)
	if !ok {
		return
	}
	var buf [512]byte
	if rp.count[tabIP] > 0 || rp.count[tabIPSub] > 0 || rp.count[tabIPSup] > 0 {
		if pfx, ok := pattern.AddressBlock(sv); ok {
			s.lookupIP(pfx)
		}
	}
	if rp.count[tabHash] > 0 && inHashes {
		s.lookupHash(pattern.HashAlgorithm(key), sv)
	}
	if rp.count[tabOther] > 0 {
		lookupKey(s, tabOther, appendLowerASCII(buf[:0], sv), false)
	}
}

// readsHashKey reports whether a comparison on hashes.alg reads key k of
// the hashes dictionary hm (see pattern.HashKey).
func readsHashKey(hm map[string]any, alg, k string) bool {
	hk, ok := pattern.HashKey(hm, alg)
	return ok && hk == k
}
