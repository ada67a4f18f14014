package indicator_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/indicator"
	"github.com/vigie-cti/vigie/pattern"
)

// FuzzMatch evaluates patterns against fuzzed STIX JSON and holds an Index
// holding the pattern to the evaluator's answer.
func FuzzMatch(f *testing.F) {
	docs := []string{"testdata/bundle-21-mixed.json", "testdata/bundle-20-embedded-objects.json", "testdata/objects-array.json", "testdata/bundles-array.json"}
	var seeds [][]byte
	for _, d := range docs {
		b, err := os.ReadFile(d)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	for i, s := range []string{
		"[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
		"[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879e' OR file:hashes.sha256 = 'AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F']",
		`[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\Windows\\System32']`,
		"[network-traffic:dst_ref.value ISSUBSET '203.0.113.0/24']",
		"[network-traffic:dst_ref.value = '198.51.100.5' AND network-traffic:dst_port = 443]",
		"[ipv4-addr:value ISSUPERSET '198.51.100.7']",
		`[email-message:from_ref.value MATCHES '.+\\@example\\.com$']`,
		"[domain-name:value = 'www.5z8.info'] OR [domain-name:value IN ('a.example', 'WWW.5Z8.INFO')]",
		"[email-addr:value = 'Jdoe@Example.com']",
		"[x-usb-device:usbdrive.serial_number = '575833314133343231313937']",
		"[ipv4-addr:value ISSUBSET '198.51.100.0/24'] REPEATS 2 TIMES",
		"[url:value = 'http://example.com/foo']",
		"[url:value = 'HTTP://Example.com:80/%66oo#x'] FOLLOWEDBY [file:name = 'foo.dll'] WITHIN 5 SECONDS",
		"[file:hashes.'SHA-256' != 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
	} {
		f.Add(s, seeds[i%len(seeds)])
	}
	f.Fuzz(func(t *testing.T, s string, doc []byte) {
		p, err := pattern.Parse(s)
		if err != nil {
			return
		}
		obs, err := pattern.ReadObservations(bytes.NewReader(doc))
		if err != nil {
			return
		}
		want, err := p.Match(obs)
		if err != nil {
			if !errors.Is(err, pattern.ErrEvalLimit) {
				t.Fatalf("Match: %v", err)
			}
			return
		}
		ix := indicator.NewIndex(indicator.Options{})
		if err := ix.Add(indicator.Indicator{ID: "indicator--1", Pattern: p}); err != nil {
			t.Fatal(err)
		}
		var got pattern.Result
		if err := ix.Match(obs, now, func(m indicator.Match) bool { got = m.Result; return true }); err != nil {
			t.Fatalf("Index.Match: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Index.Match differs from Match for %q (-want +got):\n%s", s, diff)
		}
	})
}
