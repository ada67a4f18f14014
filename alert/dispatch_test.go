package alert_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/alert"
	"github.com/vigie-cti/vigie/netguard"
	"github.com/vigie-cti/vigie/store/sqlite"
)

// TestDispatcherFailures gives four organisations receivers that redirect,
// refuse connections, answer slowly and answer at once: the failures are
// recorded with their reason and retried later, the slow one is delivered,
// and none holds up the others.
func TestDispatcherFailures(t *testing.T) {
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vigie.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var fastHits atomic.Int32
	redirect := httptest.NewServer(http.RedirectHandler("http://example.org/", http.StatusFound))
	defer redirect.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		w.WriteHeader(200)
	}))
	defer slow.Close()
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fastHits.Add(1) }))
	defer fast.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := "http://" + ln.Addr().String() + "/"
	ln.Close()

	targets := map[string]string{"redirect": redirect.URL, "refused": refused, "slow": slow.URL, "fast": fast.URL}
	orgs := map[string]string{}
	var alerts []*vigie.Alert
	for name, url := range targets {
		o := &vigie.Org{ID: "identity--" + vigie.NewUUID(), Name: name, Created: time.Now()}
		if err := st.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
		orgs[name] = o.ID
		if err := st.CreateWebhook(ctx, &vigie.Webhook{ID: vigie.NewUUID(), OrgID: o.ID, URL: url, Secret: "0123456789abcdef", Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			alerts = append(alerts, &vigie.Alert{OrgID: o.ID, Trigger: vigie.TriggerWatchlist, Severity: vigie.SeverityHigh, DedupKey: name + string(rune('a'+i)), Title: "t"})
		}
	}
	if _, err := st.RecordAlerts(ctx, &vigie.AlertBatch{Now: time.Now(), Alerts: alerts}); err != nil {
		t.Fatal(err)
	}
	d := alert.NewDispatcher(st, alert.DispatcherOptions{Guard: netguard.New([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}), Timeout: 2 * time.Second})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { d.Run(runCtx); close(done) }()
	start := time.Now()
	for fastHits.Load() < 3 && time.Since(start) < 5*time.Second {
		time.Sleep(10 * time.Millisecond)
	}
	fastTime := time.Since(start)
	time.Sleep(1500 * time.Millisecond) // the slow ones finish
	cancel()
	<-done
	if fastHits.Load() != 3 {
		t.Fatalf("fast receiver got %d deliveries, want 3", fastHits.Load())
	}
	t.Logf("fast receiver served in %v", fastTime)
	check := func(name string, state vigie.DeliveryState, errPart string) {
		t.Helper()
		ds, err := st.ListDeliveries(ctx, orgs[name], "", 100)
		if err != nil || len(ds) != 3 {
			t.Fatalf("%s: %d deliveries, %v", name, len(ds), err)
		}
		for _, del := range ds {
			if del.State != state || (errPart != "" && !contains(del.LastError, errPart)) {
				t.Errorf("%s: delivery %+v, want state %s and an error naming %q", name, del, state, errPart)
			}
			if state == vigie.DeliveryPending && (del.Attempts != 1 || !del.NextAttempt.After(time.Now())) {
				t.Errorf("%s: failed delivery not scheduled for a retry: %+v", name, del)
			}
		}
	}
	check("fast", vigie.DeliveryDelivered, "")
	check("slow", vigie.DeliveryDelivered, "")
	check("redirect", vigie.DeliveryPending, "redirect")
	check("refused", vigie.DeliveryPending, "cannot connect")
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
