package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// TestAdminUsers adds a dashboard account, checks the printed one-time
// link, lists users (never a hash), issues a new link, and refuses bad
// input.
func TestAdminUsers(t *testing.T) {
	c := newCoalition(t)
	admin := func(args ...string) string { return mustRun(t, append([]string{"admin", "--data", c.dir}, args...)...) }
	out := admin("user", "add", "--org", "Helios", "--email", "Ana@Helios.example", "--role", "publisher", "--url", "https://hub.example:8443/")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	link, err := url.Parse(lines[len(lines)-1])
	if err != nil || link.Scheme != "https" || link.Host != "hub.example:8443" || link.Path != "/signin/link" || len(link.Query().Get("token")) != 43 {
		t.Fatalf("user add printed %q, want a sign-in link as the last line", out)
	}
	if !strings.Contains(lines[0], "ana@helios.example") || !strings.Contains(lines[0], "publisher") {
		t.Errorf("user add: %q", lines[0])
	}
	if out := admin("user", "list"); !strings.Contains(out, "ana@helios.example") || !strings.Contains(out, "publisher") || strings.Contains(out, "argon2") {
		t.Errorf("user list:\n%s", out)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(admin("user", "list", "--json")), &rows); err != nil || len(rows) != 1 || rows[0]["password_set"] != false {
		t.Errorf("user list --json: %v %v", rows, err)
	}
	out2 := admin("user", "link", "ana@helios.example")
	if !strings.Contains(out2, "/signin/link?token=") || strings.Contains(out2, link.Query().Get("token")) {
		t.Errorf("user link: %q", out2)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"user", "add", "--org", "Helios", "--email", "ana@helios.example", "--role", "reader"}, "already exists"},
		{[]string{"user", "add", "--org", "Nobody", "--email", "x@y.example", "--role", "reader"}, "no organisation"},
		{[]string{"user", "add", "--org", "Helios", "--email", "not-an-address", "--role", "reader"}, "e-mail"},
		{[]string{"user", "add", "--org", "Helios", "--email", "b@helios.example", "--role", "boss"}, "reader, publisher or admin"},
		{[]string{"user", "add", "--org", "Helios"}, "required"},
		{[]string{"user", "link", "nobody@helios.example"}, "no user"},
	} {
		code, _, errs := run(t, append([]string{"admin", "--data", c.dir}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.msg) {
			t.Errorf("admin %v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.msg)
		}
	}
}

// TestAdminUserDisable disables and enables an account from the console;
// the list says which accounts are disabled.
func TestAdminUserDisable(t *testing.T) {
	c := newCoalition(t)
	admin := func(args ...string) string { return mustRun(t, append([]string{"admin", "--data", c.dir}, args...)...) }
	admin("user", "add", "--org", "Helios", "--email", "ana@helios.example", "--role", "publisher")
	if out := admin("user", "disable", "ana@helios.example"); strings.TrimSpace(out) != "disabled ana@helios.example" {
		t.Errorf("user disable: %q", out)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(admin("user", "list", "--json")), &rows); err != nil || len(rows) != 1 || rows[0]["disabled"] == nil {
		t.Errorf("user list --json after disabling: %v %v", rows, err)
	}
	if out := admin("user", "enable", "ana@helios.example"); strings.TrimSpace(out) != "enabled ana@helios.example" {
		t.Errorf("user enable: %q", out)
	}
	rows = nil
	if err := json.Unmarshal([]byte(admin("user", "list", "--json")), &rows); err != nil || len(rows) != 1 || rows[0]["disabled"] != nil {
		t.Errorf("user list --json after enabling: %v %v", rows, err)
	}
	for _, args := range [][]string{{"user", "disable", "nobody@helios.example"}, {"user", "disable"}} {
		if code, _, _ := run(t, append([]string{"admin", "--data", c.dir}, args...)...); code != 2 {
			t.Errorf("admin %v: exit %d, want 2", args, code)
		}
	}
}
