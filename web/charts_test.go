package web_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// sight publishes, as org, a sighting of the indicator of value (or of
// id) with count, marked tlp (with recipients), into collection coll.
func (c *coalition) sight(org, coll, of string, count int, tlp vigie.TLP, recipients ...string) {
	c.t.Helper()
	p, err := c.hub.ActAs(ctx, hub.Console(), org, vigie.RolePublisher)
	if err != nil {
		c.t.Fatal(err)
	}
	if id, ok := c.ids[of]; ok {
		of = id
	}
	ts := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	o := map[string]any{"type": "sighting", "spec_version": "2.1", "id": "sighting--" + vigie.NewUUID(), "created": ts, "modified": ts,
		"created_by_ref": c.orgs[org].ID, "sighting_of_ref": of, "count": count, "where_sighted_refs": []string{c.orgs[org].ID},
		"object_marking_refs": []string{vigie.MarkingRef(tlp)}}
	if len(recipients) > 0 {
		o[vigie.RecipientsProperty] = recipients
	}
	raw, _ := json.Marshal(o)
	col, a, err := c.hub.Collection(ctx, p, "hub", c.colls[coll].ID)
	if err != nil {
		c.t.Fatal(err)
	}
	st, err := c.hub.Publish(ctx, p, a, col, []json.RawMessage{raw})
	if err != nil || len(st.Failures) > 0 {
		c.t.Fatalf("sighting of %s: %+v %v", of, st, err)
	}
}

// objectLink finds the first indicator of a publish result.
var objectLink = regexp.MustCompile(`<a href="/objects/(indicator--[0-9a-f-]+)">`)

// readCSV fetches a chart's CSV and checks its headers.
func (b *browser) readCSV(path, filename string) [][]string {
	b.t.Helper()
	res, body := b.get(path)
	if res.StatusCode != http.StatusOK {
		b.t.Fatalf("GET %s: %s", path, res.Status)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		b.t.Errorf("%s: Content-Type %q", path, ct)
	}
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="`+filename+`"` {
		b.t.Errorf("%s: Content-Disposition %q", path, cd)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		b.t.Fatalf("%s is not CSV: %v\n%s", path, err, body)
	}
	return rows
}

// TestChartsTLP: the top sighted chart, its table and its CSV show each
// organisation of the coalition only the indicators it may read, counted
// from the sightings it may read; an indicator outside its audience is
// not there, nor its count, even when a sighting of it is readable.
func TestChartsTLP(t *testing.T) {
	c := newCoalition(t)
	// Each value gets its own count, so that a count shows which it is.
	c.sight("CERT", "coalition", "198.51.100.1", 3, vigie.TLPClear)
	c.sight("Helios", "coalition", "198.51.100.2", 4, vigie.TLPGreen)
	c.sight("CERT", "energy", "198.51.100.3", 41, vigie.TLPAmber)
	c.sight("Helios", "coalition", "198.51.100.3", 37, vigie.TLPGreen) // readable by Bank: names an AMBER indicator
	c.sight("CERT", "coalition", "198.51.100.4", 29, vigie.TLPRed, c.orgs["Helios"].ID)
	c.sight("CERT", "coalition", "198.51.100.5", 23, vigie.TLPGreen) // names a RED indicator of CERT's only
	counts := map[string]string{"198.51.100.1": "3", "198.51.100.2": "4", "198.51.100.3": "78", "198.51.100.4": "29", "198.51.100.5": "23"}
	parts := map[string][]string{"198.51.100.3": {"41", "37"}}
	sighters := map[string]string{"198.51.100.1": "1", "198.51.100.2": "1", "198.51.100.3": "2", "198.51.100.4": "1", "198.51.100.5": "1"}
	// What Helios counts of .3: both sightings (41 + 37).
	for _, org := range []string{"CERT", "Helios", "Bank", "Outside"} {
		t.Run(org, func(t *testing.T) {
			b := c.signIn(org)
			res, page := b.get("/charts")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET /charts: %s", res.Status)
			}
			if !strings.Contains(page, `<a href="/charts" aria-current="page">Charts</a>`) {
				t.Error("the nav has no current Charts link")
			}
			rows := b.readCSV("/charts/sighted?format=csv", "vigie-top-sighted.csv")
			if len(rows) == 0 || !slices.Equal(rows[0], []string{"indicator", "name", "tlp", "sightings", "organisations"}) {
				t.Fatalf("CSV header: %v", rows)
			}
			got := map[string][]string{}
			for _, r := range rows[1:] {
				got[r[0]] = r
			}
			for _, v := range allValues {
				id := c.ids[v]
				may := slices.Contains(visible[org], v)
				if may {
					want := []string{id, "Lantern C2 " + v, "", counts[v], sighters[v]}
					if r := got[id]; r == nil || r[3] != want[3] || r[4] != want[4] || r[1] != want[1] {
						t.Errorf("%s's CSV row of %s: %v, want count %s by %s", org, v, r, want[3], want[4])
					}
					if !strings.Contains(page, `href="/objects/`+id+`"`) {
						t.Errorf("%s's chart page does not show %s", org, v)
					}
					continue
				}
				if got[id] != nil {
					t.Errorf("%s's CSV lists %s, which it may not read: %v", org, v, got[id])
				}
				if strings.Contains(page, id) || strings.Contains(page, "Lantern C2 "+v) {
					t.Errorf("%s's chart page names %s, which it may not read", org, v)
				}
				// Its counts are nowhere: no row, no bar, no total (for .3,
				// neither the sum nor either sighting's count).
				for _, n := range append([]string{counts[v]}, parts[v]...) {
					for _, r := range rows[1:] {
						if r[3] == n {
							t.Errorf("%s's CSV has the count %s of %s: %v", org, n, v, r)
						}
					}
					if strings.Contains(page, ">"+n+"<") || strings.Contains(page, ": "+n+"<") {
						t.Errorf("%s's chart page shows the count %s of %s", org, n, v)
					}
				}
			}
			if len(rows)-1 != len(visible[org]) {
				t.Errorf("%s's CSV has %d indicators, want %d", org, len(rows)-1, len(visible[org]))
			}
			// Most sighted first.
			for i := 2; i < len(rows); i++ {
				a, _ := strconv.Atoi(rows[i-1][3])
				b, _ := strconv.Atoi(rows[i][3])
				if a < b {
					t.Errorf("%s's CSV out of order: %v before %v", org, rows[i-1], rows[i])
				}
			}
		})
	}
}

// TestChartsAlertsPerDay: each organisation's chart counts its own alerts
// only, by the day they were first raised; the CSV is what the chart
// shows.
func TestChartsAlertsPerDay(t *testing.T) {
	c := newCoalition(t)
	now := time.Now().UTC()
	record := func(org string, at time.Time, n int) {
		var batch []*vigie.Alert
		for i := range n {
			batch = append(batch, &vigie.Alert{OrgID: c.orgs[org].ID, Trigger: vigie.TriggerWatchlist, Severity: vigie.SeverityHigh,
				DedupKey: fmt.Sprintf("%s-%d-%d", org, at.Unix(), i), Title: "Lantern", Objects: []vigie.ObjectRef{{ID: c.ids["198.51.100.1"], Type: "indicator"}}})
		}
		if _, err := c.store.RecordAlerts(ctx, &vigie.AlertBatch{Now: at, Alerts: batch}); err != nil {
			t.Fatal(err)
		}
	}
	record("Helios", now, 3)
	record("Helios", now.AddDate(0, 0, -2), 5)
	record("Helios", now.AddDate(0, 0, -40), 7) // outside the 30 days
	record("Bank", now, 2)

	day := func(d int) string { return now.AddDate(0, 0, -d).Format("2006-01-02") }
	for org, want := range map[string]map[string]string{
		"Helios":  {day(0): "3", day(2): "5"},
		"Bank":    {day(0): "2"},
		"Outside": {},
	} {
		b := c.signIn(org)
		rows := b.readCSV("/charts/alerts?format=csv", "vigie-alerts-per-day.csv")
		if len(rows) != 31 || !slices.Equal(rows[0], []string{"day", "alerts"}) {
			t.Fatalf("%s's CSV: %d rows, header %v; want 30 days", org, len(rows), rows[0])
		}
		if rows[1][0] != day(29) || rows[30][0] != day(0) {
			t.Errorf("%s's CSV runs from %s to %s, want %s to %s", org, rows[1][0], rows[30][0], day(29), day(0))
		}
		total := 0
		for _, r := range rows[1:] {
			w := want[r[0]]
			if w == "" {
				w = "0"
			}
			if r[1] != w {
				t.Errorf("%s's alerts on %s: %s, want %s", org, r[0], r[1], w)
			}
			n, _ := strconv.Atoi(r[1])
			total += n
		}
		_, page := b.get("/charts/alerts")
		for _, s := range []string{fmt.Sprintf("%d in all", total), `role="img"`, `<title id="alerts-title">`, `<desc id="alerts-desc">`, `<table class="list" id="alerts-table">`, `href="/charts/alerts?days=30&amp;format=csv"`} {
			if !strings.Contains(page, s) {
				t.Errorf("%s's alerts chart lacks %q", org, s)
			}
		}
	}
	// A week, and bad parameters.
	b := c.signIn("Helios")
	if rows := b.readCSV("/charts/alerts?days=7&format=csv", "vigie-alerts-per-day.csv"); len(rows) != 8 {
		t.Errorf("7 days: %d rows", len(rows))
	}
	for _, path := range []string{"/charts/alerts?days=0", "/charts/alerts?days=91", "/charts/alerts?days=x", "/charts/sighted?top=51"} {
		if res, _ := b.get(path); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %s, want 400", path, res.Status)
		}
	}
	anon := &browser{t: t, c: c, hc: c.client()}
	if res, _ := anon.get("/charts/alerts?format=csv"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous CSV: %s, want a redirect to sign in", res.Status)
	}
}

// TestChartCSVInjection: a name that a spreadsheet would run as a
// formula is exported with a leading quote.
func TestChartCSVInjection(t *testing.T) {
	c := newCoalition(t)
	helios := c.signIn("Helios")
	_, page := helios.get("/publish")
	for _, name := range []string{`=HYPERLINK("http://evil.example","x")`, "+1+1", "-2+3", "@SUM(A1)"} {
		res, body := helios.post("/publish", url.Values{"csrf": {csrfOf(page)}, "values": {"203.0.113.9"}, "tlp": {"GREEN"}, "collection": {"hub/" + c.colls["coalition"].ID}, "name": {name}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("publish %q: %s %s", name, res.Status, errorLine(body))
		}
		id := objectLink.FindStringSubmatch(body)[1]
		c.sight("Helios", "coalition", id, 1, vigie.TLPGreen)
	}
	rows := helios.readCSV("/charts/sighted?format=csv", "vigie-top-sighted.csv")
	if len(rows) != 5 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows[1:] {
		if !strings.HasPrefix(r[1], "'") || !strings.ContainsAny(r[1][1:2], "=+-@") {
			t.Errorf("cell %q is not neutralised", r[1])
		}
	}
}
