package exposure_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/exposure"
	"github.com/vigie-cti/vigie/vex"
)

// MustParseAdvisory reads one advisory file or fails the test.
func MustParseAdvisory(tb testing.TB, path string) advisory.Advisory {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := advisory.Parse(data)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// MustReadVEX reads a VEX document's statements or fails the test.
func MustReadVEX(tb testing.TB, path string) []vex.Statement {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	d, err := vex.Read(f, vex.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return d.Statements
}

// brief is a finding reduced to what these tests look at.
type brief struct {
	SBOM, ID, Component, Version, Fixed string
	State                               exposure.State
}

func briefs(fs []exposure.Finding) []brief {
	var out []brief
	for _, f := range fs {
		out = append(out, brief{f.SBOM.ID, f.ID, f.Component.Name, f.Component.Version, f.FixedVersion, f.State})
	}
	return out
}

func refs(rs []exposure.SBOMRef) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func later(a advisory.Advisory, d time.Duration) advisory.Advisory {
	a.Modified = a.Modified.Add(d)
	return a
}

// TestIncrementalAdvisories adds, updates and withdraws an advisory against
// SBOMs already held, and checks each update lists exactly the findings it
// creates or removes.
func TestIncrementalAdvisories(t *testing.T) {
	ix := exposure.NewIndex()
	abc25 := MustReadSBOM(t, "testdata/product-abc.cdx.json")
	abc24 := MustReadSBOM(t, "testdata/product-abc.cdx.json")
	abc24.Product.Version = "2.4"
	proton := MustReadSBOM(t, protonBridge)
	if fs := ix.AddSBOM(exposure.SBOMRef{ID: "abc-2.5", Org: "acme"}, abc25); len(fs) != 0 {
		t.Errorf("findings without advisories: %v", fs)
	}
	ix.AddSBOM(exposure.SBOMRef{ID: "abc-2.4", Org: "acme"}, abc24)
	ix.AddSBOM(exposure.SBOMRef{ID: "proton", Org: "proton"}, proton)

	log4shell := MustParseAdvisory(t, "testdata/GHSA-jfh8-c2jp-5v3q.json")
	u := ix.AddAdvisory(log4shell)
	want := []brief{
		{"abc-2.4", "GHSA-jfh8-c2jp-5v3q", "org.apache.logging.log4j:log4j-core", "2.14.1", "2.15.0", exposure.Affected},
		{"abc-2.5", "GHSA-jfh8-c2jp-5v3q", "org.apache.logging.log4j:log4j-core", "2.14.1", "2.15.0", exposure.Affected},
	}
	if diff := cmp.Diff(want, briefs(u.Added)); diff != "" || u.Change != advisory.Added || len(u.Removed) != 0 {
		t.Errorf("new advisory: change %v, removed %v, added (-want +got):\n%s", u.Change, u.Removed, diff)
	}
	if diff := cmp.Diff([]string{"abc-2.4", "abc-2.5"}, refs(ix.Exposed("CVE-2021-44228"))); diff != "" {
		t.Errorf("exposed (-want +got):\n%s", diff)
	}
	if u := ix.AddAdvisory(log4shell); u.Change != advisory.Unchanged || len(u.Added)+len(u.Removed) != 0 {
		t.Errorf("same version again: %+v", u)
	}

	// A newer version saying only 2.0-beta9 to 2.3.1 is affected.
	narrow := later(log4shell, time.Hour)
	narrow.Affected = []advisory.Affected{{Ecosystem: "Maven", Name: "org.apache.logging.log4j:log4j-core",
		Ranges: []advisory.Range{{Type: "ECOSYSTEM", Events: []advisory.Event{{Introduced: "2.0-beta9"}, {Fixed: "2.3.1"}}}}}}
	u = ix.AddAdvisory(narrow)
	if diff := cmp.Diff(want, briefs(u.Removed)); diff != "" || u.Change != advisory.Updated || len(u.Added) != 0 {
		t.Errorf("narrowed: change %v, added %v, removed (-want +got):\n%s", u.Change, u.Added, diff)
	}
	if got := ix.Exposed("GHSA-jfh8-c2jp-5v3q"); len(got) != 0 {
		t.Errorf("exposed after narrowing: %v", got)
	}
	u = ix.AddAdvisory(later(log4shell, 2*time.Hour))
	if diff := cmp.Diff(want, briefs(u.Added)); diff != "" {
		t.Errorf("widened again (-want +got):\n%s", diff)
	}
	withdrawn := later(log4shell, 3*time.Hour)
	withdrawn.Withdrawn = withdrawn.Modified
	u = ix.AddAdvisory(withdrawn)
	if diff := cmp.Diff(want, briefs(u.Removed)); diff != "" || u.Change != advisory.Removed {
		t.Errorf("withdrawn: change %v, removed (-want +got):\n%s", u.Change, diff)
	}
	if _, ok := ix.Advisory("GHSA-jfh8-c2jp-5v3q"); ok {
		t.Error("withdrawn advisory still held")
	}
}

// TestAliasesMakeOneFinding adds a second advisory for a vulnerability
// already found: no new finding, one finding with both advisories.
func TestAliasesMakeOneFinding(t *testing.T) {
	ix := exposure.NewIndex()
	ix.AddSBOM(exposure.SBOMRef{ID: "proton"}, MustReadSBOM(t, protonBridge))
	goAdv := MustParseAdvisory(t, filepath.Join(mixed, "osv-linter", "GO-2020-0001.json"))
	if u := ix.AddAdvisory(goAdv); len(u.Added) != 1 {
		t.Fatalf("GO-2020-0001 added %v", briefs(u.Added))
	}
	ghsa := goAdv
	ghsa.ID, ghsa.Aliases = "GHSA-6vm3-jj99-7229", []string{"CVE-2020-36567"}
	u := ix.AddAdvisory(ghsa)
	if len(u.Added) != 0 || len(u.Removed) != 0 {
		t.Errorf("an alias of a known finding: added %v, removed %v", briefs(u.Added), briefs(u.Removed))
	}
	fs := ix.Findings("proton")
	if len(fs) != 1 {
		t.Fatalf("%d findings, want 1: %v", len(fs), briefs(fs))
	}
	f := fs[0]
	if diff := cmp.Diff([]string{"GHSA-6vm3-jj99-7229", "GO-2020-0001"}, f.Matched); diff != "" {
		t.Errorf("matched (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"CVE-2020-36567", "GO-2020-0001"}, f.Aliases); diff != "" || f.ID != "GHSA-6vm3-jj99-7229" {
		t.Errorf("id %s, aliases (-want +got):\n%s", f.ID, diff)
	}
	// Removing one advisory keeps the finding.
	if u := ix.RemoveAdvisory("GHSA-6vm3-jj99-7229"); len(u.Removed) != 0 || len(u.Added) != 0 {
		t.Errorf("removing an alias: %+v", u)
	}
	if fs := ix.Findings("proton"); len(fs) != 1 || fs[0].ID != "GO-2020-0001" {
		t.Errorf("after removal: %v", briefs(fs))
	}
}

// TestIncrementalSBOMs replaces and removes SBOMs.
func TestIncrementalSBOMs(t *testing.T) {
	ix := exposure.NewIndex()
	ix.AddAdvisory(MustParseAdvisory(t, "testdata/GHSA-jfh8-c2jp-5v3q.json"))
	doc := MustReadSBOM(t, "testdata/product-abc.cdx.json")
	ref := exposure.SBOMRef{ID: "abc", Org: "acme"}
	if fs := ix.AddSBOM(ref, doc); len(fs) != 1 {
		t.Fatalf("first upload: %v", briefs(fs))
	}
	if fs := ix.AddSBOM(ref, doc); len(fs) != 0 {
		t.Errorf("same SBOM again: new findings %v", briefs(fs))
	}
	fixed := MustReadSBOM(t, "testdata/product-abc.cdx.json")
	fixed.Components[0].Version, fixed.Components[0].MatchVersion = "2.17.1", "2.17.1"
	if fs := ix.AddSBOM(ref, fixed); len(fs) != 0 || len(ix.Findings("abc")) != 0 {
		t.Errorf("fixed version: new %v, held %v", fs, ix.Findings("abc"))
	}
	ix.AddSBOM(ref, doc)
	if !ix.RemoveSBOM("abc") || ix.RemoveSBOM("abc") {
		t.Error("RemoveSBOM reports wrongly")
	}
	if got := ix.Exposed("GHSA-jfh8-c2jp-5v3q"); len(got) != 0 || ix.Findings("abc") != nil {
		t.Errorf("after removal: exposed %v", got)
	}
	st := ix.Stats()
	if st.SBOMs != 0 || st.Components != 0 || st.Findings != 0 || st.Advisories != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestVEXSuppression applies the CycloneDX VEX examples.
func TestVEXSuppression(t *testing.T) {
	ix := exposure.NewIndex()
	ix.AddAdvisory(MustParseAdvisory(t, "testdata/GHSA-288c-cq4h-88gq.json"))
	ix.AddAdvisory(MustParseAdvisory(t, "testdata/GHSA-jfh8-c2jp-5v3q.json"))
	ix.AddSBOM(exposure.SBOMRef{ID: "example-app"}, MustReadSBOM(t, filepath.Join(cdxVEX, "bom.json")))
	fs := ix.Findings("example-app")
	if len(fs) != 1 || fs[0].State != exposure.Affected || fs[0].ID != "GHSA-288c-cq4h-88gq" {
		t.Fatalf("before VEX: %v", briefs(fs))
	}
	changed, ok := ix.SetVEX("example-app", MustReadVEX(t, filepath.Join(cdxVEX, "vex.json")))
	if !ok || len(changed) != 1 || changed[0].State != exposure.Suppressed {
		t.Fatalf("SetVEX changed %v", briefs(changed))
	}
	want := &exposure.Decision{
		Status:          vex.NotAffected,
		Justification:   "code_not_reachable",
		ImpactStatement: "Automated dataflow analysis and manual code review indicates that the vulnerable code is not reachable, either directly or indirectly.",
		ActionStatement: "Upgrade com.fasterxml.jackson.core:jackson-databind to version 2.6.7.4, 2.9.10.7, 2.10.5.1 or higher.",
		Timestamp:       time.Date(2021, 10, 26, 0, 0, 0, 0, time.UTC), // the vulnerability's "updated" date in the VEX
	}
	if diff := cmp.Diff(want, ix.Findings("example-app")[0].VEX); diff != "" {
		t.Errorf("decision (-want +got):\n%s", diff)
	}
	if c := exposure.Count(ix.Findings("example-app")); c.Open() != 0 || c.Suppressed != 1 {
		t.Errorf("counts %+v", c)
	}

	// The CISA use cases, on product ABC's SBOM (whose serial number and
	// bom-ref the CISA documents use).
	abc := MustReadSBOM(t, "testdata/product-abc.cdx.json")
	abc24 := MustReadSBOM(t, "testdata/product-abc.cdx.json")
	abc24.Product.Version = "2.4"
	ix.AddSBOM(exposure.SBOMRef{ID: "abc-2.5"}, abc)
	ix.AddSBOM(exposure.SBOMRef{ID: "abc-2.4"}, abc24)
	cisa := filepath.Join(cdxVEX, "CISA-Use-Cases")
	tests := []struct {
		vex, sbom     string
		state         exposure.State
		justification string
	}{
		{"Case-6/vex.json", "abc-2.5", exposure.Suppressed, "code_not_present"},
		{"Case-6/vex.json", "abc-2.4", exposure.Affected, ""},
		{"Case-8/vex.json", "abc-2.5", exposure.Suppressed, "code_not_present"},
		{"Case-5/vex.json", "abc-2.5", exposure.Affected, ""}, // product XYZ: not this product
		{"Case-4/vex.json", "abc-2.4", exposure.Affected, ""},
	}
	for _, tt := range tests {
		ix.SetVEX(tt.sbom, MustReadVEX(t, filepath.Join(cisa, tt.vex)))
		fs := ix.Findings(tt.sbom)
		if len(fs) != 1 {
			t.Fatalf("%s on %s: %v", tt.vex, tt.sbom, briefs(fs))
		}
		just := ""
		if fs[0].VEX != nil {
			just = fs[0].VEX.Justification
		}
		if fs[0].State != tt.state || just != tt.justification {
			t.Errorf("%s on %s: %s %q, want %s %q", tt.vex, tt.sbom, fs[0].State, just, tt.state, tt.justification)
		}
	}
	// Under investigation: a statement about every version of ABC.
	ix.SetVEX("abc-2.5", []vex.Statement{{Vulnerability: "CVE-2021-44228", Status: vex.UnderInvestigation,
		Products: []vex.Product{{Ref: "product-ABC"}}}})
	if fs := ix.Findings("abc-2.5"); fs[0].State != exposure.UnderInvestigation {
		t.Errorf("under investigation: %s", fs[0].State)
	}
	if _, ok := ix.SetVEX("nope", nil); ok {
		t.Error("SetVEX on an unknown SBOM")
	}
}

// TestMixedEcosystems matches one SBOM of many ecosystems against the mixed
// OSV records and vigie's own test advisories: malicious packages first,
// distribution releases honoured, CPE matching for a component with no purl.
func TestMixedEcosystems(t *testing.T) {
	ix := exposure.NewIndex()
	ix.AddAdvisories(MustLoad(t, mixed, nil))
	ix.AddAdvisories(MustLoadOwn(t))
	fs := ix.AddSBOM(exposure.SBOMRef{ID: "appliance"}, MustReadSBOM(t, "testdata/mixed-ecosystems.cdx.json"))
	want := []brief{
		{"appliance", "MAL-2024-10238", "123bla", "0.0.1", "", exposure.Affected},
		{"appliance", "GHSA-9v2f-6vcg-3hgv", "gradio", "4.36.1", "", exposure.Affected},
		{"appliance", "ACME-SA-2024-007", "gateway firmware", "4.2", "4.3", exposure.Affected},
		{"appliance", "RHSA-2024:4546", "git-lfs", "2.13.3-3.el8_6", "0:2.13.3-3.el8_6.1", exposure.Affected},
		{"appliance", "CVE-2018-5407", "openssl", "1.0.2p-r0", "1.0.2q-r0", exposure.Affected},
		{"appliance", "GO-2020-0001", "github.com/gin-gonic/gin", "v1.5.0", "1.6.0", exposure.Affected},
		{"appliance", "GO-2024-2963", "stdlib", "go1.22.3", "1.22.5", exposure.Affected},
		{"appliance", "PYSEC-2023-74", "requests", "2.30.0", "2.31.0", exposure.Affected},
	}
	if diff := cmp.Diff(want, briefs(fs)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !fs[0].Malicious || fs[1].Severity != "critical" || fs[2].Score != 9.1 {
		t.Errorf("malicious %v, severities %s %v", fs[0].Malicious, fs[1].Severity, fs[2].Score)
	}

	// The Debian image: the Debian 11 advisory applies, the Debian 12 one
	// does not.
	img := ix.AddSBOM(exposure.SBOMRef{ID: "gateway"}, MustReadSBOM(t, "testdata/gateway-image-2.3.spdx"))
	wantImg := []brief{
		{"gateway", "ACME-SA-2024-007", "firmware-blob", "4.2", "4.3", exposure.Affected},
		{"gateway", "DSA-5343-1", "libssl1.1", "1.1.1n-0+deb11u3", "1.1.1n-0+deb11u4", exposure.Affected},
	}
	if diff := cmp.Diff(wantImg, briefs(img)); diff != "" {
		t.Errorf("image (-want +got):\n%s", diff)
	}
	components, unmatchable, _ := ix.SBOMStats("appliance")
	if components != 10 || unmatchable != 0 {
		t.Errorf("stats %d %d", components, unmatchable)
	}
}

// TestConcurrentUse exercises the index from several goroutines (run with
// -race to check the locking).
func TestConcurrentUse(t *testing.T) {
	ix := exposure.NewIndex()
	log4shell := MustParseAdvisory(t, "testdata/GHSA-jfh8-c2jp-5v3q.json")
	doc := MustReadSBOM(t, "testdata/product-abc.cdx.json")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := string(rune('a' + i))
			ix.AddSBOM(exposure.SBOMRef{ID: id}, doc)
			ix.AddAdvisory(later(log4shell, time.Duration(i)*time.Minute))
			ix.Findings(id)
			ix.Exposed("CVE-2021-44228")
		}()
	}
	wg.Wait()
	if got := len(ix.Exposed("CVE-2021-44228")); got != 8 {
		t.Errorf("%d SBOMs exposed, want 8", got)
	}
}
