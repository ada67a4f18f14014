package server_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/vigie-cti/vigie/taxii"
)

const (
	mitreIdentity = "identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5"
	mitreMarking  = "marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168"
)

// attackBundle returns objects in the shape of a MITRE ATT&CK release:
// MITRE's identity and its own statement marking, attack patterns,
// intrusion sets and malware with x_mitre_* properties, the custom
// x-mitre-tactic and x-mitre-matrix objects, and thousands of
// relationships, all created by MITRE.
func attackBundle() []map[string]any {
	id := func(typ string, n int) string { return fmt.Sprintf("%s--a77ac4e0-0000-4000-8000-%012d", typ, n) }
	common := func(typ string, n int, props map[string]any) map[string]any {
		o := map[string]any{
			"type": typ, "spec_version": "2.1", "id": id(typ, n), "created": "2017-05-31T21:30:19.735Z", "modified": "2025-04-15T19:58:09.815Z",
			"created_by_ref": mitreIdentity, "object_marking_refs": []string{mitreMarking},
			"x_mitre_version": "1.2", "x_mitre_attack_spec_version": "3.2.0", "x_mitre_domains": []string{"ics-attack"},
			"x_mitre_modified_by_ref": mitreIdentity,
			"external_references":     []any{map[string]any{"source_name": "mitre-attack", "external_id": fmt.Sprintf("T%04d", n), "url": fmt.Sprintf("https://attack.mitre.org/techniques/T%04d", n)}},
		}
		for k, v := range props {
			o[k] = v
		}
		return o
	}
	objs := []map[string]any{
		{"type": "marking-definition", "spec_version": "2.1", "id": mitreMarking, "created": "2017-06-01T00:00:00.000Z", "created_by_ref": mitreIdentity,
			"definition_type": "statement", "definition": map[string]any{"statement": "Copyright 2015-2025, The MITRE Corporation. MITRE ATT&CK and ATT&CK are registered trademarks of The MITRE Corporation."}},
		{"type": "identity", "spec_version": "2.1", "id": mitreIdentity, "created": "2017-06-01T00:00:00.000Z", "modified": "2025-04-15T19:58:09.815Z",
			"name": "The MITRE Corporation", "identity_class": "organization", "object_marking_refs": []string{mitreMarking}, "x_mitre_attack_spec_version": "3.2.0"},
	}
	var tactics []string
	for n := 0; n < 12; n++ {
		o := common("x-mitre-tactic", n, map[string]any{"name": fmt.Sprintf("Tactic %d", n), "x_mitre_shortname": fmt.Sprintf("tactic-%d", n)})
		tactics = append(tactics, o["id"].(string))
		objs = append(objs, o)
	}
	objs = append(objs, common("x-mitre-matrix", 0, map[string]any{"name": "ICS ATT&CK", "tactic_refs": tactics}))
	var techniques, actors []string
	for n := 0; n < 300; n++ {
		o := common("attack-pattern", n, map[string]any{"name": fmt.Sprintf("Technique %d", n),
			"kill_chain_phases": []any{map[string]any{"kill_chain_name": "mitre-ics-attack", "phase_name": fmt.Sprintf("tactic-%d", n%12)}},
			"x_mitre_platforms": []string{"Windows", "Control Server"}, "x_mitre_is_subtechnique": false, "x_mitre_data_sources": []string{"Process: Process Creation"}})
		techniques = append(techniques, o["id"].(string))
		objs = append(objs, o)
	}
	for n := 0; n < 60; n++ {
		objs = append(objs, common("intrusion-set", n, map[string]any{"name": fmt.Sprintf("Group %d", n), "aliases": []string{fmt.Sprintf("Group %d", n)}}))
		objs = append(objs, common("malware", n, map[string]any{"name": fmt.Sprintf("Software %d", n), "is_family": true, "x_mitre_aliases": []string{fmt.Sprintf("Software %d", n)}}))
		actors = append(actors, id("intrusion-set", n), id("malware", n))
	}
	for n := 0; n < 3000; n++ {
		objs = append(objs, common("relationship", n, map[string]any{"relationship_type": "uses",
			"source_ref": actors[n%len(actors)], "target_ref": techniques[(n*7)%len(techniques)],
			"description": "[Group](https://attack.mitre.org/groups/G0000) has used this technique.(Citation: Report)"}))
	}
	return objs
}

// TestThirdPartyBundle: a member relays a whole ATT&CK-shaped bundle
// authored by MITRE; another member re-posting the same versions is told
// they are stored already, and may not post a new version of them.
func TestThirdPartyBundle(t *testing.T) {
	onBothStores(t, func(t *testing.T, f *fixture) {
		objs := attackBundle()
		st := f.post(f.shared, "A", objs...)
		if st.SuccessCount != len(objs) || st.FailureCount != 0 {
			t.Fatalf("alpha relays the bundle: %d of %d stored; failures %+v", st.SuccessCount, len(objs), st.Failures)
		}
		for _, d := range st.Successes {
			if d.Message != "" {
				t.Fatalf("alpha's first post: %s %q", d.ID, d.Message)
			}
		}
		st = f.post(f.shared, "B", objs...)
		if st.SuccessCount != len(objs) || st.FailureCount != 0 {
			t.Fatalf("bravo re-posts the bundle: %d of %d successes; failures %+v", st.SuccessCount, len(objs), st.Failures[:min(3, len(st.Failures))])
		}
		for _, d := range st.Successes {
			if d.Message != "this version was already stored" {
				t.Fatalf("bravo's re-post of %s: %q, want it already stored", d.ID, d.Message)
			}
		}
		newer := objs[20]
		newer["modified"] = "2025-10-01T00:00:00.000Z"
		if got := outcome(t, f.post(f.shared, "B", newer), newer["id"].(string)); got != "refused: belongs to another organisation" {
			t.Errorf("bravo's new version of a relayed technique: %q", got)
		}
		// Readers see who relayed it.
		r := f.do("GET", "/"+f.shared.Root+"/collections/"+f.shared.ID+"/manifest/?match[id]="+newer["id"].(string), "B", nil)
		var m taxii.Manifest
		r.decode(t, &m)
		if r.status != http.StatusOK || len(m.Objects) != 1 || m.Objects[0].RelayedBy != f.orgs["A"].ID || m.Objects[0].Version != "2025-04-15T19:58:09.815Z" {
			t.Errorf("manifest of a relayed technique: %d %s; want alpha as its relay", r.status, r.body)
		}
	})
}
