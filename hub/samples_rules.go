package hub

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/triage"
)

// RuleSource is the YARA rule text of one indicator (pattern_type yara).
type RuleSource struct {
	Namespace string // the indicator's id
	Text      string
}

// RuleCompiler compiles YARA rules into a scanner for triage; close frees
// it. cmd/vigie wires sensor/yara (libyara); a hub without one runs no
// YARA rules on samples.
type RuleCompiler interface {
	Compile(srcs []RuleSource) (scanner triage.RuleScanner, close func(), err error)
}

// maxRuleIndicators bounds the indicators read for one submission.
const maxRuleIndicators = 20000

// sharedIndicators is what the indicators the submitter may read say
// about samples: their YARA rules, and their STIX patterns (lower-cased),
// to find those that name a sample's hashes.
type sharedIndicators struct {
	rules    []RuleSource
	patterns []indicatorPattern
}

type indicatorPattern struct {
	ref     vigie.ObjectRef
	pattern string
}

type stixIndicator struct {
	Name        string `json:"name"`
	Pattern     string `json:"pattern"`
	PatternType string `json:"pattern_type"`
	Revoked     bool   `json:"revoked"`
	ValidUntil  string `json:"valid_until"`
}

// indicatorsFor reads the latest version of every indicator p may read,
// in every collection p may read (at most maxRuleIndicators).
func (h *Hub) indicatorsFor(ctx context.Context, p vigie.Principal) (*sharedIndicators, error) {
	roots, err := h.store.ListAPIRoots(ctx)
	if err != nil {
		return nil, err
	}
	out := &sharedIndicators{}
	n := 0
	now := h.now()
	for _, r := range roots {
		cs, as, err := h.Collections(ctx, p, r.Name)
		if err != nil {
			continue // a root p may read nothing of
		}
		for i, c := range cs {
			if !as[i].Read {
				continue
			}
			q := &vigie.ObjectQuery{Collection: c.ID, Types: []string{"indicator"}, Versions: vigie.VersionFilter{Last: true}, Limit: 1000}
			for n < maxRuleIndicators {
				page, err := h.Objects(ctx, p, as[i], q)
				if err != nil {
					return nil, err
				}
				for _, o := range page.Objects {
					n++
					var ind stixIndicator
					if json.Unmarshal(o.Raw, &ind) != nil || ind.Revoked {
						continue
					}
					if t, err := time.Parse(time.RFC3339, ind.ValidUntil); err == nil && t.Before(now) {
						continue
					}
					switch ind.PatternType {
					case "yara":
						out.rules = append(out.rules, RuleSource{Namespace: o.ID, Text: ind.Pattern})
					case "stix":
						out.patterns = append(out.patterns, indicatorPattern{
							ref:     vigie.ObjectRef{ID: o.ID, Type: "indicator", Name: ind.Name, Collection: c.ID, Root: c.Root},
							pattern: strings.ToLower(ind.Pattern),
						})
					}
				}
				if !page.More || len(page.Objects) == 0 {
					break
				}
				q.AddedAfter = page.Objects[len(page.Objects)-1].DateAdded
			}
		}
	}
	return out, nil
}

// naming returns the indicators whose pattern names one of a file's hashes
// (a file:hashes comparison, in any of its forms).
func (si *sharedIndicators) naming(hs triage.Hashes) []vigie.ObjectRef {
	var out []vigie.ObjectRef
	for _, ip := range si.patterns {
		for _, h := range []string{hs.MD5, hs.SHA1, hs.SHA256, hs.SHA512} {
			if h != "" && strings.Contains(ip.pattern, "'"+h+"'") {
				out = append(out, ip.ref)
				break
			}
		}
	}
	return out
}

// scanner compiles the YARA rules for one triage; nil when there are
// none or no compiler (a note in the logs when they do not compile).
func (h *Hub) scanner(si *sharedIndicators) (triage.RuleScanner, func()) {
	if h.cfg.Rules == nil || len(si.rules) == 0 {
		return nil, func() {}
	}
	sc, closeFn, err := h.cfg.Rules.Compile(si.rules)
	if err != nil || sc == nil {
		if err != nil {
			h.cfg.Logger.Warn("samples: YARA rules not compiled", "err", err)
		}
		return nil, func() {}
	}
	return sc, closeFn
}
