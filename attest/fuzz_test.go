package attest_test

import (
	"testing"

	"github.com/vigie-cti/vigie/attest"
)

func FuzzScorecard(f *testing.F) {
	f.Add(read(f, "scorecard/format-example-check4.json"))
	f.Add(read(f, "scorecard/imposter-commit-results.json"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := attest.ParseScorecard(b)
		if err != nil {
			return
		}
		if s.Repo == "" || s.Score > 10 {
			t.Fatalf("accepted %+v", s)
		}
		for _, c := range s.Checks {
			if c.Score < -1 || c.Score > 10 {
				t.Fatalf("check %+v", c)
			}
		}
	})
}

// FuzzEnvelopes reads envelopes, their statements and predicates, and
// verifies them with the VSA key: nothing may panic, and a random input
// never verifies.
func FuzzEnvelopes(f *testing.F) {
	f.Add(read(f, "slsa/gke-gce-pre.bcid-vsa.jsonl"))
	f.Add(read(f, "slsa/gha_generic-v1.10.0-binary-linux-amd64-push-v14.intoto.jsonl"))
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"AAAA"}]}`))
	keys := vsaKey(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := attest.ParseEnvelopes(b)
		if err != nil {
			return
		}
		for _, e := range es {
			e.Verify(keys)
			e.Verify(nil)
			st, err := e.Statement()
			if err != nil {
				continue
			}
			if p, err := st.Provenance(); err == nil && p.BuilderID == "" {
				t.Fatal("provenance without builder accepted")
			}
			if v, err := st.VSA(); err == nil {
				v.BuildLevel()
			}
		}
	})
}

func FuzzCDXA(f *testing.F) {
	f.Add(read(f, "cdxa/valid-attestation-1.6.json"))
	f.Add([]byte(`{"bomFormat":"CycloneDX","declarations":{"attestations":[{"map":[{"requirement":"r","conformance":{"score":0.5}}]}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := attest.ParseCDXA(b)
		if err != nil {
			return
		}
		for _, at := range a.Attestations {
			for _, m := range at.Map {
				if m.Requirement == "" || (m.Conformance != nil && (*m.Conformance < 0 || *m.Conformance > 1)) {
					t.Fatalf("accepted %+v", m)
				}
			}
		}
	})
}
