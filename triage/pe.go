package triage

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
)

// Limits of the PE reader: beyond them a table is cut and a note says so.
const (
	maxPESections    = 1024
	maxPEImportDLLs  = 4096
	maxPEImports     = 100000 // functions, all DLLs together
	maxPEExports     = 65536
	maxPEResources   = 10000
	maxPEDebug       = 64
	maxPEName        = 512
	maxResourceDepth = 3
)

// PEInfo is what the PE reader learnt of a Windows executable.
type PEInfo struct {
	Machine    string     `json:"machine"`
	Bits       int        `json:"bits"` // 32 or 64
	Kind       string     `json:"kind"` // "exe", "dll" or "driver"
	Subsystem  string     `json:"subsystem,omitempty"`
	Compiled   time.Time  `json:"compiled"`    // COFF header time stamp
	EntryPoint uint32     `json:"entry_point"` // RVA
	ImageBase  uint64     `json:"image_base"`
	Imphash    string     `json:"imphash,omitempty"` // as pefile computes it
	Sections   []Section  `json:"sections"`
	Imports    []Import   `json:"imports,omitempty"`
	Exports    *Exports   `json:"exports,omitempty"`
	Resources  []Resource `json:"resources,omitempty"`
	Signature  *Signature `json:"signature,omitempty"`
	PDB        string     `json:"pdb,omitempty"`        // CodeView debug path
	DebugTime  *time.Time `json:"debug_time,omitempty"` // debug directory time stamp
	Overlay    *Region    `json:"overlay,omitempty"`    // data after the last section
}

// Section is a section of an executable.
type Section struct {
	Name           string  `json:"name"`
	VirtualAddress uint64  `json:"virtual_address"`
	VirtualSize    uint64  `json:"virtual_size"`
	Offset         uint64  `json:"offset"`
	Size           uint64  `json:"size"` // bytes in the file
	Entropy        float64 `json:"entropy"`
	Flags          string  `json:"flags,omitempty"` // "rwx" as far as known
}

// Import is the functions a PE imports from one DLL, in table order.
type Import struct {
	DLL       string   `json:"dll"`
	Functions []string `json:"functions"` // names, or "ord123" for ordinals
}

// Exports is a PE's export table.
type Exports struct {
	DLL       string   `json:"dll,omitempty"`
	Functions []Export `json:"functions"`
}

// Export is one exported function.
type Export struct {
	Name      string `json:"name,omitempty"`
	Ordinal   uint32 `json:"ordinal"`
	Forwarder string `json:"forwarder,omitempty"`
}

// Resource is one leaf of a PE's resource tree.
type Resource struct {
	Type     string  `json:"type"`
	Name     string  `json:"name"`
	Language uint32  `json:"language"`
	Offset   uint64  `json:"offset"`
	Size     uint64  `json:"size"`
	Entropy  float64 `json:"entropy"`
	Content  string  `json:"content,omitempty"` // the detected type of its data, when not plain data
}

// Signature is an Authenticode signature's place in the file (its
// presence; the signature is not verified).
type Signature struct {
	Offset       uint64        `json:"offset"`
	Size         uint64        `json:"size"`
	Type         string        `json:"type"` // "pkcs7" for the usual WIN_CERT_TYPE_PKCS_SIGNED_DATA
	Certificates []Certificate `json:"certificates,omitempty"`
}

// Region is a range of the file.
type Region struct {
	Offset  uint64  `json:"offset"`
	Size    uint64  `json:"size"`
	Entropy float64 `json:"entropy"`
}

// peFile is the state of one PE read.
type peFile struct {
	b         []byte
	info      *PEInfo
	notes     *notes
	is64      bool
	sections  []peSection
	fileAlign uint32
	dirs      [16]struct{ rva, size uint32 }
	headers   uint32 // SizeOfHeaders
}

type peSection struct {
	va, vsize, raw, rawSize uint32
}

var peMachines = map[uint16]string{
	0x14c: "i386", 0x8664: "x86-64", 0x1c0: "arm", 0x1c4: "armnt", 0xaa64: "arm64",
	0x200: "ia64", 0x5032: "riscv32", 0x5064: "riscv64", 0x1f0: "powerpc", 0x166: "mips",
	0xebc: "efi-bytecode", 0x0: "unknown",
}

var peSubsystems = map[uint16]string{
	1: "native", 2: "windows-gui", 3: "windows-console", 5: "os2-console", 7: "posix-console",
	9: "windows-ce-gui", 10: "efi-application", 11: "efi-boot-driver", 12: "efi-runtime-driver",
	13: "efi-rom", 14: "xbox", 16: "windows-boot-application",
}

// isPE reports whether b starts like a PE file (MZ and a PE signature
// where e_lfanew points).
func isPE(b []byte) bool {
	if len(b) < 0x40 || b[0] != 'M' || b[1] != 'Z' {
		return false
	}
	off := uint64(binary.LittleEndian.Uint32(b[0x3c:]))
	return off+4 <= uint64(len(b)) && string(b[off:off+4]) == "PE\x00\x00"
}

// analyzePE reads a PE file; what it cannot read is noted and left out.
func analyzePE(b []byte, n *notes) *PEInfo {
	p := &peFile{b: b, info: &PEInfo{}, notes: n}
	if !p.headersOK() {
		return p.info
	}
	p.readSections()
	p.readImports()
	p.readExports()
	p.readResources()
	p.readSignature()
	p.readDebug()
	p.readOverlay()
	return p.info
}

func (p *peFile) u16(off uint64) (uint16, bool) {
	if off+2 > uint64(len(p.b)) {
		return 0, false
	}
	return binary.LittleEndian.Uint16(p.b[off:]), true
}

func (p *peFile) u32(off uint64) (uint32, bool) {
	if off+4 > uint64(len(p.b)) {
		return 0, false
	}
	return binary.LittleEndian.Uint32(p.b[off:]), true
}

func (p *peFile) u64(off uint64) (uint64, bool) {
	if off+8 > uint64(len(p.b)) {
		return 0, false
	}
	return binary.LittleEndian.Uint64(p.b[off:]), true
}

func (p *peFile) headersOK() bool {
	lfanew := uint64(binary.LittleEndian.Uint32(p.b[0x3c:]))
	coff := lfanew + 4
	if coff+20 > uint64(len(p.b)) {
		p.notes.add("pe: COFF header truncated")
		return false
	}
	machine, _ := p.u16(coff)
	nsec, _ := p.u16(coff + 2)
	ts, _ := p.u32(coff + 4)
	optSize, _ := p.u16(coff + 16)
	chars, _ := p.u16(coff + 18)
	p.info.Machine = peMachines[machine]
	if p.info.Machine == "" {
		p.info.Machine = fmt.Sprintf("0x%04x", machine)
	}
	p.info.Compiled = time.Unix(int64(ts), 0).UTC()
	p.info.Kind = "exe"
	if chars&0x2000 != 0 {
		p.info.Kind = "dll"
	}
	opt := coff + 20
	magic, ok := p.u16(opt)
	if !ok || optSize < 2 {
		p.notes.add("pe: no optional header")
		return false
	}
	var dirOff, ndirOff uint64
	switch magic {
	case 0x10b:
		p.info.Bits = 32
		base, _ := p.u32(opt + 28)
		p.info.ImageBase = uint64(base)
		dirOff, ndirOff = opt+96, opt+92
	case 0x20b:
		p.info.Bits, p.is64 = 64, true
		p.info.ImageBase, _ = p.u64(opt + 24)
		dirOff, ndirOff = opt+112, opt+108
	default:
		p.notes.add("pe: optional header magic 0x%x is neither PE32 nor PE32+", magic)
		return false
	}
	if uint64(optSize) < dirOff-opt {
		p.notes.add("pe: optional header of %d bytes is too short", optSize)
	}
	p.info.EntryPoint, _ = p.u32(opt + 16)
	p.fileAlign, _ = p.u32(opt + 36)
	p.headers, _ = p.u32(opt + 60)
	if sub, ok := p.u16(opt + 68); ok {
		p.info.Subsystem = peSubsystems[sub]
		if sub == 1 && p.info.Kind == "exe" {
			p.info.Kind = "driver"
		}
	}
	ndir, _ := p.u32(ndirOff)
	if ndir > 16 {
		p.notes.add("pe: %d data directories declared, 16 read", ndir)
		ndir = 16
	}
	for i := range ndir {
		off := dirOff + uint64(i)*8
		if off+8 > opt+uint64(optSize) || off+8 > uint64(len(p.b)) {
			p.notes.add("pe: data directories truncated")
			break
		}
		p.dirs[i].rva, _ = p.u32(off)
		p.dirs[i].size, _ = p.u32(off + 4)
	}
	secOff := opt + uint64(optSize)
	count := int(nsec)
	if count > maxPESections {
		p.notes.add("pe: %d sections declared, %d read", count, maxPESections)
		count = maxPESections
	}
	for i := range count {
		off := secOff + uint64(i)*40
		if off+40 > uint64(len(p.b)) {
			p.notes.add("pe: section table truncated after %d of %d sections", i, nsec)
			break
		}
		s := peSection{}
		s.vsize, _ = p.u32(off + 8)
		s.va, _ = p.u32(off + 12)
		s.rawSize, _ = p.u32(off + 16)
		s.raw, _ = p.u32(off + 20)
		flags, _ := p.u32(off + 36)
		p.sections = append(p.sections, s)
		name := string(bytes.TrimRight(p.b[off:off+8], "\x00"))
		p.info.Sections = append(p.info.Sections, Section{
			Name: printable(name), VirtualAddress: uint64(s.va), VirtualSize: uint64(s.vsize),
			Offset: uint64(s.raw), Size: uint64(s.rawSize), Flags: peFlags(flags),
		})
	}
	return true
}

func peFlags(c uint32) string {
	f := []byte("---")
	if c&0x40000000 != 0 {
		f[0] = 'r'
	}
	if c&0x80000000 != 0 {
		f[1] = 'w'
	}
	if c&0x20000000 != 0 {
		f[2] = 'x'
	}
	return string(f)
}

// rawStart is where a section's data starts in the file, rounded down as
// the Windows loader (and pefile) does when the file alignment is at least
// 0x200.
func (p *peFile) rawStart(s peSection) uint32 {
	if p.fileAlign >= 0x200 {
		return s.raw &^ 0x1ff
	}
	return s.raw
}

func (p *peFile) readSections() {
	type span struct {
		start, end uint64
		name       string
	}
	var spans []span
	var inSection bool
	for i, s := range p.sections {
		sec := &p.info.Sections[i]
		start, end := uint64(s.raw), uint64(s.raw)+uint64(s.rawSize)
		if s.rawSize == 0 {
			continue
		}
		if start >= uint64(len(p.b)) {
			p.notes.add("pe: section %q starts beyond the end of the file", sec.Name)
			continue
		}
		if end > uint64(len(p.b)) {
			p.notes.add("pe: section %q is cut by the end of the file (truncated sample?)", sec.Name)
			end = uint64(len(p.b))
		}
		sec.Entropy = entropy(p.b[start:end])
		for _, o := range spans {
			if start < o.end && o.start < end {
				p.notes.add("pe: sections %q and %q overlap in the file", o.name, sec.Name)
			}
		}
		spans = append(spans, span{start, end, sec.Name})
		ep := p.info.EntryPoint
		if ep >= s.va && uint64(ep) < uint64(s.va)+uint64(max(s.vsize, s.rawSize)) {
			inSection = true
			if sec.Flags[2] != 'x' {
				p.notes.add("pe: the entry point is in section %q, which is not executable", sec.Name)
			}
		}
	}
	if p.info.EntryPoint != 0 && !inSection && len(p.sections) > 0 {
		p.notes.add("pe: the entry point 0x%x is outside every section", p.info.EntryPoint)
	}
}

// offset maps an RVA to a file offset; ok is false when no section (or
// the headers) holds it.
func (p *peFile) offset(rva uint32) (uint64, bool) {
	for _, s := range p.sections {
		size := max(s.vsize, s.rawSize)
		if rva >= s.va && uint64(rva) < uint64(s.va)+uint64(size) {
			off := uint64(p.rawStart(s)) + uint64(rva-s.va)
			return off, off < uint64(len(p.b))
		}
	}
	if rva < p.headers || len(p.sections) == 0 {
		return uint64(rva), uint64(rva) < uint64(len(p.b))
	}
	return 0, false
}

// cstring reads a NUL-terminated string at an RVA, up to maxPEName bytes.
func (p *peFile) cstring(rva uint32) (string, bool) {
	off, ok := p.offset(rva)
	if !ok {
		return "", false
	}
	end := min(off+maxPEName, uint64(len(p.b)))
	s := p.b[off:end]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return string(s), true
}

func (p *peFile) readImports() {
	d := p.dirs[1]
	if d.rva == 0 || d.size == 0 {
		return
	}
	off, ok := p.offset(d.rva)
	if !ok {
		p.notes.add("pe: import directory at RVA 0x%x is outside the file", d.rva)
		return
	}
	total := 0
	var impstrs []string
	for i := 0; ; i++ {
		desc := off + uint64(i)*20
		if i >= maxPEImportDLLs {
			p.notes.add("pe: more than %d imported DLLs, the rest not read", maxPEImportDLLs)
			break
		}
		if desc+20 > uint64(len(p.b)) {
			p.notes.add("pe: import directory truncated")
			break
		}
		oft, _ := p.u32(desc)
		nameRVA, _ := p.u32(desc + 12)
		ft, _ := p.u32(desc + 16)
		if oft == 0 && nameRVA == 0 && ft == 0 {
			break
		}
		dll, ok := p.cstring(nameRVA)
		if !ok || dll == "" {
			p.notes.add("pe: import descriptor %d has no readable DLL name", i)
			continue
		}
		thunks := oft
		if thunks == 0 {
			thunks = ft
		}
		imp := Import{DLL: printable(dll)}
		toff, ok := p.offset(thunks)
		if !ok {
			p.notes.add("pe: import table of %s is outside the file", imp.DLL)
			p.info.Imports = append(p.info.Imports, imp)
			continue
		}
		step := uint64(4)
		if p.is64 {
			step = 8
		}
		for j := uint64(0); ; j++ {
			if total >= maxPEImports {
				p.notes.add("pe: more than %d imported functions, the rest not read", maxPEImports)
				break
			}
			var v uint64
			var ord bool
			if p.is64 {
				v, ok = p.u64(toff + j*step)
				ord = v&(1<<63) != 0
			} else {
				var v32 uint32
				v32, ok = p.u32(toff + j*step)
				v, ord = uint64(v32), v32&(1<<31) != 0
			}
			if !ok {
				p.notes.add("pe: import table of %s truncated", imp.DLL)
				break
			}
			if v == 0 {
				break
			}
			total++
			var fn string
			if ord {
				fn = ordinalName(dll, uint16(v))
			} else {
				name, ok := p.cstring(uint32(v) + 2)
				if !ok || name == "" {
					p.notes.add("pe: an import of %s has an unreadable name", imp.DLL)
					continue
				}
				fn = printable(name)
			}
			imp.Functions = append(imp.Functions, fn)
		}
		lib := strings.ToLower(dll)
		if k := strings.LastIndexByte(lib, '.'); k >= 0 {
			switch lib[k+1:] {
			case "ocx", "sys", "dll":
				lib = lib[:k]
			}
		}
		for _, fn := range imp.Functions {
			impstrs = append(impstrs, lib+"."+strings.ToLower(fn))
		}
		p.info.Imports = append(p.info.Imports, imp)
	}
	if len(impstrs) > 0 {
		sum := md5.Sum([]byte(strings.Join(impstrs, ",")))
		p.info.Imphash = hex.EncodeToString(sum[:])
	}
}

func (p *peFile) readExports() {
	d := p.dirs[0]
	if d.rva == 0 || d.size == 0 {
		return
	}
	off, ok := p.offset(d.rva)
	if !ok || off+40 > uint64(len(p.b)) {
		p.notes.add("pe: export directory at RVA 0x%x is outside the file", d.rva)
		return
	}
	nameRVA, _ := p.u32(off + 12)
	base, _ := p.u32(off + 16)
	nfunc, _ := p.u32(off + 20)
	nnames, _ := p.u32(off + 24)
	funcs, _ := p.u32(off + 28)
	names, _ := p.u32(off + 32)
	ords, _ := p.u32(off + 36)
	ex := &Exports{}
	if s, ok := p.cstring(nameRVA); ok {
		ex.DLL = printable(s)
	}
	if nfunc > maxPEExports || nnames > maxPEExports {
		p.notes.add("pe: %d exports declared, %d read", max(nfunc, nnames), maxPEExports)
		nfunc, nnames = min(nfunc, maxPEExports), min(nnames, maxPEExports)
	}
	named := map[uint32]string{}
	noff, ok1 := p.offset(names)
	ooff, ok2 := p.offset(ords)
	if nnames > 0 && (!ok1 || !ok2) {
		p.notes.add("pe: export name table outside the file")
		nnames = 0
	}
	for i := range nnames {
		nr, ok := p.u32(noff + uint64(i)*4)
		o, ok2 := p.u16(ooff + uint64(i)*2)
		if !ok || !ok2 {
			p.notes.add("pe: export name table truncated")
			break
		}
		if s, ok := p.cstring(nr); ok {
			named[uint32(o)] = printable(s)
		}
	}
	foff, ok := p.offset(funcs)
	if nfunc > 0 && !ok {
		p.notes.add("pe: export address table outside the file")
		nfunc = 0
	}
	for i := range nfunc {
		addr, ok := p.u32(foff + uint64(i)*4)
		if !ok {
			p.notes.add("pe: export address table truncated")
			break
		}
		if addr == 0 {
			continue
		}
		e := Export{Name: named[i], Ordinal: base + i}
		if addr >= d.rva && addr < d.rva+d.size {
			e.Forwarder, _ = p.cstring(addr)
			e.Forwarder = printable(e.Forwarder)
		}
		ex.Functions = append(ex.Functions, e)
	}
	p.info.Exports = ex
}

var resourceTypes = map[uint32]string{
	1: "CURSOR", 2: "BITMAP", 3: "ICON", 4: "MENU", 5: "DIALOG", 6: "STRING", 7: "FONTDIR",
	8: "FONT", 9: "ACCELERATOR", 10: "RCDATA", 11: "MESSAGETABLE", 12: "GROUP_CURSOR",
	14: "GROUP_ICON", 16: "VERSION", 17: "DLGINCLUDE", 19: "PLUGPLAY", 20: "VXD",
	21: "ANICURSOR", 22: "ANIICON", 23: "HTML", 24: "MANIFEST",
}

func (p *peFile) readResources() {
	d := p.dirs[2]
	if d.rva == 0 || d.size == 0 {
		return
	}
	base, ok := p.offset(d.rva)
	if !ok {
		p.notes.add("pe: resource directory at RVA 0x%x is outside the file", d.rva)
		return
	}
	seen := map[uint64]bool{}
	var walk func(off uint64, depth int, path [3]string, lang uint32)
	cut := false
	walk = func(off uint64, depth int, path [3]string, lang uint32) {
		if cut {
			return
		}
		if seen[off] {
			p.notes.add("pe: the resource tree loops")
			cut = true
			return
		}
		seen[off] = true
		named, ok1 := p.u16(off + 12)
		ids, ok2 := p.u16(off + 14)
		if !ok1 || !ok2 {
			p.notes.add("pe: resource directory truncated")
			return
		}
		for i := range uint64(named) + uint64(ids) {
			e := off + 16 + i*8
			nameID, ok1 := p.u32(e)
			target, ok2 := p.u32(e + 4)
			if !ok1 || !ok2 {
				p.notes.add("pe: resource directory truncated")
				return
			}
			var name string
			id := nameID
			if nameID&0x80000000 != 0 {
				name = p.resourceName(base + uint64(nameID&0x7fffffff))
				id = 0
			} else if depth == 0 {
				name = resourceTypes[nameID]
				if name == "" {
					name = fmt.Sprint(nameID)
				}
			} else {
				name = fmt.Sprint(nameID)
			}
			next := path
			if depth < 3 {
				next[depth] = name
			}
			if target&0x80000000 != 0 {
				if depth+1 >= maxResourceDepth {
					if depth+1 == maxResourceDepth {
						p.notes.add("pe: resource tree deeper than %d levels, not followed", maxResourceDepth)
					}
					continue
				}
				walk(base+uint64(target&0x7fffffff), depth+1, next, lang)
				if cut {
					return
				}
				continue
			}
			if len(p.info.Resources) >= maxPEResources {
				p.notes.add("pe: more than %d resources, the rest not read", maxPEResources)
				cut = true
				return
			}
			p.addResource(base+uint64(target), next, id)
		}
	}
	walk(base, 0, [3]string{}, 0)
}

func (p *peFile) resourceName(off uint64) string {
	n, ok := p.u16(off)
	if !ok {
		return "?"
	}
	end := off + 2 + uint64(n)*2
	if end > uint64(len(p.b)) {
		return "?"
	}
	u := make([]uint16, n)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(p.b[off+2+uint64(i)*2:])
	}
	return printable(string(utf16.Decode(u)))
}

func (p *peFile) addResource(entry uint64, path [3]string, lang uint32) {
	rva, ok1 := p.u32(entry)
	size, ok2 := p.u32(entry + 4)
	if !ok1 || !ok2 {
		p.notes.add("pe: resource data entry truncated")
		return
	}
	r := Resource{Type: path[0], Name: path[1], Size: uint64(size)}
	if _, err := fmt.Sscan(path[2], &r.Language); err != nil {
		r.Language = lang
	}
	off, ok := p.offset(rva)
	if !ok || off+uint64(size) > uint64(len(p.b)) {
		p.notes.add("pe: resource %s/%s points outside the file", r.Type, r.Name)
		p.info.Resources = append(p.info.Resources, r)
		return
	}
	r.Offset = off
	data := p.b[off : off+uint64(size)]
	r.Entropy = entropy(data)
	if t := detect(data); t != TypeData && t != TypeText && t != TypeEmpty {
		r.Content = string(t)
	}
	p.info.Resources = append(p.info.Resources, r)
}

func (p *peFile) readSignature() {
	d := p.dirs[4] // a file offset, not an RVA
	if d.rva == 0 || d.size == 0 {
		return
	}
	sig := &Signature{Offset: uint64(d.rva), Size: uint64(d.size), Type: "unknown"}
	if uint64(d.rva)+uint64(d.size) > uint64(len(p.b)) {
		p.notes.add("pe: the signature directory points beyond the end of the file")
	} else if t, ok := p.u16(uint64(d.rva) + 6); ok {
		switch t {
		case 1:
			sig.Type = "x509"
		case 2:
			sig.Type = "pkcs7"
			length, _ := p.u32(uint64(d.rva))
			end := min(uint64(d.rva)+uint64(length), uint64(d.rva)+uint64(d.size))
			if start := uint64(d.rva) + 8; end > start {
				certs, err := readCertificates(p.b[start:end])
				if err != nil {
					p.notes.add("pe: signature: %v", err)
				}
				sig.Certificates = certs
			}
		}
	}
	p.info.Signature = sig
}

func (p *peFile) readDebug() {
	d := p.dirs[6]
	if d.rva == 0 || d.size == 0 {
		return
	}
	off, ok := p.offset(d.rva)
	if !ok {
		p.notes.add("pe: debug directory outside the file")
		return
	}
	n := min(d.size/28, maxPEDebug)
	for i := range uint64(n) {
		e := off + i*28
		ts, ok1 := p.u32(e + 4)
		typ, ok2 := p.u32(e + 12)
		size, _ := p.u32(e + 16)
		ptr, ok3 := p.u32(e + 24)
		if !ok1 || !ok2 || !ok3 {
			p.notes.add("pe: debug directory truncated")
			return
		}
		if ts != 0 && p.info.DebugTime == nil {
			t := time.Unix(int64(ts), 0).UTC()
			p.info.DebugTime = &t
		}
		if typ == 2 && size >= 24 && uint64(ptr)+uint64(size) <= uint64(len(p.b)) {
			cv := p.b[ptr : ptr+size]
			if string(cv[:4]) == "RSDS" {
				path := cv[24:]
				if k := bytes.IndexByte(path, 0); k >= 0 {
					path = path[:k]
				}
				p.info.PDB = printable(string(path))
			}
		}
	}
}

func (p *peFile) readOverlay() {
	var end uint64
	for _, s := range p.sections {
		end = max(end, uint64(s.raw)+uint64(s.rawSize))
	}
	if end == 0 || end >= uint64(len(p.b)) {
		return
	}
	p.info.Overlay = &Region{Offset: end, Size: uint64(len(p.b)) - end, Entropy: entropy(p.b[end:])}
}

// printable replaces control characters and invalid UTF-8 so that names
// read from a hostile file print safely.
func printable(s string) string {
	ok := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			b.WriteByte('?')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
