package advisory

import (
	"fmt"
	"math"
	"strings"
)

// Rating returns the advisory's severity: the highest CVSS v3 or v2 base
// score of its vectors, and the qualitative rating of that score
// ("critical", "high", "medium", "low", "none"). When it has no vector it
// can score (CVSS v4 vectors are not scored), a qualitative rating from the
// source is used, with the lowest score of that rating; with neither, the
// rating is "" and the score 0.
func (a *Advisory) Rating() (score float64, rating string) {
	best, found := -1.0, false
	for _, s := range a.Severity {
		var v float64
		var err error
		switch s.Type {
		case "CVSS_V3":
			v, err = CVSS3BaseScore(s.Score)
		case "CVSS_V2":
			v, err = CVSS2BaseScore(s.Score)
		default:
			continue
		}
		if err == nil && v > best {
			best, found = v, true
		}
	}
	if found {
		return best, ratingOf(best)
	}
	for _, s := range a.Severity {
		if v, r := qualitative(s.Score); r != "" && v > best {
			best, rating = v, r
		}
	}
	if rating == "" {
		return 0, ""
	}
	return best, rating
}

func ratingOf(score float64) string {
	switch {
	case score >= 9.0:
		return "critical"
	case score >= 7.0:
		return "high"
	case score >= 4.0:
		return "medium"
	case score > 0:
		return "low"
	}
	return "none"
}

// qualitative reads a rating word ("HIGH", "Important", "moderate") as a
// rating and the lowest score of that rating.
func qualitative(s string) (float64, string) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return 9.0, "critical"
	case "high", "important":
		return 7.0, "high"
	case "medium", "moderate":
		return 4.0, "medium"
	case "low", "negligible":
		return 0.1, "low"
	}
	return 0, ""
}

// CVSS3BaseScore computes the base score of a CVSS v3.0 or v3.1 vector
// ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), with the rounding of
// version 3.1.
func CVSS3BaseScore(vector string) (float64, error) {
	m, err := cvssMetrics(vector, "CVSS:3.")
	if err != nil {
		return 0, err
	}
	get := func(name string, values map[string]float64) (float64, error) {
		v, ok := values[m[name]]
		if !ok {
			return 0, fmt.Errorf("cvss v3 vector %q: bad or missing %s", vector, name)
		}
		return v, nil
	}
	scope, ok := m["S"]
	if !ok || (scope != "U" && scope != "C") {
		return 0, fmt.Errorf("cvss v3 vector %q: bad or missing S", vector)
	}
	changed := scope == "C"
	pr := map[string]float64{"N": 0.85, "L": 0.62, "H": 0.27}
	if changed {
		pr = map[string]float64{"N": 0.85, "L": 0.68, "H": 0.5}
	}
	cia := map[string]float64{"H": 0.56, "L": 0.22, "N": 0}
	var vals [7]float64
	for i, f := range []struct {
		name   string
		values map[string]float64
	}{
		{"AV", map[string]float64{"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}},
		{"AC", map[string]float64{"L": 0.77, "H": 0.44}},
		{"PR", pr},
		{"UI", map[string]float64{"N": 0.85, "R": 0.62}},
		{"C", cia}, {"I", cia}, {"A", cia},
	} {
		if vals[i], err = get(f.name, f.values); err != nil {
			return 0, err
		}
	}
	iss := 1 - (1-vals[4])*(1-vals[5])*(1-vals[6])
	impact := 6.42 * iss
	if changed {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	}
	if impact <= 0 {
		return 0, nil
	}
	exploitability := 8.22 * vals[0] * vals[1] * vals[2] * vals[3]
	if changed {
		return roundUp(math.Min(1.08*(impact+exploitability), 10)), nil
	}
	return roundUp(math.Min(impact+exploitability, 10)), nil
}

// roundUp is the Roundup function of CVSS v3.1: the smallest number with
// one decimal that is equal to or above x, robust to floating point.
func roundUp(x float64) float64 {
	i := int64(math.Round(x * 100000))
	if i%10000 == 0 {
		return float64(i) / 100000
	}
	return float64(i/10000+1) / 10
}

// CVSS2BaseScore computes the base score of a CVSS v2 vector
// ("AV:N/AC:L/Au:N/C:P/I:P/A:P").
func CVSS2BaseScore(vector string) (float64, error) {
	m, err := cvssMetrics(vector, "")
	if err != nil {
		return 0, err
	}
	cia := map[string]float64{"N": 0, "P": 0.275, "C": 0.660}
	var vals [6]float64
	for i, f := range []struct {
		name   string
		values map[string]float64
	}{
		{"AV", map[string]float64{"L": 0.395, "A": 0.646, "N": 1.0}},
		{"AC", map[string]float64{"H": 0.35, "M": 0.61, "L": 0.71}},
		{"Au", map[string]float64{"M": 0.45, "S": 0.56, "N": 0.704}},
		{"C", cia}, {"I", cia}, {"A", cia},
	} {
		v, ok := f.values[m[f.name]]
		if !ok {
			return 0, fmt.Errorf("cvss v2 vector %q: bad or missing %s", vector, f.name)
		}
		vals[i] = v
	}
	impact := 10.41 * (1 - (1-vals[3])*(1-vals[4])*(1-vals[5]))
	exploitability := 20 * vals[0] * vals[1] * vals[2]
	if impact == 0 {
		return 0, nil
	}
	return math.Round(((0.6*impact)+(0.4*exploitability)-1.5)*1.176*10) / 10, nil
}

// cvssMetrics splits a vector into its metrics; prefix, when set, is the
// version tag the vector must start with.
func cvssMetrics(vector, prefix string) (map[string]string, error) {
	parts := strings.Split(strings.TrimSpace(vector), "/")
	if prefix != "" {
		if len(parts) == 0 || !strings.HasPrefix(parts[0], prefix) {
			return nil, fmt.Errorf("cvss vector %q: does not start with %s", vector, prefix)
		}
		parts = parts[1:]
	} else if len(parts) > 0 && strings.HasPrefix(parts[0], "CVSS:") {
		return nil, fmt.Errorf("cvss vector %q: not a version 2 vector", vector)
	}
	m := make(map[string]string, len(parts))
	for _, p := range parts {
		k, v, ok := strings.Cut(p, ":")
		if !ok {
			return nil, fmt.Errorf("cvss vector %q: bad metric %q", vector, p)
		}
		m[k] = v
	}
	return m, nil
}
