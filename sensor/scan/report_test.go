package scan_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/scan"
)

// fakeHub records what a Reporter sends and answers as told.
type fakeHub struct {
	answers []answer // one per send, in order
	got     [][]sent
}

type answer struct {
	took int // -1: all of them
	err  error
}

type sent struct {
	Indicator string `json:"sighting_of_ref"`
	Count     int    `json:"count"`
}

func (f *fakeHub) send(_ context.Context, s *sensor.Sightings) (int, error) {
	objs, err := s.Objects(sensor.SightingOptions{OrgID: "identity--0b6e5ab4-6cf1-4c9a-9a3e-3e8e2a1f0a01", Now: time.Unix(0, 0)})
	if err != nil {
		return 0, err
	}
	var batch []sent
	for _, o := range objs {
		var x sent
		json.Unmarshal(o, &x)
		batch = append(batch, x)
	}
	f.got = append(f.got, batch)
	a := f.answers[0]
	f.answers = f.answers[1:]
	if a.took < 0 {
		return len(batch), a.err
	}
	return a.took, a.err
}

func hit(id string) sensor.Hit {
	return sensor.Hit{Time: time.Unix(1700000000, 0), Indicator: &sensor.Indicator{ID: id}}
}

// TestReporterRestoresWhatTheHubDidNotTake: a period the hub took none of
// goes out again with the next, merged; a period it took part of is not
// sent twice; an empty period sends nothing.
func TestReporterRestoresWhatTheHubDidNotTake(t *testing.T) {
	unreachable := errors.New("hub unreachable")
	hub := &fakeHub{answers: []answer{{0, unreachable}, {-1, nil}, {1, errors.New("indicator--b refused")}, {-1, nil}}}
	r := scan.NewReporter(hub.send)
	ctx := context.Background()

	if n, err := r.Flush(ctx); n != 0 || err != nil || len(hub.got) != 0 {
		t.Fatalf("empty period: Flush = %d, %v after %d sends", n, err, len(hub.got))
	}
	r.Add(hit("indicator--a"))
	r.Add(hit("indicator--a"))
	if n, err := r.Flush(ctx); n != 0 || !errors.Is(err, unreachable) {
		t.Fatalf("unreachable hub: Flush = %d, %v", n, err)
	}
	if r.Pending() != 1 {
		t.Fatalf("after a failed report, %d indicators pending, want 1", r.Pending())
	}
	r.Add(hit("indicator--a"))
	r.Add(hit("indicator--b"))
	if n, err := r.Flush(ctx); n != 2 || err != nil {
		t.Fatalf("second report: Flush = %d, %v", n, err)
	}
	r.Add(hit("indicator--b"))
	r.Add(hit("indicator--c"))
	if n, err := r.Flush(ctx); n != 1 || err == nil {
		t.Fatalf("partly refused report: Flush = %d, %v", n, err)
	}
	if r.Pending() != 0 {
		t.Errorf("a partly taken period was kept: %d pending", r.Pending())
	}
	r.Add(hit("indicator--d"))
	if _, err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	want := [][]sent{
		{{"indicator--a", 2}},
		{{"indicator--a", 3}, {"indicator--b", 1}},
		{{"indicator--b", 1}, {"indicator--c", 1}},
		{{"indicator--d", 1}},
	}
	if diff := cmp.Diff(want, hub.got); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
	if r.Indicators() != 4 {
		t.Errorf("Indicators() = %d, want 4", r.Indicators())
	}
}

// TestReporterEvery flushes periodically until stopped, and says whether a
// failed period was kept.
func TestReporterEvery(t *testing.T) {
	failed := make(chan bool, 10)
	sent := make(chan int, 10)
	calls := 0
	r := scan.NewReporter(func(_ context.Context, s *sensor.Sightings) (int, error) {
		calls++
		if calls == 1 {
			return 0, errors.New("hub unreachable")
		}
		sent <- s.Len()
		return s.Len(), nil
	})
	r.Add(hit("indicator--a"))
	stop := r.Every(context.Background(), time.Millisecond, func(err error, retried bool) { failed <- retried })
	if retried := <-failed; !retried {
		t.Error("a period the hub took none of was not kept")
	}
	if n := <-sent; n != 1 {
		t.Errorf("the kept period went out with %d sightings, want 1", n)
	}
	stop()
	if r.Pending() != 0 {
		t.Errorf("%d pending after the report", r.Pending())
	}
}

// TestReporterLive: in live mode a first hit goes out at once, without
// waiting for the period (an hour here) to end.
func TestReporterLive(t *testing.T) {
	sent := make(chan []string, 10)
	r := scan.NewReporter(func(_ context.Context, s *sensor.Sightings) (int, error) {
		objs, err := s.Objects(sensor.SightingOptions{})
		if err != nil {
			return 0, err
		}
		var refs []string
		for _, o := range objs {
			var sg struct {
				Ref string `json:"sighting_of_ref"`
			}
			json.Unmarshal(o, &sg)
			refs = append(refs, sg.Ref)
		}
		sent <- refs
		return s.Len(), nil
	})
	stop := r.Live(context.Background(), time.Hour, func(err error, _ bool) { t.Errorf("report: %v", err) })
	defer stop()
	r.Add(hit("indicator--a"))
	select {
	case refs := <-sent:
		if len(refs) != 1 || refs[0] != "indicator--a" {
			t.Errorf("live send = %v, want the sighting of indicator--a", refs)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the first hit was not sent before the period ended")
	}
}
