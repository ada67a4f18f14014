// Package triagetest builds harmless sample files for tests and demos:
// small Windows PE executables written byte by byte (they do nothing: their
// code is a single "ret"), with the import, export, resource, debug and
// signature tables that triage reads. Never real malware.
package triagetest

import (
	"encoding/binary"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Import is one DLL a built PE imports from. A function written "#23"
// is imported by ordinal 23.
type Import struct {
	DLL       string
	Functions []string
}

// Resource is one resource of a built PE (type id, name id, language).
type Resource struct {
	Type, Name, Language uint32
	Data                 []byte
}

// PEOptions describe a PE to build. The zero value builds a minimal one.
type PEOptions struct {
	Timestamp uint32
	DLL       bool
	Imports   []Import
	Exports   []string // function names exported (by the DLL named "sample.dll")
	Resources []Resource
	PDB       string // a CodeView debug entry naming this path
	Signed    bool   // a WIN_CERTIFICATE after the sections: PKCS#7 with a self-signed test certificate, not a valid signature
	Code      []byte // content of .text (padded); default a "ret" and filler
	Filler    uint64 // seed of the pseudo-random filler of .data (size DataSize)
	DataSize  int
	Strings   []string // written into .data
}

const (
	fileAlign = 0x200
	secAlign  = 0x1000
	hdrSize   = 0x400
)

type section struct {
	name  string
	data  []byte
	flags uint32
	va    uint32
	raw   uint32
}

func align(n, a int) int { return (n + a - 1) / a * a }

// PE builds a PE32+ (x86-64) file as described.
func PE(o PEOptions) []byte {
	code := o.Code
	if code == nil {
		code = []byte{0xc3}
	}
	text := &section{name: ".text", data: code, flags: 0x60000020}
	rdata := &section{name: ".rdata", flags: 0x40000040}
	data := &section{name: ".data", flags: 0xc0000040}
	rsrc := &section{name: ".rsrc", flags: 0x40000040}
	secs := []*section{text, rdata, data, rsrc}
	va := uint32(secAlign)
	for _, s := range secs {
		s.va = va
		va += secAlign * 16 // room for each table
	}
	var dirs [16][2]uint32

	// .rdata: imports, exports, debug.
	rd := &buf{}
	if len(o.Imports) > 0 {
		descs := rd.reserve(20 * (len(o.Imports) + 1))
		for i, imp := range o.Imports {
			nameRVA := rdata.va + uint32(rd.cstring(imp.DLL))
			ilt := rd.reserve(8 * (len(imp.Functions) + 1))
			iat := rd.reserve(8 * (len(imp.Functions) + 1))
			for j, fn := range imp.Functions {
				var v uint64
				if n, ok := strings.CutPrefix(fn, "#"); ok {
					ord, _ := strconv.Atoi(n)
					v = 1<<63 | uint64(ord)
				} else {
					at := rd.align(2)
					rd.reserve(2)
					rd.put16(at, uint16(j))
					rd.cstring(fn)
					v = uint64(rdata.va) + uint64(at)
				}
				rd.put64(ilt+8*j, v)
				rd.put64(iat+8*j, v)
			}
			d := descs + 20*i
			rd.put32(d, rdata.va+uint32(ilt))
			rd.put32(d+12, nameRVA)
			rd.put32(d+16, rdata.va+uint32(iat))
		}
		dirs[1] = [2]uint32{rdata.va + uint32(descs), uint32(20 * (len(o.Imports) + 1))}
	}
	if len(o.Exports) > 0 {
		dir := rd.reserve(40)
		name := rd.cstring("sample.dll")
		funcs := rd.reserve(4 * len(o.Exports))
		names := rd.reserve(4 * len(o.Exports))
		ords := rd.reserve(2 * len(o.Exports))
		for i, fn := range o.Exports {
			rd.put32(funcs+4*i, text.va) // every export points at the ret
			rd.put32(names+4*i, rdata.va+uint32(rd.cstring(fn)))
			rd.put16(ords+2*i, uint16(i))
		}
		rd.put32(dir+12, rdata.va+uint32(name))
		rd.put32(dir+16, 1)
		rd.put32(dir+20, uint32(len(o.Exports)))
		rd.put32(dir+24, uint32(len(o.Exports)))
		rd.put32(dir+28, rdata.va+uint32(funcs))
		rd.put32(dir+32, rdata.va+uint32(names))
		rd.put32(dir+36, rdata.va+uint32(ords))
		dirs[0] = [2]uint32{rdata.va + uint32(dir), uint32(rd.len() - dir)}
	}
	var cvAt int
	if o.PDB != "" {
		dbg := rd.reserve(28)
		cv := rd.reserve(24)
		copy(rd.b[cv:], "RSDS")
		rd.cstring(o.PDB)
		rd.put32(dbg+4, o.Timestamp)
		rd.put32(dbg+12, 2)
		rd.put32(dbg+16, uint32(rd.len()-cv))
		rd.put32(dbg+20, rdata.va+uint32(cv))
		cvAt = cv
		dirs[6] = [2]uint32{rdata.va + uint32(dbg), 28}
	}
	rdata.data = rd.b

	// .data: filler and strings.
	db := &buf{}
	r := rand.New(rand.NewPCG(o.Filler, 0x7065))
	for range o.DataSize {
		db.b = append(db.b, byte(r.Uint32()))
	}
	for _, s := range o.Strings {
		db.b = append(db.b, 0)
		db.cstring(s)
	}
	data.data = db.b

	// .rsrc: type / name / language directories.
	rs := &buf{}
	if len(o.Resources) > 0 {
		rsrc.data = buildResources(rs, rsrc.va, o.Resources)
		dirs[2] = [2]uint32{rsrc.va, uint32(len(rsrc.data))}
	}

	var kept []*section
	for _, s := range secs {
		if len(s.data) > 0 {
			kept = append(kept, s)
		}
	}
	raw := uint32(hdrSize)
	for _, s := range kept {
		s.raw = raw
		raw += uint32(align(len(s.data), fileAlign))
	}
	if o.PDB != "" {
		// PointerToRawData of the CodeView entry.
		binary.LittleEndian.PutUint32(rdata.data[dirs[6][0]-rdata.va+24:], rdata.raw+uint32(cvAt))
	}
	out := make([]byte, raw)
	copy(out, "MZ")
	binary.LittleEndian.PutUint32(out[0x3c:], 0x80)
	copy(out[0x4e:], "This program cannot be run in DOS mode.\r\r\n$")
	pe := 0x80
	copy(out[pe:], "PE\x00\x00")
	coff := pe + 4
	binary.LittleEndian.PutUint16(out[coff:], 0x8664)
	binary.LittleEndian.PutUint16(out[coff+2:], uint16(len(kept)))
	binary.LittleEndian.PutUint32(out[coff+4:], o.Timestamp)
	binary.LittleEndian.PutUint16(out[coff+16:], 240)
	chars := uint16(0x22)
	if o.DLL {
		chars |= 0x2000
	}
	binary.LittleEndian.PutUint16(out[coff+18:], chars)
	opt := coff + 20
	binary.LittleEndian.PutUint16(out[opt:], 0x20b)
	binary.LittleEndian.PutUint32(out[opt+16:], text.va)
	binary.LittleEndian.PutUint64(out[opt+24:], 0x140000000)
	binary.LittleEndian.PutUint32(out[opt+32:], secAlign)
	binary.LittleEndian.PutUint32(out[opt+36:], fileAlign)
	binary.LittleEndian.PutUint16(out[opt+40:], 6)  // OS version
	binary.LittleEndian.PutUint16(out[opt+48:], 6)  // subsystem version
	binary.LittleEndian.PutUint32(out[opt+56:], va) // SizeOfImage
	binary.LittleEndian.PutUint32(out[opt+60:], hdrSize)
	binary.LittleEndian.PutUint16(out[opt+68:], 3) // console
	binary.LittleEndian.PutUint32(out[opt+108:], 16)
	sec := opt + 240
	for i, s := range kept {
		h := sec + 40*i
		copy(out[h:h+8], s.name)
		binary.LittleEndian.PutUint32(out[h+8:], uint32(len(s.data)))
		binary.LittleEndian.PutUint32(out[h+12:], s.va)
		binary.LittleEndian.PutUint32(out[h+16:], uint32(align(len(s.data), fileAlign)))
		binary.LittleEndian.PutUint32(out[h+20:], s.raw)
		binary.LittleEndian.PutUint32(out[h+36:], s.flags)
		copy(out[s.raw:], s.data)
	}
	if o.Signed {
		p7 := signedData()
		cert := make([]byte, align(8+len(p7), 8))
		binary.LittleEndian.PutUint32(cert, uint32(8+len(p7)))
		binary.LittleEndian.PutUint16(cert[4:], 0x200)
		binary.LittleEndian.PutUint16(cert[6:], 2)
		copy(cert[8:], p7)
		dirs[4] = [2]uint32{uint32(len(out)), uint32(len(cert))}
		out = append(out, cert...)
	}
	for i, d := range dirs {
		binary.LittleEndian.PutUint32(out[opt+112+8*i:], d[0])
		binary.LittleEndian.PutUint32(out[opt+112+8*i+4:], d[1])
	}
	return out
}

func buildResources(rs *buf, base uint32, res []Resource) []byte {
	// One directory per level, in the order given (a real linker sorts;
	// readers must not rely on it).
	byType := map[uint32][]Resource{}
	var types []uint32
	for _, r := range res {
		if _, ok := byType[r.Type]; !ok {
			types = append(types, r.Type)
		}
		byType[r.Type] = append(byType[r.Type], r)
	}
	root := rs.dir(len(types))
	for i, t := range types {
		names := byType[t]
		nd := rs.dir(len(names))
		rs.put32(root+16+8*i, t)
		rs.put32(root+16+8*i+4, 0x80000000|uint32(nd))
		for j, r := range names {
			ld := rs.dir(1)
			rs.put32(nd+16+8*j, r.Name)
			rs.put32(nd+16+8*j+4, 0x80000000|uint32(ld))
			entry := rs.reserve(16)
			rs.put32(ld+16, r.Language)
			rs.put32(ld+16+4, uint32(entry))
			at := rs.align(8)
			rs.b = append(rs.b, r.Data...)
			rs.put32(entry, base+uint32(at))
			rs.put32(entry+4, uint32(len(r.Data)))
		}
	}
	return rs.b
}

type buf struct{ b []byte }

func (b *buf) len() int { return len(b.b) }

func (b *buf) reserve(n int) int {
	at := len(b.b)
	b.b = append(b.b, make([]byte, n)...)
	return at
}

func (b *buf) align(a int) int {
	for len(b.b)%a != 0 {
		b.b = append(b.b, 0)
	}
	return len(b.b)
}

func (b *buf) cstring(s string) int {
	at := len(b.b)
	b.b = append(b.b, s...)
	b.b = append(b.b, 0)
	return at
}

func (b *buf) dir(entries int) int {
	at := b.align(4)
	b.reserve(16 + 8*entries)
	binary.LittleEndian.PutUint16(b.b[at+14:], uint16(entries))
	return at
}

func (b *buf) put16(at int, v uint16) { binary.LittleEndian.PutUint16(b.b[at:], v) }
func (b *buf) put32(at int, v uint32) { binary.LittleEndian.PutUint32(b.b[at:], v) }
func (b *buf) put64(at int, v uint64) { binary.LittleEndian.PutUint64(b.b[at:], v) }

// Sample returns a harmless PE "sample" of a made-up family, variant v:
// variants share their imports, most of their data and strings, and
// differ in a few bytes, so that fuzzy hashes find them similar.
func Sample(variant int) []byte {
	strs := []string{
		"http://update.frozen-lantern.example/check", "Global\\FrozenLanternMutex",
		"HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\lantern",
		"lantern-ops@mail.frozen-lantern.example", "beacon interval %d seconds",
	}
	strs = append(strs, "variant "+strconv.Itoa(variant))
	code := make([]byte, 2048)
	r := rand.New(rand.NewPCG(42, 0))
	for i := range code {
		code[i] = byte(r.Uint32())
	}
	code[0] = 0xc3
	for i := range 8 {
		code[100+i*200] ^= byte(variant * (i + 1)) // variants differ here
	}
	return PE(PEOptions{
		Timestamp: 1700000000 + uint32(variant),
		Imports: []Import{
			{DLL: "KERNEL32.dll", Functions: []string{"CreateMutexW", "GetProcAddress", "LoadLibraryA", "Sleep", "VirtualAlloc"}},
			{DLL: "WS2_32.dll", Functions: []string{"#23", "#4", "#16", "#19"}},
			{DLL: "ADVAPI32.dll", Functions: []string{"RegSetValueExW", "RegOpenKeyExW"}},
		},
		Code:     code,
		DataSize: 16384,
		Filler:   7,
		Strings:  strs,
		PDB:      `C:\build\lantern\Release\lantern.pdb`,
		Resources: []Resource{
			{Type: 10, Name: 101, Language: 1033, Data: []byte("configuration blob: beacon=300")},
		},
	})
}
