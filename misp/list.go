package misp

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
)

// MaxListLine bounds one line of a CSV or text feed.
const MaxListLine = 1 << 20

// ReadList reads a CSV or plain-text feed (one value a line; blank lines
// and lines starting with # skipped) and hands each line's value to fn as
// a to_ids attribute of the type cols says, with a UUID derived from the
// feed's name, the type and the value (the same value keeps its UUID from
// one run to the next) and the timestamp created. A line that cannot be
// split goes to bad with its number, and reading goes on; a line over
// MaxListLine ends the list with an error.
func ReadList(r io.Reader, feed string, cols vigie.FeedColumns, created time.Time, fn func(a *Attribute) error, bad func(line int, err error)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxListLine)
	delim := ','
	if cols.Delimiter != "" {
		delim = rune(cols.Delimiter[0])
	}
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if text == "" || text[0] == '#' {
			continue
		}
		cr := csv.NewReader(strings.NewReader(text))
		cr.Comma, cr.LazyQuotes, cr.FieldsPerRecord = delim, true, -1
		rec, err := cr.Read()
		if err != nil {
			bad(line, err)
			continue
		}
		col := func(n int) string {
			if n < 1 || n > len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[n-1])
		}
		value := col(cols.Value)
		if value == "" {
			bad(line, fmt.Errorf("no value in column %d", cols.Value))
			continue
		}
		typ := cols.Type
		if typ == "" {
			typ = col(cols.TypeColumn)
		}
		a := &Attribute{UUID: vigie.NameUUID("vigie-feed/" + feed + "/" + typ + "/" + value), Type: typ, Value: value,
			ToIDs: true, Comment: col(cols.Comment), Timestamp: Timestamp(max(created.Unix(), 0))}
		if err := fn(a); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("misp: list: a line is over %d KB", MaxListLine>>10)
		}
		return fmt.Errorf("misp: list: %w", err)
	}
	return nil
}
