package advisory_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/internal/corpus"
)

// The test data: OSV records and Red Hat CSAF documents of many ecosystems
// (ossf/osv-schema), and the part of the Go vulnerability database the tests
// use.
const (
	mixed    = "testdata/osv-mixed"
	linter   = mixed + "/osv-linter"
	goVulnDB = "testdata/go-vulndb"
)

// MustParse parses the advisory file at path or fails the test.
func MustParse(tb testing.TB, path string) advisory.Advisory {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := advisory.Parse(data)
	if err != nil {
		tb.Fatalf("parse %s: %v", path, err)
	}
	return a
}

func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func TestParseOSVGo(t *testing.T) {
	got := MustParse(t, filepath.Join(linter, "GO-2020-0001.json"))
	want := advisory.Advisory{
		ID:        "GO-2020-0001",
		Aliases:   []string{"CVE-2020-36567", "GHSA-6vm3-jj99-7229"},
		Summary:   "Arbitrary log line injection in github.com/gin-gonic/gin",
		Details:   "The default Formatter for the Logger middleware (LoggerConfig.Formatter), which is included in the Default engine, allows attackers to inject arbitrary log entries by manipulating the request path.",
		Published: mustTime(t, "2021-04-14T20:04:52Z"),
		Modified:  mustTime(t, "2024-05-20T16:03:47Z"),
		Affected: []advisory.Affected{{
			Ecosystem: "Go", Name: "github.com/gin-gonic/gin",
			Ranges: []advisory.Range{{Type: "SEMVER", Events: []advisory.Event{{Introduced: "0"}, {Fixed: "1.6.0"}}}},
		}},
		References: []advisory.Reference{
			{Type: "FIX", URL: "https://github.com/gin-gonic/gin/pull/2237"},
			{Type: "FIX", URL: "https://github.com/gin-gonic/gin/commit/a71af9c144f9579f6dbe945341c1df37aaf09c0d"},
		},
		Source: "osv",
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseOSVMalicious(t *testing.T) {
	mal := MustParse(t, filepath.Join(linter, "MAL-2024-10238.json"))
	if !mal.Malicious || len(mal.Affected) != 1 || mal.Affected[0].Versions[0] != "0.0.1" {
		t.Errorf("MAL-2024-10238: malicious %v, affected %+v", mal.Malicious, mal.Affected)
	}
	py := MustParse(t, filepath.Join(linter, "PYSEC-2023-74.json"))
	if py.Malicious {
		t.Error("PYSEC-2023-74 read as malicious")
	}
	ghsa := MustParse(t, filepath.Join(linter, "GHSA-9v2f-6vcg-3hgv.json"))
	if score, rating := ghsa.Rating(); score != 9.8 || rating != "critical" {
		t.Errorf("GHSA-9v2f-6vcg-3hgv rating %v %q, want 9.8 critical", score, rating)
	}
}

// TestLoadMixed loads the mixed OSV directory: every valid record is read,
// and each malformed one gets its own error.
func TestLoadMixed(t *testing.T) {
	b, err := advisory.Load(context.Background(), mixed, advisory.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var gotErrs []string
	for _, e := range b.Errors {
		gotErrs = append(gotErrs, filepath.Base(e.Origin)+": "+e.Err.Error())
		if !errors.Is(e, advisory.ErrMalformed) {
			t.Errorf("%v does not wrap ErrMalformed", e)
		}
	}
	wantErrs := []string{
		"RHSA-2022_0216.json: malformed advisory: RHSA-2022:0216: no affected packages",
		"SUSE-FU-2022_0444-1.json: malformed advisory: SUSE-FU-2022:0444-1: no affected packages",
		"nointroduced-CVE-2023-41045.json: malformed advisory: CVE-2023-41045: affected[0]: ranges[0]: no introduced event",
		`nondistinct-CVE-2018-5407.json: malformed advisory: CVE-2018-5407: affected[6]: ranges[1]: events not distinct: fixed "e818b74be2170fbe957a07b0da4401c2b694b3b8" repeats introduced "e818b74be2170fbe957a07b0da4401c2b694b3b8"`,
	}
	if diff := cmp.Diff(wantErrs, gotErrs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if b.Documents != 19 || len(b.Advisories) != 15 {
		t.Errorf("%d documents, %d advisories; want 19, 15", b.Documents, len(b.Advisories))
	}
	set := advisory.NewSet()
	changes := set.AddBatch(b)
	// nopackage-GHSA-9v2f-6vcg-3hgv has the id and modified time of
	// GHSA-9v2f-6vcg-3hgv, read first: ignored. The OSV RHSA-2024:6220 is
	// as old as the CSAF one: ignored; the OSV RHSA-2024:4546 is newer than
	// its CSAF: it replaces it.
	if diff := cmp.Diff(map[advisory.Change]int{advisory.Added: 12, advisory.Unchanged: 2, advisory.Updated: 1}, changes); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	wantIDs := []string{
		"CVE-2018-5407", "CVE-2023-41045", "GHSA-9v2f-6vcg-3hgv", "GO-2020-0001", "GO-2024-2963", "MAL-2024-10238",
		"PYSEC-2023-74", "RHSA-2003:315", "RHSA-2015:0008", "RHSA-2024:4420", "RHSA-2024:4546", "RHSA-2024:6220",
	}
	if diff := cmp.Diff(wantIDs, set.IDs()); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	gradio, _ := set.Get("GHSA-9v2f-6vcg-3hgv")
	if gradio.Affected[0].Name != "Gradio" {
		t.Errorf("GHSA-9v2f-6vcg-3hgv names %q, want the first read (Gradio)", gradio.Affected[0].Name)
	}
	rh, _ := set.Get("RHSA-2024:4546")
	if rh.Source != "osv" {
		t.Errorf("RHSA-2024:4546 from %s, want the newer OSV version", rh.Source)
	}
}

// TestLoadGoVulnDB loads the part of the Go vulnerability database in
// testdata: withdrawn records are read but not kept.
func TestLoadGoVulnDB(t *testing.T) {
	testLoadGoVulnDB(t, goVulnDB, 79, 2)
}

// TestLoadGoVulnDBCorpus loads the whole Go vulnerability database, when the
// shared test data is beside the repository.
func TestLoadGoVulnDBCorpus(t *testing.T) {
	testLoadGoVulnDB(t, corpus.Path(t, "osv/golang-vulndb/data/osv"), 4291, 17)
}

// testLoadGoVulnDB loads the Go records under dir and checks their count
// and how many of them are withdrawn.
func testLoadGoVulnDB(t *testing.T, dir string, records, withdrawn int) {
	b, err := advisory.Load(context.Background(), dir, advisory.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Documents != records || len(b.Advisories) != records || len(b.Errors) != 0 {
		t.Fatalf("%d documents, %d advisories, errors %v; want %d", b.Documents, len(b.Advisories), b.Errors, records)
	}
	set := advisory.NewSet()
	changes := set.AddBatch(b)
	held := records - withdrawn
	if changes[advisory.Added] != held || changes[advisory.Unchanged] != withdrawn || set.Len() != held {
		t.Errorf("changes %v, %d held; want %d added, %d withdrawn ignored", changes, set.Len(), held, withdrawn)
	}
	if _, ok := set.Get("GO-2022-0617"); ok {
		t.Error("withdrawn GO-2022-0617 held")
	}
}

func TestParseOSVMalformed(t *testing.T) {
	const head = `"id": "X-1", "modified": "2024-01-01T00:00:00Z"`
	pkg := func(ranges string) string {
		return `{` + head + `, "affected": [{"package": {"ecosystem": "PyPI", "name": "p"}, "ranges": [` + ranges + `]}]}`
	}
	tests := []struct {
		name, json, msg string
	}{
		{"not JSON", `{"id": `, "osv json"},
		{"an array", `[]`, "osv json"},
		{"no id", `{"modified": "2024-01-01T00:00:00Z", "affected": []}`, "without id"},
		{"no modified", `{"id": "X-1", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "versions": ["1"]}]}`, "no modified time"},
		{"bad modified", `{"id": "X-1", "modified": "yesterday"}`, "modified"},
		{"bad published", `{` + head + `, "published": "2024-13-01"}`, "published"},
		{"no affected", `{` + head + `}`, "no affected packages"},
		{"empty affected", `{` + head + `, "affected": []}`, "no affected packages"},
		{"package without name", `{` + head + `, "affected": [{"package": {"ecosystem": "npm"}, "versions": ["1"]}]}`, "without ecosystem or name"},
		{"range without introduced", pkg(`{"type": "ECOSYSTEM", "events": [{"fixed": "1.0"}]}`), "no introduced event"},
		{"range without events", pkg(`{"type": "ECOSYSTEM", "events": []}`), "no events"},
		{"event with two kinds", pkg(`{"type": "ECOSYSTEM", "events": [{"introduced": "0", "fixed": "1.0"}]}`), "exactly one"},
		{"empty event", pkg(`{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {}]}`), "exactly one"},
		{"fixed and last_affected", pkg(`{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}, {"last_affected": "0.9"}]}`), "both fixed and last_affected"},
		{"repeated event", pkg(`{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.0"}]}`), "not distinct"},
		{"unknown range type", pkg(`{"type": "CALVER", "events": [{"introduced": "0"}]}`), "unknown range type"},
		{"SEMVER range with a word", pkg(`{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "next"}]}`), "not a semantic version"},
		{"Debian range with a bad epoch", `{` + head + `, "affected": [{"package": {"ecosystem": "Debian:11", "name": "openssl"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "a:1.0"}]}]}]}`, `fixed "a:1.0" is not a Debian:11 version`},
		{"ECOSYSTEM range without package", `{` + head + `, "affected": [{"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}`, "without a package"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := advisory.ParseOSV([]byte(tt.json))
			if !errors.Is(err, advisory.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want it to mention %q", err, tt.msg)
			}
		})
	}
}

// TestParseOSVValidEdges accepts what the schema allows and a strict reader
// might refuse.
func TestParseOSVValidEdges(t *testing.T) {
	for name, doc := range map[string]string{
		"GIT range without package":  `{"id": "CVE-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"ranges": [{"type": "GIT", "repo": "https://x", "events": [{"introduced": "0"}, {"fixed": "abc"}]}]}]}`,
		"withdrawn without affected": `{"id": "GHSA-1", "modified": "2024-01-01T00:00:00Z", "withdrawn": "2024-01-02T00:00:00Z"}`,
		"limit events":               `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"limit": "2.0.0"}, {"limit": "*"}]}]}]}`,
		"unknown ecosystem":          `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "Elm", "name": "a"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]}]}`,
		"fractional seconds":         `{"id": "X-1", "modified": "2023-06-05T01:13:00.534973Z", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "versions": ["1.0.0"]}]}`,
	} {
		if _, err := advisory.ParseOSV([]byte(doc)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestParseOSVMentioningCSAF reads an OSV record whose details mention CSAF
// as OSV.
func TestParseOSVMentioningCSAF(t *testing.T) {
	doc := `{"id": "GHSA-xxxx-yyyy-zzzz", "modified": "2024-01-01T00:00:00Z",
	  "details": "The parser mishandles \"csaf_version\" fields.",
	  "affected": [{"package": {"ecosystem": "npm", "name": "csaf-lib"}, "versions": ["1.0.0"]}]}`
	a, err := advisory.Parse([]byte(doc))
	if err != nil || a.Source != "osv" || a.ID != "GHSA-xxxx-yyyy-zzzz" {
		t.Errorf("Parse: %v, %+v", err, a)
	}
}
