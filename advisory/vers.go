package advisory

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/osv-scalibr/semantic"
)

// VersRange is a version range in the purl "vers" notation
// ("vers:semver/>=1.5.0|<7.0.0", "vers:generic/>=2.9|<=4.1"), as CycloneDX
// VEX and CSAF product trees write them.
type VersRange struct {
	Scheme      string
	Constraints []VersConstraint
}

// VersConstraint is one comparator and version of a vers range; the
// comparator is one of "=", "!=", "<", "<=", ">", ">=", or "*" for any
// version.
type VersConstraint struct {
	Op      string
	Version string
}

// ParseVers parses a vers range. A range without the "vers:" prefix
// ("<2.9", ">=1.0|<1.4") is read with the generic scheme.
func ParseVers(s string) (VersRange, error) {
	s = strings.TrimSpace(s)
	scheme, body := "generic", s
	if len(s) >= len("vers:") && strings.EqualFold(s[:len("vers:")], "vers:") {
		var found bool
		scheme, body, found = strings.Cut(s[len("vers:"):], "/")
		if !found || scheme == "" {
			return VersRange{}, fmt.Errorf("vers %q: no scheme", s)
		}
		scheme = strings.ToLower(scheme)
	}
	vr := VersRange{Scheme: scheme}
	body = strings.TrimSpace(body)
	if body == "*" {
		vr.Constraints = []VersConstraint{{Op: "*"}}
		return vr, nil
	}
	if body == "" {
		return VersRange{}, fmt.Errorf("vers %q: no constraints", s)
	}
	for _, part := range strings.Split(body, "|") {
		part = strings.TrimSpace(part)
		op := "="
		for _, cand := range []string{">=", "<=", "!=", "<", ">", "="} {
			if strings.HasPrefix(part, cand) {
				op, part = cand, strings.TrimSpace(part[len(cand):])
				break
			}
		}
		if part == "" {
			return VersRange{}, fmt.Errorf("vers %q: a constraint without a version", s)
		}
		vr.Constraints = append(vr.Constraints, VersConstraint{Op: op, Version: part})
	}
	return vr, nil
}

// versEcosystem maps a vers scheme to the ecosystem whose ordering it uses.
func versEcosystem(scheme string) string {
	switch scheme {
	case "npm", "semver", "golang", "go", "cargo":
		return "npm"
	case "pypi":
		return "PyPI"
	case "maven":
		return "Maven"
	case "nuget":
		return "NuGet"
	case "gem":
		return "RubyGems"
	case "composer":
		return "Packagist"
	case "deb":
		return "Debian"
	case "rpm":
		return "Red Hat"
	case "alpine", "apk":
		return "Alpine"
	}
	return ""
}

// compareVers compares two versions in a vers scheme; the generic scheme
// compares dotted numbers as numbers and the rest as text.
func compareVers(scheme, a, b string) (int, error) {
	if eco := versEcosystem(scheme); eco != "" {
		va, err := semantic.Parse(a, eco)
		if err != nil {
			return 0, err
		}
		return va.CompareStr(b)
	}
	return semantic.ParseSemverVersion(a).Compare(semantic.ParseSemverVersion(b))
}

// Contains reports whether version is in the range, with the algorithm of
// the vers specification: an equal "=" or "!=" constraint decides, then the
// remaining constraints, sorted by version, are read as intervals.
func (vr VersRange) Contains(version string) (bool, error) {
	if len(vr.Constraints) == 1 && vr.Constraints[0].Op == "*" {
		return true, nil
	}
	var rest []VersConstraint
	for _, c := range vr.Constraints {
		cmp, err := compareVers(vr.Scheme, version, c.Version)
		if err != nil {
			return false, fmt.Errorf("vers: %w", err)
		}
		if cmp == 0 {
			switch c.Op {
			case "=", ">=", "<=":
				return true, nil
			case "!=":
				return false, nil
			}
		}
		if c.Op != "=" && c.Op != "!=" {
			rest = append(rest, c)
		}
	}
	var sortErr error
	slices.SortStableFunc(rest, func(a, b VersConstraint) int {
		c, err := compareVers(vr.Scheme, a.Version, b.Version)
		if err != nil {
			sortErr = err
		}
		return c
	})
	if sortErr != nil {
		return false, fmt.Errorf("vers: %w", sortErr)
	}
	for i, c := range rest {
		cmp, _ := compareVers(vr.Scheme, version, c.Version)
		lower := c.Op == ">" || c.Op == ">="
		upper := c.Op == "<" || c.Op == "<="
		if i == 0 && upper && cmp < 0 {
			return true, nil
		}
		if i == len(rest)-1 && lower && cmp > 0 {
			return true, nil
		}
		if i+1 < len(rest) && lower {
			next := rest[i+1]
			if next.Op == "<" || next.Op == "<=" {
				cmpNext, _ := compareVers(vr.Scheme, version, next.Version)
				if cmp > 0 && cmpNext < 0 {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

// Events turns the range into OSV events when it is a union of intervals
// bounded below by ">=" or ">" and above by "<" or "<=": ">" is read as
// ">=", erring towards reporting. ok is false when the range cannot be
// written as events (a "!=", an interval open below with more to follow).
func (vr VersRange) Events() (events []Event, versions []string, ok bool) {
	if len(vr.Constraints) == 1 && vr.Constraints[0].Op == "*" {
		return []Event{{Introduced: "0"}}, nil, true
	}
	open := false
	for i, c := range vr.Constraints {
		switch c.Op {
		case "=":
			versions = append(versions, c.Version)
		case ">=", ">":
			events = append(events, Event{Introduced: c.Version})
			open = true
		case "<", "<=":
			if !open {
				if i != 0 && len(events) > 0 {
					return nil, nil, false
				}
				events = append(events, Event{Introduced: "0"})
			}
			if c.Op == "<" {
				events = append(events, Event{Fixed: c.Version})
			} else {
				events = append(events, Event{LastAffected: c.Version})
			}
			open = false
		default:
			return nil, nil, false
		}
	}
	return events, versions, true
}
