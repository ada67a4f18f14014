package alert_test

import (
	"os"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/alert"
	"github.com/vigie-cti/vigie/hub"
)

// protonBridge is a real CycloneDX SBOM of a Go program (testdata/cyclonedx).
const protonBridge = "testdata/cyclonedx/proton-bridge-v1.8.0.bom.json"

// principal returns the publisher principal of an organisation.
func (c *coalition) principal(org string) vigie.Principal {
	p := vigie.Principal{OrgID: c.orgs[org].ID, Role: vigie.RolePublisher}
	p.Communities, _ = c.store.OrgCommunities(ctx, p.OrgID)
	return p
}

// drain runs the engine until it has nothing left.
func (c *coalition) drain(e *alert.Engine) {
	c.t.Helper()
	for {
		n, err := e.RunOnce(ctx)
		if err != nil {
			c.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func mustAdvisories(t *testing.T, ids ...string) []advisory.Advisory {
	t.Helper()
	var out []advisory.Advisory
	for _, id := range ids {
		dir := "testdata/go-vulndb/"
		if strings.HasPrefix(id, "MAL-") {
			dir = "testdata/osv-mixed/osv-linter/"
		}
		data, err := os.ReadFile(dir + id + ".json")
		if err != nil {
			t.Fatal(err)
		}
		a, err := advisory.ParseOSV(data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// TestSupplyChain uploads the proton-bridge SBOM for B, imports Go
// advisories as A in the shared collection, and checks the findings and
// alerts: B (the owner) is warned, nobody else; an advisory B may not read
// warns nobody; VEX suppresses; a restarted engine neither repeats nor
// misses anything.
func TestSupplyChain(t *testing.T) {
	c := newCoalition(t)
	data, err := os.ReadFile(protonBridge)
	if err != nil {
		t.Fatal(err)
	}
	b := c.principal("B")
	prod, err := c.hub.Product(ctx, b, "bridge@1.8.0", "Proton", true)
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.hub.UploadSBOM(ctx, b, prod, data, hub.Share{})
	if err != nil {
		t.Fatal(err)
	}
	if up.Components < 100 {
		t.Fatalf("upload read %d components", up.Components)
	}
	c.drain(c.engine)
	a := c.principal("A")
	if _, err := c.hub.ImportAdvisories(ctx, a, "r", c.all.ID, mustAdvisories(t, "GO-2020-0001", "GO-2021-0052", "GO-2022-0355"), vigie.TLPGreen); err != nil {
		t.Fatal(err)
	}
	c.drain(c.engine)
	alerts := c.alerts("B", vigie.TriggerSupplyChain)
	titles := map[string]bool{}
	for _, al := range alerts {
		titles[al.Title] = true
	}
	for _, want := range []string{
		"github.com/gin-gonic/gin@v1.4.0 in bridge@1.8.0 is affected by GO-2020-0001",
		"github.com/gin-gonic/gin@v1.4.0 in bridge@1.8.0 is affected by GO-2021-0052",
		"github.com/valyala/fasthttp@v1.6.0 in bridge@1.8.0 is affected by GO-2022-0355",
	} {
		if !titles[want] {
			t.Errorf("missing alert %q; have %v", want, titles)
		}
	}
	for _, org := range []string{"A", "C", "D"} {
		if n := len(c.alerts(org, vigie.TriggerSupplyChain)); n != 0 {
			t.Errorf("%s has %d supply-chain alerts; only the SBOM's owner may", org, n)
		}
	}
	fs, err := c.store.ListFindings(ctx, c.orgs["B"].ID, prod.ID, 0)
	if err != nil || len(fs) != 3 {
		t.Fatalf("B's findings: %d, %v; want 3", len(fs), err)
	}

	// An advisory in a collection B may not read says nothing to B.
	other, err := c.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "r", Title: "A only", Read: []string{"org:A"}, Write: []string{"org:A"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.hub.ImportAdvisories(ctx, a, "r", other.ID, mustAdvisories(t, "GO-2022-0272"), vigie.TLPClear); err != nil {
		t.Fatal(err)
	}
	c.drain(c.engine)
	for _, al := range c.alerts("B", vigie.TriggerSupplyChain) {
		if strings.Contains(al.Title, "GO-2022-0272") {
			t.Errorf("B alerted about an advisory it may not read: %s", al.Title)
		}
	}

	// VEX from B: fasthttp is not affected.
	vexDoc := `{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.org/vex/1","author":"B","timestamp":"2026-11-01T00:00:00Z","version":1,
		"statements":[{"vulnerability":{"name":"GO-2022-0355"},"products":[{"@id":"pkg:golang/github.com/valyala/fasthttp@v1.6.0"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}`
	if _, err := c.hub.UploadVEX(ctx, b, prod, []byte(vexDoc), hub.Share{}); err != nil {
		t.Fatal(err)
	}
	c.drain(c.engine)
	var vexed *vigie.Alert
	for _, al := range c.alerts("B", vigie.TriggerSupplyChain) {
		if strings.Contains(al.Title, "GO-2022-0355") {
			vexed = al
		}
	}
	if vexed == nil || !strings.Contains(vexed.Detail, "suppressed by VEX: not_affected") || vexed.Count != 2 {
		t.Errorf("after VEX: %+v", vexed)
	}

	// A new engine (a restart) rebuilds its index: no repeated alerts,
	// and a new advisory is matched against the SBOM stored before.
	before := len(c.alerts("B", vigie.TriggerSupplyChain))
	restarted := alert.New(c.store, alert.Options{})
	c.drain(restarted)
	if n := len(c.alerts("B", vigie.TriggerSupplyChain)); n != before {
		t.Errorf("restart changed the alerts: %d, then %d", before, n)
	}
	if _, err := c.hub.ImportAdvisories(ctx, a, "r", c.all.ID, mustAdvisories(t, "GO-2022-0380"), vigie.TLPGreen); err != nil {
		t.Fatal(err)
	}
	c.drain(restarted)
	found := false
	for _, al := range c.alerts("B", vigie.TriggerSupplyChain) {
		found = found || strings.Contains(al.Title, "github.com/nats-io/jwt@v0.3.0 in bridge@1.8.0 is affected by GO-2022-0380")
	}
	if !found {
		t.Error("after a restart, a new advisory was not matched against the stored SBOM")
	}
}

// TestMaliciousPackageIsCritical imports a malicious-package record for a
// package an SBOM lists.
func TestMaliciousPackageIsCritical(t *testing.T) {
	c := newCoalition(t)
	mal := mustAdvisories(t, "MAL-2024-10238")[0]
	af := mal.Affected[0]
	// An SBOM of B's product with exactly that package and version.
	version := "1.0.0"
	if len(af.Versions) > 0 {
		version = af.Versions[0]
	}
	eco := map[string]string{"npm": "npm", "PyPI": "pypi", "RubyGems": "gem", "crates.io": "cargo"}[af.Ecosystem]
	if eco == "" {
		t.Skipf("ecosystem %s", af.Ecosystem)
	}
	purl := "pkg:" + eco + "/" + af.Name + "@" + version
	sbomDoc := `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":"` + af.Name + `","version":"` + version + `","purl":"` + purl + `"}]}`
	b := c.principal("B")
	prod, err := c.hub.Product(ctx, b, "app@2.0", "", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.hub.UploadSBOM(ctx, b, prod, []byte(sbomDoc), hub.Share{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.hub.ImportAdvisories(ctx, c.principal("A"), "r", c.all.ID, []advisory.Advisory{mal}, vigie.TLPClear); err != nil {
		t.Fatal(err)
	}
	c.drain(c.engine)
	alerts := c.alerts("B", vigie.TriggerSupplyChain)
	if len(alerts) != 1 || alerts[0].Severity != vigie.SeverityCritical || !strings.HasPrefix(alerts[0].Title, "Malicious package") {
		t.Fatalf("alerts: %+v", alerts)
	}
}
