package stix

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Object is a validated STIX object: the common properties the hub
// indexes, and all properties decoded.
type Object struct {
	Type        string
	ID          string
	SpecVersion string // "" when absent (allowed for SCOs)
	// Created and Modified are zero when the object type does not define
	// them (SCOs; marking definitions have no Modified).
	Created           time.Time
	Modified          time.Time
	CreatedByRef      string
	ObjectMarkingRefs []string
	Revoked           bool
	// Props is the whole object as decoded: strings, bool, nil,
	// json.Number, []any and map[string]any.
	Props map[string]any
}

// Version returns the object's version as TAXII uses it: the "modified"
// property exactly as received when the object has one, else "created",
// else "" (SCOs have neither).
func (o *Object) Version() string {
	if !o.Modified.IsZero() {
		if s, ok := o.Props["modified"].(string); ok {
			return s
		}
	}
	if !o.Created.IsZero() {
		if s, ok := o.Props["created"].(string); ok {
			return s
		}
	}
	return ""
}

// ValidationError reports why a STIX object, or its JSON text, is not
// acceptable. Its message is written for the person who published the
// object.
type ValidationError struct {
	// Property is the path of the offending property, like
	// `external_references[2].source_name` or `hashes.SHA-256`; it is "" when
	// the problem is with the object as a whole or with its JSON syntax.
	Property string
	// Message says what is wrong, in words a person can act on.
	Message string
}

// Error returns the message, naming the property when there is one, like
// `property "pattern_type": required by indicator`.
func (e *ValidationError) Error() string {
	if e.Property == "" {
		return e.Message
	}
	return "property " + strconv.Quote(e.Property) + ": " + e.Message
}

// Parse decodes data, which must hold exactly one JSON object, and
// validates it as a STIX 2.1 object. The JSON must be UTF-8, nested at most
// MaxDepth levels, with no duplicate property names and nothing after the
// object. The error, always a *ValidationError, is the first problem found;
// see Validate for the order. The strings of Props share one copy of data.
func Parse(data []byte) (*Object, error) {
	props, verr := decodeObject(data)
	if verr != nil {
		return nil, verr
	}
	if verr := validate(props); verr != nil {
		return nil, verr
	}
	return newObject(props), nil
}

// Validate validates an already decoded STIX object, with the values
// encoding/json gives when decoding into any: string, bool, nil, []any,
// map[string]any, and numbers as json.Number (as Parse decodes them),
// float64 (encoding/json's default) or Go integers.
//
// The error, always a *ValidationError, is the first problem found in a
// fixed order, so that the same object always gets the same message: the
// type; the properties the type defines, common ones first (spec_version,
// id, created, modified, ...), each checked for presence and
// value; the rules between properties (modified not before created, ...);
// then custom properties, the smallest offending name first. One message
// at a time keeps each one precise; a publisher fixing an object sees the
// next problem, if any, on the next attempt.
func Validate(props map[string]any) error {
	if verr := validate(props); verr != nil {
		return verr
	}
	return nil
}

// newObject extracts the indexed properties of a validated object.
func newObject(props map[string]any) *Object {
	o := &Object{Props: props}
	o.Type, _ = props["type"].(string)
	o.ID, _ = props["id"].(string)
	o.SpecVersion, _ = props["spec_version"].(string)
	o.CreatedByRef, _ = props["created_by_ref"].(string)
	o.Revoked, _ = props["revoked"].(bool)
	spec := lookupSpec(o.Type, props)
	if spec.class != classSCO {
		if s, ok := props["created"].(string); ok {
			o.Created, _, _ = parseTimestamp(s)
		}
		if s, ok := props["modified"].(string); ok && spec.versioned {
			o.Modified, _, _ = parseTimestamp(s)
		}
	}
	if refs, ok := props["object_marking_refs"].([]any); ok {
		o.ObjectMarkingRefs = make([]string, len(refs))
		for i, r := range refs {
			o.ObjectMarkingRefs[i], _ = r.(string)
		}
	}
	return o
}

// quote quotes s for a message, shortening long values.
func quote(s string) string {
	const max = 80
	if len(s) <= max {
		return strconv.Quote(s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}
