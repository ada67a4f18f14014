package hub

import (
	"context"
	"errors"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/totp"
)

// ErrSecondFactor is SignInOIDC's answer when the provider vouched for
// the user but the user turned a second factor on: ask for its code and
// call again.
var ErrSecondFactor = errors.New("hub: the second-factor code is needed")

// OIDCIdentity is what an OpenID Connect provider vouched for, once the
// dashboard verified its ID token (signature, issuer, audience, expiry,
// nonce), or why it could not: Failure, when not empty, is the reason
// the sign-in failed before any user was named.
type OIDCIdentity struct {
	Provider      string // the provider's name, for the audit log
	Email         string
	EmailVerified bool
	Failure       string
}

// SignInOIDC signs in the user whose e-mail an OpenID Connect provider
// vouched for. It never creates an account nor picks a role: a user of
// that e-mail must exist (vigie admin user add), be enabled, and the
// provider must say the e-mail is verified. A user with a second factor
// gives its code (ErrSecondFactor while code is ""). Attempts are audited
// (user.signin, method oidc) and rate-limited like SignIn; every failure
// is EUNAUTHORIZED with one message.
func (h *Hub) SignInOIDC(ctx context.Context, id OIDCIdentity, code, addr string) (*Session, error) {
	email := strings.ToLower(strings.TrimSpace(id.Email))
	if len(email) > 254 {
		email = email[:254]
	}
	now := h.now()
	if wait := h.signins.blocked(now, "user:"+email, SignInFailsPerUser, "addr:"+addr, SignInFailsPerAddr); wait > 0 {
		return nil, vigie.Errorf(vigie.ETOOMANY, "too many failed sign-ins: try again in %d minutes", int(wait.Minutes())+1)
	}
	var u *vigie.User
	reason := id.Failure
	if reason == "" {
		var err error
		u, err = h.store.FindUser(ctx, email)
		if err != nil && vigie.ErrorCode(err) != vigie.ENOTFOUND {
			return nil, err
		}
		switch {
		case !id.EmailVerified:
			reason = "the provider did not verify the e-mail"
		case u == nil || !strings.Contains(email, "@") || u.Email != email:
			u, reason = nil, "no user with this e-mail"
		case !u.Disabled.IsZero():
			reason = "disabled account"
		case u.TOTP != "" && code == "":
			return nil, ErrSecondFactor
		case u.TOTP != "" && !totp.Verify(u.TOTP, code, now):
			reason = "wrong second-factor code"
		}
	}
	p := vigie.Principal{Addr: addr}
	target := "user " + email
	if u != nil {
		p.OrgID, p.KeyID, p.Role, target = u.OrgID, vigie.UserKeyPrefix+u.ID, u.Role, "user "+u.ID
	}
	detail := map[string]string{"method": "oidc", "provider": id.Provider}
	if reason != "" {
		keys := []string{"addr:" + addr}
		if email != "" {
			keys = append(keys, "user:"+email)
		}
		h.signins.fail(now, keys...)
		e := withDetail(h.newEntry(p, vigie.AuditSignIn, target, vigie.OutcomeFailure), detail)
		e.Reason = reason
		if err := h.record(ctx, e); err != nil {
			return nil, err
		}
		return nil, errOIDC
	}
	h.signins.reset("user:" + email)
	if err := h.record(ctx, withDetail(h.newEntry(p, vigie.AuditSignIn, target, vigie.OutcomeSuccess), detail)); err != nil {
		return nil, err
	}
	return h.startSession(ctx, u, addr)
}

// errOIDC is the one answer to a failed OIDC sign-in.
var errOIDC = vigie.Errorf(vigie.EUNAUTHORIZED, "this sign-in was refused: the provider's answer did not check out, or no enabled account of this hub has this verified e-mail")
