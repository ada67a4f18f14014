package misp_test

import (
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/misp"
)

func byID(objs []map[string]any) map[string]map[string]any {
	m := map[string]map[string]any{}
	for _, o := range objs {
		m[o["id"].(string)] = o
	}
	return m
}

func strs(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		out = append(out, x.(string))
	}
	return out
}

// TestConvertConventions checks, on one event, each misp-stix convention
// a MISP user relies on. The event's tags come after its attributes in
// the file, as MISP writes them.
func TestConvertConventions(t *testing.T) {
	sum, objs := convertFile(t, "testdata/scenarios/published_amber.json")
	o := byID(objs)
	const author = "identity--a0c22599-9e58-4da4-96ac-7051603fa951"
	amber := []string{vigie.MarkingAmberTLP1}

	rep := o["report--5e1b4c1e-1111-4a4a-9c9c-0123456789ab"]
	if rep == nil {
		t.Fatalf("published event: no report with the event's UUID among %d objects", len(objs))
	}
	if rep["name"] != "Lantern C2 infrastructure" || rep["created_by_ref"] != author || rep["published"] != "2025-11-30T01:00:00Z" {
		t.Errorf("report: %v", rep)
	}
	if diff := cmp.Diff(amber, strs(rep["object_marking_refs"])); diff != "" {
		t.Errorf("report markings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"type:OSINT", `misp-galaxy:threat-actor="Lantern Team"`}, strs(rep["labels"])); diff != "" {
		t.Errorf("report labels (-want +got):\n%s", diff)
	}
	if id := o[author]; id == nil || id["name"] != "CIRCL" {
		t.Errorf("Orgc identity: %v", id)
	}

	ind := o["indicator--aaaaaaaa-0001-4000-8000-000000000001"]
	if ind == nil || ind["pattern"] != "[ipv4-addr:value = '203.0.113.7']" || ind["description"] != "C2 server" {
		t.Fatalf("to_ids ip-dst: %v", ind)
	}
	if diff := cmp.Diff(amber, strs(ind["object_marking_refs"])); diff != "" {
		t.Errorf("attribute inherits the event's TLP (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{`misp:type="ip-dst"`, `misp:category="Network activity"`}, strs(ind["labels"])); diff != "" {
		t.Errorf("indicator labels (-want +got):\n%s", diff)
	}

	od := o["observed-data--aaaaaaaa-0002-4000-8000-000000000002"]
	if od == nil {
		t.Fatal("no observed-data for the domain without to_ids")
	}
	if diff := cmp.Diff([]string{"domain-name--aaaaaaaa-0002-4000-8000-000000000002"}, strs(od["object_refs"])); diff != "" {
		t.Errorf("observed-data refs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{vigie.MarkingRedTLP1}, strs(od["object_marking_refs"])); diff != "" {
		t.Errorf("attribute tlp:red wins over the event's amber (-want +got):\n%s", diff)
	}
	if !slices.Contains(strs(od["labels"]), "kill-chain:command-and-control") {
		t.Errorf("attribute tag not a label: %v", od["labels"])
	}
	if d := o["domain-name--aaaaaaaa-0002-4000-8000-000000000002"]; d == nil || d["value"] != "lantern.example" {
		t.Errorf("domain SCO: %v", d)
	}

	if h := o["indicator--aaaaaaaa-0003-4000-8000-000000000003"]; h == nil ||
		h["pattern"] != "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']" {
		t.Errorf("sha256 indicator: %v", h)
	}
	if ap := o["attack-pattern--7e150503-88e7-4861-866b-ff1ac82c4475"]; ap == nil || ap["name"] != "Phishing - T1566" {
		t.Errorf("attribute galaxy: %v", ap)
	}
	if ta := o["threat-actor--7cdff317-a673-4474-84ec-4f1754947823"]; ta == nil || ta["name"] != "Lantern Team" {
		t.Errorf("event galaxy: %v", ta)
	}
	s := o["sighting--bbbbbbbb-0001-4000-8000-000000000001"]
	if s == nil || s["sighting_of_ref"] != "indicator--aaaaaaaa-0003-4000-8000-000000000003" ||
		!slices.Equal(strs(s["where_sighted_refs"]), []string{"identity--cccccccc-0001-4000-8000-000000000001"}) {
		t.Errorf("sighting: %v", s)
	}
	if o["sighting--bbbbbbbb-0002-4000-8000-000000000002"] != nil {
		t.Error("a false-positive sighting became a sighting")
	}

	if del := o["indicator--aaaaaaaa-0004-4000-8000-000000000004"]; del == nil || del["revoked"] != true {
		t.Errorf("deleted attribute: want a revoked indicator, got %v", del)
	}
	if y := o["indicator--aaaaaaaa-0006-4000-8000-000000000006"]; y == nil || y["pattern_type"] != "yara" {
		t.Errorf("yara: %v", y)
	}
	if d := o["domain-name--aaaaaaaa-0007-4000-8000-000000000007"]; d == nil || len(strs(d["resolves_to_refs"])) != 1 {
		t.Errorf("domain|ip: %v", d)
	}

	file := o["indicator--dddddddd-0001-4000-8000-000000000001"]
	if file == nil || file["pattern"] != "[file:name = 'lantern.exe' AND file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']" {
		t.Errorf("file object: %v", file)
	}
	net := o["observed-data--dddddddd-0002-4000-8000-000000000002"]
	if diff := cmp.Diff([]string{"domain-name--eeeeeeee-0003-4000-8000-000000000003", "ipv4-addr--eeeeeeee-0004-4000-8000-000000000004"}, strs(net["object_refs"])); diff != "" {
		t.Errorf("domain-ip object refs (-want +got):\n%s", diff)
	}
	for _, ref := range strs(rep["object_refs"]) {
		if o[ref] == nil {
			t.Errorf("report refers to %s, which was not emitted", ref)
		}
	}

	want := misp.Count{Total: 11, Mapped: 10, NotMapped: 1, Retracted: 1}
	if diff := cmp.Diff(want, sum.Attributes); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
	if n := sum.Types["text"]; n == nil || n.NotMapped != 1 {
		t.Errorf("text: %+v", n)
	}
	if diff := cmp.Diff(misp.Count{Total: 2, Mapped: 1, NotMapped: 1}, sum.Sightings); diff != "" {
		t.Errorf("sightings (-want +got):\n%s", diff)
	}
}

// TestMemberOrgcNamesNoAuthor: an event created by a member organisation
// of the hub (it came back from a MISP instance) never claims its
// identity.
func TestMemberOrgcNamesNoAuthor(t *testing.T) {
	objs := convertWith(t, "testdata/scenarios/published_amber.json", misp.Options{Members: map[string]bool{"identity--a0c22599-9e58-4da4-96ac-7051603fa951": true}})
	for _, o := range objs {
		if o["created_by_ref"] != nil || o["id"] == "identity--a0c22599-9e58-4da4-96ac-7051603fa951" {
			t.Fatalf("claims the member's identity: %v", o)
		}
	}
}

// TestUnpublishedIsGrouping: an unpublished event becomes a grouping.
func TestUnpublishedIsGrouping(t *testing.T) {
	_, objs := convertFile(t, "testdata/misp-stix/tests/test_events_collection_1.json")
	o := byID(objs)
	g := o["grouping--d402185f-c129-4f65-8678-43edb2cee1cf"]
	if g == nil || g["context"] != "suspicious-activity" {
		t.Fatalf("grouping: %v", g)
	}
	if i := o["indicator--4bb235a7-7d25-4aef-802f-2c6b45c5eceb"]; i == nil || i["pattern"] != "[domain-name:value = 'circl.lu']" {
		t.Errorf("indicator as misp-stix writes it: %v", i)
	}
	if as := o["autonomous-system--2972c3a2-dda3-4de7-aca1-e96cf7ce5544"]; as == nil || as["number"] != float64(174) {
		t.Errorf("AS SCO as misp-stix writes it: %v", as)
	}
}

// TestSCOsCarryTheirAttributeTLP: the value of an AMBER attribute is
// AMBER too (an unmarked SCO would take the hub's default, GREEN).
func TestSCOsCarryTheirAttributeTLP(t *testing.T) {
	_, objs := convertFile(t, "testdata/scenarios/published_amber.json")
	n := 0
	for _, o := range objs {
		switch o["type"] {
		case "domain-name", "ipv4-addr", "ipv6-addr", "file":
			n++
			if len(strs(o["object_marking_refs"])) == 0 {
				t.Errorf("unmarked SCO: %v", o)
			}
		}
	}
	if n == 0 {
		t.Fatal("no SCO")
	}
}

// TestRetraction: a second version of an event, where an attribute was
// deleted, an object lost all its attributes, a tag left an attribute and
// a galaxy left the event, gives new versions that retract each.
func TestRetraction(t *testing.T) {
	v1 := `{"Event": {"uuid": "5e1b4c1e-2222-4a4a-9c9c-0123456789ab", "info": "v", "published": true, "timestamp": "1764460800",
	  "Attribute": [
	    {"uuid": "aaaaaaaa-0001-4000-8000-0000000000a1", "type": "domain", "category": "Network activity", "value": "a.example", "to_ids": true, "timestamp": "1764460800"},
	    {"uuid": "aaaaaaaa-0002-4000-8000-0000000000a2", "type": "domain", "category": "Network activity", "value": "b.example", "to_ids": true, "timestamp": "1764460800", "Tag": [{"name": "tlp:amber"}, {"name": "source:x"}]}],
	  "Object": [{"uuid": "dddddddd-0003-4000-8000-0000000000d3", "name": "file", "timestamp": "1764460800", "Attribute": [
	    {"uuid": "eeeeeeee-0005-4000-8000-0000000000e5", "type": "md5", "category": "Payload delivery", "value": "d41d8cd98f00b204e9800998ecf8427e", "to_ids": true, "timestamp": "1764460800"}]}],
	  "Galaxy": [{"type": "threat-actor", "GalaxyCluster": [{"uuid": "7cdff317-a673-4474-84ec-4f1754947823", "value": "Lantern Team"}]}]}}`
	v2 := `{"Event": {"uuid": "5e1b4c1e-2222-4a4a-9c9c-0123456789ab", "info": "v", "published": true, "timestamp": "1764470000",
	  "Attribute": [
	    {"uuid": "aaaaaaaa-0001-4000-8000-0000000000a1", "type": "domain", "category": "Network activity", "value": "a.example", "to_ids": true, "timestamp": "1764470000", "deleted": true},
	    {"uuid": "aaaaaaaa-0002-4000-8000-0000000000a2", "type": "domain", "category": "Network activity", "value": "b.example", "to_ids": true, "timestamp": "1764470000"}],
	  "Object": [{"uuid": "dddddddd-0003-4000-8000-0000000000d3", "name": "file", "timestamp": "1764470000", "Attribute": [
	    {"uuid": "eeeeeeee-0005-4000-8000-0000000000e5", "type": "md5", "category": "Payload delivery", "value": "d41d8cd98f00b204e9800998ecf8427e", "to_ids": true, "timestamp": "1764470000", "deleted": true}]}],
	  "Galaxy": []}}`
	convert := func(doc string) map[string]map[string]any {
		path := t.TempDir() + "/e.json"
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		_, objs := convertFile(t, path)
		return byID(objs)
	}
	a, b := convert(v1), convert(v2)
	for _, id := range []string{"indicator--aaaaaaaa-0001-4000-8000-0000000000a1", "indicator--dddddddd-0003-4000-8000-0000000000d3"} {
		if a[id]["revoked"] != nil || b[id]["revoked"] != true || b[id]["modified"] == a[id]["modified"] {
			t.Errorf("%s: v1 %v, v2 %v; want v2 a later, revoked version", id, a[id], b[id])
		}
	}
	tagged := "indicator--aaaaaaaa-0002-4000-8000-0000000000a2"
	if !slices.Contains(strs(a[tagged]["labels"]), "source:x") || slices.Contains(strs(b[tagged]["labels"]), "source:x") ||
		len(strs(b[tagged]["object_marking_refs"])) != 0 {
		t.Errorf("removed tags: v1 %v, v2 %v", a[tagged], b[tagged])
	}
	rep := "report--5e1b4c1e-2222-4a4a-9c9c-0123456789ab"
	ta := "threat-actor--7cdff317-a673-4474-84ec-4f1754947823"
	if !slices.Contains(strs(a[rep]["object_refs"]), ta) || slices.Contains(strs(b[rep]["object_refs"]), ta) {
		t.Errorf("removed galaxy still in the report: %v", strs(b[rep]["object_refs"]))
	}
}
