package stix

import (
	"encoding/json"
	"strconv"
)

// ParseBundle returns the objects of a STIX bundle, each as the exact JSON
// text it has in data (the messages share data's memory). It checks the
// JSON syntax of the whole bundle (UTF-8, MaxDepth, nothing after the
// bundle), that the bundle's own properties have no duplicates, that its
// type is "bundle" and its id a bundle identifier, and that objects, when
// present, is a non-empty list of JSON objects. It does not validate the
// objects themselves: pass each one to Parse. A bundle without objects
// returns no objects and no error. The error is always a *ValidationError.
func ParseBundle(data []byte) ([]json.RawMessage, error) {
	objects, verr := parseBundle(data)
	if verr != nil {
		return nil, verr
	}
	return objects, nil
}

func parseBundle(data []byte) ([]json.RawMessage, *ValidationError) {
	d := decoder{data: data} // strings are copied: the few kept are small
	d.skipSpace()
	if err := d.expectObject(); err != nil {
		return nil, err
	}
	d.pos++
	d.skipSpace()
	var (
		typ, id        any
		hasType, hasID bool
		objects        []json.RawMessage
		hasObjects     bool
		objectsProblem *ValidationError
		seen           = map[string]bool{}
	)
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
	} else {
		for {
			k, err := d.memberName(true, len(seen) > 0)
			if err != nil {
				return nil, err
			}
			if seen[k.name] {
				return nil, d.errorf(k.off, "duplicate property name %s in an object; each name may appear only once", quote(k.name))
			}
			seen[k.name] = true
			switch k.name {
			case "type":
				hasType = true
				if typ, err = d.value(true, 1); err != nil {
					return nil, err
				}
			case "id":
				hasID = true
				if id, err = d.value(true, 1); err != nil {
					return nil, err
				}
			case "objects":
				hasObjects = true
				if objects, objectsProblem, err = d.bundleObjects(); err != nil {
					return nil, err
				}
			default:
				if _, err := d.value(false, 1); err != nil {
					return nil, err
				}
			}
			d.skipSpace()
			if d.pos >= len(d.data) {
				return nil, d.errorf(d.pos, "unexpected end of input: the bundle is not closed")
			}
			if c := d.data[d.pos]; c == '}' {
				d.pos++
				break
			} else if c != ',' {
				return nil, d.errorf(d.pos, "expected ',' or '}' after a property value, found %s", describe(d.data, d.pos))
			}
			d.pos++
			d.skipSpace()
		}
	}
	if err := d.expectEnd(); err != nil {
		return nil, err
	}
	switch {
	case !hasType:
		return nil, &ValidationError{Property: "type", Message: "required by bundle"}
	case typ != "bundle":
		if s, ok := typ.(string); ok {
			return nil, &ValidationError{Property: "type", Message: "must be \"bundle\", not " + quote(s) + "; send a bundle, or post a single object as such"}
		}
		return nil, typeError("the string \"bundle\"", typ).under("type")
	case !hasID:
		return nil, &ValidationError{Property: "id", Message: "required by bundle"}
	}
	if s, ok := id.(string); !ok {
		return nil, typeError("an identifier string", id).under("id")
	} else if p := identifierProblem(s); p != "" {
		return nil, &ValidationError{Property: "id", Message: quote(s) + " is not an identifier: " + p}
	} else if identifierType(s) != "bundle" {
		return nil, &ValidationError{Property: "id", Message: "must start with \"bundle--\", found " + quote(s)}
	}
	if objectsProblem != nil {
		return nil, objectsProblem.under("objects")
	}
	if hasObjects && len(objects) == 0 {
		return nil, &ValidationError{Property: "objects", Message: "must not be an empty list; leave the property out instead"}
	}
	return objects, nil
}

// bundleObjects reads the objects list of a bundle. A list item that is
// not a JSON object is reported as a problem (once the whole bundle is
// known to be valid JSON), not as a syntax error.
func (d *decoder) bundleObjects() ([]json.RawMessage, *ValidationError, *ValidationError) {
	if d.pos >= len(d.data) || d.data[d.pos] != '[' {
		v, err := d.value(true, 1)
		if err != nil {
			return nil, nil, err
		}
		return nil, typeError("a list of STIX objects", v), nil
	}
	d.pos++
	d.skipSpace()
	var (
		objects []json.RawMessage
		problem *ValidationError
	)
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return []json.RawMessage{}, nil, nil
	}
	for i := 0; ; i++ {
		if d.pos >= len(d.data) {
			return nil, nil, d.errorf(d.pos, "unexpected end of input: expected a value")
		}
		start := d.pos
		isObject := d.data[d.pos] == '{'
		v, err := d.value(!isObject, 2)
		if err != nil {
			return nil, nil, err
		}
		if isObject {
			objects = append(objects, json.RawMessage(d.data[start:d.pos]))
		} else if problem == nil {
			problem = typeError("a STIX object (a JSON object)", v).under("[" + strconv.Itoa(i) + "]")
		}
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, nil, d.errorf(d.pos, "unexpected end of input: the list of objects is not closed")
		}
		switch d.data[d.pos] {
		case ']':
			d.pos++
			return objects, problem, nil
		case ',':
			d.pos++
			d.skipSpace()
			if d.pos < len(d.data) && d.data[d.pos] == ']' {
				return nil, nil, d.errorf(d.pos, "expected a value after ','; trailing commas are not allowed")
			}
		default:
			return nil, nil, d.errorf(d.pos, "expected ',' or ']' after a list item, found %s", describe(d.data, d.pos))
		}
	}
}
