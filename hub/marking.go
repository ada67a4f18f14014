package hub

import (
	"regexp"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/stix"
)

// unknownMarking returns the first of refs that is neither a TLP marking
// definition, nor defined in the envelope, nor known to the hub (owned),
// or "".
func unknownMarking(refs []string, defined map[string]bool, owners map[string]vigie.Ownership) string {
	for _, r := range refs {
		if vigie.MarkingTLP(r) != vigie.TLPNone || defined[r] {
			continue
		}
		if _, ok := owners[r]; !ok {
			return r
		}
	}
	return ""
}

// tlpClaim finds a TLP level named in free text: "TLP:RED", "tlp amber".
var tlpClaim = regexp.MustCompile(`(?i)\bTLP\s*[:\-]?\s*(CLEAR|WHITE|GREEN|AMBER|RED)\b`)

// tlpIDs lists the standard TLP 2.0 marking definitions, for messages.
const tlpIDs = "TLP:CLEAR " + vigie.MarkingClear + ", TLP:GREEN " + vigie.MarkingGreen + ", TLP:AMBER " + vigie.MarkingAmber +
	", TLP:AMBER+STRICT " + vigie.MarkingAmberStrict + ", TLP:RED " + vigie.MarkingRed

// checkStatement refuses a statement marking definition whose text claims a
// TLP level: the hub enforces TLP only through the TLP marking
// definitions, so such a marking would promise a protection that readers
// do not get.
func checkStatement(so *stix.Object) error {
	if so.Type != "marking-definition" || so.Props["definition_type"] != "statement" {
		return nil
	}
	def, _ := so.Props["definition"].(map[string]any)
	text, _ := def["statement"].(string)
	if m := tlpClaim.FindString(text); m != "" {
		return vigie.Errorf(vigie.EINVALID, "property \"definition.statement\": %q claims a TLP level, which only the TLP marking definitions carry; mark objects with the standard TLP 2.0 definitions instead: %s", m, tlpIDs)
	}
	return nil
}
