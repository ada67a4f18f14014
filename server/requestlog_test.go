package server_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/server"
	"github.com/vigie-cti/vigie/taxii"
)

// logLine is one line of the JSON request log.
type logLine struct {
	Msg    string `json:"msg"`
	ID     string `json:"id"`
	Method string `json:"method"`
	Route  string `json:"route"`
	Status int    `json:"status"`
	Org    string `json:"org"`
	KeyID  string `json:"key_id"`
	Addr   string `json:"addr"`
}

// TestRequestLogAndAudit sends requests of every kind straight to the
// handler, with a JSON logger: each gets one log line with the id it was
// answered with; an operator deletes another member's object with a
// reason and reads it in the audit log; and no key, valid or not, shows in
// a log line or an audit entry.
func TestRequestLogAndAudit(t *testing.T) {
	f := newFixture(t)
	var logs bytes.Buffer
	h := server.New(f.hub, server.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}).Handler()
	_, f.keys["op"], _ = f.hub.AddKey(ctx, hub.Console(), "C", vigie.RoleOperator, "staff", time.Time{})
	_, f.keys["adminB"], _ = f.hub.AddKey(ctx, hub.Console(), "B", vigie.RoleAdmin, "b", time.Time{})
	id, _, _ := vigie.SplitToken(f.keys["A"])
	f.keys["forged"] = "vigie_" + id + "_" + strings.Repeat("s", 43)
	f.keys["junk"] = "not-a-vigie-key-but-secret"

	type call struct {
		method, path, who string
		body              []byte
		headers           []string
		status            int
		route             string
	}
	obj := "indicator--33333333-3333-4333-8333-333333333333"
	calls := []call{
		{"POST", objectsPath(f.shared), "A", envelope(t, indicator("33333333-3333-4333-8333-333333333333", nil)), nil, 202, "POST /{root}/collections/{id}/objects/{$}"},
		{"GET", objectsPath(f.shared), "B", nil, nil, 200, "GET /{root}/collections/{id}/objects/{$}"},
		{"GET", objectsPath(f.shared), "forged", nil, nil, 401, "GET " + objectsPath(f.shared)},
		{"GET", "/taxii2/", "junk", nil, nil, 401, "GET /taxii2/"},
		{"DELETE", objectsPath(f.shared) + obj + "/", "adminB", nil, nil, 404, "DELETE /{root}/collections/{id}/objects/{object}/{$}"},
		{"DELETE", objectsPath(f.shared) + obj + "/", "op", nil, nil, 400, "DELETE /{root}/collections/{id}/objects/{object}/{$}"},
		{"DELETE", objectsPath(f.shared) + obj + "/", "op", nil, []string{server.ReasonHeader, "phishing lure posted by mistake"}, 200, "DELETE /{root}/collections/{id}/objects/{object}/{$}"},
		{"GET", "/api/v1/audit", "A", nil, nil, 403, "GET /api/v1/audit"},
		{"GET", "/api/v1/audit?colour=red", "op", nil, nil, 400, "GET /api/v1/audit"},
		{"GET", "/api/v1/whoami", "", nil, nil, 401, "GET /api/v1/whoami"},
	}
	var ids []string
	for _, c := range calls {
		req := httptest.NewRequest(c.method, c.path, bytes.NewReader(c.body))
		req.Header.Set("Accept", taxii.MediaType)
		req.Header.Set("Content-Type", taxii.MediaType)
		if c.who != "" {
			req.Header.Set("Authorization", "Bearer "+f.keys[c.who])
		}
		for i := 0; i+1 < len(c.headers); i += 2 {
			req.Header.Set(c.headers[i], c.headers[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.status {
			t.Errorf("%s %s as %q: %d %s, want %d", c.method, c.path, c.who, rec.Code, rec.Body, c.status)
		}
		rid := rec.Header().Get(server.RequestIDHeader)
		if len(rid) != 16 {
			t.Errorf("%s %s: X-Request-Id %q", c.method, c.path, rid)
		}
		ids = append(ids, rid)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != len(calls) {
		t.Fatalf("%d log lines for %d requests:\n%s", len(lines), len(calls), logs.String())
	}
	for i, raw := range lines {
		var l logLine
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("log line %q: %v", raw, err)
		}
		c := calls[i]
		if l.Msg != "request" || l.ID != ids[i] || l.Method != c.method || l.Route != c.route || l.Status != c.status || l.Addr != "192.0.2.1" {
			t.Errorf("log line %d: %+v, want request %s %s %d", i, l, ids[i], c.route, c.status)
		}
	}
	var first logLine
	json.Unmarshal([]byte(lines[0]), &first)
	if aid, _, _ := vigie.SplitToken(f.keys["A"]); first.Org != f.orgs["A"].ID || first.KeyID != aid {
		t.Errorf("the POST's log line names org %q key %q", first.Org, first.KeyID)
	}

	// The audit log, as the operator and as B's admin.
	var audit struct {
		Entries []vigie.AuditEntry `json:"entries"`
	}
	do := func(who string) response {
		req := httptest.NewRequest("GET", "/api/v1/audit", nil)
		req.Header.Set("Authorization", "Bearer "+f.keys[who])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return response{rec.Code, rec.Header(), rec.Body.Bytes()}
	}
	r := do("op")
	r.decode(t, &audit)
	var deletion *vigie.AuditEntry
	for i, e := range audit.Entries {
		if e.Action == vigie.AuditDelete && e.Outcome == vigie.OutcomeSuccess {
			deletion = &audit.Entries[i]
		}
	}
	if r.status != 200 || deletion == nil || deletion.Reason != "phishing lure posted by mistake" || deletion.TargetOrg != f.orgs["A"].ID || deletion.Addr != "192.0.2.1" {
		t.Fatalf("operator's audit log: %d, deletion %+v", r.status, deletion)
	}
	do("adminB").decode(t, &audit)
	for _, e := range audit.Entries {
		if e.OrgID != f.orgs["B"].ID && e.TargetOrg != f.orgs["B"].ID {
			t.Errorf("B's admin sees entry %+v", e)
		}
	}
	if err := f.hub.FlushAudit(ctx, true); err != nil {
		t.Fatal(err)
	}
	all, err := f.hub.Audit(ctx, hub.Console(), vigie.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	dump, _ := json.Marshal(all)
	for who, token := range f.keys {
		_, secret, _ := vigie.SplitToken(token)
		for _, where := range []struct{ name, text string }{{"log", logs.String()}, {"audit log", string(dump)}} {
			if strings.Contains(where.text, token) || (secret != "" && strings.Contains(where.text, secret)) {
				t.Errorf("the %s holds %s's key", where.name, who)
			}
		}
	}
	if !strings.Contains(string(dump), `"action":"auth.failure"`) {
		t.Errorf("no auth.failure entry in the audit log")
	}
	if _, err := f.hub.VerifyAudit(ctx, hub.Console()); err != nil {
		t.Errorf("VerifyAudit after the run: %v", err)
	}
}
