package metrics

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigie-cti/vigie"
)

// TestContribNamesExist checks that the example Grafana dashboard and
// Prometheus rules parse and use only metric names the hub exports.
func TestContribNamesExist(t *testing.T) {
	m := New(fakeSource{&vigie.StoreStats{Rows: map[string]int64{"objects": 1},
		Collections:    []vigie.CollectionStats{{ID: "c1", Objects: 1}},
		QueueByWebhook: map[string]int64{"w1": 1}}, []*vigie.Peer{{Name: "p1"}}, nil})
	m.ObserveRequest("GET /taxii2/{$}", 200, time.Millisecond)
	m.Ingested(1, map[string]int{vigie.EINVALID: 1})
	m.AlertEvents([]vigie.AlertEvent{{Kind: "created", Alert: []byte(`{"trigger":"watchlist"}`)}})
	m.DeliveryAttempt("delivered")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	exported := map[string]bool{}
	for _, l := range regexp.MustCompile(`(?m)^# TYPE (\S+) (\S+)$`).FindAllStringSubmatch(rec.Body.String(), -1) {
		exported[l[1]] = true
		if l[2] == "histogram" || l[2] == "summary" {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				exported[l[1]+s] = true
			}
		}
	}

	rules, err := os.ReadFile("../contrib/prometheus/vigie-rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Groups []struct {
			Name  string
			Rules []struct {
				Alert string
				Expr  string
			}
		}
	}
	if err := yaml.Unmarshal(rules, &doc); err != nil || len(doc.Groups) == 0 || len(doc.Groups[0].Rules) < 5 {
		t.Fatalf("rules: %v %+v", err, doc)
	}
	var exprs []string
	for _, r := range doc.Groups[0].Rules {
		if r.Alert == "" || r.Expr == "" {
			t.Errorf("rule %+v lacks a name or an expression", r)
		}
		exprs = append(exprs, r.Expr)
	}

	dash, err := os.ReadFile("../contrib/grafana/vigie-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(dash, &d); err != nil || len(d.Panels) < 10 {
		t.Fatalf("dashboard: %v, %d panels", err, len(d.Panels))
	}
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	names := regexp.MustCompile(`\b(?:vigie|go|process)_[a-z_]+\b`)
	for _, e := range exprs {
		for _, n := range names.FindAllString(e, -1) {
			if !exported[n] {
				t.Errorf("%q uses %s, which the hub does not export", strings.TrimSpace(e), n)
			}
		}
	}
}
