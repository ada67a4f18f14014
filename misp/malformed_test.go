package misp_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/misp"
)

func convertString(doc string) (*misp.Summary, int, error) {
	n := 0
	c := misp.NewConverter(misp.Options{Emit: func(json.RawMessage) error { n++; return nil }})
	err := c.Convert(strings.NewReader(doc))
	return c.Summary(), n, err
}

// TestMalformedDocuments: a document that cannot be read is one clear
// error, not a crash.
func TestMalformedDocuments(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", "", "malformed JSON"},
		{"not JSON", "Event: yes", "malformed JSON"},
		{"truncated", `{"Event": {"uuid": "5e1b4c1e-1111-4a4a-9c9c-0123456789ab", "Attribute": [{"uuid": "aaaaaaaa-0001-4000-8000-000000000001",`, "malformed JSON"},
		{"a number", "42", "want an event object"},
		{"empty list", "[]", "no event"},
		{"event is a string", `{"Event": "x"}`, "want an event object"},
		{"bad event uuid", `{"Event": {"uuid": "not-a-uuid", "info": "x"}}`, "is not a UUID"},
		{"attributes not a list", `{"Event": {"uuid": "5e1b4c1e-1111-4a4a-9c9c-0123456789ab", "Attribute": 3}}`, "want a list"},
		{"bad event timestamp", `{"Event": {"uuid": "5e1b4c1e-1111-4a4a-9c9c-0123456789ab", "timestamp": "yesterday"}}`, "timestamp"},
		{"wrapped too deep", `[[[[[[{"Event": {}}]]]]]]`, "nested too deeply"},
		{"trailing garbage in list", `[{"Event": {"uuid": "5e1b4c1e-1111-4a4a-9c9c-0123456789ab"}} x]`, "malformed JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := convertString(tc.doc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestMalformedAttributes: a bad attribute is reported with its uuid and
// type; the others of the event are imported.
func TestMalformedAttributes(t *testing.T) {
	good := `{"uuid": "aaaaaaaa-0000-4000-8000-000000000000", "type": "domain", "category": "Network activity", "value": "ok.example", "to_ids": true, "timestamp": "1764460801"}`
	for _, tc := range []struct{ name, attr, typ, want string }{
		{"unknown type", `{"uuid": "aaaaaaaa-0001-4000-8000-000000000001", "type": "x-made-up", "category": "Other", "value": "v"}`, "x-made-up", ""},
		{"bad uuid", `{"uuid": "1234", "type": "domain", "category": "Network activity", "value": "a.example"}`, "domain", "is not a UUID"},
		{"wrong category", `{"uuid": "aaaaaaaa-0001-4000-8000-000000000001", "type": "domain", "category": "Nonsense", "value": "a.example"}`, "domain", "not a MISP category"},
		{"domain with a space", `{"uuid": "aaaaaaaa-0001-4000-8000-000000000001", "type": "domain", "category": "Network activity", "value": "bad domain.example"}`, "domain", "not a host name"},
		{"url with a tab", `{"uuid": "aaaaaaaa-0001-4000-8000-000000000001", "type": "url", "category": "Network activity", "value": "http://a.example/\tx"}`, "url", "white space"},
		{"bad address", `{"uuid": "aaaaaaaa-0001-4000-8000-000000000001", "type": "ip-dst", "category": "Network activity", "value": "999.1.1.1", "to_ids": true}`, "ip-dst", "not an IP address"},
		{"short md5", `{"uuid": "aaaaaaaa-0001-4000-8000-000000000001", "type": "md5", "category": "Payload delivery", "value": "abc"}`, "md5", "not a MD5 hash"},
		{"composite without separator", `{"uuid": "aaaaaaaa-0001-4000-8000-000000000001", "type": "domain|ip", "category": "Network activity", "value": "a.example"}`, "domain|ip", "2 parts"},
		{"port out of range", `{"uuid": "aaaaaaaa-0001-4000-8000-000000000001", "type": "ip-dst|port", "category": "Network activity", "value": "192.0.2.1|70000"}`, "ip-dst|port", "not a valid port"},
		{"to_ids not a boolean", `{"uuid": "aaaaaaaa-0001-4000-8000-000000000001", "type": "domain", "category": "Network activity", "value": "a.example", "to_ids": "maybe"}`, "domain", "not a boolean"},
		{"value is a number", `{"uuid": "aaaaaaaa-0001-4000-8000-000000000001", "type": "domain", "category": "Network activity", "value": 12}`, "domain", "cannot unmarshal"},
		{"negative timestamp", `{"uuid": "aaaaaaaa-0001-4000-8000-000000000001", "type": "domain", "category": "Network activity", "value": "a.example", "timestamp": "-5"}`, "domain", "out of range"},
		{"empty value", `{"uuid": "aaaaaaaa-0001-4000-8000-000000000001", "type": "domain", "category": "Network activity", "value": " "}`, "domain", "empty value"},
		{"NUL in a value", `{"uuid": "aaaaaaaa-0001-4000-8000-000000000001", "type": "filename", "category": "Payload delivery", "value": "a\u0000b"}`, "filename", "NUL"},
		{"attribute is a string", `"domain"`, "", "cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := `{"Event": {"uuid": "5e1b4c1e-1111-4a4a-9c9c-0123456789ab", "info": "x", "timestamp": "1764460800", "Attribute": [` + good + `,` + tc.attr + `], "Tag": [{"name": "tlp:green"}]}}`
			sum, n, err := convertString(doc)
			if err != nil {
				t.Fatalf("the whole document failed: %v", err)
			}
			if sum.Attributes.Total != 2 || sum.Attributes.Mapped != 1 || sum.Attributes.NotMapped != 1 {
				t.Errorf("attributes: %+v", sum.Attributes)
			}
			if n < 2 {
				t.Errorf("the good attribute was not imported: %d objects", n)
			}
			if tc.want == "" {
				if sum.ErrorCount != 0 || sum.Types[tc.typ] == nil || sum.Types[tc.typ].NotMapped != 1 {
					t.Errorf("want %s counted as not mapped, no error: %+v %v", tc.typ, sum.Types[tc.typ], sum.Errors)
				}
				return
			}
			if sum.ErrorCount != 1 || !strings.Contains(sum.Errors[0], tc.want) {
				t.Fatalf("errors %v, want one with %q", sum.Errors, tc.want)
			}
			if tc.typ != "" && !strings.Contains(sum.Errors[0], "("+tc.typ+")") {
				t.Errorf("error does not name the type: %s", sum.Errors[0])
			}
		})
	}
}

// hugeEvent writes an event of n attributes, its tags at the end as MISP
// writes them, to a file.
func hugeEvent(tb testing.TB, n int) string {
	path := filepath.Join(tb.TempDir(), "huge.json")
	var b bytes.Buffer
	b.WriteString(`{"Event": {"uuid": "5e1b4c1e-1111-4a4a-9c9c-0123456789ab", "info": "huge", "published": true, "timestamp": "1764460800", "Orgc": {"uuid": "a0c22599-9e58-4da4-96ac-7051603fa951", "name": "CIRCL"}, "Attribute": [`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"uuid": "aaaaaaaa-%04x-4000-8000-%012x", "type": "ip-dst", "category": "Network activity", "value": "10.%d.%d.%d", "to_ids": true, "timestamp": "1764460801", "comment": "%s"}`,
			i>>16&0xffff, i, i>>16&255, i>>8&255, i&255, strings.Repeat("x", 100))
	}
	b.WriteString(`], "Tag": [{"name": "tlp:amber"}]}}`)
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TestHugeEventBoundedMemory: the heap stays far below the file's size
// while an event of 100,000 attributes is converted (the report's list
// of ids is what grows).
func TestHugeEventBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 25 MB file")
	}
	attrs := 100000
	if v, err := strconv.Atoi(os.Getenv("VIGIE_MISP_HUGE")); err == nil && v > 0 {
		attrs = v // VIGIE_MISP_HUGE=1000000 for the million
	}
	path := hugeEvent(t, attrs)
	st, _ := os.Stat(path)
	f, _ := os.Open(path)
	defer f.Close()
	runtime.GC()
	var peak uint64
	n := 0
	c := misp.NewConverter(misp.Options{Emit: func(raw json.RawMessage) error {
		if n++; n%20000 == 0 {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		if n == 1 && !bytes.Contains(raw, []byte("f88d31f6")) && !bytes.Contains(raw, []byte(`"identity"`)) {
			t.Errorf("first attribute without the event's TLP (tags come last): %s", raw)
		}
		return nil
	}})
	if err := c.Convert(f); err != nil {
		t.Fatal(err)
	}
	if got := c.Summary().Attributes.Mapped; got != attrs {
		t.Fatalf("mapped %d", got)
	}
	if peak > uint64(st.Size())*3/4 {
		t.Errorf("heap in use reached %d MB for a %d MB file", peak>>20, st.Size()>>20)
	}
	t.Logf("file %d MB, peak heap in use %d MB", st.Size()>>20, peak>>20)
}

// BenchmarkConvert measures conversion alone, in attributes per second.
func BenchmarkConvert(b *testing.B) {
	path := hugeEvent(b, 100000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, _ := os.Open(path)
		c := misp.NewConverter(misp.Options{Emit: func(json.RawMessage) error { return nil }})
		if err := c.Convert(f); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "attrs/s")
}
