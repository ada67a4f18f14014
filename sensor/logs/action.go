package logs

import (
	"bytes"
	"net/netip"

	"github.com/vigie-cti/vigie/internal/jsonscan"
	"github.com/vigie-cti/vigie/sensor"
)

// The codes of the JSON scanner, as the field tables of this package
// use them.
const (
	actSkip    = jsonscan.Skip
	actDescend = jsonscan.Descend
	actReport  = jsonscan.Report
)

// The actions a format's field table gives a field: which kind of
// observable its value is, or how to find them in it.
const (
	aTime     = actReport + iota // the time of the record (Parser.Time)
	aIP                          // an address
	aDomain                      // a domain name
	aHost                        // an address or a name, maybe with a port
	aURL                         // an absolute URL
	aEmail                       // an e-mail address, maybe as "Name <addr>"
	aFileName                    // a file name
	aFilePath                    // a path: its last element is the file name
	aMD5                         // hex digests
	aSHA1
	aSHA256
	aSHA512
	aHash    // a digest of any of the four lengths
	aText    // free text: the plain-text extractor finds what it holds
	aURLHost // an HTTP Host: emitted as a host, and the host of the URL
	aURLPath // an HTTP request target: with the host, the URL
)

// emitAction emits the observables of value v of a field with action act
// (all but the URL parts, which the caller assembles).
func emitAction(act uint8, v []byte, emit sensor.Emit) {
	if len(v) == 0 {
		return
	}
	switch act {
	case aIP:
		emit(sensor.KindIP, v)
	case aDomain:
		v = bytes.TrimPrefix(bytes.TrimSuffix(v, []byte{'.'}), []byte("*.")) // a wildcard names its parent
		if len(v) > 0 {
			emit(sensor.KindDomain, v)
		}
	case aHost, aURLHost:
		emitHost(v, emit)
	case aURL:
		emit(sensor.KindURL, v)
	case aEmail:
		emitEmail(v, emit)
	case aFileName:
		emit(sensor.KindFileName, v)
	case aFilePath:
		emitFilePath(v, emit)
	case aMD5:
		emit(sensor.KindMD5, v)
	case aSHA1:
		emit(sensor.KindSHA1, v)
	case aSHA256:
		emit(sensor.KindSHA256, v)
	case aSHA512:
		emit(sensor.KindSHA512, v)
	case aHash:
		emit(sensor.KindHash, v)
	case aText:
		extractText(v, emit)
	}
}

// emitHost emits a Host value without its port or brackets: as an
// address when it is one, else as a domain name when it has that shape.
func emitHost(v []byte, emit sensor.Emit) {
	if len(v) > 0 && v[0] == '[' {
		if e := bytes.IndexByte(v, ']'); e > 0 {
			v = v[1:e]
		}
	} else if c := bytes.IndexByte(v, ':'); c >= 0 && bytes.IndexByte(v[c+1:], ':') < 0 {
		v = v[:c]
	}
	v = bytes.TrimSuffix(v, []byte{'.'})
	if looksLikeIP(v) {
		if _, err := netip.ParseAddr(unsafeString(v)); err == nil {
			emit(sensor.KindIP, v)
			return
		}
	}
	if isDomain(v) {
		emit(sensor.KindDomain, v)
	}
}

// emitEmail emits an address given alone or as "Name <addr>", and its
// domain.
func emitEmail(v []byte, emit sensor.Emit) {
	if lt := bytes.LastIndexByte(v, '<'); lt >= 0 {
		if gt := bytes.IndexByte(v[lt:], '>'); gt > 0 {
			v = v[lt+1 : lt+gt]
		}
	}
	v = bytes.TrimSpace(v)
	at := bytes.LastIndexByte(v, '@')
	if at <= 0 || !isDomain(v[at+1:]) {
		return
	}
	emit(sensor.KindEmail, v)
	emit(sensor.KindDomain, v[at+1:])
}

// emitFilePath emits the last element of a path (with / or \ separators).
func emitFilePath(v []byte, emit sensor.Emit) {
	if q := bytes.IndexAny(v, "?#"); q >= 0 && bytes.IndexByte(v, '/') == 0 {
		v = v[:q] // an HTTP path with a query
	}
	if i := bytes.LastIndexAny(v, `/\`); i >= 0 {
		v = v[i+1:]
	}
	if len(v) > 0 {
		emit(sensor.KindFileName, v)
	}
}

// httpURL assembles the URL of an HTTP request from its Host and request
// target, as Zeek and Suricata log them (the scheme is http: a sensor
// that sees the target sees clear text).
type httpURL struct {
	host, target []byte
	hasHost      bool
	hasTarget    bool
	buf          []byte
}

func (u *httpURL) reset() { u.hasHost, u.hasTarget = false, false }

func (u *httpURL) setHost(v []byte) {
	u.host, u.hasHost = append(u.host[:0], v...), true
}

func (u *httpURL) setTarget(v []byte) {
	u.target, u.hasTarget = append(u.target[:0], v...), true
}

// flush emits the URL when both parts are known, or a target that is an
// absolute URL already (a request to a proxy).
func (u *httpURL) flush(emit sensor.Emit) {
	if !u.hasTarget || len(u.target) == 0 {
		return
	}
	t := u.target
	if bytes.HasPrefix(t, []byte("http://")) || bytes.HasPrefix(t, []byte("https://")) {
		emit(sensor.KindURL, t)
		return
	}
	if !u.hasHost || len(u.host) == 0 || t[0] != '/' {
		return
	}
	u.buf = append(append(append(u.buf[:0], "http://"...), u.host...), t...)
	emit(sensor.KindURL, u.buf)
}

// looksLikeIP is a cheap test before parsing (a failed parse allocates its
// error): an IPv4 address starts with a digit, an IPv6 one has a colon.
func looksLikeIP(v []byte) bool {
	return len(v) > 0 && (v[0] >= '0' && v[0] <= '9' || bytes.IndexByte(v, ':') >= 0)
}
