package catalog_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/catalog"
)

// readDir returns the YAML files of a testdata folder, by name, leaving
// out the names in skip.
func readDir(t testing.TB, dir string, skip ...string) map[string][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, n := range names {
		if slices.Contains(skip, filepath.Base(n)) {
			continue
		}
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(n)] = b
	}
	return out
}

func mustOne(t *testing.T, files map[string][]byte) *catalog.Catalog {
	t.Helper()
	cs, err := catalog.Parse(files)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 {
		t.Fatalf("%d catalogs, want 1", len(cs))
	}
	return cs[0]
}

// counts returns how many requirements have a parent and how many do not.
func counts(c *catalog.Catalog) (top, children int) {
	for _, r := range c.Requirements {
		if r.Parent == "" {
			top++
		} else {
			children++
		}
	}
	return top, children
}

func TestOSPSGemara(t *testing.T) {
	c := mustOne(t, readDir(t, "osps-main"))
	if c.ID != "osps-baseline" || c.Format != catalog.FormatOSPS || c.Publisher != "OSPS Baseline Authors" {
		t.Errorf("catalog %q format %q publisher %q", c.ID, c.Format, c.Publisher)
	}
	if top, children := counts(c); top != 41 || children != 65 {
		t.Errorf("%d controls and %d assessment requirements, want 41 and 65", top, children)
	}
	r := c.Find("OSPS-VM-04.02")
	if r == nil || r.Parent != "OSPS-VM-04" || len(r.Levels) == 0 || !strings.HasPrefix(r.Levels[0], "maturity-") {
		t.Fatalf("OSPS-VM-04.02 = %+v", r)
	}
	got := map[string][]string{}
	for _, m := range c.MappingsOf("OSPS-VM-01.01") {
		got[m.Framework] = m.IDs
	}
	if diff := cmp.Diff([]string{"2.1", "2.2", "2.3", "2.6", "2.7", "2.8"}, got["CRA"]); diff != "" {
		t.Errorf("CRA mappings inherited from OSPS-VM-01 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"RV.1.3"}, got["SSDF"]); diff != "" {
		t.Errorf("SSDF mappings (-want +got):\n%s", diff)
	}
	if !slices.ContainsFunc(c.Frameworks, func(f catalog.Framework) bool { return f.ID == "CRA" && f.URL != "" }) {
		t.Errorf("frameworks lack CRA: %+v", c.Frameworks)
	}
	if len(c.Levels) != 3 {
		t.Errorf("levels %+v, want the three maturity levels", c.Levels)
	}
}

// TestOSPSReleased: the released shape gives the same requirements, with
// its "Maturity Level 2" written as the Gemara id; its broken
// metadata.yaml is reported with the file and line, never half-read.
func TestOSPSReleased(t *testing.T) {
	rel := mustOne(t, readDir(t, "osps-v2026.02.19", "metadata.yaml"))
	main := mustOne(t, readDir(t, "osps-main"))
	ids := func(c *catalog.Catalog) []string {
		var out []string
		for _, r := range c.Requirements {
			out = append(out, r.ID)
		}
		slices.Sort(out)
		return out
	}
	if diff := cmp.Diff(ids(main), ids(rel)); diff != "" {
		t.Errorf("released and Gemara ids differ (-main +released):\n%s", diff)
	}
	if r := rel.Find("OSPS-VM-01.01"); r == nil || !slices.Equal(r.Levels, []string{"maturity-2", "maturity-3"}) {
		t.Errorf("OSPS-VM-01.01 levels: %+v", r)
	}
	if m := rel.MappingsOf("OSPS-VM-01"); len(m) == 0 {
		t.Error("released shape lost its guideline-mappings")
	}

	_, err := catalog.Parse(readDir(t, "osps-v2026.02.19"))
	if err == nil || !strings.Contains(err.Error(), "metadata.yaml") || !strings.Contains(err.Error(), "line") {
		t.Errorf("broken metadata.yaml: err = %v; want the file and line named", err)
	}
}

func readFile(t testing.TB, path string) map[string][]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{filepath.Base(path): b}
}

func TestCycloneDXStandards(t *testing.T) {
	ssdf := mustOne(t, readFile(t, "cyclonedx/nist_secure-software-development-framework_1.1.cdx.json"))
	if ssdf.ID != "ssdf-1.1" || ssdf.Version != "1.1" || len(ssdf.Requirements) != 65 || ssdf.Publisher != "National Institute of Standards and Technology" {
		t.Errorf("SSDF: id %q version %q, %d requirements, publisher %q", ssdf.ID, ssdf.Version, len(ssdf.Requirements), ssdf.Publisher)
	}
	if r := ssdf.Find("PW.4.1"); r == nil || r.Parent != "PW.4" || r.Text == "" {
		t.Errorf("PW.4.1 = %+v", r)
	}
	if r := ssdf.Find("PW.4"); r == nil || r.Parent != "PW" {
		t.Errorf("PW.4 = %+v", r)
	}
	ssaf := mustOne(t, readFile(t, "cyclonedx/ssaf-DRAFT-2023-11.cdx.json"))
	if len(ssaf.Requirements) != 10 {
		t.Errorf("SSAF: %d requirements, want 10", len(ssaf.Requirements))
	}
	sample := mustOne(t, readFile(t, "cyclonedx/valid-standard-1.6.json"))
	r := sample.Find("v1.1.1")
	want := &catalog.Requirement{ID: "v1.1.1", Parent: "v1.1", Text: "Text of the requirement here", Levels: []string{"Level 1", "Level 2", "Level 3"},
		Mappings: []catalog.Mapping{{Framework: "OpenCRE", IDs: []string{"616-305"}}}}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("v1.1.1 (-want +got):\n%s", diff)
	}
}

// TestCRAAnnexI: the catalog written in the repository has both parts,
// and every CRA point the OSPS Baseline maps to resolves in it.
func TestCRAAnnexI(t *testing.T) {
	cs, err := catalog.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var cra *catalog.Catalog
	for _, c := range cs {
		if c.ID == "cra-annex-i" {
			cra = c
		}
	}
	if cra == nil {
		t.Fatal("no cra-annex-i among the built-in catalogs")
	}
	for _, id := range []string{"CRA-I-1", "CRA-I-2(a)", "CRA-I-2(m)", "CRA-II-1", "CRA-II-8"} {
		r := cra.Find(id)
		if r == nil || r.Reference == "" {
			t.Errorf("%s: %+v, want a requirement with its reference", id, r)
		}
	}
	if top, children := counts(cra); top != 2 || children != 23 {
		t.Errorf("%d parts and %d points, want 2 and 23 (1, 2, 2(a)-(m); II 1-8)", top, children)
	}
	osps := mustOne(t, readDir(t, "osps-main"))
	for _, r := range osps.Requirements {
		for _, m := range r.Mappings {
			if m.Framework != "CRA" {
				continue
			}
			for _, id := range m.IDs {
				if cra.Find(id) == nil {
					t.Errorf("%s maps to CRA %q, which cra-annex-i does not resolve", r.ID, id)
				}
			}
		}
	}
	if got := cra.Find("1.2a"); got == nil || got.ID != "CRA-I-2(a)" {
		t.Errorf(`Find("1.2a") = %+v, want CRA-I-2(a)`, got)
	}
}
