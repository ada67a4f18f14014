package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vigie-cti/vigie/taxii"
)

// FuzzPostEnvelope posts arbitrary bodies to the objects endpoint: the
// server must answer with a TAXII status (202) or a TAXII error, never a
// 500, and keep serving.
func FuzzPostEnvelope(f *testing.F) {
	for _, seed := range []string{
		`{"objects":[]}`,
		`{"objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000001","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '1.2.3.4']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"}]}`,
		`{"objects":[1, "x", null, [], {}]}`,
		`{"objects":{}}`, `[]`, `null`, `{"objects":[{"type":"x-custom","id":"x-custom--00000000-0000-4000-8000-000000000001"}]}`,
		`{"objects":[[[[[[[[[[[[]]]]]]]]]]]]}`, "\xff\xfe", `{"objects":[{"id":"\u0000"}]}`,
	} {
		f.Add([]byte(seed))
	}
	fx := newFixtureMax(f, 1000)
	h := fx.srv.Config.Handler
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", objectsPath(fx.shared), bytes.NewReader(body))
		req.Header.Set("Content-Type", taxii.MediaType)
		req.Header.Set("Authorization", "Bearer "+fx.keys["A"])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusAccepted:
			var st taxii.Status
			if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil || st.TotalCount != st.SuccessCount+st.FailureCount {
				t.Fatalf("202 with a bad status: %s", rec.Body)
			}
		case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge:
			var e taxii.Error
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Title == "" {
				t.Fatalf("%d without a TAXII error: %s", rec.Code, rec.Body)
			}
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
	})
}
