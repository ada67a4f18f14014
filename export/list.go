package export

import (
	"bufio"
	"strings"
)

// list is a plain list, one value per line, as firewalls poll it (an
// "external dynamic list"): no comments, since not every firewall takes
// them; the csv format maps values back to indicators.
type list uint8

const (
	listIP list = iota + 1
	listDomain
	listURL
)

type listWriter struct{ l list }

func listEmitter(l list) func(*Options) emitter {
	return func(*Options) emitter { return &listWriter{l: l} }
}

func (l *listWriter) dedup() bool          { return true }
func (l *listWriter) header(*bufio.Writer) {}
func (l *listWriter) footer(*bufio.Writer) {}

func (l *listWriter) value(w *bufio.Writer, _ *Indicator, v Value) string {
	val := v.Value
	switch l.l {
	case listIP:
		if v.Kind != KindIPv4 && v.Kind != KindIPv6 && v.Kind != KindCIDR4 && v.Kind != KindCIDR6 {
			return ReasonNotInFormat
		}
	case listDomain:
		if v.Kind != KindDomain {
			return ReasonNotInFormat
		}
		if !hostname(val) {
			return ReasonBadValue
		}
	case listURL:
		if v.Kind != KindURL {
			return ReasonNotInFormat
		}
		s, ok := stripScheme(val)
		if !ok || !printable(s) || strings.ContainsAny(s, " ") || len(s) > 2048 {
			return ReasonBadValue
		}
		val = s
	}
	w.WriteString(val)
	w.WriteByte('\n')
	return ""
}
