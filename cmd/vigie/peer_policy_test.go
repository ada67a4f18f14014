package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestPeerPolicyCommands: set, show (text and JSON), replace and clear an
// organisation's egress policy; each mistake is refused with a message
// that says what to do, and leaves the policy as it was; every change is
// audited.
func TestPeerPolicyCommands(t *testing.T) {
	dir := t.TempDir()
	adm := func(args ...string) []string { return append([]string{"admin", "--data", dir}, args...) }
	mustRun(t, adm("init")...)
	mustRun(t, adm("org", "add", "hub-A")...)
	sud := strings.TrimSpace(mustRun(t, adm("org", "add", "CERT-Sud")...))
	foreign := "identity--0f0f0f0f-0000-4000-8000-000000000001"

	out := mustRun(t, adm("peer", "policy", "set", "hub-A", "--types", "indicator,malware", "--types", "vulnerability",
		"--max-tlp", "CLEAR", "--exclude-org", "CERT-Sud", "--exclude-org", foreign)...)
	if !strings.Contains(out, "max TLP       clear") || !strings.Contains(out, "CERT-Sud ("+sud+")") {
		t.Errorf("peer policy set printed:\n%s", out)
	}
	var v policyView
	if err := json.Unmarshal([]byte(mustRun(t, adm("peer", "policy", "show", "hub-A", "--json")...)), &v); err != nil {
		t.Fatal(err)
	}
	if strings.Join(v.Types, ",") != "indicator,malware,vulnerability" || v.MaxTLP != "clear" || len(v.ExcludeOrgs) != 2 ||
		v.ExcludeOrgs[0] != (orgLabel{ID: sud, Name: "CERT-Sud"}) || v.ExcludeOrgs[1] != (orgLabel{ID: foreign}) {
		t.Errorf("peer policy show --json = %+v", v)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"amber ceiling", adm("peer", "policy", "set", "hub-A", "--max-tlp", "amber"), "never reads above TLP:GREEN"},
		{"red ceiling", adm("peer", "policy", "set", "hub-A", "--max-tlp", "TLP:RED"), "never reads above TLP:GREEN"},
		{"unknown ceiling", adm("peer", "policy", "set", "hub-A", "--max-tlp", "blue"), "want clear or green"},
		{"unknown org", adm("peer", "policy", "set", "nobody", "--max-tlp", "clear"), `no organisation "nobody"`},
		{"unknown org shown", adm("peer", "policy", "show", "nobody"), `no organisation "nobody"`},
		{"unknown excluded org", adm("peer", "policy", "set", "hub-A", "--exclude-org", "CERT-Nowhere"), "no such organisation"},
		{"malformed type", adm("peer", "policy", "set", "hub-A", "--types", "Indicator%"), "want a STIX type"},
		{"allowed and denied", adm("peer", "policy", "set", "hub-A", "--types", "tool", "--deny-types", "tool"), "both allowed and denied"},
		{"no option", adm("peer", "policy", "set", "hub-A"), "give at least one of"},
		{"no verb", adm("peer", "policy"), "want set, show or clear"},
		{"bad verb", adm("peer", "policy", "drop", "hub-A"), "want set, show or clear"},
		{"no org", adm("peer", "policy", "show"), "want exactly one ORG"},
		{"unknown push peer", adm("peer", "policy", "set", "hub-z", "--push", "--max-tlp", "clear"), `no peer "hub-z"`},
	} {
		code, _, errs := run(t, tc.args...)
		if code == 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want an error saying %q", tc.name, code, errs, tc.want)
		}
	}
	if again := mustRun(t, adm("peer", "policy", "show", "hub-A")...); !strings.Contains(again, "indicator, malware, vulnerability") {
		t.Errorf("after refused changes, the policy is:\n%s", again)
	}

	mustRun(t, adm("peer", "policy", "set", "hub-A", "--deny-types", "report")...) // replaces the whole policy
	if err := json.Unmarshal([]byte(mustRun(t, adm("peer", "policy", "show", "hub-A", "--json")...)), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Types) != 0 || strings.Join(v.DenyTypes, ",") != "report" || v.MaxTLP != "green" || len(v.ExcludeOrgs) != 0 {
		t.Errorf("after set --deny-types report: %+v; want only that", v)
	}
	mustRun(t, adm("peer", "policy", "clear", "hub-A")...)
	if out := mustRun(t, adm("peer", "policy", "show", "hub-A")...); !strings.Contains(out, "no egress policy") {
		t.Errorf("after clear: %s", out)
	}
	audit := mustRun(t, adm("audit", "--json")...)
	if n := strings.Count(audit, `"peer.policy"`); n != 3 {
		t.Errorf("%d peer.policy audit entries; want 3 (set, set, clear)", n)
	}
}

// TestPeerAddPushPolicy: a push peer takes the policy options and keeps
// them; a pulled peer refuses them; "peer policy set --push" changes them.
func TestPeerAddPushPolicy(t *testing.T) {
	dir := t.TempDir()
	adm := func(args ...string) []string { return append([]string{"admin", "--data", dir}, args...) }
	mustRun(t, adm("init")...)
	local := strings.TrimSpace(mustRun(t, adm("collection", "add", "--root", "coalition", "--title", "Out", "--read", "public", "--write", "none")...))
	base := adm("peer", "add", "hub-c", "--url", "https://hub-c:8443/coalition/", "--key", "vigie_abcdefgh_topsecretvalue",
		"--remote-collection", "5f0c1b2a-0000-4000-8000-000000000001", "--local-collection", local)
	if code, _, errs := run(t, append(base, "--types", "indicator")...); code == 0 || !strings.Contains(errs, "need --push") {
		t.Errorf("a policy on a pulled peer: exit %d %q", code, errs)
	}
	if code, _, errs := run(t, append(base, "--push", "--max-tlp", "amber")...); code == 0 || !strings.Contains(errs, "never reads above TLP:GREEN") {
		t.Errorf("peer add --push --max-tlp amber: exit %d %q", code, errs)
	}
	mustRun(t, append(base, "--push", "--types", "indicator", "--max-tlp", "clear")...)
	var v policyView
	if err := json.Unmarshal([]byte(mustRun(t, adm("peer", "policy", "show", "hub-c", "--push", "--json")...)), &v); err != nil {
		t.Fatal(err)
	}
	if v.Peer != "hub-c" || strings.Join(v.Types, ",") != "indicator" || v.MaxTLP != "clear" {
		t.Errorf("push peer policy = %+v", v)
	}
	mustRun(t, adm("peer", "policy", "set", "hub-c", "--push", "--deny-types", "malware")...)
	if err := json.Unmarshal([]byte(mustRun(t, adm("peer", "policy", "show", "hub-c", "--push", "--json")...)), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Types) != 0 || strings.Join(v.DenyTypes, ",") != "malware" || v.MaxTLP != "green" {
		t.Errorf("after peer policy set --push: %+v", v)
	}
	// A pulled peer has no policy of ours to change.
	mustRun(t, adm("peer", "add", "hub-d", "--url", "https://hub-d:8443/coalition/", "--key", "vigie_abcdefgh_topsecretvalue",
		"--remote-collection", "5f0c1b2a-0000-4000-8000-000000000002", "--local-collection", local)...)
	if code, _, errs := run(t, adm("peer", "policy", "set", "hub-d", "--push", "--types", "indicator")...); code == 0 || !strings.Contains(errs, "this hub pulls from it") {
		t.Errorf("policy on a pulled peer: exit %d %q", code, errs)
	}
	if audit := mustRun(t, adm("audit", "--json")...); strings.Count(audit, `"peer.policy"`) != 1 || strings.Contains(audit, "topsecret") {
		t.Errorf("audit: want one peer.policy entry and never the key:\n%s", audit)
	}
}
