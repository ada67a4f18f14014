package indicator_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/indicator"
)

var now = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// MustIndex builds an index of indicators named by their patterns' order.
func MustIndex(tb testing.TB, opts indicator.Options, patterns map[string]string) *indicator.Index {
	tb.Helper()
	ix := indicator.NewIndex(opts)
	ids := make([]string, 0, len(patterns))
	for id := range patterns {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := ix.Add(indicator.Indicator{ID: id, Name: "name of " + id, Pattern: MustParse(tb, patterns[id])}); err != nil {
			tb.Fatal(err)
		}
	}
	return ix
}

// lookup collects the hits of one lookup as "id" (direct), "id?"
// (candidate) and "id+sub" (through a parent domain).
func lookup(ix *indicator.Index, kind indicator.ObservableKind, v string, at time.Time) []string {
	var out []string
	ix.Lookup(kind, v, at, func(h indicator.Hit) bool {
		s := h.ID
		if !h.Direct {
			s += "?"
		}
		if h.Subdomain {
			s += "+sub"
		}
		if h.Name != "name of "+h.ID {
			s += " (wrong name " + h.Name + ")"
		}
		out = append(out, s)
		return true
	})
	slices.Sort(out)
	return out
}

var lookupIndicators = map[string]string{
	"md5":        "[file:hashes.MD5 = 'CEAD3F77F6CDA6EC00F57D76C9A6879F']",
	"sha256":     "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
	"sha1-or":    "[file:hashes.'SHA-1' = '2fd4e1c67a2d28fced849ee1bb76e7391b93eb12' OR file:hashes.'SHA-1' = 'de9f2c7fd25e1b3afad3e85a0bd17d9b100db4b3']",
	"sha512":     "[file:hashes.'SHA-512' = 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e']",
	"ssdeep":     "[file:hashes.SSDEEP = '3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C']",
	"sha256-and": "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:size = 10]",
	"ip":         "[ipv4-addr:value = '198.51.100.1']",
	"ip-in":      "[ipv4-addr:value IN ('198.51.100.2', '198.51.100.3/32')]",
	"cidr":       "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
	"cidr8":      "[ipv4-addr:value ISSUBSET '198.0.0.0/8']",
	"superset":   "[ipv4-addr:value ISSUPERSET '203.0.113.9']",
	"block-eq":   "[ipv4-addr:value = '203.0.113.0/25']",
	"ip6":        "[ipv6-addr:value = '2001:db8::1']",
	"ip6-cidr":   "[ipv6-addr:value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']",
	"traffic":    "[network-traffic:dst_ref.value = '198.51.100.1' AND network-traffic:dst_port = 443]",
	"domain":     "[domain-name:value = 'example.com']",
	"domain-sub": "[domain-name:value = 'b.example.com']",
	"tld":        "[domain-name:value = 'com']",
	"url":        "[url:value = 'http://example.com/foo']",
	"url-norm":   "[url:value = 'HTTP://Example.COM:80/bar']",
	"email":      "[email-addr:value = 'jdoe@example.com']",
	"file":       "[file:name = 'foo.dll']",
	"multi":      "[file:name = 'foo.dll'] FOLLOWEDBY [domain-name:value = 'example.com']",
	"other":      "[process:command_line = 'EVIL.EXE -x']",
	"negation":   "[file:name != 'foo.dll']",
}

func TestIndexLookup(t *testing.T) {
	ix := MustIndex(t, indicator.Options{}, lookupIndicators)
	tests := []struct {
		kind  indicator.ObservableKind
		value string
		want  []string
	}{
		{indicator.KindMD5, "cead3f77f6cda6ec00f57d76c9a6879f", []string{"md5"}},
		{indicator.KindMD5, "CEAD3F77F6CDA6EC00F57D76C9A6879F", []string{"md5"}},
		{indicator.KindMD5, "cead3f77f6cda6ec00f57d76c9a6879e", nil},
		{indicator.KindMD5, "not hex", nil},
		{indicator.KindSHA256, "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f", []string{"sha256", "sha256-and?"}},
		{indicator.KindSHA1, "DE9F2C7FD25E1B3AFAD3E85A0BD17D9B100DB4B3", []string{"sha1-or"}},
		{indicator.KindSHA512, "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e", []string{"sha512"}},
		{indicator.KindSSDEEP, "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C", []string{"ssdeep"}},
		{indicator.KindSSDEEP, "3:axgbicflgvnhbgcl6wcrfqev:axghsnhxlsr2c", nil},
		{indicator.KindIPv4, "198.51.100.1", []string{"cidr", "cidr8", "ip", "traffic?"}},
		{indicator.KindIPv4, "198.51.100.3", []string{"cidr", "cidr8", "ip-in"}},
		{indicator.KindIPv4, "198.51.101.1", []string{"cidr8"}},
		{indicator.KindIPv4, "198.51.100.0/28", []string{"cidr", "cidr8"}},
		{indicator.KindIPv4, "203.0.113.9", []string{"superset"}},
		{indicator.KindIPv4, "203.0.113.0/24", []string{"superset"}},
		{indicator.KindIPv4, "203.0.113.1/25", []string{"block-eq", "superset"}},
		{indicator.KindIPv4, "192.0.2.1", nil},
		{indicator.KindIPv4, "not an ip", nil},
		{indicator.KindIPv6, "2001:db8::1", []string{"ip6"}},
		{indicator.KindIPv6, "2001:db8:dead:beef::99", []string{"ip6-cidr"}},
		{indicator.KindDomain, "example.com", []string{"domain"}},
		{indicator.KindDomain, "EXAMPLE.com.", []string{"domain"}},
		{indicator.KindDomain, "a.b.example.com", []string{"domain+sub", "domain-sub+sub"}},
		{indicator.KindDomain, "notexample.com", nil},
		{indicator.KindURL, "http://example.com/foo", []string{"url"}},
		{indicator.KindURL, "http://EXAMPLE.com:80/foo#frag", []string{"url"}},
		// A constant outside the normal form is a candidate: Match compares
		// it exactly.
		{indicator.KindURL, "http://example.com/bar", []string{"url-norm?"}},
		{indicator.KindURL, "http://example.com/%62ar", []string{"url-norm?"}},
		{indicator.KindURL, "https://example.com/foo", nil},
		{indicator.KindEmail, "JDoe@Example.com", []string{"email"}},
		{indicator.KindFileName, "foo.dll", []string{"file", "multi?"}},
		{indicator.KindFileName, "FOO.DLL", nil},
		{indicator.KindFileName, "evil.exe -x", []string{"other?"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%s", tt.kind, tt.value), func(t *testing.T) {
			if diff := cmp.Diff(tt.want, lookup(ix, tt.kind, tt.value, now)); diff != "" {
				t.Errorf("Lookup (-want +got):\n%s", diff)
			}
		})
	}
	if got := ix.Stats(); got != (indicator.Stats{Direct: 19, Candidates: 5, Unindexed: 1}) {
		t.Errorf("Stats = %+v", got)
	}
}

func TestIndexLookupExactDomains(t *testing.T) {
	ix := MustIndex(t, indicator.Options{ExactDomains: true}, lookupIndicators)
	if got := lookup(ix, indicator.KindDomain, "a.b.example.com", now); got != nil {
		t.Errorf("Lookup = %v, want no hits", got)
	}
	if diff := cmp.Diff([]string{"domain-sub"}, lookup(ix, indicator.KindDomain, "b.example.com", now)); diff != "" {
		t.Errorf("Lookup (-want +got):\n%s", diff)
	}
}

func TestIndexLookupStops(t *testing.T) {
	ix := MustIndex(t, indicator.Options{}, lookupIndicators)
	n := 0
	ix.Lookup(indicator.KindIPv4, "198.51.100.1", now, func(indicator.Hit) bool { n++; return false })
	if n != 1 {
		t.Errorf("fn called %d times after returning false, want 1", n)
	}
}

func TestIndexLookupDoesNotAllocate(t *testing.T) {
	ix := MustIndex(t, indicator.Options{}, lookupIndicators)
	sink := 0
	fn := func(h indicator.Hit) bool { sink += len(h.ID); return true }
	for _, q := range []struct {
		kind indicator.ObservableKind
		v    string
	}{
		{indicator.KindMD5, "cead3f77f6cda6ec00f57d76c9a6879f"},
		{indicator.KindSHA256, "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"},
		{indicator.KindSSDEEP, "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C"},
		{indicator.KindIPv4, "198.51.100.1"},
		{indicator.KindIPv6, "2001:db8:dead:beef::99"},
		{indicator.KindDomain, "a.b.example.com"},
		{indicator.KindURL, "HTTP://EXAMPLE.com:80/foo#x"},
		{indicator.KindEmail, "JDoe@Example.com"},
		{indicator.KindFileName, "foo.dll"},
	} {
		if allocs := testing.AllocsPerRun(100, func() { ix.Lookup(q.kind, q.v, now, fn) }); allocs != 0 {
			t.Errorf("Lookup(%d, %s) allocates %v times", q.kind, q.v, allocs)
		}
	}
}

func TestIndexValidity(t *testing.T) {
	ix := indicator.NewIndex(indicator.Options{})
	add := func(id string, from, until time.Time) {
		t.Helper()
		err := ix.Add(indicator.Indicator{ID: id, Name: "name of " + id, Pattern: MustParse(t, "[domain-name:value = 'evil.example']"), ValidFrom: from, ValidUntil: until})
		if err != nil {
			t.Fatal(err)
		}
	}
	add("always", time.Time{}, time.Time{})
	add("past", now.Add(-48*time.Hour), now.Add(-time.Hour))
	add("future", now.Add(time.Hour), time.Time{})
	add("current", now.Add(-time.Hour), now.Add(time.Hour))
	if diff := cmp.Diff([]string{"always", "current"}, lookup(ix, indicator.KindDomain, "evil.example", now)); diff != "" {
		t.Errorf("Lookup at now (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"always", "future"}, lookup(ix, indicator.KindDomain, "evil.example", now.Add(2*time.Hour))); diff != "" {
		t.Errorf("Lookup later (-want +got):\n%s", diff)
	}
	if n := ix.Expire(now); n != 1 {
		t.Errorf("Expire removed %d, want 1", n)
	}
	if ix.Len() != 3 {
		t.Errorf("Len = %d, want 3", ix.Len())
	}
	if n := ix.Expire(now.Add(time.Hour)); n != 1 {
		t.Errorf("Expire removed %d, want 1", n)
	}
	if diff := cmp.Diff([]string{"always", "future"}, lookup(ix, indicator.KindDomain, "evil.example", now.Add(2*time.Hour))); diff != "" {
		t.Errorf("Lookup after Expire (-want +got):\n%s", diff)
	}
}

func TestIndexAddRemove(t *testing.T) {
	ix := MustIndex(t, indicator.Options{}, lookupIndicators)
	if !ix.Remove("ip") || ix.Remove("ip") {
		t.Fatal("Remove(ip) should succeed once")
	}
	if diff := cmp.Diff([]string{"cidr", "cidr8", "traffic?"}, lookup(ix, indicator.KindIPv4, "198.51.100.1", now)); diff != "" {
		t.Errorf("Lookup after Remove (-want +got):\n%s", diff)
	}
	// Adding an ID again replaces its indicator.
	if err := ix.Add(indicator.Indicator{ID: "cidr", Name: "name of cidr", Pattern: MustParse(t, "[domain-name:value = 'replaced.example']")}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"cidr8", "traffic?"}, lookup(ix, indicator.KindIPv4, "198.51.100.1", now)); diff != "" {
		t.Errorf("Lookup after replace (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"cidr"}, lookup(ix, indicator.KindDomain, "replaced.example", now)); diff != "" {
		t.Errorf("Lookup of the replacement (-want +got):\n%s", diff)
	}
	if ix.Len() != len(lookupIndicators)-1 {
		t.Errorf("Len = %d, want %d", ix.Len(), len(lookupIndicators)-1)
	}
	if _, ok := ix.Pattern("traffic"); !ok {
		t.Error("Pattern(traffic) not kept for a candidate")
	}
	if _, ok := ix.Pattern("md5"); ok {
		t.Error("Pattern(md5) kept for a direct indicator")
	}
	if err := ix.Add(indicator.Indicator{ID: "x"}); err == nil {
		t.Error("Add without a pattern succeeded")
	}
}

func TestIndexCompaction(t *testing.T) {
	// Removing most of 5,000 indicators triggers compactions; the rest
	// are still found, with their names, and nothing removed is.
	ix := indicator.NewIndex(indicator.Options{})
	const n = 5000
	for i := range n {
		p := fmt.Sprintf("[ipv4-addr:value = '10.0.%d.%d'] ", i/256, i%256)
		if i%3 == 0 {
			p = fmt.Sprintf("[ipv4-addr:value = '10.0.%d.%d' AND ipv4-addr:x = 1]", i/256, i%256)
		}
		if err := ix.Add(indicator.Indicator{ID: fmt.Sprint(i), Name: "name of " + fmt.Sprint(i), Pattern: MustParse(t, p)}); err != nil {
			t.Fatal(err)
		}
		// A shared key keeps posting lists long.
		if err := ix.Add(indicator.Indicator{ID: fmt.Sprint("shared", i), Name: "name of " + fmt.Sprint("shared", i), Pattern: MustParse(t, "[domain-name:value = 'shared.example']")}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		if i%10 != 0 {
			ix.Remove(fmt.Sprint(i))
			ix.Remove(fmt.Sprint("shared", i))
		}
	}
	if ix.Len() != 2*n/10 {
		t.Fatalf("Len = %d, want %d", ix.Len(), 2*n/10)
	}
	if s := ix.Stats(); s.Tombstones >= 1024 && s.Tombstones > ix.Len()/2 {
		t.Errorf("tombstones not compacted: %+v", s)
	}
	for i := range n {
		got := lookup(ix, indicator.KindIPv4, fmt.Sprintf("10.0.%d.%d", i/256, i%256), now)
		var want []string
		switch {
		case i%10 == 0 && i%3 == 0:
			want = []string{fmt.Sprint(i) + "?"}
		case i%10 == 0:
			want = []string{fmt.Sprint(i)}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Lookup(10.0.%d.%d) (-want +got):\n%s", i/256, i%256, diff)
		}
	}
	if got := len(lookup(ix, indicator.KindDomain, "shared.example", now)); got != n/10 {
		t.Errorf("shared key has %d hits, want %d", got, n/10)
	}
}

func TestIndexMatch(t *testing.T) {
	obs := MustObservationsFile(t, "testdata/bundle-21-mixed.json")
	ix := MustIndex(t, indicator.Options{}, map[string]string{
		"sha256":   "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
		"md5":      "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']",
		"md5-miss": "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879e']",
		"traffic":  "[network-traffic:dst_ref.value = '203.0.113.33'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
		"dst-cidr": "[network-traffic:dst_ref.value ISSUBSET '203.0.113.0/24']",
		"domain":   "[domain-name:value = 'www.5z8.info']",
		"followed": "([file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] FOLLOWEDBY [windows-registry-key:key LIKE '%CryptoLocker%']) WITHIN 1800 SECONDS",
		"too-fast": "([file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] FOLLOWEDBY [windows-registry-key:key LIKE '%CryptoLocker%']) WITHIN 60 SECONDS",
		"sender":   "[email-message:sender_ref.value = 'jdoe@example.com']",
		"usb":      "[x-usb-device:usbdrive.serial_number = '575833314133343231313937']",
		"negation": "[file:size != 1]",
		"pcap":     `[artifact:payload_bin MATCHES '^\\xd4\\xc3']`,
	})
	var got []string
	err := ix.Match(obs, now, func(m indicator.Match) bool {
		got = append(got, fmt.Sprint(m.ID, " ", m.Result.Observations))
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"domain [3]", "dst-cidr [1]", "followed [0 4]", "md5 [0]", "negation [0]", "pcap [3]", "sender [2]", "sha256 [0]", "traffic [1]", "usb [4]"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Match (-want +got):\n%s", diff)
	}
}

func TestIndexConcurrentUse(t *testing.T) {
	// Lookups and matches run while indicators are added and removed; run
	// with -race to check the locking.
	ix := MustIndex(t, indicator.Options{}, lookupIndicators)
	obs := MustObservationsFile(t, "testdata/bundle-21-mixed.json")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 2000 {
			id := fmt.Sprint("churn", i%50)
			if i%2 == 0 {
				if err := ix.Add(indicator.Indicator{ID: id, Pattern: MustParse(t, fmt.Sprintf("[ipv4-addr:value = '10.9.%d.%d']", i/256%256, i%256))}); err != nil {
					t.Error(err)
					return
				}
			} else {
				ix.Remove(id)
			}
		}
	}()
	for range 500 {
		ix.Lookup(indicator.KindIPv4, "198.51.100.1", now, func(indicator.Hit) bool { return true })
		if err := ix.Match(obs, now, func(indicator.Match) bool { return true }); err != nil {
			t.Fatal(err)
		}
	}
	<-done
}
