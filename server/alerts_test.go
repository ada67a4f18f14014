package server_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
)

// TestAlertsAPI records alerts for B and reads them through /api/v1: the
// list with filters, one alert, a state change, and the live stream
// resumed with Last-Event-ID. A never sees B's alerts.
func TestAlertsAPI(t *testing.T) {
	f := newFixture(t)
	b := f.orgs["B"].ID
	var batch []*vigie.Alert
	for i, sev := range []vigie.Severity{vigie.SeverityLow, vigie.SeverityHigh, vigie.SeverityCritical} {
		batch = append(batch, &vigie.Alert{OrgID: b, Trigger: vigie.TriggerWatchlist, Severity: sev, DedupKey: fmt.Sprint("k", i), Title: fmt.Sprint("alert ", i),
			Objects: []vigie.ObjectRef{{ID: "indicator--x", Type: "indicator"}}})
	}
	evs, err := f.store.RecordAlerts(ctx, &vigie.AlertBatch{Now: time.Now().UTC(), Alerts: batch})
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Alerts []vigie.Alert `json:"alerts"`
		Next   string        `json:"next"`
	}
	f.do("GET", "/api/v1/alerts?severity=high", "B", nil).decode(t, &list)
	if len(list.Alerts) != 2 {
		t.Errorf("severity>=high: %d alerts", len(list.Alerts))
	}
	f.do("GET", "/api/v1/alerts?limit=2", "B", nil).decode(t, &list)
	if len(list.Alerts) != 2 || list.Next == "" {
		t.Errorf("limit 2: %d alerts, next %q", len(list.Alerts), list.Next)
	}
	// The three alerts were updated at the same instant: paging one at a
	// time still gives each once.
	seen := map[string]int{}
	for next, pages := "", 0; pages < 5; pages++ {
		url := "/api/v1/alerts?limit=1"
		if next != "" {
			url += "&before=" + next
		}
		list.Next = ""
		f.do("GET", url, "B", nil).decode(t, &list)
		for _, a := range list.Alerts {
			seen[a.ID]++
		}
		if next = list.Next; next == "" {
			break
		}
	}
	if len(seen) != 3 {
		t.Errorf("paging one by one over alerts of one instant gave %v, want 3 alerts once each", seen)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("alert %s paged %d times", id, n)
		}
	}
	f.do("GET", "/api/v1/alerts", "A", nil).decode(t, &list)
	if len(list.Alerts) != 0 {
		t.Errorf("A sees %d of B's alerts", len(list.Alerts))
	}
	id := evs[0]
	var one vigie.Alert
	f.do("GET", "/api/v1/alerts", "B", nil).decode(t, &list)
	target := list.Alerts[0].ID
	if r := f.do("GET", "/api/v1/alerts/"+target, "A", nil); r.status != 404 {
		t.Errorf("A reads B's alert: %d", r.status)
	}
	r := f.do("PATCH", "/api/v1/alerts/"+target, "B", []byte(`{"state":"acknowledged"}`), "Content-Type", "application/json")
	r.decode(t, &one)
	if r.status != 200 || one.State != vigie.AlertAcknowledged {
		t.Errorf("PATCH: %d %+v", r.status, one)
	}
	for _, bad := range []string{`{"state":"gone"}`, `{"stat":"new"}`, `not json`} {
		if r := f.do("PATCH", "/api/v1/alerts/"+target, "B", []byte(bad), "Content-Type", "application/json"); r.status != 400 {
			t.Errorf("PATCH %s: %d", bad, r.status)
		}
	}
	if r := f.do("GET", "/api/v1/alerts?colour=red", "B", nil); r.status != 400 {
		t.Errorf("unknown parameter: %d", r.status)
	}

	// The stream, resumed after the first event, replays the two others.
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(sctx, "GET", f.srv.URL+"/api/v1/alerts/stream", nil)
	req.Header.Set("Authorization", "Bearer "+f.keys["B"])
	req.Header.Set("Last-Event-ID", fmt.Sprint(id.Seq))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	var ids []string
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() && len(ids) < 2 {
		if v, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
			ids = append(ids, v)
		}
	}
	if want := []string{fmt.Sprint(evs[1].Seq), fmt.Sprint(evs[2].Seq)}; strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Errorf("resumed stream ids %v, want %v", ids, want)
	}
}
