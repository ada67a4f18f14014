package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
)

// testCountAlertsByDay checks the alerts chart's counts: by the day of
// first sight, at the day's bounds, one organisation's only, and an alert
// first seen before the period but updated in it not counted.
func testCountAlertsByDay(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	record := func(org string, at time.Time, keys ...string) {
		t.Helper()
		var batch []*vigie.Alert
		for _, k := range keys {
			batch = append(batch, newAlert(org, k, vigie.SeverityMedium, "indicator--1"))
		}
		if _, err := s.RecordAlerts(ctx, &vigie.AlertBatch{Now: at, Alerts: batch}); err != nil {
			t.Fatal(err)
		}
	}
	record(a.ID, from.Add(-time.Microsecond), "before", "old")  // the day before
	record(a.ID, from, "d0-a", "d0-b")                          // the first instant of day 0
	record(a.ID, from.Add(48*time.Hour-time.Microsecond), "d1") // the last instant of day 1
	record(a.ID, from.Add(50*time.Hour), "d2", "old")           // "old" updated in day 2, first seen before
	record(a.ID, from.Add(72*time.Hour), "after")               // the day after the period
	record(b.ID, from.Add(time.Hour), "b0", "b1", "b2")
	got, err := s.CountAlertsByDay(ctx, a.ID, from, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{2, 1, 1}; !slices.Equal(got, want) {
		t.Errorf("CountAlertsByDay(A, 3 days) = %v, want %v", got, want)
	}
	if got, err := s.CountAlertsByDay(ctx, b.ID, from, 1); err != nil || !slices.Equal(got, []int{3}) {
		t.Errorf("CountAlertsByDay(B, 1 day) = %v, %v; want [3]", got, err)
	}
	if got, err := s.CountAlertsByDay(ctx, "identity--00000000-0000-4000-8000-000000000000", from, 2); err != nil || !slices.Equal(got, []int{0, 0}) {
		t.Errorf("CountAlertsByDay(no alerts) = %v, %v; want [0 0]", got, err)
	}
}
