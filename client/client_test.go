package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/client"
)

// newAPIClient returns a client of a fake hub served by h over plain HTTP.
func newAPIClient(t *testing.T, key string, h http.HandlerFunc) *client.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	hc, err := client.NewHTTPClient(srv.URL, client.TLS{}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(srv.URL, key, hc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClientSendsTheKeyAndDecodes(t *testing.T) {
	c := newAPIClient(t, testKey, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testKey || r.URL.Path != "/api/v1/watchlist" || r.Method != "POST" {
			http.Error(w, `{"description":"unexpected request"}`, http.StatusBadRequest)
			return
		}
		var in map[string]string
		json.NewDecoder(r.Body).Decode(&in)
		json.NewEncoder(w).Encode(api.WatchEntry{ID: "w1", Kind: api.WatchKind(in["kind"]), Value: in["value"]})
	})
	got, err := c.AddWatch(context.Background(), "cidr", "198.51.100.0/24")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&api.WatchEntry{ID: "w1", Kind: "cidr", Value: "198.51.100.0/24"}, got); diff != "" {
		t.Errorf("AddWatch (-want +got):\n%s", diff)
	}
}

// TestClientErrorsNeverShowTheKey: a server that echoes the Authorization
// header in its error answers does not make the client print the key.
func TestClientErrorsNeverShowTheKey(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"description":"unknown API key %s"}`, r.Header.Get("Authorization"))
	}
	plainEcho := func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad key: "+r.Header.Get("Authorization"), http.StatusForbidden)
	}
	for name, h := range map[string]http.HandlerFunc{"JSON": echo, "text": plainEcho} {
		c := newAPIClient(t, testKey, h)
		_, err := c.Whoami(context.Background())
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Status < 400 {
			t.Fatalf("%s: Whoami error %v, want a *client.Error", name, err)
		}
		if strings.Contains(err.Error(), testKey) {
			t.Errorf("%s: the error shows the key: %v", name, err)
		}
		_, err = c.Stream(context.Background(), 0, func(client.StreamEvent) error { return nil })
		if err == nil || strings.Contains(err.Error(), testKey) {
			t.Errorf("%s: Stream error %v: want one without the key", name, err)
		}
	}
}

func TestStream(t *testing.T) {
	c := newAPIClient(t, testKey, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Last-Event-ID") != "6" {
			http.Error(w, "want Last-Event-ID 6", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, ": a comment\n\n")
		fmt.Fprint(w, "id: 7\nevent: alert.created\ndata: {\"id\":\"a1\",\"severity\":\"high\",\n")
		fmt.Fprint(w, "data: \"state\":\"new\"}\n\n")
		fmt.Fprint(w, "event: alert.updated\ndata: {\"id\":\"no event id\"}\n\n")
		fmt.Fprint(w, "id: 8\nevent: alert.updated\ndata: {\"id\":\"a1\",\"state\":\"acknowledged\",\"severity\":\"critical\"}\n\n")
	})
	var got []string
	last, err := c.Stream(context.Background(), 6, func(ev client.StreamEvent) error {
		got = append(got, fmt.Sprintf("%d %s %s %s %s", ev.ID, ev.Type, ev.Alert.ID, ev.Alert.State, ev.Alert.Severity))
		return nil
	})
	if err != nil || last != 8 {
		t.Fatalf("Stream = %d, %v", last, err)
	}
	want := []string{"7 alert.created a1 new high", "8 alert.updated a1 acknowledged critical"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestNewRefusesBadURLs(t *testing.T) {
	for _, u := range []string{"", "hub.example:8443", "ftp://hub.example", "https://"} {
		if _, err := client.New(u, testKey, &http.Client{}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}
