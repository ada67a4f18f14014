package exposure_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/exposure"
	"github.com/vigie-cti/vigie/internal/corpus"
	"github.com/vigie-cti/vigie/sbom"
)

// The test data copied from public sources, each folder with its licence.
const (
	protonBridge = "testdata/cyclonedx/proton-bridge-v1.8.0.bom.json" // a real CycloneDX SBOM of a Go program
	cdxVEX       = "testdata/cyclonedx-vex"                           // CycloneDX VEX examples
	mixed        = "testdata/osv-mixed"                               // OSV records of many ecosystems, Red Hat CSAF
	goVulnDB     = "testdata/go-vulndb"                               // the Go records the tests need
)

// MustReadSBOM reads the SBOM at path or fails the test.
func MustReadSBOM(tb testing.TB, path string) *sbom.Document {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	doc, err := sbom.Read(f, sbom.Options{})
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	return doc
}

// MustLoadOwn loads vigie's own test advisories: the JSON files directly in
// testdata (the SBOMs among them are skipped), not those of its folders.
func MustLoadOwn(tb testing.TB) []advisory.Advisory {
	tb.Helper()
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no advisories in testdata: %v", err)
	}
	var out []advisory.Advisory
	for _, f := range files {
		out = append(out, MustLoad(tb, f, nil)...)
	}
	return out
}

// MustLoad loads the advisories under path or fails the test.
func MustLoad(tb testing.TB, path string, wants func(string, string) bool) []advisory.Advisory {
	tb.Helper()
	b, err := advisory.Load(context.Background(), path, advisory.LoadOptions{Wants: wants})
	if err != nil {
		tb.Fatal(err)
	}
	return b.Advisories
}

type goFinding struct{ id, module, version, fixed string }

// protonBridgeFindings are the findings of the proton-bridge v1.8.0 SBOM
// against the Go vulnerability database, module by
// module as govulncheck's module mode and osv-scanner read them. They were
// established by an independent reading of the advisories (a script with
// its own Semantic Versioning comparison applying the OSV rules, not
// vigie's code), and osv-scanner 2.5.0 in offline mode reports the same
// advisories. The SBOM records no Go toolchain version, so no stdlib
// advisory applies.
var protonBridgeFindings = []goFinding{
	{"GO-2020-0001", "github.com/gin-gonic/gin", "v1.4.0", "1.6.0"},
	{"GO-2020-0017", "github.com/dgrijalva/jwt-go", "v3.2.0", ""},
	{"GO-2021-0051", "github.com/labstack/echo/v4", "v4.1.11", "4.1.18-0.20201215153152-4422e3b66b9f"},
	{"GO-2021-0052", "github.com/gin-gonic/gin", "v1.4.0", "1.7.7"},
	{"GO-2021-0113", "golang.org/x/text", "v0.3.5-0.20201125200606-c27b9fd57aec", "0.3.7"},
	{"GO-2021-0238", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.0.0-20210520170846-37e1c6afe023"},
	{"GO-2022-0236", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.0.0-20210428140749-89ef3d95e781"},
	{"GO-2022-0272", "github.com/kataras/iris/v12", "v12.1.8", "12.2.0-alpha8"},
	{"GO-2022-0288", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.0.0-20211209124913-491a49abca63"},
	{"GO-2022-0355", "github.com/valyala/fasthttp", "v1.6.0", "1.34.0"},
	{"GO-2022-0380", "github.com/nats-io/jwt", "v0.3.0", "1.1.0"},
	{"GO-2022-0386", "github.com/nats-io/jwt", "v0.3.0", "1.2.3-0.20210314221642-a826c77dc9d2"},
	{"GO-2022-0402", "github.com/nats-io/jwt", "v0.3.0", "1.1.0"},
	{"GO-2022-0493", "golang.org/x/sys", "v0.0.0-20210330210617-4fbd30eecc44", "0.0.0-20220412211240-33da011f77ad"},
	{"GO-2022-0588", "github.com/microcosm-cc/bluemonday", "v1.0.2", "1.0.16"},
	{"GO-2022-0603", "gopkg.in/yaml.v3", "v3.0.0-20200313102051-9f266ea9e77c", "3.0.0-20220521103104-8f96da9f5d5e"},
	{"GO-2022-0762", "github.com/microcosm-cc/bluemonday", "v1.0.2", "1.0.5"},
	{"GO-2022-0969", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.0.0-20220906165146-f3363e06e74c"},
	{"GO-2022-1031", "github.com/labstack/echo/v4", "v4.1.11", "4.9.0"},
	{"GO-2022-1059", "golang.org/x/text", "v0.3.5-0.20201125200606-c27b9fd57aec", "0.3.8"},
	{"GO-2022-1144", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.4.0"},
	{"GO-2023-1571", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.7.0"},
	{"GO-2023-1572", "golang.org/x/image", "v0.0.0-20190802002840-cff245a6509b", "0.5.0"},
	{"GO-2023-1737", "github.com/gin-gonic/gin", "v1.4.0", "1.9.1"},
	{"GO-2023-1988", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.13.0"},
	{"GO-2023-1989", "golang.org/x/image", "v0.0.0-20190802002840-cff245a6509b", "0.10.0"},
	{"GO-2023-1990", "golang.org/x/image", "v0.0.0-20190802002840-cff245a6509b", "0.10.0"},
	{"GO-2023-2102", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.17.0"},
	{"GO-2024-2687", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.23.0"},
	{"GO-2024-2937", "golang.org/x/image", "v0.0.0-20190802002840-cff245a6509b", "0.18.0"},
	{"GO-2024-3333", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.33.0"},
	{"GO-2025-3503", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.36.0"},
	{"GO-2025-3595", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.38.0"},
	{"GO-2025-4188", "github.com/sirupsen/logrus", "v1.7.0", "1.8.3"},
	{"GO-2026-4440", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.45.0"},
	{"GO-2026-4441", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.45.0"},
	{"GO-2026-4815", "golang.org/x/image", "v0.0.0-20190802002840-cff245a6509b", "0.38.0"},
	{"GO-2026-4918", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.53.0"},
	{"GO-2026-4950", "github.com/valyala/fasthttp", "v1.6.0", "1.70.0"},
	{"GO-2026-4961", "golang.org/x/image", "v0.0.0-20190802002840-cff245a6509b", "0.42.0"},
	{"GO-2026-4962", "golang.org/x/image", "v0.0.0-20190802002840-cff245a6509b", "0.39.0"},
	{"GO-2026-5024", "golang.org/x/sys", "v0.0.0-20210330210617-4fbd30eecc44", "0.44.0"},
	{"GO-2026-5025", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.55.0"},
	{"GO-2026-5026", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.55.0"},
	{"GO-2026-5027", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.55.0"},
	{"GO-2026-5028", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.55.0"},
	{"GO-2026-5029", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.55.0"},
	{"GO-2026-5030", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.55.0"},
	{"GO-2026-5031", "golang.org/x/image", "v0.0.0-20190802002840-cff245a6509b", "0.41.0"},
	{"GO-2026-5032", "golang.org/x/image", "v0.0.0-20190802002840-cff245a6509b", "0.41.0"},
	{"GO-2026-5061", "golang.org/x/image", "v0.0.0-20190802002840-cff245a6509b", "0.43.0"},
	{"GO-2026-5062", "golang.org/x/image", "v0.0.0-20190802002840-cff245a6509b", "0.43.0"},
	{"GO-2026-5066", "golang.org/x/image", "v0.0.0-20190802002840-cff245a6509b", "0.43.0"},
	{"GO-2026-5942", "golang.org/x/net", "v0.0.0-20210405180319-a5a99cb37ef4", "0.56.0"},
	{"GO-2026-5970", "golang.org/x/text", "v0.3.5-0.20201125200606-c27b9fd57aec", "0.39.0"},
	{"GO-2026-6179", "golang.org/x/mod", "v0.1.1-0.20191209134235-331c550502dd", "0.40.0"},
	{"GO-2026-6180", "golang.org/x/mod", "v0.1.1-0.20191209134235-331c550502dd", "0.40.0"},
	{"GO-2026-6222", "golang.org/x/image", "v0.0.0-20190802002840-cff245a6509b", "0.45.0"},
}

// TestProtonBridgeAgainstGoVulnDB checks the SBOM against the records of
// testdata: every record that names one of its modules.
func TestProtonBridgeAgainstGoVulnDB(t *testing.T) {
	testProtonBridge(t, goVulnDB)
}

// TestProtonBridgeAgainstGoVulnDBCorpus checks it against the whole
// database, when the shared test data is beside the repository.
func TestProtonBridgeAgainstGoVulnDBCorpus(t *testing.T) {
	testProtonBridge(t, corpus.Path(t, "osv/golang-vulndb/data/osv"))
}

func testProtonBridge(t *testing.T, db string) {
	doc := MustReadSBOM(t, protonBridge)
	advs := MustLoad(t, db, exposure.PackageFilter(doc))
	ix := exposure.NewIndex()
	ix.AddAdvisories(advs)
	fs := ix.AddSBOM(exposure.SBOMRef{ID: "proton-bridge", Org: "proton"}, doc)
	var got []goFinding
	for _, f := range fs {
		got = append(got, goFinding{f.ID, f.Component.Name, f.Component.Version, f.FixedVersion})
		if f.State != exposure.Affected || f.Malicious || f.SBOM.Product != "github.com/ProtonMail/proton-bridge" {
			t.Errorf("%s: state %s, malicious %v, product %q", f.ID, f.State, f.Malicious, f.SBOM.Product)
		}
	}
	if diff := cmp.Diff(protonBridgeFindings, got, cmp.AllowUnexported(goFinding{})); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(fs, ix.Findings("proton-bridge")); diff != "" {
		t.Errorf("Findings differs from what AddSBOM returned (-AddSBOM +Findings):\n%s", diff)
	}
	// Findings carry the advisories' aliases and their dependency kind.
	for _, f := range fs {
		if f.ID == "GO-2021-0113" {
			want := exposure.Finding{
				SBOM:    exposure.SBOMRef{ID: "proton-bridge", Org: "proton", Product: "github.com/ProtonMail/proton-bridge", ProductVersion: "v1.8.0"},
				ID:      "GO-2021-0113",
				Aliases: []string{"CVE-2021-38561", "GHSA-ppp9-7jff-5vj2"},
				Summary: "Out-of-bounds read in golang.org/x/text/language",
				Component: exposure.Component{
					Ref: "pkg:golang/golang.org/x/text@v0.3.5-0.20201125200606-c27b9fd57aec", Name: "golang.org/x/text",
					Version: "v0.3.5-0.20201125200606-c27b9fd57aec", PURL: "pkg:golang/golang.org/x/text@v0.3.5-0.20201125200606-c27b9fd57aec",
					Ecosystem: "Go", Dependency: sbom.Direct,
				},
				FixedVersion: "0.3.7",
				Published:    time.Date(2021, 10, 6, 17, 51, 21, 0, time.UTC),
				State:        exposure.Affected,
				Matched:      []string{"GO-2021-0113"},
			}
			if diff := cmp.Diff(want, f); diff != "" {
				t.Errorf("GO-2021-0113 (-want +got):\n%s", diff)
			}
		}
	}
	if got := ix.Exposed("CVE-2021-38561"); len(got) != 1 || got[0].ID != "proton-bridge" {
		t.Errorf("Exposed(CVE-2021-38561) = %v", got)
	}
}
