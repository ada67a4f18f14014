package export_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/export"
)

func id(n int) string {
	return "indicator--00000000-0000-4000-8000-0000000000" + string(rune('0'+n/10)) + string(rune('0'+n%10))
}

// sample holds one indicator of each kind the formats take, and some that
// no format can take.
var sample = []export.Indicator{
	{ID: id(1), Name: "C2 server", PatternType: "stix", Pattern: "[ipv4-addr:value = '198.51.100.7']"},
	{ID: id(2), Name: "Exfiltration network", PatternType: "stix", Pattern: "[ipv4-addr:value ISSUBSET '203.0.113.0/24']"},
	{ID: id(3), Name: "Phishing domain", PatternType: "stix", Pattern: "[domain-name:value = 'Login-Example.COM.']"},
	{ID: id(4), Name: "Dropper URL", PatternType: "stix", Pattern: "[url:value = 'http://evil.example.net/a/b.exe?x=1']"},
	{ID: id(5), Name: "Phishing sender", PatternType: "stix", Pattern: "[email-addr:value = 'Boss@Example.org']"},
	{ID: id(6), Name: "Frozen Lantern dropper", PatternType: "stix", Pattern: "[file:name = 'lantern.exe' AND file:hashes.MD5 = 'CEAD3F77F6CDA6EC00F57D76C9A6879F']"},
	{ID: id(7), Name: "Payload", PatternType: "stix", Pattern: "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']"},
	{ID: id(8), Name: "C2 certificate", PatternType: "stix", Pattern: "[x509-certificate:hashes.'SHA-1' = '2c322ae2b7fe91391345e070b63668978bb1c9da']"},
	{ID: id(9), Name: "Dual-use tool", PatternType: "stix", Pattern: "[software:name = 'putty']"},
	{ID: id(10), Name: "IPv6 C2 or its domain", PatternType: "stix", Pattern: "[ipv6-addr:value = '2001:db8::7'] OR [domain-name:value = 'c2.example.org']"},
	{ID: id(11), Name: "Lure", PatternType: "stix", Pattern: "[file:name = 'invoice.pdf.exe']"},
	{ID: id(12), Name: "C2 on 443 only", PatternType: "stix", Pattern: "[network-traffic:dst_ref.value = '192.0.2.1' AND network-traffic:dst_port = 443]"},
	{ID: id(13), Name: "YARA rule", PatternType: "yara", Pattern: "rule x { condition: true }"},
	{ID: id(14), Name: "Sequence", PatternType: "stix", Pattern: "[domain-name:value = 'a.example.com'] FOLLOWEDBY [ipv4-addr:value = '192.0.2.2']"},
	{ID: id(15), Name: "Destination", PatternType: "stix", Pattern: "[network-traffic:dst_ref.value = '192.0.2.9']"},
	{ID: id(16), Name: "Same domain again", PatternType: "stix", Pattern: "[domain-name:value IN ('login-example.com', 'cdn.example.org')]"},
	{ID: id(17), Name: "SHA-1 of a file", PatternType: "stix", Pattern: "[file:hashes.'SHA-1' = '2C322AE2B7FE91391345E070B63668978BB1C9DA']"},
}

var at = time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)

// run writes indicators in a format and checks the output with the
// format's checker.
func run(t testing.TB, format string, opts export.Options, inds []export.Indicator) (string, export.Stats) {
	t.Helper()
	var b bytes.Buffer
	if opts.Now.IsZero() {
		opts.Now = at
	}
	w, err := export.New(format, &b, opts)
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
	if err := check(format, b.String()); err != nil {
		t.Fatalf("%s output does not read back: %v\n%s", format, err, b.String())
	}
	return b.String(), w.Stats()
}

func lines(s ...string) string { return strings.Join(s, "\n") + "\n" }

// TestZeekReaderAcceptsZeekFiles grounds the Zeek checker: it reads every
// intel file of Zeek's manual and test suite.
func TestZeekReaderAcceptsZeekFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/zeek-intel/*/*")
	if len(files) < 20 {
		t.Fatalf("found %d Zeek intel files", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := readZeekIntel(string(b))
		if err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if len(rows) == 0 {
			t.Errorf("%s: no rows", f)
		}
	}
}

func TestZeekIntel(t *testing.T) {
	out, st := run(t, "zeek-intel", export.Options{URL: "https://hub.example/objects/"}, sample)
	u := "https://hub.example/objects/"
	want := lines(
		"#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\tmeta.do_notice\tmeta.if_in",
		"198.51.100.7\tIntel::ADDR\t"+id(1)+"\tC2 server\t"+u+id(1)+"\tF\t-",
		"203.0.113.0/24\tIntel::SUBNET\t"+id(2)+"\tExfiltration network\t"+u+id(2)+"\tF\t-",
		"login-example.com\tIntel::DOMAIN\t"+id(3)+"\tPhishing domain\t"+u+id(3)+"\tF\t-",
		"evil.example.net/a/b.exe?x=1\tIntel::URL\t"+id(4)+"\tDropper URL\t"+u+id(4)+"\tF\t-",
		"boss@example.org\tIntel::EMAIL\t"+id(5)+"\tPhishing sender\t"+u+id(5)+"\tF\t-",
		"cead3f77f6cda6ec00f57d76c9a6879f\tIntel::FILE_HASH\t"+id(6)+"\tFrozen Lantern dropper\t"+u+id(6)+"\tF\t-",
		"aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f\tIntel::FILE_HASH\t"+id(7)+"\tPayload\t"+u+id(7)+"\tF\t-",
		"2c322ae2b7fe91391345e070b63668978bb1c9da\tIntel::CERT_HASH\t"+id(8)+"\tC2 certificate\t"+u+id(8)+"\tF\t-",
		"putty\tIntel::SOFTWARE\t"+id(9)+"\tDual-use tool\t"+u+id(9)+"\tF\t-",
		"2001:db8::7\tIntel::ADDR\t"+id(10)+"\tIPv6 C2 or its domain\t"+u+id(10)+"\tF\t-",
		"c2.example.org\tIntel::DOMAIN\t"+id(10)+"\tIPv6 C2 or its domain\t"+u+id(10)+"\tF\t-",
		"invoice.pdf.exe\tIntel::FILE_NAME\t"+id(11)+"\tLure\t"+u+id(11)+"\tF\t-",
		"192.0.2.9\tIntel::ADDR\t"+id(15)+"\tDestination\t"+u+id(15)+"\tF\t-",
		"login-example.com\tIntel::DOMAIN\t"+id(16)+"\tSame domain again\t"+u+id(16)+"\tF\t-",
		"cdn.example.org\tIntel::DOMAIN\t"+id(16)+"\tSame domain again\t"+u+id(16)+"\tF\t-",
		"2c322ae2b7fe91391345e070b63668978bb1c9da\tIntel::FILE_HASH\t"+id(17)+"\tSHA-1 of a file\t"+u+id(17)+"\tF\t-",
	)
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("zeek-intel (-want +got):\n%s", diff)
	}
	wantStats := export.Stats{Indicators: 17, Exported: 14, Lines: 16, Skipped: map[string]int{
		export.ReasonNotSTIX: 1, export.ReasonCompound: 2,
	}}
	if diff := cmp.Diff(wantStats, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}
