package attest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MaxChecks bounds the checks of one Scorecard result.
const MaxChecks = 200

// Scorecard is one OpenSSF Scorecard result (the JSON format v2 of
// "scorecard --format json").
type Scorecard struct {
	Date             time.Time `json:"date"`
	Repo             string    `json:"repo"` // github.com/OWNER/NAME
	Commit           string    `json:"commit,omitempty"`
	ScorecardVersion string    `json:"scorecard_version,omitempty"`
	Score            float64   `json:"score"` // 0 to 10; -1 when no check was conclusive
	Checks           []Check   `json:"checks"`
}

// Check is one Scorecard check; Score -1 means inconclusive.
type Check struct {
	Name    string   `json:"name"`
	Score   int      `json:"score"`
	Reason  string   `json:"reason,omitempty"`
	Details []string `json:"details,omitempty"`
}

// Inconclusive reports whether the check could not decide.
func (c Check) Inconclusive() bool { return c.Score < 0 }

type scorecardJSON struct {
	Date string `json:"date"`
	Repo *struct {
		Name   string `json:"name"`
		Commit string `json:"commit"`
	} `json:"repo"`
	Scorecard struct {
		Version string `json:"version"`
	} `json:"scorecard"`
	Score  *float64 `json:"score"`
	Checks []struct {
		Name    string   `json:"name"`
		Score   *int     `json:"score"`
		Reason  string   `json:"reason"`
		Details []string `json:"details"`
	} `json:"checks"`
}

// ParseScorecard reads a Scorecard JSON result. Its date may be
// YYYY-MM-DD (older releases) or RFC 3339.
func ParseScorecard(b []byte) (*Scorecard, error) {
	if len(b) > MaxBytes {
		return nil, fmt.Errorf("scorecard: %d bytes: %w", len(b), ErrTooLarge)
	}
	var in scorecardJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("scorecard: not valid JSON: %w", err)
	}
	if in.Repo == nil || strings.TrimSpace(in.Repo.Name) == "" {
		return nil, errors.New("scorecard: no repo.name: not a Scorecard result")
	}
	if in.Score == nil {
		return nil, errors.New("scorecard: no score")
	}
	if *in.Score != -1 && (*in.Score < 0 || *in.Score > 10) {
		return nil, fmt.Errorf("scorecard: score %v out of 0..10", *in.Score)
	}
	if len(in.Checks) > MaxChecks {
		return nil, fmt.Errorf("scorecard: %d checks: %w", len(in.Checks), ErrTooLarge)
	}
	date, err := parseDate(in.Date)
	if err != nil {
		return nil, fmt.Errorf("scorecard: date: %w", err)
	}
	s := &Scorecard{Date: date, Repo: in.Repo.Name, Commit: in.Repo.Commit, ScorecardVersion: in.Scorecard.Version, Score: *in.Score}
	seen := map[string]bool{}
	for _, c := range in.Checks {
		switch {
		case c.Name == "":
			return nil, errors.New("scorecard: a check without a name")
		case seen[c.Name]:
			return nil, fmt.Errorf("scorecard: check %s twice", c.Name)
		case c.Score == nil || *c.Score < -1 || *c.Score > 10:
			return nil, fmt.Errorf("scorecard: check %s: score missing or out of -1..10", c.Name)
		}
		seen[c.Name] = true
		s.Checks = append(s.Checks, Check{Name: c.Name, Score: *c.Score, Reason: c.Reason, Details: c.Details})
	}
	return s, nil
}

// Check returns the check of that name, and whether there is one.
func (s *Scorecard) Check(name string) (Check, bool) {
	for _, c := range s.Checks {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Check{}, false
}

// ForRepo reports whether the result is about the repository at this URL
// or name ("https://github.com/ossf/scorecard", "github.com/ossf/scorecard"):
// a result for another repository must not count for a product.
func (s *Scorecard) ForRepo(repo string) bool {
	return normRepo(repo) != "" && normRepo(repo) == normRepo(s.Repo)
}

func normRepo(r string) string {
	r = strings.ToLower(strings.TrimSpace(r))
	for _, p := range []string{"git+", "https://", "http://"} {
		r = strings.TrimPrefix(r, p)
	}
	return strings.TrimSuffix(strings.TrimSuffix(r, "/"), ".git")
}

func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want YYYY-MM-DD or RFC 3339", s)
	}
	return t.UTC(), nil
}
