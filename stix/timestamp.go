package stix

import (
	"errors"
	"time"
)

// timestampExample is shown in messages about malformed timestamps.
const timestampExample = "2016-05-12T08:17:27.000Z"

// ParseTimestamp parses a STIX timestamp: RFC 3339 in UTC with an upper-case
// "T" and "Z", like "2016-05-12T08:17:27.000Z". The fraction of a second is
// optional and may have any number of digits; digits beyond nanoseconds are
// ignored. A leap second (23:59:60) is accepted and read as the first second
// of the next minute. The error says what is wrong in words a person can act
// on.
func ParseTimestamp(s string) (time.Time, error) {
	t, _, reason := parseTimestamp(s)
	if reason != "" {
		return time.Time{}, errors.New("invalid timestamp " + quote(s) + ": " + reason)
	}
	return t, nil
}

// FormatTimestamp formats t as a STIX timestamp in UTC with exactly six
// fractional digits (microseconds), the precision TAXII uses for date_added,
// like "2016-05-12T08:17:27.123456Z". The fraction is truncated, not rounded.
func FormatTimestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// parseTimestamp parses s as ParseTimestamp does. It returns the number of
// fraction digits, and a reason instead of an error so that callers can
// build their own message without allocating on success.
func parseTimestamp(s string) (t time.Time, fracDigits int, reason string) {
	// YYYY-MM-DDTHH:MM:SS[.fff...]Z
	// 0123456789012345678
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' {
		return t, 0, timestampShapeProblem(s)
	}
	switch s[10] {
	case 'T':
	case 't':
		return t, 0, "the date and time must be separated by an upper-case \"T\""
	default:
		return t, 0, "the date and time must be separated by \"T\", like " + timestampExample
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return t, 0, timestampShapeProblem(s)
	}
	nanos := 0
	i := 19
	if s[i] == '.' {
		i++
		start := i
		scale := 100000000
		for i < len(s) && isDigit(s[i]) {
			if scale > 0 {
				nanos += int(s[i]-'0') * scale
				scale /= 10
			}
			i++
		}
		fracDigits = i - start
		if fracDigits == 0 {
			return t, 0, "a \".\" after the seconds must be followed by digits"
		}
	}
	switch rest := s[i:]; {
	case rest == "Z":
	case rest == "z":
		return t, 0, "the time zone must be an upper-case \"Z\" (UTC)"
	case rest == "":
		return t, 0, "the time must end with \"Z\" (STIX timestamps are in UTC)"
	case rest[0] == '+' || rest[0] == '-':
		return t, 0, "the time must be in UTC and end with \"Z\", not with a numeric offset like " + quote(rest)
	default:
		return t, 0, "unexpected " + quote(rest) + " after the time; it must end with \"Z\", like " + timestampExample
	}
	switch {
	case month < 1 || month > 12:
		return t, 0, "the month must be 01 to 12"
	case day < 1 || day > daysIn(month, year):
		return t, 0, "the day is out of range for the month"
	case hour > 23:
		return t, 0, "the hour must be 00 to 23"
	case minute > 59:
		return t, 0, "the minute must be 00 to 59"
	case sec > 60 || sec == 60 && (hour != 23 || minute != 59):
		return t, 0, "the second must be 00 to 59 (60 only for a leap second at 23:59)"
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nanos, time.UTC), fracDigits, ""
}

// timestampShapeProblem describes a string that does not even have the
// shape of a timestamp.
func timestampShapeProblem(s string) string {
	if len(s) == 19 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' {
		return "the time must end with \"Z\" (STIX timestamps are in UTC)"
	}
	if len(s) >= 10 && len(s) < 20 && s[4] == '-' && s[7] == '-' && (len(s) == 10 || s[10] == 'T') {
		return "must have a date and a time with seconds, like " + timestampExample
	}
	if len(s) > 10 && s[10] == ' ' {
		return "the date and time must be separated by \"T\", like " + timestampExample
	}
	return "must be an RFC 3339 timestamp in UTC like " + timestampExample
}

// digits parses a short run of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
