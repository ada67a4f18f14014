package sbom_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/sbom"
)

func TestParsePURL(t *testing.T) {
	tests := []struct {
		purl, norm string
		pkg        sbom.Package
		version    string
	}{
		{"pkg:golang/github.com/ProtonMail/go-crypto@v0.0.0-20201208171014-cdb7591792e2",
			"pkg:golang/github.com/protonmail/go-crypto@v0.0.0-20201208171014-cdb7591792e2",
			sbom.Package{Ecosystem: "Go", Name: "github.com/protonmail/go-crypto"}, "v0.0.0-20201208171014-cdb7591792e2"},
		{"pkg:golang/stdlib@go1.21.3", "pkg:golang/stdlib@go1.21.3", sbom.Package{Ecosystem: "Go", Name: "stdlib"}, "1.21.3"},
		{"pkg:golang/std@v1.16.0", "pkg:golang/std@v1.16.0", sbom.Package{Ecosystem: "Go", Name: "stdlib"}, "1.16.0"},
		{"pkg:npm/%40babel/core@7.22.5", "pkg:npm/%40babel/core@7.22.5", sbom.Package{Ecosystem: "npm", Name: "@babel/core"}, "7.22.5"},
		{"pkg:pypi/Django_REST.framework@3.14.0", "pkg:pypi/django-rest.framework@3.14.0",
			sbom.Package{Ecosystem: "PyPI", Name: "django-rest-framework"}, "3.14.0"},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar",
			sbom.Package{Ecosystem: "Maven", Name: "org.apache.logging.log4j:log4j-core"}, "2.14.1"},
		{"pkg:composer/Laravel/Framework@v7.30.6", "pkg:composer/laravel/framework@v7.30.6",
			sbom.Package{Ecosystem: "Packagist", Name: "laravel/framework"}, "v7.30.6"},
		{"pkg:gem/rails@7.0.4", "pkg:gem/rails@7.0.4", sbom.Package{Ecosystem: "RubyGems", Name: "rails"}, "7.0.4"},
		{"pkg:cargo/tokio@1.28.0", "pkg:cargo/tokio@1.28.0", sbom.Package{Ecosystem: "crates.io", Name: "tokio"}, "1.28.0"},
		{"pkg:nuget/Newtonsoft.Json@13.0.1", "pkg:nuget/Newtonsoft.Json@13.0.1", sbom.Package{Ecosystem: "NuGet", Name: "Newtonsoft.Json"}, "13.0.1"},
		{"pkg:deb/debian/libssl1.1@1.1.1n-0%2Bdeb11u3?arch=amd64&upstream=openssl&distro=debian-11",
			"pkg:deb/debian/libssl1.1@1.1.1n-0%2Bdeb11u3?arch=amd64&distro=debian-11&upstream=openssl",
			sbom.Package{Ecosystem: "Debian:11", Name: "openssl"}, "1.1.1n-0+deb11u3"},
		{"pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.10?distro=ubuntu-22.04", "pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.10?distro=ubuntu-22.04",
			sbom.Package{Ecosystem: "Ubuntu:22.04", Name: "curl"}, "7.81.0-1ubuntu1.10"},
		{"pkg:apk/alpine/openssl@1.0.2p-r0?distro=alpine-3.8.5", "pkg:apk/alpine/openssl@1.0.2p-r0?distro=alpine-3.8.5",
			sbom.Package{Ecosystem: "Alpine:v3.8", Name: "openssl"}, "1.0.2p-r0"},
		{"pkg:rpm/redhat/git-lfs@2.13.3-3.el8_6.1?arch=x86_64&epoch=1", "pkg:rpm/redhat/git-lfs@2.13.3-3.el8_6.1?arch=x86_64&epoch=1",
			sbom.Package{Ecosystem: "Red Hat", Name: "git-lfs"}, "1:2.13.3-3.el8_6.1"},
		{"pkg:generic/zlib@1.2.11", "pkg:generic/zlib@1.2.11", sbom.Package{}, "1.2.11"},
	}
	for _, tt := range tests {
		t.Run(tt.purl, func(t *testing.T) {
			norm, pkg, version, err := sbom.ParsePURL(tt.purl)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]any{tt.norm, tt.pkg, tt.version}, []any{norm, pkg, version}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePURLMalformed(t *testing.T) {
	for _, purl := range []string{
		"",
		"npm/lodash@4.17.20",                 // no scheme
		"pkg:npm/left-pad@%ZZ1.3.0",          // bad percent encoding
		"pkg:npm",                            // no name
		"pkg:npm/lodash@1.0?%E0%A4%A=x",      // bad qualifier encoding
		"pkg:n$m/lodash@1.0",                 // bad type
		"pkg:golang/github.com/x/y@v1#../..", // bad subpath
	} {
		if _, _, _, err := sbom.ParsePURL(purl); err == nil {
			t.Errorf("ParsePURL(%q) = nil error", purl)
		}
	}
}

func TestPackageKey(t *testing.T) {
	tests := []struct {
		pkg  sbom.Package
		want sbom.PackageKey
	}{
		{sbom.Package{Ecosystem: "Go", Name: "github.com/Sirupsen/logrus"}, sbom.PackageKey{Ecosystem: "Go", Name: "github.com/sirupsen/logrus"}},
		{sbom.Package{Ecosystem: "PyPI", Name: "Flask_Login"}, sbom.PackageKey{Ecosystem: "PyPI", Name: "flask-login"}},
		{sbom.Package{Ecosystem: "PyPI", Name: "zope.interface"}, sbom.PackageKey{Ecosystem: "PyPI", Name: "zope-interface"}},
		{sbom.Package{Ecosystem: "Maven", Name: "org.Foo:Bar"}, sbom.PackageKey{Ecosystem: "Maven", Name: "org.Foo:Bar"}},
		{sbom.Package{Ecosystem: "Debian:11", Name: "OpenSSL"}, sbom.PackageKey{Ecosystem: "Debian", Name: "openssl"}},
		{sbom.Package{Ecosystem: "Red Hat:rhel_aus:8.6::appstream", Name: "git-lfs"}, sbom.PackageKey{Ecosystem: "Red Hat", Name: "git-lfs"}},
	}
	for _, tt := range tests {
		if got := tt.pkg.Key(); got != tt.want {
			t.Errorf("%+v.Key() = %+v, want %+v", tt.pkg, got, tt.want)
		}
	}
}

func TestReleaseMatches(t *testing.T) {
	tests := []struct {
		advisory, component string
		want                bool
	}{
		{"Alpine:v3.8", "Alpine:v3.8", true},
		{"Alpine:v3.8", "Alpine:v3.9", false},
		{"Alpine:v3.8", "Alpine", true},
		{"Debian", "Debian:11", true},
		{"Debian:11", "Debian:12", false},
		{"Ubuntu:22.04:LTS", "Ubuntu:22.04", true},
		{"Ubuntu:Pro:18.04:LTS", "Ubuntu:22.04", false},
		{"Red Hat:rhel_aus:8.6::appstream", "Red Hat:8.6", true},
		{"Red Hat:rhel_aus:8.6::appstream", "Red Hat:8", true},
		{"Red Hat:rhel_aus:8.6::appstream", "Red Hat:9", false},
		{"Go", "Go", true},
	}
	for _, tt := range tests {
		if got := sbom.ReleaseMatches(tt.advisory, tt.component); got != tt.want {
			t.Errorf("ReleaseMatches(%q, %q) = %v, want %v", tt.advisory, tt.component, got, tt.want)
		}
	}
}

func TestGoToolchainVersion(t *testing.T) {
	for in, want := range map[string]string{
		"go1.21.3": "1.21.3", "v1.16.0": "1.16.0", "1.21": "1.21.0", "go1.22rc1": "1.22.0-rc.1",
		"go1.20beta2": "1.20.0-beta.2", "go1": "1.0.0",
	} {
		if got := sbom.GoToolchainVersion(in); got != want {
			t.Errorf("GoToolchainVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseCPE(t *testing.T) {
	tests := []struct {
		in   string
		want sbom.CPE
	}{
		{"cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*", sbom.CPE{Part: "a", Vendor: "openssl", Product: "openssl", Version: "1.1.1k", Update: "*"}},
		{`cpe:2.3:a:acme:widget\:pro:2.0:beta:*:*:*:*:*:*`, sbom.CPE{Part: "a", Vendor: "acme", Product: "widget:pro", Version: "2.0", Update: "beta"}},
		{"cpe:/a:redhat:rhel_aus:8.6::appstream", sbom.CPE{Part: "a", Vendor: "redhat", Product: "rhel_aus", Version: "8.6", Update: "*"}},
		{"cpe:/o:Acme:Gateway_Firmware", sbom.CPE{Part: "o", Vendor: "acme", Product: "gateway_firmware", Version: "*", Update: "*"}},
	}
	for _, tt := range tests {
		got, err := sbom.ParseCPE(tt.in)
		if err != nil {
			t.Errorf("ParseCPE(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseCPE(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	for _, bad := range []string{"", "cpe:2.3:x:a:b:1", "cpe:2.3:a:*:*:1.0", "openssl 1.1.1k", "cpe:/a:acme:%ZZ"} {
		if _, err := sbom.ParseCPE(bad); err == nil {
			t.Errorf("ParseCPE(%q) = nil error", bad)
		}
	}
}
