package export_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/export"
)

var fuzzPaths = []string{
	"ipv4-addr:value", "ipv6-addr:value", "domain-name:value", "url:value", "email-addr:value",
	"file:name", "file:hashes.MD5", "file:hashes.'SHA-256'", "file:hashes.'SHA-1'",
	"x509-certificate:hashes.'SHA-1'", "software:name", "network-traffic:dst_ref.value",
}

// FuzzWriters writes an indicator made of a fuzzed value on each path the
// export knows, and a fuzzed raw pattern, in every format: the output must
// read back with the format's checker, whatever the value and the name.
func FuzzWriters(f *testing.F) {
	f.Add(uint8(2), "evil.example.com", "[domain-name:value = 'a.example.org']", "C2")
	f.Add(uint8(3), "http://x.example/a\tb", "[url:value = 'http://x/']", "name\nwith\tcontrol")
	f.Add(uint8(5), "#comment", "[file:name = '-']", "#fields")
	f.Add(uint8(0), "10.0.0.0/8", "[ipv4-addr:value ISSUBSET '10.0.0.0/8'] OR [ipv6-addr:value = '::1']", "")
	f.Add(uint8(6), "CEAD3F77F6CDA6EC00F57D76C9A6879F", "[file:hashes.MD5 = 'x' AND file:name = 'y']", "=1+1")
	f.Add(uint8(2), "xn--e1afmkfd.xn--p1ai", "[domain-name:value = 'a b']", "\u2028")
	f.Fuzz(func(t *testing.T, k uint8, value, raw, name string) {
		quoted := "'" + strings.ReplaceAll(strings.ReplaceAll(value, `\`, `\\`), "'", `\'`) + "'"
		inds := []export.Indicator{
			{ID: "indicator--00000000-0000-4000-8000-000000000001", Name: name, PatternType: "stix",
				Pattern: "[" + fuzzPaths[int(k)%len(fuzzPaths)] + " = " + quoted + "]"},
			{ID: "indicator--00000000-0000-4000-8000-000000000002", Name: name, PatternType: "stix", Pattern: raw},
		}
		for _, format := range export.FormatNames() {
			var b bytes.Buffer
			w, err := export.New(format, &b, export.Options{Now: at, URL: "https://hub.example/o/"})
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
				t.Fatalf("%s: %v\n%q", format, err, b.String())
			}
			st := w.Stats()
			if n := strings.Count(b.String(), "\n"); st.Lines > n {
				t.Fatalf("%s: %d lines counted, %d written", format, st.Lines, n)
			}
		}
	})
}
