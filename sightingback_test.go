package vigie_test

import (
	"strings"
	"testing"

	"github.com/vigie-cti/vigie"
)

const goodReport = `{"stream":"abc123","after":0,"through":10,"sightings":[{"sighting_of_ref":"indicator--7b0c1a5e-0000-4000-8000-000000000001",
"observer":"00112233445566778899aabbccddeeff","day":"2026-12-06T00:00:00Z","count":3,"first_seen":"2026-12-06T01:00:00Z","last_seen":"2026-12-06T02:00:00Z"}]}`

// TestParseSightingReport: a good report parses; each malformed one is
// refused with EINVALID and a message saying what is wrong.
func TestParseSightingReport(t *testing.T) {
	r, err := vigie.ParseSightingReport([]byte(goodReport))
	if err != nil || len(r.Sightings) != 1 || r.Sightings[0].Count != 3 || r.Through != 10 {
		t.Fatalf("good report: %v %+v", err, r)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"not json", goodReport, "{", "malformed"},
		{"unknown field", `"stream"`, `"org":"x","stream"`, "unknown field"},
		{"two values", goodReport, goodReport + " {}", "after the report"},
		{"bad stream", `"abc123"`, `"ABC 1"`, "stream"},
		{"negative after", `"after":0`, `"after":-1`, "positions"},
		{"through before after", `"after":0`, `"after":11`, "positions"},
		{"not an indicator", `"indicator--7b0c`, `"malware--7b0c`, "sighting_of_ref"},
		{"bad uuid", `-000000000001"`, `-1"`, "sighting_of_ref"},
		{"short observer", `"00112233445566778899aabbccddeeff"`, `"0011"`, "observer"},
		{"observer not hex", `"00112233445566778899aabbccddeeff"`, `"Secret Member One name here"`, "observer"},
		{"zero count", `"count":3`, `"count":0`, "count"},
		{"huge count", `"count":3`, `"count":1000000000`, "count"},
		{"day not midnight", `"day":"2026-12-06T00:00:00Z"`, `"day":"2026-12-06T05:00:00Z"`, "midnight"},
		{"no day", `"day":"2026-12-06T00:00:00Z",`, ``, "midnight"},
		{"first after last", `"first_seen":"2026-12-06T01:00:00Z"`, `"first_seen":"2026-12-06T03:00:00Z"`, "first_seen after"},
		{"seen on another day", `"last_seen":"2026-12-06T02:00:00Z"`, `"last_seen":"2026-12-07T02:00:00Z"`, "on the day"},
		{"bad time", `"first_seen":"2026-12-06T01:00:00Z"`, `"first_seen":"yesterday"`, "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.Replace(goodReport, tc.from, tc.to, 1)
			if body == goodReport {
				t.Fatal("the case changes nothing")
			}
			_, err := vigie.ParseSightingReport([]byte(body))
			if vigie.ErrorCode(err) != vigie.EINVALID || !strings.Contains(vigie.ErrorMessage(err), tc.want) {
				t.Errorf("got %v; want EINVALID mentioning %q", err, tc.want)
			}
		})
	}
	many := &vigie.SightingReport{Stream: "a", Sightings: make([]vigie.RelayedSighting, vigie.MaxReportSightings+1)}
	if err := many.Validate(); vigie.ErrorCode(err) != vigie.EINVALID || !strings.Contains(err.Error(), "limit") {
		t.Errorf("too many sightings: %v", err)
	}
}

// FuzzParseSightingReport: no input panics, and what parses validates.
func FuzzParseSightingReport(f *testing.F) {
	f.Add([]byte(goodReport))
	f.Add([]byte(`{"stream":"a","after":0,"through":0,"sightings":[]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := vigie.ParseSightingReport(body)
		if err == nil {
			if verr := r.Validate(); verr != nil {
				t.Fatalf("parsed but invalid: %v", verr)
			}
		} else if vigie.ErrorCode(err) != vigie.EINVALID {
			t.Fatalf("error %v is not EINVALID", err)
		}
	})
}
