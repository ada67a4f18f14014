package logs_test

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/logs"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestFormatsGolden")

// formatOfDir is the format each testdata folder holds.
var formatOfDir = map[string]string{
	"zeek": "zeek-tsv", "zeek-json": "zeek-json", "eve": "eve", "cef": "cef", "syslog": "syslog", "text": "text",
}

// TestFormatsGolden detects the format of every sample log and lists, per
// line, the observables its parser emits, against testdata/golden.
func TestFormatsGolden(t *testing.T) {
	for dir, want := range formatOfDir {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*"))
		for _, f := range files {
			if strings.Contains(filepath.Base(f), "LICENSE") {
				continue
			}
			name := dir + "-" + filepath.Base(f)
			t.Run(name, func(t *testing.T) {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				format := logs.Detect(logs.Formats(), data)
				if format.Name() != want {
					t.Fatalf("Detect = %s, want %s", format.Name(), want)
				}
				got := dump(format.NewParser(), data)
				golden := filepath.Join("testdata", "golden", name+".txt")
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				wantOut, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if diff := cmp.Diff(string(wantOut), got); diff != "" {
					t.Errorf("observables of %s (-want +got):\n%s", f, diff)
				}
			})
		}
	}
}

// dump parses data line by line and lists what each line yields.
func dump(p logs.Parser, data []byte) string {
	var b strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		err := p.Parse(sc.Bytes(), func(k sensor.Kind, v []byte) { fmt.Fprintf(&b, "%d %s %s\n", n, k, v) })
		if err != nil {
			fmt.Fprintf(&b, "%d error: %v\n", n, err)
		}
	}
	return b.String()
}

// TestTime reads the time of one line of each format that has one.
func TestTime(t *testing.T) {
	tests := []struct {
		format logs.Format
		header string
		line   string
		want   string
	}{
		{logs.ZeekTSV{}, "#separator \\x09\n#fields\tts\tuid\n", "1709287200.123456\tCx", "2024-03-01T10:00:00.123456Z"},
		{logs.ZeekJSON{}, "", `{"ts":1709287201.5,"uid":"C"}`, "2024-03-01T10:00:01.5Z"},
		{logs.ZeekJSON{}, "", `{"ts":"2024-03-01T10:00:02.250000Z","uid":"C"}`, "2024-03-01T10:00:02.25Z"},
		{logs.EVE{}, "", `{"timestamp":"2017-03-06T06:54:06.047429+0100","event_type":"dns"}`, "2017-03-06T05:54:06.047429Z"},
		{logs.CEF{}, "", `CEF:0|V|P|1|c|n|3|rt=1709287200123 src=10.0.0.1`, "2024-03-01T10:00:00.123Z"},
		{logs.CEF{}, "", `CEF:0|V|P|1|c|n|3|src=10.0.0.1 rt=Mar 01 2024 10:00:00`, "2024-03-01T10:00:00Z"},
		{logs.Syslog{}, "", `<34>1 2024-03-01T11:00:05.003+01:00 host app - - - msg`, "2024-03-01T10:00:05.003Z"},
		{logs.Syslog{}, "", `2024-03-01T10:00:09.123456+00:00 ids01 app: msg`, "2024-03-01T10:00:09.123456Z"},
	}
	for _, tt := range tests {
		p := tt.format.NewParser()
		for _, h := range strings.Split(strings.TrimSuffix(tt.header, "\n"), "\n") {
			if h != "" {
				p.Parse([]byte(h), func(sensor.Kind, []byte) {})
			}
		}
		got, ok := p.Time([]byte(tt.line))
		if !ok || got.Format(time.RFC3339Nano) != tt.want {
			t.Errorf("%s Time(%q) = %v, %v; want %s", tt.format.Name(), tt.line, got.Format(time.RFC3339Nano), ok, tt.want)
		}
	}
}
