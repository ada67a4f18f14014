package triage

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"
)

// Certificate is one certificate carried by an Authenticode signature
// (the signature itself is not verified: this says who it claims).
type Certificate struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	Serial    string    `json:"serial"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	SHA256    string    `json:"sha256"`
	Signer    bool      `json:"signer,omitempty"` // named by the signer info
}

const maxCertificates = 32

var oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

// readCertificates lists the certificates of a PKCS#7 SignedData (the
// content of a WIN_CERTIFICATE of type PKCS_SIGNED_DATA) and marks the
// signer's.
func readCertificates(der []byte) ([]Certificate, error) {
	// ContentInfo: the content type, then [0] EXPLICIT the content.
	var ci asn1.RawValue
	if _, err := asn1.Unmarshal(der, &ci); err != nil || ci.Tag != asn1.TagSequence {
		return nil, fmt.Errorf("not a PKCS#7 content info")
	}
	var oid asn1.ObjectIdentifier
	rest, err := asn1.Unmarshal(ci.Bytes, &oid)
	if err != nil || !oid.Equal(oidSignedData) {
		return nil, fmt.Errorf("PKCS#7 content is not signed data")
	}
	var wrapped asn1.RawValue
	if _, err := asn1.Unmarshal(rest, &wrapped); err != nil || wrapped.Class != asn1.ClassContextSpecific || wrapped.Tag != 0 {
		return nil, fmt.Errorf("PKCS#7 signed data missing")
	}
	// SignedData: version, digest algorithms, content info, then the
	// optional [0] certificates and [1] CRLs, then the signer infos.
	var sd asn1.RawValue
	if _, err := asn1.Unmarshal(wrapped.Bytes, &sd); err != nil || sd.Tag != asn1.TagSequence {
		return nil, fmt.Errorf("PKCS#7 signed data is not a sequence")
	}
	var certDER, signers []byte
	for rest := sd.Bytes; len(rest) > 0; {
		var el asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &el); err != nil {
			return nil, fmt.Errorf("PKCS#7 signed data: %w", err)
		}
		switch {
		case el.Class == asn1.ClassContextSpecific && el.Tag == 0:
			certDER = el.Bytes
		case el.Class == asn1.ClassUniversal && el.Tag == asn1.TagSet:
			signers = el.Bytes // the last SET: signer infos (the first is the digest algorithms)
		}
	}
	certs, err := x509.ParseCertificates(certDER)
	if err != nil {
		return nil, fmt.Errorf("PKCS#7 certificates: %w", err)
	}
	signerSerial := firstSignerSerial(signers)
	var out []Certificate
	for i, c := range certs {
		if i == maxCertificates {
			break
		}
		sum := sha256.Sum256(c.Raw)
		out = append(out, Certificate{
			Subject: printable(c.Subject.String()), Issuer: printable(c.Issuer.String()), Serial: c.SerialNumber.Text(16),
			NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), SHA256: hex.EncodeToString(sum[:]),
			Signer: signerSerial != nil && c.SerialNumber.Cmp(signerSerial) == 0,
		})
	}
	return out, nil
}

// firstSignerSerial returns the serial number in the first SignerInfo's
// IssuerAndSerialNumber, or nil.
func firstSignerSerial(set []byte) *big.Int {
	var si asn1.RawValue
	if _, err := asn1.Unmarshal(set, &si); err != nil {
		return nil
	}
	var version int
	rest, err := asn1.Unmarshal(si.Bytes, &version)
	if err != nil {
		return nil
	}
	var ias struct {
		Issuer asn1.RawValue
		Serial *big.Int
	}
	if _, err := asn1.Unmarshal(rest, &ias); err != nil {
		return nil
	}
	return ias.Serial
}
