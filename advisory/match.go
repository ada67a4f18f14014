package advisory

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/osv-scalibr/semantic"

	"github.com/vigie-cti/vigie/sbom"
)

// Matcher decides which versions of a package one affected entry covers,
// following the OSV evaluation rules: a version is affected when it is in the
// versions list or in one of the ranges; in a range, events are sorted in the
// range's ordering, "introduced" (with "0" before every version) opens,
// "fixed" (exclusive) and "last_affected" (inclusive) close, and "limit"
// events bound the range from above. SEMVER ranges use Semantic Versioning
// 2.0 precedence (a leading "v" in the package's version is ignored, as Go
// writes it); ECOSYSTEM ranges use the ecosystem's own ordering (PEP 440,
// Maven, Debian, RPM, Alpine, ...). GIT ranges cannot be decided from a
// version number and are skipped.
//
// A Matcher is immutable once built and safe for concurrent use.
type Matcher struct {
	ecosystem string // base ecosystem
	ranges    []compiledRange
	versions  map[string]bool
	parsed    []semantic.Version // the versions list in the ecosystem's ordering
	// Skipped counts the ranges the matcher cannot evaluate: GIT ranges,
	// and ECOSYSTEM ranges of ecosystems without a known version ordering.
	Skipped int
}

type compiledRange struct {
	semver bool
	events []compiledEvent // sorted; limits are kept apart
	limits []semantic.Version
}

type compiledEvent struct {
	kind byte // 'i' introduced, 'f' fixed, 'l' last_affected
	raw  string
	v    semantic.Version // nil for introduced "0"
}

// NewMatcher compiles an affected entry. It fails only when an event version
// does not parse, which ParseOSV has already refused.
func NewMatcher(af Affected) (*Matcher, error) {
	m := &Matcher{ecosystem: sbom.BaseEcosystem(af.Ecosystem)}
	_, ecoErr := semantic.Parse("0", af.Ecosystem)
	ecoSupported := ecoErr == nil || !isUnsupported(ecoErr)
	for _, r := range af.Ranges {
		switch {
		case r.Type == RangeGit, r.Type == RangeEcosystem && !ecoSupported:
			m.Skipped++
			continue
		case r.Type != RangeSemver && r.Type != RangeEcosystem:
			m.Skipped++
			continue
		}
		cr, err := compileRange(r, af.Ecosystem)
		if err != nil {
			return nil, err
		}
		m.ranges = append(m.ranges, cr)
	}
	if len(af.Versions) > 0 {
		m.versions = make(map[string]bool, len(af.Versions))
		for _, v := range af.Versions {
			m.versions[v] = true
			if ecoSupported {
				if pv, err := semantic.Parse(v, af.Ecosystem); err == nil {
					m.parsed = append(m.parsed, pv)
				}
			}
		}
	}
	return m, nil
}

func compileRange(r Range, ecosystem string) (compiledRange, error) {
	cr := compiledRange{semver: r.Type == RangeSemver}
	for _, e := range r.Events {
		var ce compiledEvent
		switch {
		case e.Introduced != "":
			ce = compiledEvent{kind: 'i', raw: e.Introduced}
		case e.Fixed != "":
			ce = compiledEvent{kind: 'f', raw: e.Fixed}
		case e.LastAffected != "":
			ce = compiledEvent{kind: 'l', raw: e.LastAffected}
		case e.Limit != "":
			if e.Limit == "*" {
				// An explicit infinite limit bounds nothing.
				cr.limits = append(cr.limits, nil)
				continue
			}
			v, err := parseIn(cr.semver, e.Limit, ecosystem)
			if err != nil {
				return cr, err
			}
			cr.limits = append(cr.limits, v)
			continue
		default:
			continue
		}
		if !(ce.kind == 'i' && ce.raw == "0") {
			v, err := parseIn(cr.semver, ce.raw, ecosystem)
			if err != nil {
				return cr, err
			}
			ce.v = v
		}
		cr.events = append(cr.events, ce)
	}
	var sortErr error
	slices.SortStableFunc(cr.events, func(a, b compiledEvent) int {
		switch {
		case a.v == nil && b.v == nil:
			return 0
		case a.v == nil:
			return -1
		case b.v == nil:
			return 1
		}
		c, err := a.v.Compare(b.v)
		if err != nil && sortErr == nil {
			sortErr = err
		}
		return c
	})
	if sortErr != nil {
		return cr, fmt.Errorf("%w: sort events: %w", ErrMalformed, sortErr)
	}
	return cr, nil
}

func parseIn(semver bool, v, ecosystem string) (semantic.Version, error) {
	if semver {
		return semantic.ParseSemverVersion(v), nil
	}
	pv, err := semantic.Parse(v, ecosystem)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a %s version: %w", ErrMalformed, v, ecosystem, err)
	}
	return pv, nil
}

// Affects reports whether version is affected, and the version that fixes it
// when the matching range names one. An error means the version does not
// parse in the ecosystem's ordering; the version is then only compared with
// the versions list.
func (m *Matcher) Affects(version string) (affected bool, fixed string, err error) {
	if m.versions[version] || m.versions[strings.TrimPrefix(version, "v")] {
		return true, m.fixedAbove(version), nil
	}
	var eco, semv semantic.Version
	var ecoErr error
	if len(m.parsed) > 0 || m.hasRange(false) {
		eco, ecoErr = semantic.Parse(version, m.ecosystem)
		if ecoErr == nil {
			for _, pv := range m.parsed {
				if c, err := eco.Compare(pv); err == nil && c == 0 {
					return true, m.fixedAbove(version), nil
				}
			}
		}
	}
	for _, r := range m.ranges {
		v := eco
		if r.semver {
			if semv == nil {
				semv = semantic.ParseSemverVersion(version)
			}
			v = semv
		} else if ecoErr != nil {
			continue
		}
		if ok, fix := r.affects(v); ok {
			return true, fix, nil
		}
	}
	if ecoErr != nil && !isUnsupported(ecoErr) {
		return false, "", fmt.Errorf("version %q: %w", version, ecoErr)
	}
	return false, "", nil
}

func (m *Matcher) hasRange(semver bool) bool {
	for _, r := range m.ranges {
		if r.semver == semver {
			return true
		}
	}
	return false
}

// fixedAbove returns the lowest fixed version of the ranges above version,
// for a version found in the versions list.
func (m *Matcher) fixedAbove(version string) string {
	for _, r := range m.ranges {
		v, err := parseIn(r.semver, version, m.ecosystem)
		if err != nil {
			continue
		}
		for _, e := range r.events {
			if e.kind == 'f' {
				if c, err := v.Compare(e.v); err == nil && c < 0 {
					return e.raw
				}
			}
		}
	}
	return ""
}

// affects evaluates one range for v, returning the fixed version that closes
// the affected interval v is in, if any.
func (r *compiledRange) affects(v semantic.Version) (bool, string) {
	if len(r.limits) > 0 {
		below := false
		for _, l := range r.limits {
			if l == nil {
				below = true
				break
			}
			if c, err := v.Compare(l); err == nil && c < 0 {
				below = true
				break
			}
		}
		if !below {
			return false, ""
		}
	}
	vulnerable := false
	at := -1
	for i, e := range r.events {
		switch e.kind {
		case 'i':
			if e.v == nil {
				vulnerable, at = true, i
			} else if c, err := v.Compare(e.v); err == nil && c >= 0 {
				vulnerable, at = true, i
			}
		case 'f':
			if c, err := v.Compare(e.v); err == nil && c >= 0 {
				vulnerable = false
			}
		case 'l':
			if c, err := v.Compare(e.v); err == nil && c > 0 {
				vulnerable = false
			}
		}
	}
	if !vulnerable {
		return false, ""
	}
	for _, e := range r.events[at+1:] {
		if e.kind == 'f' {
			return true, e.raw
		}
	}
	return true, ""
}

func isUnsupported(err error) bool {
	return errors.Is(err, semantic.ErrUnsupportedEcosystem)
}
