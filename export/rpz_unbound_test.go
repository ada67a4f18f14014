package export_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/export"
)

// TestRPZWithUnbound loads the RPZ export into Debian's unbound (rpz
// module) on a loopback port: a listed domain and its subdomains answer
// NXDOMAIN, other names answer normally (local-data records). Names
// without local data go to a closed port and fail (SERVFAIL): only the
// zone can make an NXDOMAIN, and nothing leaves the machine.
func TestRPZWithUnbound(t *testing.T) {
	bin, err := exec.LookPath("unbound")
	if err != nil {
		if _, err2 := os.Stat("/usr/sbin/unbound"); err2 != nil {
			t.Skip("unbound is not installed (scripts/setup.sh installs Debian's unbound): the RPZ export is not checked against a resolver")
		}
		bin = "/usr/sbin/unbound"
	}
	dir := t.TempDir()
	inds := []export.Indicator{
		{ID: id(1), Name: "Lantern C2", PatternType: "stix", Pattern: "[domain-name:value = 'lantern-c2.example.net']"},
		{ID: id(2), Name: "Phishing", PatternType: "stix", Pattern: "[domain-name:value IN ('Login-Portal.example.org', 'lantern-c2.example.net')]"},
		{ID: id(3), Name: "Address", PatternType: "stix", Pattern: "[ipv4-addr:value = '198.51.100.7']"},
		{ID: id(4), Name: "hostile", PatternType: "stix", Pattern: "[domain-name:value = 'bad.example.com\\n@ IN NS attacker.']"},
	}
	var zone bytes.Buffer
	w, err := export.New("rpz", &zone, export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range inds {
		if err := w.Write(&inds[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "vigie.rpz"), zone.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.LocalAddr().(*net.UDPAddr).Port
	l.Close()
	local := []string{"example.net", "other.example.net", "notlantern-c2.example.net", "bad.example.com"}
	var data strings.Builder
	for _, n := range local {
		fmt.Fprintf(&data, "  local-data: \"%s. 60 IN A 192.0.2.53\"\n", n)
	}
	conf := fmt.Sprintf(`server:
  interface: 127.0.0.1
  port: %d
  do-ip6: no
  do-daemonize: no
  chroot: ""
  username: ""
  directory: "%[2]s"
  pidfile: "%[2]s/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  access-control: 127.0.0.0/8 allow
  module-config: "respip iterator"
  do-not-query-localhost: no
%[3]s
# Everything else goes to a closed port: SERVFAIL, never the Internet.
stub-zone:
  name: "."
  stub-addr: 127.0.0.1@9
rpz:
  name: rpz.vigie.
  zonefile: "%[2]s/vigie.rpz"
  rpz-log: yes
`, port, dir, data.String())
	cfg := filepath.Join(dir, "unbound.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(filepath.Join(filepath.Dir(bin), "unbound-checkconf"), cfg).CombinedOutput(); err != nil {
		t.Fatalf("unbound-checkconf: %v\n%s", err, out)
	}
	var logs bytes.Buffer
	cmd := exec.Command(bin, "-d", "-c", cfg)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", fmt.Sprintf("127.0.0.1:%d", port))
	}}
	lookup := func(name string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		addrs, err := r.LookupHost(ctx, name+".")
		return strings.Join(addrs, ","), err
	}
	// Wait for unbound to answer.
	deadline := time.Now().Add(15 * time.Second)
	for {
		if a, err := lookup("example.net"); err == nil && a == "192.0.2.53" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("unbound did not answer on port %d:\n%s", port, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, tc := range []struct {
		name     string
		nxdomain bool
	}{
		{"lantern-c2.example.net", true},
		{"www.lantern-c2.example.net", true},
		{"a.b.lantern-c2.example.net", true},
		{"LANTERN-C2.example.NET", true},
		{"login-portal.example.org", true},
		{"example.net", false},
		{"other.example.net", false},
		{"notlantern-c2.example.net", false},
		{"bad.example.com", false},
	} {
		addrs, err := lookup(tc.name)
		var de *net.DNSError
		switch {
		case tc.nxdomain && (!errors.As(err, &de) || !de.IsNotFound):
			t.Errorf("%s: %q, %v; want NXDOMAIN", tc.name, addrs, err)
		case !tc.nxdomain && (err != nil || addrs != "192.0.2.53"):
			t.Errorf("%s: %q, %v; want 192.0.2.53", tc.name, addrs, err)
		}
	}
	if t.Failed() {
		t.Logf("zone:\n%s\nunbound:\n%s", zone.String(), logs.String())
	}
}
