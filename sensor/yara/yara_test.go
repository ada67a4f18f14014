//go:build cgo && !noyara

package yara_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/yara"
)

// TestCompile refuses the sources that do not compile, each with the
// compiler's message and line, and runs the others, with rules of the
// same name in two namespaces kept apart.
func TestCompile(t *testing.T) {
	srcs := []yara.Source{
		{Namespace: "indicator--a", Text: `rule same_name { strings: $s = "alpha" condition: $s }`},
		{Namespace: "indicator--b", Text: "rule same_name {\n strings: $s = \"beta\"\n condition: $s }\nrule second { condition: filesize > 3 }"},
		{Namespace: "indicator--syntax", Text: "rule broken {\n condition: \n}"},
		{Namespace: "indicator--include", Text: `include "/etc/passwd" rule x { condition: true }`},
		{Namespace: "indicator--module", Text: `import "no_such_module" rule y { condition: true }`},
	}
	rules, bad, err := yara.Compile(srcs)
	if err != nil {
		t.Fatal(err)
	}
	defer rules.Destroy()
	var got []string
	for _, e := range bad {
		got = append(got, e.Namespace)
		if e.Message == "" {
			t.Errorf("%s refused without a message", e.Namespace)
		}
	}
	if diff := cmp.Diff([]string{"indicator--syntax", "indicator--include", "indicator--module"}, got); diff != "" {
		t.Errorf("refused (-want +got):\n%s", diff)
	}
	if bad[0].Line != 3 || !strings.Contains(bad[0].Error(), "line 3") {
		t.Errorf("syntax error %v, want line 3", bad[0])
	}
	if rules.Len() != 2 {
		t.Errorf("%d sources compiled, want 2", rules.Len())
	}
	s, err := rules.NewScanner(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ms, err := s.Scan([]byte("xx beta xx"))
	if err != nil {
		t.Fatal(err)
	}
	want := []sensor.RuleMatch{{Namespace: "indicator--b", Rule: "same_name"}, {Namespace: "indicator--b", Rule: "second"}}
	if diff := cmp.Diff(want, ms); diff != "" {
		t.Errorf("matches (-want +got):\n%s", diff)
	}
	if ms, _ := s.Scan(nil); len(ms) != 0 {
		t.Errorf("empty data matched %v", ms)
	}
}

func TestNothingCompiles(t *testing.T) {
	rules, bad, err := yara.Compile([]yara.Source{{Namespace: "indicator--x", Text: "not yara"}})
	if err != nil || rules != nil || len(bad) != 1 {
		t.Errorf("Compile = %v, %v, %v; want no rules and one refusal", rules, bad, err)
	}
	if !yara.Available || yara.Version() == "" {
		t.Errorf("Available %v, Version %q in a YARA build", yara.Available, yara.Version())
	}
}
