package vex_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/vex"
)

// FuzzRead feeds Read arbitrary documents: it returns statements or an
// error wrapping the package's errors (a recovered panic is a failure), and
// deciding with what it returns does not panic.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	more, _ := filepath.Glob(cdxVEX + "/CISA-Use-Cases/*/vex*.json")
	for _, p := range append(files, more...) {
		if data, err := os.ReadFile(p); err == nil && len(data) < 32<<10 {
			f.Add(data)
		}
	}
	f.Add([]byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><vulnerabilities><vulnerability><id>CVE-1</id><analysis><state>not_affected</state></analysis><affects><target><ref>urn:cdx:x/1#a</ref><versions><version><range>vers:semver/&gt;=1|&lt;2</range></version></versions></target></affects></vulnerability></vulnerabilities></bom>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := vex.Parse(data)
		if err != nil {
			if !errors.Is(err, vex.ErrNotVEX) && !errors.Is(err, vex.ErrMalformed) {
				t.Fatalf("error wraps none of the package's errors: %v", err)
			}
			if strings.Contains(err.Error(), "the parser failed") {
				t.Fatalf("recovered panic: %v", err)
			}
			return
		}
		for _, st := range doc.Statements {
			target := vex.Target{Ref: "a", PURL: "pkg:npm/a@1.0.0", CPE: "cpe:2.3:a:x:a:1.0:*:*:*:*:*:*:*", Name: "a", Version: "1.0.0"}
			vex.Decide(doc.Statements, vex.Subject{IDs: []string{st.Vulnerability}, Serial: "urn:uuid:x", Product: target, Component: target})
		}
	})
}
