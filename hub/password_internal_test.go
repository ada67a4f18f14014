package hub

import "testing"

func TestVerifyPassword(t *testing.T) {
	h := hashPassword("correct horse battery staple")
	if !verifyPassword(h, "correct horse battery staple") {
		t.Fatal("the right password does not verify")
	}
	if verifyPassword(h, "correct horse battery stapl") {
		t.Error("a wrong password verifies")
	}
	if h2 := hashPassword("correct horse battery staple"); h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{
		"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
		"$argon2id$v=18$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
		"$argon2id$v=19$m=0,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
		"$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$aGFzaA", // over the memory bound
		"$argon2id$v=19$m=19456,t=99,p=1$c2FsdHNhbHQ$aGFzaA",
		"$argon2id$v=19$m=19456,t=2,p=1$!!!$aGFzaA",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ",
	} {
		if verifyPassword(bad, "") || verifyPassword(bad, "x") {
			t.Errorf("malformed hash %q verified", bad)
		}
	}
}

func FuzzVerifyPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "x")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		verifyPassword(hash, pw) // must not panic nor take the hub's memory
	})
}
