package hub_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// TestDisableUser: a disabled user's open session stops working at once,
// sign-in and its sign-in links are refused; enabling lets it sign in
// again, with a new session only. Both changes are audited.
func TestDisableUser(t *testing.T) {
	f := newFixture(t)
	u, s := f.user(t, "A", "ana@a.example", vigie.RolePublisher)
	_, link, err := f.hub.UserLink(ctx, hub.Console(), u.Email)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.hub.SetUserDisabled(ctx, hub.Console(), "ANA@a.example", true)
	if err != nil || got.Disabled.IsZero() || got.Password != "set" {
		t.Fatalf("SetUserDisabled = %+v, %v", got, err)
	}
	if _, _, err := f.hub.UserSession(ctx, s.Secret, "192.0.2.1"); vigie.ErrorCode(err) != vigie.EUNAUTHORIZED {
		t.Errorf("the session of a disabled user: %v, want EUNAUTHORIZED", err)
	}
	if _, err := f.hub.SignIn(ctx, u.Email, goodPassword, "", "192.0.2.1"); vigie.ErrorCode(err) != vigie.EUNAUTHORIZED {
		t.Errorf("sign-in of a disabled user: %v, want EUNAUTHORIZED", err)
	}
	if _, err := f.hub.SetPassword(ctx, link, goodPassword, "192.0.2.1"); vigie.ErrorCode(err) != vigie.EUNAUTHORIZED {
		t.Errorf("a sign-in link of a disabled user: %v, want EUNAUTHORIZED", err)
	}
	if _, err := f.hub.SetUserDisabled(ctx, hub.Console(), u.Email, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.hub.UserSession(ctx, s.Secret, "192.0.2.1"); vigie.ErrorCode(err) != vigie.EUNAUTHORIZED {
		t.Errorf("the session from before disabling works again after enabling: %v", err)
	}
	if _, err := f.hub.SignIn(ctx, u.Email, goodPassword, "", "192.0.2.1"); err != nil {
		t.Errorf("sign-in after enabling: %v", err)
	}
	var actions []string
	es, _ := f.hub.Audit(ctx, hub.Console(), vigie.AuditQuery{})
	for _, e := range es {
		if e.Action == vigie.AuditUserDisable || e.Action == vigie.AuditUserEnable {
			actions = append(actions, e.Action+" "+e.Target+" "+e.TargetOrg)
		}
	}
	want := []string{"user.disable user " + u.ID + " " + f.orgs["A"].ID, "user.enable user " + u.ID + " " + f.orgs["A"].ID}
	if len(actions) != 2 || actions[0] != want[0] || actions[1] != want[1] {
		t.Errorf("audit %q, want %q", actions, want)
	}
}

// TestDisableUserPermissions: an organisation's admin disables its own
// organisation's users only (another's answers as not found), never an
// operator nor itself; readers and publishers disable no one.
func TestDisableUserPermissions(t *testing.T) {
	f := newFixture(t)
	_, adminA := f.user(t, "A", "admin@a.example", vigie.RoleAdmin)
	f.user(t, "A", "reader@a.example", vigie.RoleReader)
	f.user(t, "A", "op@a.example", vigie.RoleOperator)
	f.user(t, "B", "reader@b.example", vigie.RoleReader)
	_, pubB := f.user(t, "B", "pub@b.example", vigie.RolePublisher)
	pa, _, _ := f.hub.UserSession(ctx, adminA.Secret, "")
	pb, _, _ := f.hub.UserSession(ctx, pubB.Secret, "")
	for _, tc := range []struct {
		who   vigie.Principal
		email string
		want  string
	}{
		{pa, "reader@a.example", ""},
		{pa, "reader@b.example", vigie.ENOTFOUND},
		{pa, "op@a.example", vigie.ENOTFOUND},
		{pa, "admin@a.example", vigie.EINVALID},
		{pa, "nobody@a.example", vigie.ENOTFOUND},
		{pb, "reader@b.example", vigie.EFORBIDDEN},
	} {
		_, err := f.hub.SetUserDisabled(ctx, tc.who, tc.email, true)
		if vigie.ErrorCode(err) != tc.want && !(tc.want == "" && err == nil) {
			t.Errorf("%s disabling %s: %v, want %q", tc.who.KeyID, tc.email, err, tc.want)
		}
	}
	us, _ := f.hub.Users(ctx, hub.Console(), "")
	for _, u := range us {
		if (u.Email == "reader@a.example") == u.Disabled.IsZero() {
			t.Errorf("%s disabled=%v", u.Email, !u.Disabled.IsZero())
		}
	}
}

// TestTestWebhook: a test delivery goes to the organisation's own
// webhook only; another organisation's id is not found.
func TestTestWebhook(t *testing.T) {
	f := newFixture(t)
	_, tokA := f.key(t, "A", vigie.RolePublisher, time.Time{})
	_, tokB := f.key(t, "B", vigie.RolePublisher, time.Time{})
	_, tokR := f.key(t, "A", vigie.RoleReader, time.Time{})
	a, b, r := f.login(t, tokA), f.login(t, tokB), f.login(t, tokR)
	hook, err := f.hub.AddWebhook(ctx, a, "https://soc.example/hook", "")
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.hub.TestWebhook(ctx, a, hook.ID)
	if err != nil || d.URL != hook.URL || d.State != vigie.DeliveryPending {
		t.Fatalf("TestWebhook = %+v, %v", d, err)
	}
	var body struct {
		ID    int64
		Type  string
		Alert json.RawMessage
	}
	if err := json.Unmarshal(d.Body, &body); err != nil || body.Type != "webhook.test" || string(body.Alert) != "null" {
		t.Errorf("test body %s", d.Body)
	}
	if _, err := f.hub.TestWebhook(ctx, b, hook.ID); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("B testing A's webhook: %v, want ENOTFOUND", err)
	}
	if _, err := f.hub.TestWebhook(ctx, r, hook.ID); vigie.ErrorCode(err) != vigie.EFORBIDDEN {
		t.Errorf("a reader testing a webhook: %v, want EFORBIDDEN", err)
	}
	if ds, _ := f.hub.Deliveries(ctx, a, ""); len(ds) != 1 || ds[0].ID != d.ID {
		t.Errorf("A's deliveries %+v, want the test", ds)
	}
}
