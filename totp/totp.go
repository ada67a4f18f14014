// Package totp implements time-based one-time passwords (RFC 6238, over
// HOTP of RFC 4226) as authenticator apps use them: HMAC-SHA-1, 30-second
// steps, 6 digits, secrets in base32. It is the dashboard's optional
// second factor.
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The parameters every common authenticator app assumes.
const (
	Step   = 30 * time.Second
	Digits = 6
	// Skew is how many steps before and after the current one a code is
	// still accepted, for clocks that drift.
	Skew = 1
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns a random 160-bit secret in base32 (RFC 4226 §4
// recommends 160 bits).
func NewSecret() string {
	var b [20]byte
	rand.Read(b[:])
	return b32.EncodeToString(b[:])
}

// decode reads a base32 secret, tolerating spaces, lower case and padding.
func decode(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.ReplaceAll(strings.TrimRight(secret, "="), " ", ""))
	k, err := b32.DecodeString(s)
	if err != nil || len(k) < 10 {
		return nil, fmt.Errorf("totp: secret is not base32 of at least 80 bits")
	}
	return k, nil
}

// hotp returns the RFC 4226 value of counter c under key k.
func hotp(k []byte, c uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], c)
	m := hmac.New(sha1.New, k)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", Digits, v%1_000_000)
}

// Code returns the code of secret at time t.
func Code(secret string, t time.Time) (string, error) {
	k, err := decode(secret)
	if err != nil {
		return "", err
	}
	return hotp(k, uint64(t.Unix())/uint64(Step/time.Second)), nil
}

// Verify reports whether code is the code of secret at time t or within
// Skew steps of it. It compares in constant time.
func Verify(secret, code string, t time.Time) bool {
	k, err := decode(secret)
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if err != nil || len(code) != Digits {
		return false
	}
	now := int64(t.Unix()) / int64(Step/time.Second)
	ok := 0
	for d := int64(-Skew); d <= Skew; d++ {
		ok |= subtle.ConstantTimeCompare([]byte(hotp(k, uint64(now+d))), []byte(code))
	}
	return ok == 1
}

// URI returns the otpauth:// URI that authenticator apps read (the "Key
// Uri Format" they share), for the account of issuer. Spaces are %20, as
// that format asks (RFC 3986), never "+", which some apps show as is, and
// a "+" in the account is %2B.
func URI(secret, issuer, account string) string {
	label := strings.ReplaceAll(url.PathEscape(issuer+":"+account), "+", "%2B") // an app may read "+" as a space
	v := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {fmt.Sprint(Digits)}, "period": {fmt.Sprint(int(Step / time.Second))}}
	return "otpauth://totp/" + label + "?" + strings.ReplaceAll(v.Encode(), "+", "%20") // a literal "+" is already %2B
}
