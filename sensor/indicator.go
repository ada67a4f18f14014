// Package sensor is the matching core of "vigie scan": the indicators a
// member holds locally (from a hub or a bundle), the Matcher that looks
// up what files and logs yield, the hits it finds, and the STIX sightings
// that tell the hub where a threat is active. It knows nothing of HTTP or
// of the command line; sensor/logs, sensor/files and sensor/yara read the
// data, sensor/feed talks to hubs, and cmd/vigie wires them.
package sensor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/internal/jsonscan"
	"github.com/vigie-cti/vigie/stix"
)

// Indicator is one STIX indicator as the sensor keeps it.
type Indicator struct {
	ID           string
	Name         string
	PatternType  string // "stix", "yara", ...
	Pattern      string
	ValidFrom    time.Time
	ValidUntil   time.Time // zero: no end
	Modified     time.Time
	Revoked      bool
	CreatedByRef string
	// TLP is the most restrictive TLP level of its markings, object-level
	// and granular (TLPNone when unmarked).
	TLP vigie.TLP
}

// Expired reports whether the indicator is no longer valid at now.
func (i *Indicator) Expired(now time.Time) bool {
	return !i.ValidUntil.IsZero() && !now.Before(i.ValidUntil)
}

// stixIndicator holds the properties of an indicator the sensor reads.
type stixIndicator struct {
	Type, ID, Name, Pattern, PatternType string
	ValidFrom, ValidUntil                string
	Created, Modified, CreatedByRef      string
	Revoked, RevokedBad, BadUTF8         bool
	ObjectMarkingRefs, GranularMarkings  []string
}

// The properties an indicatorReader reads, as scanner actions.
const (
	fType = jsonscan.Report + iota
	fID
	fName
	fPattern
	fPatternType
	fValidFrom
	fValidUntil
	fCreated
	fModified
	fRevoked
	fCreatedBy
	fMarkings
	fGranular
)

// indicatorReader reads indicators without building the whole object; one
// per goroutine.
type indicatorReader struct {
	js  jsonscan.Scanner
	cur stixIndicator
}

func newIndicatorReader() *indicatorReader {
	r := &indicatorReader{}
	r.js.Field = indicatorField
	r.js.Visit = r.visit
	return r
}

func indicatorField(path []byte) uint8 {
	switch string(path) {
	case "type":
		return fType
	case "id":
		return fID
	case "name":
		return fName
	case "pattern":
		return fPattern
	case "pattern_type":
		return fPatternType
	case "valid_from":
		return fValidFrom
	case "valid_until":
		return fValidUntil
	case "created":
		return fCreated
	case "modified":
		return fModified
	case "revoked":
		return fRevoked
	case "created_by_ref":
		return fCreatedBy
	case "object_marking_refs":
		return fMarkings
	case "granular_markings":
		return jsonscan.Descend
	case "granular_markings.marking_ref":
		return fGranular
	}
	return jsonscan.Skip
}

func (r *indicatorReader) visit(act uint8, v []byte, str bool) {
	c := &r.cur
	if act == fRevoked {
		c.Revoked = !str && string(v) == "true"
		c.RevokedBad = str || (string(v) != "true" && string(v) != "false")
		return
	}
	if !str {
		return // a number where a string belongs: the property is missing
	}
	if !utf8.Valid(v) {
		c.BadUTF8 = true
		return
	}
	switch act {
	case fType:
		c.Type = string(v)
	case fID:
		c.ID = string(v)
	case fName:
		c.Name = string(v)
	case fPattern:
		c.Pattern = string(v)
	case fPatternType:
		c.PatternType = string(v)
	case fValidFrom:
		c.ValidFrom = string(v)
	case fValidUntil:
		c.ValidUntil = string(v)
	case fCreated:
		c.Created = string(v)
	case fModified:
		c.Modified = string(v)
	case fCreatedBy:
		c.CreatedByRef = string(v)
	case fMarkings:
		c.ObjectMarkingRefs = append(c.ObjectMarkingRefs, string(v))
	case fGranular:
		c.GranularMarkings = append(c.GranularMarkings, string(v))
	}
}

// ErrNotIndicator is returned by ParseIndicator for a STIX object of
// another type; bundles hold many, and they are not errors.
var ErrNotIndicator = errors.New("not an indicator")

// ParseIndicator reads one STIX object. Objects of other types return
// ErrNotIndicator; an indicator without the properties matching needs
// (id, pattern, pattern_type, valid_from as a STIX timestamp) is an error
// that names the object. Only the properties the sensor uses are read;
// the others are skipped with their syntax checked only for balance.
func ParseIndicator(raw []byte) (*Indicator, error) {
	return newIndicatorReader().parse(raw)
}

func (r *indicatorReader) parse(raw []byte) (*Indicator, error) {
	r.cur = stixIndicator{}
	if err := r.js.Scan(raw); err != nil {
		return nil, fmt.Errorf("stix object: %w", err)
	}
	s := &r.cur
	if s.Type != "indicator" {
		return nil, ErrNotIndicator
	}
	fail := func(format string, args ...any) (*Indicator, error) {
		return nil, fmt.Errorf("indicator %s: %s", s.ID, fmt.Sprintf(format, args...))
	}
	if !strings.HasPrefix(s.ID, "indicator--") {
		return fail("id is not indicator--<UUID>")
	}
	if s.Pattern == "" || s.PatternType == "" {
		return fail("pattern and pattern_type are required")
	}
	if s.RevokedBad {
		return fail("revoked is not true or false")
	}
	if s.BadUTF8 {
		return fail("a property is not valid UTF-8")
	}
	ind := &Indicator{ID: s.ID, Name: s.Name, PatternType: s.PatternType, Pattern: s.Pattern,
		Revoked: s.Revoked, CreatedByRef: s.CreatedByRef}
	var err error
	if ind.ValidFrom, err = stix.ParseTimestamp(s.ValidFrom); err != nil {
		return fail("valid_from: %v", err)
	}
	if s.ValidUntil != "" {
		if ind.ValidUntil, err = stix.ParseTimestamp(s.ValidUntil); err != nil {
			return fail("valid_until: %v", err)
		}
	}
	mod := s.Modified
	if mod == "" {
		mod = s.Created
	}
	if mod != "" {
		if ind.Modified, err = stix.ParseTimestamp(mod); err != nil {
			return fail("modified: %v", err)
		}
	}
	ind.TLP = vigie.HighestTLP(s.ObjectMarkingRefs, s.GranularMarkings)
	return ind, nil
}

// ParseIndicators reads many objects on all cores. Each result is an
// indicator, or nil with the object's error (ErrNotIndicator for other
// types), in the order of raws.
func ParseIndicators(raws [][]byte) ([]*Indicator, []error) {
	inds := make([]*Indicator, len(raws))
	errs := make([]error, len(raws))
	workers := runtime.GOMAXPROCS(0)
	chunk := max((len(raws)+workers-1)/workers, 1)
	var wg sync.WaitGroup
	for lo := 0; lo < len(raws); lo += chunk {
		hi := min(lo+chunk, len(raws))
		wg.Go(func() {
			r := newIndicatorReader()
			for i := lo; i < hi; i++ {
				inds[i], errs[i] = r.parse(raws[i])
			}
		})
	}
	wg.Wait()
	return inds, errs
}

// Set holds the newest version of each indicator it is given. A Set is
// not safe for concurrent use.
type Set struct {
	byID  map[string]*Indicator
	order []string
}

// NewSet returns an empty Set.
func NewSet() *Set { return &Set{byID: map[string]*Indicator{}} }

// Add keeps ind unless the set holds a version of the same indicator that
// is as new or newer. A revoked version replaces the others, and Active
// drops it.
func (s *Set) Add(ind *Indicator) {
	old, ok := s.byID[ind.ID]
	if ok && !ind.Modified.After(old.Modified) && !(ind.Revoked && !old.Revoked) {
		return
	}
	if !ok {
		s.order = append(s.order, ind.ID)
	}
	s.byID[ind.ID] = ind
}

// AddJSON parses one STIX object and adds it when it is an indicator.
// Objects of other types are ignored.
func (s *Set) AddJSON(raw []byte) error {
	ind, err := ParseIndicator(raw)
	if errors.Is(err, ErrNotIndicator) {
		return nil
	}
	if err != nil {
		return err
	}
	s.Add(ind)
	return nil
}

// AddBundle adds the indicators of a STIX bundle and returns the
// problems of the objects it could not read; a bundle that is not one is
// a single error.
func (s *Set) AddBundle(data []byte) []error {
	objs, err := stix.ParseBundle(data)
	if err != nil {
		return []error{fmt.Errorf("stix bundle: %w", err)}
	}
	raws := make([][]byte, len(objs))
	for i, o := range objs {
		raws[i] = o
	}
	return s.addAll(raws, "object %d")
}

// addAll parses raws in parallel and adds them in order; where names the
// position of a problem ("object %d", "line %d"), counted from 0 or 1.
func (s *Set) addAll(raws [][]byte, where string) []error {
	inds, perrs := ParseIndicators(raws)
	var errs []error
	base := 0
	if strings.Contains(where, "line") {
		base = 1
	}
	for i, ind := range inds {
		switch {
		case ind != nil:
			s.Add(ind)
		case !errors.Is(perrs[i], ErrNotIndicator):
			errs = append(errs, fmt.Errorf(where+": %w", i+base, perrs[i]))
		}
	}
	return errs
}

// AddData adds the indicators of STIX content in any of the forms
// indicators are exchanged in: a bundle, a JSON array of objects, one
// object, or one object per line (as the hub cache keeps them). It returns
// the problems of the objects it could not read, with their position.
func (s *Set) AddData(data []byte) []error {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return nil
	}
	if trimmed[0] == '[' {
		var objs []json.RawMessage
		if err := json.Unmarshal(trimmed, &objs); err != nil {
			return []error{fmt.Errorf("JSON array of STIX objects: %w", err)}
		}
		raws := make([][]byte, len(objs))
		for i, o := range objs {
			raws[i] = o
		}
		return s.addAll(raws, "object %d")
	}
	if first, rest, ok := bytes.Cut(trimmed, []byte{'\n'}); ok && len(bytes.TrimSpace(rest)) > 0 && json.Valid(first) {
		lines := bytes.Split(trimmed, []byte{'\n'})
		var errs []error
		kept := lines[:0]
		var numbers []int
		for n, l := range lines {
			if len(bytes.TrimSpace(l)) > 0 {
				kept = append(kept, l)
				numbers = append(numbers, n+1)
			}
		}
		inds, perrs := ParseIndicators(kept)
		for i, ind := range inds {
			switch {
			case ind != nil:
				s.Add(ind)
			case !errors.Is(perrs[i], ErrNotIndicator):
				errs = append(errs, fmt.Errorf("line %d: %w", numbers[i], perrs[i]))
			}
		}
		return errs
	}
	if errs := s.AddBundle(trimmed); len(errs) != 1 || !isNotBundle(trimmed) {
		return errs
	}
	if err := s.AddJSON(trimmed); err != nil {
		return []error{err}
	}
	return nil
}

// isNotBundle reports whether one JSON object has a type other than
// bundle (it is then read as a single object).
func isNotBundle(obj []byte) bool {
	var js jsonscan.Scanner
	typ := ""
	js.Field = func(path []byte) uint8 {
		if string(path) == "type" {
			return jsonscan.Report
		}
		return jsonscan.Skip
	}
	js.Visit = func(_ uint8, v []byte, _ bool) { typ = string(v) }
	return js.Scan(obj) == nil && typ != "bundle"
}

// Len returns the number of indicators held, revoked and expired ones
// included.
func (s *Set) Len() int { return len(s.byID) }

// All returns every indicator held, in the order they were first added.
func (s *Set) All() []*Indicator {
	out := make([]*Indicator, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.byID[id])
	}
	return out
}

// Active returns the indicators neither revoked nor expired at now, in
// the order they were first added, and how many it dropped.
func (s *Set) Active(now time.Time) (active []*Indicator, revoked, expired int) {
	active = make([]*Indicator, 0, len(s.order))
	for _, id := range s.order {
		ind := s.byID[id]
		switch {
		case ind.Revoked:
			revoked++
		case ind.Expired(now):
			expired++
		default:
			active = append(active, ind)
		}
	}
	return active, revoked, expired
}
