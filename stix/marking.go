package stix

// Marking definitions (STIX 2.1 section 7.2) and the Traffic Light Protocol.
//
// A TLP marking is only recognised by its identifier, so the validator
// refuses anything that would make a marking say one level to one reader
// and another level to another: the TLP 1.0 marking definitions must be
// exactly those of the STIX 2.1 specification (which forbids any other
// "tlp" marking), and a TLP 2.0 marking (the OASIS TLP 2.0 extension) must
// use the official identifier of its level.

// TLP2Extension is the identifier of the OASIS extension definition of TLP
// 2.0 markings.
const TLP2Extension = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

// tlp1Created is the created timestamp of the four TLP 1.0 definitions.
const tlp1Created = "2017-01-20T00:00:00.000Z"

// tlp1Color returns the color of a TLP 1.0 marking definition identifier,
// or "".
func tlp1Color(id string) string {
	switch id {
	case "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9":
		return "white"
	case "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da":
		return "green"
	case "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82":
		return "amber"
	case "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed":
		return "red"
	}
	return ""
}

// tlp2Level returns the level of a TLP 2.0 marking definition identifier,
// or "".
func tlp2Level(id string) string {
	switch id {
	case "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487":
		return "clear"
	case "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb":
		return "green"
	case "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421":
		return "amber"
	case "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003":
		return "amber+strict"
	case "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1":
		return "red"
	}
	return ""
}

// tlp2ID returns the official identifier of a TLP 2.0 level, or "".
func tlp2ID(level string) string {
	switch level {
	case "clear":
		return "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	case "green":
		return "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	case "amber":
		return "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	case "amber+strict":
		return "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	case "red":
		return "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
	}
	return ""
}

// tlpName returns the display name of a TLP level, like "TLP:AMBER+STRICT".
func tlpName(level string) string {
	b := []byte("TLP:" + level)
	for i := 4; i < len(b); i++ {
		if b[i] >= 'a' && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}

// markingDefinitionSpec: marking definitions are not versioned, so they
// have created but no modified; definition_type and definition are
// required unless the marking is defined by an extension.
var markingDefinitionSpec = newSpec("marking-definition", classMeta, []prop{
	{"type", true, nil},
	{"spec_version", true, checkSpecVersion},
	{"id", true, checkID},
	{"created", true, checkTimestamp},
	{"created_by_ref", false, checkRef(identityRef)},
	{"external_references", false, listOf(checkExternalReference)},
	{"object_marking_refs", false, checkRefList(markingRef)},
	{"granular_markings", false, listOf(checkGranularMarking)},
	{"extensions", false, checkExtensions},
}, markingRules,
	prop{"name", false, checkString},
	prop{"definition_type", false, checkString},
	prop{"definition", false, checkMarkingDefinitionValue})

func checkMarkingDefinitionValue(_ *ctx, v any) *ValidationError {
	_, err := asObject(v)
	return err
}

func markingRules(_ *ctx, m map[string]any) *ValidationError {
	id := m["id"].(string)
	if refs, ok := m["object_marking_refs"].([]any); ok {
		for i, r := range refs {
			if r == id {
				return (&ValidationError{Message: "a marking definition must not mark itself"}).at(i).under("object_marking_refs")
			}
		}
	}
	if _, ok := m["extensions"]; !ok {
		for _, name := range []string{"definition_type", "definition"} {
			if _, ok := m[name]; !ok {
				return &ValidationError{Property: name, Message: "required by marking-definition unless it is defined by an extension"}
			}
		}
	}
	switch m["definition_type"] {
	case "statement":
		def, ok := m["definition"].(map[string]any)
		if !ok {
			return &ValidationError{Property: "definition", Message: "required by statement markings"}
		}
		if _, ok := def["statement"]; !ok {
			return &ValidationError{Property: "definition.statement", Message: "required by statement markings"}
		}
		if err := checkString(nil, def["statement"]); err != nil {
			return err.under("definition.statement")
		}
	case "tlp":
		return tlp1Rules(m, id)
	}
	if tlp1Color(id) != "" {
		return tlp1Rules(m, id)
	}
	return tlp2Rules(m, id)
}

// tlp1Rules checks that m is exactly one of the four TLP 1.0 marking
// definitions of the STIX 2.1 specification.
func tlp1Rules(m map[string]any, id string) *ValidationError {
	color := tlp1Color(id)
	if color == "" {
		return &ValidationError{Property: "id", Message: "TLP 1.0 markings must be the four marking definitions of the STIX 2.1 specification, and " + id + " is not one of them; reference the official one instead"}
	}
	if m["definition_type"] != "tlp" {
		return &ValidationError{Property: "definition_type", Message: "must be \"tlp\" for the TLP 1.0 marking definition " + id}
	}
	def, _ := m["definition"].(map[string]any)
	if len(def) != 1 || def["tlp"] != color {
		return &ValidationError{Property: "definition", Message: "must be {\"tlp\": " + quote(color) + "} for the TLP 1.0 marking definition " + id}
	}
	if m["name"] != tlpName(color) {
		return &ValidationError{Property: "name", Message: "must be " + quote(tlpName(color)) + " for the TLP 1.0 marking definition " + id}
	}
	if m["created"] != tlp1Created {
		return &ValidationError{Property: "created", Message: "must be " + quote(tlp1Created) + " for the TLP 1.0 marking definition " + id}
	}
	return firstInMap(m, func(k string, _ any) *ValidationError {
		switch k {
		case "type", "spec_version", "id", "created", "name", "definition", "definition_type":
			return nil
		}
		return &ValidationError{Property: k, Message: "is not part of the TLP 1.0 marking definitions, which the STIX 2.1 specification fixes"}
	})
}

// tlp2Rules checks the TLP 2.0 markings: their identifier, level and name
// must agree.
func tlp2Rules(m map[string]any, id string) *ValidationError {
	want := tlp2Level(id)
	exts, _ := m["extensions"].(map[string]any)
	ext, ok := exts[TLP2Extension].(map[string]any)
	if !ok {
		if want != "" {
			return &ValidationError{Property: "extensions", Message: "the TLP 2.0 marking definition " + id + " must carry the TLP 2.0 extension " + TLP2Extension}
		}
		return nil
	}
	path := "extensions." + TLP2Extension
	if ext["extension_type"] != "property-extension" {
		return &ValidationError{Property: path + ".extension_type", Message: "must be \"property-extension\" for the TLP 2.0 extension"}
	}
	level, ok := ext["tlp_2_0"].(string)
	if !ok {
		if _, present := ext["tlp_2_0"]; !present {
			return &ValidationError{Property: path + ".tlp_2_0", Message: "required by the TLP 2.0 extension"}
		}
		return typeError("a string", ext["tlp_2_0"]).under(path + ".tlp_2_0")
	}
	official := tlp2ID(level)
	switch {
	case official == "":
		return &ValidationError{Property: path + ".tlp_2_0", Message: quote(level) + " is not one of the allowed values: clear, green, amber, amber+strict, red"}
	case want == "":
		return &ValidationError{Property: "id", Message: "TLP 2.0 markings must use the official marking definitions; for " + tlpName(level) + " reference " + official}
	case want != level:
		return &ValidationError{Property: path + ".tlp_2_0", Message: "must be " + quote(want) + " for the TLP 2.0 marking definition " + id}
	}
	if name, ok := m["name"]; ok && name != tlpName(level) {
		return &ValidationError{Property: "name", Message: "must be " + quote(tlpName(level)) + " for the TLP 2.0 marking definition " + id}
	}
	return nil
}
