package pattern_test

import (
	"testing"

	"github.com/vigie-cti/vigie/pattern"
)

// BenchmarkEval measures typical single-observation patterns against one
// STIX 2.1 observed-data (the goal is under 1 µs each): obs picks the
// observed-data of testdata/bundle-21-mixed.json the pattern is about.
func BenchmarkEval(b *testing.B) {
	all := MustObservationsFile(b, "testdata/bundle-21-mixed.json")
	cases := []struct {
		name    string
		obs     int
		pattern string
	}{
		{"sha256", 0, "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']"},
		{"md5-or-sha256", 0, "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879e' OR file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']"},
		{"name-and-ref", 0, `[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\Windows\\System32']`},
		{"pe-sections", 0, "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]"},
		{"dst-ref-cidr", 1, "[network-traffic:dst_ref.value ISSUBSET '203.0.113.0/24']"},
		{"matches", 2, `[email-message:from_ref.value MATCHES '.+\\@example\\.com$']`},
		{"domain", 3, "[domain-name:value = 'www.5z8.info']"},
		{"domain-miss", 3, "[domain-name:value = 'www.example.org']"},
		{"in-10", 3, "[domain-name:value IN ('a.example', 'b.example', 'c.example', 'd.example', 'e.example', 'f.example', 'g.example', 'h.example', 'i.example', 'www.5z8.info')]"},
		{"like", 4, "[windows-registry-key:key LIKE '%CryptoLocker%']"},
		{"custom-type", 4, "[x-usb-device:usbdrive.serial_number = '575833314133343231313937']"},
	}
	for _, c := range cases {
		p := MustParse(b, c.pattern)
		obs := all[c.obs : c.obs+1]
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Matches(obs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// Match reports which observations matched; that costs one allocation.
	p := MustParse(b, cases[0].pattern)
	b.Run("sha256-Match", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Match(all[:1]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEvalTemporal measures patterns over several observations.
func BenchmarkEvalTemporal(b *testing.B) {
	var obs []pattern.Observation
	for i := range 100 {
		obs = append(obs, at("b", float64(3*i)), at("a", float64(3*i+1)), at("c", float64(3*i+2)))
	}
	for _, c := range []struct{ name, pattern string }{
		{"followedby-within", "([x-e:v = 'a'] FOLLOWEDBY [x-e:v = 'c']) WITHIN 5 SECONDS"},
		{"repeats-within", "[x-e:v = 'a'] REPEATS 5 TIMES WITHIN 12 SECONDS"},
		{"repeats-within-miss", "[x-e:v = 'a'] REPEATS 5 TIMES WITHIN 11 SECONDS"},
	} {
		p := MustParse(b, c.pattern)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Match(obs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
