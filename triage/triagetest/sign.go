package triagetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"time"
)

// SignerSubject is the subject of the certificate in a built PE's
// signature.
const SignerSubject = "CN=Frozen Lantern Test Signing,O=vigie tests"

// SignerSerial is its serial number.
var SignerSerial = big.NewInt(0x5eed)

// signedData returns a PKCS#7 SignedData (DER) shaped like an Authenticode
// signature: a self-signed test certificate and a signer info naming it.
// The signature value is a placeholder: nothing verifies it.
func signedData() []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: SignerSerial,
		Subject:      pkix.Name{CommonName: "Frozen Lantern Test Signing", Organization: []string{"vigie tests"}},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cert, _ := x509.ParseCertificate(der)
	sha256ID := pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}}
	ecdsaID := pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}}
	algs, _ := asn1.Marshal(sha256ID)
	type issuerAndSerial struct {
		Issuer asn1.RawValue
		Serial *big.Int
	}
	type signerInfo struct {
		Version         int
		SID             issuerAndSerial
		DigestAlgorithm pkix.AlgorithmIdentifier
		SigAlgorithm    pkix.AlgorithmIdentifier
		Signature       []byte
	}
	si, _ := asn1.Marshal(signerInfo{Version: 1, SID: issuerAndSerial{Issuer: asn1.RawValue{FullBytes: cert.RawIssuer}, Serial: SignerSerial},
		DigestAlgorithm: sha256ID, SigAlgorithm: ecdsaID, Signature: []byte("placeholder, not a signature")})
	type contentInfo struct {
		ContentType asn1.ObjectIdentifier
	}
	type signedDataT struct {
		Version          int
		DigestAlgorithms asn1.RawValue
		ContentInfo      contentInfo
		Certificates     asn1.RawValue `asn1:"tag:0"`
		SignerInfos      asn1.RawValue
	}
	set := func(b []byte) asn1.RawValue {
		return asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: b}
	}
	sd, _ := asn1.Marshal(signedDataT{
		Version: 1, DigestAlgorithms: set(algs),
		ContentInfo:  contentInfo{ContentType: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 4}}, // SPC_INDIRECT_DATA
		Certificates: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der},
		SignerInfos:  set(si),
	})
	out, _ := asn1.Marshal(struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue // [0] EXPLICIT SignedData
	}{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: sd}})
	return out
}
