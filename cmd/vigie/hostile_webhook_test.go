package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
)

// TestWebhookToZonedLoopbackRefused: the forms of loopback that passed the
// old guard are refused when the webhook is registered.
func TestWebhookToZonedLoopbackRefused(t *testing.T) {
	e := newEarlyWarning(t)
	m := mustServe(t, e.dir)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(m.URL(), "http://"))
	for _, u := range []string{
		"http://[::1%25lo]:" + port + "/hook", "http://[fe80::1%25lo]:" + port + "/hook",
		"http://[::127.0.0.1]:" + port + "/hook", "http://[2002:7f00:1::]:" + port + "/hook",
		"http://[::ffff:127.0.0.1]:" + port + "/hook", "http://2130706433:" + port + "/hook",
	} {
		code, _, errs := run(t, "webhook", "add", "--hub", m.URL(), "--key", e.keyB, "--url", u, "--secret", "0123456789abcdef")
		if code == 0 || !(strings.Contains(errs, "zoned") || strings.Contains(errs, "internal address") || strings.Contains(errs, "standard IP")) {
			t.Errorf("webhook add %s: exit %d, %s", u, code, errs)
		}
	}
	if out := mustRun(t, "webhook", "list", "--json", "--hub", m.URL(), "--key", e.keyB); strings.Contains(out, "hook") {
		t.Errorf("a refused webhook was stored: %s", out)
	}
}

// TestDeliveriesAreNoPortScanner: webhooks whose host turns out internal
// when dialled (as with DNS rebinding; stored here directly) are never
// called, and the deliveries list says the same of an open and a closed
// port, so a member cannot map the hub's network with it.
func TestDeliveriesAreNoPortScanner(t *testing.T) {
	e := newEarlyWarning(t)
	var called atomic.Int32
	open := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called.Add(1) }))
	defer open.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/hook"
	ln.Close()
	st, err := openStore(context.Background(), e.dir, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{open.URL + "/hook", closed} {
		if err := st.CreateWebhook(context.Background(), &vigie.Webhook{ID: vigie.NewUUID(), OrgID: e.orgB, URL: u, Secret: "0123456789abcdef", Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	m := mustServe(t, e.dir)
	hub := []string{"--hub", m.URL(), "--key", e.keyB}
	mustRun(t, append([]string{"watch", "add", "domain", "helios-energie.fr"}, hub...)...)
	publishIndicator(t, m.URL(), e.keyA, e.collection, e.orgA, "[domain-name:value = 'helios-energie-vpn.example.com']", 7)
	var ds []vigie.Delivery
	for deadline := time.Now().Add(15 * time.Second); ; {
		ds = nil
		if err := json.Unmarshal([]byte(mustRun(t, append([]string{"webhook", "deliveries", "--json"}, hub...)...)), &ds); err != nil {
			t.Fatal(err)
		}
		if len(ds) == 2 && ds[0].Attempts > 0 && ds[1].Attempts > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries not attempted: %+v", ds)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if called.Load() != 0 {
		t.Errorf("the hub called an internal address %d times", called.Load())
	}
	for _, d := range ds {
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(strings.TrimSuffix(d.URL, "/hook"), "http://"))
		for _, leak := range []string{"refused", "connect:", "reset", "timeout", "127.0.0.1", "dial", port} {
			if strings.Contains(d.LastError, leak) {
				t.Errorf("delivery to %s: error %q reveals %q", d.URL, d.LastError, leak)
			}
		}
		if d.State != vigie.DeliveryFailed || d.LastStatus != 0 {
			t.Errorf("delivery to %s: %+v, want failed for good without a status", d.URL, d)
		}
	}
	if ds[0].LastError != ds[1].LastError || !strings.Contains(ds[0].LastError, "internal address") {
		t.Errorf("open and closed ports give different errors: %q and %q", ds[0].LastError, ds[1].LastError)
	}
}
