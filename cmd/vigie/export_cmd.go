package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-cti/vigie/client"
	"github.com/vigie-cti/vigie/export"
)

func exportHelp() string {
	var b strings.Builder
	b.WriteString(`Write the indicators your key may export, in a format that Zeek,
Suricata, DNS resolvers or firewalls load. The hub exports only active
indicators (not revoked, not expired, valid now) that your organisation may
read and that may leave the hub: your organisation's own, CLEAR, and GREEN
from collections you read as a member of their communities; never another
organisation's AMBER, AMBER+STRICT or RED. --tlp lowers that ceiling. Each
line carries the source indicator's id (Zeek's meta.source, a comment, a
CSV column) where the format has room for it.

Formats:
`)
	for _, f := range export.Formats() {
		fmt.Fprintf(&b, "  %-17s %s\n", f.Name, f.Doc)
	}
	b.WriteString(`  suricata          all the Suricata files at once, into the directory --out

--out FILE writes atomically (a temporary file, then a rename), so that a
reader such as Zeek's input framework never sees half a file; --every D
repeats, and rewrites the file only when the hub's export changed (ETag);
a refusal by the hub (a bad key or parameter) stops it, other failures are
printed and retried at the next round.
Without --out the export goes to standard output.

Examples:
  vigie export zeek-intel --hub https://hub:8443 --key-file key --out /opt/zeek/share/vigie.intel --every 10m
  vigie export suricata --hub https://hub:8443 --key-file key --out /etc/suricata/rules/vigie --sid 1960000
  vigie export rpz --hub https://hub:8443 --key-file key --out /etc/unbound/vigie.rpz --every 1h
  vigie export list-ip --hub https://hub:8443 --key-file key --tlp green --collection COLLECTION_ID
  vigie export csv --hub https://hub:8443 --key-file key --type domain,url`)
	return b.String()
}

// stringsFlag is a repeatable string flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

func runExport(ctx context.Context, stdio Stdio, args []string) error {
	var hf hubFlags
	fs := newFlagSet(stdio, "export", "vigie export FORMAT --hub URL --key-file FILE [--out FILE [--every D]]", exportHelp()+"\n"+hubFlagsHelp)
	hf.register(fs)
	var cols stringsFlag
	fs.Var(&cols, "collection", "only this collection id (repeatable)")
	root := fs.String("root", "", "only the collections of this API root")
	kinds := fs.String("type", "", "only these kinds of values: ip, domain, url, email, hash, file-name, ... (comma-separated)")
	tlp := fs.String("tlp", "", "the most restrictive TLP exported: clear, green, amber, amber+strict, red (default: all that may leave the hub)")
	sid := fs.Int("sid", 0, fmt.Sprintf("first sid of the Suricata rules (default %d; %d sids)", export.DefaultSIDBase, export.RuleCount))
	prefix := fs.String("prefix", "", "name of the Suricata datasets and files (default vigie)")
	action := fs.String("rpz-action", "", "RPZ answer: nxdomain (default), nodata, drop, passthru, or a domain to redirect to")
	out := fs.String("out", "", "write to this file (a directory for \"suricata\"), atomically")
	every := fs.String("every", "", "repeat at this interval (e.g. 10m, 1h, 1d); needs --out")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errors.New("give one FORMAT")
	}
	format := pos[0]
	formats := map[string]string{} // format → file
	if format == "suricata" {
		if *out == "" {
			return errors.New("\"suricata\" writes several files: give the directory with --out")
		}
		for f, name := range export.SuricataFiles(*prefix) {
			formats[f] = filepath.Join(*out, name)
		}
	} else if _, ok := export.FindFormat(format); ok {
		formats[format] = *out
	} else {
		return fmt.Errorf("unknown format %q; formats: %s, suricata", format, strings.Join(export.FormatNames(), ", "))
	}
	var period time.Duration
	if *every != "" {
		var ok bool
		if period, ok = parseSpan(*every); !ok || period < time.Minute {
			return fmt.Errorf("--every %q: want a duration of at least 1m, such as 10m, 1h or 1d", *every)
		}
		if *out == "" {
			return errors.New("--every needs --out")
		}
	}
	q := url.Values{}
	for _, c := range cols {
		q.Add("collection", c)
	}
	set := func(name, v string) {
		if v != "" {
			q.Set(name, v)
		}
	}
	set("root", *root)
	set("type", *kinds)
	set("tlp", *tlp)
	set("prefix", *prefix)
	set("rpz_action", *action)
	if *sid != 0 {
		q.Set("sid", strconv.Itoa(*sid))
	}
	c, err := hf.apiClient(stdio.In)
	if err != nil {
		return err
	}
	if format == "suricata" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(formats))
	for f := range formats {
		names = append(names, f)
	}
	slices.Sort(names)
	etags := map[string]string{}
	for {
		for _, f := range names {
			err := exportOnce(ctx, stdio, c, f, q, formats[f], etags)
			var he *client.Error
			if err != nil && (period == 0 || errors.As(err, &he) && he.Status < 500) {
				return err // a refusal (bad key, bad parameter) will not change by waiting
			} else if err != nil {
				fmt.Fprintf(stdio.Err, "vigie export: %s: %v (next try in %s)\n", f, err, period)
			}
		}
		if period == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(period):
		}
	}
}

// exportOnce fetches one format into file (standard output if ""), unless
// the hub says it did not change since etags[format].
func exportOnce(ctx context.Context, stdio Stdio, c *client.Client, format string, q url.Values, file string, etags map[string]string) error {
	if file == "" {
		_, err := c.Export(ctx, format, q, "", 0, stdio.Out)
		return err
	}
	res, err := writeAtomic(file, func(w io.Writer) (client.ExportResult, error) {
		return c.Export(ctx, format, q, etags[format], 0, w)
	})
	if err != nil {
		return err
	}
	etags[format] = res.ETag
	if res.NotModified {
		fmt.Fprintf(stdio.Err, "%s: %s unchanged\n", time.Now().UTC().Format(time.RFC3339), file)
	} else {
		fmt.Fprintf(stdio.Err, "%s: wrote %s (%s)\n", time.Now().UTC().Format(time.RFC3339), file, res.Summary)
	}
	return nil
}

// writeAtomic runs write into a temporary file beside path and renames it
// over path once complete and synced; on error, or when nothing changed,
// path is left as it was. The file is readable by its owner and group
// (0640): it holds indicators shared under TLP.
func writeAtomic(path string, write func(io.Writer) (client.ExportResult, error)) (client.ExportResult, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return client.ExportResult{}, err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	res, err := write(tmp)
	if err != nil || res.NotModified {
		return res, err
	}
	if err := tmp.Chmod(0o640); err != nil {
		return res, err
	}
	if err := tmp.Sync(); err != nil {
		return res, err
	}
	if err := tmp.Close(); err != nil {
		return res, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return res, err
	}
	done = true
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return res, nil
}
