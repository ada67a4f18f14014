package sensor_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/sensor"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// indicatorJSON returns a STIX indicator; extra properties override.
func indicatorJSON(n int, pattern string, extra map[string]any) []byte {
	o := map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", n),
		"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": fmt.Sprintf("ind %d", n),
		"pattern": pattern, "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
	}
	for k, v := range extra {
		if v == nil {
			delete(o, k)
		} else {
			o[k] = v
		}
	}
	b, _ := json.Marshal(o)
	return b
}

// MustMatcher compiles STIX objects into a Matcher valid at now.
func MustMatcher(tb testing.TB, objs ...[]byte) *sensor.Matcher {
	tb.Helper()
	set := sensor.NewSet()
	for _, o := range objs {
		if err := set.AddJSON(o); err != nil {
			tb.Fatal(err)
		}
	}
	active, _, _ := set.Active(now)
	m, errs := sensor.NewMatcher(active, sensor.MatcherOptions{Now: now})
	if len(errs) > 0 {
		tb.Fatal(errs[0])
	}
	return m
}

func TestParseIndicatorMalformed(t *testing.T) {
	tests := []struct {
		name string
		obj  []byte
		want string
	}{
		{"not JSON", []byte(`{"type":`), "stix object"},
		{"bad id", indicatorJSON(1, "[x:y = 'z']", map[string]any{"id": "malware--x"}), "id is not indicator--"},
		{"no pattern", indicatorJSON(1, "", nil), "pattern and pattern_type are required"},
		{"no pattern_type", indicatorJSON(1, "[x:y = 'z']", map[string]any{"pattern_type": nil}), "pattern and pattern_type are required"},
		{"no valid_from", indicatorJSON(1, "[x:y = 'z']", map[string]any{"valid_from": nil}), "valid_from"},
		{"bad valid_until", indicatorJSON(1, "[x:y = 'z']", map[string]any{"valid_until": "yesterday"}), "valid_until"},
		{"bad modified", indicatorJSON(1, "[x:y = 'z']", map[string]any{"modified": "2026-13-01T00:00:00Z"}), "modified"},
	}
	for _, tt := range tests {
		_, err := sensor.ParseIndicator(tt.obj)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	if _, err := sensor.ParseIndicator([]byte(`{"type":"malware","id":"malware--1"}`)); err != sensor.ErrNotIndicator {
		t.Errorf("malware: %v, want ErrNotIndicator", err)
	}
}

func TestParseIndicatorTLP(t *testing.T) {
	ind, err := sensor.ParseIndicator(indicatorJSON(1, "[x:y = 'z']", map[string]any{
		"object_marking_refs": []string{vigie.MarkingGreen},
		"granular_markings":   []map[string]any{{"marking_ref": vigie.MarkingRedTLP1, "selectors": []string{"name"}}},
	}))
	if err != nil {
		t.Fatal(err)
	}
	if ind.TLP != vigie.TLPRed {
		t.Errorf("TLP = %v, want RED (a granular RED marking makes the object RED)", ind.TLP)
	}
}

func TestSetVersionsRevokedExpired(t *testing.T) {
	set := sensor.NewSet()
	add := func(b []byte) {
		t.Helper()
		if err := set.AddJSON(b); err != nil {
			t.Fatal(err)
		}
	}
	add(indicatorJSON(1, "[ipv4-addr:value = '192.0.2.1']", nil))
	add(indicatorJSON(1, "[ipv4-addr:value = '192.0.2.9']", map[string]any{"modified": "2026-02-01T00:00:00.000Z"}))
	add(indicatorJSON(1, "[ipv4-addr:value = '192.0.2.5']", map[string]any{"modified": "2025-12-01T00:00:00.000Z"})) // older: ignored
	add(indicatorJSON(2, "[ipv4-addr:value = '192.0.2.2']", nil))
	add(indicatorJSON(2, "[ipv4-addr:value = '192.0.2.2']", map[string]any{"modified": "2026-02-01T00:00:00.000Z", "revoked": true}))
	add(indicatorJSON(3, "[ipv4-addr:value = '192.0.2.3']", map[string]any{"valid_until": "2026-02-01T00:00:00Z"}))
	add(indicatorJSON(4, "[ipv4-addr:value = '192.0.2.4']", nil))
	add([]byte(`{"type":"identity","id":"identity--1","name":"x"}`))
	active, revoked, expired := set.Active(now)
	var got []string
	for _, ind := range active {
		got = append(got, ind.ID+" "+ind.Pattern)
	}
	want := []string{
		"indicator--00000000-0000-4000-8000-000000000001 [ipv4-addr:value = '192.0.2.9']",
		"indicator--00000000-0000-4000-8000-000000000004 [ipv4-addr:value = '192.0.2.4']",
	}
	if diff := cmp.Diff(want, got); diff != "" || revoked != 1 || expired != 1 {
		t.Errorf("active (-want +got):\n%s\nrevoked %d expired %d, want 1 and 1", diff, revoked, expired)
	}
}

func TestAddDataForms(t *testing.T) {
	a, b := indicatorJSON(1, "[ipv4-addr:value = '192.0.2.1']", nil), indicatorJSON(2, "[ipv4-addr:value = '192.0.2.2']", nil)
	forms := map[string]string{
		"bundle":     `{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[` + string(a) + "," + string(b) + `]}`,
		"array":      "[" + string(a) + "," + string(b) + "]",
		"json lines": string(a) + "\n" + string(b) + "\n",
	}
	for name, data := range forms {
		set := sensor.NewSet()
		if errs := set.AddData([]byte(data)); len(errs) > 0 || set.Len() != 2 {
			t.Errorf("%s: %d indicators, errors %v; want 2 and none", name, set.Len(), errs)
		}
	}
	set := sensor.NewSet()
	errs := set.AddData([]byte(string(a) + "\n{broken\n" + string(b)))
	if set.Len() != 2 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "line 2") {
		t.Errorf("json lines with a broken line: %d indicators, errors %v; want 2 and one naming line 2", set.Len(), errs)
	}
}

func TestMatcherLookup(t *testing.T) {
	m := MustMatcher(t,
		indicatorJSON(1, "[domain-name:value = 'evil.example']", nil),
		indicatorJSON(2, "[ipv4-addr:value ISSUBSET '198.51.100.0/24']", nil),
		indicatorJSON(3, "[file:hashes.MD5 = '44D88612FEA8A8F36DE82E1278ABB02F']", nil),
		indicatorJSON(4, "[url:value = 'http://evil.example/a']", nil),
		indicatorJSON(5, "[ipv4-addr:value = '192.0.2.1' OR domain-name:value = 'other.example']", nil),
		indicatorJSON(6, "[email-addr:value = 'x@evil.example']", nil),
		indicatorJSON(7, "[file:name = 'stage2.bin']", nil),
		indicatorJSON(8, "[ipv6-addr:value = '2001:db8::1']", nil),
	)
	s := m.NewSession()
	tests := []struct {
		kind  sensor.Kind
		value string
		want  []string // indicator numbers and the kind matched
	}{
		{sensor.KindDomain, "a.b.EVIL.example", []string{"1 domain"}},
		{sensor.KindDomain, "notevil.example", nil},
		{sensor.KindIP, "198.51.100.77", []string{"2 ip"}},
		{sensor.KindIP, "198.51.101.1", nil},
		{sensor.KindHash, "44d88612fea8a8f36de82e1278abb02f", []string{"3 md5"}},
		{sensor.KindMD5, "44d88612fea8a8f36de82e1278abb02f", []string{"3 md5"}},
		{sensor.KindHash, "44d88612", nil},
		{sensor.KindURL, "HTTP://EVIL.example:80/a", []string{"4 url"}},
		{sensor.KindIP, "192.0.2.1", []string{"5 ip"}}, // a candidate, confirmed
		{sensor.KindDomain, "other.example", []string{"5 domain"}},
		{sensor.KindEmail, "X@Evil.Example", []string{"6 email"}},
		{sensor.KindFileName, "stage2.bin", []string{"7 file-name"}},
		{sensor.KindFileName, "STAGE2.BIN", nil},
		{sensor.KindIP, "2001:db8:0::1", []string{"8 ip"}},
		{sensor.KindIP, "not an address", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, mt := range s.Lookup(tt.kind, []byte(tt.value)) {
			got = append(got, fmt.Sprintf("%d %s", indicatorNumber(mt.Indicator.ID), mt.Kind))
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Lookup(%s, %q) (-want +got):\n%s", tt.kind, tt.value, diff)
		}
	}
	if got := m.Hashes(); got != sensor.MD5 {
		t.Errorf("Hashes = %v, want MD5 only", got)
	}
}

func indicatorNumber(id string) int {
	var n int
	fmt.Sscanf(id[len(id)-12:], "%d", &n)
	return n
}

func TestMatcherHashesAndKinds(t *testing.T) {
	m, errs := sensor.NewMatcher([]*sensor.Indicator{
		{ID: "indicator--1", PatternType: "stix", Pattern: "[file:hashes.'SHA-256' = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f']"},
		{ID: "indicator--2", PatternType: "stix", Pattern: "[file:hashes.sha1 = '3395856ce81f2b7382dee72602f798b642f14140' AND file:size = 68]"},
		{ID: "indicator--3", PatternType: "yara", Pattern: "rule x { condition: true }"},
		{ID: "indicator--4", PatternType: "sigma", Pattern: "title: x"},
		{ID: "indicator--5", PatternType: "stix", Pattern: "[file:name = "},
	}, sensor.MatcherOptions{Now: now})
	if len(errs) != 1 || errs[0].ID != "indicator--5" {
		t.Fatalf("errors %v, want one for indicator--5", errs)
	}
	if got, want := m.Hashes(), sensor.SHA1|sensor.SHA256; got != want {
		t.Errorf("Hashes = %v, want %v", got, want)
	}
	st := m.Stats()
	if st.STIX != 2 || st.YARA != 1 || st.Unsupported != 1 || !m.NeedsObjects() {
		t.Errorf("stats %+v, NeedsObjects %v; want 2 STIX, 1 YARA, 1 unsupported, and objects needed", st, m.NeedsObjects())
	}
	s := m.NewSession()
	file := map[string]any{"type": "file", "name": "eicar.com", "size": 68, "hashes": map[string]any{
		"SHA-1": "3395856ce81f2b7382dee72602f798b642f14140", "SHA-256": "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"}}
	ms, err := s.LookupObject(file, now)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, mt := range ms {
		ids = append(ids, mt.Indicator.ID)
	}
	slices.Sort(ids)
	if diff := cmp.Diff([]string{"indicator--1", "indicator--2"}, ids); diff != "" {
		t.Errorf("LookupObject (-want +got):\n%s", diff)
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	m := MustMatcher(t, indicatorJSON(1, "[domain-name:value = 'evil.example']", nil), indicatorJSON(2, "[ipv4-addr:value = '192.0.2.1']", nil))
	s := m.NewSession()
	values := [][]byte{[]byte("www.example.org"), []byte("192.0.2.7")}
	kinds := []sensor.Kind{sensor.KindDomain, sensor.KindIP}
	allocs := testing.AllocsPerRun(100, func() {
		for i := range values {
			s.Lookup(kinds[i], values[i])
		}
	})
	if allocs != 0 {
		t.Errorf("Lookup of values that match nothing: %v allocations, want 0", allocs)
	}
}

func TestSightings(t *testing.T) {
	red := &sensor.Indicator{ID: "indicator--r", TLP: vigie.TLPRed, CreatedByRef: "identity--publisher"}
	green := &sensor.Indicator{ID: "indicator--g", TLP: vigie.TLPGreen}
	s := sensor.NewSightings()
	t1, t2, t3 := now.Add(-3*time.Hour), now.Add(-2*time.Hour), now.Add(-time.Hour)
	s.Add(sensor.Hit{Time: t2, Indicator: green})
	s.Add(sensor.Hit{Time: t1, Indicator: red})
	s.Add(sensor.Hit{Time: t3, Indicator: green})
	s.Add(sensor.Hit{Time: t1, Indicator: green})
	n := 0
	objs, err := s.Objects(sensor.SightingOptions{OrgID: "identity--me", Now: now, TLP: vigie.TLPAmber,
		NewID: func() string { n++; return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }})
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	for _, o := range objs {
		var m map[string]any
		json.Unmarshal(o, &m)
		got = append(got, m)
	}
	want := []map[string]any{{
		"type": "sighting", "spec_version": "2.1", "id": "sighting--00000000-0000-4000-8000-000000000001",
		"created": "2026-03-01T12:00:00.000000Z", "modified": "2026-03-01T12:00:00.000000Z",
		"sighting_of_ref": "indicator--g", "count": 3.0,
		"first_seen": "2026-03-01T09:00:00.000000Z", "last_seen": "2026-03-01T11:00:00.000000Z",
		"created_by_ref": "identity--me", "where_sighted_refs": []any{"identity--me"},
		"object_marking_refs": []any{vigie.MarkingAmber},
	}, {
		"type": "sighting", "spec_version": "2.1", "id": "sighting--00000000-0000-4000-8000-000000000002",
		"created": "2026-03-01T12:00:00.000000Z", "modified": "2026-03-01T12:00:00.000000Z",
		"sighting_of_ref": "indicator--r", "count": 1.0,
		"first_seen": "2026-03-01T09:00:00.000000Z", "last_seen": "2026-03-01T09:00:00.000000Z",
		"created_by_ref": "identity--me", "where_sighted_refs": []any{"identity--me"},
		"object_marking_refs": []any{vigie.MarkingRed}, vigie.RecipientsProperty: []any{"identity--publisher"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sightings (-want +got):\n%s", diff)
	}
}

// TestSightingsPeriods: a followed scan reports period by period; what a
// failed report took is put back and goes out with the next one.
func TestSightingsPeriods(t *testing.T) {
	a := &sensor.Indicator{ID: "indicator--a"}
	b := &sensor.Indicator{ID: "indicator--b"}
	t1, t2, t3 := now.Add(-3*time.Hour), now.Add(-2*time.Hour), now.Add(-time.Hour)
	s := sensor.NewSightings()
	s.Add(sensor.Hit{Time: t2, Indicator: a})
	first := s.Take()
	if first.Len() != 1 || s.Len() != 0 || s.Indicators() != 1 {
		t.Fatalf("after Take: taken %d, left %d, indicators %d; want 1, 0, 1", first.Len(), s.Len(), s.Indicators())
	}
	s.Add(sensor.Hit{Time: t3, Indicator: a})
	s.Add(sensor.Hit{Time: t1, Indicator: b})
	s.Restore(first) // the report of the first period failed
	if s.Len() != 2 || s.Indicators() != 2 {
		t.Fatalf("after Restore: %d pending, %d indicators; want 2, 2", s.Len(), s.Indicators())
	}
	objs, err := s.Take().Objects(sensor.SightingOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][3]any{}
	for _, o := range objs {
		var m map[string]any
		json.Unmarshal(o, &m)
		got[m["sighting_of_ref"].(string)] = [3]any{m["count"], m["first_seen"], m["last_seen"]}
	}
	want := map[string][3]any{
		"indicator--a": {2.0, "2026-03-01T10:00:00.000000Z", "2026-03-01T11:00:00.000000Z"},
		"indicator--b": {1.0, "2026-03-01T09:00:00.000000Z", "2026-03-01T09:00:00.000000Z"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("second report (-want +got):\n%s", diff)
	}
	if s.Len() != 0 || s.Indicators() != 2 {
		t.Errorf("after the second Take: %d pending, %d indicators; want 0, 2", s.Len(), s.Indicators())
	}
}
