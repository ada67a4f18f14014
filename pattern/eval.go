package pattern

import (
	"fmt"
	"strings"
)

// evaluator evaluates comparison expressions against the objects of one
// observation, counting its work against a budget shared with the search.
type evaluator struct {
	obs   *Observation
	steps int
	limit int
	err   error
	// visit receives every value reached by a comparison whose Op is 0
	// (see Walker).
	visit func(v any, key string, inHashes bool)
}

// Walker reads the values that object paths reach in the objects of
// observations, as comparisons do: following _ref and _refs properties to
// the observation's objects, and looking hashes keys up under their other
// spellings. Its work counts against one budget of MaxEvalSteps steps over
// all its calls, like one call to Match. The zero Walker is ready to use;
// a Walker is not safe for concurrent use.
type Walker struct {
	ev  evaluator
	cmp Comparison // Op 0: visit the values
}

// Values calls fn with each value that path reaches from root, one of the
// root objects of o; nothing when root is not of the path's object type.
// key is the property holding the value (for an element of a list, the
// list's property) and inHashes whether that property is in a hashes
// dictionary. Once the Walker's budget is spent, Values calls fn no more
// and returns an error wrapping ErrEvalLimit.
func (w *Walker) Values(o *Observation, root map[string]any, path *ObjectPath, fn func(v any, key string, inHashes bool)) error {
	if w.ev.limit == 0 {
		w.ev.limit = MaxEvalSteps
	}
	w.ev.obs, w.ev.visit, w.cmp.Path = o, fn, path
	w.ev.comparison(&w.cmp, root)
	w.ev.visit, w.cmp.Path = nil, nil
	return w.ev.err
}

// spend counts one unit of work and reports false once the budget is spent.
func (e *evaluator) spend() bool {
	e.steps++
	if e.steps > e.limit {
		if e.err == nil {
			e.err = fmt.Errorf("pattern: more than %d evaluation steps: %w", e.limit, ErrEvalLimit)
		}
		return false
	}
	return true
}

// bracket reports whether one of the observation's root objects satisfies
// the comparison expression of an observation expression "[...]". All
// comparisons joined by AND must hold on the same root object (STIX 2.1
// §9: an observation expression describes one object).
func (e *evaluator) bracket(b *Bracket, o *Observation) bool {
	e.obs = o
	for _, id := range o.Roots {
		root := o.Objects[id]
		if root == nil {
			continue
		}
		if e.expr(b.Expr, root) {
			return true
		}
		if e.err != nil {
			return false
		}
	}
	return false
}

func (e *evaluator) expr(ce ComparisonExpr, root map[string]any) bool {
	switch ce := ce.(type) {
	case *Comparison:
		return e.comparison(ce, root)
	case *BoolExpr:
		if ce.Op == BoolAnd {
			for _, o := range ce.Operands {
				if !e.expr(o, root) {
					return false
				}
			}
			return true
		}
		for _, o := range ce.Operands {
			if e.expr(o, root) {
				return true
			}
			if e.err != nil {
				return false
			}
		}
	}
	return false
}

// comparison evaluates one comparison on a root object: false unless the
// root has the path's object type; otherwise true when a value reached by
// the path passes the test (for NOT EXISTS, when none is reached).
func (e *evaluator) comparison(c *Comparison, root map[string]any) bool {
	if t, _ := root["type"].(string); t != c.Path.ObjectType {
		return false
	}
	if !e.spend() {
		return false
	}
	if c.Op == OpExists {
		found := e.walk(c, root, 0, valueCtx{}, false, true)
		return found != c.Not
	}
	return e.walk(c, root, 0, valueCtx{}, false, false)
}

// walk follows the path's steps from i on, starting at v, and reports
// whether a value reached passes the comparison (or, with exists, whether
// any value is reached). refs is true when v is the list value of a _refs
// property, whose elements are references to resolve.
func (e *evaluator) walk(c *Comparison, v any, i int, ctx valueCtx, refs, exists bool) bool {
	if !e.spend() {
		return false
	}
	steps := c.Path.Steps
	if i == len(steps) {
		if refs {
			list, _ := v.([]any)
			for _, el := range list {
				if e.deref(el) != nil {
					return exists
				}
			}
			return false
		}
		if c.Op == 0 {
			e.visit(v, ctx.key, ctx.hashes)
			return false
		}
		return exists || test(c, v, ctx)
	}
	step := &steps[i]
	switch step.Kind {
	case StepKey:
		m, ok := v.(map[string]any)
		if !ok || refs {
			return false
		}
		inHashes := ctx.key == "hashes"
		val, ok := m[step.Key]
		if !ok && inHashes {
			val, ok = lookupHash(m, step.Key)
		}
		if !ok || (val == nil && (exists || i+1 < len(steps))) {
			// A JSON null ends a path early and does not exist; as the
			// last step it is a value of no type (see test).
			return false
		}
		next := valueCtx{key: step.Key, parent: m, hashes: inHashes}
		switch {
		case strings.HasSuffix(step.Key, "_ref"):
			obj := e.deref(val)
			if obj == nil {
				return false
			}
			return e.walk(c, obj, i+1, next, false, exists)
		case strings.HasSuffix(step.Key, "_refs"):
			if _, isList := val.([]any); !isList {
				return false
			}
			return e.walk(c, val, i+1, next, true, exists)
		}
		return e.walk(c, val, i+1, next, false, exists)
	case StepIndex:
		list, ok := v.([]any)
		if !ok || step.Index < 0 || step.Index >= len(list) {
			return false
		}
		return e.element(c, list[step.Index], i, ctx, refs, exists)
	case StepAnyIndex:
		list, ok := v.([]any)
		if !ok {
			return false
		}
		for _, el := range list {
			if e.element(c, el, i, ctx, refs, exists) {
				return true
			}
			if e.err != nil {
				return false
			}
		}
	}
	return false
}

// element continues the walk with one element of a list, resolving it
// first when the list holds references.
func (e *evaluator) element(c *Comparison, el any, i int, ctx valueCtx, refs, exists bool) bool {
	if refs {
		obj := e.deref(el)
		if obj == nil {
			return false
		}
		return e.walk(c, obj, i+1, ctx, false, exists)
	}
	if el == nil && (exists || i+1 < len(c.Path.Steps)) {
		return false
	}
	return e.walk(c, el, i+1, ctx, false, exists)
}

// deref resolves a reference to an object of the observation, or nil.
func (e *evaluator) deref(ref any) map[string]any {
	id, ok := ref.(string)
	if !ok || e.obs == nil {
		return nil
	}
	return e.obs.Objects[id]
}
