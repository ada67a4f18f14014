package export_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/export"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestSuricataDatasets(t *testing.T) {
	for _, tc := range []struct {
		format, want string
	}{
		{"suricata-domains", lines(b64("login-example.com"), b64("c2.example.org"), b64("cdn.example.org"))},
		{"suricata-ipv4", lines("198.51.100.7", "192.0.2.9")},
		{"suricata-ipv6", lines("2001:db8::7")},
		{"suricata-md5", lines("cead3f77f6cda6ec00f57d76c9a6879f " + id(6))},
		{"suricata-sha256", lines("aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f " + id(7))},
	} {
		t.Run(tc.format, func(t *testing.T) {
			out, _ := run(t, tc.format, export.Options{}, sample)
			if diff := cmp.Diff(tc.want, out); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// The guide's own example line decodes as it says.
	if b64("Mozilla/4.0 (compatible; )") != "TW96aWxsYS80LjAgKGNvbXBhdGlibGU7ICk=" {
		t.Error("base64 differs from the Suricata guide's example")
	}
}

func TestSuricataDomainDuplicateCounted(t *testing.T) {
	_, st := run(t, "suricata-domains", export.Options{}, sample)
	if st.Skipped[export.ReasonDuplicate] != 1 {
		t.Errorf("duplicates = %d, want 1 (login-example.com twice)", st.Skipped[export.ReasonDuplicate])
	}
}

func TestSuricataRules(t *testing.T) {
	out, _ := run(t, "suricata-rules", export.Options{SIDBase: 2_000_100, DatasetPrefix: "cert"}, nil)
	sids, err := checkRules(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(sids) != export.RuleCount || sids[0] != 2_000_100 || sids[len(sids)-1] != 2_000_100+export.RuleCount-1 {
		t.Errorf("sids %v, want %d from 2000100", sids, export.RuleCount)
	}
	for _, want := range []string{
		`alert dns any any -> any any (msg:"vigie DNS query for a listed domain"; dns.query; dataset:isset,cert-domains, type string, load cert-domains.lst, memcap 512mb, hashsize 1048576; classtype:trojan-activity; sid:2000100; rev:1; metadata:created_by vigie;)`,
		`alert tls any any -> any any (msg:"vigie TLS SNI is a listed domain"; tls.sni; dataset:isset,cert-domains, type string, load cert-domains.lst, memcap 512mb, hashsize 1048576; classtype:trojan-activity; sid:2000102; rev:1; metadata:created_by vigie;)`,
		`alert ip any any -> any any (msg:"vigie destination is a listed IPv4 address"; ip.dst; dataset:isset,cert-ipv4, type ipv4, load cert-ipv4.lst, memcap 512mb, hashsize 1048576; classtype:trojan-activity; sid:2000104; rev:1; metadata:created_by vigie;)`,
		`alert ip any any -> any any (msg:"vigie source is a listed IPv6 address"; ip.src; dataset:isset,cert-ipv6, type ip, load cert-ipv6.lst, memcap 512mb, hashsize 1048576; classtype:trojan-activity; sid:2000105; rev:1; metadata:created_by vigie;)`,
		`alert smb any any -> any any (msg:"vigie file with a listed SHA-256 over SMB"; filesha256:cert-sha256.lst; classtype:trojan-activity; sid:2000112; rev:1; metadata:created_by vigie;)`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("rules lack\n%s\nin\n%s", want, out)
		}
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	for _, o := range []export.Options{
		{DatasetPrefix: "a b"},
		{DatasetPrefix: "x, load /etc/passwd"},
		{SIDBase: -1},
		{RPZAction: "evil\n@ IN NS x."},
		{RPZAction: "com"},
		{URL: "https://x/\t"},
	} {
		if _, err := export.New("zeek-intel", &strings.Builder{}, o); err == nil {
			t.Errorf("New accepted %+v", o)
		}
	}
	if _, err := export.New("stix-bundle", &strings.Builder{}, export.Options{}); err == nil {
		t.Error("New accepted an unknown format")
	}
}

func TestRPZ(t *testing.T) {
	out, _ := run(t, "rpz", export.Options{}, sample)
	want := lines(
		"; vigie Response Policy Zone, written 2026-12-06T03:00:00Z: each domain and its subdomains answer ..",
		"$TTL 300",
		"@ IN SOA localhost. hostmaster.localhost. 1796526000 3600 600 86400 300",
		"@ IN NS localhost.",
		"login-example.com CNAME . ; "+id(3),
		"*.login-example.com CNAME . ; "+id(3),
		"c2.example.org CNAME . ; "+id(10),
		"*.c2.example.org CNAME . ; "+id(10),
		"cdn.example.org CNAME . ; "+id(16),
		"*.cdn.example.org CNAME . ; "+id(16),
	)
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	out, _ = run(t, "rpz", export.Options{RPZAction: "walled.example.net"}, sample[2:3])
	if _, err := checkRPZ(out, "walled.example.net."); err != nil {
		t.Error(err)
	}
}

func TestLists(t *testing.T) {
	for _, tc := range []struct{ format, want string }{
		{"list-ip", lines("198.51.100.7", "203.0.113.0/24", "2001:db8::7", "192.0.2.9")},
		{"list-domain", lines("login-example.com", "c2.example.org", "cdn.example.org")},
		{"list-url", lines("evil.example.net/a/b.exe?x=1")},
	} {
		out, _ := run(t, tc.format, export.Options{}, sample)
		if diff := cmp.Diff(tc.want, out); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.format, diff)
		}
	}
}

func TestCSV(t *testing.T) {
	inds := append([]export.Indicator{}, sample[:2]...)
	inds = append(inds, export.Indicator{ID: id(21), Name: "formula", PatternType: "stix", Pattern: "[file:name = '=cmd|calc.exe']"})
	inds = append(inds, export.Indicator{ID: id(20), Name: "=HYPERLINK(\"x\"), \"quoted\"\nsecond line", PatternType: "stix", Pattern: "[domain-name:value = 'x.example.com']"})
	out, _ := run(t, "csv", export.Options{}, inds)
	recs, err := checkCSV(out)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"198.51.100.7", "ipv4", id(1), "C2 server"},
		{"203.0.113.0/24", "cidr4", id(2), "Exfiltration network"},
		{"x.example.com", "domain", id(20), "'=HYPERLINK(\"x\"), \"quoted\" second line"},
	}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestHostileValues feeds values that would break a format if written
// as they are: each is skipped and counted, and the output still reads.
func TestHostileValues(t *testing.T) {
	hostile := []string{
		"[domain-name:value = 'evil .com']",
		"[domain-name:value = 'evil.com\\n@ IN NS attacker.']",
		"[domain-name:value = 'evil.com\tIntel::ADDR']",
		"[domain-name:value = 'xn--80ak6aa92e.com\\u0000']",
		"[domain-name:value = 'com']",
		"[domain-name:value = 'пример.рф']",
		"[domain-name:value = '*.wild.example.com']",
		"[domain-name:value = '1.2.3.4']",
		"[domain-name:value = '-']",
		"[url:value = 'http://evil.com/a\tb']",
		"[url:value = 'http://evil.com/a\nb']",
		"[url:value = 'evil.com/no-scheme']",
		"[url:value = 'http:///path-only']",
		"[email-addr:value = 'a@b@c.com']",
		"[email-addr:value = '#x@y.com']",
		"[file:name = 'a\tb.exe']",
		"[file:name = '#comment.exe']",
		"[file:name = '-']",
		"[file:name = '(empty)']",
		"[file:name = 'back\\\\slash.exe']",
		"[file:name = ' lead.exe']",
		"[file:hashes.MD5 = 'not-a-hash']",
		"[file:hashes.'SHA-256' = 'abc']",
		"[software:name = 'x\u2028y']",
	}
	var inds []export.Indicator
	for i, p := range hostile {
		inds = append(inds, export.Indicator{ID: id(i + 30), Name: "hostile\n#fields x", PatternType: "stix", Pattern: p})
	}
	for _, f := range export.FormatNames() {
		out, st := run(t, f, export.Options{}, inds)
		for _, bad := range []string{"attacker", "\tIntel::ADDR\t" + id(32), "a\tb", "\n#comment"} {
			if strings.Contains(out, bad) && f != "csv" {
				t.Errorf("%s wrote %q:\n%s", f, bad, out)
			}
		}
		if f == "zeek-intel" && st.Lines != 0 {
			t.Errorf("zeek-intel wrote %d hostile lines:\n%s", st.Lines, out)
		}
		if f == "rpz" && st.Lines != 0 {
			t.Errorf("rpz wrote %d hostile lines:\n%s", st.Lines, out)
		}
	}
}

func TestKindsFilter(t *testing.T) {
	ks, err := export.ParseKinds("domain, hash")
	if err != nil {
		t.Fatal(err)
	}
	out, st := run(t, "csv", export.Options{Kinds: ks}, sample[:7])
	recs, _ := checkCSV(out)
	var kinds []string
	for _, r := range recs {
		kinds = append(kinds, r[1])
	}
	if diff := cmp.Diff([]string{"domain", "md5", "sha256"}, kinds); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if st.Skipped[export.ReasonFiltered] != 4 {
		t.Errorf("filtered %d, want 4", st.Skipped[export.ReasonFiltered])
	}
	for _, bad := range []string{"domains", "ipv5", "0"} {
		if _, err := export.ParseKinds(bad); err == nil {
			t.Errorf("ParseKinds(%q) accepted", bad)
		}
	}
}
