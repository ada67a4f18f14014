package posture_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/attest"
	"github.com/vigie-cti/vigie/catalog"
	"github.com/vigie-cti/vigie/posture"
)

var now = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

func doc(t *testing.T, path string) *attest.Document {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../attest/testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	d, err := attest.Read(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func cra(t *testing.T) *catalog.Catalog {
	t.Helper()
	cs, err := catalog.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return cs[0]
}

func find(r *posture.Report, id string) *posture.RequirementResult {
	for i := range r.Requirements {
		if r.Requirements[i].ID == id {
			return &r.Requirements[i]
		}
	}
	return nil
}

// cdxa builds a CycloneDX attestation claiming requirements.
func cdxa(t *testing.T, body string) *attest.Document {
	t.Helper()
	d, err := attest.Read([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","declarations":{"attestations":[{"map":[`+body+`]}],
		"claims":[{"bom-ref":"c1","predicate":"we do it"}]}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCRAPosture(t *testing.T) {
	claims := cdxa(t, `{"requirement":"CRA-II-2","claims":["c1"],"conformance":{"score":1}},{"requirement":"CRA-II-5","claims":["c1"]},{"requirement":"NOT-IN-CRA","claims":["c1"]}`)
	ev := posture.Evidence{Now: now, SBOM: true, Components: 12,
		Findings:     []posture.Finding{{ID: "GO-2022-0355", Open: true, Severity: "high"}, {ID: "GO-2021-0113", Open: false}},
		Attestations: []posture.Attestation{{ID: "x-vigie-attestation--1", Doc: claims}, {ID: "x-vigie-attestation--2", Doc: doc(t, "slsa/rules_lint-v1.3.1.tar.gz.intoto.jsonl")}}}
	r := posture.Evaluate(cra(t), "gateway@2.0", "Acme", ev)

	want := map[string]string{
		"CRA-II-1":   posture.Pass,    // an SBOM is on the hub
		"CRA-II-2":   posture.Fail,    // claimed, but a vulnerability is open
		"CRA-II-5":   posture.Pass,    // claimed only
		"CRA-I-2(a)": posture.Fail,    // an open vulnerability
		"CRA-I-2(f)": posture.Pass,    // provenance published
		"CRA-I-2(g)": posture.Unknown, // nothing said, nothing seen
	}
	for id, st := range want {
		got := find(r, id)
		if got == nil || got.Status != st {
			t.Errorf("%s = %+v, want %s", id, got, st)
		}
	}
	if g := find(r, "CRA-II-2"); g == nil || !g.Disagree || g.Note == "" {
		t.Errorf("CRA-II-2 claim against facts not flagged: %+v", g)
	}
	if g := find(r, "CRA-II-5"); g == nil || g.Note != "claimed, not observed" {
		t.Errorf("CRA-II-5 note: %+v", g)
	}
	if find(r, "CRA-I-2") != nil || find(r, "CRA-II") != nil {
		t.Error("parents are reported as requirements")
	}
	if len(r.UnmatchedClaims) != 1 {
		t.Errorf("unmatched claims %v, want the NOT-IN-CRA one", r.UnmatchedClaims)
	}
	if r.Summary.Pass+r.Summary.Fail+r.Summary.Unknown != len(r.Requirements) || r.Summary.Disagree != 1 {
		t.Errorf("summary %+v over %d requirements", r.Summary, len(r.Requirements))
	}
}

func TestPostureIgnoresExpiredAndNoSBOM(t *testing.T) {
	claims := cdxa(t, `{"requirement":"CRA-II-1","claims":["c1"]}`)
	ev := posture.Evidence{Now: now, Attestations: []posture.Attestation{{ID: "old", Doc: claims, Expires: now.Add(-time.Hour)}}}
	r := posture.Evaluate(cra(t), "gateway@2.0", "", ev)
	if len(r.Ignored) != 1 || len(r.Attestations) != 0 {
		t.Errorf("ignored %v, used %v", r.Ignored, r.Attestations)
	}
	if g := find(r, "CRA-II-1"); g == nil || g.Status != posture.Fail || len(g.Claims) != 0 {
		t.Errorf("CRA-II-1 with an expired claim and no SBOM: %+v", g)
	}
	if g := find(r, "CRA-II-2"); g == nil || g.Status != posture.Unknown {
		t.Errorf("vulnerabilities unknown without an SBOM: %+v", g)
	}
}

// ospsMain reads the OSPS Baseline's main-branch catalog.
func ospsMain(t *testing.T) *catalog.Catalog {
	t.Helper()
	files := map[string][]byte{}
	names, _ := filepath.Glob("../catalog/testdata/osps-main/*.yaml")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(n)] = b
	}
	cs, err := catalog.Parse(files)
	if err != nil {
		t.Fatal(err)
	}
	return cs[0]
}

// TestOSPSScorecard: the OSPS Baseline maps its controls to Scorecard
// checks; a Scorecard result decides them.
func TestOSPSScorecard(t *testing.T) {
	ev := posture.Evidence{Now: now, SBOM: true, Attestations: []posture.Attestation{{ID: "sc", Doc: doc(t, "scorecard/valid-payload.json")}}}
	r := posture.Evaluate(ospsMain(t), "gateway@2.0", "", ev)
	// OSPS-VM-01 maps to Scorecard Security-Policy, which scored 0 here.
	g := find(r, "OSPS-VM-01.01")
	if g == nil || g.Status != posture.Fail {
		t.Fatalf("OSPS-VM-01.01 = %+v", g)
	}
	found := false
	for _, f := range g.Facts {
		found = found || (f.Kind == "scorecard" && f.Status == posture.Fail)
	}
	if !found {
		t.Errorf("no failing Scorecard fact: %+v", g.Facts)
	}
	if r.Summary.Pass == 0 || r.Summary.Fail == 0 || r.Summary.Unknown == 0 {
		t.Errorf("summary %+v: want some of each", r.Summary)
	}
}

func TestVEXResponse(t *testing.T) {
	day := 24 * time.Hour
	answered := func(id string, published, answeredAfter time.Duration) posture.Finding {
		p := now.Add(-published)
		return posture.Finding{ID: id, Published: p, HasVEX: true, VEXAt: p.Add(answeredAfter)}
	}
	tests := []struct {
		name     string
		findings []posture.Finding
		status   string // of the vex-response fact; "" for no fact
		detail   string // a part of its detail
		overdue  []string
	}{
		{"no finding", nil, "", "", nil},
		{"no publication date", []posture.Finding{{ID: "X-1", Open: true}}, "", "", nil},
		{"answered in time", []posture.Finding{answered("CVE-1", 90*day, 3*day), answered("CVE-2", 60*day, 5*day), answered("CVE-3", 40*day, 9*day)},
			posture.Pass, "median time to VEX 5 days over 3 answered", nil},
		{"answered late", []posture.Finding{answered("CVE-1", 200*day, 41*day), answered("CVE-2", 100*day, 45*day)},
			posture.Fail, "median time to VEX 43 days", nil},
		{"one past due", []posture.Finding{answered("CVE-1", 90*day, 2*day), {ID: "CVE-9", Open: true, Published: now.Add(-41 * day)}, {ID: "CVE-8", Open: true, Published: now.Add(-50 * day)}},
			posture.Fail, "2 advisories without VEX after 30 days (oldest CVE-8, 50 days)", []string{"CVE-8", "CVE-9"}},
		{"waiting, not yet due", []posture.Finding{{ID: "CVE-5", Open: true, Published: now.Add(-10 * day)}},
			posture.Unknown, "1 advisories not yet answered", nil},
		{"malicious packages are not a VEX matter", []posture.Finding{{ID: "MAL-1", Open: true, Malicious: true, Published: now.Add(-90 * day)}},
			"", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := posture.Evaluate(cra(t), "gateway@2.0", "Acme", posture.Evidence{Now: now, SBOM: true, Findings: tc.findings})
			var fact *posture.Fact
			for _, f := range find(r, "CRA-II-2").Facts {
				if f.Kind == "vex-response" {
					fact = &f
				}
			}
			switch {
			case tc.status == "" && fact != nil:
				t.Fatalf("unexpected fact %+v", fact)
			case tc.status != "" && fact == nil:
				t.Fatalf("no vex-response fact on CRA-II-2")
			case fact != nil && (fact.Status != tc.status || !strings.Contains(fact.Detail, tc.detail)):
				t.Fatalf("fact = %+v, want %s containing %q", fact, tc.status, tc.detail)
			}
			var ids []string
			for _, o := range r.VEXOverdue {
				ids = append(ids, o.ID)
			}
			if !slices.Equal(ids, tc.overdue) {
				t.Errorf("overdue = %v, want %v", ids, tc.overdue)
			}
		})
	}
}

// The OSPS Baseline asks for VEX in OSPS-VM-04.02; the fact reaches it.
func TestVEXResponseReachesOSPS(t *testing.T) {
	c := ospsMain(t)
	late := posture.Finding{ID: "CVE-7", Open: true, Published: now.Add(-45 * 24 * time.Hour)}
	r := posture.Evaluate(c, "gateway@2.0", "Acme", posture.Evidence{Now: now, SBOM: true, Findings: []posture.Finding{late}})
	q := find(r, "OSPS-VM-04.02")
	if q == nil || q.Status != posture.Fail || len(q.Facts) != 1 || q.Facts[0].Kind != "vex-response" {
		t.Fatalf("OSPS-VM-04.02 = %+v, want FAIL from the overdue VEX", q)
	}
}
