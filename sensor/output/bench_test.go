package output_test

import (
	"os"
	"testing"

	"github.com/vigie-cti/vigie/sensor/output"
)

// BenchmarkTableToDevNull writes hits as a table to a real file
// (/dev/null), so that the cost of system calls shows, as in a scan that
// prints millions of hits.
func BenchmarkTableToDevNull(b *testing.B) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := output.NewTable(f, 4096)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.Hit(hit)
	}
	w.Flush()
}

// BenchmarkJSONToDevNull is the same with --json.
func BenchmarkJSONToDevNull(b *testing.B) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := output.NewJSON(f)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.Hit(hit)
	}
	w.Flush()
}
