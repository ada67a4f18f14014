package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/taxii"
)

// scrape GETs a metrics URL with key ("" for none) and returns the status
// and the body.
func scrape(t *testing.T, url, key string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := testHTTPClient().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// TestMetrics runs the hub with --metrics-addr, publishes, sends hostile
// requests (random paths, forged keys, secrets in query strings), and
// scrapes both doors: /metrics on the main listener answers operator keys
// only, the metrics count what happened, and no path, key, secret or
// other caller-chosen value appears in them.
func TestMetrics(t *testing.T) {
	c := newCoalition(t)
	admin := lastLine(mustRun(t, "admin", "--data", c.dir, "key", "add", "--org", "Helios", "--role", "admin"))
	operator := lastLine(mustRun(t, "admin", "--data", c.dir, "key", "add", "--org", "CERT-Nord", "--role", "operator", "--name", "prometheus"))
	var errb syncBuffer
	m := newServeMain(Stdio{Out: io.Discard, Err: &errb})
	if err := m.ParseFlags([]string{"--data", c.dir, "--addr", "127.0.0.1:0", "--http", "--metrics-addr", "127.0.0.1:0", "--auth-failures", "0"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	found := regexp.MustCompile(`metrics at (http://\S+/metrics)`).FindStringSubmatch(errb.String())
	if found == nil {
		t.Fatalf("no metrics address printed:\n%s", errb.String())
	}
	side := found[1]

	base := m.URL() + "/coalition/collections/" + c.collection
	bad := indicatorJSON(3, c.orgA)
	delete(bad, "pattern")
	body, _ := json.Marshal(map[string]any{"objects": []any{indicatorJSON(1, c.orgA), indicatorJSON(2, c.orgA), bad}})
	var st taxii.Status
	if code := call(t, "POST", base+"/objects/", c.keyA, body, &st); code != 202 || st.SuccessCount != 2 || st.FailureCount != 1 {
		t.Fatalf("POST: %d %+v", code, st)
	}

	// Hostile requests: each carries values that must never become labels.
	var secrets []string
	for i := 0; i < 40; i++ {
		s := randomHex(12)
		secrets = append(secrets, s)
		key := "vigie_" + s[:8] + "_" + s
		paths := []string{"/" + s + "/", "/coalition/collections/" + s + "/objects/", "/api/v1/alerts/" + s, "/taxii2/?token=" + s, "/" + s}
		req, _ := http.NewRequest("GET", m.URL()+paths[i%len(paths)], nil)
		if i%2 == 0 {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		req.Header.Set("User-Agent", s)
		if res, err := testHTTPClient().Do(req); err == nil {
			res.Body.Close()
		}
	}

	// The main listener's /metrics: operator keys only.
	if code, _ := scrape(t, m.URL()+"/metrics", ""); code != 401 {
		t.Errorf("/metrics without a key: %d, want 401", code)
	}
	if code, _ := scrape(t, m.URL()+"/metrics", c.keyA); code != 403 {
		t.Errorf("/metrics with a publisher key: %d, want 403", code)
	}
	if code, _ := scrape(t, m.URL()+"/metrics", admin); code != 403 {
		t.Errorf("/metrics with an organisation's admin key: %d, want 403 (the hub's figures are the operator's)", code)
	}
	code, main := scrape(t, m.URL()+"/metrics", operator)
	if code != 200 {
		t.Fatalf("/metrics with an operator key: %d %s", code, main)
	}
	code, open := scrape(t, side, "")
	if code != 200 {
		t.Fatalf("--metrics-addr: %d %s", code, open)
	}

	for _, text := range []string{main, open} {
		for _, want := range []string{
			"vigie_objects_ingested_total 2",
			`vigie_objects_refused_total{reason="invalid"} 1`,
			`vigie_http_requests_total{code="202",route="POST /{root}/collections/{id}/objects/{$}"} 1`,
			`vigie_http_request_duration_seconds_bucket{route="POST /{root}/collections/{id}/objects/{$}",le="+Inf"} 1`,
			`vigie_store_rows{table="objects"} 2`,
			`vigie_collection_objects{collection="` + c.collection + `"} 2`,
			`vigie_engine_lag_seconds{collection="` + c.collection + `"}`,
			`vigie_engine_lag_objects{collection="` + c.collection + `"}`,
			`vigie_deliveries{state="pending"} 0`,
			"vigie_store_bytes ",
			"go_goroutines ",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
		_, operatorSecret, _ := vigie.SplitToken(operator) // whole: base64url may hold a '_'
		for _, s := range append(secrets, c.keyA, c.keyB, admin, operator, operatorSecret) {
			if strings.Contains(text, s) {
				t.Fatalf("metrics contain %q, a value a caller chose or a key", s)
			}
		}
		// Every route label is a pattern of routes.go, or "unrouted".
		for _, r := range regexp.MustCompile(`route="([^"]*)"`).FindAllStringSubmatch(text, -1) {
			if r[1] != "unrouted" && !regexp.MustCompile(`^(GET|POST|PATCH|DELETE) /`).MatchString(r[1]) && r[1] != "/" {
				t.Errorf("route label %q is not a pattern", r[1])
			}
		}
	}
}
