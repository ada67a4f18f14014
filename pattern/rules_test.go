package pattern_test

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/pattern"
)

// The tests below hold the rules that the pattern package shares with the
// indicator index: how strings are read as address blocks, how hash
// algorithm names are spelled, which hashes key a comparison reads, and
// which values a path reaches.

func TestAddressBlock(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when not an address block
	}{
		{"198.51.100.7", "198.51.100.7/32"},
		{"198.51.100.7/24", "198.51.100.0/24"},
		{"2001:db8::1", "2001:db8::1/128"},
		{"2001:DB8::1/32", "2001:db8::/32"},
		{"::ffff:1.2.3.4", "::ffff:1.2.3.4/128"},
		{"0.0.0.0/0", "0.0.0.0/0"},
		// malformed
		{"", ""},
		{"198.51.100", ""},
		{"198.51.100.256", ""},
		{"198.51.100.7/33", ""},
		{"198.51.100.7/", ""},
		{"/24", ""},
		{"198.051.100.7", ""},
		{" 198.51.100.7", ""},
		{"fe80::1%eth0", ""},
		{"fe80::1%eth0/64", ""},
		{"2001:db8::1/129", ""},
		{"example.com", ""},
	}
	for _, tt := range tests {
		got := ""
		if pfx, ok := pattern.AddressBlock(tt.in); ok {
			got = pfx.String()
		}
		if got != tt.want {
			t.Errorf("AddressBlock(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestComparisonPrefix(t *testing.T) {
	tests := []struct {
		pattern string
		want    netip.Prefix
	}{
		{"[ipv4-addr:value ISSUBSET '198.51.100.7/24']", netip.MustParsePrefix("198.51.100.0/24")},
		{"[ipv4-addr:value ISSUPERSET '198.51.100.7']", netip.MustParsePrefix("198.51.100.7/32")},
		{"[ipv4-addr:value = '198.51.100.7']", netip.Prefix{}},
	}
	for _, tt := range tests {
		c, ok := MustParse(t, tt.pattern).Root.(*pattern.Bracket).Expr.(*pattern.Comparison)
		if !ok {
			t.Fatalf("%s: not a single comparison", tt.pattern)
		}
		if got := c.Prefix(); got != tt.want {
			t.Errorf("%s: Prefix() = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}

func TestHashAlgorithm(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SHA-256", "SHA-256"},
		{"sha256", "SHA-256"},
		{"SHA_256", "SHA-256"},
		{"Sha-1", "SHA-1"},
		{"md5", "MD5"},
		{"sha3-512", "SHA3-512"},
		{"ssdeep", "SSDEEP"},
		{"TLSH", "TLSH"},
		{"x-custom_hash", "XCUSTOMHASH"}, // outside the vocabulary: folded
		{"", ""},
	}
	for _, tt := range tests {
		if got := pattern.HashAlgorithm(tt.in); got != tt.want {
			t.Errorf("HashAlgorithm(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHashDigits(t *testing.T) {
	tests := []struct {
		alg    string
		digits int
		ok     bool
	}{
		{"MD5", 32, true},
		{"SHA-1", 40, true},
		{"SHA-256", 64, true},
		{"SHA3-256", 64, true},
		{"SHA-512", 128, true},
		{"SHA3-512", 128, true},
		{"SSDEEP", 0, true},
		{"TLSH", 0, true},
		{"sha256", 0, false}, // only the vocabulary spelling
		{"CRC32", 0, false},
	}
	for _, tt := range tests {
		if d, ok := pattern.HashDigits(tt.alg); d != tt.digits || ok != tt.ok {
			t.Errorf("HashDigits(%q) = %d, %v; want %d, %v", tt.alg, d, ok, tt.digits, tt.ok)
		}
	}
}

func TestHashKey(t *testing.T) {
	tests := []struct {
		name   string
		hashes map[string]any
		alg    string
		want   string // "" when none
	}{
		{"exact", map[string]any{"SHA-256": "a", "sha256": "b"}, "SHA-256", "SHA-256"},
		{"other spelling", map[string]any{"sha256": "b"}, "SHA-256", "sha256"},
		{"smallest of several spellings", map[string]any{"sha_256": "c", "SHA256": "a", "sha256": "b"}, "SHA-256", "SHA256"},
		{"exact even when null", map[string]any{"SHA-256": nil, "sha256": "b"}, "SHA-256", "SHA-256"},
		{"smallest even when null", map[string]any{"SHA256": nil, "sha256": "b"}, "SHA-256", "SHA256"},
		{"other algorithm", map[string]any{"MD5": "a"}, "SHA-256", ""},
		{"empty", map[string]any{}, "MD5", ""},
	}
	for _, tt := range tests {
		got, ok := pattern.HashKey(tt.hashes, tt.alg)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("%s: HashKey = %q, %v; want %q", tt.name, got, ok, tt.want)
		}
	}
}

// TestHashKeyDecidesMatch holds that the evaluator reads the key HashKey
// names, whatever the order of the dictionary: a comparison on a hashes
// dictionary with a null under the smallest other spelling never matches.
func TestHashKeyDecidesMatch(t *testing.T) {
	p := MustParse(t, "[file:hashes.'SHA-256' = 'aa']")
	doc := `{"type": "bundle", "id": "bundle--1", "objects": [
 {"type": "observed-data", "id": "observed-data--1", "first_observed": "2020-01-01T00:00:00Z",
  "last_observed": "2020-01-01T00:00:00Z", "number_observed": 1, "object_refs": ["file--1"]},
 {"type": "file", "id": "file--1", "hashes": {"SHA256": null, "sha256": "aa", "sha-256": "aa"}}]}`
	obs := MustObservations(t, doc)
	for i := range 50 { // map order varies from call to call
		r, err := p.Match(obs)
		if err != nil {
			t.Fatal(err)
		}
		if r.Matched {
			t.Fatalf("call %d matched through a key other than the smallest spelling", i)
		}
	}
}

func TestWalkerValues(t *testing.T) {
	doc := `{"type": "bundle", "id": "bundle--1", "objects": [
 {"type": "observed-data", "id": "observed-data--1", "first_observed": "2020-01-01T00:00:00Z",
  "last_observed": "2020-01-01T00:00:00Z", "number_observed": 1, "object_refs": ["network-traffic--1"]},
 {"type": "network-traffic", "id": "network-traffic--1", "dst_ref": "ipv4-addr--1",
  "src_refs": ["ipv4-addr--2", "ipv4-addr--9", "ipv4-addr--3"], "protocols": ["tcp", "tls"],
  "extensions": {"x-ext": {"hashes": {"sha256": "aa", "MD5": "bb"}}}},
 {"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "198.51.100.1"},
 {"type": "ipv4-addr", "id": "ipv4-addr--2", "value": "198.51.100.2"},
 {"type": "ipv4-addr", "id": "ipv4-addr--3", "value": "198.51.100.3"}]}`
	obs := MustObservations(t, doc)
	o := &obs[0]
	root := o.Objects[o.Roots[0]]
	tests := []struct {
		path string
		want []string // "value key inHashes"
	}{
		{"network-traffic:dst_ref.value", []string{"198.51.100.1 value false"}},
		{"network-traffic:src_refs[*].value", []string{"198.51.100.2 value false", "198.51.100.3 value false"}},
		{"network-traffic:src_refs[2].value", []string{"198.51.100.3 value false"}},
		{"network-traffic:protocols[*]", []string{"tcp protocols false", "tls protocols false"}},
		{"network-traffic:extensions.'x-ext'.hashes.'SHA-256'", []string{"aa SHA-256 true"}},
		{"network-traffic:extensions.'x-ext'.hashes.MD5", []string{"bb MD5 true"}},
		{"network-traffic:dst_port", nil},
		{"ipv4-addr:value", nil}, // root is not of the path's type
	}
	for _, tt := range tests {
		path := MustParse(t, "["+tt.path+" = 'x']").Root.(*pattern.Bracket).Expr.(*pattern.Comparison).Path
		var w pattern.Walker
		var got []string
		err := w.Values(o, root, path, func(v any, key string, inHashes bool) {
			got = append(got, fmt.Sprintf("%v %s %v", v, key, inHashes))
		})
		if err != nil {
			t.Errorf("%s: %v", tt.path, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: values (-want +got):\n%s", tt.path, diff)
		}
	}
}

// TestWalkerBudget holds that one Walker's calls share one budget of
// MaxEvalSteps steps, and that it reports the limit once spent.
func TestWalkerBudget(t *testing.T) {
	list := make([]any, 1000)
	for i := range list {
		list[i] = "v"
	}
	root := map[string]any{"type": "x-e", "id": "x-e--1", "list": list}
	o := &pattern.Observation{Objects: map[string]map[string]any{"x-e--1": root}, Roots: []string{"x-e--1"}}
	path := MustParse(t, "[x-e:list[*] = 'v']").Root.(*pattern.Bracket).Expr.(*pattern.Comparison).Path
	var w pattern.Walker
	n := 0
	var err error
	for range pattern.MaxEvalSteps/1000 + 2 {
		if err = w.Values(o, root, path, func(any, string, bool) { n++ }); err != nil {
			break
		}
	}
	if !errors.Is(err, pattern.ErrEvalLimit) {
		t.Fatalf("Values after %d values: err = %v, want ErrEvalLimit", n, err)
	}
	if n >= pattern.MaxEvalSteps {
		t.Errorf("%d values visited, want fewer than the budget of %d steps", n, pattern.MaxEvalSteps)
	}
	before := n
	if err := w.Values(o, root, path, func(any, string, bool) { n++ }); !errors.Is(err, pattern.ErrEvalLimit) || n != before {
		t.Errorf("Values once spent: err = %v, %d more values; want ErrEvalLimit and none", err, n-before)
	}
}
