package main

import (
	"bytes"
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestNoArguments prints the usage on stderr and exits 2; "help" exits 0.
func TestNoArguments(t *testing.T) {
	code, out, errs := run(t)
	if code != 2 || out != "" || !strings.Contains(errs, "Usage: vigie COMMAND") {
		t.Errorf("vigie: exit %d, stdout %q, stderr %q; want 2 and the usage on stderr", code, out, errs)
	}
	if code, out, _ := run(t, "help"); code != 0 || !strings.Contains(out, "Usage: vigie COMMAND") {
		t.Errorf("vigie help: exit %d, %q", code, out)
	}
}

// TestVersion prints what the build information says, and whether YARA
// is built in.
func TestVersion(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/vigie-cti/vigie", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	var b bytes.Buffer
	writeVersion(&b, info, true, "4.2.3")
	want := "vigie v1.2.3\ncommit: 0123abcd (with uncommitted changes) 2026-12-01T10:00:00Z\ngo: go1.26.8\nyara: built in (libyara 4.2.3)\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	writeVersion(&b, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, false, "")
	want = "vigie (devel: built from a source tree)\ncommit: unknown (built without version control information)\ngo: go1.26.8\nyara: not built in (-tags noyara or no cgo): vigie scan skips YARA indicators\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	// The real command says as much about this test binary.
	out := mustRun(t, "version")
	if !strings.HasPrefix(out, "vigie ") || !strings.Contains(out, "\ncommit: ") || !strings.Contains(out, "\nyara: ") {
		t.Errorf("vigie version:\n%s", out)
	}
}

// TestKeyListNamesOrganisations lists keys by organisation name, in the
// table and in JSON.
func TestKeyListNamesOrganisations(t *testing.T) {
	c := newCoalition(t)
	out := mustRun(t, "admin", "--data", c.dir, "key", "list")
	if !strings.Contains(out, "CERT-Nord") || !strings.Contains(out, "Helios") || strings.Contains(out, "identity--") {
		t.Errorf("key list:\n%s", out)
	}
	var keys []struct {
		Org   string `json:"org"`
		OrgID string `json:"org_id"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "admin", "--data", c.dir, "key", "list", "--org", "Helios", "--json")), &keys); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0].Org != "Helios" || keys[0].OrgID != c.orgB {
		t.Errorf("key list --json: %+v", keys)
	}
}

// TestKeyExpiryInThePast refuses an expiry already past, and takes one to come.
func TestKeyExpiryInThePast(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for _, s := range []string{"2026-12-04", "2026-12-05", "2020-01-01T00:00:00Z"} {
		if _, err := parseExpiry(s, now); err == nil || !strings.Contains(err.Error(), "in the past") {
			t.Errorf("parseExpiry(%q): %v, want in the past", s, err)
		}
	}
	for _, s := range []string{"2026-12-06", "90d", "1h"} {
		if got, err := parseExpiry(s, now); err != nil || !got.After(now) {
			t.Errorf("parseExpiry(%q) = %v, %v", s, got, err)
		}
	}
	c := newCoalition(t)
	code, _, errs := run(t, "admin", "--data", c.dir, "key", "add", "--org", "Helios", "--role", "reader", "--expires", "2020-01-31")
	if code != 2 || !strings.Contains(errs, `--expires "2020-01-31" is in the past`) {
		t.Errorf("past expiry: exit %d, %q", code, errs)
	}
}

// TestErrorPrefixOnce checks that errors name their command once.
func TestErrorPrefixOnce(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sbom", "check", "testdata/sbom/none.json", "--advisories", goVulnDB}, "vigie sbom: open testdata/sbom/none.json: no such file or directory\n"},
		{[]string{"sbom", "check", "testdata/sbom/GHSA-288c-cq4h-88gq.json", "--advisories", goVulnDB}, "vigie sbom: testdata/sbom/GHSA-288c-cq4h-88gq.json: not an SBOM"},
		{[]string{"advisory", "import", "--hub", "http://127.0.0.1:1", "--key", "k", "--root", "r", "--collection", "c", goVulnDB + "/GO-2020-0001.json"},
			"vigie advisory: taxii: Post \"http://127.0.0.1:1/r/collections/c/objects/\": dial tcp"},
	} {
		_, _, errs := run(t, tc.args...)
		if !strings.Contains(errs, tc.want) {
			t.Errorf("vigie %v: stderr %q, want %q", tc.args, errs, tc.want)
		}
	}
}
