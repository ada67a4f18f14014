package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/taxii"
)

// earlyWarning is a hub with two publishers, A and B, in one community and
// one collection, set up with the admin commands.
type earlyWarning struct {
	dir, collection, keyA, keyB, orgA, orgB string
}

func newEarlyWarning(t *testing.T, db ...string) earlyWarning {
	t.Helper()
	e := earlyWarning{dir: t.TempDir()}
	base := []string{"admin", "--data", e.dir}
	if len(db) > 0 {
		base = append(base, "--db", db[0])
	}
	admin := func(args ...string) string { return mustRun(t, append(append([]string{}, base...), args...)...) }
	admin("init")
	e.orgA = strings.TrimSpace(admin("org", "add", "CERT-Nord", "--sector", "government-national", "--country", "FR"))
	e.orgB = strings.TrimSpace(admin("org", "add", "Helios", "--sector", "energy", "--country", "FR"))
	e.keyA = lastLine(admin("key", "add", "--org", "CERT-Nord", "--role", "publisher"))
	e.keyB = lastLine(admin("key", "add", "--org", "Helios", "--role", "publisher"))
	admin("community", "add", "coalition", "--member", "CERT-Nord,Helios")
	e.collection = strings.TrimSpace(admin("collection", "add", "--root", "coalition", "--title", "Coalition", "--read", "community:coalition", "--write", "community:coalition"))
	return e
}

// receiver is a webhook receiver on loopback that records what it gets.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	sigs   []string
	status int // answer; 0 means 204
	got    chan struct{}
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{got: make(chan struct{}, 100)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		status := r.status
		if status == 0 || status < 300 {
			r.bodies = append(r.bodies, b)
			r.sigs = append(r.sigs, req.Header.Get("X-Vigie-Signature"))
		}
		r.mu.Unlock()
		if status == 0 {
			status = http.StatusNoContent
		}
		w.WriteHeader(status)
		if status < 300 {
			r.got <- struct{}{}
		}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) wait(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-r.got:
	case <-time.After(d):
		t.Fatalf("no webhook delivery within %v", d)
	}
}

// verify checks a delivery's signature as the README tells receivers to.
func verify(secret, header string, body []byte) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	want := hex.EncodeToString(mac.Sum(nil))
	sec, err := strconv.ParseInt(ts, 10, 64)
	return err == nil && hmac.Equal([]byte(sig), []byte(want)) && time.Since(time.Unix(sec, 0)).Abs() < 5*time.Minute
}

func publishIndicator(t *testing.T, url, key, collection, org, pattern string, n int) {
	t.Helper()
	obj := indicatorJSON(n, org)
	obj["pattern"] = pattern
	obj["name"] = "Lantern C2"
	obj["description"] = "Lantern command server"
	body, _ := json.Marshal(map[string]any{"objects": []any{obj}})
	var st taxii.Status
	if code := call(t, "POST", url+"/coalition/collections/"+collection+"/objects/", key, body, &st); code != 202 || st.SuccessCount != 1 {
		t.Fatalf("publish: %d %+v", code, st)
	}
}

// TestEarlyWarningEndToEnd: B watches its range and registers a webhook
// with the command line; A publishes a C2 address in that range over TAXII;
// B's receiver gets the signed alert, "vigie alerts" lists it and the live
// stream shows it.
func TestEarlyWarningEndToEnd(t *testing.T) {
	e := newEarlyWarning(t)
	m := mustServe(t, e.dir, "--webhook-allow", "127.0.0.0/8")
	hub := []string{"--hub", m.URL(), "--key", e.keyB}
	rcv := newReceiver(t)
	secret := "a-long-enough-secret"
	if out := mustRun(t, append([]string{"watch", "add", "cidr", "198.51.100.0/24"}, hub...)...); strings.TrimSpace(out) == "" {
		t.Fatal("watch add printed no id")
	}
	hookID := strings.TrimSpace(mustRun(t, append([]string{"webhook", "add", "--url", rcv.srv.URL + "/hook", "--secret", secret}, hub...)...))
	if len(hookID) != 36 {
		t.Fatalf("webhook add printed %q, want an id", hookID)
	}
	list := mustRun(t, append([]string{"watch", "list"}, hub...)...)
	if !strings.Contains(list, "198.51.100.0/24") || !strings.Contains(list, "energy") {
		t.Errorf("watch list:\n%s", list)
	}

	start := time.Now()
	publishIndicator(t, m.URL(), e.keyA, e.collection, e.orgA, "[ipv4-addr:value = '198.51.100.7']", 1)
	rcv.wait(t, 60*time.Second)
	t.Logf("webhook arrived %v after the POST", time.Since(start))
	rcv.mu.Lock()
	body, sig := rcv.bodies[0], rcv.sigs[0]
	rcv.mu.Unlock()
	if !verify(secret, sig, body) {
		t.Errorf("signature %q does not verify", sig)
	}
	var payload struct {
		ID    int64  `json:"id"`
		Type  string `json:"type"`
		Alert struct {
			ID, Trigger, Severity string
			Objects               []struct{ ID string }
		} `json:"alert"`
	}
	if err := json.Unmarshal(body, &payload); err != nil {
		t.Fatal(err)
	}
	if payload.Type != "alert.created" || payload.Alert.Trigger != "watchlist" || payload.Alert.Severity != "high" ||
		len(payload.Alert.Objects) != 1 || payload.Alert.Objects[0].ID != indicatorJSON(1, "")["id"] {
		t.Errorf("webhook payload: %s", body)
	}
	out := mustRun(t, append([]string{"alerts", "--json"}, hub...)...)
	if !strings.Contains(out, payload.Alert.ID) || !strings.Contains(out, "198.51.100.7 is in your range") {
		t.Errorf("vigie alerts --json:\n%s", out)
	}
	// A sees nothing: its own object.
	if out := mustRun(t, "alerts", "--json", "--hub", m.URL(), "--key", e.keyA); strings.TrimSpace(out) != "" {
		t.Errorf("A's alerts: %s", out)
	}
	// The live stream replays from the start, then follows.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var buf syncBuffer
	done := make(chan int)
	go func() {
		done <- Run(ctx, append([]string{"alerts", "--follow", "--json"}, hub...), Stdio{Out: &buf, Err: io.Discard})
	}()
	publishIndicator(t, m.URL(), e.keyA, e.collection, e.orgA, "[ipv4-addr:value = '198.51.100.8']", 2)
	for deadline := time.Now().Add(8 * time.Second); strings.Count(buf.String(), "\n") < 2 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"alert.created"`) || !strings.Contains(lines[1], "198.51.100.8") {
		t.Errorf("alerts --follow printed:\n%s", buf.String())
	}
	// Acknowledging works from the command line.
	if out := mustRun(t, append([]string{"alerts", "ack", payload.Alert.ID}, hub...)...); !strings.Contains(out, "acknowledged") {
		t.Errorf("alerts ack: %s", out)
	}
}

// TestWebhookGuard checks that a hub refuses webhooks to internal
// addresses unless the operator allows them.
func TestWebhookGuard(t *testing.T) {
	e := newEarlyWarning(t)
	m := mustServe(t, e.dir)
	for _, u := range []string{"http://127.0.0.1:9/hook", "http://10.1.2.3/x", "http://[::1]/x", "http://169.254.169.254/latest/meta-data", "http://localhost/x", "ftp://example.org/", "http://user:pw@example.org/"} {
		code, _, errs := run(t, "webhook", "add", "--hub", m.URL(), "--key", e.keyB, "--url", u, "--secret", "0123456789abcdef")
		if code == 0 || !(strings.Contains(errs, "internal address") || strings.Contains(errs, "want http") || strings.Contains(errs, "credentials")) {
			t.Errorf("webhook add %s: exit %d, %s", u, code, errs)
		}
	}
}

// TestDeliverySurvivesKill9 records an alert while the receiver fails,
// kills the hub with SIGKILL, restarts it, and checks the delivery still
// arrives once the receiver is back.
func TestDeliverySurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hub processes")
	}
	e := newEarlyWarning(t)
	rcv := newReceiver(t)
	rcv.status = http.StatusServiceUnavailable
	cmd, url := startHubProcess(t, e.dir, "--webhook-allow", "127.0.0.0/8")
	hub := []string{"--hub", url, "--key", e.keyB}
	mustRun(t, append([]string{"watch", "add", "domain", "helios-energie.fr"}, hub...)...)
	mustRun(t, append([]string{"webhook", "add", "--url", rcv.srv.URL, "--secret", "0123456789abcdef"}, hub...)...)
	publishIndicator(t, url, e.keyA, e.collection, e.orgA, "[domain-name:value = 'helios-energie-vpn.example.com']", 3)
	// Wait until the hub has tried and failed once.
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := mustRun(t, append([]string{"webhook", "deliveries", "--json"}, hub...)...)
		if strings.Contains(out, "503") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no failed attempt recorded: %s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	rcv.mu.Lock()
	rcv.status = 0
	rcv.mu.Unlock()
	cmd, _ = startHubProcess(t, e.dir, "--webhook-allow", "127.0.0.0/8")
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	// The retry is due a few seconds after the failure.
	rcv.wait(t, 30*time.Second)
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.bodies) != 1 || !bytes.Contains(rcv.bodies[0], []byte("helios-energie-vpn.example.com looks like your domain")) {
		t.Errorf("deliveries after restart: %q", rcv.bodies)
	}
}

// TestHangingReceiverDoesNotStallOthers gives A a receiver that hangs and
// B one that answers: B's alerts arrive at once all the same.
func TestHangingReceiverDoesNotStallOthers(t *testing.T) {
	e := newEarlyWarning(t)
	hang := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	defer hanging.Close()
	defer close(hang)
	fast := newReceiver(t)
	m := mustServe(t, e.dir, "--webhook-allow", "127.0.0.0/8")
	for _, k := range []struct{ key, url string }{{e.keyA, hanging.URL}, {e.keyB, fast.srv.URL}} {
		hub := []string{"--hub", m.URL(), "--key", k.key}
		mustRun(t, append([]string{"watch", "add", "keyword", "lantern"}, hub...)...)
		mustRun(t, append([]string{"webhook", "add", "--url", k.url, "--secret", "0123456789abcdef"}, hub...)...)
	}
	// Each publishes objects that alert the other.
	for i := 0; i < 5; i++ {
		publishIndicator(t, m.URL(), e.keyB, e.collection, e.orgB, "[ipv4-addr:value = '192.0.2.1']", 100+i) // alerts A (hangs)
	}
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	publishIndicator(t, m.URL(), e.keyA, e.collection, e.orgA, "[ipv4-addr:value = '192.0.2.2']", 200) // alerts B
	fast.wait(t, 5*time.Second)
	t.Logf("B's delivery arrived %v after the POST while A's receiver hangs", time.Since(start))
}
