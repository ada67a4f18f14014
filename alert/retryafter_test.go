package alert

import (
	"testing"
	"time"
)

// TestParseRetryAfter checks the Retry-After spellings a receiver may send,
// malformed ones included: the wait is never negative nor over an hour.
func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"":                                 0,
		"0":                                0,
		"-5":                               0,
		"120":                              2 * time.Minute,
		"3600":                             time.Hour,
		"86400":                            time.Hour,
		"99999999999999999999":             0, // out of int64: not a number, not a date
		"9223372036854775807":              time.Hour,
		" 120":                             0,
		"1.5":                              0,
		"soon":                             0,
		"Sat, 05 Dec 2026 12:10:00 GMT":    10 * time.Minute,
		"Sat, 05 Dec 2026 11:00:00 GMT":    0,
		"Sun, 06 Dec 2026 12:00:00 GMT":    time.Hour,
		"Saturday, 05-Dec-26 12:01:00 GMT": time.Minute,
	} {
		if got := parseRetryAfter(h, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", h, got, want)
		}
	}
}

// FuzzParseRetryAfter checks that any header gives a wait in [0, 1 h].
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "-1", "Sat, 05 Dec 2026 12:10:00 GMT", "x"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, h string) {
		if d := parseRetryAfter(h, now); d < 0 || d > maxRetryAfter {
			t.Fatalf("parseRetryAfter(%q) = %v", h, d)
		}
	})
}
