package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/taxii"
)

// foreignOrg is the origin organisation of a relayed object: an
// organisation of another hub, not of this one.
const foreignOrg = "identity--f0000000-0000-4000-8000-00000000000f"

// policyObject is one object of the egress policy matrix and whether each
// peer reads it, written out from the policies below (not computed by the
// code under test):
//
//	P  types indicator, ceiling CLEAR, excludes B and the foreign origin
//	R  denies malware
//	N  no policy (the control: a member peer without narrowing)
type policyObject struct {
	name   string
	id     string
	sees   string // among "PRN"
	post   func(f *fixture, obj map[string]any)
	object map[string]any
}

func malware(uuid string, props map[string]any) map[string]any {
	o := map[string]any{"type": "malware", "spec_version": "2.1", "id": "malware--" + uuid,
		"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": "Flame", "is_family": true}
	for k, v := range props {
		o[k] = v
	}
	return o
}

// policyMatrix publishes the matrix into f.shared and returns it.
func policyMatrix(t *testing.T, f *fixture) []policyObject {
	byA := func(f *fixture, o map[string]any) { f.post(f.shared, "A", o) }
	byB := func(f *fixture, o map[string]any) { f.post(f.shared, "B", o) }
	relayed := func(f *fixture, o map[string]any) {
		raw, _ := json.Marshal(o)
		peer := &vigie.Peer{Name: "upstream", LocalCollection: f.shared.ID}
		st, err := f.hub.Relay(ctx, hub.Console(), peer, []hub.RelayItem{{ID: o["id"].(string), Raw: raw,
			OriginHub: "0f0f0f0f-0000-4000-8000-000000000000", OriginOrg: foreignOrg, OriginOrgName: "Foreign CERT"}})
		if err != nil || st.Stored != 1 {
			t.Fatalf("relaying %s: %+v %v", o["id"], st, err)
		}
	}
	// copyOfB: an SCO B published first (B owns it), copied by A into
	// the shared collection: published by A, owned by B.
	copyOfB := func(f *fixture, o map[string]any) {
		bOnly := f.mustCollection("B only", "org:B", "org:B")
		f.post(bOnly, "B", o)
		if st := f.post(f.shared, "A", o); st.SuccessCount != 1 {
			t.Fatalf("A copying B's SCO: %+v", st)
		}
	}
	clear := map[string]any{"object_marking_refs": []string{vigie.MarkingClear}}
	green := map[string]any{"object_marking_refs": []string{vigie.MarkingGreen}}
	amber := map[string]any{"object_marking_refs": []string{vigie.MarkingAmber}}
	u := func(i int) string { return fmt.Sprintf("70000000-0000-4000-8000-%012d", i) }
	m := []policyObject{
		{name: "indicator CLEAR by A", sees: "PRN", post: byA, object: indicator(u(1), clear)},
		{name: "indicator GREEN by A (above P's ceiling)", sees: "RN", post: byA, object: indicator(u(2), green)},
		{name: "indicator unmarked by A (default GREEN)", sees: "RN", post: byA, object: indicator(u(3), nil)},
		{name: "indicator AMBER by A", sees: "", post: byA, object: indicator(u(4), amber)},
		{name: "malware CLEAR by A (not in P's types, R denies it)", sees: "N", post: byA, object: malware(u(5), clear)},
		{name: "indicator CLEAR by B (P excludes B)", sees: "RN", post: byB, object: indicator(u(6), clear)},
		{name: "malware GREEN by B", sees: "N", post: byB, object: malware(u(7), green)},
		{name: "indicator CLEAR relayed from the excluded origin", sees: "RN", post: relayed, object: indicator(u(8), clear)},
		{name: "ipv4-addr CLEAR owned by B, copied by A", sees: "RN", post: copyOfB,
			object: map[string]any{"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--7a7a7a7a-0000-5000-8000-000000000001",
				"value": "198.51.100.9", "object_marking_refs": []string{vigie.MarkingClear}}},
	}
	for i := range m {
		m[i].id = m[i].object["id"].(string)
		m[i].post(f, m[i].object)
	}
	return m
}

// setPolicies gives peers P, R and N (all members of ab) their policies.
func setPolicies(t *testing.T, f *fixture) {
	for _, name := range []string{"P", "R", "N"} {
		f.addPeerKey(name, true)
	}
	for org, pol := range map[string]vigie.EgressPolicy{
		"P": {Types: []string{"indicator", "ipv4-addr"}, MaxTLP: vigie.TLPClear, ExcludeOrgs: []string{"B", foreignOrg}},
		"R": {DenyTypes: []string{"malware"}},
	} {
		if _, _, err := f.hub.SetEgressPolicy(ctx, hub.Console(), org, pol); err != nil {
			t.Fatal(err)
		}
	}
}

// peerReads reports, per read path, whether who reads object id of c.
func peerReads(t *testing.T, f *fixture, c *vigie.Collection, id, who string) map[string]bool {
	t.Helper()
	base := "/" + c.Root + "/collections/" + c.ID
	got := map[string]bool{}
	for what, path := range map[string]string{
		"objects":              base + "/objects/",
		"objects all versions": base + "/objects/?match[version]=all",
		"objects by id":        base + "/objects/?match[id]=" + id,
		"manifest":             base + "/manifest/",
		"manifest first":       base + "/manifest/?match[version]=first",
	} {
		r := f.do("GET", path, who, nil)
		if r.status != http.StatusOK {
			t.Fatalf("%s as %s: %d %s", what, who, r.status, r.body)
		}
		var env struct {
			Objects []struct {
				ID string `json:"id"`
			} `json:"objects"`
		}
		r.decode(t, &env)
		for _, o := range env.Objects {
			got[what] = got[what] || o.ID == id
		}
	}
	for what, path := range map[string]string{"object": base + "/objects/" + id + "/", "versions": base + "/objects/" + id + "/versions/"} {
		r := f.do("GET", path, who, nil)
		if r.status != http.StatusOK && r.status != http.StatusNotFound {
			t.Fatalf("%s as %s: %d %s", what, who, r.status, r.body)
		}
		got[what] = r.status == http.StatusOK
	}
	return got
}

// TestPeerEgressPolicyMatrix holds each peer key to its organisation's
// egress policy on every read path: peer × object (type, marking,
// publisher, owner, relayed origin) × endpoint, then the tombstones of
// the same objects and the wake-up.
func TestPeerEgressPolicyMatrix(t *testing.T) {
	f := newFixture(t)
	setPolicies(t, f)
	m := policyMatrix(t, f)
	for _, o := range m {
		for _, who := range []string{"P", "R", "N"} {
			want := slices.Contains([]byte(o.sees), who[0])
			for path, got := range peerReads(t, f, f.shared, o.id, who) {
				if got != want {
					t.Errorf("%s / peer %s / %s: reads it = %v, want %v", o.name, who, path, got, want)
				}
			}
		}
	}
	// A member reads them all (policies bind peers only).
	for _, o := range m {
		if got := peerReads(t, f, f.shared, o.id, "B")["object"]; !got {
			t.Errorf("%s: member B does not read it; a peer policy must not narrow members", o.name)
		}
	}

	// Tombstones: delete everything; each peer sees those of what it
	// could read, and not one id of the others.
	for _, o := range m {
		q := &vigie.ObjectQuery{Collection: f.shared.ID, IDs: []string{o.id}}
		if _, err := f.hub.Delete(ctx, hub.Console(), f.shared.Root, q, "test: tombstones of the policy matrix"); err != nil {
			t.Fatalf("deleting %s: %v", o.id, err)
		}
	}
	for _, who := range []string{"P", "R", "N"} {
		var want []string
		for _, o := range m {
			if slices.Contains([]byte(o.sees), who[0]) {
				want = append(want, o.id)
			}
		}
		got := tombstoneIDs(t, f, f.shared, who)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("peer %s's tombstones %v, want %v", who, got, want)
		}
	}

	// The wake-up: news a peer's policy filters out does not wake it.
	fresh := f.mustCollection("Fresh", "community:ab", "community:ab")
	since := taxii.FormatTimestamp(time.Now().Add(-time.Minute))
	waitPath := "/" + fresh.Root + "/collections/" + fresh.ID + "/x-vigie-wait/?timeout=0&added_after=" + since + "&tombstones_after=" + since
	steps := []struct {
		name  string
		who   string
		obj   map[string]any
		woken string // the peers woken after this step, cumulative
	}{
		{"GREEN indicator by A", "A", indicator("71000000-0000-4000-8000-000000000001", map[string]any{"object_marking_refs": []string{vigie.MarkingGreen}}), "RN"},
		{"CLEAR malware by A", "A", malware("71000000-0000-4000-8000-000000000002", map[string]any{"object_marking_refs": []string{vigie.MarkingClear}}), "RN"},
		{"CLEAR indicator by B", "B", indicator("71000000-0000-4000-8000-000000000003", map[string]any{"object_marking_refs": []string{vigie.MarkingClear}}), "RN"},
		{"CLEAR indicator by A", "A", indicator("71000000-0000-4000-8000-000000000004", map[string]any{"object_marking_refs": []string{vigie.MarkingClear}}), "PRN"},
	}
	if waitChanged(t, f, waitPath, "N") {
		t.Fatal("an empty collection woke peer N")
	}
	for _, s := range steps {
		f.post(fresh, s.who, s.obj)
		for _, who := range []string{"P", "R", "N"} {
			if got, want := waitChanged(t, f, waitPath, who), slices.Contains([]byte(s.woken), who[0]); got != want {
				t.Errorf("after %s: peer %s woken = %v, want %v", s.name, who, got, want)
			}
		}
	}
	// R alone: the malware must not wake it on its own.
	lone := f.mustCollection("Lone", "community:ab", "community:ab")
	f.post(lone, "A", malware("72000000-0000-4000-8000-000000000001", map[string]any{"object_marking_refs": []string{vigie.MarkingClear}}))
	lonePath := "/" + lone.Root + "/collections/" + lone.ID + "/x-vigie-wait/?timeout=0&added_after=" + since + "&tombstones_after=" + since
	if waitChanged(t, f, lonePath, "R") || waitChanged(t, f, lonePath, "P") || !waitChanged(t, f, lonePath, "N") {
		t.Error("a malware object: want only N woken (R denies malware, P allows indicators)")
	}
	// Its tombstone neither: the wake-up on tombstones alone (objects
	// asked after now), then the tombstones feed itself.
	if r := f.do("DELETE", objectsPath(lone)+"malware--72000000-0000-4000-8000-000000000001/", "A", nil); r.status != http.StatusOK {
		t.Fatalf("DELETE: %d %s", r.status, r.body)
	}
	tombPath := "/" + lone.Root + "/collections/" + lone.ID + "/x-vigie-wait/?timeout=0&added_after=" + taxii.FormatTimestamp(time.Now().Add(time.Hour)) + "&tombstones_after=" + since
	if waitChanged(t, f, tombPath, "R") || waitChanged(t, f, tombPath, "P") || !waitChanged(t, f, tombPath, "N") {
		t.Error("a malware tombstone: want only N woken")
	}
	if got := tombstoneIDs(t, f, lone, "R"); len(got) != 0 {
		t.Errorf("R sees the malware's tombstone: %v", got)
	}
}

// TestPeerPolicyNarrowedVersion: an object at CLEAR whose new version is
// GREEN is retracted from a peer whose ceiling is CLEAR (gone from its
// reads, a retraction in its tombstone feed), not from a peer that reads
// GREEN; a third version at AMBER retracts the earlier ones from every
// peer.
func TestPeerPolicyNarrowedVersion(t *testing.T) {
	f := newFixture(t)
	setPolicies(t, f)
	uuid := "73000000-0000-4000-8000-000000000001"
	id := "indicator--" + uuid
	v1, v2, v3 := "2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"
	f.post(f.shared, "A", indicator(uuid, map[string]any{"object_marking_refs": []string{vigie.MarkingClear}}))
	if got := peerReads(t, f, f.shared, id, "P"); !got["object"] {
		t.Fatal("P does not read the CLEAR version")
	}
	f.post(f.shared, "A", indicator(uuid, map[string]any{"object_marking_refs": []string{vigie.MarkingGreen}, "modified": v2}))
	versions := func(who string) []string {
		var vs taxii.Versions
		r := f.do("GET", objectsPath(f.shared)+id+"/versions/", who, nil)
		if r.status == http.StatusOK {
			r.decode(t, &vs)
		}
		return vs.Versions
	}
	retractions := func(who string) []string {
		r := f.do("GET", "/"+f.shared.Root+"/collections/"+f.shared.ID+"/x-vigie-tombstones/", who, nil)
		var ts taxii.Tombstones
		r.decode(t, &ts)
		var out []string
		for _, tb := range ts.Tombstones {
			out = append(out, tb.Kind+" "+tb.Version)
		}
		return out
	}
	for who, want := range map[string][]string{"P": nil, "R": {v1, v2}, "N": {v1, v2}, "B": {v1, v2}} {
		if got := versions(who); !slices.Equal(got, want) {
			t.Errorf("after GREEN: %s reads versions %v, want %v", who, got, want)
		}
	}
	for who, want := range map[string][]string{"P": {"retracted " + v1}, "N": nil} {
		if got := retractions(who); !slices.Equal(got, want) {
			t.Errorf("after GREEN: %s's tombstones %v, want %v", who, got, want)
		}
	}
	for path, got := range peerReads(t, f, f.shared, id, "P") {
		if got {
			t.Errorf("after GREEN: P still reads the object on %s", path)
		}
	}
	f.post(f.shared, "A", indicator(uuid, map[string]any{"object_marking_refs": []string{vigie.MarkingAmber}, "modified": v3}))
	for who, want := range map[string][]string{"P": nil, "N": nil, "B": {v1, v2, v3}} {
		if got := versions(who); !slices.Equal(got, want) {
			t.Errorf("after AMBER: %s reads versions %v, want %v", who, got, want)
		}
	}
	if got, want := retractions("N"), []string{"retracted " + v1, "retracted " + v2}; !slices.Equal(got, want) {
		t.Errorf("after AMBER: N's tombstones %v, want %v", got, want)
	}
	if got := retractions("P"); len(got) == 0 || slices.Contains(got, "retracted "+v2) {
		t.Errorf("after AMBER: P's tombstones %v: want v1's retraction(s) only (it never read v2)", got)
	}
}

// TestPeerPolicyAppliesAtOnce: a policy set while a peer reads applies
// from its next request, and clearing it restores the grants' view.
func TestPeerPolicyAppliesAtOnce(t *testing.T) {
	f := newFixture(t)
	f.addPeerKey("P", true)
	f.post(f.shared, "A", malware("74000000-0000-4000-8000-000000000001", map[string]any{"object_marking_refs": []string{vigie.MarkingClear}}))
	id := "malware--74000000-0000-4000-8000-000000000001"
	if !peerReads(t, f, f.shared, id, "P")["object"] {
		t.Fatal("P does not read the malware before any policy")
	}
	if _, _, err := f.hub.SetEgressPolicy(ctx, hub.Console(), "P", vigie.EgressPolicy{Types: []string{"indicator"}}); err != nil {
		t.Fatal(err)
	}
	if peerReads(t, f, f.shared, id, "P")["object"] {
		t.Error("P still reads the malware after its policy allowed only indicators")
	}
	if _, _, err := f.hub.SetEgressPolicy(ctx, hub.Console(), "P", vigie.EgressPolicy{}); err != nil {
		t.Fatal(err)
	}
	if !peerReads(t, f, f.shared, id, "P")["object"] {
		t.Error("P does not read the malware after its policy was cleared")
	}
}
