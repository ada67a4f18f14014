package server_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/export"
	"github.com/vigie-cti/vigie/server"
)

func domainIndicator(n int, domain string, props map[string]any) map[string]any {
	o := indicator("00000000-0000-4000-8000-0000000000"+string(rune('0'+n/10))+string(rune('0'+n%10)), props)
	o["pattern"] = "[domain-name:value = '" + domain + "']"
	o["name"] = domain
	return o
}

// TestExportHostile: over HTTP, each key's export holds what its
// organisation may read and take off the hub, active only; another
// organisation's AMBER and RED never reach it, even for a member of the
// community that reads them; ETag and If-None-Match work; no key is
// logged.
func TestExportHostile(t *testing.T) {
	f := newFixture(t)
	var logs bytes.Buffer
	f.srv.Config.Handler = server.New(f.hub, server.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}).Handler()
	mark := func(m string) map[string]any { return map[string]any{"object_marking_refs": []string{m}} }
	f.post(f.shared, "A",
		domainIndicator(1, "clear.example.com", mark(vigie.MarkingClear)),
		domainIndicator(2, "amber.example.com", mark(vigie.MarkingAmber)),
		domainIndicator(3, "red.example.com", mark(vigie.MarkingRed)),
		domainIndicator(4, "expired.example.com", map[string]any{"valid_until": "2026-02-01T00:00:00Z"}),
		domainIndicator(5, "revoked.example.com", nil),
	)
	f.post(f.shared, "A", domainIndicator(5, "revoked.example.com", map[string]any{"modified": "2026-03-01T00:00:00.000Z", "revoked": true}))
	f.post(f.public, "A", domainIndicator(6, "public.example.com", mark(vigie.MarkingClear)))

	get := func(who, query string, headers ...string) response {
		return f.do("GET", "/api/v1/export/list-domain"+query, who, nil, headers...)
	}
	for _, tc := range []struct {
		who, query string
		status     int
		want       string
	}{
		{"A", "", 200, "clear.example.com\namber.example.com\nred.example.com\npublic.example.com\n"},
		{"A", "?tlp=amber", 200, "clear.example.com\namber.example.com\npublic.example.com\n"},
		{"B", "", 200, "clear.example.com\npublic.example.com\n"},
		{"B", "?tlp=red", 200, "clear.example.com\npublic.example.com\n"},
		{"B", "?tlp=clear&collection=" + f.shared.ID, 200, "clear.example.com\n"},
		{"C", "?tlp=red", 200, "public.example.com\n"},
		{"C", "?collection=" + f.shared.ID, 404, ""},
		{"", "", 401, ""},
		{"B", "?tlp=purple", 400, ""},
		{"B", "?type=ipv5", 400, ""},
		{"B", "?sort=value", 400, ""},
		{"B", "?prefix=a%20b", 400, ""},
	} {
		r := get(tc.who, tc.query)
		if r.status != tc.status {
			t.Errorf("%s %s: status %d, want %d: %s", tc.who, tc.query, r.status, tc.status, r.body)
			continue
		}
		if tc.status == 200 && string(r.body) != tc.want {
			t.Errorf("%s %s: got\n%s\nwant\n%s", tc.who, tc.query, r.body, tc.want)
		}
	}

	// ETag: the same data gives the same tag and a 304 without a body; a
	// new indicator changes it.
	first := get("B", "")
	etag := first.header.Get("ETag")
	if etag == "" || first.header.Get("X-Vigie-Export") == "" {
		t.Fatalf("no ETag or X-Vigie-Export: %v", first.header)
	}
	if again := get("B", "", "If-None-Match", etag); again.status != http.StatusNotModified || len(again.body) != 0 {
		t.Errorf("If-None-Match: %d %q", again.status, again.body)
	}
	if other := get("C", "", "If-None-Match", etag); other.status != http.StatusOK {
		t.Errorf("C's export matched B's ETag: %d", other.status)
	}
	f.post(f.shared, "A", domainIndicator(7, "new.example.com", nil))
	if after := get("B", "", "If-None-Match", etag); after.status != http.StatusOK || !strings.Contains(string(after.body), "new.example.com") {
		t.Errorf("after a new indicator: %d %q", after.status, after.body)
	}

	for _, format := range export.FormatNames() {
		r := f.do("GET", "/api/v1/export/"+format+"?sid=3000000", "B", nil)
		if r.status != 200 || r.header.Get("Content-Type") == "" {
			t.Errorf("%s: %d %s", format, r.status, r.body)
		}
		if strings.Contains(string(r.body), "red.example.com") || strings.Contains(string(r.body), "amber.example.com") {
			t.Errorf("%s holds A's AMBER or RED indicator for B", format)
		}
	}
	if r := f.do("GET", "/api/v1/export/misp", "B", nil); r.status != 404 {
		t.Errorf("unknown format: %d", r.status)
	}
	for _, who := range []string{"A", "B", "C"} {
		if strings.Contains(logs.String(), f.keys[who]) {
			t.Errorf("the key of %s is in the log", who)
		}
		_, secret, _ := strings.Cut(strings.TrimPrefix(f.keys[who], "vigie_"), "_")
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the secret of %s's key is in the log", who)
		}
	}
	if !strings.Contains(logs.String(), "/api/v1/export/{format}") {
		t.Error("export requests were not logged")
	}
}
