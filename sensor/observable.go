package sensor

import "fmt"

// Kind is the kind of an observable value that a file or a log yields.
// Readers name the kind they know: an address of either family
// (KindIP), a hex digest of any of the four lengths (KindHash); the
// Matcher decides the rest by the value's form.
type Kind uint8

// The observable kinds.
const (
	KindIP       Kind = iota + 1 // an IPv4 or IPv6 address, optionally with a zone
	KindDomain                   // a domain name
	KindURL                      // an absolute URL
	KindEmail                    // an e-mail address
	KindFileName                 // a file's name, without directories
	KindMD5                      // hex digests
	KindSHA1
	KindSHA256
	KindSHA512
	KindHash // a hex digest of 32, 40, 64 or 128 digits: MD5, SHA-1, SHA-256 or SHA-512
	KindRule // the name of a YARA rule that matched a file's content
	KindFile // a file as a whole (its name, size and hashes together)
	numKinds
)

var kindNames = [...]string{"", "ip", "domain", "url", "email", "file-name", "md5", "sha1", "sha256", "sha512", "hash", "yara-rule", "file"}

// String returns the kind's name as the command line prints it, such as
// "domain" or "sha256".
func (k Kind) String() string {
	if int(k) >= len(kindNames) || k == 0 {
		return "unknown"
	}
	return kindNames[k]
}

// Observable is one value found in a file or a log.
type Observable struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
}

// Emit receives one observable found by a reader. The value is only valid
// during the call: it may point into the reader's buffers.
type Emit func(kind Kind, value []byte)

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) {
	if k == 0 || k >= numKinds {
		return nil, fmt.Errorf("observable kind %d has no name", k)
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a kind's name.
func (k *Kind) UnmarshalText(b []byte) error {
	for i := Kind(1); i < numKinds; i++ {
		if i.String() == string(b) {
			*k = i
			return nil
		}
	}
	return fmt.Errorf("unknown observable kind %q", b)
}
