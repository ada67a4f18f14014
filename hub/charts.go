package hub

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
)

// Bounds of the dashboard's charts: what one chart reads at most.
const (
	MaxChartDays      = 90    // days of the alerts chart
	MaxChartSightings = 10000 // sighting objects read for the top sighted chart (5,000: 52 ms of CPU)
	MaxChartTop       = 50    // indicators of the top sighted chart
	chartSightingPage = 5000  // sightings read per store call
)

// DayCount is a number of things on one day (UTC).
type DayCount struct {
	Day   time.Time // midnight UTC
	Count int
}

// AlertsPerDay counts p's organisation's alerts by the day (UTC) they
// were first seen, for the last days days, today included, oldest first.
func (h *Hub) AlertsPerDay(ctx context.Context, p vigie.Principal, days int) ([]DayCount, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	if days < 1 || days > MaxChartDays {
		return nil, vigie.Errorf(vigie.EINVALID, "days %d: want 1 to %d", days, MaxChartDays)
	}
	now := h.now().UTC()
	first := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -(days - 1))
	counts, err := h.store.CountAlertsByDay(ctx, p.OrgID, first, days)
	if err != nil {
		return nil, err
	}
	out := make([]DayCount, days)
	for i := range out {
		out[i] = DayCount{Day: first.AddDate(0, 0, i), Count: counts[i]}
	}
	return out, nil
}

// Sighted is one indicator of the top sighted chart.
type Sighted struct {
	Indicator *vigie.Object // its last version p may read
	Sightings int           // the sum of the counts of the sightings of it p may read
	Sighters  int           // distinct organisations that published them
}

// TopSightedResult is the top sighted chart.
type TopSightedResult struct {
	Since   time.Time
	Top     []Sighted // most sighted first
	Partial bool      // MaxChartSightings sightings were read: older ones are not counted
}

// TopSighted returns the n indicators most sighted since since, counting
// only the sightings p may read, of indicators p may read: an indicator
// outside p's audience is not in the list and its sightings count
// nowhere. It reads the sightings added since then from each collection p
// may read (at most MaxChartSightings, newest collections' pages first
// come first served).
func (h *Hub) TopSighted(ctx context.Context, p vigie.Principal, since time.Time, n int) (*TopSightedResult, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	if n < 1 || n > MaxChartTop {
		return nil, vigie.Errorf(vigie.EINVALID, "top %d: want 1 to %d", n, MaxChartTop)
	}
	cs, as, err := h.ReadableCollections(ctx, p)
	if err != nil {
		return nil, err
	}
	res := &TopSightedResult{Since: since}
	counts := map[string]int{}
	sighters := map[string]map[string]bool{}
	read := 0
	for i, c := range cs {
		if !as[i].Read {
			continue
		}
		q := &vigie.ObjectQuery{Collection: c.ID, Types: []string{"sighting"}, AddedAfter: since, Scope: p.Scope(as[i], h.cfg.DefaultTLP), Limit: chartSightingPage}
		for {
			if left := MaxChartSightings - read; left < q.Limit {
				q.Limit = left
			}
			if q.Limit == 0 {
				res.Partial = true
				break
			}
			page, err := h.store.Objects(ctx, q)
			if err != nil {
				return nil, err
			}
			for _, o := range page.Objects {
				of, count := sightingOf(o.Raw)
				if !strings.HasPrefix(of, "indicator--") {
					continue
				}
				counts[of] += count
				if sighters[of] == nil {
					sighters[of] = map[string]bool{}
				}
				sighters[of][o.Publisher] = true
			}
			read += len(page.Objects)
			if !page.More || len(page.Objects) == 0 {
				break
			}
			q.AddedAfter = page.Objects[len(page.Objects)-1].DateAdded
		}
	}
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if counts[ids[i]] != counts[ids[j]] {
			return counts[ids[i]] > counts[ids[j]]
		}
		return ids[i] < ids[j]
	})
	// The most sighted first, in slices, until n readable ones are found:
	// an indicator p may not read is skipped without a trace.
	for start := 0; start < len(ids) && len(res.Top) < n; start += 4 * n {
		chunk := ids[start:min(start+4*n, len(ids))]
		latest, err := h.Latest(ctx, p, chunk)
		if err != nil {
			return nil, err
		}
		for _, id := range chunk {
			if o, ok := latest[id]; ok && len(res.Top) < n {
				res.Top = append(res.Top, Sighted{Indicator: o, Sightings: counts[id], Sighters: len(sighters[id])})
			}
		}
	}
	return res, nil
}

// sightingOf returns what a sighting is of and its count (1 when absent).
func sightingOf(raw []byte) (string, int) {
	var s struct {
		Of    string `json:"sighting_of_ref"`
		Count *int   `json:"count"`
	}
	if json.Unmarshal(raw, &s) != nil {
		return "", 0
	}
	if s.Count == nil {
		return s.Of, 1
	}
	return s.Of, max(*s.Count, 0)
}
