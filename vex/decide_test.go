package vex_test

import (
	"path/filepath"
	"testing"

	"github.com/vigie-cti/vigie/vex"
)

// TestDecide applies the CycloneDX VEX examples to findings, as a product's
// SBOM would present them.
func TestDecide(t *testing.T) {
	abc := func(v string) vex.Target { return vex.Target{Ref: "product-ABC", Name: "ABC", Version: v} }
	log4j := vex.Target{Ref: "log4j-core", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", Name: "log4j-core", Version: "2.14.1"}
	jackson := vex.Target{PURL: "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar", Name: "jackson-databind", Version: "2.10.0"}
	const abcSerial, jklSerial = "urn:uuid:cbb2cd68-2857-43b8-a10b-e8c03d277d18", "urn:uuid:e4c3eedc-4978-470c-ad02-6ffff63738ff"
	jkl := func(v string) vex.Target { return vex.Target{Ref: "product-JKL", Name: "JKL", Version: v} }
	tests := []struct {
		name, file string
		subject    vex.Subject
		want       vex.Status // "" for no statement
	}{
		{"ABC 2.4 is affected", "CISA-Use-Cases/Case-6/vex.json",
			vex.Subject{IDs: []string{"CVE-2021-44228"}, Product: abc("2.4"), Component: log4j}, vex.Affected},
		{"ABC 2.5 is not", "CISA-Use-Cases/Case-6/vex.json",
			vex.Subject{IDs: []string{"CVE-2021-44228"}, Product: abc("2.5"), Component: log4j}, vex.NotAffected},
		{"ABC 2.8 is in a not-affected range", "CISA-Use-Cases/Case-6/vex.json",
			vex.Subject{IDs: []string{"CVE-2021-44228"}, Product: abc("2.8"), Component: log4j}, vex.NotAffected},
		{"ABC 3.7 is in an affected range", "CISA-Use-Cases/Case-6/vex.json",
			vex.Subject{IDs: []string{"CVE-2021-44228"}, Product: abc("3.7"), Component: log4j}, vex.Affected},
		{"ABC 5.0 is not mentioned", "CISA-Use-Cases/Case-6/vex.json",
			vex.Subject{IDs: []string{"CVE-2021-44228"}, Product: abc("5.0"), Component: log4j}, ""},
		{"by an alias of the finding", "CISA-Use-Cases/Case-6/vex.json",
			vex.Subject{IDs: []string{"GHSA-jfh8-c2jp-5v3q", "CVE-2021-44228"}, Product: abc("2.5"), Component: log4j}, vex.NotAffected},
		{"another vulnerability", "CISA-Use-Cases/Case-6/vex.json",
			vex.Subject{IDs: []string{"CVE-2021-45046"}, Product: abc("2.5"), Component: log4j}, ""},
		{"another product", "CISA-Use-Cases/Case-6/vex.json",
			vex.Subject{IDs: []string{"CVE-2021-44228"}, Product: vex.Target{Ref: "product-XYZ", Name: "XYZ", Version: "2.5"}, Component: log4j}, ""},
		{"BOM-link: JKL 5.1 fixed", "CISA-Use-Cases/Case-8/vex.json",
			vex.Subject{IDs: []string{"CVE-2021-44228"}, Serial: jklSerial, Product: jkl("5.1"), Component: log4j}, vex.Fixed},
		{"BOM-link: JKL 5.1 affected by the second CVE", "CISA-Use-Cases/Case-8/vex.json",
			vex.Subject{IDs: []string{"CVE-2021-45105"}, Serial: jklSerial, Product: jkl("5.1"), Component: log4j}, vex.Affected},
		{"BOM-link: the last of two equal statements wins", "CISA-Use-Cases/Case-8/vex.json",
			vex.Subject{IDs: []string{"CVE-2021-45105"}, Serial: jklSerial, Product: jkl("5.2"), Component: log4j}, vex.Fixed},
		{"BOM-link: another SBOM with the same bom-ref", "CISA-Use-Cases/Case-8/vex.json",
			vex.Subject{IDs: []string{"CVE-2021-44228"}, Serial: abcSerial, Product: jkl("5.1"), Component: log4j}, ""},
		{"BOM-link: ABC 4.2", "CISA-Use-Cases/Case-8/vex.json",
			vex.Subject{IDs: []string{"CVE-2021-44228"}, Serial: abcSerial, Product: abc("4.2"), Component: log4j}, vex.NotAffected},
		{"Acme product 1 not affected", "Use-Cases/Case-13/vex.json",
			vex.Subject{IDs: []string{"CVE-2020-25649"}, Serial: "urn:uuid:2c385cf7-e1ee-46e9-a51c-13de1ecb380a",
				Product: vex.Target{Ref: "acme-product-1", Name: "Acme Product 1"}, Component: jackson}, vex.NotAffected},
		{"Acme product 3 affected", "Use-Cases/Case-13/vex.json",
			vex.Subject{IDs: []string{"CVE-2020-25649"}, Serial: "urn:uuid:240b5b0b-917d-4f48-816c-97e1944d8079",
				Product: vex.Target{Ref: "acme-product-3", Name: "Acme Product 3"}, Component: jackson}, vex.Affected},
		{"no product listed: every product", "Use-Cases/Case-7/vex.json",
			vex.Subject{IDs: []string{"CVE-2020-25649"}, Product: vex.Target{Name: "anything", Version: "1"}, Component: jackson}, vex.NotAffected},
		// The BOM-link names another serial number, but its bom-ref is a
		// purl: it still names the component.
		{"component named by the purl of a BOM-link", "vex.json",
			vex.Subject{IDs: []string{"CVE-2020-25649"}, Serial: "urn:uuid:5f0f0da9-c03d-47d8-b38d-009e6df67094",
				Product:   vex.Target{Ref: "pkg:maven/com.example/example-app@1.0.0?type=jar", Name: "example-app", Version: "1.0.0"},
				Component: jackson}, vex.NotAffected},
		{"purl of another version", "vex.json",
			vex.Subject{IDs: []string{"CVE-2020-25649"},
				Component: vex.Target{PURL: "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.5?type=jar", Version: "2.10.5"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := MustRead(t, filepath.Join(cdxVEX, tt.file))
			st, ok := vex.Decide(doc.Statements, tt.subject)
			got := vex.Status("")
			if ok {
				got = st.Status
			}
			if got != tt.want {
				t.Errorf("Decide = %q (%+v), want %q", got, st, tt.want)
			}
		})
	}
}

// TestDecideSpecificity prefers a statement about the component to one
// about the whole product, and uses OpenVEX subcomponents and CSAF
// relationships.
func TestDecideSpecificity(t *testing.T) {
	portal := vex.Target{Ref: "portal", PURL: "pkg:golang/acme.example/portal@v3.0.0", Name: "acme.example/portal", Version: "v3.0.0"}
	xnet := vex.Target{PURL: "pkg:golang/golang.org/x/net@v0.0.0-20210405180319-a5a99cb37ef4", Name: "golang.org/x/net", Version: "v0.0.0-20210405180319-a5a99cb37ef4"}
	xtext := vex.Target{PURL: "pkg:golang/golang.org/x/text@v0.3.5", Name: "golang.org/x/text", Version: "v0.3.5"}
	ovx := MustRead(t, "testdata/openvex-acme-portal.json")
	csaf := MustRead(t, "testdata/csaf-vex-acme-gateway.json")
	gw := func(v string) vex.Target { return vex.Target{Name: "acme-gateway", Version: v} }
	openssl := vex.Target{Name: "libssl1.1", PURL: "pkg:deb/debian/libssl1.1@1.1.1n-0%2Bdeb11u3?arch=amd64&distro=debian-11&upstream=openssl", Version: "1.1.1n-0+deb11u3"}
	tests := []struct {
		name  string
		stmts []vex.Statement
		s     vex.Subject
		want  vex.Status
	}{
		{"subcomponent named", ovx.Statements, vex.Subject{IDs: []string{"GO-2022-0969"}, Product: portal, Component: xnet}, vex.NotAffected},
		{"by the alias the VEX gives", ovx.Statements, vex.Subject{IDs: []string{"CVE-2022-27664"}, Product: portal, Component: xnet}, vex.NotAffected},
		{"another subcomponent", ovx.Statements, vex.Subject{IDs: []string{"GO-2022-0969"}, Product: portal, Component: xtext}, ""},
		{"product-wide", ovx.Statements, vex.Subject{IDs: []string{"CVE-2023-44487"}, Product: portal, Component: xnet}, vex.UnderInvestigation},
		{"version-less purl names every version", ovx.Statements, vex.Subject{IDs: []string{"GO-2021-0113"}, Product: portal, Component: xtext}, vex.Fixed},
		{"CSAF: component in product by relationship", csaf.Statements, vex.Subject{IDs: []string{"CVE-2023-0286"}, Product: gw("5.1"), Component: openssl}, vex.NotAffected},
		{"CSAF: product version", csaf.Statements, vex.Subject{IDs: []string{"CVE-2023-0286"}, Product: gw("5.2"), Component: openssl}, vex.Fixed},
		{"CSAF: under investigation", csaf.Statements, vex.Subject{IDs: []string{"CVE-2023-0215"}, Product: gw("5.1"), Component: openssl}, vex.UnderInvestigation},
		{"CSAF: unknown version", csaf.Statements, vex.Subject{IDs: []string{"CVE-2023-0215"}, Product: gw("6.0"), Component: openssl}, ""},
	}
	// A component statement wins over a product one, whatever the order.
	both := []vex.Statement{
		{Vulnerability: "CVE-1", Status: vex.NotAffected, Products: []vex.Product{{PURL: "pkg:golang/golang.org/x/net"}}},
		{Vulnerability: "CVE-1", Status: vex.Affected, Products: []vex.Product{{Ref: "portal"}}},
	}
	tests = append(tests, struct {
		name  string
		stmts []vex.Statement
		s     vex.Subject
		want  vex.Status
	}{"component before product", both, vex.Subject{IDs: []string{"CVE-1"}, Product: portal, Component: xnet}, vex.NotAffected})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, ok := vex.Decide(tt.stmts, tt.s)
			got := vex.Status("")
			if ok {
				got = st.Status
			}
			if got != tt.want {
				t.Errorf("Decide = %q, want %q", got, tt.want)
			}
		})
	}
}
