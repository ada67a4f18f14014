package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/vigie-cti/vigie"
)

const webhookHelp = `Manage your organisation's webhooks: the hub POSTs each alert to them,
signed (header X-Vigie-Signature: t=UNIX,v1=HMAC-SHA256(secret, "UNIX.BODY")
in hex), and retries for 24 hours until the receiver answers 2xx.

Commands:
  vigie webhook add --hub URL --key-file FILE --url URL --secret SECRET   prints the webhook id
  vigie webhook list --hub URL --key-file FILE [--json]
  vigie webhook rm --hub URL --key-file FILE ID
  vigie webhook deliveries --hub URL --key-file FILE [--state pending|delivered|failed] [--json]`

func runWebhook(ctx context.Context, stdio Stdio, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stdio.Err, "Usage: vigie webhook add|list|rm|deliveries ...\n\n%s\n", webhookHelp)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return &exitError{Code: 2}
	}
	verb := args[0]
	var hf hubFlags
	fs := newFlagSet(stdio, "webhook "+verb, "vigie webhook "+verb+" --hub URL --key-file FILE ...", webhookHelp+"\n"+hubFlagsHelp)
	hf.register(fs)
	u := fs.String("url", "", "receiver URL (add)")
	secret := fs.String("secret", "", "signing secret, 16 to 256 characters (add; default: the hub makes one and prints it)")
	state := fs.String("state", "", "deliveries in this state only (deliveries)")
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
		if *u == "" {
			return usageError(fs, "--url is required")
		}
		w, err := c.AddWebhook(ctx, *u, *secret)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdio, w)
		}
		if w.Secret != "" {
			fmt.Fprintf(stdio.Err, "signing secret (shown only now): %s\n", w.Secret)
		}
		fmt.Fprintln(stdio.Out, w.ID)
	case "list", "ls":
		hooks, err := c.Webhooks(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdio, hooks)
		}
		tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tURL\tCREATED")
		for _, h := range hooks {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", h.ID, h.URL, h.Created)
		}
		return tw.Flush()
	case "rm", "remove":
		if len(pos) != 1 {
			return usageError(fs, "want the ID of the webhook")
		}
		if err := c.RemoveWebhook(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdio.Out, "removed %s\n", pos[0])
	case "deliveries":
		ds, err := c.Deliveries(ctx, vigie.DeliveryState(*state))
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdio, ds)
		}
		tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEVENT\tSTATE\tATTEMPTS\tLAST STATUS\tLAST ERROR\tURL")
		for _, d := range ds {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%d\t%d\t%s\t%s\n", d.ID, d.EventSeq, d.State, d.Attempts, d.LastStatus, d.LastError, d.URL)
		}
		return tw.Flush()
	default:
		return usageError(fs, fmt.Sprintf("unknown command %q: want add, list, rm or deliveries", verb))
	}
	return nil
}
