package stix_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/stix"
)

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2016-05-12T08:17:27.000Z", time.Date(2016, 5, 12, 8, 17, 27, 0, time.UTC)},
		{"2016-05-12T08:17:27Z", time.Date(2016, 5, 12, 8, 17, 27, 0, time.UTC)},
		{"2016-05-12T08:17:27.1Z", time.Date(2016, 5, 12, 8, 17, 27, 100_000_000, time.UTC)},
		{"2016-05-12T08:17:27.123456Z", time.Date(2016, 5, 12, 8, 17, 27, 123_456_000, time.UTC)},
		{"2016-05-12T08:17:27.123456789Z", time.Date(2016, 5, 12, 8, 17, 27, 123_456_789, time.UTC)},
		{"2016-05-12T08:17:27.1234567891234Z", time.Date(2016, 5, 12, 8, 17, 27, 123_456_789, time.UTC)},
		{"2016-02-29T00:00:00Z", time.Date(2016, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"2000-02-29T23:59:59.999Z", time.Date(2000, 2, 29, 23, 59, 59, 999_000_000, time.UTC)},
		{"2016-12-31T23:59:60Z", time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"0001-01-01T00:00:00Z", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"9999-12-31T23:59:59Z", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := stix.ParseTimestamp(tt.in)
		if err != nil {
			t.Errorf("ParseTimestamp(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseTimestamp(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseTimestampErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", "must be an RFC 3339 timestamp in UTC like"},
		{"yesterday", "must be an RFC 3339 timestamp in UTC like"},
		{"2016-05-12", "must have a date and a time with seconds"},
		{"2016-05-12T08:17Z", "must have a date and a time with seconds"},
		{"2016-05-12T08:17:27", `the time must end with "Z"`},
		{"2016-05-12T08:17:27.000", `the time must end with "Z"`},
		{"2016-05-12T08:17:27+00:00", "not with a numeric offset like \"+00:00\""},
		{"2016-05-12T08:17:27.5-05:00", "numeric offset"},
		{"2016-05-12T08:17:27z", `upper-case "Z"`},
		{"2016-05-12t08:17:27Z", `upper-case "T"`},
		{"2016-05-12 08:17:27Z", `separated by "T"`},
		{"2016-05-12T08:17:27.Z", "must be followed by digits"},
		{"2016-05-12T08:17:27ZZ", `unexpected "ZZ"`},
		{"2016-00-12T08:17:27Z", "the month must be 01 to 12"},
		{"2016-13-12T08:17:27Z", "the month must be 01 to 12"},
		{"2016-04-31T08:17:27Z", "the day is out of range"},
		{"2015-02-29T08:17:27Z", "the day is out of range"},
		{"1900-02-29T08:17:27Z", "the day is out of range"},
		{"2016-05-00T08:17:27Z", "the day is out of range"},
		{"2016-05-12T24:00:00Z", "the hour must be 00 to 23"},
		{"2016-05-12T08:60:27Z", "the minute must be 00 to 59"},
		{"2016-05-12T08:17:61Z", "the second must be 00 to 59"},
		{"2016-05-12T08:17:60Z", "leap second"},
		{"２016-05-12T08:17:27Z", "RFC 3339"},
		{"+2016-05-12T08:17:27Z", "RFC 3339"},
		{"20160512T081727Z", "RFC 3339"},
	}
	for _, tt := range tests {
		_, err := stix.ParseTimestamp(tt.in)
		if err == nil {
			t.Errorf("ParseTimestamp(%q) succeeded", tt.in)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "invalid timestamp ") {
			t.Errorf("ParseTimestamp(%q) = %q, want it to contain %q", tt.in, err, tt.want)
		}
	}
}

func TestFormatTimestamp(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2016, 5, 12, 8, 17, 27, 0, time.UTC), "2016-05-12T08:17:27.000000Z"},
		{time.Date(2016, 5, 12, 8, 17, 27, 123_456_789, time.UTC), "2016-05-12T08:17:27.123456Z"},
		{time.Date(2016, 5, 12, 9, 17, 27, 1000, paris), "2016-05-12T08:17:27.000001Z"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, stix.FormatTimestamp(tt.in)); diff != "" {
			t.Errorf("FormatTimestamp(%v) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// schemaPattern returns the pattern of an official schema file.
func schemaPattern(tb testing.TB, file string) *regexp.Regexp {
	tb.Helper()
	var schema struct{ Pattern string }
	if err := json.Unmarshal(mustReadFile(tb, schemasDir+"/common/"+file), &schema); err != nil || schema.Pattern == "" {
		tb.Fatalf("no pattern in %s: %v", file, err)
	}
	return regexp.MustCompile(schema.Pattern)
}

// FuzzParseTimestamp checks that ParseTimestamp never panics; that it
// accepts exactly what the official schema's pattern accepts, less the
// impossible dates (February 30) and the leap seconds not at 23:59; that
// what it accepts survives a round trip through FormatTimestamp (at
// microsecond precision); and that it agrees with time.Parse on the value.
func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{
		"2016-05-12T08:17:27.000Z", "2016-05-12T08:17:27Z", "2016-12-31T23:59:60Z",
		"2016-02-30T00:00:00Z", "2016-05-12T08:17:27+01:00", "2016-05-12T08:17:27.123456789123Z",
		"", "2016-05-12", "0000-01-01T00:00:00Z",
	} {
		f.Add(s)
	}
	schemaTimestamp := schemaPattern(f, "timestamp.json")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := stix.ParseTimestamp(s)
		if err != nil {
			// time.Parse is lenient (one-digit hours, "," before the
			// fraction), so only its calendar check is used here.
			if schemaTimestamp.MatchString(s) {
				if _, perr := time.Parse("2006-01-02T15:04:05", s[:19]); perr == nil {
					t.Fatalf("ParseTimestamp(%q) refused a timestamp the schema accepts: %v", s, err)
				}
			}
			return
		}
		if !schemaTimestamp.MatchString(s) {
			t.Fatalf("ParseTimestamp(%q) accepted what the schema pattern refuses", s)
		}
		back, err := stix.ParseTimestamp(stix.FormatTimestamp(got))
		if err != nil || !back.Equal(got.Truncate(time.Microsecond)) {
			t.Fatalf("round trip of %q: %v, %v", s, back, err)
		}
		if ref, err := time.Parse(time.RFC3339Nano, s); err == nil && !ref.Equal(got) {
			t.Fatalf("ParseTimestamp(%q) = %v, time.Parse = %v", s, got, ref)
		}
	})
}
