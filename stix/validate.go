package stix

import "strings"

// class is the kind of a STIX object, which decides its common properties.
type class uint8

const (
	classSDO  class = iota // STIX Domain Object
	classSRO               // STIX Relationship Object
	classSCO               // STIX Cyber-observable Object
	classMeta              // marking-definition, language-content, extension-definition
)

// prop is a property a type or structure defines.
type prop struct {
	name     string
	required bool
	check    checker // nil when checked elsewhere
}

// structSpec describes a JSON object with defined properties: a STIX
// object type, a predefined extension, or an embedded type such as an
// external reference.
type structSpec struct {
	// name is used in "required by" messages; "" means the object's type.
	name  string
	props []prop
	// rules checks the rules between properties, after each property has
	// been checked on its own.
	rules func(c *ctx, m map[string]any) *ValidationError
	// custom says that properties the spec does not define are custom
	// properties, whose names and values follow the custom property rules.
	// Otherwise they are ignored.
	custom bool
	// topLevel marks STIX objects, where the reserved property names are
	// refused.
	topLevel bool
}

// typeSpec describes a STIX object type.
type typeSpec struct {
	structSpec
	class class
	// versioned says the type has created and modified (SDOs, SROs,
	// language-content and extension-definition).
	versioned bool
}

// defines reports whether the spec defines property name.
func (s *structSpec) defines(name string) bool {
	for i := range s.props {
		if s.props[i].name == name {
			return true
		}
	}
	return false
}

// validate validates a decoded STIX object.
func validate(obj map[string]any) *ValidationError {
	tv, ok := obj["type"]
	if !ok {
		return &ValidationError{Property: "type", Message: "required by every STIX object"}
	}
	typ, ok := tv.(string)
	if !ok {
		return typeError("a string", tv).under("type")
	}
	if p := typeNameProblem(typ); p != "" {
		return &ValidationError{Property: "type", Message: quote(typ) + " is not a valid type name: " + p}
	}
	switch typ {
	case "bundle":
		return &ValidationError{Property: "type", Message: "a bundle is a container, not a STIX object; send the objects it holds"}
	case "action":
		return &ValidationError{Property: "type", Message: "\"action\" is a reserved type name in STIX 2.1 and must not be used"}
	}
	spec := lookupSpec(typ, obj)
	c := ctx{typ: typ, obj: obj, class: spec.class}
	if spec.class == classSCO {
		c.defanged, _ = obj["defanged"].(bool)
	}
	return validateStruct(&c, &spec.structSpec, obj)
}

// lookupSpec returns the spec of a type. A custom type is taken for an SCO
// when an extension says it is a new SCO, or when it has neither created
// nor modified; otherwise it is validated like an SDO.
func lookupSpec(typ string, obj map[string]any) *typeSpec {
	if s := definedSpec(typ); s != nil {
		return s
	}
	if exts, ok := obj["extensions"].(map[string]any); ok {
		sco := false
		for _, e := range exts {
			if m, ok := e.(map[string]any); ok {
				switch m["extension_type"] {
				case "new-sdo", "new-sro":
					return customSDOSpec // whatever the map order
				case "new-sco":
					sco = true
				}
			}
		}
		if sco {
			return customSCOSpec
		}
	}
	_, created := obj["created"]
	_, modified := obj["modified"]
	if !created && !modified {
		return customSCOSpec
	}
	return customSDOSpec
}

// validateStruct checks m against s: each defined property in order, the
// rules between them, then the properties s does not define.
func validateStruct(c *ctx, s *structSpec, m map[string]any) *ValidationError {
	found := 0
	for i := range s.props {
		p := &s.props[i]
		v, ok := m[p.name]
		if !ok {
			if p.required {
				return &ValidationError{Property: p.name, Message: "required by " + s.displayName(c)}
			}
			continue
		}
		found++
		if p.check != nil {
			if err := p.check(c, v); err != nil {
				return err.under(p.name)
			}
		}
	}
	if s.rules != nil {
		if err := s.rules(c, m); err != nil {
			return err
		}
	}
	if found < len(m) && s.custom {
		return checkCustomProperties(c, s, m)
	}
	return nil
}

func (s *structSpec) displayName(c *ctx) string {
	if s.name == "" {
		return c.typ
	}
	return s.name
}

// checkCustomProperties checks the properties s does not define. When
// several are wrong, the one with the smallest name is reported, so that
// the message does not depend on map order.
func checkCustomProperties(c *ctx, s *structSpec, m map[string]any) *ValidationError {
	var first *ValidationError
	firstName := ""
	for name, v := range m {
		if first != nil && name > firstName || s.defines(name) {
			continue
		}
		if err := checkCustomProperty(c, name, v, s.topLevel); err != nil {
			first, firstName = err.under(name), name
		}
	}
	return first
}

// reservedProperty reports whether STIX 2.1 reserves a property name on
// STIX objects (the official schemas refuse these).
func reservedProperty(name string) bool {
	switch name {
	case "severity", "action", "username", "phone_numbers":
		return true
	}
	return false
}

// checkCustomProperty checks a property that the type does not define.
// Its name must follow the STIX naming rule; its value must not be null or
// an empty list; names ending in _ref and _refs hold identifiers, and names
// ending in _bin and _hex hold binary and hex values, as the spec requires
// of custom properties.
func checkCustomProperty(c *ctx, name string, v any, topLevel bool) *ValidationError {
	if !isPropertyName(name) {
		return errorf("is not a valid property name: custom property names are 3 to 250 characters of a-z, 0-9 and \"_\", starting with a letter")
	}
	if topLevel && reservedProperty(name) {
		return errorf("is a reserved property name in STIX 2.1 and must not be used")
	}
	switch x := v.(type) {
	case nil:
		return errorf("must not be null; leave the property out instead")
	case []any:
		if len(x) == 0 {
			return errorf("must not be an empty list; leave the property out instead")
		}
	}
	switch {
	case name == "x_vigie_recipient_refs":
		return checkRefList(identityRef)(c, v)
	case name == "created_by_ref":
		return checkRef(identityRef)(c, v)
	case strings.HasSuffix(name, "_refs"):
		return checkRefList(anyRef)(c, v)
	case strings.HasSuffix(name, "_ref"):
		return checkRef(anyRef)(c, v)
	case strings.HasSuffix(name, "_bin"):
		return checkBinary(c, v)
	case strings.HasSuffix(name, "_hex"):
		return checkHex(c, v)
	}
	return nil
}

// firstInMap checks every entry of m with check and returns the error of
// the smallest key that fails, so that the result does not depend on map
// order.
func firstInMap(m map[string]any, check func(k string, v any) *ValidationError) *ValidationError {
	var first *ValidationError
	firstKey := ""
	for k, v := range m {
		if first != nil && k > firstKey {
			continue
		}
		if err := check(k, v); err != nil {
			first, firstKey = err, k
		}
	}
	return first
}

// atLeastOne checks that m has at least one of the names.
func atLeastOne(m map[string]any, what string, names ...string) *ValidationError {
	for _, n := range names {
		if _, ok := m[n]; ok {
			return nil
		}
	}
	return errorf(what + " needs at least one of these properties: " + strings.Join(names, ", "))
}

// chain runs rules in order and returns the first error.
func chain(rules ...func(c *ctx, m map[string]any) *ValidationError) func(c *ctx, m map[string]any) *ValidationError {
	return func(c *ctx, m map[string]any) *ValidationError {
		for _, r := range rules {
			if r == nil {
				continue
			}
			if err := r(c, m); err != nil {
				return err
			}
		}
		return nil
	}
}
