package sensor

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/stix"
)

// MaxSightingCount is the largest count a STIX sighting may carry.
const MaxSightingCount = 999_999_999

// Sightings aggregates hits per indicator: how many, and the first and last
// time seen. A long run (a followed log) takes the aggregate out
// periodically to report it; Take starts a new period. It is not safe for
// concurrent use.
type Sightings struct {
	by    map[string]*sightingAgg
	order []string
	seen  map[string]struct{} // every indicator sighted, in every period
}

type sightingAgg struct {
	ind         *Indicator
	count       int
	first, last time.Time
}

// NewSightings returns an empty aggregate.
func NewSightings() *Sightings {
	return &Sightings{by: map[string]*sightingAgg{}, seen: map[string]struct{}{}}
}

// Add counts one hit.
func (s *Sightings) Add(h Hit) {
	s.merge(&sightingAgg{ind: h.Indicator, count: 1, first: h.Time, last: h.Time})
}

// merge adds the hits of one aggregate to the period.
func (s *Sightings) merge(b *sightingAgg) {
	id := b.ind.ID
	s.seen[id] = struct{}{}
	a, ok := s.by[id]
	if !ok {
		a = &sightingAgg{ind: b.ind, first: b.first, last: b.last}
		s.by[id] = a
		s.order = append(s.order, id)
	}
	a.count += b.count
	if b.first.Before(a.first) {
		a.first = b.first
	}
	if b.last.After(a.last) {
		a.last = b.last
	}
}

// Len returns the number of indicators sighted in the current period.
func (s *Sightings) Len() int { return len(s.order) }

// Indicators returns the number of distinct indicators sighted since
// NewSightings, over all periods.
func (s *Sightings) Indicators() int { return len(s.seen) }

// Take returns the current period's aggregate and starts a new, empty
// period.
func (s *Sightings) Take() *Sightings {
	t := &Sightings{by: s.by, order: s.order, seen: map[string]struct{}{}}
	for _, id := range s.order {
		t.seen[id] = struct{}{}
	}
	s.by, s.order = map[string]*sightingAgg{}, nil
	return t
}

// Restore puts back into the current period a taken aggregate that could
// not be reported, so that its hits go out with the next report.
func (s *Sightings) Restore(t *Sightings) {
	for _, id := range t.order {
		s.merge(t.by[id])
	}
}

// SightingOptions says who sighted and how to mark the sightings.
type SightingOptions struct {
	// OrgID is the identity of the member's organisation: the
	// where_sighted_refs and created_by_ref of every sighting.
	OrgID string
	// Now is the created and modified time of the sightings.
	Now time.Time
	// TLP is the least restrictive marking of a sighting; a sighting of a
	// more restrictive indicator takes the indicator's level, so that it
	// never travels further than what it sights.
	TLP vigie.TLP
	// NewID returns a fresh UUID; nil uses random (version 4) UUIDs.
	NewID func() string
}

// Objects returns one STIX 2.1 sighting per indicator sighted, in the
// order the indicators were first hit.
func (s *Sightings) Objects(opts SightingOptions) ([]json.RawMessage, error) {
	newID := opts.NewID
	if newID == nil {
		newID = NewUUID
	}
	now := stix.FormatTimestamp(opts.Now)
	out := make([]json.RawMessage, 0, len(s.order))
	for _, id := range s.order {
		a := s.by[id]
		o := map[string]any{
			"type":            "sighting",
			"spec_version":    "2.1",
			"id":              "sighting--" + newID(),
			"created":         now,
			"modified":        now,
			"sighting_of_ref": a.ind.ID,
			"count":           min(a.count, MaxSightingCount),
			"first_seen":      stix.FormatTimestamp(a.first),
			"last_seen":       stix.FormatTimestamp(a.last),
		}
		if opts.OrgID != "" {
			o["created_by_ref"] = opts.OrgID
			o["where_sighted_refs"] = []string{opts.OrgID}
		}
		tlp := max(opts.TLP, a.ind.TLP)
		if ref := vigie.MarkingRef(tlp); ref != "" {
			o["object_marking_refs"] = []string{ref}
		}
		if tlp == vigie.TLPRed && a.ind.CreatedByRef != "" && a.ind.CreatedByRef != opts.OrgID {
			o[vigie.RecipientsProperty] = []string{a.ind.CreatedByRef}
		}
		b, err := json.Marshal(o)
		if err != nil {
			return nil, fmt.Errorf("encode sighting of %s: %w", a.ind.ID, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// NewUUID returns a random (version 4) UUID.
func NewUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
