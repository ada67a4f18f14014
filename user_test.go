package vigie_test

import (
	"testing"

	"github.com/vigie-cti/vigie"
)

// TestUserValidate: a person's account needs a plain e-mail address and a
// person's role; role peer belongs to another hub's key.
func TestUserValidate(t *testing.T) {
	for _, tc := range []struct {
		email string
		role  vigie.Role
		ok    bool
	}{
		{"analyst@helios.example", vigie.RoleReader, true},
		{" Analyst@Helios.Example ", vigie.RoleAdmin, true},
		{"analyst@helios.example", vigie.RoleOperator, true},
		{"analyst@helios.example", vigie.RolePeer, false},
		{"analyst@helios.example", "root", false},
		{"Analyst <analyst@helios.example>", vigie.RoleReader, false},
		{"not an address", vigie.RoleReader, false},
		{"", vigie.RoleReader, false},
	} {
		u := &vigie.User{Email: tc.email, Role: tc.role}
		err := u.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("%q as %s: error %v, want ok %v", tc.email, tc.role, err, tc.ok)
		}
		if err != nil && vigie.ErrorCode(err) != vigie.EINVALID {
			t.Errorf("%q as %s: code %s, want EINVALID", tc.email, tc.role, vigie.ErrorCode(err))
		}
	}
}
