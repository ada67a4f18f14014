package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vigie-cti/vigie/hub"
)

// feedServer serves the chrome-mal-ids MISP feed under /misp/ (to
// requests with the right Authorization header) and a text list of
// addresses at /ips.txt, counting the requests of each path.
type feedServer struct {
	*httptest.Server
	mu       sync.Mutex
	hits     map[string]int
	manifest []byte // served instead of the file when set
	list     string
}

func newFeedServer(t *testing.T) *feedServer {
	fs := &feedServer{hits: map[string]int{}, list: "# addresses\n198.51.100.1\n198.51.100.2, C2\n\nnot an address\n"}
	dir := filepath.Join(mispTestdata, "feed/chrome-mal-ids")
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		fs.hits[r.URL.Path]++
		if r.URL.Path == "/elsewhere.txt" {
			http.Redirect(w, r, "http://127.0.0.2:1/secret", http.StatusFound)
			return
		}
		if r.URL.Path == "/ips.txt" {
			w.Write([]byte(fs.list))
			return
		}
		if r.Header.Get("Authorization") != "feed-secret-123" {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/misp/")
		if name == "manifest.json" && fs.manifest != nil {
			w.Write(fs.manifest)
			return
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.Base(name)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) eventHits() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n := 0
	for p, c := range fs.hits {
		if strings.HasPrefix(p, "/misp/") && p != "/misp/manifest.json" {
			n += c
		}
	}
	return n
}

func feedRunJSON(t *testing.T, dir, name string) (int, hub.FeedRun) {
	t.Helper()
	code, out, errOut := run(t, "admin", "--data", dir, "feed", "run", name, "--json")
	var r hub.FeedRun
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("feed run: %d, not JSON: %v\n%s\n%s", code, err, out, errOut)
	}
	return code, r
}

// TestFeedSubscriptions: a MISP feed pulled incrementally (only the
// events whose manifest timestamp changed are fetched again), a plain text
// list with a column map, the header's secret never shown, a failing feed
// recorded.
func TestFeedSubscriptions(t *testing.T) {
	e := newEarlyWarning(t)
	srv := newFeedServer(t)
	admin := func(args ...string) string { return mustRun(t, append([]string{"admin", "--data", e.dir}, args...)...) }
	admin("feed", "add", "chrome", "--url", srv.URL+"/misp/", "--format", "misp", "--into", e.collection, "--org", "CERT-Nord",
		"--every", "6h", "--header", "Authorization: feed-secret-123")

	code, r := feedRunJSON(t, e.dir, "chrome")
	if code != 0 || r.Error != "" || r.Fetched != 14 || r.Refused != 0 || r.Stored == 0 {
		t.Fatalf("first run: exit %d %+v", code, r)
	}
	if s := r.Summary.Attributes; s.Mapped+s.NotMapped != s.Total || s.Total == 0 {
		t.Errorf("attributes: %+v", s)
	}
	if n := srv.eventHits(); n != 14 {
		t.Errorf("%d event files fetched, want 14", n)
	}
	// Nothing changed: only the manifest is fetched.
	if code, r := feedRunJSON(t, e.dir, "chrome"); code != 0 || r.Fetched != 0 || r.Unchanged != 14 {
		t.Errorf("second run: exit %d %+v", code, r)
	}
	if n := srv.eventHits(); n != 14 {
		t.Errorf("unchanged events fetched again: %d requests", n)
	}
	// One event's timestamp moves: only it is fetched.
	b, _ := os.ReadFile(filepath.Join(mispTestdata, "feed/chrome-mal-ids/manifest.json"))
	var m map[string]map[string]any
	json.Unmarshal(b, &m)
	m["f947d4ae-77a5-547a-b541-6cb74add70fd"]["timestamp"] = "1780091999"
	srv.mu.Lock()
	srv.manifest, _ = json.Marshal(m)
	srv.mu.Unlock()
	if code, r := feedRunJSON(t, e.dir, "chrome"); code != 0 || r.Fetched != 1 || r.Unchanged != 13 {
		t.Errorf("third run: exit %d %+v", code, r)
	}
	if n := srv.eventHits(); n != 15 {
		t.Errorf("%d event requests after the change, want 15", n)
	}

	// A text list: one value a line, a comment column.
	admin("feed", "add", "ips", "--url", srv.URL+"/ips.txt", "--format", "csv", "--type", "ip-dst", "--comment-column", "2",
		"--into", e.collection, "--org", "Helios")
	code, r = feedRunJSON(t, e.dir, "ips")
	if s := r.Summary.Attributes; s.Total != 3 || s.Mapped != 2 || s.Errors != 1 || r.Stored == 0 {
		t.Errorf("list: exit %d %+v %+v", code, r, s)
	}
	if _, r := feedRunJSON(t, e.dir, "ips"); r.Summary.Attributes.Total != 0 || r.Stored != 0 {
		t.Errorf("unchanged list imported again: %+v", r)
	}

	// A feed that refuses us: the error is kept and shown.
	admin("feed", "add", "nokey", "--url", srv.URL+"/misp/", "--format", "misp", "--into", e.collection, "--org", "CERT-Nord")
	if code, r := feedRunJSON(t, e.dir, "nokey"); code != 1 || !strings.Contains(r.Error, "401") {
		t.Errorf("failing feed: exit %d %+v", code, r)
	}
	list := admin("feed", "list")
	if !strings.Contains(list, "chrome") || !strings.Contains(list, "401") {
		t.Errorf("feed list:\n%s", list)
	}
	listJSON := admin("feed", "list", "--json")
	for _, out := range []string{list, listJSON} {
		if strings.Contains(out, "feed-secret-123") {
			t.Fatal("feed list shows a header's secret")
		}
	}
	if !strings.Contains(listJSON, `"Authorization"`) {
		t.Errorf("feed list --json does not name the header:\n%s", listJSON)
	}
	// A redirect to another host is not followed.
	admin("feed", "add", "moved", "--url", srv.URL+"/elsewhere.txt", "--format", "csv", "--type", "domain", "--into", e.collection, "--org", "CERT-Nord")
	if code, r := feedRunJSON(t, e.dir, "moved"); code != 1 || !strings.Contains(r.Error, "another host") {
		t.Errorf("redirect to another host: exit %d %+v", code, r)
	}
	// A token in the URL never reaches the audit log.
	admin("feed", "add", "tokened", "--url", srv.URL+"/ips.txt?apikey=url-secret-456", "--format", "csv", "--type", "ip-dst",
		"--into", e.collection, "--org", "CERT-Nord")
	if audit := admin("audit", "--json"); !strings.Contains(audit, "feed.add") || strings.Contains(audit, "url-secret-456") {
		t.Errorf("audit log after feed add: has feed.add %v, shows the URL's token %v",
			strings.Contains(audit, "feed.add"), strings.Contains(audit, "url-secret-456"))
	}
	admin("feed", "rm", "nokey")
	if code, _, errOut := run(t, "admin", "--data", e.dir, "feed", "run", "nokey"); code != 2 || !strings.Contains(errOut, "no feed") {
		t.Errorf("removed feed: %d %s", code, errOut)
	}
}

// TestFeedAddRefused: bad subscriptions are refused with a reason.
func TestFeedAddRefused(t *testing.T) {
	e := newEarlyWarning(t)
	mustRun(t, "admin", "--data", e.dir, "org", "add", "Outsider")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"x", "--url", "ftp://a/", "--into", e.collection, "--org", "CERT-Nord"}, "URL"},
		{[]string{"x", "--url", "https://a/", "--format", "stix", "--into", e.collection, "--org", "CERT-Nord"}, "format"},
		{[]string{"x", "--url", "https://a/", "--format", "csv", "--into", e.collection, "--org", "CERT-Nord"}, "type"},
		{[]string{"x", "--url", "https://a/", "--format", "csv", "--type", "made-up", "--into", e.collection, "--org", "CERT-Nord"}, "made-up"},
		{[]string{"x", "--url", "https://a/", "--into", e.collection, "--org", "Outsider"}, "may not write"},
		{[]string{"x", "--url", "https://a/", "--into", "nope", "--org", "CERT-Nord"}, "no collection"},
		{[]string{"x", "--url", "https://a/", "--into", e.collection, "--org", "CERT-Nord", "--header", "Broken"}, "header"},
		{[]string{"x", "--url", "https://a/", "--into", e.collection, "--org", "CERT-Nord", "--every", "1s"}, "1m"},
	} {
		code, _, errOut := run(t, append([]string{"admin", "--data", e.dir, "feed", "add"}, tc.args...)...)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %s", tc.args, code, errOut)
		}
	}
}
