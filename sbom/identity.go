package sbom

import (
	"fmt"
	"strings"

	"github.com/package-url/packageurl-go"
)

// Package identifies a package the way advisories name it: an OSV ecosystem
// (with a release suffix such as "Debian:11" when the SBOM records one) and
// the package's name in that ecosystem ("org.apache.logging.log4j:log4j-core"
// for Maven, the module path for Go, "@scope/name" for npm).
type Package struct {
	Ecosystem string
	Name      string
}

// PackageKey is the index key of a package: the ecosystem without its
// release suffix and the name normalised for the ecosystem (case folded where
// the ecosystem ignores case, PEP 503 for PyPI). Two packages with the same
// key are the same package for matching.
type PackageKey struct {
	Ecosystem string
	Name      string
}

// CPEEcosystem is the pseudo-ecosystem of keys built from CPEs; the name is
// "vendor:product", lower case.
const CPEEcosystem = "CPE"

// Key returns the package's index key.
func (p Package) Key() PackageKey {
	base := BaseEcosystem(p.Ecosystem)
	return PackageKey{Ecosystem: base, Name: NormalizeName(base, p.Name)}
}

// BaseEcosystem returns the ecosystem without its release or repository
// suffix: "Debian:11" gives "Debian", "Red Hat:rhel_aus:8.6::appstream" gives
// "Red Hat", "Maven:https://maven.google.com" gives "Maven".
func BaseEcosystem(ecosystem string) string {
	base, _, _ := strings.Cut(ecosystem, ":")
	return base
}

// NormalizeName returns name in the form used to compare package names of
// the given base ecosystem: lower case where the ecosystem's registry ignores
// case, PEP 503 normalisation for PyPI, and the name unchanged otherwise
// (Maven and RubyGems names are compared exactly).
func NormalizeName(ecosystem, name string) string {
	switch ecosystem {
	case "PyPI":
		return normalizePyPI(name)
	case "Maven", "RubyGems", "Hackage", "CRAN", "Bioconductor", "SwiftURL":
		return name
	default:
		// Go module paths are compared without case, as purls lower-case
		// them; npm, Packagist, NuGet, crates.io, the distributions and CPEs
		// ignore case too.
		return strings.ToLower(name)
	}
}

// normalizePyPI applies PEP 503: lower case, and every run of "-", "_" and
// "." becomes a single "-".
func normalizePyPI(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '-' || c == '_' || c == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// ParsePURL parses and normalises a package URL. It returns the normalised
// purl string, the package it names (zero when its type has no OSV
// ecosystem), and the version it carries, adjusted to the form advisories
// use (the Go standard library's "go1.21.3" becomes "1.21.3").
func ParsePURL(s string) (normalised string, pkg Package, version string, err error) {
	p, err := packageurl.FromString(strings.TrimSpace(s))
	if err != nil {
		return "", Package{}, "", fmt.Errorf("invalid purl %q: %w", s, err)
	}
	pkg, version = purlPackage(p)
	return p.ToString(), pkg, version, nil
}

// purlPackage maps a parsed purl to its OSV package and version.
func purlPackage(p packageurl.PackageURL) (Package, string) {
	q := p.Qualifiers.Map()
	joined := p.Name
	if p.Namespace != "" {
		joined = p.Namespace + "/" + p.Name
	}
	version := p.Version
	switch p.Type {
	case packageurl.TypeGolang:
		if p.Namespace == "" && (p.Name == "std" || p.Name == "stdlib" || p.Name == "go") {
			return Package{Ecosystem: "Go", Name: "stdlib"}, GoToolchainVersion(version)
		}
		return Package{Ecosystem: "Go", Name: joined}, version
	case packageurl.TypeNPM:
		return Package{Ecosystem: "npm", Name: joined}, version
	case packageurl.TypePyPi:
		return Package{Ecosystem: "PyPI", Name: normalizePyPI(p.Name)}, version
	case packageurl.TypeMaven:
		if p.Namespace == "" {
			return Package{Ecosystem: "Maven", Name: p.Name}, version
		}
		return Package{Ecosystem: "Maven", Name: p.Namespace + ":" + p.Name}, version
	case packageurl.TypeComposer:
		return Package{Ecosystem: "Packagist", Name: joined}, version
	case packageurl.TypeGem:
		return Package{Ecosystem: "RubyGems", Name: p.Name}, version
	case packageurl.TypeCargo:
		return Package{Ecosystem: "crates.io", Name: p.Name}, version
	case packageurl.TypeNuget:
		return Package{Ecosystem: "NuGet", Name: p.Name}, version
	case packageurl.TypeHex:
		return Package{Ecosystem: "Hex", Name: p.Name}, version
	case "pub":
		return Package{Ecosystem: "Pub", Name: p.Name}, version
	case packageurl.TypeCran:
		return Package{Ecosystem: "CRAN", Name: p.Name}, version
	case packageurl.TypeHackage:
		return Package{Ecosystem: "Hackage", Name: p.Name}, version
	case packageurl.TypeConan:
		return Package{Ecosystem: "ConanCenter", Name: p.Name}, version
	case packageurl.TypeSwift:
		return Package{Ecosystem: "SwiftURL", Name: joined}, version
	case "bitnami":
		return Package{Ecosystem: "Bitnami", Name: p.Name}, version
	case packageurl.TypeDebian, packageurl.TypeApk, packageurl.TypeRPM:
		return distroPackage(p, q)
	}
	return Package{}, version
}

// distroPackage maps deb, apk and rpm purls: the namespace names the
// distribution, the distro qualifier its release, and an upstream qualifier
// the source package that advisories name.
func distroPackage(p packageurl.PackageURL, q map[string]string) (Package, string) {
	eco := ""
	switch p.Type + "/" + strings.ToLower(p.Namespace) {
	case "deb/debian":
		eco = "Debian"
	case "deb/ubuntu":
		eco = "Ubuntu"
	case "apk/alpine":
		eco = "Alpine"
	case "apk/wolfi":
		eco = "Wolfi"
	case "apk/chainguard":
		eco = "Chainguard"
	case "rpm/redhat":
		eco = "Red Hat"
	case "rpm/suse", "rpm/sles":
		eco = "SUSE"
	case "rpm/opensuse":
		eco = "openSUSE"
	case "rpm/almalinux":
		eco = "AlmaLinux"
	case "rpm/rocky", "rpm/rocky-linux", "rpm/rockylinux":
		eco = "Rocky Linux"
	case "rpm/openeuler":
		eco = "openEuler"
	case "rpm/mageia":
		eco = "Mageia"
	}
	if eco == "" {
		return Package{}, p.Version
	}
	name, version := p.Name, p.Version
	if p.Type != packageurl.TypeRPM {
		if up := q["upstream"]; up != "" {
			upName, upVersion, ok := strings.Cut(up, "@")
			name = upName
			if ok && upVersion != "" {
				version = upVersion
			}
		}
	}
	if p.Type == packageurl.TypeRPM {
		if e := q["epoch"]; e != "" && e != "0" && !strings.Contains(version, ":") {
			version = e + ":" + version
		}
	}
	if rel := distroRelease(eco, q["distro"]); rel != "" {
		eco += ":" + rel
	}
	return Package{Ecosystem: eco, Name: name}, version
}

// distroRelease turns a purl distro qualifier ("debian-11", "bullseye",
// "alpine-3.18.4", "ubuntu-22.04", "rhel-8.6", "el8") into the release part
// of an OSV ecosystem ("11", "v3.18", "22.04", "8.6", "8"), or "".
func distroRelease(eco, distro string) string {
	d := strings.ToLower(strings.TrimSpace(distro))
	if d == "" {
		return ""
	}
	if i := strings.LastIndexByte(d, '-'); i >= 0 {
		d = d[i+1:]
	}
	switch eco {
	case "Debian":
		switch d {
		case "jessie":
			return "8"
		case "stretch":
			return "9"
		case "buster":
			return "10"
		case "bullseye":
			return "11"
		case "bookworm":
			return "12"
		case "trixie":
			return "13"
		}
		major, _, _ := strings.Cut(d, ".")
		return major
	case "Alpine":
		parts := strings.Split(strings.TrimPrefix(d, "v"), ".")
		if len(parts) >= 2 {
			return "v" + parts[0] + "." + parts[1]
		}
		return "v" + parts[0]
	default:
		d = strings.TrimPrefix(d, "el")
		return d
	}
}

// ReleaseMatches reports whether a component whose ecosystem is
// componentEcosystem may be affected by an advisory entry for
// advisoryEcosystem, as far as distribution releases go: true when either
// has no release, or when the advisory's release suffix names the
// component's release ("Ubuntu:22.04:LTS" names "22.04", "Red Hat:rhel_aus:8.6::appstream"
// names "8.6" and "8").
func ReleaseMatches(advisoryEcosystem, componentEcosystem string) bool {
	_, crel, ok := strings.Cut(componentEcosystem, ":")
	if !ok || crel == "" {
		return true
	}
	_, arel, ok := strings.Cut(advisoryEcosystem, ":")
	if !ok || arel == "" {
		return true
	}
	crel = strings.TrimPrefix(crel, "v")
	for _, tok := range strings.Split(arel, ":") {
		tok = strings.TrimPrefix(tok, "v")
		if tok == crel || strings.HasPrefix(tok, crel+".") {
			return true
		}
	}
	return false
}

// GoToolchainVersion turns a Go release name as SBOM tools write it
// ("go1.21.3", "v1.16.0", "go1.22rc1", "1.21") into the semantic version the
// Go vulnerability database uses ("1.21.3", "1.16.0", "1.22.0-rc.1",
// "1.21.0").
func GoToolchainVersion(v string) string {
	v = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(v), "go"), "v")
	pre := ""
	for _, tag := range []string{"rc", "beta", "alpha"} {
		if i := strings.Index(v, tag); i > 0 {
			pre = "-" + tag + "." + v[i+len(tag):]
			v = v[:i]
			break
		}
	}
	switch strings.Count(v, ".") {
	case 0:
		if v != "" {
			v += ".0.0"
		}
	case 1:
		v += ".0"
	}
	return v + pre
}
