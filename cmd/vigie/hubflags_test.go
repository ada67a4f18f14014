package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeKeyFile writes key to a file readable by its owner only.
func writeKeyFile(t *testing.T, key string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHelpNeverShowsTheKey: with $VIGIE_KEY set, the help of every command
// that talks to a hub lists its flags, --key-file among them, and never
// the key.
func TestHelpNeverShowsTheKey(t *testing.T) {
	const key = "vigie_SECRETsecretSECRETsecretSECRETsecret0123"
	t.Setenv("VIGIE_KEY", key)
	t.Setenv("VIGIE_HUB", "https://hub.example:8443")
	for _, args := range [][]string{
		{"watch", "add", "--help"},
		{"watch", "list", "--help"},
		{"watch", "rm", "--help"},
		{"webhook", "add", "--help"},
		{"webhook", "deliveries", "--help"},
		{"alerts", "--help"},
		{"alerts", "ack", "--help"},
		{"sbom", "upload", "--help"},
		{"sbom", "findings", "--help"},
		{"sbom", "vex", "--help"},
		{"sbom", "products", "--help"},
		{"advisory", "import", "--help"},
		{"scan", "logs", "--help"},
		{"scan", "files", "--help"},
		{"scan", "--help"},
	} {
		code, out, errs := run(t, args...)
		if code != 0 || !strings.Contains(errs, "-key-file") {
			t.Errorf("vigie %s: exit %d, no --key-file in the help:\n%s", strings.Join(args, " "), code, errs)
		}
		if strings.Contains(out+errs, key) {
			t.Errorf("vigie %s prints the key:\n%s%s", strings.Join(args, " "), out, errs)
		}
	}
}

// TestHubCommandsKeySources: the key comes from --key, --key-file, standard
// input or $VIGIE_KEY, and the hub from --hub or $VIGIE_HUB; a wrong key's
// error never shows it.
func TestHubCommandsKeySources(t *testing.T) {
	t.Setenv("VIGIE_HUB", "")
	t.Setenv("VIGIE_KEY", "")
	e := newEarlyWarning(t)
	url := mustServe(t, e.dir).URL()

	// --key-file FILE.
	mustRun(t, "watch", "add", "--hub", url, "--key-file", writeKeyFile(t, e.keyB), "cidr", "198.51.100.0/24")
	// --key-file - reads standard input.
	code, out, errs := runWithStdin(t, e.keyB+"\n", "watch", "list", "--hub", url, "--key-file", "-")
	if code != 0 || !strings.Contains(out, "198.51.100.0/24") {
		t.Errorf("--key-file -: exit %d\n%s%s", code, out, errs)
	}
	// The environment.
	t.Setenv("VIGIE_HUB", url)
	t.Setenv("VIGIE_KEY", e.keyB)
	if out := mustRun(t, "watch", "list"); !strings.Contains(out, "198.51.100.0/24") {
		t.Errorf("$VIGIE_HUB and $VIGIE_KEY: %s", out)
	}
	// --key and --key-file are given over $VIGIE_KEY: another member's key
	// sees another watchlist.
	if out := mustRun(t, "watch", "list", "--key-file", writeKeyFile(t, e.keyA)); strings.Contains(out, "198.51.100.0/24") {
		t.Errorf("--key-file did not replace $VIGIE_KEY:\n%s", out)
	}
	if out := mustRun(t, "watch", "list", "--key", e.keyA); strings.Contains(out, "198.51.100.0/24") {
		t.Errorf("--key did not replace $VIGIE_KEY:\n%s", out)
	}
	t.Setenv("VIGIE_KEY", "")

	// B's key with another secret: a key of the right form the hub does not
	// know.
	wrong := e.keyB[:len(e.keyB)-8] + "WRONGKEY"
	for _, tt := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"wrong --key", "", []string{"watch", "list", "--key", wrong}, "unknown API key"},
		{"wrong key file", "", []string{"alerts", "--key-file", writeKeyFile(t, wrong)}, "unknown API key"},
		{"wrong key on standard input", wrong, []string{"webhook", "list", "--key-file", "-"}, "unknown API key"},
		{"malformed key", "", []string{"sbom", "products", "--key", "x" + wrong}, "malformed API key"},
		{"key given as the key file", "", []string{"watch", "list", "--key-file", wrong}, "no such file"},
		{"key file with two lines", "", []string{"watch", "list", "--key-file", writeKeyFile(t, wrong+"\n"+e.keyA)}, "more than one token"},
		{"wrong key for a scan", "", []string{"scan", "logs", "--key", wrong, "--cache", t.TempDir(), "x.log"}, "unknown API key"},
		{"wrong key file for an advisory import", "", []string{"advisory", "import", "--key-file", writeKeyFile(t, wrong), "--root", "coalition", "--collection", e.collection, "testdata/sbom/GHSA-288c-cq4h-88gq.json"}, "unknown API key"},
		{"--key and --key-file", "", []string{"watch", "list", "--key", wrong, "--key-file", writeKeyFile(t, wrong)}, "not both"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runWithStdin(t, tt.stdin, tt.args...)
			if code != 2 || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errs, tt.want)
			}
			if strings.Contains(out+errs, wrong) {
				t.Errorf("the key is printed:\n%s%s", out, errs)
			}
		})
	}
}

// TestScanHonoursHubEnvironment: vigie scan takes its hub and key from
// $VIGIE_HUB and $VIGIE_KEY, or the key from --key-file, as every command
// that talks to a hub does.
func TestScanHonoursHubEnvironment(t *testing.T) {
	t.Setenv("VIGIE_HUB", "")
	t.Setenv("VIGIE_KEY", "")
	e := newEarlyWarning(t)
	url := mustServe(t, e.dir).URL()
	publishIndicator(t, url, e.keyA, e.collection, e.orgA, "[ipv4-addr:value = '198.51.0.1']", 1)
	logFile := filepath.Join(t.TempDir(), "conn.log")
	os.WriteFile(logFile, []byte("beacon 198.51.0.1\n"), 0o644)
	scan := func(stdin string, extra ...string) (int, string, string) {
		args := append([]string{"scan", "logs", "--collection", e.collection, "--cache", t.TempDir(), "--json"}, extra...)
		return runWithStdin(t, stdin, append(args, logFile)...)
	}

	t.Setenv("VIGIE_HUB", url)
	t.Setenv("VIGIE_KEY", e.keyB)
	if code, out, errs := scan(""); code != 1 || len(jsonHits(t, out)) != 1 {
		t.Errorf("$VIGIE_HUB and $VIGIE_KEY: exit %d, hits:\n%s\n%s", code, out, errs)
	}
	t.Setenv("VIGIE_KEY", "")
	if code, _, errs := scan(""); code != 2 || !strings.Contains(errs, "--hub needs --key") {
		t.Errorf("$VIGIE_HUB without a key: exit %d, %s", code, errs)
	}
	if code, out, errs := scan("", "--key-file", writeKeyFile(t, e.keyB)); code != 1 || len(jsonHits(t, out)) != 1 {
		t.Errorf("--key-file: exit %d, hits:\n%s\n%s", code, out, errs)
	}
	if code, out, errs := scan(e.keyB+"\n", "--key-file", "-"); code != 1 || len(jsonHits(t, out)) != 1 {
		t.Errorf("--key-file -: exit %d, hits:\n%s\n%s", code, out, errs)
	}
	code, _, errs := runWithStdin(t, e.keyB+"\n", "scan", "logs", "--key-file", "-", "-")
	if code != 2 || !strings.Contains(errs, "both read standard input") {
		t.Errorf("--key-file - with the log -: exit %d, %s", code, errs)
	}
}

// TestEchoedKeyIsNotPrinted: a server that echoes the Authorization header
// in its error answers (a TAXII server that is not vigie, a proxy) does
// not make the sensor, the advisory import or the API commands print the
// key.
func TestEchoedKeyIsNotPrinted(t *testing.T) {
	t.Setenv("VIGIE_HUB", "")
	t.Setenv("VIGIE_KEY", "")
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/taxii+json;version=2.1")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"title":"refused","description":"not a key we know: %s","http_status":"401"}`, r.Header.Get("Authorization"))
	}))
	defer echo.Close()
	const key = "vigie_keyid_ECHOEDsecretECHOEDsecretECHOEDsecret"
	for _, args := range [][]string{
		{"scan", "logs", "--hub", echo.URL, "--key", key, "--cache", t.TempDir(), "x.log"},
		{"advisory", "import", "--hub", echo.URL, "--key", key, "--root", "coalition", "--collection", "c", "testdata/sbom/GHSA-288c-cq4h-88gq.json"},
		{"alerts", "--hub", echo.URL, "--key", key},
		{"sbom", "products", "--hub", echo.URL, "--key", key},
	} {
		code, out, errs := run(t, args...)
		if code != 2 || !strings.Contains(errs, "not a key we know") {
			t.Errorf("vigie %s: exit %d, stderr %q; want 2 and the server's answer", args[0], code, errs)
		}
		if strings.Contains(out+errs, key) {
			t.Errorf("vigie %s prints the key:\n%s%s", args[0], out, errs)
		}
	}
}
