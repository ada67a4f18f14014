package hub_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/store/sqlite"
)

var ctx = context.Background()

// clock is a settable clock for the hub under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixture is a hub over a fresh SQLite store with organisations A (in
// community "ab" with B), B, and C (in no community).
type fixture struct {
	hub   *hub.Hub
	clock *clock
	path  string // the database file
	orgs  map[string]*vigie.Org
	comm  *vigie.Community
}

// allowAll is a webhook guard that permits every URL.
type allowAll struct{}

func (allowAll) CheckURL(context.Context, string) error { return nil }

func newFixture(t *testing.T) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vigie.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: time.Date(2026, 12, 1, 10, 0, 30, 0, time.UTC)}
	f := &fixture{hub: hub.New(st, hub.Config{Guard: allowAll{}}, c.now), clock: c, path: path, orgs: map[string]*vigie.Org{}}
	for _, name := range []string{"A", "B", "C"} {
		if f.orgs[name], err = f.hub.AddOrg(ctx, hub.Console(), name, []string{"energy"}, "FR"); err != nil {
			t.Fatal(err)
		}
	}
	if f.comm, err = f.hub.AddCommunity(ctx, hub.Console(), "ab", []string{"A", "B"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// key returns a new key of org with role, and its token.
func (f *fixture) key(t *testing.T, org string, role vigie.Role, expires time.Time) (*vigie.Key, string) {
	t.Helper()
	k, token, err := f.hub.AddKey(ctx, hub.Console(), org, role, "test", expires)
	if err != nil {
		t.Fatal(err)
	}
	return k, token
}

// login authenticates a token that must be valid.
func (f *fixture) login(t *testing.T, token string) vigie.Principal {
	t.Helper()
	p, err := f.hub.Authenticate(ctx, token, "192.0.2.10")
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	return p
}

func TestAuthenticate(t *testing.T) {
	f := newFixture(t)
	valid, validToken := f.key(t, "A", vigie.RolePublisher, time.Time{})
	_, expiredToken := f.key(t, "A", vigie.RoleReader, f.clock.now().Add(time.Hour))
	revoked, revokedToken := f.key(t, "B", vigie.RoleReader, time.Time{})
	if _, err := f.hub.RevokeKey(ctx, hub.Console(), revoked.ID); err != nil {
		t.Fatal(err)
	}
	_, cToken := f.key(t, "C", vigie.RoleAdmin, time.Time{})
	f.clock.add(2 * time.Hour) // the expiring key has expired

	id, _, _ := vigie.SplitToken(validToken)
	for _, tc := range []struct {
		name, token, want string
	}{
		{"empty", "", "malformed API key"},
		{"not a vigie token", "Bearer-abc", "malformed API key"},
		{"no secret", "vigie_" + id + "_", "malformed API key"},
		{"unknown id", "vigie_aaaaaaaaaaaaaaaa_" + strings.Repeat("x", 43), "unknown API key"},
		{"wrong secret", "vigie_" + id + "_" + strings.Repeat("x", 43), "unknown API key"},
		{"expired", expiredToken, "expired on"},
		{"revoked", revokedToken, "revoked on"},
	} {
		p, err := f.hub.Authenticate(ctx, tc.token, "192.0.2.10")
		if vigie.ErrorCode(err) != vigie.EUNAUTHORIZED || !strings.Contains(vigie.ErrorMessage(err), tc.want) {
			t.Errorf("%s: %v, want EUNAUTHORIZED %q", tc.name, err, tc.want)
		}
		if !p.Anonymous() || p.Role != "" {
			t.Errorf("%s: principal %+v on failure", tc.name, p)
		}
		if tc.token != "" && strings.Contains(vigie.ErrorMessage(err), tc.token) {
			t.Errorf("%s: the error repeats the token: %v", tc.name, err)
		}
	}

	p := f.login(t, validToken)
	want := vigie.Principal{OrgID: f.orgs["A"].ID, KeyID: valid.ID, Role: vigie.RolePublisher, Communities: []string{f.comm.ID}, Addr: "192.0.2.10"}
	if p.OrgID != want.OrgID || p.KeyID != want.KeyID || p.Role != want.Role || p.Addr != want.Addr || !slices.Equal(p.Communities, want.Communities) {
		t.Errorf("valid key: %+v, want %+v", p, want)
	}
	if p := f.login(t, cToken); len(p.Communities) != 0 || p.Role != vigie.RoleAdmin || p.OrgID != f.orgs["C"].ID {
		t.Errorf("C's admin key: %+v, want no communities", p)
	}
}

// TestAuthFailuresAudited checks that failed authentications are recorded
// per key id, address and minute, with a count, and never with the key.
func TestAuthFailuresAudited(t *testing.T) {
	f := newFixture(t)
	_, token := f.key(t, "A", vigie.RoleReader, time.Time{})
	id, secret, _ := vigie.SplitToken(token)
	wrong := "vigie_" + id + "_" + strings.Repeat("y", len(secret))
	for range 3 {
		f.hub.Authenticate(ctx, wrong, "198.51.100.1")
	}
	f.hub.Authenticate(ctx, wrong, "198.51.100.2")
	f.hub.Authenticate(ctx, "garbage", "198.51.100.1")
	if err := f.hub.FlushAudit(ctx, false); err != nil {
		t.Fatal(err)
	}
	if es := entries(t, f, vigie.AuditAuthFailure); len(es) != 0 {
		t.Fatalf("the current minute was flushed: %v", es)
	}
	f.clock.add(time.Minute)
	f.hub.Authenticate(ctx, wrong, "198.51.100.1") // the next minute: a bucket of its own
	if err := f.hub.FlushAudit(ctx, false); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries(t, f, vigie.AuditAuthFailure) {
		got[e.KeyID+"@"+e.Addr] = string(e.Detail)
		if strings.Contains(e.String()+string(e.Detail), secret) || strings.Contains(e.String(), "garbage") {
			t.Errorf("entry holds what was presented as a key: %v", e)
		}
	}
	want := map[string]string{id + "@198.51.100.1": `{"count":3}`, id + "@198.51.100.2": `{"count":1}`, "@198.51.100.1": `{"count":1}`}
	if len(got) != len(want) {
		t.Errorf("auth failure entries %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("entry %s: %s, want %s", k, got[k], v)
		}
	}
	if err := f.hub.FlushAudit(ctx, true); err != nil { // the process stops
		t.Fatal(err)
	}
	if n := len(entries(t, f, vigie.AuditAuthFailure)); n != 4 {
		t.Errorf("%d auth failure entries after the final flush, want 4", n)
	}
}

// entries returns the audit entries of one action, read as the console.
func entries(t *testing.T, f *fixture, action string) []*vigie.AuditEntry {
	t.Helper()
	all, err := f.hub.Audit(ctx, hub.Console(), vigie.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out []*vigie.AuditEntry
	for _, e := range all {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

// execSQL runs a statement on the fixture's database behind the hub's back.
func execSQL(t *testing.T, f *fixture, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+f.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// TestAddKeyPastExpiry: a key that would be expired when made is refused,
// whichever adapter asks.
func TestAddKeyPastExpiry(t *testing.T) {
	f := newFixture(t)
	for _, at := range []time.Time{f.clock.now(), f.clock.now().Add(-time.Hour)} {
		_, _, err := f.hub.AddKey(ctx, hub.Console(), "A", vigie.RoleReader, "late", at)
		if vigie.ErrorCode(err) != vigie.EINVALID || !strings.Contains(vigie.ErrorMessage(err), "in the past") {
			t.Errorf("AddKey expiring %s: %v, want EINVALID in the past", at, err)
		}
	}
	if _, _, err := f.hub.AddKey(ctx, hub.Console(), "A", vigie.RoleReader, "soon", f.clock.now().Add(time.Minute)); err != nil {
		t.Errorf("AddKey expiring in a minute: %v", err)
	}
}
