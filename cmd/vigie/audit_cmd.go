package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// auditList runs "admin audit": the audit log, oldest first.
func (a *admin) auditList(ctx context.Context, args []string) error {
	fs := a.flags("audit", "audit [--since WHEN] [--org NAME] [--json]",
		"Print the audit log: every state change of the hub (publish, delete, keys, organisations,\ncommunities, collections, watchlists, webhooks) and failed authentications, oldest first.")
	since := fs.String("since", "", "only entries from then on: a duration back from now (24h, 7d) or a date/time (2026-12-01, RFC 3339)")
	org := fs.String("org", "", "only the entries of this organisation (as actor or target)")
	asJSON := fs.Bool("json", false, "print JSON, one array")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError(fs, fmt.Sprintf("unexpected argument %q (did you mean \"audit verify\"?)", pos[0]))
	}
	q := vigie.AuditQuery{}
	if *since != "" {
		if q.Since, err = parseSince(*since, time.Now()); err != nil {
			return err
		}
	}
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	console := hub.Console()
	if *org != "" {
		if q.OrgID, err = h.AuditOrg(ctx, console, *org); err != nil {
			return domainError(err)
		}
	}
	names := map[string]string{}
	orgs, err := h.Orgs(ctx, console)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	var all []*vigie.AuditEntry
	for {
		es, err := h.Audit(ctx, console, q)
		if err != nil {
			return domainError(err)
		}
		all = append(all, es...)
		if len(es) == 0 {
			break
		}
		q.After = es[len(es)-1].Seq
	}
	if *asJSON {
		if all == nil {
			all = []*vigie.AuditEntry{}
		}
		return printJSON(a.stdio, all)
	}
	tw := tabwriter.NewWriter(a.stdio.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tACTION\tORG\tKEY\tROLE\tADDR\tTARGET\tOUTCOME\tREASON")
	for _, e := range all {
		org := names[e.OrgID]
		if org == "" {
			org = e.OrgID
		}
		if t := names[e.TargetOrg]; t != "" {
			org += " -> " + t
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.Time.Format(time.RFC3339), e.Action, org, e.KeyID, e.Role, e.Addr,
			e.Target, e.Outcome, strings.ReplaceAll(e.Reason, "\n", " "))
	}
	return tw.Flush()
}

// auditVerify runs "admin audit verify": exit status 1, naming the first
// broken entry, when the chain is broken.
func (a *admin) auditVerify(ctx context.Context, args []string) error {
	fs := a.flags("audit verify", "audit verify", "Check the audit log: each entry's hash, the chain of hashes, and its end.\nExit status 1, naming the first broken entry, when an entry was edited or removed.")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError(fs, fmt.Sprintf("unexpected argument %q", pos[0]))
	}
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	n, err := h.VerifyAudit(ctx, hub.Console())
	if vigie.ErrorCode(err) == vigie.EINVALID {
		return &exitError{Code: 1, Message: fmt.Sprintf("audit log BROKEN after %d intact entries: %s", n, vigie.ErrorMessage(err))}
	} else if err != nil {
		return err
	}
	fmt.Fprintf(a.stdio.Out, "audit log intact: %d entries, chained\n", n)
	return nil
}

// parseSince reads "24h", "7d" (back from now) or a date/time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, ok := parseSpan(s); ok {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration like 24h or 7d, or a date like 2026-12-01", s)
}

// parseSpan reads a positive duration: "90d" (days) or a Go duration
// such as "12h".
func parseSpan(s string) (time.Duration, bool) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err == nil && n > 0 && fmt.Sprint(n) == days {
			return time.Duration(n) * 24 * time.Hour, true
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, true
	}
	return 0, false
}
