package alert_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/alert"
	"github.com/vigie-cti/vigie/bench/gen"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/store/sqlite"
)

// BenchmarkEngine measures trigger evaluation on a stream of new, realistic
// objects (bench/gen) with 1,000 organisations holding 10 watchlist entries
// each: objects/s is the figure.
func BenchmarkEngine(b *testing.B) {
	benchEngine(b, 1000)
}

func benchEngine(b *testing.B, orgs int) {
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "vigie.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	h := hub.New(st, hub.Config{Limits: hub.Limits{MaxObjects: 1000}}, time.Now)
	var members []string
	for i := 0; i < orgs; i++ {
		name := fmt.Sprintf("org%04d", i)
		o, err := h.AddOrg(ctx, hub.Console(), name, []string{"energy"}, "FR")
		if err != nil {
			b.Fatal(err)
		}
		members = append(members, name)
		for j := 0; j < 10; j++ {
			var w vigie.WatchEntry
			switch j % 5 {
			case 0, 1:
				w = vigie.WatchEntry{Kind: vigie.WatchCIDR, Value: fmt.Sprintf("%d.%d.%d.0/24", 1+i%200, j, i/200)}
			case 2:
				w = vigie.WatchEntry{Kind: vigie.WatchDomain, Value: fmt.Sprintf("member%04d-site%d.org", i, j)}
			case 3:
				w = vigie.WatchEntry{Kind: vigie.WatchEmailDomain, Value: fmt.Sprintf("mail%04d-%d.example.org", i, j)}
			default:
				w = vigie.WatchEntry{Kind: vigie.WatchKeyword, Value: fmt.Sprintf("codeword%04d%d", i, j)}
			}
			w.ID, w.OrgID, w.Created = vigie.NewUUID(), o.ID, time.Now()
			if err := st.CreateWatch(ctx, &w); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := h.AddCommunity(ctx, hub.Console(), "all", members); err != nil {
		b.Fatal(err)
	}
	col, err := h.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "r", Title: "all", Read: []string{"community:all"}, Write: []string{"community:all"}})
	if err != nil {
		b.Fatal(err)
	}
	p := vigie.Principal{OrgID: (func() string { o, _ := st.FindOrg(ctx, "org0000"); return o.ID })(), Role: vigie.RolePublisher}
	p.Communities, _ = st.OrgCommunities(ctx, p.OrgID)
	g := gen.New(7, p.OrgID)
	publish := func(n int) {
		var raws []json.RawMessage
		for _, o := range g.Batch(n) {
			raw, _ := json.Marshal(o)
			raws = append(raws, raw)
		}
		if _, err := h.Publish(ctx, p, vigie.CollectionAccess(p, col), col, raws); err != nil {
			b.Fatal(err)
		}
	}
	e := alert.New(st, alert.Options{BatchSize: 1000})
	drain := func() int {
		total := 0
		for {
			n, err := e.RunOnce(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				return total
			}
			total += n
		}
	}
	publish(1000)
	drain() // warm up: watch index built, caches filled
	b.ResetTimer()
	evaluated := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		publish(1000)
		b.StartTimer()
		evaluated += drain()
	}
	b.ReportMetric(float64(evaluated)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkEngineSmall is BenchmarkEngine with 50 organisations.
func BenchmarkEngineSmall(b *testing.B) { benchEngine(b, 50) }
