package server

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/bench/gen"
)

// envelopeCases are bodies for which the fast path must agree with
// encoding/json, or decline.
var envelopeCases = []string{
	`{"objects":[]}`, `{"objects":null}`, `{}`, ` { } `, `{"more":false}`,
	`{"objects":[{"type":"indicator","id":"indicator--1","a":[1,-2.5e+3,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9"]}]}`,
	`{"objects":[1, "x", null, [], {}]}`, `{"objects":{}}`, `{"objects":5}`, `[]`, `null`, `"x"`, ``, ` `,
	`{"OBJECTS":[{}]}`, `{"Objects":[{}],"objects":[{"a":1}]}`, `{"objects":[{}],"objects":null}`,
	`{"objects":[{}],"objects":[]}`, `{"obj\u0065cts":[{}]}`, "{\"object\u017f\":[{}]}", `{"objectsx":[{}]}`,
	`{"objects":[{}]} x`, `{"objects":[{}],}`, `{"objects":[{},]}`, `{"objects":[{"a":01}]}`,
	`{"objects":[{"a":1.}]}`, `{"objects":[{"a":-}]}`, `{"objects":[{"a":1e}]}`, `{"objects":[{"a":tru}]}`,
	"{\"objects\":[{\"a\":\"\x01\"}]}", "{\"objects\":[{\"a\":\"\xff\"}]}", `{"objects":[{"a":"\x"}]}`,
	`{"objects":[{"a":"\u12"}]}`, `{"objects":[{"a" 1}]}`, `{"objects":[{1:1}]}`, `{"objects":[{"a":1}`,
	`{"objects":[[[[[[[[[[[[]]]]]]]]]]]]}`, "\xef\xbb\xbf{}", "{\"objects\":[{}]}\n",
	`{"objects":[` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `]}`,
	`{"objects":[` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `]}`,
}

// checkEnvelope fails t if splitEnvelope accepts body and disagrees with
// encoding/json.
func checkEnvelope(t *testing.T, body []byte) {
	fast, ok := splitEnvelope(body)
	if !ok {
		return
	}
	var env struct {
		Objects *[]json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("%q: fast path accepts what encoding/json rejects: %v", body, err)
	}
	if (env.Objects == nil) != (fast == nil) {
		t.Fatalf("%q: fast path list %v, encoding/json %v", body, fast, env.Objects)
	}
	if env.Objects == nil {
		return
	}
	if len(*env.Objects) != len(fast) {
		t.Fatalf("%q: fast path %d objects, encoding/json %d", body, len(fast), len(*env.Objects))
	}
	for i, o := range *env.Objects {
		if !bytes.Equal(o, fast[i]) {
			t.Fatalf("%q: object %d: fast path %s, encoding/json %s", body, i, fast[i], o)
		}
	}
}

func TestSplitEnvelope(t *testing.T) {
	for _, c := range envelopeCases {
		checkEnvelope(t, []byte(c))
	}
	// The common shape takes the fast path.
	for _, c := range []string{`{"objects":[]}`, `{"objects":[{"a":[1,{"b":"c"}]}, {}]}`, `{"more":true,"objects":[{}]}`} {
		if _, ok := splitEnvelope([]byte(c)); !ok {
			t.Errorf("%s: fast path declined", c)
		}
	}
}

func FuzzSplitEnvelope(f *testing.F) {
	for _, c := range envelopeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(checkEnvelope)
}

// BenchmarkSplitEnvelope splits envelopes of 1,000 generated objects, as
// a TAXII POST does before validating them.
func BenchmarkSplitEnvelope(b *testing.B) {
	body := gen.New(1, "identity--00000000-0000-4000-8000-000000000001").Envelope(1000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if objs, ok := splitEnvelope(body); !ok || len(objs) != 1000 {
			b.Fatalf("split: %d objects, ok %v", len(objs), ok)
		}
	}
}
