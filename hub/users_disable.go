package hub

import (
	"context"
	"time"

	"github.com/vigie-cti/vigie"
)

// SetUserDisabled disables (disabled true) or enables the account with
// this e-mail or id. Disabling ends the user's sessions and sign-in links
// at once; sign-in is refused while it lasts. Operators act on any user;
// an organisation's admins on their own organisation's users up to the
// admin role (another's answer ENOTFOUND, like a user that does not
// exist). Nobody disables their own account (EINVALID): that would lock
// out the last operator. Doing what is already done is no error, and is
// not audited again.
func (h *Hub) SetUserDisabled(ctx context.Context, p vigie.Principal, email string, disabled bool) (*vigie.User, error) {
	if err := Allow(p, vigie.RoleAdmin); err != nil {
		return nil, err
	}
	u, err := h.store.FindUser(ctx, email)
	if err != nil {
		return nil, err
	}
	if !p.Role.Allows(vigie.RoleOperator) && (u.OrgID != p.OrgID || !p.Role.Allows(u.Role)) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no user %q", email)
	}
	if u.ID == p.UserID() {
		return nil, vigie.Errorf(vigie.EINVALID, "you cannot disable your own account: ask another admin or the hub's operator")
	}
	if disabled == !u.Disabled.IsZero() {
		return redact(u), nil
	}
	action := vigie.AuditUserEnable
	if disabled {
		u.Disabled, action = h.now().UTC(), vigie.AuditUserDisable
	} else {
		u.Disabled = time.Time{}
	}
	if err := h.store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	if disabled {
		// UserSession refuses a disabled account already; deleting its
		// tokens also leaves nothing to use once it is enabled again.
		if _, err := h.store.DeleteUserTokens(ctx, u.ID, ""); err != nil {
			return nil, err
		}
	}
	e := h.newEntry(p, action, "user "+u.ID, vigie.OutcomeSuccess)
	e.TargetOrg = u.OrgID
	return redact(u), h.record(ctx, withDetail(e, map[string]string{"email": u.Email}))
}

// redact keeps only whether the user's secrets are set.
func redact(u *vigie.User) *vigie.User {
	u.Password, u.TOTP = redacted(u.Password), redacted(u.TOTP)
	return u
}
