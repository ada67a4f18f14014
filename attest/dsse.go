package attest

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strconv"
)

// MaxEnvelopes bounds the envelopes of one JSON-lines file, and
// MaxSignatures the signatures of one envelope.
const (
	MaxEnvelopes  = 1000
	MaxSignatures = 16
)

// InTotoPayloadType is the DSSE payload type of in-toto statements.
const InTotoPayloadType = "application/vnd.in-toto+json"

// Envelope is a DSSE envelope, bare or from a Sigstore bundle.
type Envelope struct {
	PayloadType string
	Payload     []byte
	Signatures  []Signature
	// BundleType is the Sigstore bundle media type, "" for a bare envelope.
	BundleType string
	// Certificate is the bundle's signing certificate (DER), if it has one.
	// It is not trusted for being there: only configured keys are.
	Certificate []byte
}

// Signature is one DSSE signature.
type Signature struct {
	KeyID string
	Sig   []byte
}

type dsseJSON struct {
	PayloadType string `json:"payloadType"`
	Payload     string `json:"payload"`
	Signatures  []struct {
		KeyID string `json:"keyid"`
		Sig   string `json:"sig"`
	} `json:"signatures"`
}

type bundleJSON struct {
	MediaType            string    `json:"mediaType"`
	DSSEEnvelope         *dsseJSON `json:"dsseEnvelope"`
	VerificationMaterial struct {
		Certificate *struct {
			RawBytes string `json:"rawBytes"`
		} `json:"certificate"`
		X509CertificateChain *struct {
			Certificates []struct {
				RawBytes string `json:"rawBytes"`
			} `json:"certificates"`
		} `json:"x509CertificateChain"`
	} `json:"verificationMaterial"`
}

// ParseEnvelopes reads DSSE envelopes or Sigstore bundles holding one:
// one JSON document, or JSON lines (.intoto.jsonl).
func ParseEnvelopes(b []byte) ([]*Envelope, error) {
	if len(b) > MaxBytes {
		return nil, fmt.Errorf("dsse: %d bytes: %w", len(b), ErrTooLarge)
	}
	var out []*Envelope
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), MaxBytes+1)
	// A pretty-printed single document spans lines: try it whole first.
	if e, err := parseEnvelope(bytes.TrimSpace(b)); err == nil {
		return []*Envelope{e}, nil
	}
	line := 0
	for sc.Scan() {
		line++
		l := bytes.TrimSpace(sc.Bytes())
		if len(l) == 0 {
			continue
		}
		if len(out) == MaxEnvelopes {
			return nil, fmt.Errorf("dsse: more than %d envelopes: %w", MaxEnvelopes, ErrTooLarge)
		}
		e, err := parseEnvelope(l)
		if err != nil {
			return nil, fmt.Errorf("dsse: line %d: %w", line, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("dsse: %w", err)
	}
	if len(out) == 0 {
		return nil, errors.New("dsse: no envelope")
	}
	return out, nil
}

func parseEnvelope(b []byte) (*Envelope, error) {
	var probe struct {
		MediaType    string          `json:"mediaType"`
		DSSEEnvelope json.RawMessage `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	var d dsseJSON
	e := &Envelope{}
	if probe.DSSEEnvelope != nil {
		var bu bundleJSON
		if err := json.Unmarshal(b, &bu); err != nil {
			return nil, fmt.Errorf("sigstore bundle: %w", err)
		}
		if bu.DSSEEnvelope == nil {
			return nil, errors.New("sigstore bundle: null dsseEnvelope")
		}
		d, e.BundleType = *bu.DSSEEnvelope, bu.MediaType
		vm := bu.VerificationMaterial
		raw := ""
		if vm.Certificate != nil {
			raw = vm.Certificate.RawBytes
		} else if vm.X509CertificateChain != nil && len(vm.X509CertificateChain.Certificates) > 0 {
			raw = vm.X509CertificateChain.Certificates[0].RawBytes
		}
		if raw != "" {
			cert, err := base64.StdEncoding.DecodeString(raw)
			if err != nil {
				return nil, fmt.Errorf("sigstore bundle: certificate: %w", err)
			}
			e.Certificate = cert
		}
	} else if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("dsse envelope: %w", err)
	}
	if d.PayloadType == "" || d.Payload == "" {
		return nil, errors.New("not a DSSE envelope: payloadType and payload required")
	}
	p, err := decodeB64(d.Payload)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	e.PayloadType, e.Payload = d.PayloadType, p
	if len(d.Signatures) > MaxSignatures {
		return nil, fmt.Errorf("%d signatures: %w", len(d.Signatures), ErrTooLarge)
	}
	for i, s := range d.Signatures {
		sig, err := decodeB64(s.Sig)
		if err != nil || len(sig) == 0 {
			return nil, fmt.Errorf("signature %d: not base64", i)
		}
		e.Signatures = append(e.Signatures, Signature{KeyID: s.KeyID, Sig: sig})
	}
	return e, nil
}

// decodeB64 accepts standard and URL-safe base64, padded or not (DSSE
// allows either).
func decodeB64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// PAE is DSSE's pre-authentication encoding of a payload: what is signed.
func PAE(payloadType string, payload []byte) []byte {
	var b bytes.Buffer
	b.WriteString("DSSEv1 ")
	b.WriteString(strconv.Itoa(len(payloadType)))
	b.WriteByte(' ')
	b.WriteString(payloadType)
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(len(payload)))
	b.WriteByte(' ')
	b.Write(payload)
	return b.Bytes()
}

// Key is a public key signatures are checked against.
type Key struct {
	ID     string // hex SHA-256 of the key's DER (SubjectPublicKeyInfo)
	Public crypto.PublicKey
}

// ParseKeys reads PEM public keys ("PUBLIC KEY") and certificates
// ("CERTIFICATE", whose key is taken: configuring a certificate is
// trusting it).
func ParseKeys(b []byte) ([]Key, error) {
	var out []Key
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		var pub crypto.PublicKey
		switch blk.Type {
		case "PUBLIC KEY":
			k, err := x509.ParsePKIXPublicKey(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("public key: %w", err)
			}
			pub = k
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("certificate: %w", err)
			}
			pub = c.PublicKey
		default:
			return nil, fmt.Errorf("PEM block %q: want PUBLIC KEY or CERTIFICATE", blk.Type)
		}
		k, err := newKey(pub)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM public key or certificate")
	}
	return out, nil
}

func newKey(pub crypto.PublicKey) (Key, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return Key{}, fmt.Errorf("key: %w", err)
	}
	sum := sha256.Sum256(der)
	return Key{ID: hex.EncodeToString(sum[:]), Public: pub}, nil
}

// Verification statuses.
const (
	Verified   = "verified"   // a signature verifies with a configured key
	Unverified = "unverified" // no configured key applies: nothing is known
	Invalid    = "invalid"    // keys are configured and no signature verifies
)

// Verification is the result of checking an envelope's signatures.
type Verification struct {
	Status string `json:"status"`
	KeyID  string `json:"key_id,omitempty"` // the key that verified
	Reason string `json:"reason,omitempty"`
}

// Verify checks the envelope's signatures against keys. With no key it is
// Unverified (saying whether the envelope was signed at all); with keys,
// Verified by the first that checks, else Invalid.
func (e *Envelope) Verify(keys []Key) Verification {
	switch {
	case len(e.Signatures) == 0:
		return Verification{Status: Unverified, Reason: "the envelope is not signed"}
	case len(keys) == 0 && e.Certificate != nil:
		return Verification{Status: Unverified, Reason: "signed with the bundle's certificate, which no configured key or certificate trusts"}
	case len(keys) == 0:
		return Verification{Status: Unverified, Reason: "no key configured for this supplier"}
	}
	msg := PAE(e.PayloadType, e.Payload)
	for _, k := range keys {
		for _, s := range e.Signatures {
			if verifySig(k.Public, msg, s.Sig) {
				return Verification{Status: Verified, KeyID: k.ID}
			}
		}
	}
	return Verification{Status: Invalid, Reason: "no signature verifies with a configured key"}
}

func verifySig(pub crypto.PublicKey, msg, sig []byte) bool {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		var digest []byte
		switch k.Curve {
		case elliptic.P384():
			h := sha512.Sum384(msg)
			digest = h[:]
		case elliptic.P521():
			h := sha512.Sum512(msg)
			digest = h[:]
		default:
			h := sha256.Sum256(msg)
			digest = h[:]
		}
		if ecdsa.VerifyASN1(k, digest, sig) {
			return true
		}
		// Some signers (Google's BCID VSAs) write r||s, fixed width.
		n := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*n {
			return false
		}
		r, s := new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])
		return ecdsa.Verify(k, digest, r, s)
	case ed25519.PublicKey:
		return ed25519.Verify(k, msg, sig)
	case *rsa.PublicKey:
		h := sha256.Sum256(msg)
		return rsa.VerifyPSS(k, crypto.SHA256, h[:], sig, nil) == nil || rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], sig) == nil
	}
	return false
}
