package hub

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/totp"
)

// How long the tokens of people last.
const (
	SessionTTL = 12 * time.Hour // a browser session, from sign-in (absolute: no sliding renewal)
	LinkTTL    = 72 * time.Hour // a one-time sign-in link
)

// Sign-in rate limits: failed attempts in one window per account and per
// source address, after which sign-ins are refused (ETOOMANY) until the
// window ends.
const (
	SignInWindow       = 15 * time.Minute
	SignInFailsPerUser = 5
	SignInFailsPerAddr = 20
)

// Session is a signed-in browser: the secret to set as its cookie (shown
// once; the store keeps its SHA-256), the user and when it ends.
type Session struct {
	Secret  string
	User    *vigie.User
	Expires time.Time
}

// AddUser creates an account for a person of the organisation named org
// and returns it with the secret of its one-time sign-in link (the user
// sets a password there). Operators add users to any organisation with
// any role; an organisation's admins add users to their own organisation,
// up to the admin role. EFORBIDDEN otherwise, ECONFLICT for a taken e-mail.
func (h *Hub) AddUser(ctx context.Context, p vigie.Principal, org, email string, role vigie.Role) (*vigie.User, string, error) {
	if err := Allow(p, vigie.RoleAdmin); err != nil {
		return nil, "", err
	}
	o, err := h.store.FindOrg(ctx, org)
	if err != nil {
		return nil, "", err
	}
	if !p.Role.Allows(vigie.RoleOperator) && (o.ID != p.OrgID || !p.Role.Allows(role)) {
		return nil, "", vigie.Errorf(vigie.EFORBIDDEN, "an admin adds users to its own organisation, up to the admin role")
	}
	u := &vigie.User{ID: vigie.NewUUID(), OrgID: o.ID, Email: email, Role: role, Created: h.now().UTC()}
	if err := u.Validate(); err != nil {
		return nil, "", err
	}
	if err := h.store.CreateUser(ctx, u); err != nil {
		return nil, "", err
	}
	secret, err := h.newLink(ctx, u, p.Addr)
	if err != nil {
		return nil, "", err
	}
	e := h.newEntry(p, vigie.AuditUserAdd, "user "+u.ID, vigie.OutcomeSuccess)
	e.TargetOrg = o.ID
	return u, secret, h.record(ctx, withDetail(e, map[string]string{"email": u.Email, "role": string(u.Role)}))
}

// UserLink issues a new one-time sign-in link for the user with this
// e-mail (a forgotten password, an expired link) and returns its secret.
// Earlier links of the user stop working. Same permissions as AddUser.
func (h *Hub) UserLink(ctx context.Context, p vigie.Principal, email string) (*vigie.User, string, error) {
	if err := Allow(p, vigie.RoleAdmin); err != nil {
		return nil, "", err
	}
	u, err := h.store.FindUser(ctx, email)
	if err != nil {
		return nil, "", err
	}
	if !p.Role.Allows(vigie.RoleOperator) && (u.OrgID != p.OrgID || !p.Role.Allows(u.Role)) {
		return nil, "", vigie.Errorf(vigie.ENOTFOUND, "no user %q", email)
	}
	if _, err := h.store.DeleteUserTokens(ctx, u.ID, vigie.TokenLink); err != nil {
		return nil, "", err
	}
	secret, err := h.newLink(ctx, u, p.Addr)
	if err != nil {
		return nil, "", err
	}
	e := h.newEntry(p, vigie.AuditUserLink, "user "+u.ID, vigie.OutcomeSuccess)
	e.TargetOrg = u.OrgID
	return u, secret, h.record(ctx, e)
}

func (h *Hub) newLink(ctx context.Context, u *vigie.User, addr string) (string, error) {
	t, secret := vigie.NewUserToken(u.ID, vigie.TokenLink, h.now().UTC(), LinkTTL, addr)
	return secret, h.store.CreateUserToken(ctx, t)
}

// Users returns the users of the organisation named org ("" for all):
// operators see any organisation's, admins their own's (org is then
// ignored). Never their password hashes or second-factor secrets.
func (h *Hub) Users(ctx context.Context, p vigie.Principal, org string) ([]*vigie.User, error) {
	if err := Allow(p, vigie.RoleAdmin); err != nil {
		return nil, err
	}
	orgID := p.OrgID
	if p.Role.Allows(vigie.RoleOperator) {
		orgID = ""
		if org != "" {
			o, err := h.store.FindOrg(ctx, org)
			if err != nil {
				return nil, err
			}
			orgID = o.ID
		}
	}
	us, err := h.store.ListUsers(ctx, orgID)
	for _, u := range us {
		u.Password, u.TOTP = redacted(u.Password), redacted(u.TOTP)
	}
	return us, err
}

// redacted keeps only whether a secret is set.
func redacted(s string) string {
	if s == "" {
		return ""
	}
	return "set"
}

// LinkUser returns the user a sign-in link is for, while it is valid:
// the page that sets the password shows whose account it is.
// EUNAUTHORIZED for an unknown, used or expired link.
func (h *Hub) LinkUser(ctx context.Context, secret string) (*vigie.User, error) {
	t, err := h.store.FindUserToken(ctx, vigie.HashUserToken(secret))
	if vigie.ErrorCode(err) == vigie.ENOTFOUND || (err == nil && (t.Kind != vigie.TokenLink || !h.now().Before(t.Expires))) {
		return nil, vigie.Errorf(vigie.EUNAUTHORIZED, "this sign-in link is unknown, used or expired: ask your hub's operator for a new one")
	} else if err != nil {
		return nil, err
	}
	u, err := h.store.FindUser(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if !u.Disabled.IsZero() {
		return nil, vigie.Errorf(vigie.EUNAUTHORIZED, "this account is disabled")
	}
	return u, nil
}

// SetPassword uses a one-time sign-in link: it sets the user's password,
// ends the user's other sessions and signs the user in from addr.
// EUNAUTHORIZED for an unknown, used or expired link; EINVALID for a
// password too short or too long (the link stays usable).
func (h *Hub) SetPassword(ctx context.Context, secret, password, addr string) (*Session, error) {
	u, err := h.LinkUser(ctx, secret)
	if err != nil {
		return nil, err
	}
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	// Deleting the link is the one step that can succeed only once.
	if err := h.store.DeleteUserToken(ctx, vigie.HashUserToken(secret)); vigie.ErrorCode(err) == vigie.ENOTFOUND {
		return nil, vigie.Errorf(vigie.EUNAUTHORIZED, "this sign-in link was just used")
	} else if err != nil {
		return nil, err
	}
	u.Password = hashPassword(password)
	if err := h.store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	if _, err := h.store.DeleteUserTokens(ctx, u.ID, vigie.TokenSession); err != nil {
		return nil, err
	}
	p := vigie.Principal{OrgID: u.OrgID, KeyID: vigie.UserKeyPrefix + u.ID, Role: u.Role, Addr: addr}
	if err := h.record(ctx, h.newEntry(p, vigie.AuditUserPassword, "user "+u.ID, vigie.OutcomeSuccess)); err != nil {
		return nil, err
	}
	return h.startSession(ctx, u, addr)
}

func (h *Hub) startSession(ctx context.Context, u *vigie.User, addr string) (*Session, error) {
	t, secret := vigie.NewUserToken(u.ID, vigie.TokenSession, h.now().UTC(), SessionTTL, addr)
	if err := h.store.CreateUserToken(ctx, t); err != nil {
		return nil, err
	}
	u.Password, u.TOTP = redacted(u.Password), redacted(u.TOTP)
	return &Session{Secret: secret, User: u, Expires: t.Expires}, nil
}

// errSignIn is the one answer to a failed sign-in, whatever failed, so
// that it does not tell which accounts exist.
var errSignIn = vigie.Errorf(vigie.EUNAUTHORIZED, "wrong e-mail, password or code")

// SignIn checks a user's password (and second-factor code, when the user
// has one) and starts a session from addr. Every attempt is audited;
// after SignInFailsPerUser failures for one account, or
// SignInFailsPerAddr from one address, in SignInWindow, attempts are
// refused with ETOOMANY until the window ends. EUNAUTHORIZED, with one
// message for every cause, when the credentials are wrong.
func (h *Hub) SignIn(ctx context.Context, email, password, code, addr string) (*Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if len(email) > 254 {
		email = email[:254]
	}
	now := h.now()
	if wait := h.signins.blocked(now, "user:"+email, SignInFailsPerUser, "addr:"+addr, SignInFailsPerAddr); wait > 0 {
		return nil, vigie.Errorf(vigie.ETOOMANY, "too many failed sign-ins: try again in %d minutes", int(wait.Minutes())+1)
	}
	u, err := h.store.FindUser(ctx, email)
	if err != nil && vigie.ErrorCode(err) != vigie.ENOTFOUND {
		return nil, err
	}
	hash := dummyHash
	if u != nil && u.Password != "" {
		hash = u.Password
	}
	ok := verifyPassword(hash, password) && u != nil && u.Password != "" && u.Disabled.IsZero()
	reason := ""
	switch {
	case !ok:
		reason = "wrong e-mail or password, or disabled account"
	case u.TOTP != "" && !totp.Verify(u.TOTP, code, now):
		ok, reason = false, "wrong second-factor code"
	}
	p := vigie.Principal{Addr: addr}
	target := "user " + email
	if u != nil {
		p.OrgID, p.KeyID, p.Role, target = u.OrgID, vigie.UserKeyPrefix+u.ID, u.Role, "user "+u.ID
	}
	if !ok {
		h.signins.fail(now, "user:"+email, "addr:"+addr)
		e := h.newEntry(p, vigie.AuditSignIn, target, vigie.OutcomeFailure)
		e.Reason = reason
		if err := h.record(ctx, e); err != nil {
			return nil, err
		}
		return nil, errSignIn
	}
	h.signins.reset("user:" + email)
	if err := h.record(ctx, h.newEntry(p, vigie.AuditSignIn, target, vigie.OutcomeSuccess)); err != nil {
		return nil, err
	}
	return h.startSession(ctx, u, addr)
}

// UserSession returns the principal and the user behind a session cookie
// presented from addr: the user's organisation, role and communities,
// with KeyID "user:ID" for the audit log. EUNAUTHORIZED for an unknown
// or expired session, or a disabled account.
func (h *Hub) UserSession(ctx context.Context, secret, addr string) (vigie.Principal, *vigie.User, error) {
	t, err := h.store.FindUserToken(ctx, vigie.HashUserToken(secret))
	if vigie.ErrorCode(err) == vigie.ENOTFOUND || (err == nil && (t.Kind != vigie.TokenSession || !h.now().Before(t.Expires))) {
		return vigie.Principal{}, nil, vigie.Errorf(vigie.EUNAUTHORIZED, "your session ended: sign in again")
	} else if err != nil {
		return vigie.Principal{}, nil, err
	}
	u, err := h.store.FindUser(ctx, t.UserID)
	if err != nil {
		return vigie.Principal{}, nil, err
	}
	if !u.Disabled.IsZero() {
		return vigie.Principal{}, nil, vigie.Errorf(vigie.EUNAUTHORIZED, "this account is disabled")
	}
	comms, err := h.store.OrgCommunities(ctx, u.OrgID)
	if err != nil {
		return vigie.Principal{}, nil, err
	}
	u.Password, u.TOTP = redacted(u.Password), redacted(u.TOTP)
	p, err := h.withPolicy(ctx, vigie.Principal{OrgID: u.OrgID, KeyID: vigie.UserKeyPrefix + u.ID, Role: u.Role, Communities: comms, Addr: addr})
	return p, u, err
}

// SignOut ends a session. Ending one that is already gone is no error.
func (h *Hub) SignOut(ctx context.Context, secret string) error {
	if err := h.store.DeleteUserToken(ctx, vigie.HashUserToken(secret)); err != nil && vigie.ErrorCode(err) != vigie.ENOTFOUND {
		return err
	}
	return nil
}

// SetTOTP turns on the signed-in user's second factor with secret, once
// code shows the user's authenticator has it; secret "" turns it off,
// which needs a current code too. EINVALID for a wrong code.
func (h *Hub) SetTOTP(ctx context.Context, p vigie.Principal, secret, code string) error {
	id := p.UserID()
	if id == "" {
		return vigie.Errorf(vigie.EFORBIDDEN, "a second factor belongs to a signed-in person, not to an API key")
	}
	u, err := h.store.FindUser(ctx, id)
	if err != nil {
		return err
	}
	check := secret
	if secret == "" {
		check = u.TOTP
	}
	if check == "" {
		return vigie.Errorf(vigie.EINVALID, "no second factor to turn off")
	}
	if !totp.Verify(check, code, h.now()) {
		return vigie.Errorf(vigie.EINVALID, "wrong code: type the 6 digits your authenticator app shows now")
	}
	u.TOTP = secret
	if err := h.store.UpdateUser(ctx, u); err != nil {
		return err
	}
	state := "on"
	if secret == "" {
		state = "off"
	}
	return h.record(ctx, withDetail(h.newEntry(p, vigie.AuditUserTOTP, "user "+u.ID, vigie.OutcomeSuccess), map[string]string{"totp": state}))
}

// PurgeSessions deletes expired sessions and sign-in links.
func (h *Hub) PurgeSessions(ctx context.Context) (int, error) {
	return h.store.PurgeUserTokens(ctx, h.now())
}

// signinLimiter counts failed sign-ins per key (an account, an address)
// in fixed windows of SignInWindow.
type signinLimiter struct {
	mu sync.Mutex
	m  map[string]*signinWindow
}

type signinWindow struct {
	start time.Time
	n     int
}

// maxSigninKeys bounds the windows kept; beyond it, ended windows are dropped.
const maxSigninKeys = 100000

// blocked returns how long until the first of keys (each with its limit:
// key, limit, key, limit...) that reached its limit may try again; 0 when
// none did.
func (l *signinLimiter) blocked(now time.Time, pairs ...any) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for i := 0; i+1 < len(pairs); i += 2 {
		w := l.m[pairs[i].(string)]
		if w != nil && now.Sub(w.start) < SignInWindow && w.n >= pairs[i+1].(int) {
			wait = max(wait, SignInWindow-now.Sub(w.start))
		}
	}
	return wait
}

func (l *signinLimiter) fail(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]*signinWindow{}
	}
	if len(l.m) >= maxSigninKeys {
		for k, w := range l.m {
			if now.Sub(w.start) >= SignInWindow {
				delete(l.m, k)
			}
		}
	}
	for _, k := range keys {
		w := l.m[k]
		if w == nil || now.Sub(w.start) >= SignInWindow {
			if len(l.m) >= maxSigninKeys {
				continue
			}
			w = &signinWindow{start: now}
			l.m[k] = w
		}
		w.n++
	}
}

func (l *signinLimiter) reset(key string) {
	l.mu.Lock()
	delete(l.m, key)
	l.mu.Unlock()
}
