package alert_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/alert"
	"github.com/vigie-cti/vigie/netguard"
	"github.com/vigie-cti/vigie/store/sqlite"
)

// loopback lets the tests' receivers, on 127.0.0.1, be called.
func loopback() *netguard.Guard {
	return netguard.New([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
}

// outbox is a store with one organisation per receiver, each with a webhook
// and one alert waiting for delivery.
type outbox struct {
	vigie.Store
	orgs map[string]string // receiver name -> org id
}

func newOutbox(t *testing.T, targets map[string]string) *outbox {
	t.Helper()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vigie.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ob := &outbox{Store: st, orgs: map[string]string{}}
	var alerts []*vigie.Alert
	for name, url := range targets {
		o := &vigie.Org{ID: "identity--" + vigie.NewUUID(), Name: name, Created: time.Now()}
		if err := st.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
		ob.orgs[name] = o.ID
		if err := st.CreateWebhook(ctx, &vigie.Webhook{ID: vigie.NewUUID(), OrgID: o.ID, URL: url, Secret: "0123456789abcdef", Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
		alerts = append(alerts, &vigie.Alert{OrgID: o.ID, Trigger: vigie.TriggerWatchlist, Severity: vigie.SeverityHigh, DedupKey: name, Title: "t"})
	}
	if _, err := st.RecordAlerts(ctx, &vigie.AlertBatch{Now: time.Now(), Alerts: alerts}); err != nil {
		t.Fatal(err)
	}
	return ob
}

// run runs a dispatcher over store until done reports true (or 10 s).
func run(t *testing.T, store vigie.Store, opts alert.DispatcherOptions, done func() bool) {
	t.Helper()
	d := alert.NewDispatcher(store, opts)
	runCtx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { d.Run(runCtx); close(stopped) }()
	for deadline := time.Now().Add(10 * time.Second); !done() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-stopped
}

// TestDeliveryRetryClassification gives receivers every kind of failing
// answer: a 4xx other than 408 and 429 fails the delivery for good after
// one attempt, the others are retried, later when Retry-After asks for it
// (bounded by an hour).
func TestDeliveryRetryClassification(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	answer := func(name string, status int, retryAfter string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			hits[name]++
			mu.Unlock()
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(status)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	hang := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits["timeout"]++
		mu.Unlock()
		<-hang
	}))
	defer hanging.Close()
	defer close(hang)
	start := time.Now()
	ob := newOutbox(t, map[string]string{
		"400": answer("400", 400, ""), "401": answer("401", 401, ""), "404": answer("404", 404, ""),
		"410": answer("410", 410, "60"), "422": answer("422", 422, ""),
		"408": answer("408", 408, ""), "429": answer("429", 429, "120"), "500": answer("500", 500, ""),
		"503": answer("503", 503, "86400"), "502date": answer("502date", 502, start.Add(10*time.Minute).UTC().Format(http.TimeFormat)),
		"timeout": hanging.URL,
	})
	run(t, ob, alert.DispatcherOptions{Guard: loopback(), Timeout: 300 * time.Millisecond}, func() bool {
		for _, org := range ob.orgs {
			if ds, err := ob.ListDeliveries(ctx, org, "", 10); err != nil || len(ds) != 1 || ds[0].Attempts == 0 {
				return false
			}
		}
		return true
	})
	end := time.Now()
	for name, org := range ob.orgs {
		ds, err := ob.ListDeliveries(ctx, org, "", 10)
		if err != nil || len(ds) != 1 {
			t.Fatalf("%s: %d deliveries, %v", name, len(ds), err)
		}
		del := ds[0]
		final := map[string]bool{"400": true, "401": true, "404": true, "410": true, "422": true}[name]
		switch {
		case del.Attempts != 1:
			t.Errorf("%s: %d attempts, want 1", name, del.Attempts)
		case final && (del.State != vigie.DeliveryFailed || !strings.Contains(del.LastError, "not retried") || !strings.Contains(del.LastError, name)):
			t.Errorf("%s: %+v, want failed for good, saying so", name, del)
		case !final && del.State != vigie.DeliveryPending:
			t.Errorf("%s: %+v, want pending (retried)", name, del)
		}
		if final {
			continue
		}
		wait := map[string]time.Duration{"429": 120 * time.Second, "503": time.Hour, "502date": 10*time.Minute - 2*time.Second}[name]
		if del.NextAttempt.Before(start.Add(wait)) {
			t.Errorf("%s: next attempt at %v, want at least %v after the attempt (Retry-After)", name, del.NextAttempt, wait)
		}
		if del.NextAttempt.After(end.Add(time.Hour + time.Second)) {
			t.Errorf("%s: next attempt at %v, more than an hour away", name, del.NextAttempt)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for name, n := range hits {
		if n != 1 {
			t.Errorf("%s: %d requests, want 1", name, n)
		}
	}
}

// rotating is a store whose webhook secrets the test changes, as an
// update from another process would.
type rotating struct {
	*outbox
	mu     sync.Mutex
	secret string
}

func (r *rotating) ListWebhooks(ctx context.Context, orgID string) ([]*vigie.Webhook, error) {
	hooks, err := r.outbox.ListWebhooks(ctx, orgID)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, h := range hooks {
		h.Secret = r.secret
	}
	return hooks, err
}

// TestChangedSecretTakesEffect signs a delivery, changes the webhook's
// secret, and checks that the next delivery is signed with the new one.
func TestChangedSecretTakesEffect(t *testing.T) {
	type got struct{ sig, body string }
	deliveries := make(chan got, 4)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		deliveries <- got{r.Header.Get(alert.SignatureHeader), string(b)}
	}))
	defer rcv.Close()
	st := &rotating{outbox: newOutbox(t, map[string]string{"a": rcv.URL}), secret: "first-secret-0123456789"}
	d := alert.NewDispatcher(st, alert.DispatcherOptions{Guard: loopback()})
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go d.Run(runCtx)
	verify := func(secret string) {
		t.Helper()
		select {
		case g := <-deliveries:
			ts, _, _ := strings.Cut(strings.TrimPrefix(g.sig, "t="), ",")
			sec, err := strconv.ParseInt(ts, 10, 64)
			if err != nil {
				t.Fatalf("signature header %q", g.sig)
			}
			want := alert.Sign(secret, time.Unix(sec, 0), []byte(g.body))
			if g.sig != want {
				t.Errorf("delivery signed %s, want %s (secret %q)", g.sig, want, secret)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no delivery")
		}
	}
	verify("first-secret-0123456789")
	st.mu.Lock()
	st.secret = "second-secret-0123456789"
	st.mu.Unlock()
	if _, err := st.RecordAlerts(ctx, &vigie.AlertBatch{Now: time.Now(), Alerts: []*vigie.Alert{{OrgID: st.orgs["a"], Trigger: vigie.TriggerWatchlist, Severity: vigie.SeverityHigh, DedupKey: "second", Title: "t"}}}); err != nil {
		t.Fatal(err)
	}
	d.Wake()
	verify("second-secret-0123456789")
}
