package hub_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/misp"
	"github.com/vigie-cti/vigie/store/sqlite"
)

// mispEvent returns a MISP event of n attributes (to_ids ip-dst, as a
// feed of indicators is), with UUIDs unique to run.
func mispEvent(run, n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"Event": {"uuid": "5e1b4c1e-%04x-4a4a-9c9c-0123456789ab", "info": "bench", "published": true, "timestamp": "1764460800", "Orgc": {"uuid": "a0c22599-9e58-4da4-96ac-7051603fa951", "name": "CIRCL"}, "Attribute": [`, run)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"uuid": "aaaaaaaa-%04x-4000-8000-%012x", "type": "ip-dst", "category": "Network activity", "value": "10.%d.%d.%d", "to_ids": true, "timestamp": "1764460801", "comment": "%s"}`,
			run, i, i>>16&255, i>>8&255, i&255, strings.Repeat("x", 40))
	}
	b.WriteString(`], "Tag": [{"name": "tlp:green"}]}}`)
	return b.Bytes()
}

// BenchmarkMISPImport measures a MISP import into SQLite as "vigie misp
// import" does it, without the network: convert an event of 20,000
// attributes and publish the STIX objects through the hub (validation,
// pattern parsing, ownership, audit) in envelopes of 1,000. The issue's
// goal is 50,000 attributes/s.
func BenchmarkMISPImport(b *testing.B) {
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "vigie.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	h := hub.New(st, hub.Config{}, func() time.Time { return time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC) })
	if _, err := h.AddOrg(ctx, hub.Console(), "A", nil, ""); err != nil {
		b.Fatal(err)
	}
	p, err := h.ActAs(ctx, hub.Console(), "A", vigie.RolePublisher)
	if err != nil {
		b.Fatal(err)
	}
	c, err := h.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "r", Title: "MISP", Read: []string{"org:A"}, Write: []string{"org:A"}})
	if err != nil {
		b.Fatal(err)
	}
	a := vigie.CollectionAccess(p, c)
	const n = 20000
	run := 0
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		doc := mispEvent(run, n)
		run++
		b.StartTimer()
		var env []json.RawMessage
		send := func() error {
			if len(env) == 0 {
				return nil
			}
			s, err := h.Publish(ctx, p, a, c, env)
			if err == nil && len(s.Failures) > 0 {
				err = fmt.Errorf("refused: %+v", s.Failures[0])
			}
			env = env[:0]
			return err
		}
		conv := misp.NewConverter(misp.Options{Emit: func(o json.RawMessage) error {
			if env = append(env, o); len(env) == 1000 {
				return send()
			}
			return nil
		}})
		if err := conv.Convert(bytes.NewReader(doc)); err != nil {
			b.Fatal(err)
		}
		if err := send(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "attrs/s")
	// On a loaded machine wall time says little: attributes per second of
	// this process's CPU time (converter, hub, SQLite, GC) does.
	b.ReportMetric(float64(n*b.N)/(cpuTime()-cpu0).Seconds(), "attrs/cpu-s")
}
