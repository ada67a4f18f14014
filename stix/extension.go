package stix

import "strings"

// extensionTypes is extension-type-enum.
var extensionTypes = []string{"new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"}

// checkExtensions checks the extensions property. Its keys are the
// identifiers of extension definitions, the names of the predefined SCO
// extensions of the object's type, or (deprecated since STIX 2.1 CS02)
// custom extension names ending in "-ext".
func checkExtensions(c *ctx, v any) *ValidationError {
	m, err := asObject(v)
	if err != nil {
		return err
	}
	if len(m) == 0 {
		return errorf("must not be empty; leave the property out instead")
	}
	return firstInMap(m, func(name string, x any) *ValidationError {
		if err := checkExtension(c, name, x); err != nil {
			return err.under(name)
		}
		return nil
	})
}

// extensionUseSpec is the content of an extension defined by an
// extension-definition: its extension_type and the properties it adds.
var extensionUseSpec = structSpec{
	name:   "extensions defined by an extension-definition",
	props:  []prop{{"extension_type", true, enum(extensionTypes...)}},
	custom: true,
}

// customExtensionSpec is the content of a custom "-ext" extension.
var customExtensionSpec = structSpec{custom: true}

func checkExtension(c *ctx, name string, v any) *ValidationError {
	var spec *structSpec
	switch {
	case strings.HasPrefix(name, "extension-definition--"):
		if p := identifierProblem(name); p != "" {
			return errorf("is not a valid extension-definition identifier: " + p)
		}
		spec = &extensionUseSpec
	case c.typ == "marking-definition":
		return errorf("is not an extension-definition identifier; marking definitions only take extensions defined by an extension-definition")
	default:
		if ext := predefinedExtension(name); ext != nil {
			if ext.forType != c.typ {
				return errorf("is an extension of " + ext.forType + " objects, not of " + c.typ)
			}
			spec = &ext.structSpec
			break
		}
		if !strings.HasSuffix(name, "-ext") || !isTypeName(name) {
			return errorf("is not a valid extension name: use the identifier of an extension-definition, or a predefined extension such as \"archive-ext\"")
		}
		spec = &customExtensionSpec
	}
	m, err := asObject(v)
	if err != nil {
		return err
	}
	if len(m) == 0 {
		return errorf("must not be empty")
	}
	return validateStruct(c, spec, m)
}

// extensionDefinitionSpec is extension-definition (STIX 2.1 section 7.3).
// The spec requires created_by_ref on it, unlike the official schema.
var extensionDefinitionSpec = newSpec("extension-definition", classMeta, withRequired(sdoCommonProps, "created_by_ref"), extensionDefinitionRules,
	prop{"name", true, checkString},
	prop{"description", false, checkString},
	prop{"schema", true, checkString},
	prop{"version", true, checkString},
	prop{"extension_types", true, listOf(enum(extensionTypes...))},
	prop{"extension_properties", false, checkStringList},
)

func extensionDefinitionRules(_ *ctx, m map[string]any) *ValidationError {
	if _, ok := m["extension_properties"]; !ok {
		return nil
	}
	for _, t := range m["extension_types"].([]any) {
		if t == "toplevel-property-extension" {
			return nil
		}
	}
	return &ValidationError{Property: "extension_properties", Message: "is only allowed when extension_types includes \"toplevel-property-extension\""}
}

// withRequired returns a copy of props with the named properties required.
func withRequired(props []prop, names ...string) []prop {
	out := make([]prop, len(props))
	copy(out, props)
	for i := range out {
		for _, n := range names {
			if out[i].name == n {
				out[i].required = true
			}
		}
	}
	return out
}
