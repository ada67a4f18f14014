package sbom_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigie-cti/vigie/sbom"
)

// cyclonedx holds real CycloneDX SBOMs (CycloneDX/bom-examples).
const cyclonedx = "testdata/cyclonedx"

// MustRead reads the SBOM at path or fails the test.
func MustRead(tb testing.TB, path string) *sbom.Document {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	doc, err := sbom.Read(f, sbom.Options{})
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	return doc
}

func dependencyCounts(doc *sbom.Document) map[sbom.Dependency]int {
	n := map[sbom.Dependency]int{}
	for _, c := range doc.Components {
		n[c.Dependency]++
	}
	return n
}

// TestReadRealSBOMs reads the real CycloneDX SBOMs of testdata with all
// their components, and the dependency kinds their graphs give.
func TestReadRealSBOMs(t *testing.T) {
	tests := []struct {
		file        string
		format      sbom.Format
		spec        string
		product     string
		components  int
		ecosystem   string
		dependency  map[sbom.Dependency]int
		unmatchable int
	}{
		{"proton-bridge-v1.8.0.bom.json", sbom.CycloneDXJSON, "1.2",
			"github.com/ProtonMail/proton-bridge", 201, "Go",
			map[sbom.Dependency]int{sbom.Direct: 56, sbom.Transitive: 144, sbom.DependencyUnknown: 1}, 0},
		{"dropwizard-1.3.15.bom.json", sbom.CycloneDXJSON, "1.2",
			"dropwizard-parent", 167, "Maven",
			// No graph entry for the product: the components nothing depends on are the direct ones.
			map[sbom.Dependency]int{sbom.Direct: 29, sbom.Transitive: 138}, 0},
		{"laravel-7.12.0.bom.1.4.json", sbom.CycloneDXJSON, "1.4",
			"cyclonedx-php-composer-demo", 62, "Packagist",
			map[sbom.Dependency]int{sbom.Direct: 1, sbom.Transitive: 61}, 0},
		{"laravel-7.12.0.bom.1.4.xml", sbom.CycloneDXXML, "1.4",
			"cyclonedx-php-composer-demo", 62, "Packagist",
			map[sbom.Dependency]int{sbom.Direct: 1, sbom.Transitive: 61}, 0},
		{"cern-lhc-vdm-editor-e564943.bom.json", sbom.CycloneDXJSON, "1.2",
			"lhc-vdm-editor", 43, "npm",
			map[sbom.Dependency]int{sbom.DependencyUnknown: 43}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc := MustRead(t, filepath.Join(cyclonedx, tt.file))
			if doc.Format != tt.format || doc.SpecVersion != tt.spec || doc.Name != tt.product {
				t.Errorf("got %s %s %q, want %s %s %q", doc.Format, doc.SpecVersion, doc.Name, tt.format, tt.spec, tt.product)
			}
			if len(doc.Components) != tt.components {
				t.Errorf("%d components, want %d", len(doc.Components), tt.components)
			}
			if doc.Unmatchable != tt.unmatchable {
				t.Errorf("%d unmatchable, want %d", doc.Unmatchable, tt.unmatchable)
			}
			for _, c := range doc.Components {
				if c.Ecosystem != tt.ecosystem || c.PURL == "" || c.MatchVersion == "" {
					t.Errorf("component %s@%s: ecosystem %q purl %q version %q", c.Name, c.Version, c.Ecosystem, c.PURL, c.MatchVersion)
				}
			}
			if diff := cmp.Diff(tt.dependency, dependencyCounts(doc)); diff != "" {
				t.Errorf("dependency kinds (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLaravelJSONAndXMLAgree reads the same BOM in both encodings.
func TestLaravelJSONAndXMLAgree(t *testing.T) {
	j := MustRead(t, filepath.Join(cyclonedx, "laravel-7.12.0.bom.1.4.json"))
	x := MustRead(t, filepath.Join(cyclonedx, "laravel-7.12.0.bom.1.4.xml"))
	if diff := cmp.Diff(j.Components, x.Components, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("components (-json +xml):\n%s", diff)
	}
	var framework sbom.Component
	for _, c := range j.Components {
		if c.PackageName == "laravel/framework" {
			framework = c
		}
	}
	want := sbom.Component{
		Ref: "laravel/framework-7.30.6.0", Type: "library", Name: "framework", Group: "laravel", Version: "v7.30.6",
		PURL: "pkg:composer/laravel/framework@v7.30.6", Ecosystem: "Packagist", PackageName: "laravel/framework",
		MatchVersion: "v7.30.6", Dependency: sbom.Transitive,
	}
	if diff := cmp.Diff(want, framework, cmpopts.IgnoreFields(sbom.Component{}, "Hashes")); diff != "" {
		t.Errorf("laravel/framework (-want +got):\n%s", diff)
	}
}

// TestProtonBridgeComponent pins one Go component as read: the purl is
// normalised (Go module paths lower-cased, as the purl spec says) while the
// name keeps its case.
func TestProtonBridgeComponent(t *testing.T) {
	doc := MustRead(t, filepath.Join(cyclonedx, "proton-bridge-v1.8.0.bom.json"))
	want := sbom.Component{
		Ref:          "pkg:golang/github.com/ProtonMail/go-crypto@v0.0.0-20201208171014-cdb7591792e2",
		Type:         "library",
		Name:         "github.com/ProtonMail/go-crypto",
		Version:      "v0.0.0-20201208171014-cdb7591792e2",
		PURL:         "pkg:golang/github.com/protonmail/go-crypto@v0.0.0-20201208171014-cdb7591792e2",
		Ecosystem:    "Go",
		PackageName:  "github.com/protonmail/go-crypto",
		MatchVersion: "v0.0.0-20201208171014-cdb7591792e2",
		Hashes:       map[string]string{"SHA-256": "a509232442c76b25b9f63a7baf81b90e59a789caf931c7a30dfc2c8dcc08d525"},
		Dependency:   sbom.Transitive,
	}
	for _, c := range doc.Components {
		if c.Name == want.Name {
			if diff := cmp.Diff(want, c); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			return
		}
	}
	t.Fatalf("no component %s", want.Name)
}

// TestReadScenarios reads the small SBOMs of testdata, one per scenario.
func TestReadScenarios(t *testing.T) {
	tests := []struct {
		file        string
		product     *sbom.Component
		components  []sbom.Component
		unmatchable int
		warnings    int
	}{
		{
			file: "python-webapp-2.3.spdx.json",
			product: &sbom.Component{Ref: "SPDXRef-Package-acme-webapp", Type: "application", Name: "acme-webapp", Version: "2.4.0",
				PURL: "pkg:pypi/acme-webapp@2.4.0", Ecosystem: "PyPI", PackageName: "acme-webapp", MatchVersion: "2.4.0", Supplier: "ACME Corp"},
			components: []sbom.Component{
				{Ref: "SPDXRef-Package-requests", Name: "requests", Version: "2.30.0", PURL: "pkg:pypi/requests@2.30.0",
					Ecosystem: "PyPI", PackageName: "requests", MatchVersion: "2.30.0",
					CPE:      "cpe:2.3:a:python:requests:2.30.0:*:*:*:*:*:*:*",
					Hashes:   map[string]string{"SHA-256": "239d7d4458afcb28a692cdd298d87542235f4ca8d36d03a15bfc128a6559a2f4"},
					Supplier: "Kenneth Reitz", Dependency: sbom.Direct},
				{Ref: "SPDXRef-Package-urllib3", Name: "urllib3", Version: "2.0.2", PURL: "pkg:pypi/urllib3@2.0.2",
					Ecosystem: "PyPI", PackageName: "urllib3", MatchVersion: "2.0.2", Dependency: sbom.Transitive},
				{Ref: "SPDXRef-Package-flask-login", Name: "Flask_Login", Version: "0.6.2", PURL: "pkg:pypi/flask-login@0.6.2",
					Ecosystem: "PyPI", PackageName: "flask-login", MatchVersion: "0.6.2", Dependency: sbom.Direct},
				{Ref: "SPDXRef-Package-vendored", Name: "vendored-helpers", Dependency: sbom.Direct, Unmatchable: "no version"},
			},
			unmatchable: 1,
		},
		{
			file: "go-service-2.2.spdx",
			product: &sbom.Component{Ref: "SPDXRef-ledger-api", Name: "ledger-api", Version: "v1.3.0",
				PURL: "pkg:golang/acme.example/ledger-api@v1.3.0", Ecosystem: "Go", PackageName: "acme.example/ledger-api",
				MatchVersion: "v1.3.0", Supplier: "ACME Corp"},
			components: []sbom.Component{
				{Ref: "SPDXRef-golang.org-x-net", Name: "golang.org/x/net", Version: "v0.7.0", PURL: "pkg:golang/golang.org/x/net@v0.7.0",
					Ecosystem: "Go", PackageName: "golang.org/x/net", MatchVersion: "v0.7.0",
					Hashes:     map[string]string{"SHA-256": "1f3f4a0b4b1e6c9b5b3ad1f5d2e1a3c5d6e7f8091a2b3c4d5e6f708192a3b4c5"},
					Dependency: sbom.Direct},
				{Ref: "SPDXRef-golang.org-x-text", Name: "golang.org/x/text", Version: "v0.7.0", PURL: "pkg:golang/golang.org/x/text@v0.7.0",
					Ecosystem: "Go", PackageName: "golang.org/x/text", MatchVersion: "v0.7.0", Dependency: sbom.Transitive},
				// The Go standard library, under the name the Go vulnerability database uses.
				{Ref: "SPDXRef-stdlib", Name: "stdlib", Version: "go1.20.1", PURL: "pkg:golang/stdlib@go1.20.1",
					Ecosystem: "Go", PackageName: "stdlib", MatchVersion: "1.20.1", Dependency: sbom.Direct},
			},
		},
		{
			file: "debian-image-2.3.spdx",
			product: &sbom.Component{Ref: "SPDXRef-image", Type: "container", Name: "acme-gateway", Version: "5.1",
				MatchVersion: "5.1"},
			components: []sbom.Component{
				// Debian advisories name the source package: the upstream qualifier.
				{Ref: "SPDXRef-deb-libssl", Type: "operating-system", Name: "libssl1.1", Version: "1.1.1n-0+deb11u3",
					PURL:      "pkg:deb/debian/libssl1.1@1.1.1n-0%2Bdeb11u3?arch=amd64&distro=debian-11&upstream=openssl",
					Ecosystem: "Debian:11", PackageName: "openssl", MatchVersion: "1.1.1n-0+deb11u3", Dependency: sbom.Direct},
				// No purl: matched by CPE.
				{Ref: "SPDXRef-firmware", Name: "firmware-blob", Version: "4.2", MatchVersion: "4.2",
					CPE: "cpe:2.3:o:acme:gateway_firmware:4.2:*:*:*:*:*:*:*", Dependency: sbom.Direct},
			},
		},
		{
			file: "nested-1.6.cdx.xml",
			product: &sbom.Component{Ref: "pkg:maven/com.acme/billing@4.0.1", Type: "application", Name: "billing", Group: "com.acme",
				Version: "4.0.1", PURL: "pkg:maven/com.acme/billing@4.0.1", Ecosystem: "Maven", PackageName: "com.acme:billing",
				MatchVersion: "4.0.1", Supplier: "ACME Corp"},
			components: []sbom.Component{
				{Ref: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", Type: "library", Name: "log4j-core",
					Group: "org.apache.logging.log4j", Version: "2.14.1",
					PURL:      "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar",
					Ecosystem: "Maven", PackageName: "org.apache.logging.log4j:log4j-core", MatchVersion: "2.14.1",
					Hashes:     map[string]string{"SHA-256": "a2b9a4f31ea0ea1f5b1e6f2e6f3b0c5d5a8e8b1c2d3e4f5061728394a5b6c7d8"},
					Dependency: sbom.Direct},
				// Nested in log4j-core, and reached through the graph.
				{Ref: "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1", Type: "library", Name: "log4j-api",
					Group: "org.apache.logging.log4j", Version: "2.14.1",
					PURL:      "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1?type=jar",
					Ecosystem: "Maven", PackageName: "org.apache.logging.log4j:log4j-api", MatchVersion: "2.14.1",
					Dependency: sbom.Transitive},
				// In the BOM but outside the graph.
				{Ref: "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.10.6", Type: "library", Name: "jackson-databind",
					Group: "com.fasterxml.jackson.core", Version: "2.9.10.6",
					PURL:      "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.10.6?type=jar",
					Ecosystem: "Maven", PackageName: "com.fasterxml.jackson.core:jackson-databind", MatchVersion: "2.9.10.6"},
			},
		},
		{
			file:    "bad-purls.cdx.json",
			product: &sbom.Component{Ref: "app", Type: "application", Name: "acme-portal", Version: "3.0.0", MatchVersion: "3.0.0"},
			components: []sbom.Component{
				{Ref: "c1", Type: "library", Name: "left-pad", Version: "1.3.0", MatchVersion: "1.3.0", Dependency: sbom.Direct,
					Unmatchable: `invalid purl "pkg:npm/left-pad@%ZZ1.3.0": error unescaping version: invalid URL escape "%ZZ"`},
				// A bad purl, but a CPE to match it by.
				{Ref: "c2", Type: "library", Name: "openssl", Version: "1.1.1k", MatchVersion: "1.1.1k", Dependency: sbom.Direct,
					CPE: "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*"},
				{Ref: "c3", Type: "library", Name: "lodash", Version: "4.17.20", PURL: "pkg:npm/lodash@4.17.20", Ecosystem: "npm",
					PackageName: "lodash", MatchVersion: "4.17.20", Dependency: sbom.Direct},
				{Ref: "c4", Type: "library", Name: "no-scheme", Version: "1.0", MatchVersion: "1.0", Dependency: sbom.Transitive,
					Unmatchable: `invalid purl "npm/no-scheme@1.0": purl scheme is not "pkg": "npm/no-scheme@1.0"`},
			},
			unmatchable: 2,
			warnings:    3,
		},
		{
			file:    "unmatchable.cdx.json",
			product: &sbom.Component{Ref: "root", Type: "application", Name: "acme-backoffice", Version: "7.2", MatchVersion: "7.2"},
			components: []sbom.Component{
				{Ref: "a", Type: "library", Name: "express", PURL: "pkg:npm/express", Ecosystem: "npm", PackageName: "express",
					Unmatchable: "no version"},
				{Ref: "b", Type: "library", Name: "internal-utils", Version: "0.4.1", MatchVersion: "0.4.1",
					Unmatchable: "no purl or cpe"},
				{Ref: "c", Type: "library", Name: "vendored-zlib", Version: "1.2.11", PURL: "pkg:generic/zlib@1.2.11",
					MatchVersion: "1.2.11", Unmatchable: "no advisory ecosystem for this purl type"},
				{Ref: "d", Type: "library", Name: "express-session", Version: "1.17.1", PURL: "pkg:npm/express-session@1.17.1",
					Ecosystem: "npm", PackageName: "express-session", MatchVersion: "1.17.1"},
				{Ref: "d1", Type: "library", Name: "cookie", Version: "0.4.1", PURL: "pkg:npm/cookie@0.4.1",
					Ecosystem: "npm", PackageName: "cookie", MatchVersion: "0.4.1"},
			},
			unmatchable: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc := MustRead(t, filepath.Join("testdata", tt.file))
			if diff := cmp.Diff(tt.product, doc.Product, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("product (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.components, doc.Components, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("components (-want +got):\n%s", diff)
			}
			if doc.Unmatchable != tt.unmatchable || len(doc.Warnings) != tt.warnings {
				t.Errorf("unmatchable %d, warnings %q; want %d, %d", doc.Unmatchable, doc.Warnings, tt.unmatchable, tt.warnings)
			}
		})
	}
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// TestReadMalformed gives Read what is not an SBOM, or a broken one, and
// checks the error says which.
func TestReadMalformed(t *testing.T) {
	laravelXML := readFile(t, filepath.Join(cyclonedx, "laravel-7.12.0.bom.1.4.xml"))
	proton := readFile(t, filepath.Join(cyclonedx, "proton-bridge-v1.8.0.bom.json"))
	deep := strings.Repeat("<c>", 100) + strings.Repeat("</c>", 100)
	tests := []struct {
		name string
		data []byte
		opts sbom.Options
		want error
		msg  string
	}{
		{"empty", nil, sbom.Options{}, sbom.ErrNotSBOM, "empty document"},
		{"plain text", []byte("hello, world\n"), sbom.Options{}, sbom.ErrNotSBOM, "neither JSON"},
		{"JSON of something else", []byte(`{"name": "a package.json", "version": "1.0.0"}`), sbom.Options{}, sbom.ErrNotSBOM, "without bomFormat"},
		{"OpenVEX", readFile(t, "testdata/openvex-not-sbom.json"), sbom.Options{}, sbom.ErrNotSBOM, "OpenVEX"},
		{"CSAF", readFile(t, "testdata/osv-mixed/redhat/CSAF/rhsa-2003_315.json"), sbom.Options{}, sbom.ErrNotSBOM, "CSAF"},
		{"HTML", []byte("<!DOCTYPE html><html><body>404</body></html>"), sbom.Options{}, sbom.ErrMalformed, "DTD"},
		{"XML of something else", []byte(`<?xml version="1.0"?><project><modelVersion>4.0.0</modelVersion></project>`), sbom.Options{}, sbom.ErrNotSBOM, "<project>"},
		{"SPDX RDF", readFile(t, "testdata/spdx-rdf.spdx.rdf"), sbom.Options{}, sbom.ErrUnsupported, "RDF"},
		{"truncated XML", laravelXML[:len(laravelXML)/2], sbom.Options{}, sbom.ErrMalformed, "xml"},
		{"truncated JSON", proton[:len(proton)/2], sbom.Options{}, sbom.ErrMalformed, "cyclonedx json"},
		{"XML namespace of no CycloneDX version", []byte(`<bom xmlns="http://cyclonedx.org/schema/bom/9.9" version="1"></bom>`), sbom.Options{}, sbom.ErrUnsupported, "namespace"},
		{"CycloneDX spec 9.9", []byte(`{"bomFormat": "CycloneDX", "specVersion": "9.9", "version": 1}`), sbom.Options{}, sbom.ErrUnsupported, "invalid specification version"},
		{"CycloneDX without specVersion", []byte(`{"bomFormat": "CycloneDX", "version": 1}`), sbom.Options{}, sbom.ErrMalformed, "specVersion"},
		{"bomFormat of another kind", []byte(`{"bomFormat": "SWID", "specVersion": "1.4"}`), sbom.Options{}, sbom.ErrNotSBOM, "SWID"},
		{"SPDX 2.1", []byte(`{"spdxVersion": "SPDX-2.1", "SPDXID": "SPDXRef-DOCUMENT", "name": "x"}`), sbom.Options{}, sbom.ErrUnsupported, "SPDX-2.1"},
		{"SPDX 3.0 tag-value", []byte("SPDXVersion: SPDX-3.0\nDataLicense: CC0-1.0\n"), sbom.Options{}, sbom.ErrUnsupported, "SPDX-3.0"},
		{"SPDX tag-value without version", []byte("DataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n"), sbom.Options{}, sbom.ErrMalformed, "SPDXVersion"},
		{"SPDX JSON with a bad field", []byte(`{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "packages": [{"SPDXID": 7}]}`), sbom.Options{}, sbom.ErrMalformed, "spdx json"},
		{"over the size limit", proton, sbom.Options{MaxBytes: 1000}, sbom.ErrTooLarge, "1000 bytes"},
		{"over the component limit", proton, sbom.Options{MaxComponents: 200}, sbom.ErrTooLarge, "200 components"},
		{"XML nested too deep", []byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.4">` + deep + `</bom>`), sbom.Options{}, sbom.ErrTooLarge, "deeper than 64"},
		{"XML entity declaration", []byte(`<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "aaaa">]><bom xmlns="http://cyclonedx.org/schema/bom/1.4"/>`), sbom.Options{}, sbom.ErrMalformed, "DTD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := sbom.Read(bytes.NewReader(tt.data), tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v (doc %+v)", err, tt.want, doc)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want it to mention %q", err, tt.msg)
			}
		})
	}
}

// TestNestedComponentsTooDeep refuses CycloneDX JSON components nested past
// the depth limit.
func TestNestedComponentsTooDeep(t *testing.T) {
	inner := `{"type": "library", "name": "leaf", "version": "1"}`
	for range 10 {
		inner = `{"type": "library", "name": "n", "version": "1", "components": [` + inner + `]}`
	}
	doc := `{"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1, "components": [` + inner + `]}`
	_, err := sbom.Read(strings.NewReader(doc), sbom.Options{MaxDepth: 5})
	if !errors.Is(err, sbom.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	got, err := sbom.Read(strings.NewReader(doc), sbom.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Components) != 11 {
		t.Errorf("%d components, want 11", len(got.Components))
	}
}

// TestSPDXMentioningBomFormat reads an SPDX document whose text mentions
// CycloneDX's "bomFormat" key as SPDX.
func TestSPDXMentioningBomFormat(t *testing.T) {
	doc := `{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "x",
	  "documentNamespace": "https://example.com/x", "comment": "converted from a file with \"bomFormat\": \"CycloneDX\"",
	  "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: t"]},
	  "packages": [{"name": "left-pad", "SPDXID": "SPDXRef-p", "versionInfo": "1.3.0", "downloadLocation": "NOASSERTION",
	    "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/left-pad@1.3.0"}]}]}`
	got, err := sbom.Read(strings.NewReader(doc), sbom.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Format != sbom.SPDXJSON || len(got.Components) != 1 || got.Components[0].PackageName != "left-pad" {
		t.Errorf("read as %s with %+v", got.Format, got.Components)
	}
}
