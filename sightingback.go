package vigie

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"time"
)

// Sightings back: a hub tells the origin hub of an indicator it relayed
// how often its members sighted it, as counts per pseudonymous member and
// day, never naming them. The origin hub counts each pseudonym as one
// organisation in its "sighted by N organisations" early warning.

// AuditSightingsIn records a report of sightings a peer hub sent back.
const AuditSightingsIn = "sightings.receive"

// RelayedSighting is what one member of a peer hub sighted of one
// indicator on one UTC day: how many times, first and last. Observer is
// an opaque token the peer hub derives from the member and the indicator
// (a keyed hash): it tells members apart within one indicator, and nothing
// else (not who, nor whether two indicators were sighted by the same).
type RelayedSighting struct {
	IndicatorID string    `json:"sighting_of_ref"`
	Observer    string    `json:"observer"`
	Day         time.Time `json:"day"` // midnight UTC
	Count       int64     `json:"count"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
}

// SightingReport is one report of sightings a peer hub sends back: the
// sightings it found between two positions of one of its streams (its
// own, opaque, sequence of sightings). A report whose After is behind the
// position the receiver has recorded for the stream was received already
// and adds nothing: a report sent twice counts once.
type SightingReport struct {
	Stream    string            `json:"stream"`
	After     int64             `json:"after"`
	Through   int64             `json:"through"`
	Sightings []RelayedSighting `json:"sightings"`
}

// MaxReportSightings bounds the sightings of one report.
const MaxReportSightings = 10000

// MaxSightingCount is the largest count of one relayed sighting (STIX's).
const MaxSightingCount = 999_999_999

var (
	streamRE   = regexp.MustCompile(`^[a-z0-9]{1,64}$`)
	observerRE = regexp.MustCompile(`^[a-f0-9]{16,64}$`)
)

// Validate reports an EINVALID error naming the first thing wrong.
func (r *SightingReport) Validate() error {
	if !streamRE.MatchString(r.Stream) {
		return Errorf(EINVALID, "stream %q: want 1-64 lower-case letters and digits", clipText(r.Stream))
	}
	if r.After < 0 || r.Through < r.After {
		return Errorf(EINVALID, "positions after %d through %d: want 0 <= after <= through", r.After, r.Through)
	}
	if len(r.Sightings) > MaxReportSightings {
		return Errorf(EINVALID, "%d sightings in one report; the limit is %d", len(r.Sightings), MaxReportSightings)
	}
	for i := range r.Sightings {
		if err := r.Sightings[i].validate(); err != nil {
			return Errorf(EINVALID, "sighting %d: %s", i, ErrorMessage(err))
		}
	}
	return nil
}

func (s *RelayedSighting) validate() error {
	typ, id, ok := strings.Cut(s.IndicatorID, "--")
	switch {
	case !ok || typ != "indicator" || !isUUID(id):
		return Errorf(EINVALID, "sighting_of_ref %q: want an indicator id", clipText(s.IndicatorID))
	case !observerRE.MatchString(s.Observer):
		return Errorf(EINVALID, "observer %q: want 16-64 lower-case hex digits", clipText(s.Observer))
	case s.Count < 1 || s.Count > MaxSightingCount:
		return Errorf(EINVALID, "count %d: want 1 to %d", s.Count, MaxSightingCount)
	case s.Day.IsZero() || !s.Day.Equal(SightingDay(s.Day)):
		return Errorf(EINVALID, "day %s: want midnight UTC", s.Day.Format(time.RFC3339))
	case s.FirstSeen.After(s.LastSeen):
		return Errorf(EINVALID, "first_seen after last_seen")
	case SightingDay(s.FirstSeen) != s.Day.UTC() || SightingDay(s.LastSeen) != s.Day.UTC():
		return Errorf(EINVALID, "first_seen and last_seen must fall on the day")
	}
	return nil
}

// SightingDay returns midnight UTC of t's day: the window of relayed
// sightings.
func SightingDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func clipText(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// SightingsReceived is how a report was taken: the stream's position now,
// and whether this report was added (false: received before).
type SightingsReceived struct {
	Position int64 `json:"position"`
	Added    bool  `json:"added"`
	Accepted int   `json:"accepted"` // sightings stored
	Dropped  int   `json:"dropped"`  // of indicators the sender may not read, or this hub does not have
}

// RelayedCount is what peer hubs reported of one indicator: the sum of
// their counts and the distinct pseudonymous members among them.
type RelayedCount struct {
	Count     int64
	Observers int
}

// ParseSightingReport decodes and checks a report as a peer hub sends it
// (JSON, no unknown fields, one value). EINVALID when malformed.
func ParseSightingReport(body []byte) (*SightingReport, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var r SightingReport
	if err := dec.Decode(&r); err != nil {
		return nil, Errorf(EINVALID, "malformed sightings report: %v", err)
	}
	if dec.More() {
		return nil, Errorf(EINVALID, "malformed sightings report: data after the report")
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// SightingsPage answers a peer hub that pushes to this hub and fetches
// the sightings of its indicators (it cannot be reached): this hub's
// stream names, or one report of a stream and whether there is more.
type SightingsPage struct {
	Streams []string        `json:"streams,omitempty"`
	Report  *SightingReport `json:"report,omitempty"`
	More    bool            `json:"more"`
}
