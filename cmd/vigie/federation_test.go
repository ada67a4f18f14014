package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/taxii"
)

// procHub is a hub set up with the admin commands and run as a real
// "vigie serve" process on loopback: its CERT (CERT-NAME) publishes into
// the collection "Coalition", which the community "coalition" reads; the
// member Helios-NAME reads it too, with a key of role reader.
type procHub struct {
	t                 *testing.T
	name, dir, db     string // db: a PostgreSQL URL, or "" for SQLite in dir
	org, coll         string // CERT-NAME's identity, the collection's id
	publisher, reader string // keys of CERT-NAME (publisher) and Helios-NAME (reader)
	addr, url         string // addr is 127.0.0.1:0 until the first start, then that port, kept across restarts
	cmd               *exec.Cmd
}

func newProcHub(t *testing.T, name, db string) *procHub {
	t.Helper()
	h := &procHub{t: t, name: name, dir: t.TempDir(), db: db, addr: "127.0.0.1:0"}
	cert, member := "CERT-"+name, "Helios-"+name
	h.admin("init")
	h.org = strings.TrimSpace(h.admin("org", "add", cert, "--country", "FR"))
	h.admin("hub", "operator", cert)
	h.admin("org", "add", member, "--sector", "energy", "--country", "FR")
	h.publisher = lastLine(h.admin("key", "add", "--org", cert, "--role", "publisher"))
	h.reader = lastLine(h.admin("key", "add", "--org", member, "--role", "reader"))
	h.admin("community", "add", "coalition", "--member", cert+","+member)
	h.coll = strings.TrimSpace(h.admin("collection", "add", "--root", "coalition", "--title", "Coalition",
		"--read", "community:coalition", "--write", "org:"+cert))
	t.Cleanup(func() { h.signal(syscall.SIGKILL) })
	return h
}

// adminArgs returns the arguments of "vigie admin" on h's store.
func (h *procHub) adminArgs(args ...string) []string {
	base := []string{"admin", "--data", h.dir}
	if h.db != "" {
		base = append(base, "--db", h.db)
	}
	return append(base, args...)
}

// admin runs an admin command that must succeed and returns its output.
func (h *procHub) admin(args ...string) string {
	h.t.Helper()
	return mustRun(h.t, h.adminArgs(args...)...)
}

// start runs the hub process (on the same port as before, if it ran).
func (h *procHub) start(extra ...string) {
	h.t.Helper()
	args := []string{"--addr", h.addr}
	if h.db != "" {
		args = append(args, "--db", h.db)
	}
	h.cmd, h.url = startHubProcess(h.t, h.dir, append(args, extra...)...)
	h.addr = strings.TrimPrefix(h.url, "http://")
}

// signal sends sig to the hub process; SIGKILL and SIGTERM also wait
// for it to end.
func (h *procHub) signal(sig syscall.Signal) {
	if h.cmd == nil || h.cmd.ProcessState != nil {
		return
	}
	h.cmd.Process.Signal(sig)
	if sig == syscall.SIGKILL || sig == syscall.SIGTERM {
		h.cmd.Wait()
	}
}

// pull makes dst pull src's collection into its own, with the admin
// commands of both hubs: src grants an organisation hub-DST a key of role
// peer and membership of "coalition" (GREEN needs it); dst registers src
// (started, so that its URL is known) as peer hub-SRC.
func pull(dst, src *procHub) (key string) {
	src.t.Helper()
	org := "hub-" + dst.name
	src.admin("org", "add", org)
	key = lastLine(src.admin("key", "add", "--org", org, "--role", "peer", "--name", "federation"))
	src.admin("community", "member", "add", "coalition", org)
	dst.addPeer("hub-"+src.name, src.url+"/coalition/", key, src.coll)
	return key
}

// addPeer runs "peer add" on h; it must warn about plain http and never
// print the key.
func (h *procHub) addPeer(name, url, key, remote string) {
	h.t.Helper()
	keyFile := filepath.Join(h.t.TempDir(), name+".key")
	if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
		h.t.Fatal(err)
	}
	code, out, errs := run(h.t, h.adminArgs("peer", "add", name, "--url", url, "--key-file", keyFile,
		"--remote-collection", remote, "--local-collection", h.coll)...)
	if code != 0 {
		h.t.Fatalf("peer add on %s: %d %s %s", h.name, code, out, errs)
	}
	if !strings.Contains(errs, "plain http") {
		h.t.Errorf("peer add over http: no warning in %q", errs)
	}
	if strings.Contains(out+errs, key) {
		h.t.Error("peer add prints the key")
	}
}

// peers returns h's peers as "peer list --json" shows them, by name.
func (h *procHub) peers() map[string]peerView {
	h.t.Helper()
	var list []peerView
	if err := json.Unmarshal([]byte(h.admin("peer", "list", "--json")), &list); err != nil {
		h.t.Fatal(err)
	}
	out := map[string]peerView{}
	for _, p := range list {
		out[p.Name] = p
	}
	return out
}

// stats returns the counters of h's peer name.
func (h *procHub) stats(name string) vigie.RelayStats {
	h.t.Helper()
	return h.peers()[name].Detail.Stats
}

// manifest returns every version in h's collection that key reads
// (match[version]=all, every page).
func (h *procHub) manifest(key string) []taxii.ManifestRecord {
	h.t.Helper()
	var all []taxii.ManifestRecord
	for next := ""; ; {
		u := h.url + "/coalition/collections/" + h.coll + "/manifest/?limit=10000&match[version]=all"
		if next != "" {
			u += "&next=" + next
		}
		var m taxii.Manifest
		if code := call(h.t, "GET", u, key, nil, &m); code != 200 {
			h.t.Fatalf("manifest of %s: %d", h.name, code)
		}
		all = append(all, m.Objects...)
		if !m.More {
			return all
		}
		next = m.Next
	}
}

// versionsOf returns, by id, the versions h's member reads.
func (h *procHub) versionsOf() map[string][]string {
	out := map[string][]string{}
	for _, r := range h.manifest(h.reader) {
		out[r.ID] = append(out[r.ID], r.Version)
	}
	return out
}

// has says whether h's member reads a version of id.
func (h *procHub) has(id string) bool {
	h.t.Helper()
	var m taxii.Manifest
	code := call(h.t, "GET", h.url+"/coalition/collections/"+h.coll+"/manifest/?match[id]="+id+"&match[version]=all", h.reader, nil, &m)
	return code == 200 && len(m.Objects) > 0
}

// latest returns the last version of id h's member reads (nil: none).
func (h *procHub) latest(id string) map[string]any {
	h.t.Helper()
	var env taxii.Envelope
	if code := call(h.t, "GET", h.url+"/coalition/collections/"+h.coll+"/objects/"+id+"/", h.reader, nil, &env); code != 200 || len(env.Objects) == 0 {
		return nil
	}
	var o map[string]any
	json.Unmarshal(env.Objects[0], &o)
	return o
}

// export returns the CSV export of the indicators key reads (/api/v1).
func (h *procHub) export(key string) string {
	h.t.Helper()
	req, _ := http.NewRequest("GET", h.url+"/api/v1/export/csv", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := testHTTPClient().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		h.t.Fatalf("export on %s: %d %s", h.name, res.StatusCode, b)
	}
	return string(b)
}

// publish posts objects into h's collection as its CERT.
func (h *procHub) publish(objs ...map[string]any) {
	h.t.Helper()
	body, _ := json.Marshal(map[string]any{"objects": objs})
	var st taxii.Status
	if code := call(h.t, "POST", h.url+"/coalition/collections/"+h.coll+"/objects/", h.publisher, body, &st); code != 202 || st.FailureCount > 0 {
		h.t.Fatalf("publishing on %s: %d %+v", h.name, code, st)
	}
}

// indicator is CERT-NAME's indicator i marked with marking.
func (h *procHub) indicator(i int, marking string) map[string]any {
	o := indicatorJSON(i, h.org)
	o["object_marking_refs"] = []string{marking}
	return o
}

// hubID returns h's hub id ("hub show").
func (h *procHub) hubID() string {
	h.t.Helper()
	var id struct{ ID string }
	if err := json.Unmarshal([]byte(h.admin("hub", "show", "--json")), &id); err != nil || id.ID == "" {
		h.t.Fatalf("hub show: %v %+v", err, id)
	}
	return id.ID
}

// waitUntil polls cond until it holds, failing after a minute.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitWithin(t, what, time.Minute, cond)
}

// waitWithin polls cond until it holds, failing after d.
func waitWithin(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
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
