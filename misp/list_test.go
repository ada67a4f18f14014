package misp_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/misp"
)

func readList(t *testing.T, doc string, cols vigie.FeedColumns) ([]*misp.Attribute, []int, error) {
	t.Helper()
	var got []*misp.Attribute
	var bad []int
	err := misp.ReadList(strings.NewReader(doc), "f", cols, time.Unix(1764460800, 0),
		func(a *misp.Attribute) error { got = append(got, a); return nil },
		func(line int, err error) { bad = append(bad, line) })
	return got, bad, err
}

// TestReadList: columns, types per line, comments, quoting; the same value
// keeps its UUID.
func TestReadList(t *testing.T) {
	doc := "\ufeff# type,value,comment\nip-dst,198.51.100.1,\"C2, port 443\"\n\n  domain , evil.example ,\n#skip\nurl,\"http://a.example/x,y\",z\n"
	got, bad, err := readList(t, doc, vigie.FeedColumns{Value: 2, TypeColumn: 1, Comment: 3})
	if err != nil || len(bad) != 0 || len(got) != 3 {
		t.Fatalf("%v %v %d", err, bad, len(got))
	}
	if got[0].Type != "ip-dst" || got[0].Value != "198.51.100.1" || got[0].Comment != "C2, port 443" || !bool(got[0].ToIDs) {
		t.Errorf("line 2: %+v", got[0])
	}
	if got[1].Type != "domain" || got[1].Value != "evil.example" || got[2].Value != "http://a.example/x,y" {
		t.Errorf("lines 4, 6: %+v %+v", got[1], got[2])
	}
	again, _, _ := readList(t, "domain,evil.example\n", vigie.FeedColumns{Value: 2, TypeColumn: 1})
	if again[0].UUID != got[1].UUID {
		t.Error("the same value changed UUID")
	}
}

// TestReadListMalformed: a bad line is reported with its number and the
// others read; a line over the limit ends the list with an error.
func TestReadListMalformed(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		cols      vigie.FeedColumns
		good      int
		bad       []int
		err       string
	}{
		{"missing column", "a.example\nb.example,x\n", vigie.FeedColumns{Value: 2, Type: "domain"}, 1, []int{1}, ""},
		{"tab delimited", "1.2.3.4\tC2\n", vigie.FeedColumns{Value: 1, Type: "ip-dst", Delimiter: "\t"}, 1, nil, ""},
		{"bare quote", "\"a.example\n", vigie.FeedColumns{Value: 1, Type: "domain"}, 1, nil, ""},
		{"empty value", ",x\n", vigie.FeedColumns{Value: 1, Type: "domain"}, 0, []int{1}, ""},
		{"binary", "\x00\x01\x02\n", vigie.FeedColumns{Value: 1, Type: "domain"}, 1, nil, ""},
		{"line too long", strings.Repeat("a", misp.MaxListLine+1), vigie.FeedColumns{Value: 1, Type: "domain"}, 0, nil, "over"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, bad, err := readList(t, tc.doc, tc.cols)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || len(got) != tc.good || len(bad) != len(tc.bad) {
				t.Errorf("err %v, %d read, bad lines %v (want %d, %v)", err, len(got), bad, tc.good, tc.bad)
			}
		})
	}
	stop := errors.New("stop")
	if err := misp.ReadList(strings.NewReader("a\nb\n"), "f", vigie.FeedColumns{Value: 1, Type: "domain"}, time.Now(),
		func(*misp.Attribute) error { return stop }, func(int, error) {}); !errors.Is(err, stop) {
		t.Errorf("the callback's error: %v", err)
	}
}

// FuzzReadList: any list reads without a crash, each value converted
// or reported.
func FuzzReadList(f *testing.F) {
	f.Add("# c\nip-dst,198.51.100.1,\"x, y\"\n\ndomain,a.example\n")
	f.Add("\"\n\"\"\"\t,,\n")
	f.Fuzz(func(t *testing.T, doc string) {
		sum, _ := convertList(doc)
		if sum.Attributes.Mapped+sum.Attributes.NotMapped != sum.Attributes.Total {
			t.Fatalf("accounting %+v", sum.Attributes)
		}
	})
}

func convertList(doc string) (*misp.Summary, error) {
	c := misp.NewConverter(misp.Options{Emit: func(json.RawMessage) error { return nil }})
	ev := &misp.Event{UUID: "5e1b4c1e-1111-4a4a-9c9c-0123456789ab", Published: true}
	c.Event(ev)
	err := misp.ReadList(strings.NewReader(doc), "f", vigie.FeedColumns{Value: 2, TypeColumn: 1, Comment: 3}, time.Unix(0, 0),
		func(a *misp.Attribute) error { return c.Attribute(ev, a) }, func(int, error) {})
	c.EventEnd(ev)
	return c.Summary(), err
}
