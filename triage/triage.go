// Package triage analyses a file statically, never executing it: its type,
// cryptographic and fuzzy hashes, entropy, the structure of Windows (PE),
// Linux (ELF) and macOS (Mach-O) executables, its strings and the
// observables in them (URLs, domains, addresses, mail addresses, registry
// keys, mutex-like names), the members of an archive one level deep, and
// the YARA rules that match it.
//
// A hostile file never makes Analyze fail: a truncated header, an
// overlapping section or a resource table that loops gives a report with
// what could be read and a note saying what could not. Every table has a
// limit; archives are opened one level only, and zip or gzip bombs are
// refused with a note.
package triage

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"math"
	"sync"

	"github.com/vigie-cti/vigie/fuzzyhash/ssdeep"
	"github.com/vigie-cti/vigie/fuzzyhash/tlsh"
	"github.com/vigie-cti/vigie/sensor"
)

// EngineVersion names this analyser in reports (STIX
// analysis_engine_version).
const EngineVersion = "vigie-triage 1"

// Type is a file type as the detector names it.
type Type string

// The types the detector knows.
const (
	TypeEmpty  Type = "empty"
	TypePE     Type = "pe"
	TypeMZ     Type = "dos-mz" // MZ without a readable PE header
	TypeELF    Type = "elf"
	TypeMachO  Type = "macho"
	TypeFat    Type = "macho-fat"
	TypeJava   Type = "java-class"
	TypeZip    Type = "zip"
	TypeGzip   Type = "gzip"
	TypeRar    Type = "rar"
	Type7z     Type = "7z"
	TypeXz     Type = "xz"
	TypeBzip2  Type = "bzip2"
	TypePDF    Type = "pdf"
	TypeOLE    Type = "ole" // legacy Office documents, MSI
	TypeRTF    Type = "rtf"
	TypeLNK    Type = "lnk"
	TypeScript Type = "script" // a "#!" line
	TypeText   Type = "text"
	TypeData   Type = "data"
)

// Report is the result of a triage.
type Report struct {
	Size        int64        `json:"size"`
	Type        Type         `json:"type"`
	Hashes      Hashes       `json:"hashes"`
	TLSH        string       `json:"tlsh,omitempty"`
	SSDEEP      string       `json:"ssdeep"`
	Entropy     float64      `json:"entropy"`              // bits per byte, 0–8
	Detections  []string     `json:"detections,omitempty"` // built-in names (the EICAR test file)
	PE          *PEInfo      `json:"pe,omitempty"`
	ELF         *ELFInfo     `json:"elf,omitempty"`
	MachO       *MachOInfo   `json:"macho,omitempty"`
	Archive     *ArchiveInfo `json:"archive,omitempty"`
	Strings     StringsInfo  `json:"strings"`
	Observables []Observable `json:"observables,omitempty"`
	YARA        []YARAMatch  `json:"yara,omitempty"`
	Notes       []string     `json:"notes,omitempty"` // what could not be read, and anomalies
}

// Hashes are the cryptographic digests of a file, in lower-case hex.
type Hashes struct {
	MD5    string `json:"md5"`
	SHA1   string `json:"sha1"`
	SHA256 string `json:"sha256"`
	SHA512 string `json:"sha512"`
}

// YARAMatch is a YARA rule that matched.
type YARAMatch struct {
	Namespace string `json:"namespace,omitempty"` // the indicator whose rules these are
	Rule      string `json:"rule"`
}

// RuleScanner runs YARA rules on data (sensor/yara's Scanner is one).
type RuleScanner interface {
	Scan(data []byte) ([]sensor.RuleMatch, error)
}

// Options tune an analysis. The zero value is usable.
type Options struct {
	// YARA, when not nil, runs its rules on the file.
	YARA RuleScanner
	// MaxArchiveTotal bounds what is decompressed of an archive, all
	// members together (default 256 MiB).
	MaxArchiveTotal int64
	// MaxArchiveEntries bounds the members listed (default 1000).
	MaxArchiveEntries int
}

func (o *Options) defaults() {
	if o.MaxArchiveTotal <= 0 {
		o.MaxArchiveTotal = 256 << 20
	}
	if o.MaxArchiveEntries <= 0 {
		o.MaxArchiveEntries = 1000
	}
}

// notes collects a report's notes without repeating one.
type notes struct {
	list []string
	seen map[string]bool
}

const maxNotes = 200

func (n *notes) add(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	if n.seen[s] {
		return
	}
	n.seen[s] = true
	if len(n.list) == maxNotes {
		n.list = append(n.list, "more notes left out")
	}
	if len(n.list) > maxNotes {
		return
	}
	n.list = append(n.list, s)
}

// guard runs one reader; a panic in it (a bug meeting a hostile file)
// becomes a note instead of bringing the process down.
func guard(n *notes, what string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			n.add("%s: reader failed on this file (%v); its part of the report is missing", what, r)
		}
	}()
	f()
}

// Analyze triages data. It never executes anything, never fails, and
// never panics: what it cannot read is in Report.Notes.
func Analyze(data []byte, opt Options) *Report {
	opt.defaults()
	r := &Report{Size: int64(len(data))}
	var n notes
	// The digests read the whole file each: they run beside the parsers,
	// on the other cores when there are some.
	var wg sync.WaitGroup
	var tlshErr error
	wg.Add(3)
	go func() { defer wg.Done(); r.Hashes = hashAll(data) }()
	go func() {
		defer wg.Done()
		if d, err := tlsh.Sum(data); err == nil {
			r.TLSH = d.String()
		} else {
			tlshErr = err
		}
	}()
	go func() { defer wg.Done(); r.SSDEEP, _ = ssdeep.Sum(data) }()
	r.Type = detect(data)
	if r.Type == TypeEmpty {
		n.add("the file is empty")
	}
	if isEICAR(data) {
		r.Detections = append(r.Detections, "EICAR-Test-File")
	}
	switch r.Type {
	case TypePE:
		guard(&n, "pe", func() { r.PE = analyzePE(data, &n) })
	case TypeELF:
		guard(&n, "elf", func() { r.ELF = analyzeELF(data, &n) })
	case TypeMachO, TypeFat:
		guard(&n, "macho", func() { r.MachO = analyzeMachO(data, &n) })
	case TypeZip:
		guard(&n, "zip", func() { r.Archive = analyzeZip(data, opt, &n) })
	case TypeGzip:
		guard(&n, "gzip", func() { r.Archive = analyzeGzip(data, opt, &n) })
	}
	var counts [256]uint64
	guard(&n, "strings", func() { r.Strings, r.Observables = scanStrings(data, &counts, &n) })
	r.Entropy = entropyOf(&counts, len(data))
	if len(data) > 0 && counts[data[0]] == uint64(len(data)) {
		n.add("the file is %d bytes of 0x%02x and nothing else", len(data), data[0])
	}
	if opt.YARA != nil {
		guard(&n, "yara", func() {
			ms, err := opt.YARA.Scan(data)
			if err != nil {
				n.add("yara: %v", err)
			}
			for _, m := range ms {
				r.YARA = append(r.YARA, YARAMatch{Namespace: m.Namespace, Rule: m.Rule})
			}
		})
	}
	wg.Wait()
	if tlshErr != nil {
		n.add("no TLSH: %v", tlshErr)
	}
	r.Notes = n.list
	return r
}

func hashAll(data []byte) Hashes {
	m, s1, s256, s512 := md5.Sum(data), sha1.Sum(data), sha256.Sum256(data), sha512.Sum512(data)
	return Hashes{
		MD5: hex.EncodeToString(m[:]), SHA1: hex.EncodeToString(s1[:]),
		SHA256: hex.EncodeToString(s256[:]), SHA512: hex.EncodeToString(s512[:]),
	}
}

// entropy returns the Shannon entropy of b in bits per byte.
func entropy(b []byte) float64 {
	var counts [256]uint64
	for _, c := range b {
		counts[c]++
	}
	return entropyOf(&counts, len(b))
}

func entropyOf(counts *[256]uint64, n int) float64 {
	if n == 0 {
		return 0
	}
	var h float64
	for _, c := range counts {
		if c == 0 {
			continue
		}
		p := float64(c) / float64(n)
		h -= p * math.Log2(p)
	}
	return math.Round(h*1000) / 1000
}

// eicar is the standard anti-virus test file (not malware: a text string
// every anti-virus product detects by agreement).
const eicar = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

func isEICAR(b []byte) bool {
	// The file may be followed by white space, up to 128 bytes in all.
	return len(b) <= 128 && bytes.HasPrefix(b, []byte(eicar)) && len(bytes.TrimSpace(b[len(eicar):])) == 0
}

// detect names the type of data by its first bytes.
func detect(b []byte) Type {
	switch {
	case len(b) == 0:
		return TypeEmpty
	case bytes.HasPrefix(b, []byte("MZ")):
		if isPE(b) {
			return TypePE
		}
		return TypeMZ
	case bytes.HasPrefix(b, []byte("\x7fELF")):
		return TypeELF
	case hasAnyPrefix(b, "\xfe\xed\xfa\xce", "\xce\xfa\xed\xfe", "\xfe\xed\xfa\xcf", "\xcf\xfa\xed\xfe"):
		return TypeMachO
	case bytes.HasPrefix(b, []byte("\xca\xfe\xba\xbe")):
		// Shared with Java class files: a fat binary holds a few
		// architectures, a class file has a version number there.
		if len(b) >= 8 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] > 0 && b[7] < 20 {
			return TypeFat
		}
		return TypeJava
	case hasAnyPrefix(b, "PK\x03\x04", "PK\x05\x06"):
		return TypeZip
	case bytes.HasPrefix(b, []byte("\x1f\x8b")):
		return TypeGzip
	case bytes.HasPrefix(b, []byte("Rar!\x1a\x07")):
		return TypeRar
	case bytes.HasPrefix(b, []byte("7z\xbc\xaf\x27\x1c")):
		return Type7z
	case bytes.HasPrefix(b, []byte("\xfd7zXZ\x00")):
		return TypeXz
	case bytes.HasPrefix(b, []byte("BZh")) && len(b) > 3 && b[3] >= '1' && b[3] <= '9':
		return TypeBzip2
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return TypePDF
	case bytes.HasPrefix(b, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return TypeOLE
	case bytes.HasPrefix(b, []byte(`{\rtf`)):
		return TypeRTF
	case bytes.HasPrefix(b, []byte("L\x00\x00\x00\x01\x14\x02\x00")):
		return TypeLNK
	case bytes.HasPrefix(b, []byte("#!")):
		return TypeScript
	case looksText(b):
		return TypeText
	}
	return TypeData
}

func hasAnyPrefix(b []byte, prefixes ...string) bool {
	for _, p := range prefixes {
		if bytes.HasPrefix(b, []byte(p)) {
			return true
		}
	}
	return false
}

// looksText reports whether the first 4 KiB are printable text.
func looksText(b []byte) bool {
	head := b[:min(len(b), 4096)]
	bad := 0
	for _, c := range head {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' || c == 0x7f {
			bad++
		}
	}
	return bad == 0
}
