package advisory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/internal/corpus"
	"github.com/vigie-cti/vigie/stix"
)

// MustSTIXSchema compiles the official STIX 2.1 JSON schema of the
// vulnerability object, its $refs resolved in testdata.
func MustSTIXSchema(tb testing.TB) *jsonschema.Schema {
	tb.Helper()
	c := jsonschema.NewCompiler()
	files, err := filepath.Glob("testdata/stix2/schemas/*/*.json")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no STIX schemas: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if err := c.AddResource(id, doc); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
	}
	sch, err := c.Compile("http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/sdos/vulnerability.json")
	if err != nil {
		tb.Fatal(err)
	}
	return sch
}

func TestToSTIXVulnerability(t *testing.T) {
	a := MustParse(t, filepath.Join(linter, "GO-2020-0001.json"))
	data, err := advisory.ToSTIXVulnerability(a)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"type":         "vulnerability",
		"spec_version": "2.1",
		// UUIDv5 of the advisory id in advisory.STIXNamespace, computed
		// independently (Python's uuid.uuid5).
		"id":          "vulnerability--5e226702-99bd-5ab2-a34e-619846c7fb78",
		"created":     "2021-04-14T20:04:52.000Z",
		"modified":    "2024-05-20T16:03:47.000Z",
		"name":        "GO-2020-0001",
		"description": a.Summary + "\n\n" + a.Details,
		"external_references": []any{
			map[string]any{"source_name": "go", "external_id": "GO-2020-0001"},
			map[string]any{"source_name": "cve", "external_id": "CVE-2020-36567"},
			map[string]any{"source_name": "github", "external_id": "GHSA-6vm3-jj99-7229"},
			map[string]any{"source_name": "fix", "url": "https://github.com/gin-gonic/gin/pull/2237"},
			map[string]any{"source_name": "fix", "url": "https://github.com/gin-gonic/gin/commit/a71af9c144f9579f6dbe945341c1df37aaf09c0d"},
		},
		"x_vigie_affected": []any{map[string]any{
			"ecosystem": "Go", "name": "github.com/gin-gonic/gin",
			"ranges": []any{map[string]any{"type": "SEMVER", "events": []any{
				map[string]any{"introduced": "0"}, map[string]any{"fixed": "1.6.0"}}}},
		}},
		"x_vigie_source": "osv",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	sch := MustSTIXSchema(t)
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err := sch.Validate(inst); err != nil {
		t.Errorf("not a valid STIX 2.1 vulnerability: %v", err)
	}
	again, _ := advisory.ToSTIXVulnerability(a)
	if !bytes.Equal(data, again) {
		t.Error("conversion is not deterministic")
	}
}

// TestToSTIXVulnerabilityShapes converts a malicious-package record, a
// withdrawn one, a Go record whose modified time is the zero time (as the
// Go database dump has them), and a CSAF document, each valid STIX.
func TestToSTIXVulnerabilityShapes(t *testing.T) {
	sch := MustSTIXSchema(t)
	mal := MustParse(t, filepath.Join(linter, "MAL-2024-10238.json"))
	withdrawn := MustParse(t, goVulnDB+"/GO-2022-0617.json")
	zeroModified := MustParse(t, goVulnDB+"/GO-2021-0113.json")
	csaf := MustParse(t, filepath.Join(redhat, "CSAF", "rhsa-2024_4546.json"))
	tests := []struct {
		a     advisory.Advisory
		check string
	}{
		{mal, `"labels":["malicious-package"]`},
		{mal, `"x_vigie_malicious":true`},
		{withdrawn, `"revoked":true`},
		{zeroModified, `"modified":"2021-10-06T17:51:21.000Z"`},
		{csaf, `"source_name":"redhat","external_id":"RHSA-2024:4546"`},
		{csaf, `"ecosystem":"Red Hat:rhel_aus:8.6::appstream","name":"git-lfs","purl":"pkg:rpm/redhat/git-lfs"`},
	}
	for _, tt := range tests {
		data, err := advisory.ToSTIXVulnerability(tt.a)
		if err != nil {
			t.Errorf("%s: %v", tt.a.ID, err)
			continue
		}
		if !strings.Contains(string(data), tt.check) {
			t.Errorf("%s: no %s in %s", tt.a.ID, tt.check, data)
		}
		inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: not a valid STIX 2.1 vulnerability: %v", tt.a.ID, err)
		}
	}
	// Records without dates (GO-2022-0231 says 0001-01-01) still convert,
	// with that date, to a valid object.
	undated, err := advisory.ToSTIXVulnerability(advisory.Advisory{ID: "X-1", Affected: []advisory.Affected{{Ecosystem: "Go", Name: "example.com/m", Versions: []string{"v1.0.0"}}}})
	if err != nil || !strings.Contains(string(undated), `"created":"0001-01-01T00:00:00.000Z"`) {
		t.Errorf("an advisory without dates: %s, %v", undated, err)
	} else if inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(undated)); sch.Validate(inst) != nil {
		t.Errorf("an advisory without dates: not a valid STIX 2.1 vulnerability: %v", sch.Validate(inst))
	}
	if _, err := advisory.ToSTIXVulnerability(advisory.Advisory{}); err == nil {
		t.Error("an advisory without id converted")
	}
	if advisory.STIXID("GO-2020-0001") != "vulnerability--5e226702-99bd-5ab2-a34e-619846c7fb78" {
		t.Error("STIXID differs from the object id")
	}
}

// TestSTIXRoundTrip converts every advisory of testdata (Go, mixed OSV,
// Red Hat CSAF) to a STIX vulnerability and back: what matching uses must
// survive, since the hub shares advisories as STIX objects and its engine
// matches the objects it stores.
func TestSTIXRoundTrip(t *testing.T) {
	testSTIXRoundTrip(t, 90, goVulnDB, mixed)
}

// TestSTIXRoundTripCorpus does the same with the whole Go vulnerability
// database, when the shared test data is beside the repository.
func TestSTIXRoundTripCorpus(t *testing.T) {
	testSTIXRoundTrip(t, 4000, corpus.Path(t, "osv/golang-vulndb/data/osv"))
}

// testSTIXRoundTrip round-trips the advisories under paths, which must hold
// at least least of them.
func testSTIXRoundTrip(t *testing.T, least int, paths ...string) {
	var all []advisory.Advisory
	for _, path := range paths {
		b, err := advisory.Load(context.Background(), path, advisory.LoadOptions{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b.Advisories...)
	}
	if len(all) < least {
		t.Fatalf("loaded %d advisories, want at least %d", len(all), least)
	}
	for _, a := range all {
		raw, err := advisory.ToSTIXVulnerability(a)
		if err != nil {
			t.Fatalf("%s: %v", a.ID, err)
		}
		if _, err := stix.Parse(raw); err != nil {
			t.Fatalf("%s: the hub would refuse its STIX object: %v", a.ID, err)
		}
		back, err := advisory.FromSTIXVulnerability(raw)
		if err != nil {
			t.Fatalf("%s: %v", a.ID, err)
		}
		type kept struct {
			ID                  string
			Aliases, Upstream   []string
			Affected            []advisory.Affected
			Severity            []advisory.Severity
			Malicious           bool
			Withdrawn           bool
			Modified, Published string
		}
		view := func(x advisory.Advisory) kept {
			k := kept{ID: x.ID, Affected: x.Affected, Severity: x.Severity, Malicious: x.Malicious, Withdrawn: x.IsWithdrawn()}
			k.Aliases, k.Upstream = x.Aliases, x.Upstream
			return k
		}
		want, got := view(a), view(back)
		want.Aliases = dedupe(append(append([]string{}, a.Aliases...), nonAlias(a.Upstream, a.Aliases, true)...))
		want.Upstream = nonAlias(a.Upstream, a.Aliases, false)
		got.Aliases = dedupe(append(append([]string{}, back.Aliases...), back.Upstream...))
		got.Upstream = nil
		want.Aliases = dedupe(append(want.Aliases, want.Upstream...))
		want.Upstream = nil
		if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") })); diff != "" {
			t.Fatalf("%s round trip (-want +got):\n%s", a.ID, diff)
		}
		if a.IsWithdrawn() != back.IsWithdrawn() {
			t.Errorf("%s: withdrawn %v, back %v", a.ID, a.IsWithdrawn(), back.IsWithdrawn())
		}
		for i, id := range a.Upstream {
			if !slicesContains(back.Upstream, id) && !slicesContains(back.Aliases, id) {
				t.Errorf("%s: upstream %d %s lost", a.ID, i, id)
			}
		}
	}
	if _, err := advisory.FromSTIXVulnerability([]byte(`{"type":"vulnerability","name":"CVE-2024-1"}`)); err == nil {
		t.Error("a vulnerability without x_vigie_affected converted")
	}
}

func nonAlias(ids, aliases []string, wantAliased bool) []string {
	var out []string
	for _, id := range ids {
		if slicesContains(aliases, id) == wantAliased {
			out = append(out, id)
		}
	}
	return out
}

func dedupe(s []string) []string {
	var out []string
	for _, x := range s {
		if !slicesContains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func slicesContains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}
