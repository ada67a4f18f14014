package export

import (
	"bufio"
	"encoding/csv"
	"strings"
)

// csvWriter writes RFC 4180 CSV: value, kind, indicator id, name. Fields
// are quoted as encoding/csv quotes them; control characters other than
// the quoted ones are refused in values and removed from names, and a
// value that a spreadsheet would run as a formula (=, +, -, @) is
// refused.
type csvWriter struct {
	cw *csv.Writer
}

func newCSV(*Options) emitter { return &csvWriter{} }

func (c *csvWriter) dedup() bool { return false }

func (c *csvWriter) header(w *bufio.Writer) {
	c.cw = csv.NewWriter(w)
	c.cw.Write([]string{"value", "kind", "indicator", "name"})
	c.cw.Flush()
}

func (c *csvWriter) footer(*bufio.Writer) { c.cw.Flush() }

func (c *csvWriter) value(w *bufio.Writer, ind *Indicator, v Value) string {
	if !printable(v.Value) || v.Value == "" || strings.ContainsAny(v.Value[:1], "=+-@") {
		return ReasonBadValue
	}
	name := textOf(ind.Name, 1024)
	if name != "" && strings.ContainsAny(name[:1], "=+-@") {
		name = "'" + name
	}
	id := ind.ID
	if !printable(id) {
		id = ""
	}
	c.cw.Write([]string{v.Value, v.Kind.String(), id, name})
	c.cw.Flush()
	return ""
}
