package hub_test

import (
	"testing"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// TestSignInOIDCMapsVerifiedEmail: the provider's e-mail names an
// existing, enabled user, and nothing else does: not a user id, not an
// unverified e-mail; a user of no organisation is never made.
func TestSignInOIDCMapsVerifiedEmail(t *testing.T) {
	f := newFixture(t)
	u, _ := f.user(t, "A", "ana@a.example", vigie.RolePublisher)
	users, err := f.hub.Users(ctx, hub.Console(), "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.hub.SignInOIDC(ctx, hub.OIDCIdentity{Provider: "P", Email: " Ana@A.example ", EmailVerified: true}, "", "192.0.2.7")
	if err != nil || s.User.ID != u.ID || s.User.OrgID != f.orgs["A"].ID || s.User.Role != vigie.RolePublisher {
		t.Fatalf("SignInOIDC(ana) = %+v, %v", s, err)
	}
	for _, id := range []hub.OIDCIdentity{
		{Provider: "P", Email: u.ID, EmailVerified: true}, // a user id is not an e-mail
		{Provider: "P", Email: "ana@a.example"},           // not verified
		{Provider: "P", Email: "new@a.example", EmailVerified: true},
		{Provider: "P", Email: "", EmailVerified: true},
		{Provider: "P", Failure: "bad signature"},
	} {
		if s, err := f.hub.SignInOIDC(ctx, id, "", "192.0.2.8"); vigie.ErrorCode(err) != vigie.EUNAUTHORIZED || s != nil {
			t.Errorf("SignInOIDC(%+v) = %v, %v, want EUNAUTHORIZED", id, s, err)
		}
	}
	after, _ := f.hub.Users(ctx, hub.Console(), "")
	if len(after) != len(users) {
		t.Errorf("OIDC sign-ins made users: %d, then %d", len(users), len(after))
	}
}
