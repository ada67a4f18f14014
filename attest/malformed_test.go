package attest_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/attest"
)

func TestScorecardMalformed(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"empty", ``, "JSON"},
		{"not JSON", `{"repo":`, "JSON"},
		{"an SBOM", `{"bomFormat":"CycloneDX"}`, "repo.name"},
		{"no score", `{"date":"2024-01-01","repo":{"name":"github.com/a/b"},"checks":[]}`, "no score"},
		{"score over 10", `{"date":"2024-01-01","repo":{"name":"github.com/a/b"},"score":11,"checks":[]}`, "out of 0..10"},
		{"bad date", `{"date":"yesterday","repo":{"name":"github.com/a/b"},"score":5,"checks":[]}`, "date"},
		{"check without name", `{"date":"2024-01-01","repo":{"name":"github.com/a/b"},"score":5,"checks":[{"score":3}]}`, "without a name"},
		{"check score out of range", `{"date":"2024-01-01","repo":{"name":"github.com/a/b"},"score":5,"checks":[{"name":"X","score":12}]}`, "out of -1..10"},
		{"check without score", `{"date":"2024-01-01","repo":{"name":"github.com/a/b"},"score":5,"checks":[{"name":"X"}]}`, "out of -1..10"},
		{"check twice", `{"date":"2024-01-01","repo":{"name":"github.com/a/b"},"score":5,"checks":[{"name":"X","score":1},{"name":"X","score":2}]}`, "twice"},
		{"details not strings", `{"date":"2024-01-01","repo":{"name":"github.com/a/b"},"score":5,"checks":[{"name":"X","score":1,"details":[1]}]}`, "JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := attest.ParseScorecard([]byte(c.doc))
			if err == nil || s != nil {
				t.Fatalf("accepted: %+v", s)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want %q in it", err, c.want)
			}
		})
	}
	many := `{"date":"2024-01-01","repo":{"name":"github.com/a/b"},"score":5,"checks":[` + strings.Repeat(`{"name":"X","score":1},`, attest.MaxChecks) + `{"name":"Y","score":1}]}`
	if _, err := attest.ParseScorecard([]byte(many)); !errors.Is(err, attest.ErrTooLarge) {
		t.Errorf("over %d checks: %v", attest.MaxChecks, err)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestEnvelopeMalformed(t *testing.T) {
	stmt := func(body string) string {
		return `{"payloadType":"application/vnd.in-toto+json","payload":"` + b64(body) + `","signatures":[]}`
	}
	cases := []struct{ name, doc, want string }{
		{"empty", ``, "no envelope"},
		{"not JSON", `{"payload":`, "JSON"},
		{"no payload", `{"payloadType":"application/vnd.in-toto+json","signatures":[]}`, "payloadType and payload"},
		{"payload not base64", `{"payloadType":"x","payload":"%%%","signatures":[]}`, "base64"},
		{"signature not base64", `{"payloadType":"x","payload":"` + b64("{}") + `","signatures":[{"sig":"%%"}]}`, "not base64"},
		{"bundle with null envelope", `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":null}`, "null dsseEnvelope"},
		{"bundle with a bad certificate", `{"mediaType":"m","dsseEnvelope":{"payloadType":"x","payload":"` + b64("{}") + `"},"verificationMaterial":{"certificate":{"rawBytes":"%%"}}}`, "certificate"},
		{"second line broken", stmt("{}") + "\n{\n", "line 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			es, err := attest.ParseEnvelopes([]byte(c.doc))
			if err == nil || es != nil {
				t.Fatalf("accepted: %d envelopes", len(es))
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want %q in it", err, c.want)
			}
		})
	}
	many := strings.Repeat(`{"payloadType":"x","payload":"`+b64("{}")+`","signatures":[{"sig":"AAAA"}]}`+"\n", attest.MaxEnvelopes+1)
	if _, err := attest.ParseEnvelopes([]byte(many)); !errors.Is(err, attest.ErrTooLarge) {
		t.Errorf("over %d envelopes: %v", attest.MaxEnvelopes, err)
	}

	stmts := []struct{ name, body, want string }{
		{"not a statement", `{"_type":"https://example.com/x","subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"p"}`, "not an in-toto statement"},
		{"no subject", `{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"}`, "no subject"},
		{"subject without digest", `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a"}],"predicateType":"p"}`, "no digest"},
		{"no predicate type", `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"00"}}]}`, "no predicateType"},
		{"payload not JSON", `{"_type":`, "JSON"},
	}
	for _, c := range stmts {
		t.Run(c.name, func(t *testing.T) {
			es, err := attest.ParseEnvelopes([]byte(stmt(c.body)))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := es[0].Statement(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q in it", err, c.want)
			}
		})
	}

	preds := []struct{ name, ptype, pred, want string }{
		{"provenance without builder", attest.SLSAProvenanceV1, `{"buildDefinition":{"buildType":"b"},"runDetails":{}}`, "no builder id"},
		{"provenance without build type", attest.SLSAProvenanceV1, `{"runDetails":{"builder":{"id":"x"}}}`, "no build type"},
		{"v0.2 without builder", attest.SLSAProvenanceV02, `{"buildType":"b"}`, "no builder id"},
		{"provenance predicate not an object", attest.SLSAProvenanceV1, `[1]`, "provenance"},
		{"provenance bad time", attest.SLSAProvenanceV1, `{"buildDefinition":{"buildType":"b"},"runDetails":{"builder":{"id":"x"},"metadata":{"startedOn":"soon"}}}`, "provenance"},
		{"vsa unknown result", attest.SLSAVSAV1, `{"verifier":{"id":"v"},"timeVerified":"2024-01-01T00:00:00Z","resourceUri":"r","verificationResult":"MAYBE"}`, "PASSED or FAILED"},
		{"vsa without verifier", attest.SLSAVSAV1, `{"timeVerified":"2024-01-01T00:00:00Z","resourceUri":"r","verificationResult":"PASSED"}`, "no verifier"},
		{"vsa without time", attest.SLSAVSAV1, `{"verifier":{"id":"v"},"resourceUri":"r","verificationResult":"PASSED"}`, "no timeVerified"},
		{"vsa without resource", attest.SLSAVSAV1, `{"verifier":{"id":"v"},"timeVerified":"2024-01-01T00:00:00Z","verificationResult":"PASSED"}`, "no resourceUri"},
	}
	for _, c := range preds {
		t.Run(c.name, func(t *testing.T) {
			st := &attest.Statement{PredicateType: c.ptype, Predicate: []byte(c.pred)}
			var err error
			if c.ptype == attest.SLSAVSAV1 {
				_, err = st.VSA()
			} else {
				_, err = st.Provenance()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q in it", err, c.want)
			}
		})
	}
}

func TestKeysMalformed(t *testing.T) {
	for name, doc := range map[string]string{
		"empty":               "",
		"private key":         "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
		"garbage key":         "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
		"garbage certificate": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	} {
		if _, err := attest.ParseKeys([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestCDXAMalformed(t *testing.T) {
	att := func(mapEntry string) string {
		return `{"bomFormat":"CycloneDX","specVersion":"1.6","declarations":{"attestations":[{"map":[` + mapEntry + `]}]}}`
	}
	cases := []struct{ name, doc, want string }{
		{"not JSON", `{"bomFormat":`, "JSON"},
		{"not CycloneDX", `{"bomFormat":"SPDX"}`, "want CycloneDX"},
		{"an SBOM without declarations", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}`, "no declarations"},
		{"empty map", att(``), "maps no requirement"},
		{"map entry without requirement", att(`{"claims":["c"]}`), "without requirement"},
		{"conformance over 1", att(`{"requirement":"r","conformance":{"score":1.5}}`), "out of 0..1"},
		{"negative confidence", att(`{"requirement":"r","confidence":{"score":-0.1}}`), "out of 0..1"},
		{"claim without bom-ref", `{"bomFormat":"CycloneDX","declarations":{"attestations":[{"map":[{"requirement":"r"}]}],"claims":[{"target":"t"}]}}`, "claim without bom-ref"},
		{"claim twice", `{"bomFormat":"CycloneDX","declarations":{"attestations":[{"map":[{"requirement":"r"}]}],"claims":[{"bom-ref":"c"},{"bom-ref":"c"}]}}`, "twice"},
		{"evidence twice", `{"bomFormat":"CycloneDX","declarations":{"attestations":[{"map":[{"requirement":"r"}]}],"evidence":[{"bom-ref":"e"},{"bom-ref":"e"}]}}`, "twice"},
		{"evidence with a bad expiry", `{"bomFormat":"CycloneDX","declarations":{"attestations":[{"map":[{"requirement":"r"}]}],"evidence":[{"bom-ref":"e","expires":"never"}]}}`, "JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := attest.ParseCDXA([]byte(c.doc))
			if err == nil || a != nil {
				t.Fatalf("accepted: %+v", a)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want %q in it", err, c.want)
			}
		})
	}
	// A requirement resolved through the document's own standard.
	a, err := attest.ParseCDXA([]byte(`{"bomFormat":"CycloneDX","definitions":{"standards":[{"requirements":[{"bom-ref":"ssdf-PW.4.1","identifier":"PW.4.1"}]}]},
		"declarations":{"attestations":[{"map":[{"requirement":"ssdf-PW.4.1","claims":["nope"]}]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if a.Attestations[0].Map[0].Requirement != "PW.4.1" || len(a.Warnings) != 1 {
		t.Errorf("resolved %q, warnings %v", a.Attestations[0].Map[0].Requirement, a.Warnings)
	}
}
