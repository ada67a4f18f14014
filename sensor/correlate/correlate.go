// Package correlate matches, over a stream of log events, the STIX
// patterns that need several observations: FOLLOWEDBY, REPEATS ... TIMES,
// WITHIN n SECONDS, AND and OR of observation expressions. Each event (a
// log line) is an observation of the observables it holds, at the line's
// time. For each pattern the Correlator keeps a window of the events that
// satisfy one of its observation expressions, bounded in time and in
// count, and evaluates the pattern over the window whenever an event joins
// it; a match is reported once, with every event that took part, and those
// events leave the window.
package correlate

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigie-cti/vigie/pattern"
	"github.com/vigie-cti/vigie/sensor"
)

// Defaults of Options.
const (
	DefaultWindow    = time.Hour
	DefaultMaxEvents = 1000
)

// Options bound the state kept per pattern.
type Options struct {
	// Window is how long an event is kept for a pattern whose root is not
	// qualified by WITHIN (for those, the WITHIN duration is the window).
	// 0 means DefaultWindow.
	Window time.Duration
	// MaxEvents is how many events a pattern keeps at most; past it the
	// oldest are dropped (and counted). 0 means DefaultMaxEvents.
	MaxEvents int
}

// Stats counts what the Correlator did.
type Stats struct {
	Patterns int   // patterns correlated
	Kept     int   // events held in windows now
	Dropped  int64 // events dropped from a full window before their time
	Errors   int64 // evaluations that failed (pattern.MaxEvalSteps)
}

// Correlator evaluates patterns over events. It is safe for concurrent
// use; events from several streams may be interleaved, since matching
// follows the events' times, not their order of arrival.
type Correlator struct {
	opts   Options
	byKind [sensorKinds][]*rule
	// values[k] holds, in lower case, the only values of kind k that can
	// take part in a match, when every pattern comparing kind k tests
	// equality only; nil when any value of kind k may.
	values [sensorKinds]map[string]bool

	mu      sync.Mutex
	dropped int64
	errors  int64
	rules   []*rule
}

// sensorKinds bounds the sensor.Kind values.
const sensorKinds = 16

// rule is one pattern and its window.
type rule struct {
	ind  *sensor.Indicator
	p    *pattern.Pattern
	span time.Duration
	// The window, in order of arrival, as parallel slices so that the
	// pattern is evaluated over obs and sat without copying them.
	events []sensor.Event
	obs    []pattern.Observation
	sat    [][]bool // which of the pattern's [ ... ] each obs satisfies
	// newest and oldest bound the times of the window's events.
	newest, oldest time.Time
}

// New returns a Correlator of the patterns.
func New(patterns []sensor.Correlated, opts Options) *Correlator {
	if opts.Window <= 0 {
		opts.Window = DefaultWindow
	}
	if opts.MaxEvents <= 0 {
		opts.MaxEvents = DefaultMaxEvents
	}
	c := &Correlator{opts: opts}
	for _, cp := range patterns {
		r := &rule{ind: cp.Indicator, p: cp.Pattern, span: opts.Window}
		if q, ok := cp.Pattern.Root.(*pattern.Qualified); ok && q.Qualifier.Kind == pattern.QualWithin {
			r.span = q.Qualifier.Within
		}
		c.rules = append(c.rules, r)
		lits, exact := equalities(cp.Pattern)
		for _, k := range kindsOf(cp.Pattern) {
			if len(c.byKind[k]) == 0 && exact {
				c.values[k] = map[string]bool{}
			}
			c.byKind[k] = append(c.byKind[k], r)
			if !exact {
				c.values[k] = nil
			} else if c.values[k] != nil {
				for _, l := range lits {
					c.values[k][strings.ToLower(l)] = true
				}
			}
		}
	}
	return c
}

// equalities returns string constants one of which every observation
// that satisfies one of the pattern's observation expressions holds: the
// constants of "=" and IN comparisons (without NOT), one operand's worth
// for AND, every operand's for OR. exact is false when some expression has
// no such constants (a range, LIKE, a number alone...).
func equalities(p *pattern.Pattern) (lits []string, exact bool) {
	return observationConstants(p.Root)
}

func observationConstants(e pattern.ObservationExpr) ([]string, bool) {
	switch e := e.(type) {
	case *pattern.Bracket:
		return comparisonConstants(e.Expr)
	case *pattern.Qualified:
		return observationConstants(e.Expr)
	case *pattern.ObservationOp:
		// Any operand's observations take part: all of them are needed.
		var all []string
		for _, o := range e.Operands {
			lits, ok := observationConstants(o)
			if !ok {
				return nil, false
			}
			all = append(all, lits...)
		}
		return all, true
	}
	return nil, false
}

func comparisonConstants(e pattern.ComparisonExpr) ([]string, bool) {
	switch e := e.(type) {
	case *pattern.Comparison:
		if e.Not || (e.Op != pattern.OpEqual && e.Op != pattern.OpIn) {
			return nil, false
		}
		set := e.Set
		if e.Op == pattern.OpEqual {
			set = []pattern.Literal{e.Value}
		}
		lits := make([]string, 0, len(set))
		for _, l := range set {
			if l.Kind != pattern.LitString {
				return nil, false
			}
			lits = append(lits, l.Str)
		}
		return lits, true
	case *pattern.BoolExpr:
		var out []string
		for _, o := range e.Operands {
			lits, ok := comparisonConstants(o)
			switch {
			case e.Op == pattern.BoolAnd && ok && (out == nil || len(lits) < len(out)):
				out = lits // the most selective operand is enough
			case e.Op == pattern.BoolOr && !ok:
				return nil, false
			case e.Op == pattern.BoolOr:
				out = append(out, lits...)
			}
		}
		return out, out != nil
	}
	return nil, false
}

// kindsOf returns the observable kinds whose objects a pattern compares
// (network-traffic: its addresses).
func kindsOf(p *pattern.Pattern) []sensor.Kind {
	seen := map[sensor.Kind]bool{}
	var out []sensor.Kind
	add := func(ks ...sensor.Kind) {
		for _, k := range ks {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	for _, c := range p.Comparisons() {
		switch c.Path.ObjectType {
		case "ipv4-addr", "ipv6-addr", "network-traffic":
			add(sensor.KindIP)
		case "domain-name":
			add(sensor.KindDomain)
		case "url":
			add(sensor.KindURL)
		case "email-addr":
			add(sensor.KindEmail)
		case "file":
			add(sensor.KindFileName, sensor.KindMD5, sensor.KindSHA1, sensor.KindSHA256, sensor.KindSHA512, sensor.KindHash)
		}
	}
	return out
}

// Wants reports whether an observable can take part in a match; readers
// hand over only the events that hold one. It does not allocate.
func (c *Correlator) Wants(k sensor.Kind, value []byte) bool {
	if int(k) >= len(c.byKind) || len(c.byKind[k]) == 0 {
		return false
	}
	vs := c.values[k]
	if vs == nil {
		return true
	}
	var buf [256]byte
	if len(value) > len(buf) {
		return vs[strings.ToLower(string(value))]
	}
	for i, b := range value {
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		buf[i] = b
	}
	return vs[string(buf[:len(value)])]
}

// Observe takes one event and returns the hits it completes. The event's
// observables are copied as needed; ev may be reused by the caller.
func (c *Correlator) Observe(ev sensor.Event) []sensor.Hit {
	var rules []*rule
	for _, o := range ev.Observables {
		if int(o.Kind) < len(c.byKind) {
			for _, r := range c.byKind[o.Kind] {
				if !containsRule(rules, r) {
					rules = append(rules, r)
				}
			}
		}
	}
	if len(rules) == 0 {
		return nil
	}
	obs := observation(ev)
	var hits []sensor.Hit
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range rules {
		sat, err := r.p.Satisfies(&obs)
		if err != nil {
			c.errors++
			continue
		}
		if !slices.Contains(sat, true) {
			continue
		}
		if h, ok := c.add(r, ev, obs, sat); ok {
			hits = append(hits, h)
		}
	}
	return hits
}

func containsRule(rs []*rule, r *rule) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// observation is the pattern's view of an event: one root object per
// observable, observed once at the event's time.
func observation(ev sensor.Event) pattern.Observation {
	o := pattern.Observation{FirstObserved: ev.Time, LastObserved: ev.Time, NumberObserved: 1,
		Objects: make(map[string]map[string]any, len(ev.Observables))}
	for i, ob := range ev.Observables {
		k := strconv.Itoa(i)
		o.Objects[k] = sensor.ObservableObject(hashKind(ob), ob.Value)
		o.Roots = append(o.Roots, k)
	}
	if f := ev.Flow; f != nil {
		nt := map[string]any{"type": "network-traffic"}
		for _, end := range []struct {
			key, ref, portKey string
			ip                string
			port              int
		}{{"flow-src", "src_ref", "src_port", f.SrcIP, f.SrcPort}, {"flow-dst", "dst_ref", "dst_port", f.DstIP, f.DstPort}} {
			if end.ip != "" {
				o.Objects[end.key] = sensor.ObservableObject(sensor.KindIP, end.ip)
				nt[end.ref] = end.key
			}
			if end.port != 0 {
				nt[end.portKey] = float64(end.port)
			}
		}
		if f.Proto != "" {
			nt["protocols"] = []any{f.Proto}
		}
		o.Objects["flow"] = nt
		o.Roots = append(o.Roots, "flow")
	}
	return o
}

// hashKind names the algorithm of a digest of unknown algorithm by its
// length.
func hashKind(o sensor.Observable) sensor.Kind {
	if o.Kind != sensor.KindHash {
		return o.Kind
	}
	switch len(o.Value) {
	case 32:
		return sensor.KindMD5
	case 40:
		return sensor.KindSHA1
	case 64:
		return sensor.KindSHA256
	case 128:
		return sensor.KindSHA512
	}
	return o.Kind
}

// add puts an event in r's window, evicts what is too old or too many, and
// evaluates the pattern; on a match the events that took part leave the
// window and make the hit.
func (c *Correlator) add(r *rule, ev sensor.Event, obs pattern.Observation, sat []bool) (sensor.Hit, bool) {
	ev.Observables = slices.Clone(ev.Observables)
	if len(r.events) == 0 || ev.Time.After(r.newest) {
		r.newest = ev.Time
	}
	if len(r.events) == 0 || ev.Time.Before(r.oldest) {
		r.oldest = ev.Time
	}
	r.events, r.obs, r.sat = append(r.events, ev), append(r.obs, obs), append(r.sat, sat)
	if r.newest.Sub(r.oldest) > r.span {
		limit := r.newest.Add(-r.span)
		r.keep(func(i int) bool { return !r.events[i].Time.Before(limit) })
	}
	if over := len(r.events) - c.opts.MaxEvents; over > 0 {
		c.dropped += int64(over)
		// Dropping from the front reslices; append copies the window
		// into a new array once it runs out of room.
		r.events, r.obs, r.sat = r.events[over:], r.obs[over:], r.sat[over:]
	}
	res, err := r.p.MatchSatisfied(r.obs, r.sat)
	if err != nil {
		c.errors++
		return sensor.Hit{}, false
	}
	if !res.Matched {
		return sensor.Hit{}, false
	}
	h := sensor.Hit{Indicator: r.ind}
	taken := make(map[int]bool, len(res.Observations))
	for _, i := range res.Observations {
		taken[i] = true
		h.Events = append(h.Events, r.events[i])
	}
	sortEvents(h.Events)
	last := h.Events[len(h.Events)-1]
	h.Time, h.Source, h.Line = last.Time, last.Source, last.Line
	h.Observable = matchedObservable(r.p, last)
	r.keep(func(i int) bool { return !taken[i] })
	return h, true
}

// keep keeps the window's events for which ok is true, and brings its
// bounds up to date.
func (r *rule) keep(ok func(i int) bool) {
	n := 0
	for i := range r.events {
		if ok(i) {
			r.events[n], r.obs[n], r.sat[n] = r.events[i], r.obs[i], r.sat[i]
			n++
		}
	}
	clear(r.events[n:])
	clear(r.obs[n:])
	clear(r.sat[n:])
	r.events, r.obs, r.sat = r.events[:n], r.obs[:n], r.sat[:n]
	for i, e := range r.events {
		if i == 0 || e.Time.Before(r.oldest) {
			r.oldest = e.Time
		}
		if i == 0 || e.Time.After(r.newest) {
			r.newest = e.Time
		}
	}
}

// matchedObservable picks the observable of ev that the pattern involves.
func matchedObservable(p *pattern.Pattern, ev sensor.Event) sensor.Observable {
	for _, o := range ev.Observables {
		one := observation(sensor.Event{Time: ev.Time, Observables: []sensor.Observable{o}})
		if ok, _ := p.Involves(&one); ok {
			return o
		}
	}
	return ev.Observables[0]
}

// sortEvents orders events by time, then source and line.
func sortEvents(evs []sensor.Event) {
	slices.SortStableFunc(evs, func(a, b sensor.Event) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		if c := strings.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		return cmp.Compare(a.Line, b.Line)
	})
}

// Stats returns the counts of the Correlator.
func (c *Correlator) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := Stats{Patterns: len(c.rules), Dropped: c.dropped, Errors: c.errors}
	for _, r := range c.rules {
		st.Kept += len(r.events)
	}
	return st
}
