package vigie

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"strings"
	"time"
)

// Role is what an API key may do. Each role includes the ones before it.
type Role string

// The roles of API keys.
const (
	RoleReader    Role = "reader"    // read what the organisation may read
	RolePublisher Role = "publisher" // and publish into writable collections
	RoleAdmin     Role = "admin"     // and administer the organisation: delete its objects, read its audit entries (never read more)
	RoleOperator  Role = "operator"  // the staff of the organisation that runs the hub: delete any object (with a reason), read the whole audit log
	// RolePeer is the key another hub pulls with: it reads the TAXII
	// collections its organisation is granted, and of them only what may
	// leave the hub (see ReadScope.Egress), whatever its grants; it is no
	// reader, publisher or admin.
	RolePeer Role = "peer"
)

// ParseRole returns the role named s or an EINVALID error.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleReader, RolePublisher, RoleAdmin, RoleOperator, RolePeer:
		return r, nil
	}
	return "", Errorf(EINVALID, "role %q: want reader, publisher or admin (or operator, for the staff of the hub's own organisation; peer, for another hub)", s)
}

// Allows reports whether a key with role r may act as role want.
func (r Role) Allows(want Role) bool {
	if r == RolePeer || want == RolePeer {
		return r == want // a peer key is outside the ladder of member roles
	}
	return want.rank() > 0 && r.rank() >= want.rank()
}

func (r Role) rank() int {
	switch r {
	case RoleReader:
		return 1
	case RolePublisher:
		return 2
	case RoleAdmin:
		return 3
	case RoleOperator:
		return 4
	}
	return 0
}

// Key is an API key. The secret is never stored: only its SHA-256 (keys are
// 256-bit random values, so a slow hash adds nothing).
type Key struct {
	ID      string // public part, also shown in listings
	OrgID   string
	Role    Role
	Name    string // a label chosen by the operator
	Hash    []byte // SHA-256 of the secret part
	Created time.Time
	Expires time.Time // zero: never
	Revoked time.Time // zero: not revoked
}

// Active reports whether the key may be used at time now.
func (k *Key) Active(now time.Time) bool {
	return k.Revoked.IsZero() && (k.Expires.IsZero() || now.Before(k.Expires))
}

const keyPrefix = "vigie_"

// NewKey returns a key for org with role and the token to hand to its
// holder once: "vigie_" + ID + "_" + secret.
func NewKey(orgID string, role Role, name string, expires, now time.Time) (*Key, string) {
	var idb [10]byte
	var secret [32]byte
	rand.Read(idb[:])
	rand.Read(secret[:])
	id := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(idb[:]))
	s := base64.RawURLEncoding.EncodeToString(secret[:])
	sum := sha256.Sum256([]byte(s))
	k := &Key{ID: id, OrgID: orgID, Role: role, Name: name, Hash: sum[:], Created: now, Expires: expires}
	return k, keyPrefix + id + "_" + s
}

// SplitToken returns the key id and secret of a token made by NewKey.
func SplitToken(token string) (id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(token, keyPrefix)
	if !ok {
		return "", "", false
	}
	id, secret, ok = strings.Cut(rest, "_")
	return id, secret, ok && id != "" && secret != ""
}

// Matches reports whether secret is this key's secret, in constant time.
func (k *Key) Matches(secret string) bool {
	sum := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(sum[:], k.Hash) == 1
}
