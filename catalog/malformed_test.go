package catalog_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/catalog"
)

const vigieHead = "format: vigie-catalog/1\nid: t\ntitle: T\n"

func TestParseMalformed(t *testing.T) {
	family := func(ids ...string) string {
		var b strings.Builder
		b.WriteString("controls:\n")
		for _, id := range ids {
			b.WriteString("  - id: " + id + "\n    title: x\n")
		}
		return b.String()
	}
	cases := []struct {
		name  string
		files map[string]string
		want  string // in the error
	}{
		{"no file", map[string]string{}, "no file"},
		{"empty file", map[string]string{"a.yaml": "  \n"}, "empty"},
		{"JSON not CycloneDX", map[string]string{"a.json": `{"controls":[]}`}, "not CycloneDX"},
		{"CycloneDX without standards", map[string]string{"a.json": `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}`}, "definitions.standards"},
		{"CycloneDX truncated", map[string]string{"a.json": `{"bomFormat":"CycloneDX","definitions":{"standards":[`}, "JSON"},
		{"CycloneDX requirement without identifier", map[string]string{"a.json": `{"bomFormat":"CycloneDX","definitions":{"standards":[{"bom-ref":"s","name":"S","requirements":[{"bom-ref":"r"}]}]}}`}, "without identifier"},
		{"CycloneDX duplicate identifier", map[string]string{"a.json": `{"bomFormat":"CycloneDX","definitions":{"standards":[{"bom-ref":"s","name":"S","requirements":[{"bom-ref":"r1","identifier":"X"},{"bom-ref":"r2","identifier":"X"}]}]}}`}, "duplicate requirement id"},
		{"CycloneDX parent missing", map[string]string{"a.json": `{"bomFormat":"CycloneDX","definitions":{"standards":[{"bom-ref":"s","name":"S","requirements":[{"bom-ref":"r1","identifier":"X","parent":"nope"}]}]}}`}, "parent"},
		{"CycloneDX level names an unknown requirement", map[string]string{"a.json": `{"bomFormat":"CycloneDX","definitions":{"standards":[{"bom-ref":"s","name":"S","requirements":[{"bom-ref":"r1","identifier":"X"}],"levels":[{"identifier":"L1","requirements":["r9"]}]}]}}`}, "lacks"},
		{"CycloneDX standard without name or ref", map[string]string{"a.json": `{"bomFormat":"CycloneDX","definitions":{"standards":[{"requirements":[{"identifier":"X"}]}]}}`}, "catalog id"},
		{"not YAML", map[string]string{"a.yaml": "controls: [\n"}, "not valid YAML"},
		{"two YAML documents", map[string]string{"a.yaml": family("A-1") + "---\n" + family("A-2")}, "more than one"},
		{"YAML scalar", map[string]string{"a.yaml": "just text"}, "mapping"},
		{"YAML without controls", map[string]string{"a.yaml": "title: x\n"}, "not an OSPS Baseline file"},
		{"only metadata", map[string]string{"metadata.yaml": "mapping-references: []\n"}, "no OSPS Baseline family"},
		{"control without id", map[string]string{"a.yaml": "controls:\n  - title: x\n"}, "without an id"},
		{"duplicate control across files", map[string]string{"a.yaml": family("OSPS-X-01"), "b.yaml": family("OSPS-X-01")}, "duplicate requirement id"},
		{"duplicate assessment requirement", map[string]string{"a.yaml": "controls:\n  - id: C\n    assessment-requirements:\n      - id: C.1\n      - id: C.1\n"}, "duplicate requirement id"},
		{"mapping without reference-id", map[string]string{"a.yaml": "controls:\n  - id: C\n    guidelines:\n      - entries: [{reference-id: x}]\n"}, "reference-id"},
		{"id with a space", map[string]string{"a.yaml": family("'A 1'")}, "no spaces"},
		{"controls not a list", map[string]string{"a.yaml": "controls: 3\n"}, "not valid YAML"},
		{"alias bomb", map[string]string{"a.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\ncontrols: [*h]\n"}, "YAML"},
		{"mixed formats", map[string]string{"a.yaml": family("A-1"), "b.json": `{"bomFormat":"CycloneDX"}`}, "not an OSPS Baseline file"},
		{"parent cycle", map[string]string{"a.yaml": vigieHead + "requirements: [{id: R, parent: S}, {id: S, parent: R}]\n"}, "cycle"},
		{"parent is itself", map[string]string{"a.yaml": vigieHead + "requirements: [{id: R, parent: R}]\n"}, "cycle"},
		{"vigie catalog with another file", map[string]string{"a.yaml": vigieHead + "requirements: [{id: R}]\n", "b.yaml": family("A-1")}, "one file"},
		{"vigie wrong version", map[string]string{"a.yaml": "format: vigie-catalog/9\nid: t\ntitle: T\nrequirements: [{id: R}]\n"}, "want vigie-catalog/1"},
		{"vigie no requirements", map[string]string{"a.yaml": vigieHead}, "no requirements"},
		{"vigie no title", map[string]string{"a.yaml": "format: vigie-catalog/1\nid: t\nrequirements: [{id: R}]\n"}, "no title"},
		{"vigie bad id", map[string]string{"a.yaml": "format: vigie-catalog/1\nid: 'Bad Id'\ntitle: T\nrequirements: [{id: R}]\n"}, "catalog id"},
		{"vigie duplicate ids", map[string]string{"a.yaml": vigieHead + "requirements: [{id: R}, {id: R}]\n"}, "duplicate requirement id"},
		{"vigie alias equal to an id", map[string]string{"a.yaml": vigieHead + "requirements: [{id: R}, {id: S, aliases: [R]}]\n"}, "alias"},
		{"vigie unknown parent", map[string]string{"a.yaml": vigieHead + "requirements: [{id: R, parent: Q}]\n"}, "parent"},
		{"vigie mapping without framework", map[string]string{"a.yaml": vigieHead + "requirements: [{id: R, mappings: [{ids: [x]}]}]\n"}, "without framework"},
		{"vigie requirement without id", map[string]string{"a.yaml": vigieHead + "requirements: [{title: R}]\n"}, "want 1 to 100"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string][]byte{}
			for n, s := range c.files {
				files[n] = []byte(s)
			}
			cs, err := catalog.Parse(files)
			if err == nil {
				t.Fatalf("accepted: %d catalogs", len(cs))
			}
			if cs != nil {
				t.Errorf("returned catalogs with an error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	big := map[string][]byte{"a.yaml": []byte(vigieHead + "requirements: [{id: R}]\n" + strings.Repeat("#", catalog.MaxFileBytes))}
	if _, err := catalog.Parse(big); !errors.Is(err, catalog.ErrTooLarge) {
		t.Errorf("file over %d bytes: %v, want ErrTooLarge", catalog.MaxFileBytes, err)
	}
	many := map[string][]byte{}
	for i := 0; i <= catalog.MaxFiles; i++ {
		many[strings.Repeat("x", i+1)+".yaml"] = []byte("controls: []\n")
	}
	if _, err := catalog.Parse(many); !errors.Is(err, catalog.ErrTooLarge) {
		t.Errorf("%d files: %v, want ErrTooLarge", len(many), err)
	}
	var b strings.Builder
	b.WriteString(vigieHead + "requirements:\n")
	for i := 0; i <= catalog.MaxRequirements; i++ {
		b.WriteString("  - id: R" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "-" + itoa(i) + "\n")
	}
	if _, err := catalog.Parse(map[string][]byte{"a.yaml": []byte(b.String())}); !errors.Is(err, catalog.ErrTooLarge) {
		t.Errorf("over %d requirements: %v, want ErrTooLarge", catalog.MaxRequirements, err)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}
