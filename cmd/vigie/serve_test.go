package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/taxii"
)

// coalition sets up, with the admin commands of the contract, two
// organisations, a community and a collection in a new data directory.
type coalition struct {
	dir, orgA, orgB, keyA, keyB, collection string
}

func newCoalition(t *testing.T, db ...string) coalition {
	t.Helper()
	c := coalition{dir: t.TempDir()}
	admin := func(args ...string) string {
		base := []string{"admin", "--data", c.dir}
		if len(db) > 0 {
			base = append(base, "--db", db[0])
		}
		return mustRun(t, append(base, args...)...)
	}
	admin("init")
	c.orgA = strings.TrimSpace(admin("org", "add", "CERT-Nord", "--sector", "government-national", "--country", "FR"))
	c.orgB = strings.TrimSpace(admin("org", "add", "Helios", "--sector", "energy", "--country", "fr"))
	for _, id := range []string{c.orgA, c.orgB} {
		if !regexp.MustCompile(`^identity--[0-9a-f-]{36}$`).MatchString(id) {
			t.Fatalf("org add printed %q, want an identity id", id)
		}
	}
	c.keyA = lastLine(admin("key", "add", "--org", "CERT-Nord", "--role", "publisher"))
	c.keyB = lastLine(admin("key", "add", "--org", "Helios", "--role", "reader", "--expires", "30d"))
	admin("community", "add", "energy", "--member", "CERT-Nord,Helios")
	c.collection = strings.TrimSpace(admin("collection", "add", "--root", "coalition",
		"--title", "Energy", "--read", "community:energy", "--write", "org:CERT-Nord"))
	return c
}

// client is an HTTP client for the hub under test.
func testHTTPClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
}

// call sends a TAXII request with a key and decodes the JSON answer.
func call(t *testing.T, method, url, key string, body []byte, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	req.Header.Set("Accept", taxii.MediaType)
	if body != nil {
		req.Header.Set("Content-Type", taxii.MediaType)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := testHTTPClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %s", method, url, res.StatusCode, b)
		}
	}
	return res.StatusCode
}

func indicatorJSON(i int, creator string) map[string]any {
	return map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i),
		"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "created_by_ref": creator,
		"pattern": fmt.Sprintf("[ipv4-addr:value = '198.51.%d.%d']", i/250%250, i%250), "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
	}
}

// TestServeEndToEnd runs the real serve command (HTTPS, self-signed) on a
// free port against a data directory made by the admin commands.
func TestServeEndToEnd(t *testing.T) {
	c := newCoalition(t)
	var errb syncBuffer
	m := newServeMain(Stdio{Out: io.Discard, Err: &errb})
	if err := m.ParseFlags([]string{"--data", c.dir, "--addr", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if !strings.HasPrefix(m.URL(), "https://") || !regexp.MustCompile(`fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}`).MatchString(errb.String()) {
		t.Errorf("want HTTPS and a printed SHA-256 fingerprint; URL %s, stderr:\n%s", m.URL(), errb.String())
	}
	var d taxii.Discovery
	if st := call(t, "GET", m.URL()+"/taxii2/", "", nil, &d); st != 200 || len(d.APIRoots) != 1 || !strings.HasSuffix(d.APIRoots[0], "/coalition/") {
		t.Fatalf("discovery: %d %+v", st, d)
	}
	objs := []map[string]any{indicatorJSON(1, c.orgA), indicatorJSON(2, c.orgA)}
	body, _ := json.Marshal(map[string]any{"objects": objs})
	base := m.URL() + "/coalition/collections/" + c.collection
	var st taxii.Status
	if code := call(t, "POST", base+"/objects/", c.keyA, body, &st); code != 202 || st.SuccessCount != 2 {
		t.Fatalf("POST: %d %+v", code, st)
	}
	var env taxii.Envelope
	if code := call(t, "GET", base+"/objects/", c.keyB, nil, &env); code != 200 || len(env.Objects) != 2 {
		t.Errorf("Helios reads %d objects (%d), want 2", len(env.Objects), code)
	}
	if code := call(t, "POST", base+"/objects/", c.keyB, body, nil); code != 403 {
		t.Errorf("Helios (reader) POST: %d, want 403", code)
	}
	// Admin commands work on the running hub: revoke Helios's key.
	kid := strings.Split(c.keyB, "_")[1]
	mustRun(t, "admin", "--data", c.dir, "key", "revoke", kid)
	if code := call(t, "GET", base+"/objects/", c.keyB, nil, nil); code != 401 {
		t.Errorf("revoked key on the running hub: %d, want 401", code)
	}
}

// syncBuffer is a bytes.Buffer safe for a server goroutine to write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startHubProcess starts "vigie serve" as a child process (this test
// binary, see TestMain) and returns it with its base URL.
func startHubProcess(t *testing.T, dir string, extra ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--http"}, extra...)...)
	cmd.Env = append(os.Environ(), "VIGIE_TEST_RUN_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlRE := regexp.MustCompile(`at (http://[0-9.:]+)/taxii2/`)
	sc := bufio.NewScanner(stderr)
	deadline := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for sc.Scan() {
		if m := urlRE.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, stderr)
			return cmd, m[1]
		}
	}
	t.Fatalf("hub process did not start: %v", sc.Err())
	return nil, ""
}

// TestAcknowledgedSurvivesKill9 publishes while the hub is killed with
// SIGKILL, restarts it, and checks that every object acknowledged as a
// success in a status resource is still there.
func TestAcknowledgedSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hub processes")
	}
	c := newCoalition(t)
	cmd, url := startHubProcess(t, c.dir)
	base := url + "/coalition/collections/" + c.collection
	acked := map[string]bool{}
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		for batch := 0; ; batch++ {
			var objs []map[string]any
			for i := 0; i < 50; i++ {
				objs = append(objs, indicatorJSON(batch*50+i, c.orgA))
			}
			body, _ := json.Marshal(map[string]any{"objects": objs})
			req, _ := http.NewRequest("POST", base+"/objects/", bytes.NewReader(body))
			req.Header.Set("Content-Type", taxii.MediaType)
			req.Header.Set("Authorization", "Bearer "+c.keyA)
			res, err := testHTTPClient().Do(req)
			if err != nil {
				return // the hub is gone
			}
			var st taxii.Status
			json.NewDecoder(res.Body).Decode(&st)
			res.Body.Close()
			mu.Lock()
			for _, s := range st.Successes {
				acked[s.ID] = true
			}
			mu.Unlock()
		}
	}()
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 500 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	<-done

	cmd, url = startHubProcess(t, c.dir)
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	base = url + "/coalition/collections/" + c.collection
	stored := map[string]bool{}
	next := ""
	for {
		var m taxii.Manifest
		u := base + "/manifest/?limit=1000"
		if next != "" {
			u += "&next=" + next
		}
		if code := call(t, "GET", u, c.keyA, nil, &m); code != 200 {
			t.Fatalf("manifest after restart: %d", code)
		}
		for _, r := range m.Objects {
			stored[r.ID] = true
		}
		if !m.More {
			break
		}
		next = m.Next
	}
	missing := 0
	for id := range acked {
		if !stored[id] {
			missing++
		}
	}
	t.Logf("acknowledged %d objects before SIGKILL; %d stored after restart", len(acked), len(stored))
	if missing > 0 {
		t.Errorf("%d acknowledged objects lost after kill -9", missing)
	}
}

// mustServe runs "vigie serve --data dir --addr 127.0.0.1:0 --http" with
// extra flags in this process, and closes it when the test ends.
func mustServe(t *testing.T, dir string, extra ...string) *serveMain {
	t.Helper()
	m := newServeMain(Stdio{Out: io.Discard, Err: io.Discard})
	if err := m.ParseFlags(append([]string{"--data", dir, "--addr", "127.0.0.1:0", "--http"}, extra...)); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}
