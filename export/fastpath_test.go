package export_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/export"
	"github.com/vigie-cti/vigie/pattern"
)

// slowValues is what ValuesOf must always give: the full parse.
func slowValues(src string) ([]export.Value, string) {
	p, err := pattern.Parse(src)
	if err != nil {
		return nil, export.ReasonBadPattern
	}
	return export.Values(p)
}

var fastCases = []string{
	"[ipv4-addr:value = '198.51.100.7']",
	"[ipv4-addr:value = '198.51.100.0/24']",
	"[ipv4-addr:value = '2001:db8::1']",
	"[ipv6-addr:value = '2001:DB8::1']",
	"[ipv4-addr:value = '']",
	"[domain-name:value = 'Example.COM.']",
	"[url:value = 'http://x.example/a b']",
	"[email-addr:value = 'A@B.org']",
	"[file:name = 'a.exe']",
	"[file:hashes.MD5 = 'ABC']",
	"[file:hashes.'SHA-256' = 'aa']",
	"[file:hashes.sha256 = 'aa']",
	"[file:hashes.'SHA-512' = 'aa']",
	"[file:hashes.'' = 'aa']",
	"[artifact:hashes.MD5 = 'aa']",
	"[x509-certificate:hashes.'SHA-1' = 'AA']",
	"[x509-certificate:hashes.MD5 = 'AA']",
	"[software:name = 'putty']",
	"[process:name = 'x']",
	"[domain-name:value = 'a\\'b']",
	"[domain-name:value = 'a']'",
	"[domain-name:value = 'a'] OR [domain-name:value = 'b']",
	"[domain-name:value  = 'a']",
	"[domain-name:value = 'a\nb']",
	"[1x:value = 'a']",
	"[x-custom:value = 'a']",
	"[file:hashes.'SHA\\'1' = 'a']",
	"[file:parent_directory_ref.path = 'a']",
	"[domain-name:value = 'a'] START t'2020-01-01T00:00:00Z' STOP t'2021-01-01T00:00:00Z'",
}

func TestValuesOfAgreesWithParse(t *testing.T) {
	for _, src := range fastCases {
		want, wantWhy := slowValues(src)
		got, why := export.ValuesOf(src, nil)
		if diff := cmp.Diff(want, got); diff != "" || why != wantWhy {
			t.Errorf("%s: (-parse +fast):\n%s%q vs %q", src, diff, wantWhy, why)
		}
	}
	for _, ind := range corpus(2000) {
		want, _ := slowValues(ind.Pattern)
		got, _ := export.ValuesOf(ind.Pattern, nil)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: (-parse +fast):\n%s", ind.Pattern, diff)
		}
	}
}

func FuzzValuesOf(f *testing.F) {
	for _, src := range fastCases {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		want, wantWhy := slowValues(src)
		got, why := export.ValuesOf(src, nil)
		if !cmp.Equal(want, got) || why != wantWhy {
			t.Fatalf("%q: parse %v %q, fast %v %q", src, want, wantWhy, got, why)
		}
	})
}
