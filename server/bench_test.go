package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vigie-cti/vigie/bench/gen"
	"github.com/vigie-cti/vigie/taxii"
)

// BenchmarkIngest posts envelopes of 1,000 realistic objects through the
// TAXII handler into SQLite; objects/s is the figure to watch.
func BenchmarkIngest(b *testing.B) {
	f := newFixtureMax(b, 1000)
	h := f.srv.Config.Handler
	g := gen.New(1, f.orgs["A"].ID)
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = g.Envelope(1000) // fresh ids: re-posts would be cheap duplicates
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := bodies[i]
		req := httptest.NewRequest("POST", objectsPath(f.shared), bytes.NewReader(body))
		req.Header.Set("Content-Type", taxii.MediaType)
		req.Header.Set("Authorization", "Bearer "+f.keys["A"])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusAccepted {
			b.Fatalf("POST: %d %s", rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkPage reads pages of 1,000 indicators with added_after and
// match[type] from a collection of 50,000 realistic objects, as a member of
// the collection's community.
func BenchmarkPage(b *testing.B) {
	f := newFixtureMax(b, 1000)
	h := f.srv.Config.Handler
	g := gen.New(1, f.orgs["A"].ID)
	for i := 0; i < 50; i++ {
		req := httptest.NewRequest("POST", objectsPath(f.shared), bytes.NewReader(g.Envelope(1000)))
		req.Header.Set("Content-Type", taxii.MediaType)
		req.Header.Set("Authorization", "Bearer "+f.keys["A"])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusAccepted {
			b.Fatalf("POST: %d", rec.Code)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", objectsPath(f.shared)+"?limit=1000&match[type]=indicator&added_after=2000-01-01T00:00:00Z", nil)
		req.Header.Set("Authorization", "Bearer "+f.keys["B"])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Body.Len() < 100000 {
			b.Fatalf("GET: %d, %d bytes", rec.Code, rec.Body.Len())
		}
	}
}
