package correlate_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/pattern"
	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/correlate"
)

var t0 = time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)

func newCorrelator(t testing.TB, opts correlate.Options, patterns ...string) *correlate.Correlator {
	t.Helper()
	var cs []sensor.Correlated
	for i, src := range patterns {
		p, err := pattern.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, sensor.Correlated{Indicator: &sensor.Indicator{ID: fmt.Sprintf("indicator--%d", i), Pattern: src}, Pattern: p})
	}
	return correlate.New(cs, opts)
}

func event(at time.Duration, line int64, kind sensor.Kind, value string) sensor.Event {
	return sensor.Event{Time: t0.Add(at), Source: "dns.log", Line: line, Observables: []sensor.Observable{{Kind: kind, Value: value}}}
}

// lines returns the lines of a hit's events.
func lines(h sensor.Hit) []int64 {
	var out []int64
	for _, e := range h.Events {
		out = append(out, e.Line)
	}
	return out
}

// step is one event fed to a correlator and the lines of the hit it must
// complete (nil: no hit).
type step struct {
	ev   sensor.Event
	want []int64
}

func run(t *testing.T, c *correlate.Correlator, steps []step) {
	t.Helper()
	for i, s := range steps {
		hits := c.Observe(s.ev)
		switch {
		case s.want == nil && len(hits) > 0:
			t.Errorf("step %d (line %d): hit %v, want none", i, s.ev.Line, lines(hits[0]))
		case s.want != nil && len(hits) != 1:
			t.Errorf("step %d (line %d): %d hits, want one of lines %v", i, s.ev.Line, len(hits), s.want)
		case s.want != nil && fmt.Sprint(lines(hits[0])) != fmt.Sprint(s.want):
			t.Errorf("step %d: hit of lines %v, want %v", i, lines(hits[0]), s.want)
		case s.want != nil && hits[0].Line != s.want[len(s.want)-1]:
			t.Errorf("step %d: hit at line %d, want the line of its latest event", i, hits[0].Line)
		}
	}
}

func TestFollowedBy(t *testing.T) {
	c := newCorrelator(t, correlate.Options{}, `([domain-name:value = 'evil.example'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.7']) WITHIN 60 SECONDS`)
	run(t, c, []step{
		{event(0, 1, sensor.KindIP, "198.51.100.7"), nil},                 // the address before the name: no
		{event(5*time.Second, 2, sensor.KindDomain, "evil.example"), nil}, // the name
		{event(6*time.Second, 3, sensor.KindDomain, "good.example"), nil}, // unrelated
		{event(20*time.Second, 4, sensor.KindIP, "198.51.100.7"), []int64{2, 4}},
		{event(25*time.Second, 5, sensor.KindIP, "198.51.100.7"), nil}, // the name was used
		{event(100*time.Second, 6, sensor.KindDomain, "evil.example"), nil},
		{event(200*time.Second, 7, sensor.KindIP, "198.51.100.7"), nil}, // 100 s later: outside WITHIN
	})
}

func TestRepeatsWithin(t *testing.T) {
	c := newCorrelator(t, correlate.Options{}, `[ipv4-addr:value = '203.0.113.9'] REPEATS 3 TIMES WITHIN 10 SECONDS`)
	run(t, c, []step{
		{event(0, 1, sensor.KindIP, "203.0.113.9"), nil},
		{event(20*time.Second, 2, sensor.KindIP, "203.0.113.9"), nil},
		{event(40*time.Second, 3, sensor.KindIP, "203.0.113.9"), nil}, // three, but 40 s apart
		{event(41*time.Second, 4, sensor.KindIP, "203.0.113.9"), nil},
		{event(45*time.Second, 5, sensor.KindIP, "203.0.113.9"), []int64{3, 4, 5}},
		{event(46*time.Second, 6, sensor.KindIP, "203.0.113.9"), nil}, // those three are spent
	})
	if st := c.Stats(); st.Kept != 1 {
		t.Errorf("kept %d events after the match, want 1 (line 6)", st.Kept)
	}
}

func TestAndAcrossObservations(t *testing.T) {
	c := newCorrelator(t, correlate.Options{}, `[domain-name:value = 'a.example'] AND [url:value = 'http://b.example/x']`)
	run(t, c, []step{
		{event(0, 1, sensor.KindURL, "http://b.example/x"), nil},
		{event(time.Minute, 2, sensor.KindURL, "http://b.example/y"), nil},
		{event(2*time.Minute, 3, sensor.KindDomain, "a.example"), []int64{1, 3}},
	})
}

// TestEventTimeNotArrival: streams read side by side deliver events out of
// time order; FOLLOWEDBY follows the times.
func TestEventTimeNotArrival(t *testing.T) {
	c := newCorrelator(t, correlate.Options{}, `[domain-name:value = 'evil.example'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.7']`)
	ip := event(30*time.Second, 9, sensor.KindIP, "198.51.100.7")
	ip.Source = "conn.log"
	run(t, c, []step{
		{ip, nil},
		{event(10*time.Second, 4, sensor.KindDomain, "evil.example"), []int64{4, 9}},
	})
}

// TestBoundedState: a window keeps at most MaxEvents events and forgets
// events older than Window; events no pattern involves are not kept.
func TestBoundedState(t *testing.T) {
	c := newCorrelator(t, correlate.Options{MaxEvents: 5, Window: time.Minute}, `[ipv4-addr:value = '192.0.2.1'] REPEATS 10 TIMES`)
	for i := 0; i < 20; i++ {
		if hits := c.Observe(event(time.Duration(i)*time.Second, int64(i+1), sensor.KindIP, "192.0.2.1")); len(hits) > 0 {
			t.Fatalf("hit with at most 5 events kept: %v", lines(hits[0]))
		}
		c.Observe(event(time.Duration(i)*time.Second, int64(100+i), sensor.KindIP, "192.0.2.200"))
	}
	if st := c.Stats(); st.Kept != 5 || st.Dropped != 15 {
		t.Errorf("stats %+v, want 5 kept and 15 dropped", st)
	}
	c.Observe(event(10*time.Minute, 50, sensor.KindIP, "192.0.2.1"))
	if st := c.Stats(); st.Kept != 1 {
		t.Errorf("after ten minutes, %d events kept, want 1 (a one-minute window)", st.Kept)
	}
	for _, w := range []struct {
		kind  sensor.Kind
		value string
		want  bool
	}{
		{sensor.KindIP, "192.0.2.1", true},
		{sensor.KindIP, "192.0.2.2", false}, // the pattern tests one address only
		{sensor.KindDomain, "192.0.2.1", false},
	} {
		if got := c.Wants(w.kind, []byte(w.value)); got != w.want {
			t.Errorf("Wants(%v, %s) = %v, want %v", w.kind, w.value, got, w.want)
		}
	}
	// A pattern with another operator than "=" takes every value of its kind.
	c = newCorrelator(t, correlate.Options{}, `[ipv4-addr:value ISSUBSET '192.0.2.0/24'] REPEATS 2 TIMES`, `[ipv4-addr:value = '198.51.100.1'] REPEATS 2 TIMES`)
	if !c.Wants(sensor.KindIP, []byte("203.0.113.1")) {
		t.Error("Wants: an ISSUBSET pattern needs every address")
	}
	c = newCorrelator(t, correlate.Options{}, `[domain-name:value = 'Evil.Example'] REPEATS 2 TIMES`)
	if !c.Wants(sensor.KindDomain, []byte("EVIL.example")) {
		t.Error("Wants: the filter must not be stricter than the pattern (case)")
	}
}

// TestNetworkTraffic: a line that records a connection is a network-traffic
// object with its two ends, so that a pattern can tell the destination
// from the source and test the port.
func TestNetworkTraffic(t *testing.T) {
	c := newCorrelator(t, correlate.Options{}, `[network-traffic:dst_ref.value = '203.0.113.66' AND network-traffic:dst_port = 443 AND network-traffic:protocols[*] = 'tcp']`)
	flow := func(line int64, src, dst string, port int) sensor.Event {
		return sensor.Event{Time: t0, Source: "conn.log", Line: line,
			Observables: []sensor.Observable{{Kind: sensor.KindIP, Value: src}, {Kind: sensor.KindIP, Value: dst}},
			Flow:        &sensor.Flow{SrcIP: src, SrcPort: 50000, DstIP: dst, DstPort: port, Proto: "tcp"}}
	}
	run(t, c, []step{
		{flow(1, "203.0.113.66", "10.0.0.5", 443), nil}, // the address as the source
		{flow(2, "10.0.0.5", "203.0.113.66", 80), nil},  // another port
		{flow(3, "10.0.0.5", "203.0.113.66", 443), []int64{3}},
		{event(0, 4, sensor.KindIP, "203.0.113.66"), nil}, // an address without a flow (plain text)
	})
	if !c.Wants(sensor.KindIP, []byte("203.0.113.66")) || c.Wants(sensor.KindIP, []byte("10.0.0.5")) {
		t.Error("Wants: only lines naming 203.0.113.66 can match (the port alone cannot)")
	}
}
