package taxii_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/taxii"
)

var all = []string{taxii.ParamAddedAfter, taxii.ParamLimit, taxii.ParamNext, taxii.ParamID, taxii.ParamType, taxii.ParamVersion, taxii.ParamSpecVersion}

func TestParseFilter(t *testing.T) {
	next := taxii.EncodeNext(time.Date(2026, 5, 1, 0, 0, 0, 123000, time.UTC))
	q, _ := url.ParseQuery("added_after=2026-01-02T03:04:05.678Z&limit=50&match[id]=indicator--00000000-0000-4000-8000-000000000001,malware--00000000-0000-4000-8000-000000000002" +
		"&match[type]=indicator,x-custom-type&match[version]=first,last,2026-01-01T00:00:00Z&match[spec_version]=2.1&next=" + next)
	got, err := taxii.ParseFilter(q, all...)
	if err != nil {
		t.Fatal(err)
	}
	want := taxii.Filter{
		AddedAfter:   time.Date(2026, 1, 2, 3, 4, 5, 678000000, time.UTC),
		Limit:        50,
		Next:         time.Date(2026, 5, 1, 0, 0, 0, 123000, time.UTC),
		HasNext:      true,
		IDs:          []string{"indicator--00000000-0000-4000-8000-000000000001", "malware--00000000-0000-4000-8000-000000000002"},
		Types:        []string{"indicator", "x-custom-type"},
		Versions:     vigie.VersionFilter{First: true, Last: true, Exact: []string{"2026-01-01T00:00:00.000000000Z"}},
		SpecVersions: []string{"2.1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseFilter (-want +got):\n%s", diff)
	}
	// Round trip through Values.
	back, err := taxii.ParseFilter(want.Values(), all...)
	if err != nil {
		t.Fatal(err)
	}
	want.Versions.Exact = nil // Values writes keywords only
	if diff := cmp.Diff(want, back); diff != "" {
		t.Errorf("Values round trip (-want +got):\n%s", diff)
	}
}

func TestParseFilterErrors(t *testing.T) {
	for _, tc := range []struct {
		query   string
		allowed []string
		words   string
	}{
		{"match[type]=indicator", []string{taxii.ParamLimit}, "match[type]"},
		{"foo=bar", all, "foo"},
		{"limit=1&limit=2", all, "once"},
		{"limit=0", all, "positive"},
		{"limit=ten", all, "positive"},
		{"limit=99999999999999999999", all, "positive"},
		{"added_after=2026-01-01", all, "added_after"},
		{"added_after=2026-01-01T00:00:00%2B02:00", all, "UTC"},
		{"added_after=2026-13-01T00:00:00Z", all, "month"},
		{"match[id]=indicator", all, "match[id]"},
		{"match[id]=indicator--xyz", all, "match[id]"},
		{"match[id]=,", all, "match[id]"},
		{"match[type]=Indicator", all, "match[type]"},
		{"match[type]=a", all, "match[type]"},
		{"match[version]=newest", all, "match[version]"},
		{"match[spec_version]=two", all, "match[spec_version]"},
		{"next=abc", all, "next"},
		{"next=" + strings.Repeat("A", 40), all, "next"},
		{"match[type]=" + strings.Repeat("a,", taxii.MaxFilterValues) + "a", all, "limit"},
	} {
		q, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		_, err = taxii.ParseFilter(q, tc.allowed...)
		if vigie.ErrorCode(err) != vigie.EINVALID || !strings.Contains(vigie.ErrorMessage(err), tc.words) {
			t.Errorf("ParseFilter(%.60s) = %v, want EINVALID naming %q", tc.query, err, tc.words)
		}
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"added_after=2026-01-02T03:04:05.678Z&limit=50",
		"match[id]=indicator--00000000-0000-4000-8000-000000000001&match[version]=all",
		"match[type]=indicator,malware&match[spec_version]=2.1",
		"next=djE6MTIz", "match[version]=2016-01-01T00:00:00Z,first", "limit=%00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		flt, err := taxii.ParseFilter(q, all...)
		if err != nil {
			if vigie.ErrorCode(err) != vigie.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if flt.Limit < 0 {
			t.Fatalf("negative limit from %q", raw)
		}
		if _, err := taxii.ParseFilter(flt.Values(), all...); err != nil {
			t.Fatalf("a parsed filter does not parse again: %v", err)
		}
	})
}

func FuzzDecodeNext(f *testing.F) {
	f.Add(taxii.EncodeNext(time.Now()))
	f.Add("djE6LTE")
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := taxii.DecodeNext(s)
		if err == nil && taxii.EncodeNext(tm) == "" {
			t.Fatal("empty token")
		}
	})
}
