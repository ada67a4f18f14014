package pattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
)

// Observation is one observed-data: when it was seen, how many times, and
// the objects it is about. Patterns are evaluated against Roots; a _ref or
// _refs property is resolved by looking its value up in Objects.
type Observation struct {
	// ID is the observed-data's id.
	ID string
	// FirstObserved and LastObserved bound when the objects were seen.
	FirstObserved, LastObserved time.Time
	// NumberObserved is how many times they were seen (at least 1); one
	// observed-data counts as that many observations for REPEATS and for
	// operands of AND and FOLLOWEDBY.
	NumberObserved int
	// Objects holds the objects a reference may name: the bundle's
	// objects by id (STIX 2.1), or the observed-data's embedded objects
	// by key (STIX 2.0). Builders may share one map between observations.
	Objects map[string]map[string]any
	// Roots lists the keys in Objects of the objects the observation is
	// about: object_refs (2.1), or every embedded object (2.0).
	Roots []string
}

// ObservationsFromObjects builds the observations of one bundle's objects
// (as decoded by encoding/json, with or without UseNumber): every
// observed-data, with object_refs resolved against the other objects (STIX
// 2.1), or with its embedded "objects" (STIX 2.0). Objects that are not
// observed-data only serve to resolve references. A reference to an object
// that is not in objs is ignored.
func ObservationsFromObjects(objs []map[string]any) ([]Observation, error) {
	byID := make(map[string]map[string]any, len(objs))
	for _, o := range objs {
		if id, ok := o["id"].(string); ok {
			byID[id] = o
		}
	}
	var out []Observation
	for _, o := range objs {
		if t, _ := o["type"].(string); t != "observed-data" {
			continue
		}
		ob, err := observationFrom(o, byID)
		if err != nil {
			return nil, err
		}
		out = append(out, ob)
	}
	return out, nil
}

func observationFrom(o map[string]any, byID map[string]map[string]any) (Observation, error) {
	id, _ := o["id"].(string)
	ob := Observation{ID: id}
	fail := func(format string, args ...any) (Observation, error) {
		return Observation{}, fmt.Errorf("observed-data %s: %s", id, fmt.Sprintf(format, args...))
	}
	var err error
	if ob.FirstObserved, err = jsonTimestamp(o, "first_observed"); err != nil {
		return fail("%v", err)
	}
	if ob.LastObserved, err = jsonTimestamp(o, "last_observed"); err != nil {
		return fail("%v", err)
	}
	if ob.LastObserved.Before(ob.FirstObserved) {
		return fail("last_observed is before first_observed")
	}
	ob.NumberObserved = 1
	if v, ok := o["number_observed"]; ok {
		n, isNum := number(v)
		if !isNum || n < 1 || n > math.MaxInt32 || n != math.Trunc(n) {
			return fail("number_observed must be an integer from 1 to %d", math.MaxInt32)
		}
		ob.NumberObserved = int(n)
	}
	if embedded, ok := o["objects"].(map[string]any); ok && len(embedded) > 0 {
		ob.Objects = make(map[string]map[string]any, len(embedded))
		for k, v := range embedded {
			if m, ok := v.(map[string]any); ok {
				ob.Objects[k] = m
				ob.Roots = append(ob.Roots, k)
			}
		}
		slices.Sort(ob.Roots)
		return ob, nil
	}
	refs, _ := o["object_refs"].([]any)
	ob.Objects = byID
	for _, r := range refs {
		if s, ok := r.(string); ok {
			if _, found := byID[s]; found {
				ob.Roots = append(ob.Roots, s)
			}
		}
	}
	return ob, nil
}

func jsonTimestamp(o map[string]any, key string) (time.Time, error) {
	s, ok := o[key].(string)
	if !ok {
		return time.Time{}, fmt.Errorf("%s is missing or not a string", key)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not an RFC 3339 timestamp", key, s)
	}
	return t, nil
}

// number returns a JSON number (float64 or json.Number) as a float64.
func number(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return 0, false
}

// ReadObservations decodes STIX JSON from r and builds its observations: r
// holds a bundle, a JSON array of STIX objects, or a JSON array of bundles
// (references resolve within each bundle). Numbers are decoded as
// json.Number, so large integers keep their precision.
func ReadObservations(r io.Reader) ([]Observation, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read observations: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode observations: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decode observations: trailing data after the JSON document")
	}
	switch doc := doc.(type) {
	case map[string]any:
		return bundleObservations(doc)
	case []any:
		var objs []map[string]any
		var out []Observation
		for i, item := range doc {
			m, ok := item.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("decode observations: item %d is not a JSON object", i)
			}
			if t, _ := m["type"].(string); t == "bundle" {
				obs, err := bundleObservations(m)
				if err != nil {
					return nil, fmt.Errorf("bundle %d: %w", i, err)
				}
				out = append(out, obs...)
				continue
			}
			objs = append(objs, m)
		}
		obs, err := ObservationsFromObjects(objs)
		if err != nil {
			return nil, err
		}
		return append(out, obs...), nil
	}
	return nil, errors.New("decode observations: expected a bundle or a JSON array")
}

func bundleObservations(b map[string]any) ([]Observation, error) {
	if t, _ := b["type"].(string); t != "bundle" {
		if t == "observed-data" {
			return ObservationsFromObjects([]map[string]any{b})
		}
		return nil, fmt.Errorf("decode observations: expected a bundle, found type %s", strconv.Quote(t))
	}
	items, _ := b["objects"].([]any)
	objs := make([]map[string]any, 0, len(items))
	for i, item := range items {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("decode observations: object %d of the bundle is not a JSON object", i)
		}
		objs = append(objs, m)
	}
	return ObservationsFromObjects(objs)
}
