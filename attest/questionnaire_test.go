package attest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/attest"
)

const questionnaire = `format: vigie-questionnaire/1
catalog: cra-annex-i
supplier: Acme Corp
expires: 2027-06-30T00:00:00Z
answers:
  - requirement: CRA-II-5
    answer: yes
    rationale: Our CVD policy is published.
    evidence: [https://acme.example/security]
  - requirement: CRA-I-2(g)
    answer: partial
  - requirement: CRA-I-2(m)
    answer: "no"
`

// TestQuestionnaire: the answers become a CycloneDX attestation that this
// package reads back with the same claims, scores and expiry.
func TestQuestionnaire(t *testing.T) {
	q, err := attest.ParseQuestionnaire([]byte(questionnaire))
	if err != nil {
		t.Fatal(err)
	}
	b, err := q.CycloneDX(time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	d, err := attest.Read(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != attest.KindCDXA || len(d.CDXA.Warnings) != 0 {
		t.Fatalf("read back as %s, warnings %v", d.Kind, d.CDXA.Warnings)
	}
	got := map[string]float64{}
	counter := map[string]bool{}
	for _, m := range d.CDXA.Attestations[0].Map {
		got[m.Requirement] = *m.Conformance
		counter[m.Requirement] = len(m.CounterClaims) > 0
	}
	if got["CRA-II-5"] != 1 || got["CRA-I-2(g)"] != 0.5 || got["CRA-I-2(m)"] != 0 || !counter["CRA-I-2(m)"] || counter["CRA-II-5"] {
		t.Errorf("scores %v, counter-claims %v", got, counter)
	}
	if !d.Expires().Equal(time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("expires %v", d.Expires())
	}
}

func TestQuestionnaireMalformed(t *testing.T) {
	head := "format: vigie-questionnaire/1\ncatalog: c\nsupplier: S\nexpires: 2027-01-01T00:00:00Z\n"
	cases := []struct{ name, doc, want string }{
		{"not YAML", "answers: [", "questionnaire"},
		{"wrong format", "format: x\n", "want vigie-questionnaire/1"},
		{"unknown field", head + "answers: [{requirement: R, answer: yes}]\nscore: 10\n", "not found"},
		{"no expiry", "format: vigie-questionnaire/1\ncatalog: c\nsupplier: S\nanswers: [{requirement: R, answer: yes}]\n", "expires"},
		{"no supplier", "format: vigie-questionnaire/1\ncatalog: c\nexpires: 2027-01-01T00:00:00Z\nanswers: [{requirement: R, answer: yes}]\n", "no supplier"},
		{"no answers", head, "no answers"},
		{"answer maybe", head + "answers: [{requirement: R, answer: maybe}]\n", "yes, no or partial"},
		{"answered twice", head + "answers: [{requirement: R, answer: yes}, {requirement: R, answer: no}]\n", "twice"},
		{"no requirement", head + "answers: [{answer: yes}]\n", "no requirement"},
		{"evidence not a link", head + "answers: [{requirement: R, answer: yes, evidence: ['file:///etc/passwd']}]\n", "http(s) link"},
		{"bad expiry", "format: vigie-questionnaire/1\ncatalog: c\nsupplier: S\nexpires: soon\nanswers: [{requirement: R, answer: yes}]\n", "questionnaire"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := attest.ParseQuestionnaire([]byte(c.doc))
			if err == nil || q != nil {
				t.Fatalf("accepted %+v", q)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want %q in it", err, c.want)
			}
		})
	}
}

func FuzzQuestionnaire(f *testing.F) {
	f.Add([]byte(questionnaire))
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := attest.ParseQuestionnaire(b)
		if err != nil {
			return
		}
		out, err := q.CycloneDX(time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := attest.ParseCDXA(out); err != nil {
			t.Fatalf("a valid questionnaire gives an unreadable attestation: %v", err)
		}
	})
}
