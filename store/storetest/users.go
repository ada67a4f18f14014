package storetest

import (
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
)

func testUsers(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	u := &vigie.User{ID: vigie.NewUUID(), OrgID: a.ID, Email: "Ana@A.example", Role: vigie.RoleReader, Created: t0}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u.Email != "ana@a.example" {
		t.Errorf("stored e-mail %q, want it lower-cased", u.Email)
	}
	dup := &vigie.User{ID: vigie.NewUUID(), OrgID: b.ID, Email: "ANA@a.example", Role: vigie.RoleAdmin, Created: t0}
	if err := s.CreateUser(ctx, dup); vigie.ErrorCode(err) != vigie.ECONFLICT {
		t.Errorf("CreateUser with a taken e-mail (other case) = %v, want ECONFLICT", err)
	}
	orphan := &vigie.User{ID: vigie.NewUUID(), OrgID: "identity--nope", Email: "x@b.example", Role: vigie.RoleReader, Created: t0}
	if err := s.CreateUser(ctx, orphan); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("CreateUser in a missing organisation = %v, want ENOTFOUND", err)
	}
	bad := &vigie.User{ID: vigie.NewUUID(), OrgID: a.ID, Email: "not an address", Role: vigie.RoleReader, Created: t0}
	if err := s.CreateUser(ctx, bad); vigie.ErrorCode(err) != vigie.EINVALID {
		t.Errorf("CreateUser with a malformed e-mail = %v, want EINVALID", err)
	}
	if err := s.CreateUser(ctx, &vigie.User{ID: vigie.NewUUID(), OrgID: b.ID, Email: "bo@b.example", Role: vigie.RolePublisher, Created: t0}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{u.ID, "ana@a.example", "ANA@A.EXAMPLE"} {
		got, err := s.FindUser(ctx, key)
		if err != nil || got.ID != u.ID || got.OrgID != a.ID || got.Role != vigie.RoleReader || !got.Created.Equal(t0) {
			t.Errorf("FindUser(%q) = %+v, %v", key, got, err)
		}
	}
	if _, err := s.FindUser(ctx, "nobody@a.example"); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("FindUser(unknown) = %v, want ENOTFOUND", err)
	}
	if us, err := s.ListUsers(ctx, a.ID); err != nil || len(us) != 1 || us[0].ID != u.ID {
		t.Errorf("ListUsers(A) = %v, %v; want only ana", us, err)
	}
	if us, err := s.ListUsers(ctx, ""); err != nil || len(us) != 2 || us[0].Email != "ana@a.example" {
		t.Errorf("ListUsers(all) = %v, %v; want 2 by e-mail", us, err)
	}

	u.Password, u.TOTP, u.Role, u.Disabled = "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", "JBSWY3DPEHPK3PXP", vigie.RolePublisher, t0.Add(time.Hour)
	if err := s.UpdateUser(ctx, u); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	got, _ := s.FindUser(ctx, u.ID)
	if got.Password != u.Password || got.TOTP != u.TOTP || got.Role != vigie.RolePublisher || !got.Disabled.Equal(u.Disabled) {
		t.Errorf("after UpdateUser: %+v", got)
	}
	if err := s.UpdateUser(ctx, &vigie.User{ID: "nope", OrgID: a.ID, Email: "n@a.example", Role: vigie.RoleReader}); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("UpdateUser(missing) = %v, want ENOTFOUND", err)
	}

	sess, secret := vigie.NewUserToken(u.ID, vigie.TokenSession, t0, time.Hour, "192.0.2.1")
	link, _ := vigie.NewUserToken(u.ID, vigie.TokenLink, t0, 24*time.Hour, "console")
	old, _ := vigie.NewUserToken(u.ID, vigie.TokenSession, t0.Add(-48*time.Hour), time.Hour, "192.0.2.1")
	for _, tk := range []*vigie.UserToken{sess, link, old} {
		if err := s.CreateUserToken(ctx, tk); err != nil {
			t.Fatalf("CreateUserToken: %v", err)
		}
	}
	if err := s.CreateUserToken(ctx, &vigie.UserToken{Hash: []byte("x"), UserID: "nope", Kind: vigie.TokenSession, Created: t0, Expires: t0}); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("CreateUserToken for a missing user = %v, want ENOTFOUND", err)
	}
	tk, err := s.FindUserToken(ctx, vigie.HashUserToken(secret))
	if err != nil || tk.UserID != u.ID || tk.Kind != vigie.TokenSession || !tk.Expires.Equal(t0.Add(time.Hour)) || tk.Addr != "192.0.2.1" {
		t.Errorf("FindUserToken = %+v, %v", tk, err)
	}
	if _, err := s.FindUserToken(ctx, vigie.HashUserToken("guess")); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("FindUserToken(unknown) = %v, want ENOTFOUND", err)
	}
	if err := s.DeleteUserToken(ctx, link.Hash); err != nil {
		t.Errorf("DeleteUserToken: %v", err)
	}
	if err := s.DeleteUserToken(ctx, link.Hash); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("DeleteUserToken twice = %v, want ENOTFOUND (a link is used once)", err)
	}
	if n, err := s.PurgeUserTokens(ctx, t0); err != nil || n != 1 {
		t.Errorf("PurgeUserTokens = %d, %v; want the 1 expired session", n, err)
	}
	if n, err := s.DeleteUserTokens(ctx, u.ID, vigie.TokenSession); err != nil || n != 1 {
		t.Errorf("DeleteUserTokens = %d, %v; want 1", n, err)
	}
	if _, err := s.FindUserToken(ctx, sess.Hash); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("session still found after DeleteUserTokens: %v", err)
	}
}
