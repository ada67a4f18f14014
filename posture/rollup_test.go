package posture_test

import (
	"testing"

	"github.com/vigie-cti/vigie/posture"
)

func TestRoll(t *testing.T) {
	mk := func(product string, st ...string) *posture.Report {
		r := &posture.Report{Product: product}
		for i, s := range st {
			r.Requirements = append(r.Requirements, posture.RequirementResult{ID: []string{"R1", "R2", "R3"}[i], Status: s})
		}
		return r
	}
	ru := posture.Roll("Acme", "c", now, []*posture.Report{
		mk("a@1", posture.Pass, posture.Pass, posture.Unknown),
		mk("b@1", posture.Pass, posture.Fail, posture.Pass),
	})
	want := map[string]string{"R1": posture.Pass, "R2": posture.Fail, "R3": posture.Unknown}
	for _, q := range ru.Requirements {
		if q.Status != want[q.ID] {
			t.Errorf("%s = %s, want %s", q.ID, q.Status, want[q.ID])
		}
	}
	if ru.Summary != (posture.Summary{Pass: 1, Fail: 1, Unknown: 1}) || len(ru.Products) != 2 {
		t.Errorf("summary %+v, products %d", ru.Summary, len(ru.Products))
	}
}
