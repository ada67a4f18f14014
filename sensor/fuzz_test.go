package sensor_test

import (
	"encoding/json"
	"testing"

	"github.com/vigie-cti/vigie/sensor"
)

// FuzzParseIndicator compares the sensor's reader of indicators with
// encoding/json: on any valid JSON object, both read the same values.
func FuzzParseIndicator(f *testing.F) {
	f.Add(indicatorJSON(1, "[ipv4-addr:value = '192.0.2.1']", nil))
	f.Add(indicatorJSON(2, "[domain-name:value = 'x\u00e9\\'.example']", map[string]any{"revoked": true, "valid_until": "2027-01-01T00:00:00Z",
		"granular_markings": []map[string]any{{"marking_ref": "marking-definition--x", "selectors": []string{"name"}}}}))
	f.Add([]byte(`{"type":"indicator","id":"indicator--1","pattern":"\ud83d\ude00","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","id":"indicator--2"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ind, err := sensor.ParseIndicator(raw)
		var ref struct {
			Type, ID, Name, Pattern string
			PatternType             string `json:"pattern_type"`
			Revoked                 bool
		}
		if json.Unmarshal(raw, &ref) != nil || ref.Type != "indicator" {
			return
		}
		if err != nil {
			return // a property the reader requires is missing or malformed
		}
		if ind.ID != ref.ID || ind.Name != ref.Name || ind.Pattern != ref.Pattern || ind.PatternType != ref.PatternType || ind.Revoked != ref.Revoked {
			t.Errorf("read %+v, encoding/json reads %+v", ind, ref)
		}
	})
}
