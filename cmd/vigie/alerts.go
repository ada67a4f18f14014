package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/client"
)

const alertsHelp = `Show your organisation's alerts, newest first, or follow them live.

With --follow, the command stays connected to the hub's live stream and
prints each alert as it is raised or updated, resuming where it left off if
the connection drops. --json prints one JSON object per line.

Examples:
  vigie alerts --hub https://hub:8443 --key-file ~/.config/vigie/key
  vigie alerts --hub https://hub:8443 --key-file ~/.config/vigie/key --state new --severity high
  vigie alerts --hub https://hub:8443 --key-file ~/.config/vigie/key --follow --json
  vigie alerts ack ALERT_ID --hub ... --key-file ...      (also: resolve, reopen)`

func runAlerts(ctx context.Context, stdio Stdio, args []string) error {
	var hf hubFlags
	fs := newFlagSet(stdio, "alerts", "vigie alerts --hub URL --key-file FILE [--follow] [--json] | ack|resolve|reopen ID", alertsHelp+"\n"+hubFlagsHelp)
	hf.register(fs)
	follow := fs.Bool("follow", false, "stay connected and print alerts as they come")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	state := fs.String("state", "", "only these states: new, acknowledged, resolved (comma-separated)")
	trigger := fs.String("trigger", "", "only this trigger: watchlist, sighting, targeting, supply-chain, correlation, supplier, similar-sample")
	severity := fs.String("severity", "", "at least this severity: info, low, medium, high, critical")
	limit := fs.Int("limit", 50, "at most this many alerts")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	c, err := hf.apiClient(stdio.In)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return alertAction(ctx, stdio, c, fs, pos)
	}
	f := client.AlertFilter{Trigger: *trigger, Limit: *limit}
	if *state != "" {
		for _, s := range strings.Split(*state, ",") {
			st, err := vigie.ParseAlertState(s)
			if err != nil {
				return domainError(err)
			}
			f.States = append(f.States, st)
		}
	}
	if *severity != "" {
		if f.Severity, err = vigie.ParseSeverity(*severity); err != nil {
			return domainError(err)
		}
	}
	if *follow {
		return followAlerts(ctx, stdio, c, *asJSON)
	}
	alerts, err := c.Alerts(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdio.Out)
		for _, a := range alerts {
			if err := enc.Encode(a); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "UPDATED\tSEVERITY\tSTATE\tTRIGGER\tCOUNT\tTITLE\tID")
	for _, a := range alerts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", a.Updated.Local().Format("2006-01-02 15:04"), a.Severity, a.State, a.Trigger, a.Count, a.Title, a.ID)
	}
	return tw.Flush()
}

// alertAction acknowledges, resolves or reopens one alert.
func alertAction(ctx context.Context, stdio Stdio, c *client.Client, fs *flag.FlagSet, pos []string) error {
	states := map[string]vigie.AlertState{"ack": vigie.AlertAcknowledged, "acknowledge": vigie.AlertAcknowledged, "resolve": vigie.AlertResolved, "reopen": vigie.AlertNew}
	st, ok := states[pos[0]]
	if !ok || len(pos) != 2 {
		fs.Usage()
		return &exitError{Code: 2, Message: "vigie alerts: want ack|resolve|reopen ALERT_ID"}
	}
	a, err := c.SetAlertState(ctx, pos[1], st)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdio.Out, "%s is %s\n", a.ID, a.State)
	return nil
}

// followAlerts prints the live stream until ctx ends, reconnecting with the
// last event id so that nothing is missed.
func followAlerts(ctx context.Context, stdio Stdio, c *client.Client, asJSON bool) error {
	var after int64
	print := func(ev client.StreamEvent) error { return printEvent(stdio.Out, ev, asJSON) }
	for backoff := time.Second; ctx.Err() == nil; {
		last, err := c.Stream(ctx, after, print)
		if last > after {
			after, backoff = last, time.Second
		}
		if ctx.Err() != nil {
			return nil
		}
		if ce, ok := err.(*client.Error); ok && (ce.Status == 401 || ce.Status == 403) {
			return err
		}
		msg := "stream ended"
		if err != nil {
			msg = err.Error()
		}
		fmt.Fprintf(stdio.Err, "vigie alerts: %s; reconnecting in %s\n", msg, backoff)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
	return nil
}

func printEvent(w io.Writer, ev client.StreamEvent, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{"id": ev.ID, "type": ev.Type, "alert": ev.Alert})
	}
	a := ev.Alert
	_, err := fmt.Fprintf(w, "%s  %-8s %-12s %s (x%d)  %s\n", a.Updated.Local().Format("15:04:05"), a.Severity, a.Trigger, a.Title, a.Count, a.ID)
	return err
}
