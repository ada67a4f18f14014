package misp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Handler receives what Read finds, in order: for each event, Event with
// its header (uuid, info, Orgc, tags, galaxies), then each attribute and
// object of it, then EventEnd. A non-nil error from a method stops Read.
type Handler interface {
	Event(e *Event) error
	Attribute(e *Event, a *Attribute) error
	Object(e *Event, o *Object) error
	EventEnd(e *Event) error
	// ItemError reports an attribute or object that could not be read
	// (a wrong type of value, a bad timestamp); the others are read.
	ItemError(e *Event, err *ItemError) error
}

// ItemError is an attribute or object of an event that could not be read
// or converted.
type ItemError struct {
	Event string // event uuid ("" when unknown)
	Kind  string // "attribute", "object", "sighting", "galaxy"
	UUID  string // its uuid, when it could be read
	Type  string // the attribute type or object name, when known
	Err   error
}

// Error names the item and says what is wrong with it.
func (e *ItemError) Error() string {
	id := e.UUID
	if id == "" {
		id = "(no uuid)"
	}
	if e.Type != "" {
		return fmt.Sprintf("%s %s (%s): %v", e.Kind, id, e.Type, e.Err)
	}
	return fmt.Sprintf("%s %s: %v", e.Kind, id, e.Err)
}

// Unwrap returns the underlying error.
func (e *ItemError) Unwrap() error { return e.Err }

// MaxDepth is how deeply wrappers ({"response": [{"Event": ...}]}) may
// nest before Read refuses the document.
const maxWrapDepth = 4

// Read reads a MISP document from r and hands its events to h: an event
// ({"Event": {...}} or the bare event object), a list of them ([...],
// {"response": [...]}), or a collection of attributes or objects without
// an event ({"response": {"Attribute": [...]}}, {"Object": [...]}), which
// comes as one event with an empty UUID.
//
// r is read twice: once for the events' headers, which MISP writes after
// the attributes (the tags, and with them the TLP level, come last), and
// once for the attributes and objects, decoded one at a time. Memory is
// bounded by the largest single attribute or object, not by the event.
// A document that is not well-formed JSON is an error; so is one with no
// event, attribute or object.
func Read(r io.ReadSeeker, h Handler) error {
	var headers []*Event
	p1 := &pass{dec: json.NewDecoder(r), onEvent: func(e *Event) { headers = append(headers, e) }}
	if err := p1.document(0); err != nil {
		return err
	}
	if len(headers) == 0 {
		return errors.New("misp: no event, attribute or object in the document")
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("misp: rewind: %w", err)
	}
	p2 := &pass{dec: json.NewDecoder(r), stream: true, headers: headers, h: h}
	return p2.document(0)
}

// pass is one reading of the document: the first collects event headers
// and skips attributes and objects; the second (stream) hands attributes
// and objects to h under the header found first.
type pass struct {
	dec     *json.Decoder
	stream  bool
	onEvent func(*Event)
	headers []*Event
	next    int // index of the next event header (second pass)
	h       Handler
}

// document reads one JSON value that holds events.
func (p *pass) document(depth int) error {
	if depth > maxWrapDepth {
		return errors.New("misp: events nested too deeply in wrappers")
	}
	t, err := p.dec.Token()
	if err != nil {
		return syntaxErr(err)
	}
	switch t {
	case json.Delim('['):
		for p.dec.More() {
			if err := p.document(depth + 1); err != nil {
				return err
			}
		}
		_, err := p.dec.Token()
		return syntaxErr(err)
	case json.Delim('{'):
		return p.object(depth)
	}
	return fmt.Errorf("misp: want an event object or a list of events, found %v", t)
}

// object reads the members of an object whose '{' was read: a wrapper
// ("Event", "response") or an event itself.
func (p *pass) object(depth int) error {
	var e *Event
	begin := func() error {
		if e != nil {
			return nil
		}
		if p.stream {
			if p.next >= len(p.headers) {
				return errors.New("misp: document changed while being read")
			}
			e = p.headers[p.next]
			p.next++
			return p.h.Event(e)
		}
		e = &Event{}
		p.onEvent(e)
		return nil
	}
	for p.dec.More() {
		t, err := p.dec.Token()
		if err != nil {
			return syntaxErr(err)
		}
		key, _ := t.(string)
		switch key {
		case "Event", "response":
			if e != nil {
				if err := skip(p.dec); err != nil {
					return err
				}
				continue
			}
			if err := p.document(depth + 1); err != nil {
				return err
			}
			continue
		}
		if err := begin(); err != nil {
			return err
		}
		if err := p.member(e, key); err != nil {
			return err
		}
	}
	if _, err := p.dec.Token(); err != nil {
		return syntaxErr(err)
	}
	if e != nil && p.stream {
		return p.h.EventEnd(e)
	}
	return nil
}

// member reads one member of an event.
func (p *pass) member(e *Event, key string) error {
	if p.stream {
		switch key {
		case "Attribute":
			return p.items(e, "attribute", func(raw []byte) error {
				var a Attribute
				if err := p.decode(raw, &a); err != nil {
					return p.itemError(e, "attribute", a.UUID, a.Type, err)
				}
				return p.h.Attribute(e, &a)
			})
		case "Object":
			return p.items(e, "object", func(raw []byte) error {
				var o Object
				if err := p.decode(raw, &o); err != nil {
					return p.itemError(e, "object", o.UUID, o.Name, err)
				}
				return p.h.Object(e, &o)
			})
		}
		return skip(p.dec)
	}
	var dst any
	switch key {
	case "uuid":
		dst = &e.UUID
	case "info":
		dst = &e.Info
	case "date":
		dst = &e.Date
	case "published":
		dst = &e.Published
	case "timestamp":
		dst = &e.Timestamp
	case "publish_timestamp":
		dst = &e.PublishTimestamp
	case "threat_level_id":
		dst = &e.ThreatLevelID
	case "analysis":
		dst = &e.Analysis
	case "distribution":
		dst = &e.Distribution
	case "Orgc":
		dst = &e.Orgc
	case "Tag":
		dst = &e.Tags
	case "Galaxy":
		dst = &e.Galaxies
	default:
		return skip(p.dec)
	}
	if err := p.dec.Decode(dst); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
			return syntaxErr(err)
		}
		return fmt.Errorf("misp: event %s: %q: %w", e.UUID, key, err)
	}
	return nil
}

// items reads an array member one element at a time with one (nil: from
// the decoder), or a single object (MISP's REST answers write
// {"Object": {...}}), given to one as raw JSON.
func (p *pass) items(e *Event, kind string, one func(raw []byte) error) error {
	t, err := p.dec.Token()
	if err != nil {
		return syntaxErr(err)
	}
	switch t {
	case nil:
		return nil // null
	case json.Delim('{'):
		members := map[string]json.RawMessage{}
		for p.dec.More() {
			k, err := p.dec.Token()
			if err != nil {
				return syntaxErr(err)
			}
			var v json.RawMessage
			if err := p.dec.Decode(&v); err != nil {
				return syntaxErr(err)
			}
			key, _ := k.(string)
			members[key] = v
		}
		if _, err := p.dec.Token(); err != nil {
			return syntaxErr(err)
		}
		raw, err := json.Marshal(members)
		if err != nil {
			return fmt.Errorf("misp: event %s: %s: %w", e.UUID, kind, err)
		}
		return one(raw)
	case json.Delim('['):
	default:
		return fmt.Errorf("misp: event %s: %s: want a list, found %v", e.UUID, kind, t)
	}
	for p.dec.More() {
		if err := one(nil); err != nil {
			return err
		}
	}
	_, err = p.dec.Token()
	return syntaxErr(err)
}

// decode decodes the next element of the stream into v, or raw if given.
func (p *pass) decode(raw []byte, v any) error {
	if raw != nil {
		return json.Unmarshal(raw, v)
	}
	return p.dec.Decode(v)
}

// itemError reports an item that could not be decoded; a syntax error
// ends the document instead.
func (p *pass) itemError(e *Event, kind, uuid, typ string, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return syntaxErr(err)
	}
	return p.h.ItemError(e, &ItemError{Event: e.UUID, Kind: kind, UUID: uuid, Type: typ, Err: err})
}

// skip reads past one value, one element at a time for arrays and objects
// so that a huge list being skipped is never held whole.
func skip(dec *json.Decoder) error {
	t, err := dec.Token()
	if err != nil {
		return syntaxErr(err)
	}
	d, ok := t.(json.Delim)
	if !ok {
		return nil
	}
	for dec.More() {
		if d == '{' {
			if _, err := dec.Token(); err != nil {
				return syntaxErr(err)
			}
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntaxErr(err)
		}
	}
	_, err = dec.Token()
	return syntaxErr(err)
}

// syntaxErr wraps an error of the JSON scanner ("" for nil).
func syntaxErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("misp: malformed JSON: %w", err)
}
