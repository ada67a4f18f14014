package advisory

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestAffectedEnd(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the prefix up to the end; "" for not found
	}{
		{"first", `{"affected":[{"package":{"name":"a"}}],"id":"X"}`, `{"affected":[{"package":{"name":"a"}}]`},
		{"middle", `{"id":"X","affected":[],"z":1}`, `{"id":"X","affected":[]`},
		{"last", `{"id":"X", "affected" : [ {} ] }`, `{"id":"X", "affected" : [ {} ]`},
		{"object value", `{"affected":{"a":[1,2]},"b":2}`, `{"affected":{"a":[1,2]}`},
		{"scalar value", `{"affected":null,"b":2}`, `{"affected":null`},
		{"scalar value last", `{"affected": 12 }`, `{"affected": 12 `},
		{"braces in strings", `{"details":"}]{[\"affected\":","affected":["x]"]}`, `{"details":"}]{[\"affected\":","affected":["x]"]`},
		{"nested key ignored", `{"x":{"affected":[1]},"affected":[2]}`, `{"x":{"affected":[1]},"affected":[2]`},
		{"value named affected", `{"a":"affected","affected":[3]}`, `{"a":"affected","affected":[3]`},
		{"leading space", " \n{\"affected\":[]}", " \n{\"affected\":[]"},
		{"cut inside", `{"affected":[{"package":{"name":"a"`, ""},
		{"cut in string", `{"affected":["abc`, ""},
		{"cut in key", `{"affec`, ""},
		{"no affected", `{"id":"X","details":"y"}`, ""},
		{"CSAF document first", `{"document":{},"affected":[]}`, ""},
		{"not an object", `["affected",[]]`, ""},
		{"empty", ``, ""},
		{"stray closer", `}{"affected":[]}`, ""},
		{"too many closers", `{"a":[]]],"affected":[]}`, ""},
		{"escaped backslash before quote", `{"d":"a\\","affected":[1]}`, `{"d":"a\\","affected":[1]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			end, ok := affectedEnd([]byte(tt.in))
			got := ""
			if ok {
				got = tt.in[:end]
			}
			if got != tt.want {
				t.Errorf("affectedEnd(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// referenceAffectedEnd finds the end of the top-level "affected" value
// with encoding/json, for valid documents.
func referenceAffectedEnd(data []byte) (int, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return 0, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return 0, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return 0, false
		}
		switch tok {
		case "affected":
			return int(dec.InputOffset()), true
		case "document":
			return 0, false
		}
	}
	return 0, false
}

// FuzzAffectedEnd checks affectedEnd against encoding/json on valid
// documents, and that it stays in bounds on any input.
func FuzzAffectedEnd(f *testing.F) {
	f.Add([]byte(`{"affected":[{"package":{"ecosystem":"Go","name":"a"}}],"id":"X"}`))
	f.Add([]byte(`{"id":"X","details":"\"}]","affected":null}`))
	f.Add([]byte(`{"document":{"csaf_version":"2.0"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		end, ok := affectedEnd(data)
		if ok && (end < 0 || end > len(data)) {
			t.Fatalf("end %d outside [0, %d]", end, len(data))
		}
		if !json.Valid(data) || bytes.Contains(data, []byte(`\u`)) {
			return
		}
		ref, refOK := referenceAffectedEnd(data)
		if ok != refOK {
			t.Fatalf("affectedEnd(%q) ok = %v, encoding/json says %v", data, ok, refOK)
		}
		if ok && (end < ref || len(bytes.TrimSpace(data[ref:end])) != 0) {
			t.Fatalf("affectedEnd(%q) = %d, encoding/json ends the value at %d", data, end, ref)
		}
	})
}
