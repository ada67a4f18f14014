package metrics

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
)

type fakeSource struct {
	st    *vigie.StoreStats
	peers []*vigie.Peer
	feeds []*vigie.Feed
}

func (f fakeSource) ListFeeds(context.Context) ([]*vigie.Feed, error) { return f.feeds, nil }

func (f fakeSource) Stats(context.Context, time.Time) (*vigie.StoreStats, error) { return f.st, nil }

func (f fakeSource) ListPeers(context.Context) ([]*vigie.Peer, error) { return f.peers, nil }

// TestLabelsBounded feeds values no label may carry as they are (unknown
// triggers, states, error codes, a thousand webhooks) and checks what a
// scrape shows.
func TestLabelsBounded(t *testing.T) {
	queue := map[string]int64{}
	for i := 0; i < 1000; i++ {
		queue[fmt.Sprintf("wh-%04d", i)] = int64(i)
	}
	m := New(fakeSource{&vigie.StoreStats{
		Rows:              map[string]int64{"objects": 7},
		AlertsByTrigger:   map[string]int64{"watchlist": 3, "x-secret-trigger": 2},
		DeliveriesByState: map[string]int64{"pending": 5, "weird": 1},
		QueueByWebhook:    queue,
	}, []*vigie.Peer{{Name: "regional-north", Key: "vigie_peerkey_secret-peer-key", Created: time.Now().Add(-time.Hour),
		State: vigie.PeerState{LastSync: time.Now().Add(-90 * time.Second), Backlog: 12, LastError: "x", ErrorAt: time.Now(), Stats: vigie.RelayStats{Received: 7, Stored: 5}}}},
		[]*vigie.Feed{{Name: "abuse-ch", URL: "https://feed.example/secret-feed-token", Headers: []string{"Authorization: secret-header"},
			State: vigie.FeedState{LastRun: time.Now().Add(-70 * time.Second), LastError: "HTTP 500"}}}})
	m.Ingested(3, map[string]int{vigie.EINVALID: 1, "x-secret-code": 2})
	m.AlertEvents([]vigie.AlertEvent{{Kind: "created", Alert: []byte(`{"trigger":"x-secret-trigger"}`)}, {Kind: "created", Alert: []byte(`{"trigger":"sighting"}`)}})
	m.DeliveryAttempt("x-secret-outcome")
	m.ObserveRequest("", 999, time.Millisecond)
	var nilMetrics *Metrics
	nilMetrics.Ingested(1, nil) // a hub without metrics

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	text := rec.Body.String()
	for _, want := range []string{
		`vigie_objects_ingested_total 3`,
		`vigie_objects_refused_total{reason="invalid"} 1`,
		`vigie_objects_refused_total{reason="other"} 2`,
		`vigie_alert_events_total{kind="created",trigger="other"} 1`,
		`vigie_alert_events_total{kind="created",trigger="sighting"} 1`,
		`vigie_webhook_attempts_total{outcome="other"} 1`,
		`vigie_http_requests_total{code="0",route="unrouted"} 1`,
		`vigie_alerts{trigger="other"} 2`,
		`vigie_deliveries{state="other"} 1`,
		`vigie_delivery_queue{webhook="wh-0999"} 999`,
		`vigie_delivery_queue{webhook="other"} `,
		`vigie_federation_peer_backlog{peer="regional-north"} 12`,
		`vigie_federation_peer_failing{peer="regional-north"} 1`,
		`vigie_federation_relayed_total{outcome="stored",peer="regional-north"} 5`,
		`vigie_federation_peer_lag_seconds{peer="regional-north"} 9`,
		`vigie_feed_age_seconds{feed="abuse-ch"} 7`,
		`vigie_feed_failing{feed="abuse-ch"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	if strings.Contains(text, "secret") || strings.Contains(text, "peerkey") || strings.Contains(text, "feed.example") {
		t.Error("a caller-chosen value became a label")
	}
	if n := strings.Count(text, "vigie_delivery_queue{"); n != MaxWebhooks+1 {
		t.Errorf("%d queue series, want %d", n, MaxWebhooks+1)
	}
}
