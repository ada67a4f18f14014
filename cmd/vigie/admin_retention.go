package main

import (
	"context"
	"fmt"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// spanFlag is a duration flag that also takes days ("90d"); zero keeps
// everything.
type spanFlag struct{ d time.Duration }

func (f *spanFlag) String() string {
	if f == nil || f.d == 0 {
		return ""
	}
	return f.d.String()
}

func (f *spanFlag) Set(s string) error {
	d, ok := parseSpan(s)
	if !ok {
		return fmt.Errorf("%q: want a duration such as 90d or 36h", s)
	}
	f.d = d
	return nil
}

// adminPrune is "vigie admin prune": retention, run by hand or from cron.
func (a *admin) adminPrune(ctx context.Context, args []string) error {
	fs := a.flags("prune", "prune [--collection ID]... [--versions 90d] [--expired 30d] [--statuses 7d] [--deliveries 30d] [--sightings 90d] [--audit 400d] [--json]",
		`Delete what is past keeping, on a running hub or not. Each period is optional: what has none
is kept, as by default. Objects removed keep their ownership record, so that their ids cannot
be claimed by another organisation (nor by federation peers); the audit log keeps a
checkpoint, so that "vigie admin audit verify" still verifies what is kept, and the run is
itself recorded in the audit log.

  --versions    an object's versions added longer ago than this are deleted, but never its
                latest version (nor versions the early-warning engine has not evaluated)
  --expired     indicators whose valid_until, and revoked objects whose last modification,
                is older than this are deleted, every version
  --collection  apply --versions and --expired to these collections only (default: all)

Example (daily, from cron or a systemd timer):
  vigie admin --data /var/lib/vigie prune --versions 180d --expired 30d --statuses 7d \
      --deliveries 30d --sightings 90d --audit 400d
  vigie admin --data /var/lib/vigie compact`)
	var versions, expired, statuses, deliveries, sightings, audit spanFlag
	var colls listFlag
	fs.Var(&colls, "collection", "collection id to apply --versions and --expired to; repeat (default: every collection)")
	fs.Var(&versions, "versions", "delete versions added longer ago than this, except each object's latest")
	fs.Var(&expired, "expired", "delete indicators expired (valid_until) or objects revoked longer ago than this")
	fs.Var(&statuses, "statuses", "delete TAXII status resources older than this")
	fs.Var(&deliveries, "deliveries", "delete delivered or given-up webhook deliveries older than this")
	fs.Var(&sightings, "sightings", "delete the engine's record of sightings older than this (keep it above --sighting-window)")
	fs.Var(&audit, "audit", "delete audit entries older than this (a checkpoint keeps the rest verifiable)")
	asJSON := fs.Bool("json", false, "print the counts as JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError(fs, fmt.Sprintf("unexpected argument %q", pos[0]))
	}
	if len(colls) > 0 && versions.d == 0 && expired.d == 0 {
		return usageError(fs, "--collection goes with --versions or --expired")
	}
	policy := &vigie.RetentionPolicy{Collections: map[string]vigie.CollectionRetention{},
		Statuses: statuses.d, Deliveries: deliveries.d, Sightings: sightings.d, Audit: audit.d}
	rule := vigie.CollectionRetention{Versions: versions.d, Expired: expired.d}
	if len(colls) == 0 {
		colls = listFlag{"*"}
	}
	for _, c := range colls {
		policy.Collections[c] = rule
	}
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	rep, err := h.Prune(ctx, hub.Console(), policy)
	if err != nil {
		return domainError(err)
	}
	if *asJSON {
		return printJSON(a.stdio, rep)
	}
	fmt.Fprintf(a.stdio.Out, "pruned: %d old versions, %d expired or revoked object versions, %d statuses, %d deliveries, %d sightings, %d audit entries\n",
		rep.Versions, rep.Expired, rep.Statuses, rep.Deliveries, rep.Sightings, rep.Audit)
	return nil
}

// adminCompact is "vigie admin compact".
func (a *admin) adminCompact(ctx context.Context, args []string) error {
	fs := a.flags("compact", "compact",
		`Return the database's free pages (left by prune, deletions, ...) to the file system, while
the hub runs: SQLite frees them in small steps (incremental vacuum) and truncates its
write-ahead log. A hub made before vigie had this command is rewritten once by a VACUUM, during
which writes wait (up to 10 s, then 503): run that first compact at a quiet time.
PostgreSQL: nothing to do here (autovacuum reuses space; VACUUM FULL returns it).`)
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
	n, err := h.Compact(ctx, hub.Console())
	if err != nil {
		return domainError(err)
	}
	fmt.Fprintf(a.stdio.Out, "compacted: the database shrank by %d bytes\n", n)
	return nil
}
