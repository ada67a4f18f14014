package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/sensor/output"
	"github.com/vigie-cti/vigie/sensor/yara"
	"github.com/vigie-cti/vigie/taxii"
)

// jsonHits reads the --json output.
func jsonHits(t *testing.T, out string) []output.JSONHit {
	t.Helper()
	var hits []output.JSONHit
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var h output.JSONHit
		if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
			t.Fatalf("--json line %q: %v", sc.Text(), err)
		}
		hits = append(hits, h)
	}
	return hits
}

func TestScanLogsCommand(t *testing.T) {
	logsDir := filepath.Join("..", "..", "sensor", "logs", "testdata")
	code, out, errs := run(t, "scan", "logs", "--indicators", "testdata/scan/logs-indicators.json", "--json",
		filepath.Join(logsDir, "zeek", "dns.log"), filepath.Join(logsDir, "eve", "v7-v8-mixed.json"))
	if code != 1 {
		t.Fatalf("exit %d, want 1 (hits)\nstderr: %s", code, errs)
	}
	hits := jsonHits(t, out)
	var got []string
	for _, h := range hits {
		got = append(got, filepath.Base(h.Source)+" "+h.Observable.Kind.String()+" "+h.Observable.Value+" "+h.TLP)
	}
	if len(hits) != 21 || got[0] != "dns.log domain update.evil-cdn.example GREEN" || got[2] != "dns.log ip 203.0.113.66 AMBER" {
		t.Errorf("%d hits, want 21 starting with dns.log's:\n%s", len(hits), strings.Join(got, "\n"))
	}
	first := hits[0]
	if first.Line != 9 || first.Time.Format("2006-01-02T15:04:05.000000Z") != "2024-03-01T10:00:01.000001Z" ||
		first.IndicatorID != "indicator--5ca4a2f0-0000-4000-8000-000000000001" || first.IndicatorName != "Evil CDN domain" {
		t.Errorf("first hit %+v", first)
	}
	if !strings.Contains(errs, "6 active (1 revoked and 1 expired dropped)") {
		t.Errorf("stderr does not say revoked and expired indicators were dropped:\n%s", errs)
	}

	// No hit: exit 0; the table format; standard input.
	code, out, _ = runWithStdin(t, "198.51.100.1 and benign.example.org\n", "scan", "logs", "--indicators", "testdata/scan/logs-indicators.json", "-")
	if code != 0 || !strings.HasPrefix(out, "TIME") {
		t.Errorf("stdin without hits: exit %d, out %q; want 0 and a table header", code, out)
	}
	code, out, _ = runWithStdin(t, "beacon to 203.0.113.66\n", "scan", "logs", "--indicators", "testdata/scan/logs-indicators.json", "--quiet", "-")
	if code != 1 || !strings.Contains(out, "-:1") || !strings.Contains(out, "TLP:AMBER") || !strings.Contains(out, "C2 address (indicator--") {
		t.Errorf("stdin with a hit: exit %d, table:\n%s", code, out)
	}
}

func runWithStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestScanFilesCommand(t *testing.T) {
	root := t.TempDir()
	var flame bytes.Buffer
	flame.WriteString("MZ\x90\x00")
	flame.Write(bytes.Repeat([]byte{0}, 500))
	for _, s := range []string{"mssecmgr.ocx", "advnetcfg.ocx"} {
		for _, u := range utf16.Encode([]rune(s)) {
			flame.Write([]byte{byte(u), byte(u >> 8)})
		}
		flame.WriteString("\x00\x00")
	}
	flame.WriteString("BEETLEJUICE\x00MICROBE\x00")
	os.WriteFile(filepath.Join(root, "mssecmgr.ocx"), flame.Bytes(), 0o644)
	os.WriteFile(filepath.Join(root, "eicar.com"), []byte(`X5O!P%@AP[4\PZX54(P^)7CC)7}$`+"EICAR-STANDARD-ANTIVIRUS"+`-TEST-FILE!$H+H*`), 0o644)
	os.WriteFile(filepath.Join(root, "wpgfilter.dat"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(root, "notes.txt"), []byte("nothing"), 0o644)

	code, out, errs := run(t, "scan", "files", "--indicators", "testdata/scan/files-indicators.json", "--json", root)
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstderr: %s", code, errs)
	}
	var got []string
	for _, h := range jsonHits(t, out) {
		got = append(got, filepath.Base(h.Source)+" "+h.Observable.Kind.String()+" "+h.Observable.Value+" "+h.TLP)
	}
	slices.Sort(got)
	want := []string{
		"eicar.com sha256 275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f GREEN",
		"mssecmgr.ocx yara-rule vigie_flame_skywiper RED",
		"wpgfilter.dat file-name wpgfilter.dat GREEN",
	}
	if yara.Available {
		if !strings.Contains(errs, "refused indicator indicator--f1a3e000-0000-4000-8000-000000000003 (Broken YARA rule): yara: line 1: undefined string") {
			t.Errorf("the broken rule is not refused with the compiler's message:\n%s", errs)
		}
	} else {
		want = slices.Delete(want, 1, 2)
		if !strings.Contains(errs, "2 YARA indicators skipped: this vigie was built without YARA") {
			t.Errorf("a build without YARA does not say that YARA indicators are skipped:\n%s", errs)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hits (-want +got):\n%s\nstderr: %s", diff, errs)
	}
}

func TestScanCommandErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"scan"}, `want "vigie scan files PATH..."`},
		{[]string{"scan", "files", "/tmp"}, "no indicators"},
		{[]string{"scan", "logs", "--indicators", "testdata/scan/logs-indicators.json"}, "give at least one path"},
		{[]string{"scan", "logs", "--hub", "https://127.0.0.1:1", "x.log"}, "--hub needs --key"},
		{[]string{"scan", "logs", "--indicators", "x.json", "--report", "x.log"}, "--report needs --hub"},
		{[]string{"scan", "logs", "--indicators", "testdata/scan/logs-indicators.json", "--format", "nope", "x.log"}, `unknown log format "nope"`},
		{[]string{"scan", "files", "--indicators", "testdata/scan/logs-indicators.json", "--follow", "x"}, "apply to scan logs"},
		{[]string{"scan", "files", "--indicators", "testdata/scan/missing.json", "x"}, "no such file"},
		{[]string{"scan", "files", "--indicators", "testdata/scan/logs-indicators.json", "--max-size", "-1", "x"}, "want a positive size"},
		{[]string{"scan", "logs", "--indicators", "testdata/scan/logs-indicators.json", "--report-tlp", "PURPLE", "x"}, "--report-tlp"},
	}
	for _, tt := range tests {
		code, _, errs := run(t, tt.args...)
		if code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("vigie %s: exit %d, stderr %q; want 2 and %q", strings.Join(tt.args, " "), code, errs, tt.want)
		}
	}
}

// TestScanHubReport runs a real hub (HTTPS, self-signed) on loopback:
// indicators are pulled with the key of a member, pinned by fingerprint,
// cached and refreshed incrementally; a revocation published on the hub
// drops its indicator; sightings go back to the hub.
func TestScanHubReport(t *testing.T) {
	c := newCoalition(t)
	var errb syncBuffer
	m := newServeMain(Stdio{Out: io.Discard, Err: &errb})
	if err := m.ParseFlags([]string{"--data", c.dir, "--addr", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	fp := regexp.MustCompile(`fingerprint ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})`).FindStringSubmatch(errb.String())
	if fp == nil {
		t.Fatalf("no fingerprint printed:\n%s", errb.String())
	}
	base := m.URL() + "/coalition/collections/" + c.collection
	publish := func(objs ...map[string]any) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"objects": objs})
		var st taxii.Status
		if code := call(t, "POST", base+"/objects/", c.keyA, body, &st); code != 202 || st.SuccessCount != len(objs) {
			t.Fatalf("publish: %d %+v", code, st)
		}
	}
	evil := indicatorJSON(1, c.orgA) // [ipv4-addr:value = '198.51.0.1']
	other := indicatorJSON(2, c.orgA)
	other["object_marking_refs"] = []string{vigie.MarkingAmber}
	publish(evil, other)

	logFile := filepath.Join(t.TempDir(), "conn.log")
	os.WriteFile(logFile, []byte("beacon 198.51.0.1\nbeacon 198.51.0.2\nagain 198.51.0.1\n"), 0o644)
	cache := t.TempDir()
	scan := func(key string, extra ...string) (int, string, string) {
		args := append([]string{"scan", "logs", "--hub", m.URL(), "--key", key, "--fingerprint", fp[1],
			"--collection", c.collection, "--cache", cache, "--json"}, extra...)
		return run(t, append(args, logFile)...)
	}
	code, out, errs := scan(c.keyA, "--report")
	if code != 1 || len(jsonHits(t, out)) != 3 {
		t.Fatalf("exit %d, hits:\n%s\nstderr: %s", code, out, errs)
	}
	if !strings.Contains(errs, "2 new objects, 2 cached") || !strings.Contains(errs, "reported 2 of 2 sightings") {
		t.Errorf("stderr:\n%s", errs)
	}
	var env taxii.Envelope
	if st := call(t, "GET", base+"/objects/?match[type]=sighting", c.keyB, nil, &env); st != 200 || len(env.Objects) != 2 {
		t.Fatalf("sightings on the hub, as the other member: %d, %d objects", st, len(env.Objects))
	}
	sightings := map[string]map[string]any{}
	for _, o := range env.Objects {
		var s map[string]any
		json.Unmarshal(o, &s)
		sightings[s["sighting_of_ref"].(string)] = s
	}
	s1 := sightings[evil["id"].(string)]
	if s1 == nil || s1["count"] != 2.0 || s1["created_by_ref"] != c.orgA || !slices.Equal(toStrings(s1["where_sighted_refs"]), []string{c.orgA}) ||
		!slices.Equal(toStrings(s1["object_marking_refs"]), []string{vigie.MarkingAmber}) {
		t.Errorf("sighting of %s: %v", evil["id"], s1)
	}

	// Second run: nothing new on the hub, the cache answers.
	code, _, errs = scan(c.keyA)
	if code != 1 || !strings.Contains(errs, "0 new objects, 2 cached") {
		t.Errorf("second run: exit %d\n%s", code, errs)
	}
	// Revoke the first indicator on the hub: the next run drops it.
	evil["modified"], evil["revoked"] = "2026-02-01T00:00:00.000Z", true
	publish(evil)
	code, out, errs = scan(c.keyA)
	if code != 1 || len(jsonHits(t, out)) != 1 || !strings.Contains(errs, "1 new objects, 3 cached") || !strings.Contains(errs, "1 revoked") {
		t.Errorf("after revocation: exit %d, hits %s\n%s", code, out, errs)
	}
	// Another key has its own cache: what one key reads does not reach
	// the user of another through the cache.
	code, out, errs = scan(c.keyB)
	if code != 1 || len(jsonHits(t, out)) != 1 || !strings.Contains(errs, "2 new objects, 2 cached") {
		t.Errorf("another key: exit %d, hits %s\n%s", code, out, errs)
	}
	// A reader cannot report; a wrong pin is refused.
	if code, _, errs := scan(c.keyB, "--report"); code != 2 || !strings.Contains(errs, "may write none") {
		t.Errorf("reader --report: exit %d, %s", code, errs)
	}
	bad := strings.Repeat("00:", 31) + "00"
	code, _, errs = run(t, "scan", "logs", "--hub", m.URL(), "--key", c.keyA, "--fingerprint", bad, "--cache", t.TempDir(), logFile)
	if code != 2 || !strings.Contains(errs, "is not the pinned") {
		t.Errorf("wrong fingerprint: exit %d, %s", code, errs)
	}

	// A followed log reports its sightings period by period, while the
	// scan runs, not only when it is interrupted.
	countSightings := func() int {
		var env taxii.Envelope
		call(t, "GET", base+"/objects/?match[type]=sighting", c.keyA, nil, &env)
		return len(env.Objects)
	}
	before := countSightings()
	followed := filepath.Join(t.TempDir(), "eve.log")
	os.WriteFile(followed, []byte("start\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var fout, ferrs syncBuffer
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"scan", "logs", "--hub", m.URL(), "--key", c.keyA, "--fingerprint", fp[1],
			"--collection", c.collection, "--cache", cache, "--json", "--report", "--report-every", "50ms", "--follow", followed},
			Stdio{In: strings.NewReader(""), Out: &fout, Err: &ferrs})
	}()
	f, _ := os.OpenFile(followed, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("beacon 198.51.0.2\n")
	f.Close()
	deadline := time.Now().Add(30 * time.Second)
	for countSightings() == before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := countSightings(); got != before+1 {
		t.Errorf("while following: %d sightings on the hub, want %d\nstderr: %s", got, before+1, ferrs.String())
	}
	cancel()
	if code := <-done; code != 1 {
		t.Errorf("follow: exit %d, want 1\nstderr: %s", code, ferrs.String())
	}
	// The period was reported once: nothing is left to post at the end.
	if got := countSightings(); got != before+1 || strings.Count(ferrs.String(), "reported 1 of 1 sightings") != 1 {
		t.Errorf("after the end: %d sightings on the hub, want %d\nstderr: %s", got, before+1, ferrs.String())
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// TestScanFollow follows two files at once until interrupted, and reads a
// directory given as a path.
func TestScanFollow(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	os.WriteFile(a, []byte("start\n"), 0o644)
	os.WriteFile(b, []byte("start\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"scan", "logs", "--indicators", "testdata/scan/logs-indicators.json", "--follow", "--json", a, b},
			Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	}()
	for _, p := range []string{a, b} {
		f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		f.WriteString("beacon to 203.0.113.66\n")
		f.Close()
	}
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(out.String(), "\n") < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 1 {
		t.Errorf("exit %d, want 1\nstderr: %s", code, errb.String())
	}
	var sources []string
	for _, h := range jsonHits(t, out.String()) {
		sources = append(sources, filepath.Base(h.Source))
	}
	slices.Sort(sources)
	if !slices.Equal(sources, []string{"a.log", "b.log"}) {
		t.Errorf("hits from %v, want a.log and b.log", sources)
	}

	code, outDir, _ := run(t, "scan", "logs", "--indicators", "testdata/scan/logs-indicators.json", "--json", dir)
	if code != 1 || len(jsonHits(t, outDir)) != 2 {
		t.Errorf("directory: exit %d, hits:\n%s", code, outDir)
	}
}

// TestScanLogsCorrelated: patterns over several events match across the
// lines of two Zeek logs, by the lines' own times, and each hit lists the
// lines that took part; a network-traffic pattern tells the destination
// and its port from the source.
func TestScanLogsCorrelated(t *testing.T) {
	dir := t.TempDir()
	indicators := `[
 {"type":"indicator","spec_version":"2.1","id":"indicator--c0000000-0000-4000-8000-000000000001","created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z","valid_from":"2024-01-01T00:00:00Z","pattern_type":"stix","name":"lookup then beacon",
  "pattern":"([domain-name:value = 'update.evil-cdn.example'] FOLLOWEDBY [ipv4-addr:value = '203.0.113.66']) WITHIN 300 SECONDS"},
 {"type":"indicator","spec_version":"2.1","id":"indicator--c0000000-0000-4000-8000-000000000002","created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z","valid_from":"2024-01-01T00:00:00Z","pattern_type":"stix","name":"three connections",
  "pattern":"[ipv4-addr:value = '198.51.100.23'] REPEATS 3 TIMES WITHIN 60 SECONDS"},
 {"type":"indicator","spec_version":"2.1","id":"indicator--c0000000-0000-4000-8000-000000000003","created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z","valid_from":"2024-01-01T00:00:00Z","pattern_type":"stix","name":"C2 on 443",
  "pattern":"[network-traffic:dst_ref.value = '203.0.113.66' AND network-traffic:dst_port = 443]"}
]`
	dns := `{"ts":1709287200.0,"uid":"C1","id.orig_h":"10.0.0.5","id.resp_h":"10.0.0.53","query":"update.evil-cdn.example"}
{"ts":1709287260.0,"uid":"C2","id.orig_h":"10.0.0.5","id.resp_h":"10.0.0.53","query":"benign.example"}
`
	conn := `{"ts":1709287100.0,"uid":"C3","id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.66"}
{"ts":1709287210.0,"uid":"C4","id.orig_h":"10.0.0.6","id.resp_h":"198.51.100.23"}
{"ts":1709287230.0,"uid":"C5","id.orig_h":"10.0.0.6","id.resp_h":"198.51.100.23"}
{"ts":1709287290.0,"uid":"C6","id.orig_h":"10.0.0.5","id.orig_p":51000,"id.resp_h":"203.0.113.66","id.resp_p":443,"proto":"tcp"}
{"ts":1709287265.0,"uid":"C7","id.orig_h":"10.0.0.6","id.resp_h":"198.51.100.23"}
{"ts":1709287400.0,"uid":"C8","id.orig_h":"10.0.0.6","id.resp_h":"198.51.100.23"}
`
	for name, body := range map[string]string{"indicators.json": indicators, "dns.log": dns, "conn.log": conn} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errs := run(t, "scan", "logs", "--indicators", filepath.Join(dir, "indicators.json"), "--json", "--workers", "1",
		filepath.Join(dir, "dns.log"), filepath.Join(dir, "conn.log"))
	if code != 1 {
		t.Fatalf("exit %d, want 1 (hits)\nstderr: %s", code, errs)
	}
	if !strings.Contains(errs, "3 STIX patterns (3 matched across log lines)") {
		t.Errorf("stderr does not count the patterns matched across lines:\n%s", errs)
	}
	var got []string
	for _, h := range jsonHits(t, out) {
		var evs []string
		for _, e := range h.Events {
			evs = append(evs, filepath.Base(e.Source)+":"+strconv.FormatInt(e.Line, 10))
		}
		got = append(got, h.IndicatorName+" at "+filepath.Base(h.Source)+":"+strconv.FormatInt(h.Line, 10)+" "+h.Observable.Value+" <- "+strings.Join(evs, ","))
	}
	slices.Sort(got)
	want := []string{ // sorted
		// The connection to 203.0.113.66 port 443 (the first one has no
		// port recorded).
		"C2 on 443 at conn.log:4 203.0.113.66 <- conn.log:4",
		// The lookup at 10:00:00, then the connection at 10:01:30 (the
		// one at 09:58:20 came before the lookup and does not count).
		"lookup then beacon at conn.log:4 203.0.113.66 <- dns.log:1,conn.log:4",
		// Three connections in 55 s (10:00:10, 10:00:30, 10:01:05); the
		// fourth, at 10:03:20, is alone.
		"three connections at conn.log:5 198.51.100.23 <- conn.log:2,conn.log:3,conn.log:5",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("correlated hits (-want +got):\n%s", diff)
	}
}
