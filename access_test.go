package vigie_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
)

// The organisation every principal of the matrix acts for (when not
// anonymous), the community it belongs to, and others it does not.
const (
	orgA      = "org-a"
	orgB      = "org-b" // another member: the publisher of the objects
	orgC      = "org-c"
	community = "comm-1" // orgA is a member
	otherComm = "comm-x" // orgA is not
)

var (
	public     = vigie.Grant{Kind: vigie.GrantPublic}
	ourComm    = vigie.Grant{Kind: vigie.GrantCommunity, ID: community}
	theirComm  = vigie.Grant{Kind: vigie.GrantCommunity, ID: otherComm}
	ourOrg     = vigie.Grant{Kind: vigie.GrantOrg, ID: orgA}
	anotherOrg = vigie.Grant{Kind: vigie.GrantOrg, ID: orgB}
)

// collections are the grant combinations of the matrix, by name.
var collections = []struct {
	name        string
	read, write []vigie.Grant
}{
	{"public", []vigie.Grant{public}, nil},
	{"public, our community", []vigie.Grant{public, ourComm}, nil},
	{"our community", []vigie.Grant{ourComm}, []vigie.Grant{ourComm}},
	{"our org", []vigie.Grant{ourOrg}, []vigie.Grant{ourOrg}},
	{"their community", []vigie.Grant{theirComm}, []vigie.Grant{theirComm}},
	{"another org", []vigie.Grant{anotherOrg}, []vigie.Grant{anotherOrg}},
	{"public, we write", []vigie.Grant{public}, []vigie.Grant{ourOrg}},
	{"write only", nil, []vigie.Grant{ourComm}},
	{"no grant", nil, nil},
}

// objects are the markings of the matrix: published by orgB unless the
// name says otherwise; the hub's default level is GREEN.
var objects = []struct {
	name string
	s    vigie.Sharing
}{
	{"unmarked", vigie.Sharing{Publisher: orgB}},
	{"CLEAR", vigie.Sharing{Publisher: orgB, TLP: vigie.TLPClear}},
	{"GREEN", vigie.Sharing{Publisher: orgB, TLP: vigie.TLPGreen}},
	{"AMBER", vigie.Sharing{Publisher: orgB, TLP: vigie.TLPAmber}},
	{"AMBER+STRICT", vigie.Sharing{Publisher: orgB, TLP: vigie.TLPAmberStrict}},
	{"RED", vigie.Sharing{Publisher: orgB, TLP: vigie.TLPRed, Recipients: []string{orgC}}},
	{"RED to us", vigie.Sharing{Publisher: orgB, TLP: vigie.TLPRed, Recipients: []string{orgC, orgA}}},
	{"our RED", vigie.Sharing{Publisher: orgA, TLP: vigie.TLPRed}},
}

// orgAs returns orgA's principal acting with role.
func orgAs(role vigie.Role) vigie.Principal {
	return vigie.Principal{OrgID: orgA, KeyID: "key-1", Role: role, Communities: []string{community}}
}

// principals is the matrix written out: for every principal (anonymous,
// then orgA with each role) what CollectionAccess grants on each
// collection, and which objects of the collection it may read (Access.Read
// and CanRead). A new role is one more row.
var principals = []struct {
	name   string
	p      vigie.Principal
	access map[string]string // collection → "read", "member", "write" granted, or "none"
	reads  map[string]string // collection → the objects it may read
}{
	{
		name: "anonymous",
		p:    vigie.Principal{},
		access: map[string]string{
			"public":                "read",
			"public, our community": "read",
			"our community":         "none",
			"our org":               "none",
			"their community":       "none",
			"another org":           "none",
			"public, we write":      "read",
			"write only":            "none",
			"no grant":              "none",
		},
		reads: map[string]string{
			"public":                "CLEAR",
			"public, our community": "CLEAR",
			"our community":         "",
			"our org":               "",
			"their community":       "",
			"another org":           "",
			"public, we write":      "CLEAR",
			"write only":            "",
			"no grant":              "",
		},
	},
	{
		name: "reader",
		p:    orgAs(vigie.RoleReader),
		access: map[string]string{
			"public":                "read",
			"public, our community": "read member",
			"our community":         "read member",
			"our org":               "read member",
			"their community":       "none",
			"another org":           "none",
			"public, we write":      "read",
			"write only":            "none",
			"no grant":              "none",
		},
		reads: map[string]string{
			"public":                "CLEAR, RED to us, our RED",
			"public, our community": "unmarked, CLEAR, GREEN, AMBER, AMBER+STRICT, RED to us, our RED",
			"our community":         "unmarked, CLEAR, GREEN, AMBER, AMBER+STRICT, RED to us, our RED",
			"our org":               "unmarked, CLEAR, GREEN, AMBER, AMBER+STRICT, RED to us, our RED",
			"their community":       "",
			"another org":           "",
			"public, we write":      "CLEAR, RED to us, our RED",
			"write only":            "",
			"no grant":              "",
		},
	},
	{
		name: "publisher",
		p:    orgAs(vigie.RolePublisher),
		access: map[string]string{
			"public":                "read",
			"public, our community": "read member",
			"our community":         "read member write",
			"our org":               "read member write",
			"their community":       "none",
			"another org":           "none",
			"public, we write":      "read write",
			"write only":            "write",
			"no grant":              "none",
		},
		reads: map[string]string{
			"public":                "CLEAR, RED to us, our RED",
			"public, our community": "unmarked, CLEAR, GREEN, AMBER, AMBER+STRICT, RED to us, our RED",
			"our community":         "unmarked, CLEAR, GREEN, AMBER, AMBER+STRICT, RED to us, our RED",
			"our org":               "unmarked, CLEAR, GREEN, AMBER, AMBER+STRICT, RED to us, our RED",
			"their community":       "",
			"another org":           "",
			"public, we write":      "CLEAR, RED to us, our RED",
			"write only":            "",
			"no grant":              "",
		},
	},
	{
		name: "admin",
		p:    orgAs(vigie.RoleAdmin),
		access: map[string]string{
			"public":                "read",
			"public, our community": "read member",
			"our community":         "read member write",
			"our org":               "read member write",
			"their community":       "none",
			"another org":           "none",
			"public, we write":      "read write",
			"write only":            "write",
			"no grant":              "none",
		},
		reads: map[string]string{ // an admin never reads more
			"public":                "CLEAR, RED to us, our RED",
			"public, our community": "unmarked, CLEAR, GREEN, AMBER, AMBER+STRICT, RED to us, our RED",
			"our community":         "unmarked, CLEAR, GREEN, AMBER, AMBER+STRICT, RED to us, our RED",
			"our org":               "unmarked, CLEAR, GREEN, AMBER, AMBER+STRICT, RED to us, our RED",
			"their community":       "",
			"another org":           "",
			"public, we write":      "CLEAR, RED to us, our RED",
			"write only":            "",
			"no grant":              "",
		},
	},
	{
		name: "unknown role", // a key whose role this build does not know
		p:    orgAs("root"),
		access: map[string]string{
			"public":                "read",
			"public, our community": "read member",
			"our community":         "read member",
			"our org":               "read member",
			"their community":       "none",
			"another org":           "none",
			"public, we write":      "read",
			"write only":            "none",
			"no grant":              "none",
		},
		reads: map[string]string{
			"public":                "CLEAR, RED to us, our RED",
			"public, our community": "unmarked, CLEAR, GREEN, AMBER, AMBER+STRICT, RED to us, our RED",
			"our community":         "unmarked, CLEAR, GREEN, AMBER, AMBER+STRICT, RED to us, our RED",
			"our org":               "unmarked, CLEAR, GREEN, AMBER, AMBER+STRICT, RED to us, our RED",
			"their community":       "",
			"another org":           "",
			"public, we write":      "CLEAR, RED to us, our RED",
			"write only":            "",
			"no grant":              "",
		},
	},
}

// accessString writes a as the matrix does.
func accessString(a vigie.Access) string {
	var w []string
	if a.Read {
		w = append(w, "read")
	}
	if a.Member {
		w = append(w, "member")
	}
	if a.Write {
		w = append(w, "write")
	}
	if len(w) == 0 {
		return "none"
	}
	return strings.Join(w, " ")
}

func TestCollectionAccess(t *testing.T) {
	for _, tt := range principals {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			for _, c := range collections {
				col := &vigie.Collection{ID: "col", Root: "root", Read: c.read, Write: c.write}
				got[c.name] = accessString(vigie.CollectionAccess(tt.p, col))
			}
			if diff := cmp.Diff(tt.access, got); diff != "" {
				t.Errorf("CollectionAccess (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCanReadMatrix(t *testing.T) {
	for _, tt := range principals {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			for _, c := range collections {
				col := &vigie.Collection{ID: "col", Root: "root", Read: c.read, Write: c.write}
				a := vigie.CollectionAccess(tt.p, col)
				scope := tt.p.Scope(a, vigie.TLPGreen)
				var readable []string
				for _, o := range objects {
					if a.Read && vigie.CanRead(scope, o.s) {
						readable = append(readable, o.name)
					}
				}
				got[c.name] = strings.Join(readable, ", ")
			}
			if diff := cmp.Diff(tt.reads, got); diff != "" {
				t.Errorf("readable objects (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPrincipalScope(t *testing.T) {
	p := orgAs(vigie.RoleReader)
	got := p.Scope(vigie.Access{Read: true, Member: true}, vigie.TLPAmber)
	want := vigie.ReadScope{OrgID: orgA, Member: true, DefaultTLP: vigie.TLPAmber}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Scope (-want +got):\n%s", diff)
	}
	if got := (vigie.Principal{}).Scope(vigie.Access{Read: true}, vigie.TLPGreen); got.OrgID != "" || got.Member {
		t.Errorf("anonymous Scope = %+v, want no organisation and no membership", got)
	}
}

// TestCanReadUnmarked holds the rule for unmarked objects under every
// configured default: each reader kind either reads them or not.
func TestCanReadUnmarked(t *testing.T) {
	readers := []struct {
		name  string
		scope func(def vigie.TLP) vigie.ReadScope
	}{
		{"anonymous", func(def vigie.TLP) vigie.ReadScope { return vigie.ReadScope{DefaultTLP: def} }},
		{"outsider", func(def vigie.TLP) vigie.ReadScope { return vigie.ReadScope{OrgID: orgA, DefaultTLP: def} }},
		{"member", func(def vigie.TLP) vigie.ReadScope {
			return vigie.ReadScope{OrgID: orgA, Member: true, DefaultTLP: def}
		}},
		{"recipient", func(def vigie.TLP) vigie.ReadScope {
			return vigie.ReadScope{OrgID: orgC, Member: true, DefaultTLP: def}
		}},
		{"publisher", func(def vigie.TLP) vigie.ReadScope { return vigie.ReadScope{OrgID: orgB, DefaultTLP: def} }},
	}
	tests := []struct {
		def  vigie.TLP
		want string // the readers that read an unmarked object
	}{
		{vigie.TLPNone, "publisher"},
		{vigie.TLPClear, "anonymous, outsider, member, recipient, publisher"},
		{vigie.TLPGreen, "member, recipient, publisher"},
		{vigie.TLPAmber, "member, recipient, publisher"},
		{vigie.TLPAmberStrict, "member, recipient, publisher"},
		{vigie.TLPRed, "recipient, publisher"},
	}
	unmarked := vigie.Sharing{Publisher: orgB, Recipients: []string{orgC}}
	for _, tt := range tests {
		t.Run(tt.def.String(), func(t *testing.T) {
			var got []string
			for _, r := range readers {
				if vigie.CanRead(r.scope(tt.def), unmarked) {
					got = append(got, r.name)
				}
			}
			if diff := cmp.Diff(tt.want, strings.Join(got, ", ")); diff != "" {
				t.Errorf("readers of an unmarked object (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCanReadNoOrganisation holds that an anonymous reader is never taken
// for the publisher or a recipient of an object that names no organisation.
func TestCanReadNoOrganisation(t *testing.T) {
	anon := vigie.ReadScope{DefaultTLP: vigie.TLPGreen}
	for _, s := range []vigie.Sharing{
		{TLP: vigie.TLPRed},
		{TLP: vigie.TLPRed, Recipients: []string{""}},
		{TLP: vigie.TLPGreen},
	} {
		if vigie.CanRead(anon, s) {
			t.Errorf("CanRead(anonymous, %+v) = true, want false", s)
		}
	}
}

func TestMayLeave(t *testing.T) {
	tests := []struct {
		tlp                          vigie.TLP
		toSameCommunity, toOtherPeer bool
	}{
		{vigie.TLPNone, false, false}, // callers make the level effective first
		{vigie.TLPClear, true, true},
		{vigie.TLPGreen, true, false},
		{vigie.TLPAmber, false, false},
		{vigie.TLPAmberStrict, false, false},
		{vigie.TLPRed, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.tlp.String(), func(t *testing.T) {
			if got := vigie.MayLeave(tt.tlp, true); got != tt.toSameCommunity {
				t.Errorf("MayLeave(%v, same community) = %v, want %v", tt.tlp, got, tt.toSameCommunity)
			}
			if got := vigie.MayLeave(tt.tlp, false); got != tt.toOtherPeer {
				t.Errorf("MayLeave(%v, other peer) = %v, want %v", tt.tlp, got, tt.toOtherPeer)
			}
		})
	}
}

// TestCanReadEgress holds a peer hub's reads to the policy table: only
// CLEAR, and GREEN to a peer granted as a member, leave the hub, whoever
// published the object and whoever it names as recipients.
func TestCanReadEgress(t *testing.T) {
	levels := []vigie.TLP{vigie.TLPNone, vigie.TLPClear, vigie.TLPGreen, vigie.TLPAmber, vigie.TLPAmberStrict, vigie.TLPRed}
	for _, def := range []vigie.TLP{vigie.TLPClear, vigie.TLPGreen, vigie.TLPAmber, vigie.TLPRed} {
		for _, member := range []bool{false, true} {
			for _, l := range levels {
				for _, own := range []bool{false, true} {
					r := vigie.ReadScope{OrgID: "identity--peer", Member: member, DefaultTLP: def, Egress: true}
					s := vigie.Sharing{Publisher: "identity--other", TLP: l, Recipients: []string{"identity--peer"}}
					if own {
						s.Publisher = "identity--peer"
					}
					eff := l.Effective(def)
					want := eff == vigie.TLPClear || (eff == vigie.TLPGreen && member)
					if got := vigie.CanRead(r, s); got != want {
						t.Errorf("peer (member %v, default %s) reading %s (own %v): %v, want %v", member, def, l, own, got, want)
					}
				}
			}
		}
	}
}

func TestPeerRoleOutsideLadder(t *testing.T) {
	for _, want := range []vigie.Role{vigie.RoleReader, vigie.RolePublisher, vigie.RoleAdmin, vigie.RoleOperator} {
		if vigie.RolePeer.Allows(want) {
			t.Errorf("peer allows %s", want)
		}
		if want.Allows(vigie.RolePeer) {
			t.Errorf("%s allows peer", want)
		}
	}
	if !vigie.RolePeer.Allows(vigie.RolePeer) {
		t.Error("peer does not allow peer")
	}
	if r, err := vigie.ParseRole("peer"); err != nil || r != vigie.RolePeer {
		t.Errorf("ParseRole(peer) = %q, %v", r, err)
	}
	if got := vigie.Secret("vigie_abc_s3cret"); fmt.Sprint(got) != "[redacted]" || fmt.Sprintf("%v %s %#v", got, got, got) != "[redacted] [redacted] [redacted]" {
		t.Errorf("a Secret prints as %v", got)
	}
}
