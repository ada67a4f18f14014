package pattern

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// Result is the outcome of Match.
type Result struct {
	// Matched reports whether the observations satisfy the pattern.
	Matched bool
	// Observations lists, in increasing order, the indexes (into the slice
	// given to Match) of the observations that the match found binds to
	// the pattern's observation expressions.
	Observations []int
}

// Match evaluates the pattern against observations (STIX 2.1 §9) and
// returns one set of observations that satisfies it, if any.
//
// An observation expression [ ... ] is satisfied by one observation if one
// of its root objects satisfies the comparison expression. Matching the
// whole pattern means binding observations to its observation expressions
// such that:
//
//   - the operands of AND and FOLLOWEDBY are bound to distinct
//     observations, an observed-data with number_observed n counting as n
//     observations;
//   - in "A FOLLOWEDBY B", timestamps can be chosen within each
//     observation's [first_observed, last_observed] such that A's come no
//     later than B's: the latest first_observed of A is not after the
//     earliest last_observed of B (so FOLLOWEDBY is associative: in a
//     chain, each operand follows all those before it);
//   - "WITHIN d SECONDS": some window of d seconds overlaps every
//     observation bound under the qualifier (the latest first_observed minus
//     the earliest last_observed is at most d);
//   - "REPEATS n TIMES": n distinct bindings of the expression;
//   - "START s STOP t": every observation bound under the qualifier was
//     observed at some time in [s, t): first_observed < t and
//     last_observed >= s. A window whose STOP is not after its START
//     holds no observation;
//   - qualifiers chained on one expression apply one after the other:
//     "[a] REPEATS 2 TIMES REPEATS 2 TIMES" needs two disjoint bindings of
//     "[a] REPEATS 2 TIMES", four observations in all.
//
// The search is exact: a backtracking search over observations sorted by
// time, pruned by the temporal constraints (an observation that cannot fit
// a WITHIN window or follow its FOLLOWEDBY predecessor ends the scan of a
// sorted candidate list), by capacity counts for REPEATS, and by ordering
// the operands of REPEATS so that permutations of one set are tried once.
// Its work is bounded by MaxEvalSteps; past it Match returns an error
// wrapping ErrEvalLimit instead of a result.
func (p *Pattern) Match(obs []Observation) (Result, error) {
	return p.match(obs, nil)
}

// MatchSatisfied is Match when which observation expressions each
// observation satisfies is already known: sat[i] is Satisfies(&obs[i]).
// A stream evaluator computes it once per observation, not once per Match.
func (p *Pattern) MatchSatisfied(obs []Observation, sat [][]bool) (Result, error) {
	if len(sat) != len(obs) {
		return Result{}, fmt.Errorf("pattern: %d satisfaction lists for %d observations", len(sat), len(obs))
	}
	for _, s := range sat {
		if len(s) != len(p.leaves) {
			return Result{}, fmt.Errorf("pattern: a satisfaction list of %d for %d observation expressions", len(s), len(p.leaves))
		}
	}
	return p.match(obs, sat)
}

func (p *Pattern) match(obs []Observation, sat [][]bool) (Result, error) {
	if b, ok := p.Root.(*Bracket); ok && sat == nil {
		e := evaluator{limit: MaxEvalSteps}
		for i := range obs {
			if e.bracket(b, &obs[i]) {
				return Result{Matched: true, Observations: []int{i}}, nil
			}
			if e.err != nil {
				return Result{}, e.err
			}
		}
		return Result{}, nil
	}
	m := newMatcher(p, obs, sat)
	if m.ev.err != nil {
		return Result{}, m.ev.err
	}
	var found []int
	ok := m.root != nil && m.solve(m.root, cons{minL: math.MinInt64, stopF: math.MaxInt64}, func() bool {
		for _, b := range m.bound {
			found = append(found, int(b.obs))
		}
		return true
	})
	if m.ev.err != nil {
		return Result{}, m.ev.err
	}
	if !ok {
		return Result{}, nil
	}
	slices.Sort(found)
	return Result{Matched: true, Observations: slices.Compact(found)}, nil
}

// Matches reports whether the observations satisfy the pattern; it is
// Match without the list of observations, and does not allocate for a
// pattern of one observation expression.
func (p *Pattern) Matches(obs []Observation) (bool, error) {
	if b, ok := p.Root.(*Bracket); ok {
		e := evaluator{limit: MaxEvalSteps}
		for i := range obs {
			if e.bracket(b, &obs[i]) {
				return true, nil
			}
			if e.err != nil {
				return false, e.err
			}
		}
		return false, nil
	}
	r, err := p.Match(obs)
	return r.Matched, err
}

// cons are the per-observation constraints inherited from FOLLOWEDBY and
// START/STOP: last_observed >= minL and first_observed < stopF.
type cons struct {
	minL, stopF int64
}

type nodeKind uint8

const (
	nLeaf nodeKind = iota
	nAnd
	nOr
	nFollowedBy
	nWithin
	nRepeats
	nStartStop
)

// snode is the search's view of an observation expression.
type snode struct {
	kind        nodeKind
	kids        []*snode
	leaf        *leafSet
	limit       int64 // WITHIN, in nanoseconds
	n           int   // REPEATS
	start, stop int64 // START/STOP
	feasible    bool
}

// leafSet holds the observations that satisfy one [ ... ].
type leafSet struct {
	byF  []int32 // by first_observed, ascending
	byL  []int32 // by last_observed, descending
	sufN []int64 // sufN[p]: instances of byF[p:]
	preL []int64 // preL[p]: instances of byL[:p]
}

// scope tracks the observations bound under a WITHIN (limit >= 0) or a
// FOLLOWEDBY (limit < 0, bookkeeping only).
type scope struct {
	limit      int64
	maxF, minL int64
	n          int32
	active     bool
}

type undoEntry struct {
	scope      int
	maxF, minL int64
	n          int32
}

type boundObs struct {
	obs   int32
	count int32
}

// mark is the state to restore when a binding is undone.
type mark struct {
	undo    int
	floorOn bool
}

type matcher struct {
	ev      evaluator
	f, l    []int64
	cap     []int32
	used    []int32
	bound   []boundObs
	scopes  []scope
	undo    []undoEntry
	floor   int32
	floorOn bool
	root    *snode
}

func nanos(t time.Time) int64 {
	s := t.Unix()
	switch {
	case s >= math.MaxInt64/1_000_000_000-1:
		return math.MaxInt64 - 1
	case s <= math.MinInt64/1_000_000_000+1:
		return math.MinInt64 + 1
	}
	return t.UnixNano()
}

// satAdd adds without overflowing past the int64 range.
func satAdd(a, b int64) int64 {
	switch {
	case b > 0 && a > math.MaxInt64-b:
		return math.MaxInt64
	case b < 0 && a < math.MinInt64-b:
		return math.MinInt64
	}
	return a + b
}

func newMatcher(p *Pattern, obs []Observation, sat [][]bool) *matcher {
	m := &matcher{ev: evaluator{limit: MaxEvalSteps}}
	m.f = make([]int64, len(obs))
	m.l = make([]int64, len(obs))
	m.cap = make([]int32, len(obs))
	m.used = make([]int32, len(obs))
	for i := range obs {
		m.f[i], m.l[i] = nanos(obs[i].FirstObserved), nanos(obs[i].LastObserved)
		m.cap[i] = int32(max(1, min(obs[i].NumberObserved, math.MaxInt32)))
	}
	leaves := make(map[*Bracket]*leafSet, len(p.leaves))
	for li, b := range p.leaves {
		ls := &leafSet{}
		for i := range obs {
			if sat != nil {
				if sat[i][li] {
					ls.byF = append(ls.byF, int32(i))
				}
				continue
			}
			if m.ev.bracket(b, &obs[i]) {
				ls.byF = append(ls.byF, int32(i))
			}
			if m.ev.err != nil {
				return m
			}
		}
		slices.SortStableFunc(ls.byF, func(a, b int32) int { return cmp.Compare(m.f[a], m.f[b]) })
		ls.byL = slices.Clone(ls.byF)
		slices.SortStableFunc(ls.byL, func(a, b int32) int { return cmp.Compare(m.l[b], m.l[a]) })
		ls.sufN = make([]int64, len(ls.byF)+1)
		ls.preL = make([]int64, len(ls.byL)+1)
		for k := len(ls.byF) - 1; k >= 0; k-- {
			ls.sufN[k] = ls.sufN[k+1] + int64(m.cap[ls.byF[k]])
		}
		for k, j := range ls.byL {
			ls.preL[k+1] = ls.preL[k] + int64(m.cap[j])
		}
		leaves[b] = ls
	}
	m.root = m.build(p.Root, leaves)
	if !m.root.feasible {
		m.root = nil
	}
	return m
}

// build converts the syntax tree, dropping OR operands that no observation
// can satisfy and putting the most selective AND operands first.
func (m *matcher) build(e ObservationExpr, leaves map[*Bracket]*leafSet) *snode {
	switch e := e.(type) {
	case *Bracket:
		ls := leaves[e]
		return &snode{kind: nLeaf, leaf: ls, feasible: len(ls.byF) > 0}
	case *Qualified:
		kid := m.build(e.Expr, leaves)
		nd := &snode{kids: []*snode{kid}, feasible: kid.feasible}
		q := e.Qualifier
		switch q.Kind {
		case QualWithin:
			nd.kind, nd.limit = nWithin, int64(q.Within)
		case QualRepeats:
			nd.kind, nd.n = nRepeats, q.Repeats
			if kid.kind == nLeaf && kid.leaf.sufN[0] < int64(q.Repeats) {
				nd.feasible = false
			}
		case QualStartStop:
			nd.kind, nd.start, nd.stop = nStartStop, nanos(q.Start), nanos(q.Stop)
			if !q.Start.Before(q.Stop) {
				nd.feasible = false // an empty or inverted window holds nothing
			}
		}
		return nd
	case *ObservationOp:
		nd := &snode{}
		switch e.Op {
		case ObsAnd:
			nd.kind = nAnd
		case ObsOr:
			nd.kind = nOr
		default:
			nd.kind = nFollowedBy
		}
		nd.feasible = nd.kind != nOr
		for _, o := range e.Operands {
			kid := m.build(o, leaves)
			switch {
			case nd.kind == nOr && kid.feasible:
				nd.kids = append(nd.kids, kid)
				nd.feasible = true
			case nd.kind != nOr:
				nd.kids = append(nd.kids, kid)
				nd.feasible = nd.feasible && kid.feasible
			}
		}
		if nd.kind == nAnd {
			slices.SortStableFunc(nd.kids, func(a, b *snode) int { return cmp.Compare(estimate(a), estimate(b)) })
		}
		return nd
	}
	return &snode{}
}

// estimate is a rough count of the bindings of a node, to order AND
// operands.
func estimate(nd *snode) int {
	if nd.kind == nLeaf {
		return len(nd.leaf.byF)
	}
	n := math.MaxInt32
	for _, k := range nd.kids {
		n = min(n, estimate(k))
	}
	return n
}

// solve finds a binding of nd under the constraints c and the active
// scopes, then calls k to bind the rest of the pattern; it backtracks to
// the next binding of nd while k fails.
func (m *matcher) solve(nd *snode, c cons, k func() bool) bool {
	if m.ev.err != nil || !nd.feasible {
		return false
	}
	switch nd.kind {
	case nLeaf:
		return m.leaf(nd.leaf, c, k)
	case nAnd:
		return m.and(nd.kids, 0, c, k)
	case nOr:
		for _, kid := range nd.kids {
			if m.solve(kid, c, k) {
				return true
			}
			if m.ev.err != nil {
				return false
			}
		}
		return false
	case nFollowedBy:
		idx := m.pushScope(-1)
		ok := m.followedBy(nd, 0, idx, c, k)
		m.scopes = m.scopes[:idx]
		return ok
	case nWithin:
		idx := m.pushScope(nd.limit)
		ok := m.solve(nd.kids[0], c, func() bool { return m.leaveScope(idx, k) })
		m.scopes = m.scopes[:idx]
		return ok
	case nStartStop:
		c.minL = max(c.minL, nd.start)
		c.stopF = min(c.stopF, nd.stop)
		return m.solve(nd.kids[0], c, k)
	case nRepeats:
		if kid := nd.kids[0]; kid.kind == nLeaf {
			return m.leafRepeat(kid.leaf, 0, nd.n, c, k)
		}
		return m.repeat(nd, 0, c, k)
	}
	return false
}

func (m *matcher) and(kids []*snode, i int, c cons, k func() bool) bool {
	if i == len(kids) {
		return k()
	}
	return m.solve(kids[i], c, func() bool { return m.and(kids, i+1, c, k) })
}

// followedBy binds the operands left to right; each operand's observations
// must not end before the latest start of the operands before it.
func (m *matcher) followedBy(nd *snode, i, idx int, c cons, k func() bool) bool {
	if i == len(nd.kids) {
		return m.leaveScope(idx, k)
	}
	next := c
	if i > 0 {
		next.minL = max(c.minL, m.scopes[idx].maxF)
	}
	return m.solve(nd.kids[i], next, func() bool { return m.followedBy(nd, i+1, idx, c, k) })
}

// leaveScope runs k with scope idx inactive: what k binds lies outside it.
func (m *matcher) leaveScope(idx int, k func() bool) bool {
	m.scopes[idx].active = false
	r := k()
	m.scopes[idx].active = true
	return r
}

func (m *matcher) pushScope(limit int64) int {
	m.scopes = append(m.scopes, scope{limit: limit, maxF: math.MinInt64, minL: math.MaxInt64, active: true})
	return len(m.scopes) - 1
}

// repeat binds nd.n disjoint bindings of a compound expression. The first
// observation bound by each repetition must not precede (in input order)
// the first of the previous one, so each set of bindings is tried once.
func (m *matcher) repeat(nd *snode, r int, c cons, k func() bool) bool {
	if r == nd.n {
		return k()
	}
	saveOn, saveFloor := m.floorOn, m.floor
	if r > 0 {
		m.floorOn = true
	}
	start := len(m.bound)
	ok := m.solve(nd.kids[0], c, func() bool {
		inner, innerOn := m.floor, m.floorOn
		m.floor = m.bound[start].obs
		ok := m.repeat(nd, r+1, c, k)
		m.floor, m.floorOn = inner, innerOn
		return ok
	})
	m.floorOn, m.floor = saveOn, saveFloor
	return ok
}

// bounds returns the range of observations that may still be bound: the
// latest first_observed (START/STOP, and every active WITHIN window that
// already holds an observation) and the earliest last_observed
// (FOLLOWEDBY, START/STOP, and the same windows).
func (m *matcher) bounds(c cons) (upperF, lowerL int64) {
	upperF, lowerL = c.stopF-1, c.minL
	for i := range m.scopes {
		s := &m.scopes[i]
		if s.active && s.limit >= 0 && s.n > 0 {
			upperF = min(upperF, satAdd(s.minL, s.limit))
			lowerL = max(lowerL, satAdd(s.maxF, -s.limit))
		}
	}
	return upperF, lowerL
}

// fits reports whether observation j can be bound under the constraints
// and the active windows.
func (m *matcher) fits(j int32, c cons) bool {
	if m.used[j] >= m.cap[j] || m.l[j] < c.minL || m.f[j] >= c.stopF || (m.floorOn && j < m.floor) {
		return false
	}
	for i := range m.scopes {
		s := &m.scopes[i]
		if !s.active || s.limit < 0 || s.n == 0 {
			continue
		}
		if max(s.maxF, m.f[j]) > satAdd(min(s.minL, m.l[j]), s.limit) {
			return false
		}
	}
	return true
}

func (m *matcher) bind(j int32, count int32) mark {
	mk := mark{undo: len(m.undo), floorOn: m.floorOn}
	m.floorOn = false
	m.used[j] += count
	m.bound = append(m.bound, boundObs{obs: j, count: count})
	for i := range m.scopes {
		s := &m.scopes[i]
		if !s.active {
			continue
		}
		m.undo = append(m.undo, undoEntry{scope: i, maxF: s.maxF, minL: s.minL, n: s.n})
		s.maxF, s.minL, s.n = max(s.maxF, m.f[j]), min(s.minL, m.l[j]), s.n+count
	}
	return mk
}

func (m *matcher) unbind(mk mark) {
	for len(m.undo) > mk.undo {
		u := m.undo[len(m.undo)-1]
		m.undo = m.undo[:len(m.undo)-1]
		s := &m.scopes[u.scope]
		s.maxF, s.minL, s.n = u.maxF, u.minL, u.n
	}
	b := m.bound[len(m.bound)-1]
	m.bound = m.bound[:len(m.bound)-1]
	m.used[b.obs] -= b.count
	m.floorOn = mk.floorOn
}

// leaf tries each observation of ls that fits. Candidates are kept sorted
// by first_observed and by last_observed; the search scans the shorter of
// the two ranges that the bounds allow.
func (m *matcher) leaf(ls *leafSet, c cons, k func() bool) bool {
	upperF, lowerL := m.bounds(c)
	nF := sort.Search(len(ls.byF), func(i int) bool { return m.f[ls.byF[i]] > upperF })
	nL := sort.Search(len(ls.byL), func(i int) bool { return m.l[ls.byL[i]] < lowerL })
	list := ls.byF[:nF]
	if nL < nF {
		list = ls.byL[:nL]
	}
	for _, j := range list {
		if ok, stop := m.try(j, c, k); stop {
			return ok
		}
	}
	return false
}

// try binds observation j if it fits and continues with k; stop reports
// that the search is over (k succeeded or the budget is spent).
func (m *matcher) try(j int32, c cons, k func() bool) (ok, stop bool) {
	if !m.ev.spend() {
		return false, true
	}
	if !m.fits(j, c) {
		return false, false
	}
	mk := m.bind(j, 1)
	ok = k()
	m.unbind(mk)
	return ok, ok || m.ev.err != nil
}

// leafRepeat binds need instances of observations of ls, taking candidates
// in first_observed order from position p0 on, several instances of one
// observed-data at a time.
func (m *matcher) leafRepeat(ls *leafSet, p0, need int, c cons, k func() bool) bool {
	if need == 0 {
		return k()
	}
	upperF, lowerL := m.bounds(c)
	hi := p0 + sort.Search(len(ls.byF)-p0, func(i int) bool { return m.f[ls.byF[p0+i]] > upperF })
	nL := sort.Search(len(ls.byL), func(i int) bool { return m.l[ls.byL[i]] < lowerL })
	if ls.sufN[p0]-ls.sufN[hi] < int64(need) || ls.preL[nL] < int64(need) {
		return false
	}
	for p := p0; p < hi; p++ {
		j := ls.byF[p]
		if !m.ev.spend() {
			return false
		}
		if !m.fits(j, c) {
			continue
		}
		for take := min(m.cap[j]-m.used[j], int32(need)); take >= 1; take-- {
			mk := m.bind(j, take)
			ok := m.leafRepeat(ls, p+1, need-int(take), c, k)
			m.unbind(mk)
			if ok {
				return true
			}
			if m.ev.err != nil {
				return false
			}
		}
	}
	return false
}

// Involves reports whether o satisfies at least one of the pattern's
// observation expressions [ ... ]: only such observations can be bound in
// a match, so a stream evaluator keeps those and forgets the others.
func (p *Pattern) Involves(o *Observation) (bool, error) {
	sat, err := p.Satisfies(o)
	return slices.Contains(sat, true), err
}

// Satisfies returns, for each observation expression [ ... ] of the
// pattern in the order they are written, whether o satisfies it.
func (p *Pattern) Satisfies(o *Observation) ([]bool, error) {
	e := evaluator{limit: MaxEvalSteps}
	sat := make([]bool, len(p.leaves))
	for i, b := range p.leaves {
		sat[i] = e.bracket(b, o)
		if e.err != nil {
			return nil, e.err
		}
	}
	return sat, nil
}

// SingleObservation reports whether one observation can match the pattern
// on its own: its root is one observation expression [ ... ] without
// qualifiers.
func (p *Pattern) SingleObservation() bool {
	_, ok := p.Root.(*Bracket)
	return ok
}
