package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/taxii"
)

// peeredHubs sets up, with the admin commands only, hub B (its CERT
// publishes into "Coalition", which the community "coalition" reads; hub
// A's organisation is in it, with a key of role peer) and hub A (its
// members read "From B"), and registers B as A's peer. The hubs are not
// started.
type peeredHubs struct {
	dirA, dirB, keyB, readerA, collA, collB, orgB string
	peerKey, keyFile                              string
}

func newPeeredHubs(t *testing.T) peeredHubs {
	t.Helper()
	h := peeredHubs{dirA: t.TempDir(), dirB: t.TempDir()}
	b := func(args ...string) string {
		return mustRun(t, append([]string{"admin", "--data", h.dirB}, args...)...)
	}
	a := func(args ...string) string {
		return mustRun(t, append([]string{"admin", "--data", h.dirA}, args...)...)
	}
	b("init")
	h.orgB = strings.TrimSpace(b("org", "add", "CERT-B", "--country", "BE"))
	b("hub", "operator", "CERT-B")
	b("org", "add", "hub-A")
	h.keyB = lastLine(b("key", "add", "--org", "CERT-B", "--role", "publisher"))
	peerKey := lastLine(b("key", "add", "--org", "hub-A", "--role", "peer", "--name", "federation"))
	b("community", "add", "coalition", "--member", "CERT-B,hub-A")
	h.collB = strings.TrimSpace(b("collection", "add", "--root", "coalition", "--title", "Coalition",
		"--read", "community:coalition", "--write", "org:CERT-B"))
	a("init")
	a("org", "add", "CERT-A", "--country", "FR")
	h.readerA = lastLine(a("key", "add", "--org", "CERT-A", "--role", "reader"))
	h.collA = strings.TrimSpace(a("collection", "add", "--root", "coalition", "--title", "From B", "--read", "org:CERT-A", "--write", "none"))
	keyFile := filepath.Join(t.TempDir(), "hub-b.key")
	if err := os.WriteFile(keyFile, []byte(peerKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.peerKey = peerKey
	h.keyFile = keyFile
	return h
}

// addPeer registers B (at url) as A's peer with the admin command.
func (h peeredHubs) addPeer(t *testing.T, url string) {
	t.Helper()
	code, out, errs := run(t, "admin", "--data", h.dirA, "peer", "add", "hub-b", "--url", url+"/coalition/", "--key-file", h.keyFile,
		"--remote-collection", h.collB, "--local-collection", h.collA)
	if code != 0 {
		t.Fatalf("peer add: %d %s %s", code, out, errs)
	}
	if !strings.Contains(errs, "plain http") {
		t.Errorf("peer add over http: no warning in %q", errs)
	}
	if strings.Contains(out+errs, h.peerKey) {
		t.Error("peer add prints the key")
	}
}

// objectsOfA returns the ids CERT-A reads in "From B".
func (h peeredHubs) objectsOfA(t *testing.T, urlA string) []string {
	t.Helper()
	var ids []string
	next := ""
	for {
		u := urlA + "/coalition/collections/" + h.collA + "/objects/?limit=10000"
		if next != "" {
			u += "&next=" + next
		}
		var env taxii.Envelope
		if code := call(t, "GET", u, h.readerA, nil, &env); code != 200 {
			t.Fatalf("reading A: %d", code)
		}
		for _, raw := range env.Objects {
			var o struct {
				ID string `json:"id"`
			}
			json.Unmarshal(raw, &o)
			ids = append(ids, o.ID)
		}
		if !env.More {
			return ids
		}
		next = env.Next
	}
}

func (h peeredHubs) publishB(t *testing.T, urlB string, objs ...map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"objects": objs})
	var st taxii.Status
	if code := call(t, "POST", urlB+"/coalition/collections/"+h.collB+"/objects/", h.keyB, body, &st); code != 202 || st.FailureCount > 0 {
		t.Fatalf("publishing on B: %d %+v", code, st)
	}
}

// TestFederationProcesses runs two real "vigie serve" processes peered with
// the admin commands: B's GREEN object crosses to A, its AMBER one does
// not; "peer list" says where A stands and never shows the key; A killed
// with SIGKILL in the middle of a backlog loses and duplicates nothing.
func TestFederationProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hub processes")
	}
	h := newPeeredHubs(t)
	cmdB, urlB := startHubProcess(t, h.dirB)
	defer func() { cmdB.Process.Kill(); cmdB.Wait() }()
	h.addPeer(t, urlB)
	cmdA, urlA := startHubProcess(t, h.dirA)
	killA := func() { cmdA.Process.Signal(syscall.SIGKILL); cmdA.Wait() }
	defer func() { killA() }()

	green := indicatorJSON(1, h.orgB)
	green["object_marking_refs"] = []string{vigie.MarkingGreen}
	amber := indicatorJSON(2, h.orgB)
	amber["object_marking_refs"] = []string{vigie.MarkingAmber}
	h.publishB(t, urlB, amber, green)
	waitUntil(t, "B's GREEN object on A", func() bool { return len(h.objectsOfA(t, urlA)) > 0 })
	if got := h.objectsOfA(t, urlA); len(got) != 1 || got[0] != green["id"] {
		t.Errorf("A's members read %v, want only the GREEN object %s", got, green["id"])
	}
	_, out, _ := run(t, "admin", "--data", h.dirA, "peer", "list")
	if !strings.Contains(out, "hub-b") || !strings.Contains(out, "up-to-date") {
		t.Errorf("peer list:\n%s", out)
	}
	_, js, _ := run(t, "admin", "--data", h.dirA, "peer", "list", "--json")
	// The secret part, whole: base64url may put a '_' inside it, so
	// splitting the token on '_' could give a fragment that any output
	// contains by chance.
	_, secret, _ := vigie.SplitToken(h.peerKey)
	if strings.Contains(out+js, h.peerKey) || strings.Contains(out+js, secret) {
		t.Errorf("peer list shows the key:\n%s\n%s", out, js)
	}

	// A backlog of 3,000 objects; A is killed part-way and restarted.
	const n = 3000
	var objs []map[string]any
	for i := 10; i < 10+n; i++ {
		o := indicatorJSON(i, h.orgB)
		o["object_marking_refs"] = []string{vigie.MarkingClear}
		objs = append(objs, o)
		if len(objs) == 500 {
			h.publishB(t, urlB, objs...)
			objs = nil
		}
	}
	waitUntil(t, "A to be part-way through the backlog", func() bool { return len(h.objectsOfA(t, urlA)) > 1 })
	killA()
	cmdA, urlA = startHubProcess(t, h.dirA)
	waitUntil(t, "A to catch up after kill -9", func() bool { return len(h.objectsOfA(t, urlA)) >= n+1 })
	got := h.objectsOfA(t, urlA)
	seen := map[string]bool{}
	for _, id := range got {
		if seen[id] {
			t.Errorf("%s stored twice on A", id)
		}
		seen[id] = true
	}
	if len(got) != n+1 {
		t.Errorf("A holds %d objects, want %d", len(got), n+1)
	}
}

// waitUntil polls cond until it holds, failing after a minute.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPeerAddErrors: each mistake in "peer add" is refused with a message
// that says what to do, nothing is stored, and the key never shows.
func TestPeerAddErrors(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "admin", "--data", dir, "init")
	local := strings.TrimSpace(mustRun(t, "admin", "--data", dir, "collection", "add", "--root", "coalition", "--title", "In", "--read", "public", "--write", "none"))
	const key = "vigie_abcdefgh_topsecretvalue"
	remote := "5f0c1b2a-0000-4000-8000-000000000001"
	ok := []string{"admin", "--data", dir, "peer", "add", "hub-b", "--url", "https://hub-b:8443/coalition/", "--key", key,
		"--remote-collection", remote, "--local-collection", local}
	with := func(flag, value string) []string {
		out := append([]string(nil), ok...)
		for i := range out {
			if out[i] == flag {
				out[i+1] = value
				return out
			}
		}
		return append(out, flag, value)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no URL", with("--url", ""), "--url"},
		{"URL without API root", with("--url", "https://hub-b:8443/"), "names no API root"},
		{"not a URL", with("--url", "hub-b"), "want http(s)://host"},
		{"pin over http", with("--fingerprint", strings.Repeat("AB:", 31)+"AB"), ""},
		{"bad fingerprint", with("--fingerprint", "AB:CD"), "fingerprint"},
		{"missing CA file", with("--ca", "/nonexistent/ca.pem"), "--ca"},
		{"unknown local collection", with("--local-collection", remote), "no collection"},
		{"remote not an id", with("--remote-collection", "coalition"), "UUIDs"},
		{"no key", with("--key", ""), "key"},
		{"bad name", append([]string{"admin", "--data", dir, "peer", "add", "hub b"}, ok[6:]...), "peer name"},
	} {
		args := tc.args
		if tc.name == "pin over http" {
			args = with("--url", "http://hub-b/coalition/")
			args = append(args, "--fingerprint", strings.Repeat("AB:", 31)+"AB")
			tc.want = "plain http"
		}
		code, out, errs := run(t, args...)
		if code == 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want an error saying %q", tc.name, code, errs, tc.want)
		}
		if strings.Contains(out+errs, "topsecret") {
			t.Errorf("%s: the key shows: %s %s", tc.name, out, errs)
		}
	}
	if _, out, _ := run(t, "admin", "--data", dir, "peer", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("after refused adds, peer list = %s; want none", out)
	}
	mustRun(t, ok...)
	if code, _, errs := run(t, ok...); code == 0 || !strings.Contains(errs, "exists") {
		t.Errorf("the same name twice: exit %d %q", code, errs)
	}
	for _, verb := range []string{"pause", "resume", "rm"} {
		if code, _, errs := run(t, "admin", "--data", dir, "peer", verb, "nobody"); code == 0 || !strings.Contains(errs, "no peer") {
			t.Errorf("peer %s of an unknown peer: exit %d %q", verb, code, errs)
		}
		mustRun(t, "admin", "--data", dir, "peer", verb, "hub-b")
	}
}
