// Package synth makes synthetic SBOMs and OSV advisories for vigie's
// supply-chain benchmarks: realistic in shape and size (hashes, licenses, a
// dependency graph; summaries, details, CVSS vectors, several ranges), and
// deterministic for a given seed.
package synth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Package is one package version of an SBOM.
type Package struct {
	Ecosystem string // Go, npm, PyPI or Maven
	Name      string // module path, npm name, PyPI name, or "group:artifact"
	Version   string
}

// PURL returns the package URL of the package version.
func (p Package) PURL() string {
	switch p.Ecosystem {
	case "Go":
		return "pkg:golang/" + p.Name + "@" + p.Version
	case "npm":
		return "pkg:npm/" + strings.ReplaceAll(p.Name, "@", "%40") + "@" + p.Version
	case "PyPI":
		return "pkg:pypi/" + p.Name + "@" + p.Version
	case "Maven":
		group, artifact, _ := strings.Cut(p.Name, ":")
		return "pkg:maven/" + group + "/" + artifact + "@" + p.Version + "?type=jar"
	}
	return "pkg:generic/" + p.Name + "@" + p.Version
}

// NewRand returns the generator's random source for a seed.
func NewRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// SemVer returns a random version "major.minor.patch" with small numbers.
func SemVer(r *rand.Rand) string {
	return fmt.Sprintf("%d.%d.%d", r.IntN(5), r.IntN(20), r.IntN(30))
}

// Name returns the name of synthetic package i of an ecosystem.
func Name(ecosystem string, i int) string {
	switch ecosystem {
	case "npm":
		if i%5 == 0 {
			return fmt.Sprintf("@scope%d/pkg-%d", i%97, i)
		}
		return fmt.Sprintf("pkg-%d", i)
	case "PyPI":
		return fmt.Sprintf("py-pkg-%d", i)
	case "Maven":
		return fmt.Sprintf("org.example%d:artifact-%d", i%53, i)
	case "Go":
		return fmt.Sprintf("example.com/mod%d/pkg%d", i%61, i)
	}
	return fmt.Sprintf("pkg%d", i)
}

type cdxComponent struct {
	BOMRef   string       `json:"bom-ref"`
	Type     string       `json:"type"`
	Name     string       `json:"name"`
	Version  string       `json:"version"`
	Hashes   []cdxHash    `json:"hashes"`
	Licenses []cdxLicense `json:"licenses"`
	PURL     string       `json:"purl"`
}

type cdxHash struct {
	Alg     string `json:"alg"`
	Content string `json:"content"`
}

type cdxLicense struct {
	License struct {
		ID string `json:"id"`
	} `json:"license"`
}

type cdxDependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn,omitempty"`
}

// CycloneDX returns a CycloneDX 1.5 JSON SBOM of a product listing the
// packages, each with a SHA-256 and SHA-512 hash and a license; the product
// depends on the first tenth, and each package on up to three later ones.
func CycloneDX(product, version string, pkgs []Package, r *rand.Rand) []byte {
	root := "pkg:generic/" + product + "@" + version
	comps := make([]cdxComponent, len(pkgs))
	for i, p := range pkgs {
		// Maven components are named "group:artifact", without a group
		// field: osv-scanner 2.5.0 reads only the name of CycloneDX
		// components, and both tools must see the same packages.
		c := cdxComponent{BOMRef: p.PURL(), Type: "library", Name: p.Name, Version: p.Version, PURL: p.PURL()}
		c.Hashes = []cdxHash{{"SHA-256", hexString(r, 32)}, {"SHA-512", hexString(r, 64)}}
		var l cdxLicense
		l.License.ID = []string{"MIT", "Apache-2.0", "BSD-3-Clause", "ISC"}[r.IntN(4)]
		c.Licenses = []cdxLicense{l}
		comps[i] = c
	}
	deps := []cdxDependency{{Ref: root}}
	for i := 0; i < len(comps)/10+1 && i < len(comps); i++ {
		deps[0].DependsOn = append(deps[0].DependsOn, comps[i].BOMRef)
	}
	for i := range comps {
		d := cdxDependency{Ref: comps[i].BOMRef}
		for k := 0; k < 3 && len(comps) > i+1; k++ {
			d.DependsOn = append(d.DependsOn, comps[i+1+r.IntN(len(comps)-i-1)].BOMRef)
		}
		deps = append(deps, d)
	}
	doc := map[string]any{
		"bomFormat":    "CycloneDX",
		"specVersion":  "1.5",
		"serialNumber": fmt.Sprintf("urn:uuid:%s-%s-4%s-8%s-%s", hexString(r, 4), hexString(r, 2), hexString(r, 2)[1:], hexString(r, 2)[1:], hexString(r, 6)),
		"version":      1,
		"metadata": map[string]any{
			"timestamp": "2026-01-01T00:00:00Z",
			"component": map[string]any{"bom-ref": root, "type": "application", "name": product, "version": version, "purl": root},
		},
		"components":   comps,
		"dependencies": deps,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func hexString(r *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 2*n)
	for i := range b {
		b[i] = digits[r.IntN(16)]
	}
	return string(b)
}

// Advisory returns an OSV record (JSON) for a package of an ecosystem: one
// to three ranges below fixed versions, a CVE alias, a CVSS vector, a
// summary, details and references of realistic length. It also returns the
// ranges, for choosing vulnerable versions.
func Advisory(id, cve, ecosystem, name string, r *rand.Rand) []byte {
	type event map[string]string
	var ranges []map[string]any
	major := r.IntN(4)
	for k := 0; k < 1+r.IntN(3); k++ {
		intro := fmt.Sprintf("%d.%d.0", major+k, r.IntN(10))
		if k == 0 && r.IntN(2) == 0 {
			intro = "0"
		}
		fixed := fmt.Sprintf("%d.%d.%d", major+k, 10+r.IntN(10), r.IntN(20))
		ranges = append(ranges, map[string]any{"type": "ECOSYSTEM", "events": []event{{"introduced": intro}, {"fixed": fixed}}})
	}
	if ecosystem == "Go" || ecosystem == "npm" {
		for _, rg := range ranges {
			rg["type"] = "SEMVER"
		}
	}
	words := strings.Fields("the parser of the request handler does not check the length of the header before copying it into a fixed buffer which lets a remote attacker crash the service or run code with the privileges of the process when a crafted message is sent")
	var details strings.Builder
	for details.Len() < 600+r.IntN(900) {
		details.WriteString(words[r.IntN(len(words))])
		details.WriteByte(' ')
	}
	rec := map[string]any{
		"schema_version": "1.6.0",
		"id":             id,
		"modified":       "2025-06-01T00:00:00Z",
		"published":      "2025-05-01T00:00:00Z",
		"aliases":        []string{cve},
		"summary":        fmt.Sprintf("Buffer overflow in %s", name),
		"details":        details.String(),
		"severity":       []map[string]string{{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}},
		"affected": []map[string]any{{
			"package": map[string]string{"ecosystem": ecosystem, "name": name, "purl": strings.SplitN(Package{ecosystem, name, "0"}.PURL(), "@", 2)[0]},
			"ranges":  ranges,
		}},
		"references": []map[string]string{
			{"type": "ADVISORY", "url": "https://nvd.nist.gov/vuln/detail/" + cve},
			{"type": "WEB", "url": "https://example.com/" + name + "/issues/" + fmt.Sprint(r.IntN(5000))},
		},
		"database_specific": map[string]any{"severity": "HIGH", "cwe_ids": []string{"CWE-120"}},
	}
	out, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	return out
}

// Malicious returns an OSV malicious-package record for some versions of a
// package.
func Malicious(id, ecosystem, name string, versions []string) []byte {
	rec := map[string]any{
		"schema_version": "1.5.0",
		"id":             id,
		"modified":       "2025-06-01T00:00:00Z",
		"published":      "2025-06-01T00:00:00Z",
		"summary":        fmt.Sprintf("Malicious code in %s (%s)", name, ecosystem),
		"details":        "The package runs an install script that downloads and executes a second stage from a domain associated with malicious activity.",
		"affected":       []map[string]any{{"package": map[string]string{"ecosystem": ecosystem, "name": name}, "versions": versions}},
		"database_specific": map[string]any{"malicious-packages-origins": []map[string]any{
			{"source": "ossf-package-analysis", "versions": versions},
		}},
	}
	out, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	return out
}
