package stix

// The STIX Relationship Objects (STIX 2.1 section 5).

// relationshipSpec: source_ref and target_ref name SDOs or SCOs (custom
// types included), never SROs, meta objects or bundles.
var relationshipSpec = sro("relationship", relationshipRules,
	prop{"relationship_type", true, pattern(isRelationshipType, "a relationship type: a-z, 0-9 and \"-\", like \"indicates\"")},
	description,
	prop{"source_ref", true, checkRef(sdoOrSCORef)},
	prop{"target_ref", true, checkRef(sdoOrSCORef)},
	prop{"start_time", false, checkTimestamp},
	prop{"stop_time", false, checkTimestamp})

func relationshipRules(_ *ctx, m map[string]any) *ValidationError {
	return notBefore(m, "start_time", "stop_time", true)
}

func isRelationshipType(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// sightingSpec: sighting_of_ref names an SDO; where_sighted_refs names
// identities or locations; observed_data_refs names observed-data.
var sightingSpec = sro("sighting", seenInOrder,
	description,
	prop{"first_seen", false, checkTimestamp},
	prop{"last_seen", false, checkTimestamp},
	prop{"count", false, integer(0, 999_999_999)},
	prop{"sighting_of_ref", true, checkRef(sdoRef)},
	prop{"observed_data_refs", false, checkRefList(refTo("observed-data"))},
	prop{"where_sighted_refs", false, checkRefList(refTo("identity", "location"))},
	prop{"summary", false, checkBool})
