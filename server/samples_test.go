package server_test

import (
	"archive/zip"
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/server"
	"github.com/vigie-cti/vigie/triage/triagetest"
	"github.com/vigie-cti/vigie/zipcrypto"
)

// TestSamplesAPI walks the sample endpoints as A, B (community ab) and C
// (outside it), and checks that no key reaches the request log.
func TestSamplesAPI(t *testing.T) {
	f := newFixture(t)
	var logs bytes.Buffer
	f.srv.Config.Handler = server.New(f.hub, server.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}).Handler()
	_, f.keys["op"], _ = f.hub.AddKey(ctx, hub.Console(), "C", vigie.RoleOperator, "staff", time.Time{})
	submit := func(who string, data []byte, query string) response {
		return f.do("POST", "/api/v1/samples?root=api1&collection="+f.shared.ID+query, who, data, "Content-Type", "application/octet-stream")
	}
	r := submit("A", triagetest.Sample(1), "&tlp=amber&name=lantern.exe")
	if r.status != 201 {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	var first api.Sample
	r.decode(t, &first)
	if first.Type != "pe" || first.TLP != "AMBER" || first.Name != "lantern.exe" || !strings.Contains(string(first.Report), `"imphash"`) {
		t.Errorf("first: %+v", first)
	}
	r = submit("B", triagetest.Sample(2), "&tlp=amber")
	var second api.Sample
	r.decode(t, &second)
	if r.status != 201 || len(second.Similar) != 1 || second.Similar[0].SHA256 != first.SHA256 {
		t.Fatalf("B's submission: %d %+v", r.status, second.Similar)
	}
	if strings.Contains(string(r.body), f.orgs["A"].ID) {
		t.Error("B's answer names A")
	}
	if r := submit("B", triagetest.Sample(2), "&tlp=amber"); r.status != 200 {
		t.Errorf("resubmission: %d", r.status)
	}

	for _, c := range []struct {
		method, path, who string
		status            int
	}{
		{"GET", "/api/v1/samples/" + first.SHA256, "B", 200},
		{"GET", "/api/v1/samples/" + first.SHA256, "C", 404},
		{"GET", "/api/v1/samples/" + first.SHA256, "", 401},
		{"GET", "/api/v1/samples/" + strings.ToUpper(first.SHA256), "B", 400},
		{"GET", "/api/v1/samples/" + second.SHA256 + "/similar", "A", 200},
		{"GET", "/api/v1/samples/" + second.SHA256 + "/similar", "C", 404},
		{"GET", "/api/v1/samples/" + second.SHA256 + "/similar?limit=x", "A", 400},
		{"GET", "/api/v1/samples/" + first.SHA256 + "/download", "C", 404},
		{"GET", "/api/v1/samples/" + first.SHA256 + "/download?raw=1", "B", 403},
		{"GET", "/api/v1/samples/" + first.SHA256 + "/download?raw=1", "op", 404}, // the operator's org (C) may not read it
	} {
		if r := f.do(c.method, c.path, c.who, nil); r.status != c.status {
			t.Errorf("%s %s as %q: %d %s, want %d", c.method, c.path, c.who, r.status, r.body, c.status)
		}
	}
	var sim struct{ Similar []api.SimilarSample }
	f.do("GET", "/api/v1/samples/"+second.SHA256+"/similar", "A", nil).decode(t, &sim)
	if len(sim.Similar) != 1 || !sim.Similar[0].Yours {
		t.Errorf("A's neighbours of B's sample: %+v", sim.Similar)
	}

	dl := f.do("GET", "/api/v1/samples/"+first.SHA256+"/download", "B", nil)
	if dl.status != 200 || dl.header.Get("Content-Type") != "application/zip" || dl.header.Get("X-Vigie-Zip-Password") != "infected" ||
		!strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %v", dl.status, dl.header)
	}
	zr, err := zip.NewReader(bytes.NewReader(dl.body), int64(len(dl.body)))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := zipcrypto.Open(zr.File[0], "infected", 1<<30); err != nil || !bytes.Equal(got, triagetest.Sample(1)) {
		t.Errorf("zip content: %v", err)
	}

	// Bad submissions.
	if r := f.do("POST", "/api/v1/samples?root=api1", "A", []byte("x")); r.status != 400 {
		t.Errorf("no collection: %d", r.status)
	}
	if r := submit("A", []byte("x"), "&tlp=purple"); r.status != 400 {
		t.Errorf("bad tlp: %d", r.status)
	}
	if r := submit("C", []byte("x"), ""); r.status != 404 {
		t.Errorf("C into the shared collection: %d", r.status)
	}
	small := httptest.NewServer(server.New(hub.New(f.store, hub.Config{MaxSampleSize: 1000}, time.Now), server.Options{}).Handler())
	defer small.Close()
	f2 := *f
	f2.srv = small
	if r := f2.do("POST", "/api/v1/samples?root=api1&collection="+f.shared.ID, "A", make([]byte, 1001)); r.status != 413 {
		t.Errorf("over --max-sample-size: %d %s", r.status, r.body)
	}

	for who, key := range f.keys {
		_, secret, _ := vigie.SplitToken(key)
		if strings.Contains(logs.String(), key) || secret != "" && strings.Contains(logs.String(), secret) {
			t.Errorf("the key of %s is in the request log", who)
		}
	}
	if !strings.Contains(logs.String(), "/api/v1/samples") {
		t.Error("the sample requests were not logged")
	}
}
