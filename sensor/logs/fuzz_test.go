package logs_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/logs"
)

// seedLines adds every line of the sample logs of dirs to the corpus.
func seedLines(f *testing.F, dirs ...string) {
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join("testdata", d, "*"))
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				continue
			}
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				f.Add(bytes.Clone(sc.Bytes()))
			}
		}
	}
}

// collect parses line with a fresh parser (after the header lines) and
// returns what it emits.
func collect(t *testing.T, p logs.Parser, line []byte) ([]string, error) {
	var out []string
	err := p.Parse(line, func(k sensor.Kind, v []byte) {
		if len(v) == 0 {
			t.Errorf("%s emitted an empty value from %q", k, line)
		}
		out = append(out, k.String()+" "+string(v))
	})
	p.Time(line)
	if fp, ok := p.(logs.FlowParser); ok {
		if f, ok := fp.Flow(line); ok {
			if f.SrcIP == "" && f.DstIP == "" || f.SrcPort < 0 || f.SrcPort > 65535 || f.DstPort < 0 || f.DstPort > 65535 {
				t.Errorf("flow of %q: %+v", line, f)
			}
		}
	}
	return out, err
}

// checkStable parses the line twice with the same parser: a parser that
// keeps scratch state must give the same answer.
func checkStable(t *testing.T, p logs.Parser, line []byte) ([]string, error) {
	a, errA := collect(t, p, line)
	b, errB := collect(t, p, line)
	if !slices.Equal(a, b) || (errA == nil) != (errB == nil) {
		t.Errorf("parsing %q twice: %v (%v) then %v (%v)", line, a, errA, b, errB)
	}
	return a, errA
}

// checkJSON adds the property of the JSON formats: a line that is a
// valid JSON object is never refused.
func checkJSON(t *testing.T, f logs.Format, line []byte) {
	_, err := checkStable(t, f.NewParser(), line)
	var obj map[string]json.RawMessage
	if err != nil && json.Unmarshal(line, &obj) == nil && len(bytes.TrimSpace(line)) > 0 {
		// Depth beyond the scanner's limit on a path it reads is the one
		// refusal of valid JSON.
		if !bytes.Contains([]byte(err.Error()), []byte("nested too deeply")) {
			t.Errorf("valid JSON object %q refused: %v", line, err)
		}
	}
}

func FuzzEVE(f *testing.F) {
	seedLines(f, "eve")
	f.Add([]byte(`{"dns":{"queries":[{"rrname":"a\u00e9\ud83d\ude00.example"}]}}`))
	f.Add([]byte(`{"http":{"hostname":"[2001:db8::1]:8080","url":"http:\/\/x\/"}}`))
	f.Fuzz(func(t *testing.T, line []byte) { checkJSON(t, logs.EVE{}, line) })
}

func FuzzZeekJSON(f *testing.F) {
	seedLines(f, "zeek-json")
	f.Add([]byte(`{"ts":"2024-03-01T10:00:00Z","uid":"C","id":{"orig_h":"10.0.0.1"},"answers":["x.example",1]}`))
	f.Fuzz(func(t *testing.T, line []byte) { checkJSON(t, logs.ZeekJSON{}, line) })
}

func FuzzZeekTSV(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "zeek", "*"))
	for _, name := range files {
		data, _ := os.ReadFile(name)
		var header [][]byte
		for _, l := range bytes.Split(data, []byte{'\n'}) {
			if bytes.HasPrefix(l, []byte("#")) {
				header = append(header, l)
			} else {
				f.Add(bytes.Join(header, []byte{'\n'}), l)
			}
		}
	}
	f.Add([]byte("#fields\tts\thost\turi"), []byte("1.5\tevil.example\t/a"))
	f.Fuzz(func(t *testing.T, header, line []byte) {
		p := logs.ZeekTSV{}.NewParser()
		p.Parse([]byte(zeekHeader), func(sensor.Kind, []byte) {})
		for _, h := range bytes.Split(header, []byte{'\n'}) {
			p.Parse(h, func(sensor.Kind, []byte) {})
		}
		checkStable(t, p, line)
		checkStable(t, p.Clone(), line)
	})
}

func FuzzCEF(f *testing.F) {
	seedLines(f, "cef")
	f.Add([]byte(`CEF:0|a\|b|c\\|d|e|f|g|k=v\=w x=\ y= z`))
	f.Fuzz(func(t *testing.T, line []byte) { checkStable(t, logs.CEF{}.NewParser(), line) })
}

func FuzzSyslog(f *testing.F) {
	seedLines(f, "syslog")
	f.Add([]byte(`<0>1 - - - - - [a b="\]"][c] \xef\xbb\xbfmsg CEF:0|x`))
	f.Fuzz(func(t *testing.T, line []byte) { checkStable(t, logs.Syslog{}.NewParser(), line) })
}

func FuzzText(f *testing.F) {
	seedLines(f, "text")
	f.Add([]byte("http://a.example:80/p?x=1. mailto:x@y.example [::ffff:1.2.3.4]:443"))
	f.Fuzz(func(t *testing.T, line []byte) {
		obs, _ := checkStable(t, logs.Text{}.NewParser(), line)
		for _, o := range obs {
			_, v, _ := bytes.Cut([]byte(o), []byte{' '})
			if !bytes.Contains(line, v) {
				t.Errorf("text emitted %q, which is not in %q", v, line)
			}
		}
	})
}

// FuzzScanBlocks checks the Scanner's cutting of streams into blocks:
// whatever the block size and the number of workers, the hits and the
// problems are those of one worker reading one line at a time.
func FuzzScanBlocks(f *testing.F) {
	for _, name := range []string{"testdata/zeek/concatenated.log", "testdata/eve/v7-v8-mixed.json", "testdata/syslog/mixed.log"} {
		data, _ := os.ReadFile(name)
		f.Add(data, uint16(16), uint8(3))
	}
	f.Add([]byte("a.evil-cdn.example\n\n\r\n"+strings.Repeat("x", 200)+"\nb.evil-cdn.example"), uint16(1), uint8(2))
	m := MustMatcher(f, testPatterns...)
	f.Fuzz(func(t *testing.T, data []byte, block uint16, workers uint8) {
		ref := newScanner(m)
		ref.Workers, ref.MaxLine = 1, 100
		want, wst := scanAll(t, ref, "x", data)
		s := newScanner(m)
		s.Workers, s.BlockSize, s.MaxLine = 1+int(workers%4), 1+int(block%512), 100
		got, st := scanAll(t, s, "x", data)
		if !slices.Equal(want, got) {
			t.Errorf("hits differ:\n%v\n%v", want, got)
		}
		if wst.ErrorCount != st.ErrorCount || wst.Lines != st.Lines || wst.Bytes != st.Bytes {
			t.Errorf("status differs:\n%+v\n%+v", wst, st)
		}
		for i := range min(len(wst.Errors), len(st.Errors)) {
			if wst.Errors[i].Error() != st.Errors[i].Error() {
				t.Errorf("problem %d: %v, want %v", i, st.Errors[i], wst.Errors[i])
			}
		}
	})
}
