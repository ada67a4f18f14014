package logs

import (
	"bytes"
	"time"

	"github.com/vigie-cti/vigie/internal/jsonscan"
)

// zeekField returns the action of a Zeek log field, by its name in the
// #fields header (TSV) or its key (JSON). Names are the same in every
// log that has them: id.orig_h in conn, dns, http, ssl...; query and
// answers in dns; host, uri and referrer in http; server_name in ssl;
// md5, sha1, sha256 and filename in files; san.* in x509; mailfrom,
// rcptto, from and to in smtp; src and dst in notice.
func zeekField(name []byte) uint8 {
	switch string(name) {
	case "id.orig_h", "id.resp_h", "tx_hosts", "rx_hosts", "san.ip", "src", "dst",
		"client_addr", "server_addr", "assigned_addr", "requested_addr", "x_originating_ip":
		return aIP
	case "query", "server_name", "san.dns":
		return aDomain
	case "answers":
		return aHost
	case "host":
		return aURLHost
	case "uri":
		return aURLPath
	case "referrer", "san.uri":
		return aURL
	case "md5":
		return aMD5
	case "sha1":
		return aSHA1
	case "sha256":
		return aSHA256
	case "sha512":
		return aSHA512
	case "filename", "orig_filenames", "resp_filenames":
		return aFilePath
	case "mailfrom", "rcptto", "san.email", "from", "to", "cc", "reply_to":
		return aEmail
	case "subject", "issuer", "certificate.subject", "certificate.issuer":
		return aText
	case "id":
		return jsonscan.Descend // Zeek JSON with nested records
	}
	return jsonscan.Skip
}

// parseZeekTime reads a Zeek time: seconds since the epoch with a
// fraction ("1591367999.305988"), or, in JSON logs written with ISO 8601
// timestamps, an RFC 3339 string.
func parseZeekTime(v []byte) (time.Time, bool) {
	if len(v) > 0 && (v[0] < '0' || v[0] > '9') {
		return time.Time{}, false
	}
	if bytes.IndexByte(v, 'T') > 0 {
		t, err := time.Parse(time.RFC3339Nano, string(v))
		return t.UTC(), err == nil
	}
	var sec, nsec int64
	i := 0
	for ; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
		if sec > 1<<40 {
			return time.Time{}, false
		}
		sec = sec*10 + int64(v[i]-'0')
	}
	if i < len(v) && v[i] == '.' {
		scale := int64(100_000_000)
		for i++; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
			nsec += int64(v[i]-'0') * scale
			scale /= 10
		}
	}
	if i != len(v) {
		return time.Time{}, false
	}
	return time.Unix(sec, nsec).UTC(), true
}

// ZeekJSON is Zeek's JSON log format (LogAscii::use_json), one record
// per line, with flat ("id.orig_h") or nested ("id": {"orig_h"}) keys.
type ZeekJSON struct{}

// Name returns "zeek-json".
func (ZeekJSON) Name() string { return "zeek-json" }

// Detect accepts a first line that is a JSON object with Zeek's "ts" and
// one of "uid", "fuid", "_path" or "id.orig_h".
func (ZeekJSON) Detect(head []byte) bool {
	l, _ := firstLine(head)
	if len(l) == 0 || l[0] != '{' || !bytes.Contains(l, []byte(`"ts":`)) {
		return false
	}
	for _, k := range []string{`"uid":`, `"fuid":`, `"_path":`, `"id.orig_h":`} {
		if bytes.Contains(l, []byte(k)) {
			return true
		}
	}
	return false
}

// NewParser returns a parser for one Zeek JSON stream.
func (ZeekJSON) NewParser() Parser { return newZeekJSONParser() }

// newZeekJSONParser returns a parser of Zeek JSON records, timed by "ts".
func newZeekJSONParser() *jsonLineParser {
	p := newJSONLineParser(zeekField, "ts", parseZeekTime)
	p.flow = &zeekFlowKeys
	return p
}
