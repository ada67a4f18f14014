package feed_test

import (
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/sensor/feed"
)

func TestFingerprint(t *testing.T) {
	want := strings.Repeat("AB:", 31) + "CD"
	for _, in := range []string{want, strings.ToLower(want), strings.ReplaceAll(want, ":", ""), " " + want + "\n"} {
		b, err := feed.ParseFingerprint(in)
		if err != nil || feed.FormatFingerprint(b) != want {
			t.Errorf("ParseFingerprint(%q) = %x, %v", in, b, err)
		}
	}
	for _, bad := range []string{"", "AB:CD", strings.Repeat("ZZ:", 31) + "ZZ", want + ":EF"} {
		if _, err := feed.ParseFingerprint(bad); err == nil {
			t.Errorf("ParseFingerprint(%q) accepted", bad)
		}
		if _, err := feed.NewHTTPClient(feed.TLSOptions{Fingerprint: bad}, 0); bad != "" && err == nil {
			t.Errorf("NewHTTPClient with fingerprint %q accepted", bad)
		}
	}
}
