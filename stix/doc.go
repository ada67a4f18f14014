// Package stix parses and validates STIX 2.1 objects, as the hub receives
// them from publishers.
//
// Parse decodes one JSON object and validates it; ParseBundle splits a
// bundle into its objects; Validate checks an object already decoded.
// Every failure is a *ValidationError whose Property names the offending
// property (like `external_references[2].source_name`) and whose Message
// says what is wrong in words a publisher can act on. Only the first
// problem is reported, in a fixed order (see Validate).
//
// # What is checked
//
// The rules come from the STIX 2.1 specification, with the official JSON
// schemas as the statement of the details (required properties, patterns,
// enumerations, reference types). The validator is written directly, not
// as a schema engine:
//
//   - JSON: one object, UTF-8, at most MaxDepth levels deep, no duplicate
//     property names (encoding/json keeps the last one, other tools the
//     first, so a duplicate could show two readers two different objects),
//     no NUL characters or unpaired surrogate escapes in strings, nothing
//     after the object.
//   - Common properties of SDOs and SROs (type, spec_version "2.1", id,
//     created and modified precise to the millisecond, modified not before
//     created, created_by_ref to an identity, revoked, labels, confidence
//     0 to 100, lang, external_references, object_marking_refs to
//     marking-definitions, granular_markings, extensions), and of SCOs
//     (type, id, optional spec_version, object_marking_refs,
//     granular_markings, defanged, extensions).
//   - Identifiers: "type--UUID" with a valid type name and an RFC 4122 UUID
//     (version 1 to 5); an object's id starts with its own type; every
//     reference points to the types the spec allows (created_by_ref to an
//     identity, sighting_of_ref to an SDO, source_ref and target_ref to an
//     SDO or SCO, and so on).
//   - Timestamps: RFC 3339 in UTC with "Z", any number of fraction digits.
//   - The properties of the 19 SDOs, 2 SROs and 18 SCOs, of the 12
//     predefined SCO extensions, of marking-definition (statement, TLP 1.0,
//     TLP 2.0 and extension-defined markings), language-content and
//     extension-definition: presence, JSON type, ranges, closed
//     vocabularies (the "-enum" ones), formats (hashes, hex, base64, IP and
//     MAC addresses, CPE, registry hives, ...) and the rules between
//     properties (valid_until after valid_from, an artifact with payload_bin
//     or url, a location with a region, a country or coordinates, ...).
//     Open vocabularies (the "-ov" ones) accept any string.
//   - Granular marking selectors must select something present in the
//     object; a marking definition must not mark itself.
//   - TLP: the four TLP 1.0 marking definitions must be exactly those of
//     the specification, and a TLP 2.0 marking must use the official
//     identifier of its level, so that a marking means the same level to
//     every reader.
//   - Custom content: a custom object type (a valid type name not defined by
//     the spec) gets its common properties checked, as an SCO when an
//     extension says "new-sco" or when it has neither created nor modified,
//     as an SDO otherwise. A property the type does not define is a custom
//     property: its name must be 3 to 250 characters of a-z, 0-9 and "_"
//     starting with a letter, and not one the spec reserves (severity,
//     action, username, phone_numbers); its value must not be null or an
//     empty list; a name ending in _ref or _refs holds identifiers, _bin
//     base64, _hex hexadecimal. The hub's own x_vigie_recipient_refs must
//     list identities.
//
// The grammar of indicator patterns is not checked here (the pattern
// package does it); pattern must only be a non-empty string.
//
// # Limits
//
// MaxDepth bounds the JSON nesting. The decoder is iterative, so no input
// can exhaust the stack; it is linear in the size of its input. The size
// of a request is bounded by the HTTP layer, not here.
package stix
