package attest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/attest"
)

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestScorecard(t *testing.T) {
	cases := []struct {
		file, repo string
		date       time.Time
		score      float64
		checks     int
	}{
		{"valid-payload.json", "github.com/ossf-tests/scorecard-action", time.Date(2022, 6, 29, 0, 0, 0, 0, time.UTC), 5.8, 19},
		{"reusable-workflow-inter-repo-results.json", "github.com/ossf-tests/scorecard-webapp-reusable-workflow-caller-e2e", time.Date(2022, 12, 20, 0, 0, 0, 0, time.UTC), 4.1, 18},
		{"imposter-commit-results.json", "github.com/spencerschrock/reusable-workflow-test", time.Time{}, 4.3, 18},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			s, err := attest.ParseScorecard(read(t, "scorecard/"+c.file))
			if err != nil {
				t.Fatal(err)
			}
			if s.Repo != c.repo || s.Score != c.score || len(s.Checks) != c.checks {
				t.Errorf("repo %s score %v checks %d", s.Repo, s.Score, len(s.Checks))
			}
			if !c.date.IsZero() && !s.Date.Equal(c.date) {
				t.Errorf("date %v, want %v", s.Date, c.date)
			}
			if c.date.IsZero() && s.Date.Year() != 2023 {
				t.Errorf("RFC 3339 date read as %v", s.Date)
			}
			if !s.ForRepo("https://" + c.repo + ".git") {
				t.Errorf("not for its own repository")
			}
			if s.ForRepo("https://github.com/someone/else") {
				t.Errorf("counts for another repository")
			}
		})
	}
	s, err := attest.ParseScorecard(read(t, "scorecard/valid-payload.json"))
	if err != nil {
		t.Fatal(err)
	}
	bp, ok := s.Check("branch-protection")
	if !ok || bp.Score != 0 || len(bp.Details) != 1 {
		t.Errorf("Branch-Protection = %+v", bp)
	}
}

func TestSLSAProvenance(t *testing.T) {
	cases := []struct {
		file, version, builder, source, subject string
	}{
		{"rules_lint-v1.3.1.tar.gz.intoto.jsonl", "1.0", "https://github.com/bazel-contrib/.github/.github/workflows/release_ruleset.yaml@refs/tags/v7.1.0", "https://github.com/aspect-build/rules_lint", "rules_lint-v1.3.1.tar.gz"},
		{"MODULE.bazel.intoto.jsonl", "1.0", "", "", "MODULE.bazel"},
		{"gha_maven-v2.1.0-binary-linux-amd64-push-v14.build.slsa", "1.0", "", "", "test-java-project-1.23.90.jar"},
		{"gha_generic-v1.10.0-binary-linux-amd64-push-v14.intoto.jsonl", "0.2", "", "", "gha_generic-binary-linux-amd64-v14"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			envs, err := attest.ParseEnvelopes(read(t, "slsa/"+c.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(envs) != 1 {
				t.Fatalf("%d envelopes", len(envs))
			}
			st, err := envs[0].Statement()
			if err != nil {
				t.Fatal(err)
			}
			if st.Subjects[0].Name != c.subject {
				t.Errorf("subject %q", st.Subjects[0].Name)
			}
			p, err := st.Provenance()
			if err != nil {
				t.Fatal(err)
			}
			if p.SLSAVersion != c.version || (c.builder != "" && p.BuilderID != c.builder) || (c.source != "" && p.Source != c.source) {
				t.Errorf("provenance %+v", p)
			}
			// No key is configured: the signature is reported, not trusted.
			if v := envs[0].Verify(nil); v.Status != attest.Unverified || v.Reason == "" {
				t.Errorf("Verify(no keys) = %+v", v)
			}
		})
	}
}

func vsaKey(t testing.TB) []attest.Key {
	keys, err := attest.ParseKeys(read(t, "slsa/vsa_signing_public_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestVSA(t *testing.T) {
	envs, err := attest.ParseEnvelopes(read(t, "slsa/gke-gce-pre.bcid-vsa.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	e := envs[0]
	st, err := e.Statement()
	if err != nil {
		t.Fatal(err)
	}
	v, err := st.VSA()
	if err != nil {
		t.Fatal(err)
	}
	if v.Result != "PASSED" || v.BuildLevel() != 2 || v.VerifierID != "https://bcid.corp.google.com/verifier/bcid_package_enforcer/v0.1" {
		t.Errorf("VSA %+v, build level %d", v, v.BuildLevel())
	}
	if _, err := st.Provenance(); err == nil {
		t.Error("a VSA read as provenance")
	}

	keys := vsaKey(t)
	if got := e.Verify(keys); got.Status != attest.Verified || got.KeyID != keys[0].ID {
		t.Errorf("Verify(VSA key) = %+v, want verified", got)
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&other.PublicKey)
	otherKeys, err := attest.ParseKeys(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Verify(otherKeys); got.Status != attest.Invalid {
		t.Errorf("Verify(another key) = %+v, want invalid", got)
	}
	// One flipped byte of the payload: the signature no longer holds.
	forged := *e
	forged.Payload = append([]byte{}, e.Payload...)
	forged.Payload[len(forged.Payload)-3] ^= 1
	if got := forged.Verify(keys); got.Status != attest.Invalid {
		t.Errorf("Verify(forged payload) = %+v, want invalid", got)
	}
}

// TestVerifySigned checks a statement signed here, and that the payload
// type is part of what is signed.
func TestVerifySigned(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"x","predicate":{}}`)
	h := sha512sum384(attest.PAE(attest.InTotoPayloadType, payload))
	sig, err := ecdsa.SignASN1(rand.Reader, k, h)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	keys, err := attest.ParseKeys(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	e := &attest.Envelope{PayloadType: attest.InTotoPayloadType, Payload: payload, Signatures: []attest.Signature{{Sig: sig}}}
	if got := e.Verify(keys); got.Status != attest.Verified {
		t.Errorf("P-384 signature: %+v", got)
	}
	e.PayloadType = "application/json"
	if got := e.Verify(keys); got.Status != attest.Invalid {
		t.Errorf("payload type changed: %+v, want invalid", got)
	}
	if _, err := e.Statement(); err == nil {
		t.Error("a non in-toto payload type read as a statement")
	}
	sum := sha256.Sum256(der)
	if keys[0].ID == "" || len(keys[0].ID) != 2*len(sum) {
		t.Errorf("key id %q", keys[0].ID)
	}
}

func TestPAE(t *testing.T) {
	// The DSSE specification's own example.
	got := string(attest.PAE("http://example.com/HelloWorld", []byte("hello world")))
	want := "DSSEv1 29 http://example.com/HelloWorld 11 hello world"
	if got != want {
		t.Errorf("PAE = %q, want %q", got, want)
	}
}

func TestCDXA(t *testing.T) {
	for _, f := range []string{"valid-attestation-1.6.json", "valid-attestation-1.7.json"} {
		t.Run(f, func(t *testing.T) {
			a, err := attest.ParseCDXA(read(t, "cdxa/"+f))
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Attestations) != 1 || len(a.Attestations[0].Map) != 1 {
				t.Fatalf("attestations %+v", a.Attestations)
			}
			m := a.Attestations[0].Map[0]
			if m.Requirement != "requirement-1" || m.Conformance == nil || *m.Conformance != 0.8 || m.Confidence == nil || *m.Confidence != 1 {
				t.Errorf("map %+v", m)
			}
			if !a.Signed || len(a.Evidence) != 3 || len(a.Targets) == 0 {
				t.Errorf("signed %v, %d evidence, targets %v", a.Signed, len(a.Evidence), a.Targets)
			}
			// The spec's example names a counter-claim it does not define.
			if len(a.Warnings) == 0 {
				t.Error("no warning for the undefined counterClaim-1")
			}
			exp := a.Expired(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			if diff := cmp.Diff([]string{"counterEvidence-1", "evidence-1", "mitigationStrategy-1"}, exp); diff != "" {
				t.Errorf("expired evidence in 2026 (-want +got):\n%s", diff)
			}
			if len(a.Expired(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))) != 0 {
				t.Error("evidence expired before it was created")
			}
		})
	}
}
