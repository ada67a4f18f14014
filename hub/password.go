package hub

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/vigie-cti/vigie"
)

// The argon2id parameters of new password hashes: 19 MiB, 2 passes, one
// lane, the minimum OWASP recommends, so that a sign-in costs tens of
// milliseconds on a loaded two-core hub. Hashes record their parameters,
// so raising these later keeps old hashes valid.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Password lengths, in characters.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// checkPassword returns an EINVALID error saying why a new password is refused.
func checkPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return vigie.Errorf(vigie.EINVALID, "the password is not valid UTF-8")
	case n < MinPasswordLen:
		return vigie.Errorf(vigie.EINVALID, "the password has %d characters: want at least %d (a passphrase of a few words is easy to remember)", n, MinPasswordLen)
	case n > MaxPasswordLen:
		return vigie.Errorf(vigie.EINVALID, "the password is longer than %d characters", MaxPasswordLen)
	}
	return nil
}

var b64 = base64.RawStdEncoding

// hashPassword returns the argon2id hash of pw in PHC string form.
func hashPassword(pw string) string {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// maxArgonMemory bounds the memory a stored hash may ask for (256 MiB), so
// that a corrupted row cannot exhaust the hub.
const maxArgonMemory = 256 << 10

// verifyPassword reports whether pw matches the PHC string hash, in
// constant time. A malformed hash matches nothing.
func verifyPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var v int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > maxArgonMemory || t == 0 || t > 16 || p == 0 {
		return false
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when the e-mail is unknown, so that a
// sign-in takes as long whether the account exists or not.
var dummyHash = hashPassword("vigie: no such account, constant time")
