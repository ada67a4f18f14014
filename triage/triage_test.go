package triage_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/triage"
	"github.com/vigie-cti/vigie/triage/triagetest"
	"github.com/vigie-cti/vigie/zipcrypto"
)

// fullPE is a DLL with every table triage reads.
func fullPE() []byte {
	return triagetest.PE(triagetest.PEOptions{
		DLL: true, Timestamp: 1600000000, Signed: true,
		Imports: []triagetest.Import{
			{DLL: "KERNEL32.dll", Functions: []string{"ExitProcess"}},
			{DLL: "OLEAUT32.dll", Functions: []string{"#2", "#9999"}},
			{DLL: "custom.ocx", Functions: []string{"#5", "Foo"}},
		},
		Exports: []string{"Alpha", "Beta"},
		PDB:     "x.pdb",
		Resources: []triagetest.Resource{
			{Type: 16, Name: 1, Language: 1033, Data: []byte("ver")},
			{Type: 10, Name: 7, Language: 0, Data: []byte("MZ...")},
		},
	})
}

func TestPE(t *testing.T) {
	r := triage.Analyze(fullPE(), triage.Options{})
	if r.Type != triage.TypePE || r.PE == nil {
		t.Fatalf("type %s, PE %v", r.Type, r.PE)
	}
	pe := r.PE
	// Expected values printed by pefile 2023.2.7 for the same bytes.
	if pe.Imphash != "d36ce9dbfdfa66ec4e4bedb626c95f4c" {
		t.Errorf("imphash %s, pefile says d36ce9dbfdfa66ec4e4bedb626c95f4c", pe.Imphash)
	}
	wantImports := []triage.Import{
		{DLL: "KERNEL32.dll", Functions: []string{"ExitProcess"}},
		{DLL: "OLEAUT32.dll", Functions: []string{"SysAllocString", "ord9999"}},
		{DLL: "custom.ocx", Functions: []string{"ord5", "Foo"}},
	}
	if diff := cmp.Diff(wantImports, pe.Imports); diff != "" {
		t.Errorf("imports (-want +got):\n%s", diff)
	}
	wantExports := &triage.Exports{DLL: "sample.dll", Functions: []triage.Export{{Name: "Alpha", Ordinal: 1}, {Name: "Beta", Ordinal: 2}}}
	if diff := cmp.Diff(wantExports, pe.Exports); diff != "" {
		t.Errorf("exports (-want +got):\n%s", diff)
	}
	var res []string
	for _, x := range pe.Resources {
		res = append(res, x.Type+"/"+x.Name+"/"+string(x.Content))
	}
	if diff := cmp.Diff([]string{"VERSION/1/", "RCDATA/7/dos-mz"}, res); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	if pe.Kind != "dll" || pe.Machine != "x86-64" || pe.Bits != 64 || pe.Compiled.Unix() != 1600000000 {
		t.Errorf("header: kind %s machine %s bits %d compiled %v", pe.Kind, pe.Machine, pe.Bits, pe.Compiled)
	}
	if pe.Signature == nil || pe.Signature.Type != "pkcs7" || len(pe.Signature.Certificates) != 1 {
		t.Fatalf("signature %+v, want a PKCS#7 one with its certificate", pe.Signature)
	}
	if c := pe.Signature.Certificates[0]; c.Subject != triagetest.SignerSubject || !c.Signer || c.Serial != "5eed" || c.NotAfter.Year() != 2028 {
		t.Errorf("certificate %+v", c)
	}
	if pe.PDB != "x.pdb" || pe.DebugTime == nil || pe.DebugTime.Unix() != 1600000000 {
		t.Errorf("debug: pdb %q time %v", pe.PDB, pe.DebugTime)
	}
	var names []string
	for _, s := range pe.Sections {
		names = append(names, s.Name+" "+s.Flags)
	}
	if diff := cmp.Diff([]string{".text r-x", ".rdata r--", ".rsrc r--"}, names); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	if pe.Overlay == nil || pe.Overlay.Offset != pe.Signature.Offset || pe.Overlay.Size != pe.Signature.Size {
		t.Errorf("overlay %+v, want the certificate table %+v", pe.Overlay, pe.Signature)
	}
	if len(r.Notes) != 0 {
		t.Errorf("notes on a well-formed file: %q", r.Notes)
	}
}

// TestSampleObservables checks the strings of interest of the demo
// sample: URL, domain, mail address, registry key, mutex.
func TestSampleObservables(t *testing.T) {
	r := triage.Analyze(triagetest.Sample(1), triage.Options{})
	if r.PE.Imphash != "6c86498118912ad58706110ac51307b4" {
		t.Errorf("imphash %s, pefile says 6c86498118912ad58706110ac51307b4", r.PE.Imphash)
	}
	got := map[string]bool{}
	for _, o := range r.Observables {
		got[o.Kind+" "+o.Value] = true
	}
	for _, want := range []string{
		"url http://update.frozen-lantern.example/check",
		"email lantern-ops@mail.frozen-lantern.example",
		"mutex Global\\FrozenLanternMutex",
		`registry-key HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run\lantern`,
	} {
		if !got[want] {
			t.Errorf("observable %q missing; got %v", want, r.Observables)
		}
	}
	for o := range got {
		if strings.Contains(strings.ToLower(o), ".dll") {
			t.Errorf("a DLL name taken for an observable: %q", o)
		}
	}
	if r.PE.PDB != `C:\build\lantern\Release\lantern.pdb` {
		t.Errorf("pdb %q", r.PE.PDB)
	}
}

// TestImphashAgreesWithPefile runs pefile, when installed, on the PE files
// the tests have (built here, gcc's hello world, and a Go program built for
// Windows when not -short) and compares imphash and imports.
func TestImphashAgreesWithPefile(t *testing.T) {
	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import pefile").Run() != nil {
		t.Skip("python3-pefile is not installed (scripts/setup.sh installs it): skipping the comparison with pefile; the expected values in TestPE still apply")
	}
	dir := t.TempDir()
	files := map[string][]byte{"full.dll": fullPE(), "sample1.exe": triagetest.Sample(1), "sample2.exe": triagetest.Sample(2)}
	hello, err := os.ReadFile("testdata/hello-gcc-386-mingw.exe")
	if err != nil {
		t.Fatal(err)
	}
	files["hello.exe"] = hello
	if !testing.Short() {
		src := filepath.Join(dir, "main.go")
		os.WriteFile(src, []byte("package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"hello\") }\n"), 0o600)
		out := filepath.Join(dir, "gohello.exe")
		cmd := exec.Command("go", "build", "-o", out, src)
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Logf("no Go Windows build (%v: %s); compared without it", err, b)
		} else {
			b, _ := os.ReadFile(out)
			files["gohello.exe"] = b
		}
	}
	script := `import pefile, sys, json
p = pefile.PE(sys.argv[1])
imps = [[e.dll.decode(), [(i.name.decode() if i.name else "ord%d" % i.ordinal) for i in e.imports]] for e in getattr(p, "DIRECTORY_ENTRY_IMPORT", [])]
print(json.dumps({"imphash": p.get_imphash(), "imports": imps, "sections": [s.Name.rstrip(b"\0").decode() for s in p.sections]}))`
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(py, "-c", script, path).Output()
		if err != nil {
			t.Fatalf("pefile on %s: %v", name, err)
		}
		var want struct {
			Imphash  string
			Imports  [][]any
			Sections []string
		}
		if err := json.Unmarshal(out, &want); err != nil {
			t.Fatal(err)
		}
		r := triage.Analyze(data, triage.Options{})
		if r.PE == nil {
			t.Fatalf("%s: not read as PE", name)
		}
		if r.PE.Imphash != want.Imphash {
			t.Errorf("%s: imphash %s, pefile %s", name, r.PE.Imphash, want.Imphash)
		}
		var got [][]any
		for _, imp := range r.PE.Imports {
			fns := []any{}
			for _, f := range imp.Functions {
				fns = append(fns, f)
			}
			got = append(got, []any{imp.DLL, fns})
		}
		// pefile names an unknown ordinal "ord5" only in imphash; our
		// list does the same everywhere, so compare on that form.
		for _, w := range want.Imports {
			for i, f := range w[1].([]any) {
				if s, ok := f.(string); ok && strings.HasPrefix(s, "ord") {
					w[1].([]any)[i] = s
				}
			}
		}
		if diff := cmp.Diff(want.Imports, got); diff != "" {
			t.Errorf("%s: imports (-pefile +triage):\n%s", name, diff)
		}
		var secs []string
		for _, s := range r.PE.Sections {
			secs = append(secs, s.Name)
		}
		if diff := cmp.Diff(want.Sections, secs); diff != "" {
			t.Errorf("%s: sections (-pefile +triage):\n%s", name, diff)
		}
	}
	t.Logf("imphash and imports agree with pefile on %d files", len(files))
}

func TestELFOfThisTest(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	r := triage.Analyze(data, triage.Options{})
	if r.Type != triage.TypeELF || r.ELF == nil {
		t.Fatalf("type %s", r.Type)
	}
	e := r.ELF
	if e.Class != "ELF64" || e.Machine == "" || e.Entry == 0 || len(e.Sections) < 5 {
		t.Errorf("header: %+v", e)
	}
	var text *triage.Section
	for i := range e.Sections {
		if e.Sections[i].Name == ".text" {
			text = &e.Sections[i]
		}
	}
	if text == nil || text.Entropy < 4 || text.Entropy > 8 || text.Flags != "r-x" {
		t.Errorf(".text section: %+v", text)
	}
	if e.BuildID == "" {
		t.Error("no build id (Go binaries have one)")
	}
	if r.TLSH == "" || r.SSDEEP == "" || r.Hashes.SHA256 == "" || r.Entropy <= 0 {
		t.Errorf("hashes: tlsh %q ssdeep %q", r.TLSH, r.SSDEEP)
	}
}

func TestMachO(t *testing.T) {
	for _, c := range []struct{ file, cpu string }{
		{"testdata/hello-gcc-amd64-darwin.base64", "CpuAmd64"},
		{"testdata/hello-fat-386-amd64-darwin.base64", "Cpu386"},
	} {
		b64, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		data, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(b64), nil)))
		if err != nil {
			t.Fatal(err)
		}
		r := triage.Analyze(data, triage.Options{})
		if r.MachO == nil {
			t.Fatalf("%s: type %s, no Mach-O report", c.file, r.Type)
		}
		m := r.MachO
		if m.CPU != c.cpu || m.Kind != "execute" || len(m.Sections) == 0 || !slices.Contains(m.Libraries, "/usr/lib/libSystem.B.dylib") {
			t.Errorf("%s: %+v", c.file, m)
		}
		if !slices.ContainsFunc(m.Imports, func(s string) bool { return strings.Contains(s, "printf") || strings.Contains(s, "puts") }) {
			t.Errorf("%s: imports %v lack printf/puts", c.file, m.Imports)
		}
	}
}

func TestEICAR(t *testing.T) {
	eicar := []byte(`X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`)
	r := triage.Analyze(eicar, triage.Options{})
	if !slices.Contains(r.Detections, "EICAR-Test-File") || r.Type != triage.TypeText {
		t.Errorf("EICAR: type %s detections %v", r.Type, r.Detections)
	}
	if r.Hashes.MD5 != "44d88612fea8a8f36de82e1278abb02f" {
		t.Errorf("EICAR md5 %s", r.Hashes.MD5)
	}
	if r.TLSH != "" || !slices.ContainsFunc(r.Notes, func(s string) bool { return strings.Contains(s, "TLSH") }) {
		t.Errorf("a 70-byte file has no TLSH, and a note says so: %q %q", r.TLSH, r.Notes)
	}
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, name := range slices.Sorted(mapsKeys(files)) {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(files[name])
	}
	w.Close()
	return b.Bytes()
}

func mapsKeys(m map[string][]byte) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func gzipOf(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Name = "inner.bin"
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func TestArchives(t *testing.T) {
	sample := triagetest.Sample(3)
	inner := zipOf(t, map[string][]byte{"deep.zip": zipOf(t, map[string][]byte{"x.txt": []byte("x")})})
	r := triage.Analyze(zipOf(t, map[string][]byte{"sample.exe": sample, "nested.zip": inner, "readme.txt": []byte("hello")}), triage.Options{})
	if r.Archive == nil || len(r.Archive.Members) != 3 {
		t.Fatalf("zip: %+v", r.Archive)
	}
	byName := map[string]triage.Member{}
	for _, m := range r.Archive.Members {
		byName[m.Name] = m
	}
	want := triage.Analyze(sample, triage.Options{}).Hashes
	if m := byName["sample.exe"]; m.Type != triage.TypePE || m.Hashes == nil || *m.Hashes != want {
		t.Errorf("member sample.exe: %+v", m)
	}
	if m := byName["nested.zip"]; m.Type != triage.TypeZip || !strings.Contains(m.Note, "one level") {
		t.Errorf("a zip in a zip is not opened, and says so: %+v", m)
	}
	if !slices.ContainsFunc(r.Notes, func(s string) bool { return strings.Contains(s, "nested.zip") }) {
		t.Errorf("notes %q do not name the nested archive", r.Notes)
	}

	g := triage.Analyze(gzipOf(sample), triage.Options{})
	if g.Archive == nil || len(g.Archive.Members) != 1 || g.Archive.Members[0].Type != triage.TypePE || g.Archive.Members[0].Name != "inner.bin" {
		t.Errorf("gzip: %+v", g.Archive)
	}
}

func TestBombsRefused(t *testing.T) {
	// A highly compressible member beyond the ratio limit.
	big := bytes.Repeat([]byte{0}, 8<<20)
	r := triage.Analyze(zipOf(t, map[string][]byte{"zeros.bin": big}), triage.Options{})
	if r.Archive == nil || !strings.Contains(r.Archive.Members[0].Note, "zip bomb") || r.Archive.Members[0].Hashes != nil {
		t.Errorf("8 MiB of zeros in a zip: %+v", r.Archive)
	}
	// More than the total limit.
	r = triage.Analyze(zipOf(t, map[string][]byte{"a": make([]byte, 3000), "b": make([]byte, 3000)}), triage.Options{MaxArchiveTotal: 4000})
	if r.Archive == nil || !strings.Contains(r.Archive.Refused, "zip bomb") {
		t.Errorf("over the total: %+v", r.Archive)
	}
	// Gzip beyond the limit.
	r = triage.Analyze(gzipOf(big), triage.Options{MaxArchiveTotal: 1 << 20})
	if r.Archive == nil || !strings.Contains(r.Archive.Refused, "gzip bomb") {
		t.Errorf("gzip bomb: %+v", r.Archive)
	}
	// Overlapping members: two central directory entries pointing at one
	// local file.
	one := zipOf(t, map[string][]byte{"a.txt": bytes.Repeat([]byte("abc"), 100)})
	r = triage.Analyze(duplicateCentralEntry(t, one), triage.Options{})
	if r.Archive == nil || !strings.Contains(r.Archive.Refused, "overlap") {
		t.Errorf("overlapping members: %+v (notes %q)", r.Archive, r.Notes)
	}
}

// duplicateCentralEntry rewrites a one-member zip so that its central
// directory lists the member twice (the shape of an overlapping zip bomb).
func duplicateCentralEntry(t *testing.T, z []byte) []byte {
	eocd := bytes.LastIndex(z, []byte("PK\x05\x06"))
	cdSize := binary.LittleEndian.Uint32(z[eocd+12:])
	cdOff := binary.LittleEndian.Uint32(z[eocd+16:])
	cd := z[cdOff : cdOff+cdSize]
	out := slices.Concat(z[:cdOff], cd, cd, z[eocd:])
	e := len(out) - (len(z) - eocd)
	binary.LittleEndian.PutUint16(out[e+8:], 2)
	binary.LittleEndian.PutUint16(out[e+10:], 2)
	binary.LittleEndian.PutUint32(out[e+12:], 2*cdSize)
	return out
}

// TestMalformed feeds broken files: each gives a report, with notes, and
// no panic.
func TestMalformed(t *testing.T) {
	pe := fullPE()
	overlap := slices.Clone(pe)
	// Make .rdata start where .text starts in the file.
	secTable := 0x80 + 4 + 20 + 240
	textRaw := binary.LittleEndian.Uint32(overlap[secTable+20:])
	binary.LittleEndian.PutUint32(overlap[secTable+40+20:], textRaw)
	loop := slices.Clone(pe)
	// Point the first type entry of the resource root back at the root.
	rsrcRaw := binary.LittleEndian.Uint32(loop[secTable+80+20:])
	binary.LittleEndian.PutUint32(loop[rsrcRaw+16+4:], 0x80000000)
	badSignature := slices.Clone(pe)
	sigOff := binary.LittleEndian.Uint32(badSignature[0x80+4+20+112+8*4:])
	copy(badSignature[sigOff+8:], "\x30\x03\x02\x01") // a content info that is not one
	hugeResources := slices.Clone(pe)
	// The resource root declares 65,535 entries: the reader stops at the
	// end of the data or at its limit.
	binary.LittleEndian.PutUint16(hugeResources[rsrcRaw+14:], 0xffff)
	manySections := slices.Clone(pe)
	binary.LittleEndian.PutUint16(manySections[0x80+4+2:], 0xffff)
	badLfanew := slices.Clone(pe)
	binary.LittleEndian.PutUint32(badLfanew[0x3c:], 0xfffffff0)
	elfHead := []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00\x01\x00\x00\x00\x00\x10\x40\x00\x00\x00\x00\x00")

	for _, c := range []struct {
		name     string
		data     []byte
		typ      triage.Type
		wantNote string
	}{
		{"empty", nil, triage.TypeEmpty, "empty"},
		{"all zeros", make([]byte, 1<<20), triage.TypeData, "1048576 bytes of 0x00"},
		{"PE cut in the headers", pe[:0x100], triage.TypePE, "truncated"},
		{"PE cut in the section table", pe[:0x80+4+20+240+50], triage.TypePE, "section table truncated"},
		{"PE cut in the sections", pe[:0x700], triage.TypePE, "cut by the end of the file"},
		{"overlapping sections", overlap, triage.TypePE, "overlap"},
		{"resource tree loop", loop, triage.TypePE, "loops"},
		{"65535 sections declared", manySections, triage.TypePE, "section"},
		{"65535 resources declared", hugeResources, triage.TypePE, "resource"},
		{"signature that is not PKCS#7", badSignature, triage.TypePE, "pe: signature:"},
		{"e_lfanew beyond the file", badLfanew, triage.TypeMZ, ""},
		{"ELF header only", elfHead, triage.TypeELF, "elf"},
		{"Mach-O magic only", []byte("\xcf\xfa\xed\xfe\x07\x00\x00\x01"), triage.TypeMachO, "macho"},
		{"zip header only", []byte("PK\x03\x04\x14\x00"), triage.TypeZip, "zip"},
		{"gzip header only", []byte("\x1f\x8b\x08\x00"), triage.TypeGzip, "gzip"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := triage.Analyze(c.data, triage.Options{})
			if r.Type != c.typ {
				t.Errorf("type %s, want %s", r.Type, c.typ)
			}
			if r.Hashes.SHA256 == "" || r.Size != int64(len(c.data)) {
				t.Errorf("hashes or size missing: %+v", r)
			}
			if c.wantNote != "" && !slices.ContainsFunc(r.Notes, func(s string) bool { return strings.Contains(s, c.wantNote) }) {
				t.Errorf("notes %q, want one about %q", r.Notes, c.wantNote)
			}
			if _, err := json.Marshal(r); err != nil {
				t.Errorf("report does not marshal: %v", err)
			}
		})
	}
	// Every prefix of a PE: reports, never a panic.
	for n := 0; n < len(pe); n += 7 {
		triage.Analyze(pe[:n], triage.Options{})
	}
}

func FuzzAnalyze(f *testing.F) {
	f.Add(fullPE())
	f.Add(triagetest.PE(triagetest.PEOptions{}))
	f.Add([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00\x01\x00\x00\x00\x00\x10\x40\x00\x00\x00\x00\x00"))
	f.Add([]byte("\xcf\xfa\xed\xfe\x07\x00\x00\x01\x03\x00\x00\x00\x02\x00\x00\x00"))
	f.Add([]byte("\xca\xfe\xba\xbe\x00\x00\x00\x02"))
	f.Add(gzipOf([]byte("MZ hello")))
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("see http://a.example/x and Global\\Mutant HKLM\\Software\\x"))
	var z bytes.Buffer
	zipcrypto.Write(&z, "infected", zipcrypto.File{Name: "s.exe", Data: triagetest.PE(triagetest.PEOptions{})})
	f.Add(z.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		r := triage.Analyze(data, triage.Options{MaxArchiveTotal: 1 << 20})
		for _, n := range r.Notes {
			if strings.Contains(n, "reader failed") {
				t.Fatalf("a reader panicked: %s", n)
			}
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkAnalyze10MiBPE(b *testing.B) {
	data := triagetest.PE(triagetest.PEOptions{
		Imports:  []triagetest.Import{{DLL: "KERNEL32.dll", Functions: []string{"ExitProcess", "Sleep"}}},
		DataSize: 10 << 20, Filler: 1,
		Strings: []string{"http://x.example/a", "Global\\m"},
	})
	b.SetBytes(int64(len(data)))
	start := cpuTime()
	for b.Loop() {
		triage.Analyze(data, triage.Options{})
	}
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime returns the CPU time the process has used: on a machine shared
// with other work it measures the cost on one core better than the wall
// clock, which also counts time spent descheduled.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestZipInfected opens a member encrypted with "infected", the way
// samples travel, and leaves one with another password closed.
func TestZipInfected(t *testing.T) {
	sample := triagetest.Sample(5)
	var b bytes.Buffer
	if err := zipcrypto.Write(&b, "infected", zipcrypto.File{Name: "s.exe", Data: sample}); err != nil {
		t.Fatal(err)
	}
	r := triage.Analyze(b.Bytes(), triage.Options{})
	m := r.Archive.Members[0]
	if !m.Encrypted || m.Type != triage.TypePE || m.Hashes == nil || m.Hashes.SHA256 != triage.Analyze(sample, triage.Options{}).Hashes.SHA256 {
		t.Errorf("member: %+v", m)
	}
	b.Reset()
	zipcrypto.Write(&b, "secret", zipcrypto.File{Name: "s.exe", Data: sample})
	r = triage.Analyze(b.Bytes(), triage.Options{})
	if m := r.Archive.Members[0]; m.Hashes != nil || !strings.Contains(m.Note, "another password") {
		t.Errorf("member with another password: %+v", m)
	}
}

func utf16le(s string) []byte {
	var b []byte
	for _, c := range []byte(s) {
		b = append(b, c, 0)
	}
	return b
}

// TestUTF16Strings finds UTF-16LE strings at even and odd offsets.
func TestUTF16Strings(t *testing.T) {
	data := slices.Concat([]byte{0xff, 0xfe, 0x01}, utf16le("http://utf16.example/odd"), []byte{0xff, 0x00, 0x00, 0xee},
		utf16le(`Global\WideMutex`), []byte{0xee, 0xee}, utf16le("ab"), make([]byte, 300))
	r := triage.Analyze(data, triage.Options{})
	got := map[string]bool{}
	for _, o := range r.Observables {
		got[o.Kind+" "+o.Value] = true
	}
	if !got["url http://utf16.example/odd"] || !got[`mutex Global\WideMutex`] {
		t.Errorf("observables %v", r.Observables)
	}
	if r.Strings.UTF16 != 2 {
		t.Errorf("%d UTF-16 strings, want 2 (a 2-character run is too short)", r.Strings.UTF16)
	}
}
