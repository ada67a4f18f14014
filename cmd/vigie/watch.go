package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/vigie-cti/vigie"
)

const watchHelp = `Manage your organisation's watchlist: what it owns and cares about.
When anything shared on the hub touches an entry, you are alerted.

Kinds:
  cidr          an address range you own             cidr 198.51.100.0/24
  domain        a domain and its subdomains; look-alikes of it too
                                                     domain helios-energie.fr
  email-domain  the domain of your mail addresses    email-domain helios-energie.fr
  product       a package URL prefix or a CPE you run
                                                     product pkg:npm/lodash
  sector        an industry sector (beyond your identity's)   sector energy
  country       a country (beyond your identity's)   country FR
  keyword       a word or phrase in names and descriptions    keyword "frozen lantern"

Commands:
  vigie watch add --hub URL --key-file FILE KIND VALUE   prints the entry id
  vigie watch list --hub URL --key-file FILE [--json]
  vigie watch rm --hub URL --key-file FILE ID`

func runWatch(ctx context.Context, stdio Stdio, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stdio.Err, "Usage: vigie watch add|list|rm ...\n\n%s\n", watchHelp)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return &exitError{Code: 2}
	}
	verb := args[0]
	var hf hubFlags
	fs := newFlagSet(stdio, "watch "+verb, "vigie watch "+verb+" --hub URL --key-file FILE ...", watchHelp+"\n"+hubFlagsHelp)
	hf.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	c, err := hf.apiClient(stdio.In)
	if err != nil {
		return err
	}
	switch verb {
	case "add":
		if len(pos) != 2 {
			return usageError(fs, "want KIND VALUE, e.g. cidr 198.51.100.0/24")
		}
		e, err := c.AddWatch(ctx, vigie.WatchKind(pos[0]), pos[1])
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdio, e)
		}
		fmt.Fprintln(stdio.Out, e.ID)
	case "list", "ls":
		entries, err := c.Watchlist(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdio, entries)
		}
		tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tVALUE")
		for _, e := range entries {
			id := e.ID
			if e.FromIdentity {
				id = "(identity)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", id, e.Kind, e.Value)
		}
		return tw.Flush()
	case "rm", "remove":
		if len(pos) != 1 {
			return usageError(fs, "want the ID of the entry (see \"vigie watch list\")")
		}
		if err := c.RemoveWatch(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdio.Out, "removed %s\n", pos[0])
	default:
		return usageError(fs, fmt.Sprintf("unknown command %q: want add, list or rm", verb))
	}
	return nil
}
