package hub_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/sensor/yara"
	"github.com/vigie-cti/vigie/store/sqlite"
	"github.com/vigie-cti/vigie/triage"
	"github.com/vigie-cti/vigie/triage/triagetest"
)

// libyaraRules compiles with the real engine (as cmd/vigie wires it).
type libyaraRules struct{}

func (libyaraRules) Compile(srcs []hub.RuleSource) (triage.RuleScanner, func(), error) {
	var ys []yara.Source
	for _, s := range srcs {
		ys = append(ys, yara.Source{Namespace: s.Namespace, Text: s.Text})
	}
	r, _, err := yara.Compile(ys)
	if err != nil || r == nil {
		return nil, func() {}, err
	}
	sc, err := r.NewScanner(10 * time.Second)
	if err != nil {
		return nil, func() {}, err
	}
	return sc, func() { sc.Close(); r.Destroy() }, nil
}

// TestSampleIndicators: the YARA rules and hash indicators the submitter
// may read are run on its sample; another organisation's it may not read
// are not, and nothing of it lands in the report others read.
func TestSampleIndicators(t *testing.T) {
	if !yara.Available {
		t.Skip("this build has no YARA (noyara or no cgo)")
	}
	w := newSampleWorld(t)
	st, err := sqlite.Open(ctx, w.path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := hub.New(st, hub.Config{Rules: libyaraRules{}}, w.clock.now)
	data := triagetest.Sample(1)
	sha := triage.Analyze(data, triage.Options{}).Hashes.SHA256
	rule := `rule frozen_lantern { strings: $m = "FrozenLanternMutex" wide ascii condition: $m }`
	publish(t, w.fixture, w.a, w.shared.ID,
		indicator(1, vigie.TLPAmber, map[string]any{"pattern_type": "yara", "pattern": rule, "name": "Frozen Lantern mutex"}),
		indicator(2, vigie.TLPAmber, map[string]any{"pattern": "[file:hashes.'SHA-256' = '" + sha + "']", "name": "Frozen Lantern loader"}),
	)
	// C may read neither indicator: nothing found for it.
	cOut, err := h.SubmitSample(ctx, w.c, hub.SampleSubmission{Root: "r", Collection: w.open.ID, TLP: vigie.TLPGreen, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if len(cOut.YARA) != 0 || len(cOut.Indicators) != 0 {
		t.Errorf("C got hits from indicators it may not read: %+v %+v", cOut.YARA, cOut.Indicators)
	}
	bOut, err := h.SubmitSample(ctx, w.b, hub.SampleSubmission{Root: "r", Collection: w.shared.ID, TLP: vigie.TLPAmber, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if len(bOut.YARA) != 1 || bOut.YARA[0].Rule != "frozen_lantern" || bOut.YARA[0].Indicator != "indicator--00000000-0000-4000-8000-000000000001" {
		t.Errorf("B's YARA hits: %+v", bOut.YARA)
	}
	if !slices.ContainsFunc(bOut.Indicators, func(r vigie.ObjectRef) bool { return r.Name == "Frozen Lantern loader" }) {
		t.Errorf("B's indicators naming the file: %+v", bOut.Indicators)
	}
	// C reads its own submission's report: no trace of the rules.
	got, err := h.Sample(ctx, w.c, sha)
	if err != nil {
		t.Fatal(err)
	}
	if got.YARA != nil || got.Indicators != nil || string(got.Report) == "" || containsAny(string(got.Report), "frozen_lantern", "indicator--") {
		t.Errorf("the stored report carries rule hits: %s", got.Report)
	}
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}
