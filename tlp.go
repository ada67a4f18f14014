package vigie

import "strings"

// TLP is a Traffic Light Protocol level, ordered from the least to the most
// restrictive so that levels compare with < and >.
type TLP int

// The TLP 2.0 levels. TLP 1.0 WHITE is CLEAR; TLP 1.0 has no AMBER+STRICT.
const (
	TLPNone        TLP = iota // no TLP marking: the hub's default applies
	TLPClear                  // anyone who may read the collection
	TLPGreen                  // the communities of the collection
	TLPAmber                  // as GREEN on this hub; never leaves it
	TLPAmberStrict            // as AMBER
	TLPRed                    // the publisher and its named recipients only
)

var tlpNames = [...]string{"NONE", "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"}

// String returns the TLP 2.0 name, such as "AMBER+STRICT".
func (t TLP) String() string {
	if t < 0 || int(t) >= len(tlpNames) {
		return "INVALID"
	}
	return tlpNames[t]
}

// ParseTLP reads a level name: CLEAR, WHITE, GREEN, AMBER, AMBER+STRICT or
// RED, with or without a "TLP:" prefix, in any case.
func ParseTLP(s string) (TLP, error) {
	u := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "TLP:")
	switch u {
	case "CLEAR", "WHITE":
		return TLPClear, nil
	case "GREEN":
		return TLPGreen, nil
	case "AMBER":
		return TLPAmber, nil
	case "AMBER+STRICT":
		return TLPAmberStrict, nil
	case "RED":
		return TLPRed, nil
	}
	return TLPNone, Errorf(EINVALID, "TLP %q: want CLEAR, GREEN, AMBER, AMBER+STRICT or RED", s)
}

// The STIX marking-definition ids of the TLP levels, TLP 2.0 then TLP 1.0.
const (
	MarkingClear       = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	MarkingGreen       = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	MarkingAmber       = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	MarkingAmberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	MarkingRed         = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
	MarkingWhiteTLP1   = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
	MarkingGreenTLP1   = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
	MarkingAmberTLP1   = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
	MarkingRedTLP1     = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
	TLP2ExtensionID    = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
	RecipientsProperty = "x_vigie_recipient_refs"
)

// MarkingTLP returns the TLP level of one marking-definition id, or
// TLPNone for a marking that is not a TLP level.
func MarkingTLP(ref string) TLP {
	switch ref {
	case MarkingClear, MarkingWhiteTLP1:
		return TLPClear
	case MarkingGreen, MarkingGreenTLP1:
		return TLPGreen
	case MarkingAmber, MarkingAmberTLP1:
		return TLPAmber
	case MarkingAmberStrict:
		return TLPAmberStrict
	case MarkingRed, MarkingRedTLP1:
		return TLPRed
	}
	return TLPNone
}

// MarkingRef returns the TLP 2.0 marking-definition id of level t, or ""
// for TLPNone.
func MarkingRef(t TLP) string {
	switch t {
	case TLPClear:
		return MarkingClear
	case TLPGreen:
		return MarkingGreen
	case TLPAmber:
		return MarkingAmber
	case TLPAmberStrict:
		return MarkingAmberStrict
	case TLPRed:
		return MarkingRed
	}
	return ""
}

// HighestTLP returns the most restrictive TLP level among marking refs
// (object-level and granular alike: any part marked RED makes the object
// RED for sharing), or TLPNone when none is a TLP marking.
func HighestTLP(refs ...[]string) TLP {
	t := TLPNone
	for _, list := range refs {
		for _, r := range list {
			if l := MarkingTLP(r); l > t {
				t = l
			}
		}
	}
	return t
}

// Effective returns t, or def when t is TLPNone (an unmarked object takes
// the hub's configured default level).
func (t TLP) Effective(def TLP) TLP {
	if t == TLPNone {
		return def
	}
	return t
}
