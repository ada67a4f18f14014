package export

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"strings"
)

// DefaultSIDBase is the first sid of the Suricata rules unless configured:
// in the 1,000,000–1,999,999 range that rule sets leave to local rules.
const DefaultSIDBase = 1_960_000

// RuleCount is the number of rules (and sids) of the suricata-rules format.
const RuleCount = 13

// dataset is one of the Suricata files: a dataset (one value per line,
// no comments: Suricata's loader takes none) or a filemd5/filesha256 list
// (the hash first, then the indicator id, which Suricata ignores).
type dataset uint8

const (
	dsDomains dataset = iota + 1
	dsIPv4
	dsIPv6
	dsMD5
	dsSHA256
)

// file returns the name of the dataset's file (for the load option of the
// rules, relative to the rule file).
func (d dataset) file(prefix string) string {
	return prefix + "-" + [...]string{"", "domains", "ipv4", "ipv6", "md5", "sha256"}[d] + ".lst"
}

func (d dataset) set(prefix string) string {
	return prefix + "-" + [...]string{"", "domains", "ipv4", "ipv6", "md5", "sha256"}[d]
}

type datasetWriter struct {
	d dataset
}

func datasetEmitter(d dataset) func(*Options) emitter {
	return func(*Options) emitter { return &datasetWriter{d: d} }
}

func (s *datasetWriter) dedup() bool          { return true }
func (s *datasetWriter) header(*bufio.Writer) {}
func (s *datasetWriter) footer(*bufio.Writer) {}

func (s *datasetWriter) value(w *bufio.Writer, ind *Indicator, v Value) string {
	switch s.d {
	case dsDomains:
		if v.Kind != KindDomain {
			return ReasonNotInFormat
		}
		if !hostname(v.Value) {
			return ReasonBadValue
		}
		// Strings are base64 in Suricata's dataset files.
		w.WriteString(base64.StdEncoding.EncodeToString([]byte(v.Value)))
	case dsIPv4:
		if v.Kind != KindIPv4 {
			return ReasonNotInFormat // datasets hold addresses, not blocks
		}
		w.WriteString(v.Value)
	case dsIPv6:
		if v.Kind != KindIPv6 {
			return ReasonNotInFormat
		}
		w.WriteString(v.Value)
	case dsMD5, dsSHA256:
		want, n := KindMD5, 32
		if s.d == dsSHA256 {
			want, n = KindSHA256, 64
		}
		if v.Kind != want {
			return ReasonNotInFormat
		}
		if !hexOf(v.Value, n) {
			return ReasonBadValue
		}
		w.WriteString(v.Value)
		if ind.ID != "" && printable(ind.ID) && !strings.ContainsAny(ind.ID, " ") {
			w.WriteByte(' ')
			w.WriteString(ind.ID)
		}
	}
	w.WriteByte('\n')
	return ""
}

// suricataRules writes the rules that use the datasets and hash lists.
type suricataRules struct{ opts *Options }

func newSuricataRules(opts *Options) emitter { return &suricataRules{opts: opts} }

func (r *suricataRules) dedup() bool { return false }
func (r *suricataRules) value(*bufio.Writer, *Indicator, Value) string {
	return ReasonNotInFormat
}
func (r *suricataRules) footer(*bufio.Writer) {}

func (r *suricataRules) header(w *bufio.Writer) {
	p := r.opts.DatasetPrefix
	sid := r.opts.SIDBase
	ds := func(d dataset, typ string) string {
		return fmt.Sprintf("dataset:isset,%s, type %s, load %s, memcap 512mb, hashsize 1048576", d.set(p), typ, d.file(p))
	}
	fmt.Fprintf(w, "# vigie indicators for Suricata, written %s.\n", r.opts.Now.UTC().Format("2006-01-02T15:04:05Z"))
	fmt.Fprintf(w, "# Put the files %s, %s, %s, %s and %s beside this rule file;\n",
		dsDomains.file(p), dsIPv4.file(p), dsIPv6.file(p), dsMD5.file(p), dsSHA256.file(p))
	fmt.Fprintf(w, "# sids %d to %d. Each hit's value (query, host, SNI, address, hash) leads back to\n", sid, sid+RuleCount-1)
	w.WriteString("# its indicator through the hub's csv export. Hash rules need file hashing (file-store force-hash).\n")
	rule := func(proto, msg, body string) {
		fmt.Fprintf(w, "alert %s any any -> any any (msg:\"vigie %s\"; %s; classtype:trojan-activity; sid:%d; rev:1; metadata:created_by vigie;)\n", proto, msg, body, sid)
		sid++
	}
	rule("dns", "DNS query for a listed domain", "dns.query; "+ds(dsDomains, "string"))
	rule("http", "HTTP host is a listed domain", "http.host; "+ds(dsDomains, "string"))
	rule("tls", "TLS SNI is a listed domain", "tls.sni; "+ds(dsDomains, "string"))
	rule("ip", "source is a listed IPv4 address", "ip.src; "+ds(dsIPv4, "ipv4"))
	rule("ip", "destination is a listed IPv4 address", "ip.dst; "+ds(dsIPv4, "ipv4"))
	rule("ip", "source is a listed IPv6 address", "ip.src; "+ds(dsIPv6, "ip"))
	rule("ip", "destination is a listed IPv6 address", "ip.dst; "+ds(dsIPv6, "ip"))
	for _, proto := range []string{"http", "smtp", "smb"} {
		rule(proto, "file with a listed MD5 over "+strings.ToUpper(proto), "filemd5:"+dsMD5.file(p))
	}
	for _, proto := range []string{"http", "smtp", "smb"} {
		rule(proto, "file with a listed SHA-256 over "+strings.ToUpper(proto), "filesha256:"+dsSHA256.file(p))
	}
}
