package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/vigie-cti/vigie/client"
	"github.com/vigie-cti/vigie/misp"
	"github.com/vigie-cti/vigie/taxii"
)

const mispHelp = `Bring MISP events into a hub, and take a collection out as a MISP feed.

  vigie misp import --hub URL --key KEY --root ROOT --collection ID FILE|DIR...
  vigie misp export --hub URL --key KEY --root ROOT --collection ID --out DIR

import reads MISP core-format JSON: an event ({"Event": {...}}), a list of
events, MISP's REST answers, or a feed directory (its manifest.json names the
event files; a directory without one: every *.json in it). Events become
STIX 2.1 as MISP's own converter (misp-stix) writes them: a published event
is a report, an unpublished one a grouping; attributes with to_ids are
indicators, the others observed data; tlp:* tags are TLP markings; galaxies
are threat actors, malware, tools, attack patterns; UUIDs are kept. The
objects are published over TAXII with your key: your organisation owns them,
and the MISP organisation that created the event is named as their author.
Deleted attributes are imported revoked. The summary counts, per attribute
type, what was mapped, what has no STIX mapping and what could not be read;
mapped + not mapped = total.

export writes the MISP feed the hub serves for the collection
(GET /feeds/misp/ROOT/ID/manifest.json, <event uuid>.json, hashes.csv) into
DIR, as your key sees it: only what may leave the hub (CLEAR, and GREEN of
the collection's communities; never another organisation's AMBER or RED).
A MISP instance can read DIR as a local feed, or the hub's URL directly with
the key in the feed's "Authorization: KEY" header.

Examples:
  vigie misp import --hub https://hub:8443 --key-file key.txt --root coalition --collection 1f4c... events/
  vigie misp import --hub https://hub:8443 --key-file key.txt --root coalition --collection 1f4c... --json misp-feed/   (summary as JSON)
  vigie misp export --hub https://hub:8443 --key-file key.txt --root coalition --collection 1f4c... --out /srv/misp-feed
` + hubFlagsHelp

func runMISP(ctx context.Context, stdio Stdio, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "import":
			return runMISPImport(ctx, stdio, args[1:])
		case "export":
			return runMISPExport(ctx, stdio, args[1:])
		case "-h", "--help", "help":
			fmt.Fprintf(stdio.Out, "Usage: vigie misp import|export ...\n\n%s\n", mispHelp)
			return nil
		}
	}
	fmt.Fprintf(stdio.Err, "Usage: vigie misp import|export ...\n\n%s\n", mispHelp)
	return &exitError{Code: 2}
}

// mispFiles expands the paths of the command line into MISP files: a feed
// directory through its manifest, another directory's *.json.
func mispFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		if _, err := os.Stat(filepath.Join(p, "manifest.json")); err == nil {
			files, err := misp.FeedFiles(p)
			if err != nil {
				return nil, err
			}
			out = append(out, files...)
			continue
		}
		files, err := filepath.Glob(filepath.Join(p, "*.json"))
		if err != nil {
			return nil, err
		}
		slices.Sort(files)
		out = append(out, files...)
	}
	return out, nil
}

// mispImportResult is the JSON summary of an import.
type mispImportResult struct {
	Files      int                  `json:"files"`
	FileErrors []string             `json:"file_errors,omitempty"`
	Summary    *misp.Summary        `json:"summary"`
	Sent       int                  `json:"stix_sent"`
	Stored     int                  `json:"stix_stored"`
	Refused    int                  `json:"stix_refused"`
	Refusals   []taxii.StatusDetail `json:"refusals,omitempty"`
}

// maxEnvelopeBytes is when the import sends an envelope before it has
// 1,000 objects.
const maxEnvelopeBytes = 8 << 20

func runMISPImport(ctx context.Context, stdio Stdio, args []string) error {
	var hf hubFlags
	fs := newFlagSet(stdio, "misp import", "vigie misp import --hub URL --key KEY --root ROOT --collection ID [--json] FILE|DIR...", mispHelp)
	hf.register(fs)
	root := fs.String("root", "", "API root of the collection (required)")
	collection := fs.String("collection", "", "collection id (required)")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *root == "" || *collection == "" || len(pos) == 0 {
		return usageError(fs, "want --root, --collection and at least one FILE or DIR")
	}
	files, err := mispFiles(pos)
	if err != nil {
		return err
	}
	hc, err := hf.httpClient(stdio.In, 5*time.Minute)
	if err != nil {
		return err
	}
	api, err := client.New(hf.URL, hf.Key, hc)
	if err != nil {
		return err
	}
	tc, err := taxii.NewClient(hf.URL, hf.Key, hc)
	if err != nil {
		return err
	}
	members, err := otherMembers(ctx, api)
	if err != nil {
		return err
	}
	res := &mispImportResult{Files: len(files)}
	var envelope []json.RawMessage
	size := 0
	send := func() error {
		if len(envelope) == 0 {
			return nil
		}
		st, err := tc.AddObjects(ctx, *root, *collection, envelope)
		if err != nil {
			return err
		}
		res.Stored += st.SuccessCount
		res.Refused += st.FailureCount
		if len(res.Refusals) < 1000 {
			res.Refusals = append(res.Refusals, st.Failures...)
		}
		envelope, size = envelope[:0], 0
		return nil
	}
	conv := misp.NewConverter(misp.Options{Members: members, Emit: func(obj json.RawMessage) error {
		envelope = append(envelope, obj)
		res.Sent++
		if size += len(obj); len(envelope) >= 1000 || size >= maxEnvelopeBytes {
			return send()
		}
		return nil
	}})
	for _, path := range files {
		if err := convertFile(conv, path); err != nil {
			var hubErr *taxii.Error
			if errors.As(err, &hubErr) || ctx.Err() != nil {
				return err
			}
			res.FileErrors = append(res.FileErrors, fmt.Sprintf("%s: %v", path, err))
		}
	}
	if err := send(); err != nil {
		return err
	}
	res.Summary = conv.Summary()
	if *asJSON {
		enc := json.NewEncoder(stdio.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		printMISPImport(stdio, res)
	}
	if len(res.FileErrors) > 0 || res.Refused > 0 || res.Summary.ErrorCount > 0 {
		return &exitError{Code: 1}
	}
	return nil
}

func convertFile(conv *misp.Converter, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return conv.Convert(f)
}

// otherMembers returns the identity ids of the hub's organisations other
// than the key's: imported events never name them as author.
func otherMembers(ctx context.Context, api *client.Client) (map[string]bool, error) {
	me, err := api.Whoami(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := api.Identities(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, raw := range ids {
		var o struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(raw, &o) == nil && o.ID != "" && o.ID != me.OrgID {
			out[o.ID] = true
		}
	}
	return out, nil
}

func printMISPImport(stdio Stdio, res *mispImportResult) {
	s := res.Summary
	for _, e := range res.FileErrors {
		fmt.Fprintf(stdio.Err, "skipped %s\n", e)
	}
	for _, e := range s.Errors {
		fmt.Fprintf(stdio.Err, "not imported: %s\n", e)
	}
	for _, r := range res.Refusals {
		fmt.Fprintf(stdio.Err, "refused by the hub: %s: %s\n", r.ID, r.Message)
	}
	w := tabwriter.NewWriter(stdio.Out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "ATTRIBUTE TYPE\tTOTAL\tMAPPED\tNOT MAPPED\tERRORS\t")
	types := make([]string, 0, len(s.Types))
	for t := range s.Types {
		types = append(types, t)
	}
	slices.Sort(types)
	row := func(name string, c misp.Count) {
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t\n", name, c.Total, c.Mapped, c.NotMapped, c.Errors)
	}
	for _, t := range types {
		row(t, *s.Types[t])
	}
	row("all attributes", s.Attributes)
	row("MISP objects", s.Objects)
	row("galaxy clusters", s.Galaxies)
	row("sightings", s.Sightings)
	w.Flush()
	fmt.Fprintf(stdio.Out, "%d events from %d files; %d STIX objects sent, %d stored, %d refused\n",
		s.Events, res.Files, res.Sent, res.Stored, res.Refused)
}

func runMISPExport(ctx context.Context, stdio Stdio, args []string) error {
	var hf hubFlags
	fs := newFlagSet(stdio, "misp export", "vigie misp export --hub URL --key KEY --root ROOT --collection ID --out DIR", mispHelp)
	hf.register(fs)
	root := fs.String("root", "", "API root of the collection (required)")
	collection := fs.String("collection", "", "collection id (required)")
	out := fs.String("out", "", "directory to write the feed into (required)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *root == "" || *collection == "" || *out == "" || len(pos) > 0 {
		return usageError(fs, "want --root, --collection and --out, and no other argument")
	}
	api, err := hf.apiClient(stdio.In)
	if err != nil {
		return err
	}
	manifest, err := api.MISPFeedFile(ctx, *root, *collection, "manifest.json")
	if err != nil {
		return err
	}
	m, err := misp.ParseManifest(bytes.NewReader(manifest))
	if err != nil {
		return fmt.Errorf("the hub's manifest: %w", err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		b, err := api.MISPFeedFile(ctx, *root, *collection, id+".json")
		if err != nil {
			return fmt.Errorf("event %s: %w", id, err)
		}
		if err := misp.WriteFileAtomic(filepath.Join(*out, id+".json"), b); err != nil {
			return err
		}
	}
	hashes, err := api.MISPFeedFile(ctx, *root, *collection, "hashes.csv")
	if err != nil {
		return err
	}
	if err := misp.WriteFileAtomic(filepath.Join(*out, "hashes.csv"), hashes); err != nil {
		return err
	}
	// The manifest last: a MISP instance polling DIR sees new events only
	// once their files are there.
	if err := misp.WriteFileAtomic(filepath.Join(*out, "manifest.json"), manifest); err != nil {
		return err
	}
	fmt.Fprintf(stdio.Out, "%d events written to %s\n", len(ids), *out)
	return nil
}
