package advisory

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// STIXNamespace is the UUID namespace of the ids of the STIX vulnerability
// objects made from advisories: the object id is
// "vulnerability--" + UUIDv5(STIXNamespace, advisory id), so that every
// import of an advisory is a new version of the same STIX object.
// (It is UUIDv5 of the URL namespace and
// "https://github.com/vigie-cti/vigie/advisory".)
const STIXNamespace = "aac7a218-2ed6-5608-bfa4-96a2fef69020"

// The custom properties of the STIX vulnerability objects vigie makes. STIX
// 2.1 has no property for affected packages, so they travel in custom
// properties, named as section 11.1 of STIX 2.1 requires:
//
//   - x_vigie_affected: the affected packages, a list of objects with
//     "ecosystem", "name", "purl", "cpes", "ranges" (each with "type",
//     "repo" and "events", an event being one of "introduced", "fixed",
//     "last_affected", "limit") and "versions": the OSV "affected" model;
//   - x_vigie_severity: the scores, a list of objects with "type" (CVSS_V3,
//     CVSS_V2, CVSS_V4, or a source name) and "score" (a vector or a
//     rating);
//   - x_vigie_malicious: true for malicious-package advisories, which also
//     carry the label "malicious-package";
//   - x_vigie_source: "osv" or "csaf".
//
// A withdrawn advisory is made with "revoked": true.
const (
	STIXAffectedProperty  = "x_vigie_affected"
	STIXSeverityProperty  = "x_vigie_severity"
	STIXMaliciousProperty = "x_vigie_malicious"
	STIXSourceProperty    = "x_vigie_source"
)

type stixVulnerability struct {
	Type               string            `json:"type"`
	SpecVersion        string            `json:"spec_version"`
	ID                 string            `json:"id"`
	Created            string            `json:"created"`
	Modified           string            `json:"modified"`
	Name               string            `json:"name"`
	Description        string            `json:"description,omitempty"`
	Labels             []string          `json:"labels,omitempty"`
	Revoked            bool              `json:"revoked,omitempty"`
	ExternalReferences []stixExternalRef `json:"external_references,omitempty"`
	Affected           []stixAffected    `json:"x_vigie_affected"`
	Severity           []Severity        `json:"x_vigie_severity,omitempty"`
	Malicious          bool              `json:"x_vigie_malicious,omitempty"`
	Source             string            `json:"x_vigie_source,omitempty"`
}

type stixExternalRef struct {
	SourceName  string `json:"source_name"`
	Description string `json:"description,omitempty"`
	URL         string `json:"url,omitempty"`
	ExternalID  string `json:"external_id,omitempty"`
}

type stixAffected struct {
	Ecosystem string      `json:"ecosystem"`
	Name      string      `json:"name"`
	PURL      string      `json:"purl,omitempty"`
	CPEs      []string    `json:"cpes,omitempty"`
	Ranges    []stixRange `json:"ranges,omitempty"`
	Versions  []string    `json:"versions,omitempty"`
}

type stixRange struct {
	Type   string  `json:"type"`
	Repo   string  `json:"repo,omitempty"`
	Events []Event `json:"events"`
}

// STIXID returns the id of the STIX vulnerability object of an advisory.
func STIXID(advisoryID string) string {
	return "vulnerability--" + uuidV5(STIXNamespace, advisoryID)
}

// ToSTIXVulnerability converts an advisory to a STIX 2.1 vulnerability
// object (JSON): the advisory id as name and in external_references with its
// aliases and upstream ids (CVEs under source_name "cve"), its references,
// "created" from Published (or the first date it has; 0001-01-01 when it
// has none) and "modified" from the latest of Modified and Withdrawn, and
// the custom properties documented with STIXAffectedProperty. It fails when
// the advisory has no id.
func ToSTIXVulnerability(a Advisory) ([]byte, error) {
	if a.ID == "" {
		return nil, fmt.Errorf("%w: advisory without id", ErrMalformed)
	}
	// Records without a date (some real ones say 0001-01-01) get
	// 0001-01-01T00:00:00.000Z: a STIX object needs created and modified.
	valid := func(t time.Time) bool { return t.Year() > 1 }
	created := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, t := range []time.Time{a.Published, a.Modified, a.Withdrawn} {
		if valid(t) {
			created = t
			break
		}
	}
	modified := created
	for _, t := range []time.Time{a.Modified, a.Withdrawn} {
		if valid(t) && t.After(modified) {
			modified = t
		}
	}
	v := stixVulnerability{
		Type:        "vulnerability",
		SpecVersion: "2.1",
		ID:          STIXID(a.ID),
		Created:     stixTime(created),
		Modified:    stixTime(modified),
		Name:        a.ID,
		Description: strings.TrimSpace(a.Summary + "\n\n" + a.Details),
		Revoked:     a.IsWithdrawn(),
		Severity:    a.Severity,
		Malicious:   a.Malicious,
		Source:      a.Source,
		Affected:    []stixAffected{},
	}
	if a.Malicious {
		v.Labels = []string{"malicious-package"}
	}
	for _, id := range a.IDs() {
		ref := stixExternalRef{SourceName: idSource(id), ExternalID: id}
		if slices.Contains(a.Upstream, id) && !slices.Contains(a.Aliases, id) {
			ref.Description = upstreamRef
		}
		v.ExternalReferences = append(v.ExternalReferences, ref)
	}
	for _, r := range a.References {
		if r.URL == "" {
			continue
		}
		name := strings.ToLower(r.Type)
		if name == "" {
			name = "web"
		}
		v.ExternalReferences = append(v.ExternalReferences, stixExternalRef{SourceName: name, URL: r.URL})
	}
	for _, af := range a.Affected {
		sa := stixAffected{Ecosystem: af.Ecosystem, Name: af.Name, PURL: af.PURL, CPEs: af.CPEs, Versions: af.Versions}
		for _, r := range af.Ranges {
			sa.Ranges = append(sa.Ranges, stixRange{Type: r.Type, Repo: r.Repo, Events: r.Events})
		}
		v.Affected = append(v.Affected, sa)
	}
	return json.Marshal(v)
}

// upstreamRef marks, in the description of an external reference, an
// upstream id (a CVE a CSAF advisory derives from) as opposed to an alias.
const upstreamRef = "upstream"

// FromSTIXVulnerability converts back a STIX vulnerability object made by
// ToSTIXVulnerability (as the hub stores it, possibly received from a peer)
// to an advisory. It fails, with ErrMalformed, for a vulnerability object
// without the x_vigie_affected property: that one says nothing to match.
func FromSTIXVulnerability(raw []byte) (Advisory, error) {
	var v stixVulnerability
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil {
		return Advisory{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if _, ok := probe[STIXAffectedProperty]; !ok {
		return Advisory{}, fmt.Errorf("%w: vulnerability without %s", ErrMalformed, STIXAffectedProperty)
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return Advisory{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if v.Type != "vulnerability" || v.Name == "" {
		return Advisory{}, fmt.Errorf("%w: not a vulnerability object with a name", ErrMalformed)
	}
	a := Advisory{ID: v.Name, Severity: v.Severity, Malicious: v.Malicious, Source: v.Source, Origin: v.ID}
	a.Summary, a.Details, _ = strings.Cut(v.Description, "\n\n")
	created, _ := time.Parse(time.RFC3339Nano, v.Created)
	modified, _ := time.Parse(time.RFC3339Nano, v.Modified)
	a.Published, a.Modified = created, modified
	if v.Revoked {
		a.Withdrawn = modified
	}
	for _, r := range v.ExternalReferences {
		switch {
		case r.ExternalID != "" && r.ExternalID != a.ID && r.Description == upstreamRef:
			a.Upstream = append(a.Upstream, r.ExternalID)
		case r.ExternalID != "" && r.ExternalID != a.ID:
			a.Aliases = append(a.Aliases, r.ExternalID)
		case r.URL != "":
			a.References = append(a.References, Reference{Type: strings.ToUpper(r.SourceName), URL: r.URL})
		}
	}
	for _, sa := range v.Affected {
		af := Affected{Ecosystem: sa.Ecosystem, Name: sa.Name, PURL: sa.PURL, CPEs: sa.CPEs, Versions: sa.Versions}
		for _, r := range sa.Ranges {
			af.Ranges = append(af.Ranges, Range{Type: r.Type, Repo: r.Repo, Events: r.Events})
		}
		a.Affected = append(a.Affected, af)
	}
	a.Malicious = v.Malicious || IsMaliciousID(a.ID)
	return a, nil
}

// idSource names the database an advisory id comes from, as the
// source_name of a STIX external reference.
func idSource(id string) string {
	prefix, _, ok := strings.Cut(id, "-")
	if !ok {
		return "vigie"
	}
	switch prefix {
	case "CVE":
		return "cve"
	case "GHSA":
		return "github"
	case "GO":
		return "go"
	case "PYSEC":
		return "pypa"
	case "MAL":
		return "ossf-malicious-packages"
	case "RUSTSEC":
		return "rustsec"
	case "RHSA", "RHBA", "RHEA":
		return "redhat"
	}
	return strings.ToLower(prefix)
}

func stixTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// uuidV5 returns the name-based (SHA-1) UUID of name in namespace (RFC 9562).
func uuidV5(namespace, name string) string {
	ns, err := hex.DecodeString(strings.ReplaceAll(namespace, "-", ""))
	if err != nil || len(ns) != 16 {
		panic("advisory: bad UUID namespace " + namespace)
	}
	h := sha1.New()
	h.Write(ns)
	h.Write([]byte(name))
	u := h.Sum(nil)[:16]
	u[6] = (u[6] & 0x0f) | 0x50
	u[8] = (u[8] & 0x3f) | 0x80
	s := hex.EncodeToString(u)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}
