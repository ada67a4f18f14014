package advisory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/osv-scalibr/semantic"
)

// osvRecord is the JSON form of an OSV record, the fields vigie uses.
type osvRecord struct {
	ID               string          `json:"id"`
	Modified         string          `json:"modified"`
	Published        string          `json:"published"`
	Withdrawn        string          `json:"withdrawn"`
	Aliases          []string        `json:"aliases"`
	Related          []string        `json:"related"`
	Upstream         []string        `json:"upstream"`
	Summary          string          `json:"summary"`
	Details          string          `json:"details"`
	Severity         []Severity      `json:"severity"`
	Affected         []osvAffected   `json:"affected"`
	References       []Reference     `json:"references"`
	DatabaseSpecific json.RawMessage `json:"database_specific"`
}

type osvAffected struct {
	Package *struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
		PURL      string `json:"purl"`
	} `json:"package"`
	Severity []Severity `json:"severity"`
	Ranges   []struct {
		Type   string  `json:"type"`
		Repo   string  `json:"repo"`
		Events []Event `json:"events"`
	} `json:"ranges"`
	Versions []string `json:"versions"`
}

// ParseOSV parses and checks one OSV record. A record that breaks the OSV
// schema's rules (no id, no modified time, no affected package, a range
// without an introduced event, repeated events, a fixed and a last_affected
// event in one range, a version that does not parse in its ecosystem) is
// refused with an error wrapping ErrMalformed. Withdrawn records are
// returned with Withdrawn set; callers ignore them.
func ParseOSV(data []byte) (Advisory, error) {
	var rec osvRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return Advisory{}, fmt.Errorf("%w: osv json: %w", ErrMalformed, err)
	}
	a := Advisory{
		ID:         strings.TrimSpace(rec.ID),
		Aliases:    rec.Aliases,
		Related:    rec.Related,
		Upstream:   rec.Upstream,
		Summary:    rec.Summary,
		Details:    rec.Details,
		Severity:   rec.Severity,
		References: rec.References,
		Source:     "osv",
	}
	if a.ID == "" {
		return Advisory{}, fmt.Errorf("%w: %s", ErrMalformed, notOSV(data))
	}
	var err error
	if rec.Modified == "" {
		return Advisory{}, fmt.Errorf("%w: %s: no modified time", ErrMalformed, a.ID)
	}
	if a.Modified, err = parseTime(rec.Modified); err != nil {
		return Advisory{}, fmt.Errorf("%w: %s: modified: %w", ErrMalformed, a.ID, err)
	}
	if rec.Published != "" {
		if a.Published, err = parseTime(rec.Published); err != nil {
			return Advisory{}, fmt.Errorf("%w: %s: published: %w", ErrMalformed, a.ID, err)
		}
	}
	if rec.Withdrawn != "" {
		if a.Withdrawn, err = parseTime(rec.Withdrawn); err != nil {
			return Advisory{}, fmt.Errorf("%w: %s: withdrawn: %w", ErrMalformed, a.ID, err)
		}
		if a.Withdrawn.IsZero() {
			a.Withdrawn = time.Unix(0, 0).UTC()
		}
	}
	a.Malicious = IsMaliciousID(a.ID) || bytes.Contains(rec.DatabaseSpecific, []byte(`"malicious-packages-origins"`))
	if sev := databaseSeverity(rec.DatabaseSpecific); sev != "" {
		a.Severity = append(a.Severity, Severity{Type: "DATABASE", Score: sev})
	}
	if len(rec.Affected) == 0 && !a.IsWithdrawn() {
		return Advisory{}, fmt.Errorf("%w: %s: no affected packages", ErrMalformed, a.ID)
	}
	for i, ra := range rec.Affected {
		af, err := osvAffectedEntry(ra)
		if err != nil {
			if a.IsWithdrawn() {
				continue
			}
			return Advisory{}, fmt.Errorf("%w: %s: affected[%d]: %w", ErrMalformed, a.ID, i, err)
		}
		for _, s := range ra.Severity {
			if !containsSeverity(a.Severity, s) {
				a.Severity = append(a.Severity, s)
			}
		}
		a.Affected = append(a.Affected, af)
	}
	return a, nil
}

func osvAffectedEntry(ra osvAffected) (Affected, error) {
	var af Affected
	if ra.Package != nil {
		af.Ecosystem = strings.TrimSpace(ra.Package.Ecosystem)
		af.Name = strings.TrimSpace(ra.Package.Name)
		af.PURL = ra.Package.PURL
		if af.Ecosystem == "" || af.Name == "" {
			return af, fmt.Errorf("package without ecosystem or name")
		}
	}
	af.Versions = ra.Versions
	for j, rr := range ra.Ranges {
		r := Range{Type: rr.Type, Repo: rr.Repo, Events: rr.Events}
		if err := checkRange(r, af.Ecosystem); err != nil {
			return af, fmt.Errorf("ranges[%d]: %w", j, err)
		}
		if r.Type != RangeGit && ra.Package == nil {
			return af, fmt.Errorf("ranges[%d]: %s range without a package", j, r.Type)
		}
		af.Ranges = append(af.Ranges, r)
	}
	return af, nil
}

// checkRange applies the OSV rules for one range.
func checkRange(r Range, ecosystem string) error {
	switch r.Type {
	case RangeSemver, RangeEcosystem, RangeGit:
	default:
		return fmt.Errorf("unknown range type %q", r.Type)
	}
	if len(r.Events) == 0 {
		return fmt.Errorf("no events")
	}
	introduced, fixed, last := false, false, false
	seen := make(map[string]string, len(r.Events))
	for k, e := range r.Events {
		kind, value, n := "", "", 0
		for _, f := range [...]struct{ kind, value string }{
			{"introduced", e.Introduced}, {"fixed", e.Fixed}, {"last_affected", e.LastAffected}, {"limit", e.Limit},
		} {
			if f.value != "" {
				kind, value = f.kind, f.value
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("events[%d]: an event must have exactly one of introduced, fixed, last_affected, limit", k)
		}
		switch kind {
		case "introduced":
			introduced = true
		case "fixed":
			fixed = true
		case "last_affected":
			last = true
		}
		if kind != "limit" {
			if prev, dup := seen[value]; dup {
				return fmt.Errorf("events not distinct: %s %q repeats %s %q", kind, value, prev, value)
			}
			seen[value] = kind
		}
		if err := checkVersion(r.Type, ecosystem, kind, value); err != nil {
			return fmt.Errorf("events[%d]: %w", k, err)
		}
	}
	if !introduced {
		return fmt.Errorf("no introduced event")
	}
	if fixed && last {
		return fmt.Errorf("both fixed and last_affected events")
	}
	return nil
}

// checkVersion refuses event versions that do not parse in the range's
// version ordering.
func checkVersion(rangeType, ecosystem, kind, v string) error {
	if (kind == "introduced" && v == "0") || (kind == "limit" && v == "*") {
		return nil
	}
	switch rangeType {
	case RangeSemver:
		if v[0] < '0' || v[0] > '9' {
			return fmt.Errorf("%s %q is not a semantic version", kind, v)
		}
	case RangeEcosystem:
		if _, err := semantic.Parse(v, ecosystem); err != nil && !isUnsupported(err) {
			return fmt.Errorf("%s %q is not a %s version: %w", kind, v, ecosystem, err)
		}
	}
	return nil
}

func parseTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
}

// databaseSeverity returns the qualitative severity some databases (GitHub)
// put in database_specific.severity.
func databaseSeverity(raw json.RawMessage) string {
	if !bytes.Contains(raw, []byte(`"severity"`)) {
		return ""
	}
	var ds struct {
		Severity any `json:"severity"`
	}
	if json.Unmarshal(raw, &ds) != nil {
		return ""
	}
	s, _ := ds.Severity.(string)
	return strings.ToUpper(strings.TrimSpace(s))
}

func containsSeverity(list []Severity, s Severity) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// notOSV says what a JSON document without an id is, for the error.
func notOSV(data []byte) string {
	switch {
	case bytes.Contains(data, []byte(`"bomFormat"`)):
		return "a CycloneDX document, not an OSV record or CSAF document"
	case bytes.Contains(data, []byte(`"spdxVersion"`)):
		return "an SPDX document, not an OSV record or CSAF document"
	case bytes.Contains(data, []byte(`openvex`)):
		return "an OpenVEX document, not an OSV record or CSAF document"
	}
	return "osv record without id"
}
