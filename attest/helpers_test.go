package attest_test

import "crypto/sha512"

func sha512sum384(b []byte) []byte {
	h := sha512.Sum384(b)
	return h[:]
}
