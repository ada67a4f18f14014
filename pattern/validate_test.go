package pattern_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/pattern"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"defined paths", "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:parent_directory_ref.path = 'x' AND file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]", nil},
		{"references to several types", "[network-traffic:dst_ref.value = '1.2.3.4' AND network-traffic:src_ref.resolves_to_refs[*].value = 'x']", nil},
		{"nested structures", "[email-message:body_multipart[*].body_raw_ref.name = 'x' AND email-message:from_ref.value = 'a@b.c']", nil},
		{"dictionaries are free", "[process:environment_variables.ANYTHING = 'x']", nil},
		{"custom extension", "[file:extensions.'x-acme-ext'.anything = 1 AND file:extensions.'extension-definition--1'.x = 1]", nil},
		{"property typo", "[file:hashs.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']", []string{`1:7: property "hashs" is not defined for file; did you mean "hashes"?`}},
		{"undefined property", "[file:created = t'2014-01-13T07:03:17Z']", []string{`1:7: property "created" is not defined for file`}},
		{"type typo", "[win-registry-key:key = 'x']", []string{`1:2: object type "win-registry-key" is not defined by STIX 2.1; did you mean "windows-registry-key"?`}},
		{"custom type", "[x-usb-device:usbdrive.serial_number = '1']", []string{`1:2: object type "x-usb-device" is not defined by STIX 2.1; it is evaluated as a custom object type`}},
		{"invalid type name", "[x_whatever:detected = 1]", []string{`1:2: object type "x_whatever" is not a valid STIX 2.1 type name (3 to 250 characters a-z, 0-9 and '-')`}},
		{"not observable", "[indicator:name = 'x']", []string{"1:2: indicator is not a cyber-observable object type; patterns test observed objects"}},
		{"extension typo", "[file:extensions.'ntfs-extt'.sid = 'x']", []string{`1:18: extension "ntfs-extt" is not predefined for file; did you mean "ntfs-ext"?`}},
		{"extension property typo", "[file:extensions.'ntfs-ext'.sidd = 'x']", []string{`1:29: property "sidd" is not defined for ntfs-ext; did you mean "sid"?`}},
		{"property after reference", "[network-traffic:dst_ref.valu = 'x']", []string{`1:26: property "valu" is not defined for ipv4-addr or ipv6-addr or mac-addr or domain-name; did you mean "value"?`}},
		{"hash spelling", "[file:hashes.sha256 = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']", []string{`1:14: hash algorithm "sha256" is spelled "SHA-256" in the STIX vocabulary`}},
		{"hash length", "[file:hashes.'SHA-256' = 'f00']", []string{`1:26: "f00" is not a valid SHA-256 hash (64 hex digits)`}},
		{"hash in set", "[file:hashes.MD5 IN ('cead3f77f6cda6ec00f57d76c9a6879f', 'xyz')]", []string{`1:58: "xyz" is not a valid MD5 hash (32 hex digits)`}},
		{"negative index", "[process:child_refs[-1].pid = 1]", []string{"1:20: negative list index -1 never matches (indexes count from 0)"}},
		{"AND across types", "[file:name = 'a' AND ipv4-addr:value = '1.2.3.4']", []string{"1:22: this comparison tests ipv4-addr while the comparisons it is ANDed with test file; all must hold on one object, so they never match together"}},
		{"OR across types", "[file:name = 'a' OR ipv4-addr:value = '1.2.3.4']", nil},
		{"AND with OR overlap", "[(file:name = 'a' OR ipv4-addr:value = '1.2.3.4') AND file:size = 1]", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, warnings, err := pattern.Check(tt.in)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if p == nil {
				t.Fatal("Check returned no pattern")
			}
			var got []string
			for _, w := range warnings {
				got = append(got, w.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateSpecExamples(t *testing.T) {
	// The specification's examples draw on STIX 2.0 names in places; the
	// warnings name them, and nothing else.
	var got []string
	for _, s := range specExamples(t) {
		for _, w := range pattern.Validate(MustParse(t, s)) {
			got = append(got, w.Msg)
		}
	}
	want := []string{
		`object type "win-registry-key" is not defined by STIX 2.1; did you mean "windows-registry-key"?`,
		`property "created" is not defined for file`,
		`object type "x-usb-device" is not defined by STIX 2.1; it is evaluated as a custom object type`,
		`object type "win-registry-key" is not defined by STIX 2.1; did you mean "windows-registry-key"?`,
		`property "name" is not defined for process`,
		`property "name" is not defined for process`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestCheckReturnsParseError(t *testing.T) {
	p, w, err := pattern.Check("[a:b = ]")
	if err == nil || p != nil || w != nil {
		t.Errorf("Check = %v, %v, %v; want a parse error only", p, w, err)
	}
}
