package storetest

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
)

func testWatches(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	gen0, err := s.WatchGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w := &vigie.WatchEntry{ID: vigie.NewUUID(), OrgID: a.ID, Kind: vigie.WatchCIDR, Value: "198.51.100.0/24", Created: t0}
	if err := s.CreateWatch(ctx, w); err != nil {
		t.Fatal(err)
	}
	dup := *w
	dup.ID = vigie.NewUUID()
	wantCode(t, s.CreateWatch(ctx, &dup), vigie.ECONFLICT, "duplicate watch")
	if err := s.CreateWatch(ctx, &vigie.WatchEntry{ID: vigie.NewUUID(), OrgID: b.ID, Kind: vigie.WatchCIDR, Value: "198.51.100.0/24", Created: t0}); err != nil {
		t.Errorf("another organisation watching the same range: %v", err)
	}
	gen1, _ := s.WatchGeneration(ctx)
	if gen1 == gen0 {
		t.Error("watch generation did not change")
	}
	list, err := s.ListWatches(ctx, a.ID)
	if err != nil || len(list) != 1 || list[0].Value != "198.51.100.0/24" {
		t.Errorf("ListWatches(A) = %v, %v", list, err)
	}
	if all, _ := s.ListWatches(ctx, ""); len(all) != 2 {
		t.Errorf("ListWatches(all) = %d entries, want 2", len(all))
	}
	wantCode(t, s.DeleteWatch(ctx, b.ID, w.ID), vigie.ENOTFOUND, "deleting another organisation's entry")
	if err := s.DeleteWatch(ctx, a.ID, w.ID); err != nil {
		t.Fatal(err)
	}
	if gen2, _ := s.WatchGeneration(ctx); gen2 == gen1 {
		t.Error("watch generation did not change on delete")
	}
}

func newAlert(org, key string, sev vigie.Severity, objs ...string) *vigie.Alert {
	a := &vigie.Alert{OrgID: org, Trigger: vigie.TriggerWatchlist, Severity: sev, DedupKey: key, Title: "title " + key}
	for _, id := range objs {
		a.Objects = append(a.Objects, vigie.ObjectRef{ID: id, Type: "indicator"})
	}
	return a
}

func testAlerts(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	hook := &vigie.Webhook{ID: vigie.NewUUID(), OrgID: a.ID, URL: "https://a.example/hook", Secret: "s3cret", Created: t0}
	if err := s.CreateWebhook(ctx, hook); err != nil {
		t.Fatal(err)
	}
	batch := &vigie.AlertBatch{Now: t0, Alerts: []*vigie.Alert{newAlert(a.ID, "k1", vigie.SeverityMedium, "indicator--1"), newAlert(b.ID, "k1", vigie.SeverityLow, "indicator--1")},
		CursorsFrom: map[string]int64{"test": 0}, CursorsTo: map[string]int64{"test": 10}}
	evs, err := s.RecordAlerts(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Kind != "created" || evs[1].Seq <= evs[0].Seq {
		t.Fatalf("events = %+v", evs)
	}
	// The same batch again: the cursor moved, nothing is written.
	_, err = s.RecordAlerts(ctx, batch)
	wantCode(t, err, vigie.ECONFLICT, "replayed batch")
	// An update merges into the existing alert.
	later := t0.Add(time.Hour)
	evs, err = s.RecordAlerts(ctx, &vigie.AlertBatch{Now: later, Alerts: []*vigie.Alert{newAlert(a.ID, "k1", vigie.SeverityHigh, "indicator--2")},
		CursorsFrom: map[string]int64{"test": 10}, CursorsTo: map[string]int64{"test": 11}})
	if err != nil || len(evs) != 1 || evs[0].Kind != "updated" {
		t.Fatalf("update: %+v, %v", evs, err)
	}
	if c, _ := s.Cursor(ctx, "test"); c != 11 {
		t.Errorf("cursor = %d, want 11", c)
	}
	list, err := s.ListAlerts(ctx, &vigie.AlertQuery{OrgID: a.ID})
	if err != nil || len(list) != 1 {
		t.Fatalf("ListAlerts(A) = %v, %v", list, err)
	}
	got := list[0]
	if got.Count != 2 || got.Severity != vigie.SeverityHigh || len(got.Objects) != 2 || !got.LastSeen.Equal(later) || !got.FirstSeen.Equal(t0) || got.State != vigie.AlertNew {
		t.Errorf("merged alert = %+v", got)
	}
	// Resolving, then the trigger firing again, reopens it.
	if _, err := s.SetAlertState(ctx, a.ID, got.ID, vigie.AlertResolved, later); err != nil {
		t.Fatal(err)
	}
	_, err = s.SetAlertState(ctx, b.ID, got.ID, vigie.AlertAcknowledged, later)
	wantCode(t, err, vigie.ENOTFOUND, "setting another organisation's alert")
	if l, _ := s.ListAlerts(ctx, &vigie.AlertQuery{OrgID: a.ID, States: []vigie.AlertState{vigie.AlertNew}}); len(l) != 0 {
		t.Errorf("resolved alert listed as new")
	}
	s.RecordAlerts(ctx, &vigie.AlertBatch{Now: later.Add(time.Hour), Alerts: []*vigie.Alert{newAlert(a.ID, "k1", vigie.SeverityHigh)}})
	if al, _ := s.FindAlert(ctx, a.ID, got.ID); al.State != vigie.AlertNew || al.Count != 3 {
		t.Errorf("after firing again: %+v", al)
	}
	if l, _ := s.ListAlerts(ctx, &vigie.AlertQuery{OrgID: b.ID, MinSeverity: vigie.SeverityMedium}); len(l) != 0 {
		t.Errorf("MinSeverity filter: %d alerts", len(l))
	}
	// Events per organisation, resumable.
	evA, err := s.AlertEvents(ctx, a.ID, 0, 100)
	if err != nil || len(evA) != 3 {
		t.Fatalf("AlertEvents(A) = %d, %v; want 3", len(evA), err)
	}
	if rest, _ := s.AlertEvents(ctx, a.ID, evA[0].Seq, 100); len(rest) != 2 {
		t.Errorf("AlertEvents after the first = %d, want 2", len(rest))
	}
	// One delivery per event to A's webhook, none for B.
	ds, err := s.ListDeliveries(ctx, a.ID, vigie.DeliveryPending, 100)
	if err != nil || len(ds) != 3 {
		t.Fatalf("A's pending deliveries = %d, %v; want 3", len(ds), err)
	}
	if d, _ := s.ListDeliveries(ctx, b.ID, "", 100); len(d) != 0 {
		t.Errorf("B has %d deliveries without a webhook", len(d))
	}
}

func testDeliveries(t *testing.T, s vigie.Store) {
	a := MustOrg(t, s, "A")
	if err := s.CreateWebhook(ctx, &vigie.Webhook{ID: vigie.NewUUID(), OrgID: a.ID, URL: "https://a.example/hook", Secret: "x", Created: t0}); err != nil {
		t.Fatal(err)
	}
	var alerts []*vigie.Alert
	for i := 0; i < 20; i++ {
		alerts = append(alerts, newAlert(a.ID, fmt.Sprint("k", i), vigie.SeverityLow))
	}
	if _, err := s.RecordAlerts(ctx, &vigie.AlertBatch{Now: t0, Alerts: alerts}); err != nil {
		t.Fatal(err)
	}
	// Concurrent claimers never get the same delivery.
	var mu sync.Mutex
	got := map[int64]int{}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				ds, err := s.ClaimDeliveries(ctx, fmt.Sprint("owner", w), t0.Add(time.Second), time.Minute, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					got[d.ID]++
					var p struct {
						ID    int64
						Type  string
						Alert json.RawMessage
					}
					if err := json.Unmarshal(d.Body, &p); err != nil || p.ID != d.EventSeq || p.Type != "alert.created" || len(p.Alert) == 0 {
						t.Errorf("delivery body %s", d.Body)
					}
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	if len(got) != 20 {
		t.Errorf("claimed %d distinct deliveries, want 20", len(got))
	}
	for id, n := range got {
		if n != 1 {
			t.Errorf("delivery %d claimed %d times", id, n)
		}
	}
	// Leased: nothing more to claim until the lease ends.
	if ds, _ := s.ClaimDeliveries(ctx, "late", t0.Add(30*time.Second), time.Minute, 100); len(ds) != 0 {
		t.Errorf("claimed %d leased deliveries", len(ds))
	}
	ds, _ := s.ClaimDeliveries(ctx, "after-lease", t0.Add(2*time.Minute), time.Minute, 100)
	if len(ds) != 20 {
		t.Fatalf("after the lease ended: %d claimable, want 20", len(ds))
	}
	d := ds[0]
	d.State, d.Attempts, d.Delivered, d.LastStatus = vigie.DeliveryDelivered, 1, t0.Add(2*time.Minute), 204
	if err := s.FinishDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	f := ds[1]
	f.Attempts, f.LastError, f.LastStatus, f.NextAttempt = 1, "connection refused", 0, t0.Add(time.Hour)
	if err := s.FinishDelivery(ctx, f); err != nil {
		t.Fatal(err)
	}
	if done, _ := s.ListDeliveries(ctx, a.ID, vigie.DeliveryDelivered, 10); len(done) != 1 || done[0].LastStatus != 204 {
		t.Errorf("delivered = %+v", done)
	}
	// The failed one is not due before its next attempt.
	for _, c := range []struct {
		at   time.Duration
		want int
	}{{30 * time.Minute, 0}, {61 * time.Minute, 1}} {
		n := 0
		ds, _ := s.ClaimDeliveries(ctx, "retry", t0.Add(c.at), time.Second, 100)
		for _, x := range ds {
			if x.ID == f.ID {
				n++
				if x.Attempts != 1 {
					t.Errorf("attempts = %d, want 1", x.Attempts)
				}
			}
		}
		if n != c.want {
			t.Errorf("at +%v the retried delivery was claimed %d times, want %d", c.at, n, c.want)
		}
	}
}

func testEngineTables(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	c := MustCollection(t, s, nil, nil)
	id := stixID("indicator", 1)
	MustAdd(t, s, c, a.ID, NewIndicator(id, t0, a.ID, 0), NewIndicator(id, t0.Add(time.Hour), a.ID, vigie.TLPRed))
	objs, err := s.ScanObjects(ctx, c.ID, time.Time{}, 10)
	if err != nil || len(objs) != 2 || objs[0].Collection != c.ID || len(objs[1].Raw) == 0 {
		t.Fatalf("ScanObjects = %d objects, %v", len(objs), err)
	}
	if more, _ := s.ScanObjects(ctx, c.ID, objs[0].DateAdded, 10); len(more) != 1 {
		t.Errorf("ScanObjects after the first: %d", len(more))
	}
	latest, err := s.LatestVersions(ctx, []string{id, "indicator--nope"})
	if err != nil || len(latest) != 1 || latest[0].TLP != vigie.TLPRed {
		t.Errorf("LatestVersions = %+v, %v", latest, err)
	}
	batch := &vigie.AlertBatch{
		Now: t0,
		Sightings: []vigie.Sighting{
			{IndicatorID: id, OrgID: a.ID, SightingID: "sighting--1", Seen: t0},
			{IndicatorID: id, OrgID: b.ID, SightingID: "sighting--2", Seen: t0.Add(-48 * time.Hour)},
			{IndicatorID: id, OrgID: a.ID, SightingID: "sighting--3", Seen: t0.Add(time.Minute)},
		},
		Relations: []vigie.Relation{
			{Collection: c.ID, ID: "relationship--1", Type: "mitigates", Source: "course-of-action--1", Target: "malware--1"},
			{Collection: c.ID, ID: "relationship--2", Type: "indicates", Source: id, Target: "malware--1"},
		},
	}
	for i := 0; i < vigie.MaxPerObservable+5; i++ {
		batch.Observables = append(batch.Observables, vigie.ObservableRef{Key: "ipv4:198.51.100.7", Collection: c.ID, ObjectID: fmt.Sprint("indicator--", i), OrgID: a.ID})
	}
	batch.Prune = []string{"ipv4:198.51.100.7"}
	if _, err := s.RecordAlerts(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if who, _ := s.Sighters(ctx, id, t0.Add(-24*time.Hour)); !cmp.Equal(who, []string{a.ID}) {
		t.Errorf("sighters in the last day = %v, want only A", who)
	}
	if who, _ := s.Sighters(ctx, id, t0.Add(-72*time.Hour)); len(who) != 2 {
		t.Errorf("sighters in three days = %v, want A and B", who)
	}
	rels, err := s.Relations(ctx, []string{"malware--1"}, false, []string{"mitigates", "remediates"})
	if err != nil || len(rels) != 1 || rels[0].Source != "course-of-action--1" || rels[0].Collection != c.ID {
		t.Errorf("Relations(mitigates malware--1) = %+v, %v", rels, err)
	}
	if rels, _ := s.Relations(ctx, []string{id}, true, []string{"indicates"}); len(rels) != 1 {
		t.Errorf("Relations by source = %+v", rels)
	}
	obs, err := s.FindObservables(ctx, []string{"ipv4:198.51.100.7"})
	if err != nil || len(obs) != vigie.MaxPerObservable {
		t.Fatalf("FindObservables after pruning = %d, %v; want %d", len(obs), err, vigie.MaxPerObservable)
	}
	if obs[len(obs)-1].ObjectID != fmt.Sprint("indicator--", vigie.MaxPerObservable+4) {
		t.Errorf("pruning kept %s last; want the newest", obs[len(obs)-1].ObjectID)
	}
	var keys []string
	for pos := int64(0); ; {
		ks, next, err := s.ObservableKeys(ctx, pos, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(ks) == 0 {
			break
		}
		keys, pos = append(keys, ks...), next
	}
	if len(keys) != vigie.MaxPerObservable || keys[0] != "ipv4:198.51.100.7" {
		t.Errorf("ObservableKeys: %d keys, first %v", len(keys), keys[:min(len(keys), 1)])
	}
}

func testTryLead(t *testing.T, s vigie.Store) {
	release, ok, err := s.TryLead(ctx, "job")
	if err != nil || !ok {
		t.Fatalf("TryLead = %v, %v", ok, err)
	}
	if _, ok, _ := s.TryLead(ctx, "job"); ok {
		t.Error("a second leader for the same job")
	}
	if r, ok, _ := s.TryLead(ctx, "other"); !ok {
		t.Error("another job could not be led")
	} else {
		r()
	}
	release()
	r, ok, err := s.TryLead(ctx, "job")
	if err != nil || !ok {
		t.Fatalf("TryLead after release = %v, %v", ok, err)
	}
	r()
}

// testQueueDelivery: a delivery queued for one webhook goes to its URL;
// another organisation's webhook id queues nothing.
func testQueueDelivery(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	hook := &vigie.Webhook{ID: vigie.NewUUID(), OrgID: a.ID, URL: "https://a.example/hook", Secret: "x", Created: t0}
	if err := s.CreateWebhook(ctx, hook); err != nil {
		t.Fatal(err)
	}
	d := &vigie.Delivery{WebhookID: hook.ID, OrgID: a.ID, Body: []byte(`{"type":"webhook.test"}`), Created: t0}
	if err := s.QueueDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	if d.ID == 0 || d.URL != hook.URL || d.State != vigie.DeliveryPending {
		t.Errorf("queued %+v", d)
	}
	other := &vigie.Delivery{WebhookID: hook.ID, OrgID: b.ID, Body: []byte(`{}`), Created: t0}
	if err := s.QueueDelivery(ctx, other); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("queuing for another organisation's webhook: %v, want ENOTFOUND", err)
	}
	ds, err := s.ClaimDeliveries(ctx, "w", t0.Add(time.Second), time.Minute, 10)
	if err != nil || len(ds) != 1 || ds[0].ID != d.ID || string(ds[0].Body) != `{"type":"webhook.test"}` || ds[0].URL != hook.URL {
		t.Errorf("claimed %+v, %v; want the one test delivery", ds, err)
	}
	if got, _ := s.ListDeliveries(ctx, b.ID, "", 10); len(got) != 0 {
		t.Errorf("B lists %d deliveries", len(got))
	}
}
