package taxii_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/server"
	"github.com/vigie-cti/vigie/store/sqlite"
	"github.com/vigie-cti/vigie/taxii"
)

// startHub runs a real hub with one organisation and one collection and
// returns its URL, the organisation's publisher key and the collection id.
func startHub(t *testing.T) (string, string, string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vigie.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := hub.New(st, hub.Config{}, time.Now)
	if _, err := h.AddOrg(ctx, hub.Console(), "A", nil, ""); err != nil {
		t.Fatal(err)
	}
	_, key, err := h.AddKey(ctx, hub.Console(), "A", vigie.RolePublisher, "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := h.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "root", Title: "C", Read: []string{"org:A"}, Write: []string{"org:A"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(h, server.Options{}).Handler())
	t.Cleanup(srv.Close)
	return srv.URL, key, c.ID
}

func TestClientRoundTrip(t *testing.T) {
	url, key, coll := startHub(t)
	ctx := context.Background()
	c, err := taxii.NewClient(url, key, &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Discovery(ctx)
	if err != nil || len(d.APIRoots) != 1 {
		t.Fatalf("Discovery = %+v, %v", d, err)
	}
	cs, err := c.Collections(ctx, d.APIRoots[0])
	if err != nil || len(cs) != 1 || cs[0].ID != coll || !cs[0].CanWrite {
		t.Fatalf("Collections = %+v, %v", cs, err)
	}
	var objs []json.RawMessage
	for i := 0; i < 25; i++ {
		objs = append(objs, json.RawMessage(fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-%012d","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.%d']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"}`, i, i)))
	}
	st, err := c.AddObjects(ctx, "root", coll, objs)
	if err != nil || st.SuccessCount != 25 {
		t.Fatalf("AddObjects = %+v, %v", st, err)
	}
	again, err := c.Status(ctx, "root", st.ID)
	if err != nil || again.SuccessCount != 25 {
		t.Fatalf("Status = %+v, %v", again, err)
	}
	n := 0
	last, err := c.EachObject(ctx, "root", coll, taxii.Filter{Limit: 10}, func(json.RawMessage) error { n++; return nil })
	if err != nil || n != 25 || last.IsZero() {
		t.Fatalf("EachObject: %d objects, last %v, %v", n, last, err)
	}
	// Resuming from the last date added finds nothing new.
	n = 0
	if _, err := c.EachObject(ctx, "root", coll, taxii.Filter{AddedAfter: last}, func(json.RawMessage) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("resume after %v: %d objects, %v", last, n, err)
	}

	anon, _ := taxii.NewClient(url, "", &http.Client{Timeout: 10 * time.Second})
	_, _, err = anon.Objects(ctx, "root", coll, taxii.Filter{}, "")
	var te *taxii.Error
	if !errors.As(err, &te) || te.HTTPStatus != "401" {
		t.Errorf("anonymous read of a private collection: %v, want a TAXII 401 error", err)
	}
}

func TestNewClientRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "hub.example:8443", "http://"} {
		if _, err := taxii.NewClient(u, "", http.DefaultClient); err == nil {
			t.Errorf("NewClient(%q) accepted", u)
		}
	}
}
