package advisory_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/vigie-cti/vigie/advisory"
)

// MustSTIXSchema compiles the official STIX 2.1 JSON schema of the
// vulnerability object, its $refs resolved in the shared test data.
func MustSTIXSchema(tb testing.TB) *jsonschema.Schema {
	tb.Helper()
	c := jsonschema.NewCompiler()
	files, err := filepath.Glob(shared + "/stix2/schemas/*/*.json")
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
	withdrawn := MustParse(t, shared+"/osv/golang-vulndb/data/osv/GO-2022-0617.json")
	zeroModified := MustParse(t, shared+"/osv/golang-vulndb/data/osv/GO-2021-0113.json")
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
	if _, err := advisory.ToSTIXVulnerability(advisory.Advisory{ID: "X-1"}); err == nil {
		t.Error("an advisory without dates converted")
	}
	if advisory.STIXID("GO-2020-0001") != "vulnerability--5e226702-99bd-5ab2-a34e-619846c7fb78" {
		t.Error("STIXID differs from the object id")
	}
}
