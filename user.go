package vigie

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/mail"
	"strings"
	"time"
)

// User is a person of a member organisation who signs in to the web
// dashboard. Machines use API keys; people use accounts. A user acts for
// its organisation with its role, exactly as a key of that role would.
type User struct {
	ID    string
	OrgID string
	Email string // lower case, unique on the hub
	Role  Role
	// Password is the argon2id hash of the password in PHC string form
	// ($argon2id$v=19$m=...,t=...,p=...$salt$hash), "" until the user
	// sets one through a sign-in link.
	Password string
	// TOTP is the base32 secret of the user's second factor (RFC 6238),
	// "" when the user has none.
	TOTP     string
	Created  time.Time
	Disabled time.Time // zero: may sign in
}

// Validate reports an EINVALID error when the user cannot be stored. It
// lower-cases the e-mail address.
func (u *User) Validate() error {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	a, err := mail.ParseAddress(u.Email)
	if err != nil || a.Address != u.Email || a.Name != "" || len(u.Email) > 254 {
		return Errorf(EINVALID, "e-mail %q: want an address such as analyst@example.org", u.Email)
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	if u.Role == RolePeer {
		return Errorf(EINVALID, "user %s: role peer is for another hub's key (vigie admin key add --role peer), not a person", u.Email)
	}
	return nil
}

// UserKeyPrefix starts the KeyID of a principal signed in as a user, so
// that the audit log names the person ("user:ID") where it names a key
// for machines.
const UserKeyPrefix = "user:"

// UserID returns the id of the user behind p, or "" when p is not a
// signed-in user (an API key, the console, an anonymous reader).
func (p Principal) UserID() string {
	id, ok := strings.CutPrefix(p.KeyID, UserKeyPrefix)
	if !ok {
		return ""
	}
	return id
}

// The kinds of user tokens.
const (
	TokenSession = "session" // a signed-in browser's cookie
	TokenLink    = "link"    // a one-time sign-in link, to set a password
)

// UserToken is a session or a one-time sign-in link. Only the SHA-256 of
// its secret is stored, so that a copy of the database opens no session.
type UserToken struct {
	Hash    []byte // SHA-256 of the secret handed to the browser
	UserID  string
	Kind    string // TokenSession or TokenLink
	Created time.Time
	Expires time.Time
	Addr    string // where it was created from
}

// NewUserToken returns a token of kind for user and its secret, shown once.
func NewUserToken(userID, kind string, now time.Time, ttl time.Duration, addr string) (*UserToken, string) {
	var b [32]byte
	rand.Read(b[:])
	secret := base64.RawURLEncoding.EncodeToString(b[:])
	return &UserToken{Hash: HashUserToken(secret), UserID: userID, Kind: kind, Created: now, Expires: now.Add(ttl), Addr: addr}, secret
}

// HashUserToken returns the stored form of a token's secret.
func HashUserToken(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// UserStore keeps user accounts and their tokens.
type UserStore interface {
	// CreateUser stores a new user. ECONFLICT if the e-mail or id is
	// taken, ENOTFOUND if the organisation does not exist.
	CreateUser(ctx context.Context, u *User) error
	// FindUser returns the user with this id or e-mail. ENOTFOUND.
	FindUser(ctx context.Context, idOrEmail string) (*User, error)
	// ListUsers returns the users of an organisation ("" for all), by e-mail.
	ListUsers(ctx context.Context, orgID string) ([]*User, error)
	// UpdateUser writes the role, password, TOTP secret and disabled time
	// of an existing user. ENOTFOUND.
	UpdateUser(ctx context.Context, u *User) error
	// CreateUserToken stores a token. ENOTFOUND if the user does not exist.
	CreateUserToken(ctx context.Context, t *UserToken) error
	// FindUserToken returns the token with this hash, expired or not. ENOTFOUND.
	FindUserToken(ctx context.Context, hash []byte) (*UserToken, error)
	// DeleteUserToken deletes the token with this hash. ENOTFOUND when
	// there is none, so that of two callers consuming a one-time link
	// only one succeeds.
	DeleteUserToken(ctx context.Context, hash []byte) error
	// DeleteUserTokens deletes a user's tokens of kind ("" for all) and
	// returns how many were deleted.
	DeleteUserTokens(ctx context.Context, userID, kind string) (int, error)
	// PurgeUserTokens deletes the tokens that expired before a time.
	PurgeUserTokens(ctx context.Context, before time.Time) (int, error)
}
