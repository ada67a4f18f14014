package pattern_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/pattern"
)

var epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// obsOf builds an observation seen n times between first and last
// (seconds after epoch), about one x-e object with the property v.
func obsOf(v string, first, last float64, n int) pattern.Observation {
	id := "x-e--" + v
	return pattern.Observation{
		ID:             fmt.Sprintf("observed-data--%s-%g", v, first),
		FirstObserved:  epoch.Add(time.Duration(first * float64(time.Second))),
		LastObserved:   epoch.Add(time.Duration(last * float64(time.Second))),
		NumberObserved: n,
		Objects:        map[string]map[string]any{id: {"type": "x-e", "id": id, "v": v}},
		Roots:          []string{id},
	}
}

// at is obsOf for one observation at one instant.
func at(v string, sec float64) pattern.Observation { return obsOf(v, sec, sec, 1) }

func TestObservationOperators(t *testing.T) {
	a, b, c := "[x-e:v = 'a']", "[x-e:v = 'b']", "[x-e:v = 'c']"
	tests := []struct {
		name    string
		pattern string
		obs     []pattern.Observation
		want    []int // observations of the match found; nil for no match
	}{
		{"single", a, []pattern.Observation{at("b", 0), at("a", 5)}, []int{1}},
		{"single none", a, []pattern.Observation{at("b", 0)}, nil},
		{"AND two observations", a + " AND " + b, []pattern.Observation{at("b", 0), at("a", 5)}, []int{0, 1}},
		{"AND needs both", a + " AND " + b, []pattern.Observation{at("a", 0), at("a", 5)}, nil},
		{"AND distinct observations", a + " AND " + a, []pattern.Observation{at("a", 0)}, nil},
		{"AND number_observed counts", a + " AND " + a, []pattern.Observation{obsOf("a", 0, 0, 2)}, []int{0}},
		{"OR either", a + " OR " + b, []pattern.Observation{at("b", 0)}, []int{0}},
		{"OR neither", a + " OR " + b, []pattern.Observation{at("c", 0)}, nil},
		{"FOLLOWEDBY in order", a + " FOLLOWEDBY " + b, []pattern.Observation{at("b", 10), at("a", 0)}, []int{0, 1}},
		{"FOLLOWEDBY out of order", a + " FOLLOWEDBY " + b, []pattern.Observation{at("b", 0), at("a", 10)}, nil},
		{"FOLLOWEDBY same instant", a + " FOLLOWEDBY " + b, []pattern.Observation{at("b", 0), at("a", 0)}, []int{0, 1}},
		{"FOLLOWEDBY overlapping intervals", b + " FOLLOWEDBY " + a, []pattern.Observation{obsOf("a", 0, 20, 1), at("b", 10)}, []int{0, 1}},
		{"FOLLOWEDBY chain", a + " FOLLOWEDBY " + b + " FOLLOWEDBY " + c, []pattern.Observation{at("a", 0), at("b", 10), at("c", 20)}, []int{0, 1, 2}},
		{"FOLLOWEDBY chain broken", a + " FOLLOWEDBY " + b + " FOLLOWEDBY " + c, []pattern.Observation{at("a", 0), at("b", 10), at("c", 5)}, nil},
		{"FOLLOWEDBY picks a later candidate", a + " FOLLOWEDBY " + b, []pattern.Observation{at("b", 0), at("a", 5), at("b", 9)}, []int{1, 2}},
		{"FOLLOWEDBY distinct", a + " FOLLOWEDBY " + a, []pattern.Observation{at("a", 0)}, nil},
		{"FOLLOWEDBY repeated observation", a + " FOLLOWEDBY " + a, []pattern.Observation{obsOf("a", 0, 0, 2)}, []int{0}},
		{"WITHIN met", "(" + a + " AND " + b + ") WITHIN 10 SECONDS", []pattern.Observation{at("a", 0), at("b", 10)}, []int{0, 1}},
		{"WITHIN missed", "(" + a + " AND " + b + ") WITHIN 9 SECONDS", []pattern.Observation{at("a", 0), at("b", 10)}, nil},
		{"WITHIN float", "(" + a + " AND " + b + ") WITHIN 9.5 SECONDS", []pattern.Observation{at("a", 0), at("b", 9.5)}, []int{0, 1}},
		{"WITHIN float missed", "(" + a + " AND " + b + ") WITHIN 9.5 SECONDS", []pattern.Observation{at("a", 0), at("b", 9.6)}, nil},
		{"WITHIN intervals overlap window", "(" + a + " AND " + b + ") WITHIN 9 SECONDS", []pattern.Observation{obsOf("a", 0, 5, 1), at("b", 14)}, []int{0, 1}},
		{"WITHIN picks close pair", "(" + a + " FOLLOWEDBY " + b + ") WITHIN 5 SECONDS", []pattern.Observation{at("a", 0), at("b", 100), at("a", 98)}, []int{1, 2}},
		{"WITHIN on one side only", a + " AND " + b + " WITHIN 1 SECONDS", []pattern.Observation{at("a", 0), at("b", 100)}, []int{0, 1}},
		{"REPEATS met", a + " REPEATS 3 TIMES", []pattern.Observation{at("a", 0), at("a", 1), at("b", 2), at("a", 3)}, []int{0, 1, 3}},
		{"REPEATS missed", a + " REPEATS 4 TIMES", []pattern.Observation{at("a", 0), at("a", 1), at("a", 3)}, nil},
		{"REPEATS number_observed", a + " REPEATS 4 TIMES", []pattern.Observation{obsOf("a", 0, 60, 4)}, []int{0}},
		{"REPEATS WITHIN met", a + " REPEATS 3 TIMES WITHIN 200 SECONDS", []pattern.Observation{at("a", 0), at("a", 100), at("a", 200), at("a", 300)}, []int{0, 1, 2}},
		{"REPEATS WITHIN missed", a + " REPEATS 3 TIMES WITHIN 199 SECONDS", []pattern.Observation{at("a", 0), at("a", 100), at("a", 200), at("a", 300)}, nil},
		{"REPEATS WITHIN later window", a + " REPEATS 3 TIMES WITHIN 10 SECONDS", []pattern.Observation{at("a", 0), at("a", 100), at("a", 105), at("a", 110)}, []int{1, 2, 3}},
		{"REPEATS compound", "(" + a + " AND " + b + ") REPEATS 2 TIMES", []pattern.Observation{at("a", 0), at("b", 1), at("a", 2), at("b", 3)}, []int{0, 1, 2, 3}},
		{"REPEATS compound missed", "(" + a + " AND " + b + ") REPEATS 2 TIMES", []pattern.Observation{at("a", 0), at("b", 1), at("a", 2)}, nil},
		{"REPEATS compound FOLLOWEDBY", "(" + a + " FOLLOWEDBY " + b + ") REPEATS 2 TIMES", []pattern.Observation{at("b", 0), at("a", 1), at("a", 2), at("b", 3)}, nil},
		{"REPEATS shares nothing with AND", a + " REPEATS 2 TIMES AND " + a, []pattern.Observation{at("a", 0), at("a", 1)}, nil},
		{"REPEATS leaves room for AND", a + " REPEATS 2 TIMES AND " + a, []pattern.Observation{obsOf("a", 0, 0, 2), at("a", 1)}, []int{0, 1}},
		{"START STOP inside", a + " START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:01Z'", []pattern.Observation{at("a", 0)}, []int{0}},
		{"START STOP stop excluded", a + " START t'2019-12-31T23:59:59Z' STOP t'2020-01-01T00:00:00Z'", []pattern.Observation{at("a", 0)}, nil},
		{"START STOP interval overlaps", a + " START t'2020-01-01T00:00:50Z' STOP t'2020-01-01T00:01:00Z'", []pattern.Observation{obsOf("a", 0, 100, 1)}, []int{0}},
		{"START STOP before", a + " START t'2020-01-01T00:00:50Z' STOP t'2020-01-01T00:01:00Z'", []pattern.Observation{obsOf("a", 0, 49, 1)}, nil},
		{"START STOP on group", "(" + a + " AND " + b + ") START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:10Z'", []pattern.Observation{at("a", 0), at("b", 10), at("b", 9)}, []int{0, 2}},
		{"nested qualifiers", "(" + a + " REPEATS 2 TIMES) WITHIN 5 SECONDS FOLLOWEDBY " + b, []pattern.Observation{at("a", 0), at("a", 4), at("b", 3), at("b", 5)}, []int{0, 1, 3}},
		{"FOLLOWEDBY chain with intervals", a + " FOLLOWEDBY " + b + " FOLLOWEDBY " + c, []pattern.Observation{obsOf("a", 0, 0, 1), obsOf("b", 5, 30, 1), obsOf("c", 1, 10, 1)}, []int{0, 1, 2}},
		{"FOLLOWEDBY chain needs each pair", a + " FOLLOWEDBY " + b + " FOLLOWEDBY " + c, []pattern.Observation{obsOf("a", 0, 0, 1), obsOf("b", 11, 30, 1), obsOf("c", 1, 10, 1)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := MustParse(t, tt.pattern)
			r, err := p.Match(tt.obs)
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			want := pattern.Result{Matched: tt.want != nil, Observations: tt.want}
			if diff := cmp.Diff(want, r); diff != "" {
				t.Errorf("Match(%s) (-want +got):\n%s", tt.pattern, diff)
			}
			// The same with the satisfaction of each [ ... ] computed
			// beforehand, as a stream evaluator does.
			sat := make([][]bool, len(tt.obs))
			for i := range tt.obs {
				if sat[i], err = p.Satisfies(&tt.obs[i]); err != nil {
					t.Fatal(err)
				}
			}
			r, err = p.MatchSatisfied(tt.obs, sat)
			if err != nil {
				t.Fatalf("MatchSatisfied: %v", err)
			}
			if diff := cmp.Diff(want, r); diff != "" {
				t.Errorf("MatchSatisfied(%s) (-want +got):\n%s", tt.pattern, diff)
			}
		})
	}
	if _, err := MustParse(t, "[x-e:v = 'a']").MatchSatisfied([]pattern.Observation{at("a", 0)}, [][]bool{{true, false}}); err == nil {
		t.Error("MatchSatisfied with a satisfaction list of the wrong length: no error")
	}
}

func TestMatchEvalLimit(t *testing.T) {
	// Twenty AND-ed operands repeated twice need 40 distinct observations;
	// with 30, proving there is no match means trying an exponential number
	// of assignments. Match gives up with an error rather than a false.
	var obs []pattern.Observation
	for i := range 30 {
		obs = append(obs, at("a", float64(i)))
	}
	group := "[x-e:v = 'a']"
	for range 19 {
		group += " AND [x-e:v = 'a']"
	}
	_, err := MustParse(t, "("+group+") REPEATS 2 TIMES").Match(obs)
	if !errors.Is(err, pattern.ErrEvalLimit) {
		t.Fatalf("Match error = %v, want ErrEvalLimit", err)
	}
}

func TestMatchScalesOnSortedCandidates(t *testing.T) {
	// 4,000 observations of each side in the wrong order: the search sees
	// at once that no "b" ends after any "a" starts, within the budget.
	var obs []pattern.Observation
	for i := range 4000 {
		obs = append(obs, at("b", float64(i)), at("a", float64(10000+i)))
	}
	for _, s := range []string{
		"[x-e:v = 'a'] FOLLOWEDBY [x-e:v = 'b']",
		"([x-e:v = 'a'] AND [x-e:v = 'b']) WITHIN 10 SECONDS",
		"[x-e:v = 'a'] REPEATS 5 TIMES WITHIN 2 SECONDS",
	} {
		r, err := MustParse(t, s).Match(obs)
		if err != nil || r.Matched {
			t.Errorf("Match(%s) = %v, %v; want no match and no error", s, r.Matched, err)
		}
	}
}

func TestMatchesAgreesWithMatch(t *testing.T) {
	obs := []pattern.Observation{at("a", 0), at("b", 3)}
	for _, s := range []string{"[x-e:v = 'a']", "[x-e:v = 'c']", "[x-e:v = 'a'] FOLLOWEDBY [x-e:v = 'b']", "[x-e:v = 'b'] FOLLOWEDBY [x-e:v = 'a']"} {
		p := MustParse(t, s)
		r, err1 := p.Match(obs)
		ok, err2 := p.Matches(obs)
		if err1 != nil || err2 != nil || r.Matched != ok {
			t.Errorf("%s: Match = %v, %v; Matches = %v, %v", s, r.Matched, err1, ok, err2)
		}
	}
}
