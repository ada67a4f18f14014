package stix

import "math"

// The STIX Domain Objects (STIX 2.1 section 4). Each spec lists the
// type's own properties after the common ones; the specs are read-only.

// Shared property checks.
var (
	nameRequired  = prop{"name", true, checkString}
	nameOptional  = prop{"name", false, checkString}
	description   = prop{"description", false, checkString}
	aliases       = prop{"aliases", false, checkStringList}
	killChain     = prop{"kill_chain_phases", false, checkKillChainPhases}
	firstSeen     = prop{"first_seen", false, checkTimestamp}
	lastSeen      = prop{"last_seen", false, checkTimestamp}
	objectRefs    = prop{"object_refs", true, checkRefList(anyRef)}
	authors       = prop{"authors", false, checkStringList}
	softwareRef   = checkRef(refTo("software"))
	softwareRefs  = checkRefList(refTo("software"))
	seenInOrder   = func(_ *ctx, m map[string]any) *ValidationError { return notBefore(m, "first_seen", "last_seen", false) }
	goals         = prop{"goals", false, checkStringList}
	resourceLevel = prop{"resource_level", false, checkString}
	primaryMotive = prop{"primary_motivation", false, checkString}
	secondMotives = prop{"secondary_motivations", false, checkStringList}
)

var attackPatternSpec = sdo("attack-pattern", nil,
	nameRequired, description, aliases, killChain)

var campaignSpec = sdo("campaign", seenInOrder,
	nameRequired, description, aliases, firstSeen, lastSeen,
	prop{"objective", false, checkString})

var courseOfActionSpec = sdo("course-of-action", nil,
	nameRequired, description)

var groupingSpec = sdo("grouping", nil,
	nameOptional, description,
	prop{"context", true, checkString}, // grouping-context-ov
	objectRefs)

var identitySpec = sdo("identity", nil,
	nameRequired, description,
	prop{"roles", false, checkStringList},
	prop{"identity_class", false, checkString}, // identity-class-ov
	prop{"sectors", false, checkStringList},    // industry-sector-ov
	prop{"contact_information", false, checkString})

var incidentSpec = sdo("incident", nil,
	nameRequired, description, killChain)

// indicatorSpec does not check the grammar of the pattern: the pattern
// package does.
var indicatorSpec = sdo("indicator", indicatorRules,
	nameOptional, description,
	prop{"indicator_types", false, checkStringList},
	prop{"pattern", true, checkNonEmptyString},
	prop{"pattern_type", true, checkNonEmptyString}, // pattern-type-ov
	prop{"pattern_version", false, checkString},
	prop{"valid_from", true, checkTimestamp},
	prop{"valid_until", false, checkTimestamp},
	killChain)

func indicatorRules(_ *ctx, m map[string]any) *ValidationError {
	return notBefore(m, "valid_from", "valid_until", true)
}

var infrastructureSpec = sdo("infrastructure", seenInOrder,
	nameRequired, description,
	prop{"infrastructure_types", false, checkStringList},
	aliases, killChain, firstSeen, lastSeen)

var intrusionSetSpec = sdo("intrusion-set", seenInOrder,
	nameRequired, description, aliases, firstSeen, lastSeen,
	goals, resourceLevel, primaryMotive, secondMotives)

var locationSpec = sdo("location", locationRules,
	nameOptional, description,
	prop{"latitude", false, number(-90, 90)},
	prop{"longitude", false, number(-180, 180)},
	prop{"precision", false, number(0, math.Inf(1))},
	prop{"region", false, checkString}, // region-ov
	prop{"country", false, checkString},
	prop{"administrative_area", false, checkString},
	prop{"city", false, checkString},
	prop{"street_address", false, checkString},
	prop{"postal_code", false, checkString})

func locationRules(_ *ctx, m map[string]any) *ValidationError {
	_, lat := m["latitude"]
	_, long := m["longitude"]
	switch {
	case lat && !long:
		return &ValidationError{Property: "longitude", Message: "required by location when latitude is present"}
	case long && !lat:
		return &ValidationError{Property: "latitude", Message: "required by location when longitude is present"}
	}
	if _, ok := m["precision"]; ok && !lat {
		return &ValidationError{Property: "precision", Message: "is only allowed with latitude and longitude"}
	}
	if _, ok := m["region"]; !ok && !lat {
		if _, ok := m["country"]; !ok {
			return errorf("a location needs region, country, or latitude and longitude")
		}
	}
	return nil
}

var malwareSpec = sdo("malware", malwareRules,
	nameOptional, description,
	prop{"malware_types", false, checkStringList},
	prop{"is_family", true, checkBool},
	aliases, killChain, firstSeen, lastSeen,
	prop{"operating_system_refs", false, softwareRefs},
	prop{"architecture_execution_envs", false, checkStringList},
	prop{"implementation_languages", false, checkStringList},
	prop{"capabilities", false, checkStringList},
	prop{"sample_refs", false, checkRefList(refTo("artifact", "file"))})

func malwareRules(c *ctx, m map[string]any) *ValidationError {
	if _, ok := m["name"]; !ok && m["is_family"] == true {
		return &ValidationError{Property: "name", Message: "required by malware when is_family is true"}
	}
	return seenInOrder(c, m)
}

var malwareAnalysisSpec = sdo("malware-analysis", malwareAnalysisRules,
	prop{"product", true, checkString},
	prop{"version", false, checkString},
	prop{"host_vm_ref", false, softwareRef},
	prop{"operating_system_ref", false, softwareRef},
	prop{"installed_software_refs", false, softwareRefs},
	prop{"configuration_version", false, checkString},
	prop{"modules", false, checkStringList},
	prop{"analysis_engine_version", false, checkString},
	prop{"analysis_definition_version", false, checkString},
	prop{"submitted", false, checkTimestamp},
	prop{"analysis_started", false, checkTimestamp},
	prop{"analysis_ended", false, checkTimestamp},
	prop{"result_name", false, checkString},
	prop{"result", false, checkString}, // malware-result-ov
	prop{"analysis_sco_refs", false, checkRefList(scoRef)},
	prop{"sample_ref", false, checkRef(refTo("file", "network-traffic", "artifact"))})

func malwareAnalysisRules(_ *ctx, m map[string]any) *ValidationError {
	if _, ok := m["result"]; !ok {
		if _, ok := m["analysis_sco_refs"]; !ok {
			return errorf("a malware-analysis needs result or analysis_sco_refs")
		}
	}
	return nil
}

var noteSpec = sdo("note", nil,
	prop{"abstract", false, checkString},
	prop{"content", true, checkString},
	authors, objectRefs)

// observedDataSpec accepts the deprecated objects property, checking only
// that it maps keys to objects with a type; its observables follow STIX 2.0
// rules (local references) that the 2.1 validators do not apply.
var observedDataSpec = sdo("observed-data", observedDataRules,
	prop{"first_observed", true, checkTimestamp},
	prop{"last_observed", true, checkTimestamp},
	prop{"number_observed", true, integer(1, 999_999_999)},
	prop{"objects", false, checkEmbeddedObservables},
	prop{"object_refs", false, checkRefList(scoOrSRORef)})

func observedDataRules(_ *ctx, m map[string]any) *ValidationError {
	_, objects := m["objects"]
	_, refs := m["object_refs"]
	switch {
	case objects && refs:
		return &ValidationError{Property: "objects", Message: "must not be used together with object_refs; objects is deprecated in STIX 2.1, keep object_refs"}
	case !objects && !refs:
		return &ValidationError{Property: "object_refs", Message: "required by observed-data (or the deprecated objects)"}
	case refs && !referencesSCO(m["object_refs"].([]any)):
		return &ValidationError{Property: "object_refs", Message: "must reference at least one Cyber-observable Object, not only relationships and sightings"}
	}
	return notBefore(m, "first_observed", "last_observed", false)
}

func referencesSCO(refs []any) bool {
	for _, r := range refs {
		if !IsSROType(identifierType(r.(string))) {
			return true
		}
	}
	return false
}

func checkEmbeddedObservables(_ *ctx, v any) *ValidationError {
	m, err := asObject(v)
	if err != nil {
		return err
	}
	if len(m) == 0 {
		return errorf("must not be empty")
	}
	return firstInMap(m, func(k string, x any) *ValidationError {
		o, err := asObject(x)
		if err == nil {
			t, ok := o["type"].(string)
			switch {
			case !ok:
				err = &ValidationError{Property: "type", Message: "required by every observable, as a string"}
			case !isTypeName(t):
				err = &ValidationError{Property: "type", Message: quote(t) + " is not a valid type name: " + typeNameProblem(t)}
			}
		}
		if err != nil {
			return err.under(k)
		}
		return nil
	})
}

var opinionSpec = sdo("opinion", nil,
	prop{"explanation", false, checkString},
	authors,
	prop{"opinion", true, enum(opinionValues...)},
	objectRefs)

var reportSpec = sdo("report", nil,
	nameRequired, description,
	prop{"report_types", false, checkStringList},
	prop{"published", true, checkTimestamp},
	objectRefs)

var threatActorSpec = sdo("threat-actor", seenInOrder,
	nameRequired, description,
	prop{"threat_actor_types", false, checkStringList},
	aliases, firstSeen, lastSeen,
	prop{"roles", false, checkStringList},
	goals,
	prop{"sophistication", false, checkString},
	resourceLevel, primaryMotive, secondMotives,
	prop{"personal_motivations", false, checkStringList})

var toolSpec = sdo("tool", nil,
	nameRequired, description,
	prop{"tool_types", false, checkStringList},
	aliases, killChain,
	prop{"tool_version", false, checkString})

var vulnerabilitySpec = sdo("vulnerability", nil,
	nameRequired, description)
