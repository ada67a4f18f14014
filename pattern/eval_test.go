package pattern_test

import (
	"os"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/pattern"
)

// MustObservations builds the observations of STIX JSON or fails the test.
func MustObservations(tb testing.TB, doc string) []pattern.Observation {
	tb.Helper()
	obs, err := pattern.ReadObservations(strings.NewReader(doc))
	if err != nil {
		tb.Fatalf("ReadObservations: %v", err)
	}
	return obs
}

// MustObservationsFile reads observations from a file of testdata.
func MustObservationsFile(tb testing.TB, name string) []pattern.Observation {
	tb.Helper()
	f, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	obs, err := pattern.ReadObservations(f)
	if err != nil {
		tb.Fatalf("ReadObservations(%s): %v", name, err)
	}
	return obs
}

// testObject is one observed-data about an object with a property of each
// JSON type.
const testObject = `{"type": "bundle", "id": "bundle--1", "objects": [
 {"type": "observed-data", "id": "observed-data--1", "first_observed": "2020-01-01T00:00:00Z",
  "last_observed": "2020-01-01T00:00:00Z", "number_observed": 1, "object_refs": ["x-test--1"]},
 {"type": "x-test", "id": "x-test--1", "int": 5, "float": 12.658, "float_int": 12.0, "neg": -3,
  "big": 9007199254740993, "bool": true, "string": "hello", "dotted": "a.b*c",
  "ip": "11.22.33.44", "cidr": "11.22.33.44/20", "ip6": "2001:db8:dead:beef::1",
  "ts": "2020-06-01T12:00:00.5Z", "data_bin": "AQIDBA==", "data_hex": "01020304", "bad_bin": "%%%",
  "list": ["a", "b", "c"], "nested": {"k": "v", "deep": {"n": 1}}, "null": null,
  "unicode": "café"}
]}`

func TestComparisonOperators(t *testing.T) {
	obs := MustObservations(t, testObject)
	big := "[x-test:string IN ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'hello')]"
	tests := []struct {
		pattern string
		want    bool
	}{
		// = and != with matching types (§9.5 comparison operators).
		{"[x-test:int = 5]", true},
		{"[x-test:int == 5]", true},
		{"[x-test:int = 5.0]", true},
		{"[x-test:int = 6]", false},
		{"[x-test:float = 12.658]", true},
		{"[x-test:float_int = 12]", true},
		{"[x-test:neg = -3]", true},
		{"[x-test:big = 9007199254740993]", true},
		{"[x-test:big = 9007199254740992]", false},
		{"[x-test:int != 6]", true},
		{"[x-test:int <> 6]", true},
		{"[x-test:int != 5]", false},
		{"[x-test:string = 'hello']", true},
		{"[x-test:string = 'Hello']", false},
		{"[x-test:string != 'world']", true},
		{"[x-test:unicode = 'café']", true},
		{"[x-test:bool = true]", true},
		{"[x-test:bool != false]", true},
		{"[x-test:bool = false]", false},
		// Type mismatches: "=" is false and "!=" true (as the OASIS
		// reference matcher); NOT negates them.
		{"[x-test:int = '5']", false},
		{"[x-test:int != '5']", true},
		{"[x-test:int NOT = '5']", true},
		{"[x-test:int NOT != '5']", false},
		{"[x-test:bool = 1]", false},
		{"[x-test:bool != 1]", true},
		{"[x-test:string = 5]", false},
		{"[x-test:string != true]", true},
		{"[x-test:int NOT = 5]", false},
		{"[x-test:int NOT != 5]", true},
		// Missing paths are false, even under NOT.
		{"[x-test:missing = 'x']", false},
		{"[x-test:missing != 'x']", false},
		{"[x-test:missing NOT = 'x']", false},
		{"[x-test:null = 'x']", false},
		{"[x-test:null NOT = 'x']", true}, // null is of no type: "=" is false, NOT makes it true
		{"[x-test:nested.missing.deeper = 1]", false},
		{"[x-test:string.sub = 1]", false},
		// The object type must match.
		{"[x-other:int = 5]", false},
		{"[x-other:int NOT = 5]", false},
		// Ordering.
		{"[x-test:int > 3]", true},
		{"[x-test:int < 3]", false},
		{"[x-test:int <= 5]", true},
		{"[x-test:int >= 5.1]", false},
		{"[x-test:float < 12.65801]", true},
		{"[x-test:neg < -2.5]", true},
		{"[x-test:string > 'alice']", true},
		{"[x-test:string < 'alice']", false},
		{"[x-test:string >= 'hello']", true},
		{"[x-test:int < 'z']", false},
		{"[x-test:int NOT < 'z']", true},
		{"[x-test:string > 5]", false},
		// Timestamps: string properties compare as times with t'' constants.
		{"[x-test:ts = t'2020-06-01T12:00:00.5Z']", true},
		{"[x-test:ts = t'2020-06-01T12:00:00.500Z']", true},
		{"[x-test:ts > t'2020-06-01T12:00:00Z']", true},
		{"[x-test:ts < t'2020-06-01T12:00:00Z']", false},
		{"[x-test:ts != t'2020-06-01T12:00:00Z']", true},
		{"[x-test:string = t'2020-06-01T12:00:00Z']", false},
		{"[x-test:string != t'2020-06-01T12:00:00Z']", true},
		{"[x-test:ts = '2020-06-01T12:00:00.5Z']", true},
		{"[x-test:ts = '2020-06-01T12:00:00.500Z']", false},
		// Binary properties (*_bin, *_hex) compare as bytes.
		{"[x-test:data_bin = b'AQIDBA==']", true},
		{"[x-test:data_bin = h'01020304']", true},
		{"[x-test:data_hex = b'AQIDBA==']", true},
		{"[x-test:data_hex = h'01020305']", false},
		{"[x-test:data_bin = '\x01\x02\x03\x04']", true},
		{"[x-test:data_bin = '\x01\x02\x03']", false},
		{"[x-test:data_bin = 'ĀĂ']", false},
		{"[x-test:data_bin > h'01']", true},
		{"[x-test:data_bin < h'01']", false},
		{"[x-test:string = b'aGVsbG8=']", true},
		{"[x-test:data_hex = '01020304']", false},
		{"[x-test:bad_bin = b'AQIDBA==']", false},
		{"[x-test:bad_bin != b'AQIDBA==']", true},
		// IN.
		{"[x-test:int IN (4, 5, 6)]", true},
		{"[x-test:int IN (4.5, 5.0)]", true},
		{"[x-test:int IN (4, 6)]", false},
		{"[x-test:int NOT IN (4, 6)]", true},
		{"[x-test:int NOT IN (4, 5)]", false},
		{"[x-test:int IN ('5')]", false},
		{"[x-test:int NOT IN ('a', 'b')]", true},
		{"[x-test:string IN ()]", false},
		{"[x-test:string NOT IN ()]", true},
		{big, true},
		{strings.Replace(big, "'hello'", "'world'", 1), false},
		{"[x-test:data_bin IN (h'00', b'AQIDBA==')]", true},
		{"[x-test:ts IN (t'2020-06-01T12:00:00.5Z')]", true},
		// LIKE: % any sequence, _ one character, anchored, case-sensitive.
		{"[x-test:string LIKE 'he%']", true},
		{"[x-test:string LIKE 'he__o']", true},
		{"[x-test:string LIKE 'he_o']", false},
		{"[x-test:string LIKE '%l%']", true},
		{"[x-test:string LIKE 'H%']", false},
		{"[x-test:string LIKE '%e%l%']", true},
		{"[x-test:string LIKE '%l%e%']", false},
		{"[x-test:string LIKE 'h%l%l%o']", true},
		{"[x-test:string LIKE 'h%lll%o']", false},
		{"[x-test:string LIKE 'hel%llo']", false},
		{"[x-test:string LIKE '%']", true},
		{"[x-test:string LIKE '']", false},
		{"[x-test:string LIKE 'hello%']", true},
		{"[x-test:string LIKE 'ell']", false},
		{"[x-test:string NOT LIKE 'H%']", true},
		{"[x-test:dotted LIKE 'a.b*c']", true},
		{"[x-test:dotted LIKE 'a_b_c']", true},
		{"[x-test:dotted LIKE 'a.b+c']", false},
		{"[x-test:unicode LIKE 'caf_']", true},
		{"[x-test:int LIKE '5']", false},
		{"[x-test:int NOT LIKE '5']", true},
		// MATCHES searches anywhere, with RE2 syntax; binary values match
		// byte by byte.
		{"[x-test:string MATCHES 'l+']", true},
		{"[x-test:string MATCHES '^l']", false},
		{"[x-test:string MATCHES '^h.*o$']", true},
		{"[x-test:string NOT MATCHES '^h']", false},
		{`[x-test:string MATCHES '(?i)^HELLO$']`, true},
		{`[x-test:data_bin MATCHES '^\\x01\\x02']`, true},
		{`[x-test:data_bin MATCHES '\\x04$']`, true},
		{`[x-test:data_bin MATCHES '^\\x02']`, false},
		{"[x-test:int MATCHES '5']", false},
		{"[x-test:int NOT MATCHES '5']", true},
		// ISSUBSET and ISSUPERSET on IPv4 and IPv6 blocks.
		{"[x-test:ip ISSUBSET '11.22.32.0/20']", true},
		{"[x-test:ip ISSUBSET '11.22.41.123/20']", true},
		{"[x-test:ip ISSUBSET '11.22.123.41/20']", false},
		{"[x-test:ip NOT ISSUBSET '11.22.123.41/20']", true},
		{"[x-test:ip ISSUBSET '11.22.33.44']", true},
		{"[x-test:cidr ISSUBSET '11.0.0.0/8']", true},
		{"[x-test:cidr ISSUBSET '11.22.33.0/24']", false},
		{"[x-test:cidr ISSUPERSET '11.22.41.123']", true},
		{"[x-test:cidr ISSUPERSET '11.22.41.123/29']", true},
		{"[x-test:cidr ISSUPERSET '11.22.33.44/13']", false},
		{"[x-test:cidr ISSUPERSET '11.22.123.41/29']", false},
		{"[x-test:ip6 ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']", true},
		{"[x-test:ip6 ISSUBSET '2001:db8:dead:bee0::/64']", false},
		{"[x-test:ip ISSUBSET '::/0']", false},
		{"[x-test:string ISSUBSET '11.0.0.0/8']", false},
		{"[x-test:int ISSUBSET '11.22.33.44']", false},
		{"[x-test:int NOT ISSUBSET '11.22.33.44']", true},
		{"[x-test:int NOT ISSUPERSET '11.22.33.44']", true},
		// EXISTS.
		{"[EXISTS x-test:nested.deep.n]", true},
		{"[EXISTS x-test:nested.deep.m]", false},
		{"[NOT EXISTS x-test:nested.deep.m]", true},
		{"[NOT EXISTS x-test:string]", false},
		{"[EXISTS x-test:null]", false},
		{"[EXISTS x-test:list[2]]", true},
		{"[EXISTS x-test:list[3]]", false},
		{"[NOT EXISTS x-other:string]", false},
		// Lists and dictionaries.
		{"[x-test:list[*] = 'b']", true},
		{"[x-test:list[1] = 'b']", true},
		{"[x-test:list[0] = 'b']", false},
		{"[x-test:list[5] = 'b']", false},
		{"[x-test:list[-1] = 'c']", false},
		{"[x-test:list = 'a']", false},
		{"[x-test:list[*] != 'a']", true},
		{"[x-test:list[*] NOT IN ('a', 'b', 'c')]", false},
		{"[x-test:list[*] LIKE '_']", true},
		{"[x-test:nested.k = 'v']", true},
		{"[x-test:'nested'.'k' = 'v']", true},
		{"[x-test:nested[*] = 'v']", false},
		{"[x-test:nested = 'v']", false},
		// Boolean operators inside brackets.
		{"[x-test:int = 5 AND x-test:string = 'hello']", true},
		{"[x-test:int = 5 AND x-test:string = 'world']", false},
		{"[x-test:int = 6 OR x-test:string = 'hello']", true},
		{"[(x-test:int = 6 OR x-test:int = 5) AND (x-test:bool = true)]", true},
		{"[x-test:int = 6 OR x-test:int = 7 AND x-test:bool = true]", false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			got, err := MustParse(t, tt.pattern).Matches(obs)
			if err != nil {
				t.Fatalf("Matches: %v", err)
			}
			if got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSpecExamplesEvaluate(t *testing.T) {
	// Each example of the specification, against a bundle built to match
	// it (or, for examples testing a property the bundle lacks, not).
	obs := MustObservationsFile(t, "testdata/bundle-21-mixed.json")
	tests := []struct {
		pattern string
		want    bool
	}{
		{"[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']", true},
		{"[file:hashes.'SHA-256' = 'bec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']", false},
		{`[email-message:from_ref.value MATCHES '.+\\@example\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']`, true},
		{`[email-message:from_ref.value MATCHES '.+\\@example\\.org$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']`, false},
		{"[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:mime_type = 'application/x-pdf']", true},
		{"[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:mime_type = 'application/pdf']", false},
		{"[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] AND [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']", false},
		{"[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] OR [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']", true},
		{`([file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\CryptoLocker\\Files']) WITHIN 1800 SECONDS`, true},
		{`([file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\CryptoLocker\\Files']) WITHIN 300 SECONDS`, false},
		{`[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\xd4\\xc3\\xb2\\xa1\\x02\\x00\\x04\\x00']`, true},
		{`[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\xd4\\xc3\\xb2\\xa1\\x02\\x00\\x04\\x01']`, false},
		{`[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\Windows\\System32']`, true},
		{`[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\Windows\\System']`, false},
		{"[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]", true},
		{"[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.5]", false},
		{"[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']", false},
		{"[file:mime_type = 'application/x-pdf' AND file:magic_number_hex = h'ffd8']", true},
		{"[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']", true},
		{"[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.34/32']", false},
		{"[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33'] REPEATS 5 TIMES WITHIN 1800 SECONDS", true},
		{"[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33'] REPEATS 6 TIMES WITHIN 1800 SECONDS", false},
		{"[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']", true},
		{"[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.2/32']", false},
		{"[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']", false},
		{`[windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\CryptoLocker\\Files' OR windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\Microsoft\\CurrentVersion\\Run\\CryptoLocker_0388']`, true},
		{"[(file:name = 'pdf.exe' OR file:size = 371712) AND file:ctime = t'2014-01-13T07:03:17Z']", true},
		{"[(file:name = 'pdf.exe' OR file:size = '371712') AND file:ctime = t'2014-01-13T07:03:17Z']", false},
		{"[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = 'Conference Info']", true},
		{"[email-message:sender_ref.value = 'jdoe@example.org' AND email-message:subject = 'Conference Info']", false},
		{"[x-usb-device:usbdrive.serial_number = '575833314133343231313937']", true},
		{"[x-usb-device:usbdrive.serial_number = '575833314133343231313938']", false},
		{"[network-traffic:dst_ref.value ISSUBSET '203.0.113.0/24']", true},
		{"[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']", false},
		{"([file:name = 'foo.dll'] AND [windows-registry-key:key LIKE '%CryptoLocker%']) OR [process:name = 'fooproc' OR process:name = 'procfoo']", true},
		{"[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']", true},
		{"[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a69faa']", false},
		// Meaningful comparisons: IP blocks, domain case, hash digits.
		{"[domain-name:value = 'www.5Z8.INFO']", true},
		{"[domain-name:value LIKE 'www.%']", false},
		{"[file:hashes.MD5 = 'CEAD3F77F6CDA6EC00F57D76C9A6879F']", true},
		{"[file:hashes.md5 = 'cead3f77f6cda6ec00f57d76c9a6879f']", true},
		{"[file:hashes.'SHA-1' = 'cead3f77f6cda6ec00f57d76c9a6879f']", false},
		{"[file:name = 'FOO.DLL']", false},
		// Roots are the objects observed-data references; referenced
		// objects are reached through paths only.
		{"[ipv4-addr:value = '203.0.113.33']", false},
		{"[directory:path = 'C:\\\\Windows\\\\System32']", false},
		// AND inside brackets holds on one object.
		{"[domain-name:value = 'www.5z8.info' AND artifact:mime_type = 'application/vnd.tcpdump.pcap']", false},
		{"[domain-name:value = 'www.5z8.info'] AND [artifact:mime_type = 'application/vnd.tcpdump.pcap']", false},
		{"[domain-name:value = 'www.5z8.info' OR artifact:mime_type = 'application/vnd.tcpdump.pcap']", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			got, err := MustParse(t, tt.pattern).Matches(obs)
			if err != nil {
				t.Fatalf("Matches: %v", err)
			}
			if got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
}
