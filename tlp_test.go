package vigie_test

import (
	"testing"

	"github.com/vigie-cti/vigie"
)

func TestParseTLP(t *testing.T) {
	tests := []struct {
		in   string
		want vigie.TLP
	}{
		{"CLEAR", vigie.TLPClear},
		{"WHITE", vigie.TLPClear},
		{"GREEN", vigie.TLPGreen},
		{"AMBER", vigie.TLPAmber},
		{"AMBER+STRICT", vigie.TLPAmberStrict},
		{"RED", vigie.TLPRed},
		{"TLP:RED", vigie.TLPRed},
		{"tlp:amber+strict", vigie.TLPAmberStrict},
		{"  green ", vigie.TLPGreen},
		{"White", vigie.TLPClear},
	}
	for _, tt := range tests {
		got, err := vigie.ParseTLP(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseTLP(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseTLPMalformed(t *testing.T) {
	for _, in := range []string{
		"", "TLP:", "NONE", "INVALID", "AMBER STRICT", "AMBER+", "TLP:TLP:RED",
		"REDD", "TLP RED", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
	} {
		got, err := vigie.ParseTLP(in)
		if err == nil || got != vigie.TLPNone {
			t.Errorf("ParseTLP(%q) = %v, %v; want an error", in, got, err)
			continue
		}
		if code := vigie.ErrorCode(err); code != vigie.EINVALID {
			t.Errorf("ParseTLP(%q) error code = %q, want %q", in, code, vigie.EINVALID)
		}
	}
}

func TestTLPString(t *testing.T) {
	tests := []struct {
		t    vigie.TLP
		want string
	}{
		{vigie.TLPNone, "NONE"},
		{vigie.TLPClear, "CLEAR"},
		{vigie.TLPGreen, "GREEN"},
		{vigie.TLPAmber, "AMBER"},
		{vigie.TLPAmberStrict, "AMBER+STRICT"},
		{vigie.TLPRed, "RED"},
		{vigie.TLP(-1), "INVALID"},
		{vigie.TLP(6), "INVALID"},
	}
	for _, tt := range tests {
		if got := tt.t.String(); got != tt.want {
			t.Errorf("TLP(%d).String() = %q, want %q", int(tt.t), got, tt.want)
		}
	}
}

// TestTLPOrder holds the order that HighestTLP and the stores rely on.
func TestTLPOrder(t *testing.T) {
	order := []vigie.TLP{vigie.TLPNone, vigie.TLPClear, vigie.TLPGreen, vigie.TLPAmber, vigie.TLPAmberStrict, vigie.TLPRed}
	for i := 1; i < len(order); i++ {
		if !(order[i-1] < order[i]) {
			t.Errorf("%v is not less restrictive than %v", order[i-1], order[i])
		}
	}
}

func TestMarkingTLP(t *testing.T) {
	tests := []struct {
		ref  string
		want vigie.TLP
	}{
		// TLP 2.0
		{"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", vigie.TLPClear},
		{"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", vigie.TLPGreen},
		{"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", vigie.TLPAmber},
		{"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", vigie.TLPAmberStrict},
		{"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", vigie.TLPRed},
		// TLP 1.0
		{"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", vigie.TLPClear},
		{"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", vigie.TLPGreen},
		{"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", vigie.TLPAmber},
		{"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", vigie.TLPRed},
		// not TLP levels
		{"", vigie.TLPNone},
		{"marking-definition--089a6ecb-cc15-43cc-9494-767639779123", vigie.TLPNone}, // a statement
		{"MARKING-DEFINITION--E828B379-4E03-4974-9AC4-E53A884C97C1", vigie.TLPNone}, // ids are case-sensitive
		{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d", vigie.TLPNone},
		{"TLP:RED", vigie.TLPNone},
	}
	for _, tt := range tests {
		if got := vigie.MarkingTLP(tt.ref); got != tt.want {
			t.Errorf("MarkingTLP(%q) = %v, want %v", tt.ref, got, tt.want)
		}
	}
}

func TestMarkingRef(t *testing.T) {
	tests := []struct {
		t    vigie.TLP
		want string
	}{
		{vigie.TLPNone, ""},
		{vigie.TLPClear, "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"},
		{vigie.TLPGreen, "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"},
		{vigie.TLPAmber, "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"},
		{vigie.TLPAmberStrict, "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"},
		{vigie.TLPRed, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"},
		{vigie.TLP(9), ""},
	}
	for _, tt := range tests {
		got := vigie.MarkingRef(tt.t)
		if got != tt.want {
			t.Errorf("MarkingRef(%v) = %q, want %q", tt.t, got, tt.want)
		}
		if got != "" && vigie.MarkingTLP(got) != tt.t {
			t.Errorf("MarkingTLP(MarkingRef(%v)) = %v", tt.t, vigie.MarkingTLP(got))
		}
	}
}

// TestHighestTLP holds that an object takes the most restrictive of its
// TLP markings, object-level and granular, TLP 1.0 and 2.0 alike.
func TestHighestTLP(t *testing.T) {
	const statement = "marking-definition--089a6ecb-cc15-43cc-9494-767639779123"
	tests := []struct {
		name             string
		object, granular []string
		want             vigie.TLP
	}{
		{"unmarked", nil, nil, vigie.TLPNone},
		{"only a statement", []string{statement}, nil, vigie.TLPNone},
		{"one TLP 2.0 marking", []string{vigie.MarkingAmber}, nil, vigie.TLPAmber},
		{"one TLP 1.0 marking", []string{vigie.MarkingGreenTLP1}, nil, vigie.TLPGreen},
		{"TLP 1.0 WHITE", []string{vigie.MarkingWhiteTLP1}, nil, vigie.TLPClear},
		{"statement and TLP", []string{statement, vigie.MarkingGreen}, nil, vigie.TLPGreen},
		{"most restrictive of two", []string{vigie.MarkingRed, vigie.MarkingClear}, nil, vigie.TLPRed},
		{"order does not matter", []string{vigie.MarkingClear, vigie.MarkingAmberStrict, vigie.MarkingGreen}, nil, vigie.TLPAmberStrict},
		{"TLP 1.0 and 2.0 mixed", []string{vigie.MarkingAmberTLP1, vigie.MarkingAmberStrict}, nil, vigie.TLPAmberStrict},
		{"TLP 1.0 RED over 2.0 AMBER", []string{vigie.MarkingAmber, vigie.MarkingRedTLP1}, nil, vigie.TLPRed},
		{"granular only", nil, []string{vigie.MarkingAmber}, vigie.TLPAmber},
		{"granular RED makes the object RED", []string{vigie.MarkingClear}, []string{vigie.MarkingRed}, vigie.TLPRed},
		{"granular less restrictive", []string{vigie.MarkingAmber}, []string{vigie.MarkingClear, vigie.MarkingGreenTLP1}, vigie.TLPAmber},
		{"granular statement only", []string{vigie.MarkingGreen}, []string{statement}, vigie.TLPGreen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := vigie.HighestTLP(tt.object, tt.granular); got != tt.want {
				t.Errorf("HighestTLP(%v, %v) = %v, want %v", tt.object, tt.granular, got, tt.want)
			}
		})
	}
	if got := vigie.HighestTLP(); got != vigie.TLPNone {
		t.Errorf("HighestTLP() = %v, want NONE", got)
	}
}

func TestTLPEffective(t *testing.T) {
	tests := []struct {
		t, def, want vigie.TLP
	}{
		{vigie.TLPNone, vigie.TLPGreen, vigie.TLPGreen},
		{vigie.TLPNone, vigie.TLPRed, vigie.TLPRed},
		{vigie.TLPNone, vigie.TLPNone, vigie.TLPNone},
		{vigie.TLPClear, vigie.TLPRed, vigie.TLPClear}, // a marking is never raised to the default
		{vigie.TLPRed, vigie.TLPClear, vigie.TLPRed},
	}
	for _, tt := range tests {
		if got := tt.t.Effective(tt.def); got != tt.want {
			t.Errorf("%v.Effective(%v) = %v, want %v", tt.t, tt.def, got, tt.want)
		}
	}
}
