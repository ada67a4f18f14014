package export

import (
	"bufio"
	"strings"
)

// zeekFields is the header of the Intel file. meta.do_notice and
// meta.if_in are read by policy/frameworks/intel/do_notice, which the
// Zeek script loading the file loads too.
const zeekFields = "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\tmeta.do_notice\tmeta.if_in\n"

type zeek struct{ opts *Options }

func newZeek(opts *Options) emitter { return &zeek{opts: opts} }

func (z *zeek) dedup() bool { return false }

func (z *zeek) header(w *bufio.Writer) { w.WriteString(zeekFields) }

func (z *zeek) footer(*bufio.Writer) {}

// zeekType maps a kind to Zeek's Intel::Type.
func zeekType(k Kind) string {
	switch k {
	case KindIPv4, KindIPv6:
		return "Intel::ADDR"
	case KindCIDR4, KindCIDR6:
		return "Intel::SUBNET"
	case KindDomain:
		return "Intel::DOMAIN"
	case KindURL:
		return "Intel::URL"
	case KindEmail:
		return "Intel::EMAIL"
	case KindMD5, KindSHA1, KindSHA256:
		return "Intel::FILE_HASH"
	case KindFileName:
		return "Intel::FILE_NAME"
	case KindCertSHA1:
		return "Intel::CERT_HASH"
	case KindSoftware:
		return "Intel::SOFTWARE"
	}
	return ""
}

// zeekField reports whether s can be one field of Zeek's ASCII input:
// not empty, not the unset ("-") or empty ("(empty)") markers, no tab,
// no control character, not starting with '#' (a comment line) and
// valid UTF-8.
func zeekField(s string) bool {
	return s != "" && s != "-" && s != "(empty)" && s[0] != '#' && !strings.ContainsRune(s, '\\') && printable(s) && strings.TrimSpace(s) == s
}

func (z *zeek) value(w *bufio.Writer, ind *Indicator, v Value) string {
	typ := zeekType(v.Kind)
	if typ == "" {
		return ReasonNotInFormat
	}
	val := v.Value
	switch v.Kind {
	case KindURL:
		// Zeek matches Intel::URL against host and path as it saw them in
		// HTTP, without "http://".
		s, ok := stripScheme(val)
		if !ok {
			return ReasonBadValue
		}
		val = s
	case KindDomain:
		if !hostname(val) {
			return ReasonBadValue
		}
	case KindEmail:
		if strings.Count(val, "@") != 1 || strings.ContainsAny(val, " <>") {
			return ReasonBadValue
		}
	case KindMD5:
		if !hexOf(val, 32) {
			return ReasonBadValue
		}
	case KindSHA1, KindCertSHA1:
		if !hexOf(val, 40) {
			return ReasonBadValue
		}
	case KindSHA256:
		if !hexOf(val, 64) {
			return ReasonBadValue
		}
	}
	if !zeekField(val) || strings.ContainsAny(val, " ") && v.Kind != KindFileName && v.Kind != KindSoftware {
		return ReasonBadValue
	}
	// meta.source is the indicator's id: Zeek logs it in intel.log's
	// sources on a hit, which leads back to the hub.
	source := ind.ID
	if !zeekField(source) || strings.ContainsRune(source, ' ') {
		return ReasonBadValue
	}
	desc := textOf(ind.Name, 256)
	if strings.ContainsRune(desc, '\\') {
		desc = strings.ReplaceAll(desc, `\`, "/")
	}
	if !zeekField(desc) {
		desc = "-"
	}
	url := "-"
	if z.opts.URL != "" && zeekField(z.opts.URL+ind.ID) {
		url = z.opts.URL + ind.ID
	}
	notice := "F"
	if z.opts.DoNotice {
		notice = "T"
	}
	w.WriteString(val)
	w.WriteByte('\t')
	w.WriteString(typ)
	w.WriteByte('\t')
	w.WriteString(source)
	w.WriteByte('\t')
	w.WriteString(desc)
	w.WriteByte('\t')
	w.WriteString(url)
	w.WriteByte('\t')
	w.WriteString(notice)
	w.WriteString("\t-\n")
	return ""
}
