package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAdminListsAndErrors runs the admin list commands on a coalition and
// checks their tables and JSON, and the errors of wrong input.
func TestAdminListsAndErrors(t *testing.T) {
	c := newCoalition(t)
	admin := func(args ...string) string { return mustRun(t, append([]string{"admin", "--data", c.dir}, args...)...) }
	if out := admin("org", "list"); !strings.Contains(out, "CERT-Nord") || !strings.Contains(out, "government-national") || !strings.Contains(out, "FR") {
		t.Errorf("org list:\n%s", out)
	}
	var orgs []struct{ ID, Name string }
	if err := json.Unmarshal([]byte(admin("org", "list", "--json")), &orgs); err != nil || len(orgs) != 2 {
		t.Errorf("org list --json: %v, %+v", err, orgs)
	}
	if out := admin("community", "list"); !strings.Contains(out, "energy") || !strings.Contains(out, "CERT-Nord, Helios") {
		t.Errorf("community list:\n%s", out)
	}
	if out := admin("collection", "list"); !strings.Contains(out, c.collection) || !strings.Contains(out, "community:energy") || !strings.Contains(out, "org:CERT-Nord") {
		t.Errorf("collection list:\n%s", out)
	}
	if out := admin("key", "list", "--org", "Helios"); !strings.Contains(out, "reader") || !strings.Contains(out, "expires") || strings.Contains(out, "publisher") {
		t.Errorf("key list --org Helios:\n%s", out)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"org", "add", "CERT-Nord"}, "already exists"},
		{[]string{"org", "add", "X", "--country", "France"}, "ISO 3166-1"},
		{[]string{"key", "add", "--org", "Nobody", "--role", "reader"}, "no organisation"},
		{[]string{"key", "add", "--org", "Helios", "--role", "boss"}, "reader, publisher or admin"},
		{[]string{"key", "add", "--org", "Helios", "--role", "reader", "--expires", "soon"}, "--expires"},
		{[]string{"collection", "add", "--root", "r", "--title", "t", "--read", "community:nope", "--write", "none"}, "no community"},
		{[]string{"collection", "add", "--root", "r", "--title", "t", "--read", "public", "--write", "public"}, "never write"},
		{[]string{"collection", "add", "--root", "r", "--title", "t", "--read", "everyone", "--write", "none"}, "want public"},
		{[]string{"community", "add", "x", "--member", "Nobody"}, "no organisation"},
		{[]string{"key", "revoke", "nope"}, "no key"},
		{[]string{"org", "remove", "x"}, "unknown command"},
	} {
		code, _, errs := run(t, append([]string{"admin", "--data", c.dir}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.msg) {
			t.Errorf("admin %v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.msg)
		}
	}
}
