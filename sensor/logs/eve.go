package logs

import (
	"bytes"
	"time"

	"github.com/vigie-cti/vigie/internal/jsonscan"
)

// EVE is Suricata's EVE JSON log: one event per line, of any event_type.
// Observables are read from src_ip and dest_ip, dns (the v7 layout with
// rrname and rdata, and the v8 layout with queries[] and answers[], and
// grouped answers), http (hostname, url, http_refer), tls and quic (sni),
// fileinfo (filename, md5, sha1, sha256), and smtp and email (senders,
// recipients and attachment names).
type EVE struct{}

// Name returns "eve".
func (EVE) Name() string { return "eve" }

// Detect accepts a first line that is a JSON object with an
// "event_type".
func (EVE) Detect(head []byte) bool {
	l, _ := firstLine(head)
	return len(l) > 0 && l[0] == '{' && bytes.Contains(l, []byte(`"event_type":`))
}

// NewParser returns a parser for one EVE stream.
func (EVE) NewParser() Parser { return newEVEParser() }

// eveField returns the action of an EVE path.
func eveField(path []byte) uint8 {
	switch string(path) {
	case "src_ip", "dest_ip":
		return aIP
	case "dns", "dns.queries", "dns.answers", "dns.grouped", "http", "tls", "quic",
		"fileinfo", "smtp", "email":
		return jsonscan.Descend
	case "dns.rrname", "dns.queries.rrname", "dns.answers.rrname", "dns.grouped.CNAME",
		"tls.sni", "quic.sni":
		return aDomain
	case "dns.rdata", "dns.answers.rdata":
		return aHost
	case "dns.grouped.A", "dns.grouped.AAAA":
		return aIP
	case "http.hostname":
		return aURLHost
	case "http.url":
		return aURLPath
	case "http.http_refer":
		return aURL
	case "fileinfo.filename", "email.attachment":
		return aFilePath
	case "fileinfo.md5":
		return aMD5
	case "fileinfo.sha1":
		return aSHA1
	case "fileinfo.sha256":
		return aSHA256
	case "smtp.mail_from", "smtp.rcpt_to", "email.from", "email.to", "email.cc":
		return aEmail
	}
	return jsonscan.Skip
}

// newEVEParser returns a parser of EVE events, timed by "timestamp"
// ("2017-03-06T06:54:06.047429+0000").
func newEVEParser() *jsonLineParser {
	p := newJSONLineParser(eveField, "timestamp", parseEVETime)
	p.flow = &eveFlowKeys
	return p
}

func parseEVETime(v []byte) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999999-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, string(v)); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
