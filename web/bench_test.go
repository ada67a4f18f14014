package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
)

// serverTime measures one page as the server answers it (no network, no
// browser): the whole handler chain of vigie serve, session included.
func serverTime(b *testing.B, c *coalition, cookie, path string) {
	h := c.srv.Config.Handler
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	var each []time.Duration // CPU time of each request, for p50 and p95
	defer func() {
		if n := len(each); n > 0 { // on a loaded machine the CPU time says more than the wall time
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(n), "cpu-ms/op")
			slices.Sort(each)
			b.ReportMetric(float64(each[n/2].Microseconds())/1000, "p50-cpu-ms")
			b.ReportMetric(float64(each[n*95/100].Microseconds())/1000, "p95-cpu-ms")
		}
	}()
	for b.Loop() {
		start := cpuTime()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = "192.0.2.7:1234"
		req.Header.Set("Cookie", "vigie_session="+cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d", path, rec.Code)
		}
		each = append(each, cpuTime()-start)
	}
}

func session(b *testing.B, c *coalition, org string) string {
	s, err := c.hub.SignIn(ctx, c.emails[org], password, "", "192.0.2.7")
	if err != nil {
		b.Fatal(err)
	}
	return s.Secret
}

// BenchmarkInbox10k: the inbox of an organisation with 10,000 alerts,
// first page and a page deep in the past (paging by (updated, id) reads
// one page, never the 10,000).
func BenchmarkInbox10k(b *testing.B) {
	c := newCoalition(b)
	const n = 10000
	for start := 0; start < n; start += 500 {
		var batch []*vigie.Alert
		for i := start; i < start+500; i++ {
			batch = append(batch, &vigie.Alert{OrgID: c.orgs["Bank"].ID, Trigger: vigie.TriggerWatchlist, Severity: vigie.Severity(1 + i%5),
				DedupKey: fmt.Sprintf("k%d", i), Title: fmt.Sprintf("Alert %d", i), Objects: []vigie.ObjectRef{{ID: c.ids["198.51.100.2"], Type: "indicator"}}})
		}
		if _, err := c.store.RecordAlerts(ctx, &vigie.AlertBatch{Now: time.Now(), Alerts: batch}); err != nil {
			b.Fatal(err)
		}
	}
	cookie := session(b, c, "Bank")
	all, _ := c.hub.Alerts(ctx, c.principal("Bank"), vigie.AlertQuery{Limit: 1000})
	mid := all[len(all)-1]
	b.Run("first-page", func(b *testing.B) { serverTime(b, c, cookie, "/alerts") })
	b.Run("deep-page", func(b *testing.B) {
		serverTime(b, c, cookie, "/alerts?state=all&before="+mid.Updated.Format(time.RFC3339Nano)+"&after_id="+mid.ID)
	})
	b.Run("filtered", func(b *testing.B) { serverTime(b, c, cookie, "/alerts?state=new&severity=critical") })
}

// BenchmarkSearch100k ($VIGIE_BENCH_OBJECTS changes the count): search by value (from the correlation index, and
// reading every object) and by text among 100,000 indicators (plus the
// fixture's), and an object page, as Helios (reads GREEN of "all").
func BenchmarkSearch100k(b *testing.B) {
	c := newCoalition(b)
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("VIGIE_BENCH_OBJECTS")); err == nil && v > 0 {
		n = v // e.g. 1000000; the benchmark keeps its name
	}
	coll := c.colls["coalition"].ID
	for start := 0; start < n; start += 1000 {
		var objs []*vigie.Object
		for i := start; i < start+1000; i++ {
			id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i)
			ts := "2026-12-01T00:00:00.000Z"
			ip := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
			raw, _ := json.Marshal(map[string]any{"type": "indicator", "spec_version": "2.1", "id": id, "created": ts, "modified": ts,
				"name": "Bulk " + ip, "pattern": "[ipv4-addr:value = '" + ip + "']", "pattern_type": "stix", "valid_from": ts,
				"object_marking_refs": []string{vigie.MarkingGreen}})
			objs = append(objs, &vigie.Object{ID: id, Type: "indicator", SpecVersion: "2.1", Version: ts, VersionKey: vigie.VersionKey(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)),
				Sharing: vigie.Sharing{Publisher: c.orgs["CERT"].ID, TLP: vigie.TLPGreen}, Owner: c.orgs["CERT"].ID, Raw: raw})
		}
		st := &vigie.Status{ID: vigie.NewUUID(), Root: "hub", OrgID: c.orgs["CERT"].ID, RequestTime: time.Now(), Total: len(objs)}
		if err := c.store.AddObjects(ctx, coll, objs, st); err != nil {
			b.Fatal(err)
		}
	}
	c.index() // the early-warning engine fills the correlation index, as vigie serve does
	cookie := session(b, c, "Helios")
	b.Run("value", func(b *testing.B) { serverTime(b, c, cookie, "/search?q=10.1.2.3") })
	b.Run("range", func(b *testing.B) { serverTime(b, c, cookie, "/search?q=10.1.0.0/16") }) // 65,536 addresses held: the first 5,000 index entries
	b.Run("range-small", func(b *testing.B) { serverTime(b, c, cookie, "/search?q=10.1.2.0/28") })
	b.Run("value-full", func(b *testing.B) { serverTime(b, c, cookie, "/search?full=1&q=10.1.2.3") })
	b.Run("text", func(b *testing.B) { serverTime(b, c, cookie, "/search?q=Lantern") })
	// Words every bulk indicator holds (the newest page of n matches), a
	// prefix of them, a phrase (and one ending in a prefix), and a word no
	// object holds.
	b.Run("text-common", func(b *testing.B) { serverTime(b, c, cookie, "/search?q=bulk") })
	b.Run("text-prefix", func(b *testing.B) { serverTime(b, c, cookie, "/search?q=bul*") })
	b.Run("text-phrase", func(b *testing.B) { serverTime(b, c, cookie, "/search?q="+url.QueryEscape(`"bulk 10 1 2"`)) })
	b.Run("text-phrase-prefix", func(b *testing.B) { serverTime(b, c, cookie, "/search?q="+url.QueryEscape(`"bulk 10 1" 23*`)) })
	b.Run("text-none", func(b *testing.B) { serverTime(b, c, cookie, "/search?q=quillwort") })
	b.Run("object", func(b *testing.B) {
		serverTime(b, c, cookie, "/objects/"+strings.TrimSpace(c.ids["198.51.100.2"]))
	})
}

// cpuTime is the CPU time the process used so far (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCharts ($VIGIE_BENCH_OBJECTS changes the count of indicators,
// 100,000 by default): the charts of an organisation with 10,000 alerts
// over 30 days, among 100,000 indicators and 5,000 sightings of 500 of
// them, as Bank (reads GREEN of "all").
func BenchmarkCharts(b *testing.B) {
	c := newCoalition(b)
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("VIGIE_BENCH_OBJECTS")); err == nil && v > 0 {
		n = v
	}
	coll := c.colls["coalition"].ID
	cert := c.orgs["CERT"].ID
	add := func(objs []*vigie.Object) {
		st := &vigie.Status{ID: vigie.NewUUID(), Root: "hub", OrgID: cert, RequestTime: time.Now(), Total: len(objs)}
		if err := c.store.AddObjects(ctx, coll, objs, st); err != nil {
			b.Fatal(err)
		}
	}
	ts := "2026-12-01T00:00:00.000Z"
	vk := vigie.VersionKey(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	indicatorID := func(i int) string { return fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i) }
	for start := 0; start < n; start += 1000 {
		var objs []*vigie.Object
		for i := start; i < min(start+1000, n); i++ {
			ip := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
			raw, _ := json.Marshal(map[string]any{"type": "indicator", "spec_version": "2.1", "id": indicatorID(i), "created": ts, "modified": ts,
				"name": "Bulk " + ip, "pattern": "[ipv4-addr:value = '" + ip + "']", "pattern_type": "stix", "valid_from": ts,
				"object_marking_refs": []string{vigie.MarkingGreen}})
			objs = append(objs, &vigie.Object{ID: indicatorID(i), Type: "indicator", SpecVersion: "2.1", Version: ts, VersionKey: vk,
				Sharing: vigie.Sharing{Publisher: cert, TLP: vigie.TLPGreen}, Owner: cert, Raw: raw})
		}
		add(objs)
	}
	ns := 5000 // $VIGIE_BENCH_SIGHTINGS changes it; the chart reads at most hub.MaxChartSightings
	if v, err := strconv.Atoi(os.Getenv("VIGIE_BENCH_SIGHTINGS")); err == nil && v > 0 {
		ns = v
	}
	var sightings []*vigie.Object
	for i := range ns {
		id := fmt.Sprintf("sighting--00000000-0000-4000-9000-%012d", i)
		raw, _ := json.Marshal(map[string]any{"type": "sighting", "spec_version": "2.1", "id": id, "created": ts, "modified": ts,
			"sighting_of_ref": indicatorID(i % 500 * (n / 500)), "count": 1 + i%7, "object_marking_refs": []string{vigie.MarkingGreen}})
		sightings = append(sightings, &vigie.Object{ID: id, Type: "sighting", SpecVersion: "2.1", Version: ts, VersionKey: vk,
			Sharing: vigie.Sharing{Publisher: cert, TLP: vigie.TLPGreen}, Owner: cert, Raw: raw})
		if len(sightings) == 1000 {
			add(sightings)
			sightings = nil
		}
	}
	if len(sightings) > 0 {
		add(sightings)
	}
	now := time.Now()
	for day := range 30 {
		var batch []*vigie.Alert
		for i := range 10000 / 30 {
			batch = append(batch, &vigie.Alert{OrgID: c.orgs["Bank"].ID, Trigger: vigie.TriggerWatchlist, Severity: vigie.SeverityHigh,
				DedupKey: fmt.Sprintf("d%d-%d", day, i), Title: "Alert", Objects: []vigie.ObjectRef{{ID: c.ids["198.51.100.2"], Type: "indicator"}}})
		}
		if _, err := c.store.RecordAlerts(ctx, &vigie.AlertBatch{Now: now.AddDate(0, 0, -day), Alerts: batch}); err != nil {
			b.Fatal(err)
		}
	}
	cookie := session(b, c, "Bank")
	b.Run("alerts-per-day", func(b *testing.B) { serverTime(b, c, cookie, "/charts/alerts") })
	b.Run("alerts-per-day-csv", func(b *testing.B) { serverTime(b, c, cookie, "/charts/alerts?format=csv") })
	b.Run("top-sighted", func(b *testing.B) { serverTime(b, c, cookie, "/charts/sighted") })
	b.Run("page", func(b *testing.B) { serverTime(b, c, cookie, "/charts") })
}
