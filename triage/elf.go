package triage

import (
	"bytes"
	"debug/elf"
	"debug/macho"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
)

const maxSymbols = 5000 // imports, exports each

// ELFInfo is what the ELF reader learnt of a Linux or Unix executable.
type ELFInfo struct {
	Class       string    `json:"class"` // "ELF32" or "ELF64"
	Machine     string    `json:"machine"`
	Kind        string    `json:"kind"` // "exec", "dyn" (shared object or PIE), "rel", "core"
	Entry       uint64    `json:"entry"`
	Interpreter string    `json:"interpreter,omitempty"`
	BuildID     string    `json:"build_id,omitempty"`
	Stripped    bool      `json:"stripped"` // no symbol table
	Sections    []Section `json:"sections,omitempty"`
	Libraries   []string  `json:"libraries,omitempty"` // DT_NEEDED
	Imports     []string  `json:"imports,omitempty"`   // undefined dynamic symbols
	Exports     []string  `json:"exports,omitempty"`   // defined global dynamic symbols
}

func analyzeELF(b []byte, n *notes) *ELFInfo {
	info := &ELFInfo{}
	elfHeader(b, info)
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		n.add("elf: %v (only the header was read)", err)
		return info
	}
	for _, s := range f.Sections {
		sec := Section{Name: printable(s.Name), VirtualAddress: s.Addr, VirtualSize: s.Size, Offset: s.Offset, Flags: elfFlags(s.Flags)}
		if s.Type != elf.SHT_NOBITS && s.Type != elf.SHT_NULL {
			sec.Size = s.FileSize
			if s.Offset+s.FileSize <= uint64(len(b)) && s.Offset <= s.Offset+s.FileSize {
				sec.Entropy = entropy(b[s.Offset : s.Offset+s.FileSize])
			} else {
				n.add("elf: section %q is cut by the end of the file", sec.Name)
			}
		}
		info.Sections = append(info.Sections, sec)
		if s.Name == ".symtab" {
			info.Stripped = false
		}
	}
	info.Stripped = f.Section(".symtab") == nil
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP && p.Off+p.Filesz <= uint64(len(b)) && p.Filesz < 4096 {
			info.Interpreter = printable(string(bytes.TrimRight(b[p.Off:p.Off+p.Filesz], "\x00")))
		}
	}
	if s := f.Section(".note.gnu.build-id"); s != nil && s.Offset+s.FileSize <= uint64(len(b)) && s.FileSize >= 16 && s.FileSize < 1024 {
		note := b[s.Offset : s.Offset+s.FileSize]
		namesz := f.ByteOrder.Uint32(note[0:])
		descsz := f.ByteOrder.Uint32(note[4:])
		start := 12 + uint64((namesz+3)&^3)
		if start+uint64(descsz) <= uint64(len(note)) {
			info.BuildID = hex.EncodeToString(note[start : start+uint64(descsz)])
		}
	}
	if libs, err := f.ImportedLibraries(); err == nil {
		info.Libraries = printableAll(libs)
	}
	syms, err := f.DynamicSymbols()
	if err != nil && err != elf.ErrNoSymbols {
		n.add("elf: dynamic symbols: %v", err)
	}
	for _, s := range syms {
		bind := elf.ST_BIND(s.Info)
		switch {
		case s.Section == elf.SHN_UNDEF && s.Name != "":
			if len(info.Imports) < maxSymbols {
				info.Imports = append(info.Imports, printable(s.Name))
			}
		case (bind == elf.STB_GLOBAL || bind == elf.STB_WEAK) && s.Name != "":
			if len(info.Exports) < maxSymbols {
				info.Exports = append(info.Exports, printable(s.Name))
			}
		}
	}
	if len(info.Imports) == maxSymbols || len(info.Exports) == maxSymbols {
		n.add("elf: more than %d imported or exported symbols, the rest left out", maxSymbols)
	}
	return info
}

// elfHeader reads the fixed header by hand, so that a file debug/elf
// refuses still says what it claims to be.
func elfHeader(b []byte, info *ELFInfo) {
	if len(b) < 24 {
		return
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if b[5] == 2 {
		bo = binary.BigEndian
	}
	switch b[4] {
	case 1:
		info.Class = "ELF32"
		if len(b) >= 28 {
			info.Entry = uint64(bo.Uint32(b[24:]))
		}
	case 2:
		info.Class = "ELF64"
		if len(b) >= 32 {
			info.Entry = bo.Uint64(b[24:])
		}
	}
	info.Kind = elfKind(elf.Type(bo.Uint16(b[16:])))
	info.Machine = elfMachine(elf.Machine(bo.Uint16(b[18:])))
}

func elfKind(t elf.Type) string {
	switch t {
	case elf.ET_EXEC:
		return "exec"
	case elf.ET_DYN:
		return "dyn"
	case elf.ET_REL:
		return "rel"
	case elf.ET_CORE:
		return "core"
	}
	return fmt.Sprintf("0x%x", uint16(t))
}

func elfMachine(m elf.Machine) string {
	switch m {
	case elf.EM_X86_64:
		return "x86-64"
	case elf.EM_386:
		return "i386"
	case elf.EM_AARCH64:
		return "arm64"
	case elf.EM_ARM:
		return "arm"
	case elf.EM_MIPS:
		return "mips"
	case elf.EM_PPC64:
		return "ppc64"
	case elf.EM_RISCV:
		return "riscv"
	case elf.EM_S390:
		return "s390"
	}
	return fmt.Sprintf("0x%x", uint16(m))
}

func elfFlags(f elf.SectionFlag) string {
	if f&elf.SHF_ALLOC == 0 {
		return ""
	}
	s := []byte("r--")
	if f&elf.SHF_WRITE != 0 {
		s[1] = 'w'
	}
	if f&elf.SHF_EXECINSTR != 0 {
		s[2] = 'x'
	}
	return string(s)
}

func printableAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, printable(s))
	}
	return out
}

// MachOInfo is what the Mach-O reader learnt of a macOS executable. For a
// fat (universal) file, Arches lists every architecture and the rest
// describes the first.
type MachOInfo struct {
	CPU           string    `json:"cpu"`
	Kind          string    `json:"kind"` // "execute", "dylib", "bundle", "object", ...
	Arches        []string  `json:"arches,omitempty"`
	Sections      []Section `json:"sections,omitempty"`
	Libraries     []string  `json:"libraries,omitempty"`
	Imports       []string  `json:"imports,omitempty"`
	CodeSignature bool      `json:"code_signature"`
}

func analyzeMachO(b []byte, n *notes) *MachOInfo {
	info := &MachOInfo{}
	var f *macho.File
	base := uint64(0)
	if bytes.HasPrefix(b, []byte("\xca\xfe\xba\xbe")) {
		fat, err := macho.NewFatFile(bytes.NewReader(b))
		if err != nil {
			n.add("macho: fat header: %v", err)
			return info
		}
		for _, a := range fat.Arches {
			info.Arches = append(info.Arches, a.Cpu.String())
		}
		if len(fat.Arches) == 0 {
			return info
		}
		f, base = fat.Arches[0].File, uint64(fat.Arches[0].Offset)
	} else {
		var err error
		f, err = macho.NewFile(bytes.NewReader(b))
		if err != nil {
			n.add("macho: %v", err)
			return info
		}
	}
	info.CPU = f.Cpu.String()
	info.Kind = machoKind(f.Type)
	for _, s := range f.Sections {
		sec := Section{Name: printable(s.Seg + "," + s.Name), VirtualAddress: s.Addr, VirtualSize: s.Size, Offset: base + uint64(s.Offset)}
		if s.Flags&0xff != 0x1 && s.Flags&0xff != 0xc && s.Offset != 0 { // not zerofill
			sec.Size = s.Size
			end := sec.Offset + s.Size
			if end <= uint64(len(b)) && end >= sec.Offset {
				sec.Entropy = entropy(b[sec.Offset:end])
			} else {
				n.add("macho: section %q is cut by the end of the file", sec.Name)
			}
		}
		info.Sections = append(info.Sections, sec)
	}
	for _, l := range f.Loads {
		raw := l.Raw()
		if len(raw) >= 4 && f.ByteOrder.Uint32(raw) == 0x1d { // LC_CODE_SIGNATURE
			info.CodeSignature = true
		}
	}
	if libs, err := f.ImportedLibraries(); err == nil {
		info.Libraries = printableAll(libs)
	}
	if syms, err := f.ImportedSymbols(); err == nil {
		sort.Strings(syms)
		if len(syms) > maxSymbols {
			n.add("macho: %d imported symbols, %d kept", len(syms), maxSymbols)
			syms = syms[:maxSymbols]
		}
		info.Imports = printableAll(syms)
	}
	return info
}

func machoKind(t macho.Type) string {
	switch t {
	case macho.TypeExec:
		return "execute"
	case macho.TypeDylib:
		return "dylib"
	case macho.TypeBundle:
		return "bundle"
	case macho.TypeObj:
		return "object"
	}
	return fmt.Sprintf("0x%x", uint32(t))
}
