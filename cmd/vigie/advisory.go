package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/taxii"
)

const advisoryHelp = `Import advisories into a hub: OSV records (one file, a directory, or a zip
such as OSV's per-ecosystem all.zip), malicious-package records (MAL-)
included, and CSAF 2.0 documents. Each advisory becomes a STIX
vulnerability object in the collection (its affected packages and ranges in
x_vigie_affected), shared like any object: peers and TAXII clients read
them, and the hub warns every organisation whose SBOMs they affect.
Withdrawn advisories are imported revoked; an updated advisory is a new
version of the same object. Records that cannot be read are reported and
skipped.

Over the network (with a publisher key):
  vigie advisory import --hub URL --key KEY --root ROOT --collection ID PATH...
On the hub's own data, as an organisation of it:
  vigie advisory import --data DIR --org CERT-Nord --root ROOT --collection ID PATH...`

func runAdvisory(ctx context.Context, stdio Stdio, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprintf(stdio.Err, "Usage: vigie advisory import ...\n\n%s\n", advisoryHelp)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return &exitError{Code: 2}
	}
	var hf hubFlags
	fs := newFlagSet(stdio, "advisory import", "vigie advisory import (--hub URL --key KEY | --data DIR --org NAME) --root ROOT --collection ID PATH...", advisoryHelp)
	hf.register(fs)
	data := fs.String("data", "", "the hub's data directory, to import without a running hub")
	db := fs.String("db", "", dbFlagHelp)
	org := fs.String("org", "", "with --data: the organisation that publishes the advisories")
	root := fs.String("root", "", "API root of the collection (required)")
	collection := fs.String("collection", "", "collection id (required)")
	tlp := fs.String("tlp", "CLEAR", "TLP marking of the advisories")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if *root == "" || *collection == "" || len(pos) == 0 {
		return usageError(fs, "want --root, --collection and at least one PATH")
	}
	level, err := vigie.ParseTLP(*tlp)
	if err != nil {
		return domainError(err)
	}
	var all []advisory.Advisory
	failed := 0
	for _, path := range pos {
		b, err := advisory.Load(ctx, path, advisory.LoadOptions{})
		if err != nil {
			return err
		}
		for _, e := range b.Errors {
			fmt.Fprintf(stdio.Err, "skipped %v\n", e)
		}
		failed += len(b.Errors)
		all = append(all, b.Advisories...)
	}
	fmt.Fprintf(stdio.Err, "read %d advisories (%d records skipped)\n", len(all), failed)
	if *data != "" || *db != "" {
		return importLocal(ctx, stdio, *data, *db, *org, *root, *collection, all, level)
	}
	return importRemote(ctx, stdio, &hf, *root, *collection, all, level)
}

// importLocal publishes into the hub's store directly, as org.
func importLocal(ctx context.Context, stdio Stdio, data, db, org, root, collection string, all []advisory.Advisory, level vigie.TLP) error {
	if org == "" {
		return fmt.Errorf("--org is required with --data: the organisation that publishes the advisories")
	}
	if err := requireHub(data, db); err != nil {
		return err
	}
	st, err := openStore(ctx, data, db)
	if err != nil {
		return err
	}
	defer st.Close()
	h := hub.New(st, hub.Config{}, time.Now)
	p, err := h.ActAs(ctx, hub.Console(), org, vigie.RolePublisher)
	if err != nil {
		return domainError(err)
	}
	res, err := h.ImportAdvisories(ctx, p, root, collection, all, level)
	if err != nil {
		return domainError(err)
	}
	return reportImport(stdio, res.Stored, len(res.Refused)+len(res.Skipped), append(res.Refused, res.Skipped...))
}

// importRemote publishes over TAXII, in envelopes of 1,000 objects.
func importRemote(ctx context.Context, stdio Stdio, hf *hubFlags, root, collection string, all []advisory.Advisory, level vigie.TLP) error {
	hc, err := hf.httpClient(stdio.In, 5*time.Minute)
	if err != nil {
		return err
	}
	c, err := taxii.NewClient(hf.URL, hf.Key, hc)
	if err != nil {
		return err
	}
	stored, refused := 0, 0
	var problems []vigie.StatusDetail
	var envelope []json.RawMessage
	send := func() error {
		if len(envelope) == 0 {
			return nil
		}
		st, err := c.AddObjects(ctx, root, collection, envelope)
		if err != nil {
			return err
		}
		stored += st.SuccessCount
		refused += st.FailureCount
		for _, f := range st.Failures {
			problems = append(problems, vigie.StatusDetail(f))
		}
		envelope = envelope[:0]
		fmt.Fprintf(stdio.Err, "\rimported %d of %d", stored+refused, len(all))
		return nil
	}
	for _, a := range all {
		raw, err := advisory.ToSTIXVulnerability(a)
		if err == nil {
			raw, err = hub.WithMarking(raw, level)
		}
		if err != nil {
			problems = append(problems, vigie.StatusDetail{ID: a.ID, Message: err.Error()})
			refused++
			continue
		}
		if envelope = append(envelope, raw); len(envelope) == 1000 {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if err := send(); err != nil {
		return err
	}
	fmt.Fprintln(stdio.Err)
	return reportImport(stdio, stored, refused, problems)
}

func reportImport(stdio Stdio, stored, refused int, problems []vigie.StatusDetail) error {
	for _, p := range problems {
		fmt.Fprintf(stdio.Err, "refused %s: %s\n", p.ID, p.Message)
	}
	fmt.Fprintf(stdio.Out, "%d advisories stored, %d refused\n", stored, refused)
	if refused > 0 {
		return &exitError{Code: 1}
	}
	return nil
}
