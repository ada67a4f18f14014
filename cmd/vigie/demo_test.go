package main

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// demoLeftovers lists what the demo left in the temporary directory tmp.
func demoLeftovers(t *testing.T, tmp string) []string {
	t.Helper()
	left, err := filepath.Glob(filepath.Join(tmp, "vigie-demo-*"))
	if err != nil {
		t.Fatal(err)
	}
	return left
}

// TestDemoCtrlC runs "vigie demo" as a process, reads the coalition it
// prints, stops it with Ctrl-C (SIGINT) and checks that its temporary
// directory is gone.
func TestDemoCtrlC(t *testing.T) {
	tmp := t.TempDir()
	cmd := exec.Command(os.Args[0], "demo", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "VIGIE_TEST_RUN_MAIN=1", "TMPDIR="+tmp)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kill := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	defer kill.Stop()
	var out strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "Press Ctrl-C") {
			break
		}
	}
	if len(demoLeftovers(t, tmp)) != 1 {
		t.Errorf("while running: %v, want its data directory", demoLeftovers(t, tmp))
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	go func() { // keep reading so that the demo never blocks on a full pipe
		for sc.Scan() {
		}
	}()
	if err := cmd.Wait(); err != nil {
		t.Errorf("demo after Ctrl-C: %v\n%s", err, out.String())
	}
	if left := demoLeftovers(t, tmp); len(left) != 0 {
		t.Errorf("left behind after Ctrl-C: %v", left)
	}
	got := out.String()
	for _, want := range []string{
		"Organisations\n  NAME ",
		"  Banca Aurora    financial-services   IT",
		"Communities\n  NAME ",
		"  energy-isac   CERT-Nord, Helios Energie, Nordlicht Netz",
		"  finance-isac  CERT-Nord, Banca Aurora",
		"Collections (API root /coalition/)",
		"Public advisories  public                 org:CERT-Nord",
		"API keys",
		"  Helios Energie  publisher  ",
		"curl -s -H 'Authorization: Bearer ",
		"Supplier trust (Helios Energie's suppliers against the CRA Annex I",
		"  grid-scada@4.2       supplier Vega Software  10 pass   1 fail  11 unknown  1 disagree",
		"    CRA-I-2(f) FAIL: claims CRA-I-2(f); observed: no build provenance published for this version",
		"  billing-portal@7.1   supplier Acme Cloud      0 pass   2 fail  20 unknown  0 disagree",
		"Dashboard: open http://127.0.0.1:",
		"  analyst@helios-energie.example  Helios Energie  publisher",
		"  operator@cert-nord.example      CERT-Nord       operator",
		"Malware triage (two variants",
		"  Helios Energie sees a similar sample: ",
		"same imphash true",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the demo does not print %q:\n%s", want, got)
		}
	}
}

// TestDemoBusyPort starts the demo on an address already taken: it fails,
// saying so, and leaves no temporary directory behind.
func TestDemoBusyPort(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb syncBuffer
	code := Run(ctx, []string{"demo", "--addr", ln.Addr().String()}, Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	if code != 2 || !strings.Contains(errb.String(), "address already in use") {
		t.Errorf("exit %d, stderr %q; want 2 and the address in use", code, errb.String())
	}
	if left := demoLeftovers(t, tmp); len(left) != 0 {
		t.Errorf("left behind after a busy port: %v", left)
	}
}
