// Command scan generates the data of the sensor benchmarks and times
// "vigie scan" side by side with its peers: grep -F -f for logs,
// sha256sum for file hashing, and the yara command for YARA rules. See
// README.md for the commands and how to read the figures.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-cti/vigie/bench/scan/scandata"
)

func main() {
	dir := flag.String("dir", "/tmp/vigie-bench-scan", "data directory")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: scan [-dir DIR] gen [flags] | run [flags]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	var err error
	switch flag.Arg(0) {
	case "gen":
		err = gen(*dir, flag.Args()[1:])
	case "run":
		err = run(*dir, flag.Args()[1:])
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scan:", err)
		os.Exit(1)
	}
}

func gen(dir string, args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	n := fs.Int("indicators", 1_000_000, "indicator values (mixed kinds)")
	logMB := fs.Int("log-mb", 1024, "approximate size of each log, in MiB")
	filesMB := fs.Int("files-mb", 2048, "total size of the file tree, in MiB")
	fileMB := fs.Int("file-mb", 64, "size of each file of the tree, in MiB")
	hitRate := fs.Float64("hit-rate", 0.001, "fraction of log lines naming an indicator value")
	fs.Parse(args)
	if err := os.MkdirAll(filepath.Join(dir, "files"), 0o755); err != nil {
		return err
	}
	g := scandata.New(1)
	v := g.Values(*n)
	if err := write(dir, "indicators.json", v.WriteBundle); err != nil {
		return err
	}
	if err := write(dir, "patterns.txt", v.WritePatterns); err != nil {
		return err
	}
	// Lines per MiB, measured on the generator's output.
	perMiB := map[string]int{"conn.log": 7280, "dns.log": 5430, "http.log": 4080, "eve.json": 1917}
	for _, name := range []string{"conn.log", "dns.log", "http.log", "eve.json"} {
		fn := map[string]func(w io.Writer, o scandata.LogOptions) error{
			"conn.log": func(w io.Writer, o scandata.LogOptions) error { return g.ZeekConn(w, v, o) },
			"dns.log":  func(w io.Writer, o scandata.LogOptions) error { return g.ZeekDNS(w, v, o) },
			"http.log": func(w io.Writer, o scandata.LogOptions) error { return g.ZeekHTTP(w, v, o) },
			"eve.json": func(w io.Writer, o scandata.LogOptions) error { return g.EVE(w, v, o) },
		}[name]
		o := scandata.LogOptions{Lines: perMiB[name] * *logMB, HitRate: *hitRate}
		if err := write(dir, name, func(w io.Writer) error { return fn(w, o) }); err != nil {
			return err
		}
	}
	// The file tree: random data, and 100,000 SHA-256 indicators (none
	// of them a file of the tree: the scan hashes everything, finds
	// nothing).
	rng := rand.New(rand.NewPCG(3, 4))
	data := make([]byte, *fileMB<<20)
	sha := &scandata.Values{}
	for i := range *filesMB / *fileMB {
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		if err := os.WriteFile(filepath.Join(dir, "files", fmt.Sprintf("file%03d.bin", i)), data, 0o644); err != nil {
			return err
		}
	}
	sha.SHA256 = scandata.New(5).Values(1_000_000).SHA256
	if err := write(dir, "sha256-indicators.json", sha.WriteBundle); err != nil {
		return err
	}
	return genYARA(dir)
}

func write(dir, name string, fn func(w io.Writer) error) error {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := fn(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	fmt.Println("wrote", filepath.Join(dir, name))
	return f.Close()
}

// genYARA writes 100 rules of the shapes public rule sets use (text
// strings plain, wide and nocase, hex strings with jumps, a regular
// expression, PE and size conditions) as rules.yar for the yara command,
// and the same rules as STIX indicators (one per rule) for vigie.
func genYARA(dir string) error {
	rng := rand.New(rand.NewPCG(6, 7))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"[rng.IntN(53)]
		}
		return string(b)
	}
	hexs := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("%02X", rng.IntN(256))
		}
		parts[n/2] = "?? [2-6] " + parts[n/2]
		return strings.Join(parts, " ")
	}
	var all bytes.Buffer
	var objs []map[string]any
	for i := range 100 {
		var r strings.Builder
		fmt.Fprintf(&r, "rule bench_%03d_%s\n{\n  meta:\n    description = \"generated benchmark rule %d\"\n  strings:\n", i, word(6), i)
		fmt.Fprintf(&r, "    $a1 = \"%s\" ascii\n    $a2 = \"%s\" wide\n    $a3 = \"%s\" nocase\n", word(10), word(12), word(9))
		fmt.Fprintf(&r, "    $h1 = { %s }\n    $h2 = { %s }\n", hexs(8), hexs(10))
		if i%10 == 0 {
			fmt.Fprintf(&r, "    $r1 = /%s[0-9]{2,8}\\.(exe|dll)/ nocase\n", word(7))
		}
		conds := []string{"uint16(0) == 0x5A4D and 2 of them", "any of ($a*) and any of ($h*)", "filesize < 50MB and 3 of them", "all of ($h*) or 2 of ($a*)"}
		fmt.Fprintf(&r, "  condition:\n    %s\n}\n", conds[i%len(conds)])
		all.WriteString(r.String() + "\n")
		objs = append(objs, map[string]any{
			"type": "indicator", "spec_version": "2.1", "id": fmt.Sprintf("indicator--7a7a0000-0000-4000-8000-%012d", i),
			"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": fmt.Sprintf("bench rule %d", i),
			"pattern": r.String(), "pattern_type": "yara", "valid_from": "2026-01-01T00:00:00Z",
		})
	}
	if err := os.WriteFile(filepath.Join(dir, "rules.yar"), all.Bytes(), 0o644); err != nil {
		return err
	}
	b, _ := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--7a7a0000-0000-4000-8000-000000000000", "objects": objs})
	return os.WriteFile(filepath.Join(dir, "yara-indicators.json"), b, 0o644)
}

// measure is one timed command.
type measure struct {
	name, cmd string
	bytes     int64
	found1    bool // exit status 1 means "found" (vigie: hits) or "nothing found" (grep), not an error
	wall      []time.Duration
	scanOnly  []time.Duration // vigie's own "scanned ... in" figure
}

var scannedRE = regexp.MustCompile(`scanned .* in ([0-9.]+[a-zµ]+) `)

func (m *measure) run(count int) error {
	for i := -1; i < count; i++ { // one warm-up run
		cmd := exec.Command("sh", "-c", m.cmd)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 1 && m.found1) {
			return fmt.Errorf("%s: %v\n%s", m.cmd, err, errb.String())
		}
		if strings.Contains(errb.String(), "refused") {
			return fmt.Errorf("%s: indicators refused:\n%s", m.cmd, errb.String())
		}
		if i < 0 {
			continue
		}
		m.wall = append(m.wall, wall)
		if sm := scannedRE.FindStringSubmatch(errb.String()); sm != nil {
			if d, err := time.ParseDuration(sm[1]); err == nil {
				m.scanOnly = append(m.scanOnly, d)
			}
		}
	}
	return nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func rate(n int64, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return strconv.FormatFloat(float64(n)/d.Seconds()/1e6, 'f', 0, 64) + " MB/s"
}

func size(path string) int64 {
	var n int64
	filepath.Walk(path, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

func run(dir string, args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	vigie := fs.String("vigie", "vigie", "the vigie binary")
	count := fs.Int("count", 5, "timed runs of each command (after one warm-up run)")
	workers := fs.String("workers", "1,2", "worker counts to time vigie with")
	only := fs.String("only", "logs,files,yara", "which groups to run")
	fs.Parse(args)
	p := func(name string) string { return filepath.Join(dir, name) }
	var ms []*measure
	groups := strings.Split(*only, ",")
	for _, w := range strings.Split(*workers, ",") {
		if slices.Contains(groups, "logs") {
			for _, l := range []string{"conn.log", "dns.log", "http.log", "eve.json"} {
				ms = append(ms, &measure{name: fmt.Sprintf("vigie scan logs %s (%s workers)", l, w), bytes: size(p(l)), found1: true,
					cmd: fmt.Sprintf("%s scan logs --workers %s --indicators %s %s > /dev/null", *vigie, w, p("indicators.json"), p(l))})
			}
		}
		if slices.Contains(groups, "files") {
			ms = append(ms, &measure{name: fmt.Sprintf("vigie scan files, SHA-256 (%s workers)", w), bytes: size(p("files")), found1: true,
				cmd: fmt.Sprintf("%s scan files --workers %s --indicators %s %s > /dev/null", *vigie, w, p("sha256-indicators.json"), p("files"))})
		}
		if slices.Contains(groups, "yara") {
			ms = append(ms, &measure{name: fmt.Sprintf("vigie scan files, YARA (%s workers)", w), bytes: size(p("files")), found1: true,
				cmd: fmt.Sprintf("%s scan files --workers %s --indicators %s %s > /dev/null", *vigie, w, p("yara-indicators.json"), p("files"))},
				&measure{name: fmt.Sprintf("yara -r -p %s", w), bytes: size(p("files")),
					cmd: fmt.Sprintf("yara -r -p %s %s %s > /dev/null", w, p("rules.yar"), p("files"))})
		}
	}
	if slices.Contains(groups, "logs") {
		for _, l := range []string{"conn.log", "dns.log", "http.log", "eve.json"} {
			ms = append(ms, &measure{name: "grep -F -f " + l, bytes: size(p(l)), found1: true,
				cmd: fmt.Sprintf("LC_ALL=C grep -F -f %s %s > /dev/null", p("patterns.txt"), p(l))})
		}
	}
	if slices.Contains(groups, "files") {
		ms = append(ms, &measure{name: "sha256sum (1 process)", bytes: size(p("files")),
			cmd: fmt.Sprintf("sha256sum %s/* > /dev/null", p("files"))},
			&measure{name: "sha256sum (2 processes)", bytes: size(p("files")),
				cmd: fmt.Sprintf("ls %s/* | xargs -P 2 -n 4 sha256sum > /dev/null", p("files"))})
	}
	fmt.Printf("| command | data | median wall time | throughput | vigie scan only (median) |\n|---|---|---|---|---|\n")
	for _, m := range ms {
		if err := m.run(*count); err != nil {
			return err
		}
		w := median(m.wall)
		s := median(m.scanOnly)
		only := "-"
		if s > 0 {
			only = fmt.Sprintf("%s (%s)", s.Round(time.Millisecond), rate(m.bytes, s))
		}
		fmt.Printf("| `%s` | %d MB | %s | %s | %s |\n", m.cmd, m.bytes/1e6, w.Round(time.Millisecond), rate(m.bytes, w), only)
	}
	return nil
}
