package vigie_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
)

// roles lists every role with the roles it may act as. A new role is one
// more row: the test asks each role about every other one of the table.
var roles = []struct {
	role   vigie.Role
	allows string // the roles of this table it may act as, in table order
}{
	{vigie.RoleReader, "reader"},
	{vigie.RolePublisher, "reader publisher"},
	{vigie.RoleAdmin, "reader publisher admin"},
}

func TestRoleAllows(t *testing.T) {
	for _, tt := range roles {
		t.Run(string(tt.role), func(t *testing.T) {
			var got []string
			for _, want := range roles {
				if tt.role.Allows(want.role) {
					got = append(got, string(want.role))
				}
			}
			if diff := cmp.Diff(tt.allows, strings.Join(got, " ")); diff != "" {
				t.Errorf("roles allowed (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRoleAllowsUnknown holds that a role this build does not know allows
// nothing and is allowed by nothing, not even by itself.
func TestRoleAllowsUnknown(t *testing.T) {
	for _, unknown := range []vigie.Role{"", "root", "Admin", "admin "} {
		for _, r := range roles {
			if unknown.Allows(r.role) {
				t.Errorf("Role(%q).Allows(%q) = true", unknown, r.role)
			}
			if r.role.Allows(unknown) {
				t.Errorf("Role(%q).Allows(%q) = true", r.role, unknown)
			}
		}
		if unknown.Allows(unknown) {
			t.Errorf("Role(%q).Allows(itself) = true", unknown)
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, tt := range roles {
		got, err := vigie.ParseRole(string(tt.role))
		if err != nil || got != tt.role {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", tt.role, got, err, tt.role)
		}
	}
}

func TestParseRoleMalformed(t *testing.T) {
	for _, in := range []string{"", "root", "Reader", "ADMIN", " admin", "publisher ", "read", "reader,publisher"} {
		got, err := vigie.ParseRole(in)
		if err == nil || got != "" {
			t.Errorf("ParseRole(%q) = %q, %v; want an error", in, got, err)
			continue
		}
		if code := vigie.ErrorCode(err); code != vigie.EINVALID {
			t.Errorf("ParseRole(%q) error code = %q, want %q", in, code, vigie.EINVALID)
		}
	}
}

func TestSplitToken(t *testing.T) {
	tests := []struct {
		token      string
		id, secret string
		ok         bool
	}{
		{"vigie_abc_def", "abc", "def", true},
		{"vigie_abc_de_f", "abc", "de_f", true}, // a base64url secret may hold '_'
		{"vigie_abc_-_", "abc", "-_", true},
		{"", "", "", false},
		{"vigie_", "", "", false},
		{"vigie_abc", "", "", false},
		{"vigie_abc_", "", "", false},
		{"vigie__def", "", "", false},
		{"vigie__", "", "", false},
		{"abc_def", "", "", false},
		{"VIGIE_abc_def", "", "", false},
		{"Bearer vigie_abc_def", "", "", false},
		{"xvigie_abc_def", "", "", false},
	}
	for _, tt := range tests {
		id, secret, ok := vigie.SplitToken(tt.token)
		if ok != tt.ok || (ok && (id != tt.id || secret != tt.secret)) {
			t.Errorf("SplitToken(%q) = %q, %q, %v; want %q, %q, %v", tt.token, id, secret, ok, tt.id, tt.secret, tt.ok)
		}
	}
}

func TestNewKeyToken(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	k, token := vigie.NewKey(orgA, vigie.RolePublisher, "sensor", time.Time{}, now)
	id, secret, ok := vigie.SplitToken(token)
	if !ok || id != k.ID {
		t.Fatalf("SplitToken(NewKey token) = %q, _, %v; want the key id %q", id, ok, k.ID)
	}
	if !k.Matches(secret) {
		t.Error("the key does not match the secret of its own token")
	}
	if k.Matches(secret+"x") || k.Matches("") || k.Matches(token) {
		t.Error("the key matches a secret that is not its own")
	}
	if strings.Contains(k.Name+k.ID+k.OrgID, secret) {
		t.Error("the secret is kept in a stored field")
	}
	k2, token2 := vigie.NewKey(orgA, vigie.RolePublisher, "sensor", time.Time{}, now)
	if k2.ID == k.ID || token2 == token {
		t.Error("two keys share an id or a token")
	}
}

func TestKeyActive(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name             string
		expires, revoked time.Time
		want             bool
	}{
		{"no expiry", time.Time{}, time.Time{}, true},
		{"expires later", now.Add(time.Second), time.Time{}, true},
		{"expires now", now, time.Time{}, false},
		{"expired", now.Add(-time.Second), time.Time{}, false},
		{"revoked", time.Time{}, now.Add(-time.Hour), false},
		{"revoked, not expired", now.Add(time.Hour), now.Add(-time.Hour), false},
	}
	for _, tt := range tests {
		k := vigie.Key{ID: "k", OrgID: orgA, Role: vigie.RoleReader, Expires: tt.expires, Revoked: tt.revoked}
		if got := k.Active(now); got != tt.want {
			t.Errorf("%s: Active = %v, want %v", tt.name, got, tt.want)
		}
	}
}
