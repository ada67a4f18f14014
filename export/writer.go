package export

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/maphash"
	"io"
	"slices"
	"strings"
	"time"
)

// Indicator is what a Writer needs of a STIX indicator.
type Indicator struct {
	ID          string // indicator--UUID, written on every line so that a hit leads back to the hub
	Name        string // may be empty
	PatternType string // only "stix" is exported
	Pattern     string
}

// Stats counts what a Writer did.
type Stats struct {
	Indicators int            // indicators given to Write
	Exported   int            // indicators that produced at least one line
	Lines      int            // value lines written (headers and comments apart)
	Skipped    map[string]int // indicators and values left out, by reason (the Reason constants)
}

// Options configures the writers. The zero value is usable.
type Options struct {
	// URL, if set, is the prefix of the link written as Zeek's meta.url:
	// the indicator's id is appended (e.g.
	// "https://hub.example/objects/").
	URL string
	// DoNotice sets Zeek's meta.do_notice to T (policy/frameworks/intel/do_notice).
	DoNotice bool
	// SIDBase is the first Suricata sid of the rules (DefaultSIDBase if 0);
	// the rules use SIDBase to SIDBase+RuleCount-1.
	SIDBase int
	// DatasetPrefix names the Suricata datasets and their files
	// ("vigie" if empty: vigie-domains, vigie-domains.lst, ...).
	DatasetPrefix string
	// RPZAction is what the zone answers for a listed domain: "nxdomain"
	// (CNAME ., the default), "nodata" (CNAME *.), "drop" (CNAME
	// rpz-drop.), "passthru" (CNAME rpz-passthru.), or a domain name to
	// redirect to (a walled garden).
	RPZAction string
	// RPZTTL is the TTL of the zone's records (300 s if 0).
	RPZTTL int
	// Kinds, if set, are the only kinds of values written.
	Kinds []Kind
	// Now is the time written in headers and the zone's serial (time.Now
	// if zero).
	Now time.Time
}

// Writer writes indicators in one format. Write may be called many
// times, then Close once, which flushes; a Writer is not safe for
// concurrent use. An error from the underlying io.Writer is returned by
// Write or Close.
type Writer interface {
	// Write writes the lines of one indicator; an indicator with nothing
	// to export is counted in Stats, not an error.
	Write(ind *Indicator) error
	// Close writes what ends the output and flushes it.
	Close() error
	// Stats returns what was written and skipped so far.
	Stats() Stats
	// Digest returns a digest of the values written so far with their
	// kinds and indicator ids: two outputs with equal digests hold the
	// same data (the time in headers apart), which makes an ETag.
	Digest() string
}

// Format describes one output format.
type Format struct {
	Name        string // as in GET /api/v1/export/{format}
	ContentType string
	Doc         string // one line, for --help and the README
	// NoIndicators is true for a format written from Options alone (the
	// Suricata rules).
	NoIndicators bool
	newEmitter   func(opts *Options) emitter
}

// Formats lists the formats, in the order --help shows them.
func Formats() []Format {
	return []Format{
		{Name: "zeek-intel", ContentType: "text/plain; charset=utf-8", Doc: "Zeek Intel framework file (ADDR, SUBNET, DOMAIN, URL, EMAIL, FILE_HASH, FILE_NAME, CERT_HASH, SOFTWARE)", newEmitter: newZeek},
		{Name: "suricata-rules", ContentType: "text/plain; charset=utf-8", Doc: "Suricata rules that use the datasets and hash lists below (sids from --sid)", NoIndicators: true, newEmitter: newSuricataRules},
		{Name: "suricata-domains", ContentType: "text/plain; charset=utf-8", Doc: "Suricata dataset (type string, base64) of domains, for dns.query, http.host, tls.sni", newEmitter: datasetEmitter(dsDomains)},
		{Name: "suricata-ipv4", ContentType: "text/plain; charset=utf-8", Doc: "Suricata dataset (type ipv4) of IPv4 addresses, for ip.src and ip.dst", newEmitter: datasetEmitter(dsIPv4)},
		{Name: "suricata-ipv6", ContentType: "text/plain; charset=utf-8", Doc: "Suricata dataset (type ip) of IPv6 addresses, for ip.src and ip.dst", newEmitter: datasetEmitter(dsIPv6)},
		{Name: "suricata-md5", ContentType: "text/plain; charset=utf-8", Doc: "Suricata filemd5 list (hash, then the indicator id)", newEmitter: datasetEmitter(dsMD5)},
		{Name: "suricata-sha256", ContentType: "text/plain; charset=utf-8", Doc: "Suricata filesha256 list (hash, then the indicator id)", newEmitter: datasetEmitter(dsSHA256)},
		{Name: "rpz", ContentType: "text/dns; charset=utf-8", Doc: "DNS Response Policy Zone: each domain and its subdomains (NXDOMAIN by default)", newEmitter: newRPZ},
		{Name: "list-ip", ContentType: "text/plain; charset=utf-8", Doc: "one IP address or CIDR block per line (firewall external dynamic list)", newEmitter: listEmitter(listIP)},
		{Name: "list-domain", ContentType: "text/plain; charset=utf-8", Doc: "one domain per line (external dynamic list)", newEmitter: listEmitter(listDomain)},
		{Name: "list-url", ContentType: "text/plain; charset=utf-8", Doc: "one URL per line, without its scheme (external dynamic list)", newEmitter: listEmitter(listURL)},
		{Name: "csv", ContentType: "text/csv; charset=utf-8", Doc: "CSV: value, kind, indicator id, name", newEmitter: newCSV},
	}
}

// FindFormat returns the format with this name.
func FindFormat(name string) (Format, bool) {
	i := slices.IndexFunc(Formats(), func(f Format) bool { return f.Name == name })
	if i < 0 {
		return Format{}, false
	}
	return Formats()[i], true
}

// FormatNames returns the names of the formats.
func FormatNames() []string {
	var names []string
	for _, f := range Formats() {
		names = append(names, f.Name)
	}
	return names
}

// New returns a Writer of the named format writing to w.
func New(format string, w io.Writer, opts Options) (Writer, error) {
	f, ok := FindFormat(format)
	if !ok {
		return nil, fmt.Errorf("export: unknown format %q (formats: %s)", format, strings.Join(FormatNames(), ", "))
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.DatasetPrefix == "" {
		opts.DatasetPrefix = "vigie"
	}
	if !validPrefix(opts.DatasetPrefix) {
		return nil, fmt.Errorf("export: dataset prefix %q: use letters, digits, - and _ (at most 32)", opts.DatasetPrefix)
	}
	if opts.SIDBase == 0 {
		opts.SIDBase = DefaultSIDBase
	}
	if opts.SIDBase < 1 || opts.SIDBase > 1<<31-1-RuleCount {
		return nil, fmt.Errorf("export: sid base %d out of range", opts.SIDBase)
	}
	if opts.RPZTTL <= 0 {
		opts.RPZTTL = 300
	}
	if _, err := rpzTarget(opts.RPZAction); err != nil {
		return nil, err
	}
	if bad := strings.IndexFunc(opts.URL, func(r rune) bool { return r < 0x20 || r == 0x7f || r == ' ' }); bad >= 0 {
		return nil, fmt.Errorf("export: the URL prefix may not hold spaces or control characters")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	wr := &writer{w: bw, e: f.newEmitter(&opts), stats: Stats{Skipped: map[string]int{}}, sum: sha256.New(), kinds: opts.Kinds}
	wr.e.header(bw)
	return wr, nil
}

// emitter is one format: the header, the lines of one value, the end.
type emitter interface {
	header(w *bufio.Writer)
	// value writes the lines of v for ind, or returns a reason to skip it.
	value(w *bufio.Writer, ind *Indicator, v Value) (reason string)
	footer(w *bufio.Writer)
	// dedup is true for formats that must not repeat a value.
	dedup() bool
}

type writer struct {
	w     *bufio.Writer
	e     emitter
	stats Stats
	seen  map[uint64]struct{}
	seed  maphash.Seed
	sum   hash.Hash
	kinds []Kind
	vals  []Value // reused by ValuesOf
	mh    maphash.Hash
	buf   []byte
}

func (wr *writer) skip(reason string) { wr.stats.Skipped[reason]++ }

// Write writes the lines of one indicator.
func (wr *writer) Write(ind *Indicator) error {
	wr.stats.Indicators++
	if ind.PatternType != "stix" {
		wr.skip(ReasonNotSTIX)
		return nil
	}
	vals, reason := ValuesOf(ind.Pattern, wr.vals)
	wr.vals = vals[:0]
	if len(vals) == 0 {
		wr.skip(reason)
		return nil
	}
	if len(vals) == MaxValuesPerIndicator {
		wr.skip(ReasonTooManyValues)
	}
	wrote := false
	for _, v := range vals {
		if len(wr.kinds) > 0 && !slices.Contains(wr.kinds, v.Kind) {
			wr.skip(ReasonFiltered)
			continue
		}
		if wr.e.dedup() {
			if wr.seen == nil {
				wr.seen, wr.seed = map[uint64]struct{}{}, maphash.MakeSeed()
			}
			wr.mh.SetSeed(wr.seed)
			wr.mh.WriteByte(byte(v.Kind))
			wr.mh.WriteString(v.Value)
			h := wr.mh.Sum64()
			if _, dup := wr.seen[h]; dup {
				wr.skip(ReasonDuplicate)
				continue
			}
			if r := wr.e.value(wr.w, ind, v); r != "" {
				wr.skip(r)
				continue
			}
			wr.seen[h] = struct{}{}
		} else if r := wr.e.value(wr.w, ind, v); r != "" {
			wr.skip(r)
			continue
		}
		wr.stats.Lines++
		wr.buf = append(append(append(append(append(wr.buf[:0], byte(v.Kind)), v.Value...), 0), ind.ID...), 0)
		wr.sum.Write(wr.buf)
		wrote = true
	}
	if wrote {
		wr.stats.Exported++
	}
	_, err := wr.w.Write(nil) // the first error of the underlying writer, if any
	return err
}

// Close writes the footer and flushes.
func (wr *writer) Close() error {
	wr.e.footer(wr.w)
	return wr.w.Flush()
}

// Digest returns the digest of the lines written so far.
func (wr *writer) Digest() string { return hex.EncodeToString(wr.sum.Sum(nil)) }

// Stats returns the counts so far.
func (wr *writer) Stats() Stats { return wr.stats }

func validPrefix(s string) bool {
	if len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

// printable reports whether s is valid UTF-8 without control characters
// (C0, DEL, C1), line or paragraph separators.
func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xfffd || r == 0x2028 || r == 0x2029 {
			return false
		}
	}
	return true
}

// textOf returns s with every character that printable refuses, and
// runs of spaces, replaced by one space, trimmed: for descriptions, which
// are ours to clean.
func textOf(s string, max int) string {
	if len(s) <= max && s != "" && s[0] != ' ' && s[len(s)-1] != ' ' && !strings.Contains(s, "  ") && printable(s) {
		return s // the common case, without a copy
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xfffd || r == 0x2028 || r == 0x2029 || r == ' ' {
			space = b.Len() > 0
			continue
		}
		if b.Len() >= max {
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hostname reports whether s is a domain name the formats can hold: ASCII
// letters, digits, '-' and '_' in dot-separated labels of 1 to 63 bytes,
// at most 253 bytes, at least two labels (a bare top-level domain would
// block a whole TLD), and not all digits in the last label.
func hostname(s string) bool {
	if len(s) == 0 || len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if len(label) == 0 || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	last := s[strings.LastIndexByte(s, '.')+1:]
	return strings.Trim(last, "0123456789") != ""
}

// hexOf reports whether s is n lower-case hex digits.
func hexOf(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// stripScheme returns a URL without "scheme://", as Zeek's Intel::URL
// and firewall URL lists want it; ok is false when s has no host after the
// scheme.
func stripScheme(s string) (string, bool) {
	i := strings.Index(s, "://")
	if i <= 0 {
		return "", false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return "", false
		}
	}
	rest := s[i+3:]
	if rest == "" || rest[0] == '/' {
		return "", false
	}
	return rest, true
}

// SuricataFiles returns the formats of a Suricata export and the file
// name of each, as the rules load them (prefix "" is "vigie"): the rule
// file, the datasets and the hash lists.
func SuricataFiles(prefix string) map[string]string {
	if prefix == "" {
		prefix = "vigie"
	}
	return map[string]string{
		"suricata-rules":   prefix + ".rules",
		"suricata-domains": dsDomains.file(prefix),
		"suricata-ipv4":    dsIPv4.file(prefix),
		"suricata-ipv6":    dsIPv6.file(prefix),
		"suricata-md5":     dsMD5.file(prefix),
		"suricata-sha256":  dsSHA256.file(prefix),
	}
}
