package hub_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/totp"
)

const goodPassword = "correct horse battery staple"

// user adds a user of org with role and sets its password; it returns
// the user and a session.
func (f *fixture) user(t *testing.T, org, email string, role vigie.Role) (*vigie.User, *hub.Session) {
	t.Helper()
	u, link, err := f.hub.AddUser(ctx, hub.Console(), org, email, role)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.hub.SetPassword(ctx, link, goodPassword, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	return u, s
}

func TestUserLinkSetsPasswordOnce(t *testing.T) {
	f := newFixture(t)
	u, link, err := f.hub.AddUser(ctx, hub.Console(), "A", "Ana@A.example", vigie.RolePublisher)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ana@a.example" || u.OrgID != f.orgs["A"].ID {
		t.Errorf("AddUser = %+v", u)
	}
	if got, err := f.hub.LinkUser(ctx, link); err != nil || got.ID != u.ID {
		t.Errorf("LinkUser = %v, %v", got, err)
	}
	if _, err := f.hub.SetPassword(ctx, link, "short", "192.0.2.1"); vigie.ErrorCode(err) != vigie.EINVALID {
		t.Errorf("SetPassword(short) = %v, want EINVALID", err)
	}
	s, err := f.hub.SetPassword(ctx, link, goodPassword, "192.0.2.1")
	if err != nil {
		t.Fatalf("SetPassword after a refused one (the link stays usable): %v", err)
	}
	if _, err := f.hub.SetPassword(ctx, link, goodPassword+"!", "192.0.2.1"); vigie.ErrorCode(err) != vigie.EUNAUTHORIZED {
		t.Errorf("a used link set a password again: %v", err)
	}
	p, su, err := f.hub.UserSession(ctx, s.Secret, "192.0.2.9")
	if err != nil || p.OrgID != f.orgs["A"].ID || p.Role != vigie.RolePublisher || p.UserID() != u.ID || su.Password == goodPassword {
		t.Fatalf("UserSession = %+v, %+v, %v", p, su, err)
	}
	if len(p.Communities) != 1 || p.Communities[0] != f.comm.ID {
		t.Errorf("session principal communities %v, want A's community", p.Communities)
	}
	// The session ends at SessionTTL, and on sign-out.
	f.clock.add(hub.SessionTTL)
	if _, _, err := f.hub.UserSession(ctx, s.Secret, "192.0.2.9"); vigie.ErrorCode(err) != vigie.EUNAUTHORIZED {
		t.Errorf("expired session = %v, want EUNAUTHORIZED", err)
	}
	s2, err := f.hub.SignIn(ctx, "ANA@a.example", goodPassword, "", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.hub.SignOut(ctx, s2.Secret); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.hub.UserSession(ctx, s2.Secret, "192.0.2.9"); vigie.ErrorCode(err) != vigie.EUNAUTHORIZED {
		t.Errorf("session after sign-out = %v, want EUNAUTHORIZED", err)
	}
	// A link is no session, and a session no link.
	if _, _, err := f.hub.UserSession(ctx, link, ""); err == nil {
		t.Error("a sign-in link was accepted as a session")
	}
	if _, err := f.hub.SetPassword(ctx, s2.Secret, goodPassword, ""); err == nil {
		t.Error("a session was accepted as a sign-in link")
	}
}

func TestUserLinkExpires(t *testing.T) {
	f := newFixture(t)
	_, link, err := f.hub.AddUser(ctx, hub.Console(), "A", "ana@a.example", vigie.RoleReader)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.add(hub.LinkTTL)
	if _, err := f.hub.SetPassword(ctx, link, goodPassword, ""); vigie.ErrorCode(err) != vigie.EUNAUTHORIZED {
		t.Errorf("expired link = %v, want EUNAUTHORIZED", err)
	}
	_, link2, err := f.hub.UserLink(ctx, hub.Console(), "ana@a.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.SetPassword(ctx, link2, goodPassword, ""); err != nil {
		t.Errorf("new link: %v", err)
	}
}

func TestAddUserPermissions(t *testing.T) {
	f := newFixture(t)
	_, adminA := f.user(t, "A", "admin@a.example", vigie.RoleAdmin)
	pa, _, err := f.hub.UserSession(ctx, adminA.Secret, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.hub.AddUser(ctx, pa, "A", "reader@a.example", vigie.RoleReader); err != nil {
		t.Errorf("admin adding a reader of its own org: %v", err)
	}
	if _, _, err := f.hub.AddUser(ctx, pa, "B", "x@b.example", vigie.RoleReader); vigie.ErrorCode(err) != vigie.EFORBIDDEN {
		t.Errorf("admin of A adding a user of B = %v, want EFORBIDDEN", err)
	}
	if _, _, err := f.hub.AddUser(ctx, pa, "A", "op@a.example", vigie.RoleOperator); vigie.ErrorCode(err) != vigie.EFORBIDDEN {
		t.Errorf("admin granting operator = %v, want EFORBIDDEN", err)
	}
	_, readerB := f.user(t, "B", "reader@b.example", vigie.RoleReader)
	pb, _, _ := f.hub.UserSession(ctx, readerB.Secret, "")
	if _, _, err := f.hub.AddUser(ctx, pb, "B", "y@b.example", vigie.RoleReader); vigie.ErrorCode(err) != vigie.EFORBIDDEN {
		t.Errorf("reader adding a user = %v, want EFORBIDDEN", err)
	}
	if _, _, err := f.hub.UserLink(ctx, pa, "reader@b.example"); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("admin of A resetting B's user = %v, want ENOTFOUND", err)
	}
	us, err := f.hub.Users(ctx, pa, "B")
	if err != nil || len(us) != 2 {
		t.Fatalf("admin of A listing users = %v, %v; want A's 2", us, err)
	}
	for _, u := range us {
		if u.OrgID != f.orgs["A"].ID || (u.Password != "" && u.Password != "set") {
			t.Errorf("listed user %+v: another org's, or with its hash", u)
		}
	}
	if _, _, err := f.hub.AddUser(ctx, hub.Console(), "A", "admin@A.example", vigie.RoleReader); vigie.ErrorCode(err) != vigie.ECONFLICT {
		t.Errorf("taken e-mail = %v, want ECONFLICT", err)
	}
}

func TestSignInFailuresAreOneAnswerAuditedAndLimited(t *testing.T) {
	f := newFixture(t)
	f.user(t, "A", "ana@a.example", vigie.RoleReader)
	_, errUnknown := f.hub.SignIn(ctx, "nobody@a.example", goodPassword, "", "198.51.100.7")
	_, errWrong := f.hub.SignIn(ctx, "ana@a.example", "wrong password!!", "", "198.51.100.7")
	if vigie.ErrorCode(errUnknown) != vigie.EUNAUTHORIZED || vigie.ErrorMessage(errUnknown) != vigie.ErrorMessage(errWrong) {
		t.Errorf("unknown account %v and wrong password %v must be one answer", errUnknown, errWrong)
	}
	for i := 0; i < hub.SignInFailsPerUser-1; i++ {
		f.hub.SignIn(ctx, "ana@a.example", "wrong password!!", "", "198.51.100.8")
	}
	if _, err := f.hub.SignIn(ctx, "ana@a.example", goodPassword, "", "198.51.100.9"); vigie.ErrorCode(err) != vigie.ETOOMANY {
		t.Errorf("sign-in after %d failures = %v, want ETOOMANY even with the right password", hub.SignInFailsPerUser, err)
	}
	f.clock.add(hub.SignInWindow)
	if _, err := f.hub.SignIn(ctx, "ana@a.example", goodPassword, "", "198.51.100.9"); err != nil {
		t.Errorf("sign-in after the window: %v", err)
	}
	es, err := f.hub.Audit(ctx, hub.Console(), vigie.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var fails, oks int
	for _, e := range es {
		if e.Action != vigie.AuditSignIn {
			continue
		}
		if strings.Contains(string(e.Detail)+e.Reason, goodPassword) || strings.Contains(e.Reason, "wrong password!!") {
			t.Errorf("audit entry holds a password: %s", e)
		}
		switch e.Outcome {
		case vigie.OutcomeFailure:
			fails++
		case vigie.OutcomeSuccess:
			oks++
		}
	}
	if fails != 1+hub.SignInFailsPerUser || oks != 1 {
		t.Errorf("audited %d failed and %d successful sign-ins, want %d and 1", fails, oks, 1+hub.SignInFailsPerUser)
	}
}

func TestSignInPerAddressLimit(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < hub.SignInFailsPerAddr; i++ {
		f.hub.SignIn(ctx, "spray"+strings.Repeat("x", i)+"@a.example", "wrong password!!", "", "203.0.113.5")
	}
	f.user(t, "A", "ana@a.example", vigie.RoleReader)
	if _, err := f.hub.SignIn(ctx, "ana@a.example", goodPassword, "", "203.0.113.5"); vigie.ErrorCode(err) != vigie.ETOOMANY {
		t.Errorf("password spraying from one address: %v, want ETOOMANY", err)
	}
	if _, err := f.hub.SignIn(ctx, "ana@a.example", goodPassword, "", "203.0.113.6"); err != nil {
		t.Errorf("another address: %v", err)
	}
}

func TestTOTP(t *testing.T) {
	f := newFixture(t)
	u, s := f.user(t, "A", "ana@a.example", vigie.RoleReader)
	p, _, _ := f.hub.UserSession(ctx, s.Secret, "")
	secret := totp.NewSecret()
	if err := f.hub.SetTOTP(ctx, p, secret, "000000x"); vigie.ErrorCode(err) != vigie.EINVALID {
		t.Errorf("SetTOTP with a wrong code = %v", err)
	}
	code, _ := totp.Code(secret, f.clock.now())
	if err := f.hub.SetTOTP(ctx, p, secret, code); err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.SignIn(ctx, u.Email, goodPassword, "", ""); vigie.ErrorCode(err) != vigie.EUNAUTHORIZED {
		t.Errorf("sign-in without the code = %v, want EUNAUTHORIZED", err)
	}
	code, _ = totp.Code(secret, f.clock.now())
	if _, err := f.hub.SignIn(ctx, u.Email, goodPassword, code, ""); err != nil {
		t.Errorf("sign-in with the code: %v", err)
	}
	_, keyToken := f.key(t, "A", vigie.RoleReader, time.Time{})
	kp, _ := f.hub.Authenticate(ctx, keyToken, "")
	if err := f.hub.SetTOTP(ctx, kp, secret, code); vigie.ErrorCode(err) != vigie.EFORBIDDEN {
		t.Errorf("SetTOTP with an API key = %v, want EFORBIDDEN", err)
	}
}
