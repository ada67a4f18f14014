package sensor

import (
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/vigie-cti/vigie/indicator"
	"github.com/vigie-cti/vigie/pattern"
)

// HashAlgs is a set of file hash algorithms.
type HashAlgs uint8

// The hash algorithms the file scanner computes.
const (
	MD5 HashAlgs = 1 << iota
	SHA1
	SHA256
	SHA512
	AllHashes = MD5 | SHA1 | SHA256 | SHA512
)

// String lists the algorithms, such as "MD5,SHA-256".
func (h HashAlgs) String() string {
	var names []string
	for i, n := range []string{"MD5", "SHA-1", "SHA-256", "SHA-512"} {
		if h&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return strings.Join(names, ",")
}

// MatcherOptions configures a Matcher.
type MatcherOptions struct {
	// Now is the instant at which indicators must be valid: the start of
	// the scan.
	Now time.Time
	// ExactDomains turns off matching a domain's parent domains.
	ExactDomains bool
}

// IndicatorError is an indicator the Matcher cannot use, and why.
type IndicatorError struct {
	ID, Name string
	Err      error
}

// Error names the indicator.
func (e *IndicatorError) Error() string { return fmt.Sprintf("indicator %s: %v", e.ID, e.Err) }

// Unwrap returns the cause.
func (e *IndicatorError) Unwrap() error { return e.Err }

// MatcherStats counts the indicators of a Matcher by how they are used.
type MatcherStats struct {
	STIX        int // STIX patterns filed in the index
	Correlated  int // among them, patterns over several observations (see Correlated)
	YARA        int // YARA rules, for the file scanner
	Unsupported int // other pattern types (sigma, snort, ...), not used
	Index       indicator.Stats
}

// Matcher looks observables up among the active indicators: STIX
// patterns through a indicator.Index, YARA rules kept for the file scanner.
// It is safe for concurrent use through Sessions, one per goroutine.
type Matcher struct {
	ix     *indicator.Index
	multi  []Correlated
	byID   map[string]*Indicator
	yara   []*Indicator
	hashes HashAlgs
	now    time.Time
	stats  MatcherStats
}

// NewMatcher compiles the indicators. Patterns are parsed on all cores.
// An indicator whose pattern does not parse is returned as an
// IndicatorError with the parser's message; the others are used.
func NewMatcher(inds []*Indicator, opts MatcherOptions) (*Matcher, []*IndicatorError) {
	m := &Matcher{
		ix:   indicator.NewIndex(indicator.Options{ExactDomains: opts.ExactDomains}),
		byID: make(map[string]*Indicator, len(inds)),
		now:  opts.Now,
	}
	var stixInds []*Indicator
	for _, ind := range inds {
		switch strings.ToLower(ind.PatternType) {
		case "stix":
			stixInds = append(stixInds, ind)
		case "yara":
			m.yara = append(m.yara, ind)
			m.byID[ind.ID] = ind
		default:
			m.stats.Unsupported++
		}
	}
	pats, perrs := parsePatterns(stixInds)
	var errs []*IndicatorError
	for i, ind := range stixInds {
		if perrs[i] != nil {
			errs = append(errs, &IndicatorError{ID: ind.ID, Name: ind.Name, Err: perrs[i]})
			continue
		}
		err := m.ix.Add(indicator.Indicator{ID: ind.ID, Name: ind.Name, Pattern: pats[i], ValidFrom: ind.ValidFrom, ValidUntil: ind.ValidUntil})
		if err != nil {
			errs = append(errs, &IndicatorError{ID: ind.ID, Name: ind.Name, Err: err})
			continue
		}
		m.byID[ind.ID] = ind
		m.hashes |= patternHashes(pats[i])
		m.stats.STIX++
		if !pats[i].SingleObservation() || comparesType(pats[i], "network-traffic") {
			m.multi = append(m.multi, Correlated{Indicator: ind, Pattern: pats[i]})
		}
	}
	m.stats.YARA = len(m.yara)
	m.stats.Correlated = len(m.multi)
	m.stats.Index = m.ix.Stats()
	return m, errs
}

// parsePatterns parses the patterns of inds on all cores.
func parsePatterns(inds []*Indicator) ([]*pattern.Pattern, []error) {
	pats := make([]*pattern.Pattern, len(inds))
	errs := make([]error, len(inds))
	workers := runtime.GOMAXPROCS(0)
	chunk := (len(inds) + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < len(inds); lo += chunk {
		hi := min(lo+chunk, len(inds))
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				pats[i], errs[i] = pattern.Parse(inds[i].Pattern)
			}
		})
	}
	wg.Wait()
	return pats, errs
}

// patternHashes returns the algorithms of the file hashes a pattern
// compares ([*] or an unknown name: all of them).
func patternHashes(p *pattern.Pattern) HashAlgs {
	var h HashAlgs
	for _, c := range p.Comparisons() {
		st := c.Path.Steps
		if len(st) < 2 || st[0].Kind != pattern.StepKey || st[0].Key != "hashes" {
			continue
		}
		if st[1].Kind != pattern.StepKey {
			h |= AllHashes
			continue
		}
		switch strings.ToUpper(strings.ReplaceAll(st[1].Key, "-", "")) {
		case "MD5":
			h |= MD5
		case "SHA1":
			h |= SHA1
		case "SHA256":
			h |= SHA256
		case "SHA512":
			h |= SHA512
		}
	}
	return h
}

// Hashes returns the file hash algorithms the STIX patterns compare: the
// file scanner computes only these.
func (m *Matcher) Hashes() HashAlgs { return m.hashes }

// Correlated is an indicator whose pattern needs several observations
// (AND, OR or FOLLOWEDBY of observation expressions, or a qualifier such as
// REPEATS or WITHIN) or compares network-traffic objects: a single value
// never matches it; a correlator (sensor/correlate) evaluates it over a
// stream of events (log lines, with their flows).
type Correlated struct {
	Indicator *Indicator
	Pattern   *pattern.Pattern
}

// comparesType reports whether a pattern compares objects of type t.
func comparesType(p *pattern.Pattern, t string) bool {
	for _, c := range p.Comparisons() {
		if c.Path.ObjectType == t {
			return true
		}
	}
	return false
}

// Correlated returns the indicators whose patterns need several
// observations, or a log line as a whole (network-traffic: which address
// and port is whose).
func (m *Matcher) Correlated() []Correlated { return m.multi }

// YARA returns the indicators whose pattern is a YARA rule.
func (m *Matcher) YARA() []*Indicator { return m.yara }

// Indicator returns an indicator by id.
func (m *Matcher) Indicator(id string) (*Indicator, bool) {
	ind, ok := m.byID[id]
	return ind, ok
}

// Stats counts the indicators by how they are used.
func (m *Matcher) Stats() MatcherStats { return m.stats }

// Now returns the instant at which indicators are valid for this scan.
func (m *Matcher) Now() time.Time { return m.now }

// Match is an indicator that an observable matches.
type Match struct {
	Indicator *Indicator
	// Kind is the kind the observable was looked up as (KindHash and
	// KindIP resolve to their algorithm and family).
	Kind Kind
}

// Session looks observables up for one goroutine, without allocating
// when nothing matches.
type Session struct {
	m     *Matcher
	found []Match
	cands []string
	onHit func(indicator.Hit) bool
	kind  Kind
}

// NewSession returns a Session; each goroutine needs its own.
func (m *Matcher) NewSession() *Session {
	s := &Session{m: m}
	s.onHit = s.hit
	return s
}

func (s *Session) hit(h indicator.Hit) bool {
	if !h.Direct {
		s.cands = append(s.cands, h.ID)
		return true
	}
	if ind, ok := s.m.byID[h.ID]; ok {
		s.found = append(s.found, Match{Indicator: ind, Kind: s.kind})
	}
	return true
}

// Lookup returns the indicators that the observable matches. The slice
// is reused by the next call. A candidate (an indicator whose pattern
// tests more than this one value) is confirmed by evaluating its pattern
// against an observation of the value alone.
func (s *Session) Lookup(kind Kind, value []byte) []Match {
	s.found, s.cands = s.found[:0], s.cands[:0]
	pk, k := patternKind(kind, value)
	if pk == 0 {
		return nil
	}
	s.kind = k
	s.m.ix.Lookup(pk, unsafe.String(unsafe.SliceData(value), len(value)), s.m.now, s.onHit)
	if len(s.cands) > 0 {
		obj := observableObject(k, string(value))
		s.confirm(obj, s.m.now)
	}
	return s.found
}

// LookupObject matches a whole cyber-observable object (a file with its
// name, size and hashes): the candidates found by its values and the
// indicators that no value indexes are evaluated against it.
func (s *Session) LookupObject(obj map[string]any, at time.Time) ([]Match, error) {
	s.found = s.found[:0]
	o := pattern.Observation{FirstObserved: at, LastObserved: at, NumberObserved: 1,
		Objects: map[string]map[string]any{"0": obj}, Roots: []string{"0"}}
	err := s.m.ix.MatchObservation(o, s.m.now, func(im indicator.Match) bool {
		if ind, ok := s.m.byID[im.ID]; ok {
			s.found = append(s.found, Match{Indicator: ind, Kind: KindFile})
		}
		return true
	})
	return s.found, err
}

// confirm evaluates the candidates against one observable object.
func (s *Session) confirm(obj map[string]any, at time.Time) {
	o := pattern.Observation{FirstObserved: at, LastObserved: at, NumberObserved: 1,
		Objects: map[string]map[string]any{"0": obj}, Roots: []string{"0"}}
	_ = s.m.ix.MatchObservation(o, s.m.now, func(im indicator.Match) bool {
		for _, id := range s.cands {
			if id == im.ID {
				if ind, ok := s.m.byID[im.ID]; ok {
					s.found = append(s.found, Match{Indicator: ind, Kind: s.kind})
				}
				break
			}
		}
		return true
	})
}

// patternKind maps a reader's kind to the index's, deciding the family
// of an address and the algorithm of a digest by the value's form.
func patternKind(k Kind, v []byte) (indicator.ObservableKind, Kind) {
	switch k {
	case KindIP:
		if len(v) == 0 {
			return 0, k
		}
		for _, c := range v {
			if c == ':' {
				return indicator.KindIPv6, k
			}
		}
		return indicator.KindIPv4, k
	case KindDomain:
		return indicator.KindDomain, k
	case KindURL:
		return indicator.KindURL, k
	case KindEmail:
		return indicator.KindEmail, k
	case KindFileName:
		return indicator.KindFileName, k
	case KindMD5:
		return indicator.KindMD5, k
	case KindSHA1:
		return indicator.KindSHA1, k
	case KindSHA256:
		return indicator.KindSHA256, k
	case KindSHA512:
		return indicator.KindSHA512, k
	case KindHash:
		switch len(v) {
		case 32:
			return indicator.KindMD5, KindMD5
		case 40:
			return indicator.KindSHA1, KindSHA1
		case 64:
			return indicator.KindSHA256, KindSHA256
		case 128:
			return indicator.KindSHA512, KindSHA512
		}
	}
	return 0, k
}

// ObservableObject is the STIX cyber-observable object of one observable
// value, as patterns see it.
func ObservableObject(k Kind, v string) map[string]any { return observableObject(k, v) }

// observableObject is the STIX object of one observable value.
func observableObject(k Kind, v string) map[string]any {
	switch k {
	case KindIP:
		t := "ipv4-addr"
		if a, err := netip.ParseAddr(v); err == nil && a.Is6() {
			t = "ipv6-addr"
		}
		return map[string]any{"type": t, "value": v}
	case KindDomain:
		return map[string]any{"type": "domain-name", "value": v}
	case KindURL:
		return map[string]any{"type": "url", "value": v}
	case KindEmail:
		return map[string]any{"type": "email-addr", "value": v}
	case KindFileName:
		return map[string]any{"type": "file", "name": v}
	case KindMD5:
		return map[string]any{"type": "file", "hashes": map[string]any{"MD5": v}}
	case KindSHA1:
		return map[string]any{"type": "file", "hashes": map[string]any{"SHA-1": v}}
	case KindSHA256:
		return map[string]any{"type": "file", "hashes": map[string]any{"SHA-256": v}}
	case KindSHA512:
		return map[string]any{"type": "file", "hashes": map[string]any{"SHA-512": v}}
	}
	return map[string]any{}
}

// NeedsObjects reports whether some STIX patterns test more than one
// value of a file (a name and a size, a hash and a name...) or have no
// value to index: the file scanner then matches whole file objects with
// LookupObject instead of looking each value up.
func (m *Matcher) NeedsObjects() bool {
	return m.stats.Index.Candidates > 0 || m.stats.Index.Unindexed > 0
}
