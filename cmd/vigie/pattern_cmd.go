package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/vigie-cti/vigie/pattern"
)

// runPattern runs "vigie pattern check" and "vigie pattern match".
func runPattern(ctx context.Context, stdio Stdio, args []string) error {
	if len(args) == 0 {
		patternUsage(stdio.Err)
		return errors.New("missing subcommand: check or match")
	}
	switch args[0] {
	case "check":
		return runPatternCheck(stdio, args[1:])
	case "match":
		return runPatternMatch(stdio, args[1:])
	case "-h", "--help", "help":
		patternUsage(stdio.Err)
		return flag.ErrHelp
	}
	patternUsage(stdio.Err)
	return fmt.Errorf("unknown subcommand %q: use check or match", args[0])
}

func patternUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: vigie pattern check [--json] PATTERN
       vigie pattern match [--json] PATTERN FILE

Check a STIX 2.1 pattern, or match it against observed data.

Subcommands:
  check   print the canonical form of a valid pattern (exit 0), or the
          error and where it is (exit 1)
  match   evaluate the pattern against the observed-data of a STIX file
          (exit 0 on a match, 1 without, 2 on error)

Run "vigie pattern check --help" or "vigie pattern match --help" for details.
`)
}

// patternCheckResult is the JSON document of "vigie pattern check --json".
type patternCheckResult struct {
	Valid     bool          `json:"valid"`
	Canonical string        `json:"canonical,omitempty"`
	Warnings  []string      `json:"warnings,omitempty"`
	Error     *patternError `json:"error,omitempty"`
}

// patternError locates an invalid pattern's error for JSON output.
type patternError struct {
	Offset  int    `json:"offset"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

func runPatternCheck(stdio Stdio, args []string) error {
	fs := newFlagSet(stdio, "pattern check", "vigie pattern check [--json] PATTERN",
		`Parse and validate a STIX 2.1 pattern. A valid pattern prints in its
canonical form and exits 0; warnings (object types or properties STIX 2.1
does not define, likely typos) go to stderr and do not fail the check. An
invalid pattern prints the error with its line and column and exits 1.

Example:
  vigie pattern check "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']"`)
	asJSON := fs.Bool("json", false, "print a JSON document: valid, canonical, warnings, error")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("check takes one pattern, got %d arguments", len(pos))
	}
	p, warnings, err := pattern.Check(pos[0])
	if *asJSON {
		res := patternCheckResult{Valid: err == nil}
		var se *pattern.SyntaxError
		if errors.As(err, &se) {
			res.Error = &patternError{Offset: se.Offset, Line: se.Line, Column: se.Column, Message: se.Error()}
		} else if err == nil {
			res.Canonical = p.String()
			for _, w := range warnings {
				res.Warnings = append(res.Warnings, w.String())
			}
		}
		if werr := writeJSON(stdio.Out, res); werr != nil {
			return werr
		}
		if err != nil {
			return &exitError{Code: 1}
		}
		return nil
	}
	if err != nil {
		return &exitError{Code: 1, Message: "invalid pattern: " + err.Error()}
	}
	printWarnings(stdio.Err, warnings)
	fmt.Fprintln(stdio.Out, p.String())
	return nil
}

// patternMatchResult is the JSON document of "vigie pattern match --json".
type patternMatchResult struct {
	Pattern      string   `json:"pattern"`
	Matched      bool     `json:"matched"`
	ObservedData []string `json:"observed_data"`
	Observations int      `json:"observations"`
}

func runPatternMatch(stdio Stdio, args []string) error {
	fs := newFlagSet(stdio, "pattern match", "vigie pattern match [--json] PATTERN FILE",
		`Evaluate a STIX 2.1 pattern against the observed-data of FILE ("-" for
standard input): a STIX bundle, a JSON array of STIX objects, or a JSON
array of bundles. STIX 2.1 observed-data are evaluated with the objects
their object_refs name, STIX 2.0 observed-data with their embedded objects.
Prints the ids of the observed-data of the match found and exits 0, or
exits 1 when the pattern does not match and 2 on an error (an invalid
pattern or file).

Example:
  vigie pattern match "[ipv4-addr:value ISSUBSET '198.51.100.0/24']" sightings.json`)
	asJSON := fs.Bool("json", false, "print a JSON document: pattern, matched, observed_data, observations")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return fmt.Errorf("match takes a pattern and a file, got %d arguments", len(pos))
	}
	p, warnings, err := pattern.Check(pos[0])
	if err != nil {
		return fmt.Errorf("invalid pattern: %w", err)
	}
	printWarnings(stdio.Err, warnings)
	obs, err := readObservationsFile(stdio, pos[1])
	if err != nil {
		return err
	}
	r, err := p.Match(obs)
	if err != nil {
		return err
	}
	ids := []string{}
	for _, i := range r.Observations {
		ids = append(ids, obs[i].ID)
	}
	if *asJSON {
		if err := writeJSON(stdio.Out, patternMatchResult{Pattern: p.String(), Matched: r.Matched, ObservedData: ids, Observations: len(obs)}); err != nil {
			return err
		}
		if !r.Matched {
			return &exitError{Code: 1}
		}
		return nil
	}
	if !r.Matched {
		return &exitError{Code: 1, Message: fmt.Sprintf("no match in %d observed-data", len(obs))}
	}
	for _, id := range ids {
		fmt.Fprintln(stdio.Out, id)
	}
	return nil
}

func readObservationsFile(stdio Stdio, name string) ([]pattern.Observation, error) {
	if name == "-" {
		return pattern.ReadObservations(stdio.In)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	obs, err := pattern.ReadObservations(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return obs, nil
}

func printWarnings(w io.Writer, warnings []pattern.Warning) {
	for _, wn := range warnings {
		fmt.Fprintf(w, "warning: %s\n", wn)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
