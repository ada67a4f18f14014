package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/netguard"
	"github.com/vigie-cti/vigie/posture"
)

const demoHelp = `Start a hub on a fresh embedded store seeded with a demo coalition:
five organisations in different sectors and countries, three communities,
three collections, an API key per organisation (printed below), and a
campaign report with indicators, malware and a course of action at several
TLP levels. Helios Energie (energy sector) watches its address range and
its domain, and the demo runs a webhook receiver for it that prints each
alert. A few seconds after start, CERT-Nord publishes a fresh Lantern
C2 address inside Helios's range: watch the alert arrive. Then try the
printed curl commands, point any TAXII 2.1 client at it, or open the printed
dashboard URL in a browser and sign in as one of the printed demo users.

The demo listens on loopback with plain HTTP unless --https is given.

Example:
  vigie demo
  vigie demo --data ./demo-data --addr 127.0.0.1:9000`

func runDemo(ctx context.Context, stdio Stdio, args []string) error {
	fs := newFlagSet(stdio, "demo", "vigie demo [--data DIR] [--addr HOST:PORT] [--https]", demoHelp)
	data := fs.String("data", "", "data directory; must not hold a hub yet (default: a new temporary directory)")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	https := fs.Bool("https", false, "serve HTTPS with a self-signed certificate")
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	dir := *data
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "vigie-demo-"); err != nil {
			return err
		}
		// The temporary hub goes on every way out: Ctrl-C, a busy port, an error.
		defer os.RemoveAll(dir)
	} else if _, err := os.Stat(filepath.Join(dir, "vigie.db")); err == nil {
		return fmt.Errorf("%s already holds a hub; give the demo a new directory", dir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	store, err := openStore(ctx, dir, "sqlite:"+filepath.Join(dir, "vigie.db"))
	if err != nil {
		return err
	}
	// The guard lets the demo register its own receiver, on loopback.
	h := hub.New(store, hub.Config{Guard: netguard.New([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})}, time.Now)
	coalition, err := seedDemo(ctx, h)
	var rcv *demoReceiver
	var postures []*posture.Report
	var accounts *demoAccounts
	if err == nil {
		postures, err = demoPostures(ctx, h, coalition)
	}
	var sample *api.Sample
	if err == nil {
		sample, err = demoSamples(ctx, h, coalition)
	}
	if err == nil {
		accounts, err = demoUsers(ctx, h, coalition)
	}
	if err == nil {
		rcv, err = demoWebhook(ctx, h, stdio, coalition)
	}
	store.Close()
	if err != nil {
		return fmt.Errorf("seeding the demo: %w", err)
	}
	defer rcv.close()

	m := newServeMain(stdio)
	m.DataDir, m.Addr, m.PlainHTTP, m.Title = dir, *addr, !*https, "vigie demo coalition"
	m.DB = "sqlite:" + filepath.Join(dir, "vigie.db")
	m.WebhookAllow = "127.0.0.0/8" // the demo's own webhook receiver
	m.DefaultRoot = demoRoot
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	printDemo(stdio, m.URL(), dir, coalition, postures, sample, accounts)
	go demoFreshThreat(ctx, stdio, m.URL(), coalition)
	<-ctx.Done()
	fmt.Fprintln(stdio.Err, "vigie: shutting down")
	return m.Close()
}

// printCoalition prints who is in the demo coalition as tables: the
// organisations, the communities and their members, the collections and
// who may read and write them, and each API key with its organisation and
// role, so that what each organisation reads can be checked against TLP.
func printCoalition(w io.Writer, c *demoCoalition) {
	table := func(title string, header []string, rows [][]string) {
		fmt.Fprintf(w, "\n%s\n", title)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  "+strings.Join(header, "\t"))
		for _, r := range rows {
			fmt.Fprintln(tw, "  "+strings.Join(r, "\t"))
		}
		tw.Flush()
	}
	var rows [][]string
	for _, o := range c.orgs {
		rows = append(rows, []string{o.name, o.sector, o.country})
	}
	table("Organisations", []string{"NAME", "SECTOR", "COUNTRY"}, rows)
	rows = nil
	for _, com := range c.communities {
		rows = append(rows, []string{com.name, strings.Join(com.members, ", ")})
	}
	table("Communities", []string{"NAME", "MEMBERS"}, rows)
	rows = nil
	for _, col := range c.collections {
		rows = append(rows, []string{col.id, col.title, col.read, col.write})
	}
	table("Collections (API root /"+demoRoot+"/)", []string{"ID", "TITLE", "READ", "WRITE"}, rows)
	rows = nil
	for _, o := range c.orgs {
		rows = append(rows, []string{o.name, string(o.role), o.token})
	}
	table("API keys (shown once; the hub keeps only their SHA-256)", []string{"ORGANISATION", "ROLE", "KEY"}, rows)
}

// printDemo tells the user what the demo holds and how to try it.
func printDemo(stdio Stdio, url, dir string, c *demoCoalition, postures []*posture.Report, sample *api.Sample, accounts *demoAccounts) {
	w := stdio.Out
	fmt.Fprintf(w, "\nvigie demo hub at %s/taxii2/ (data in %s)\n", url, dir)
	printCoalition(w, c)
	cert, helios, bank := c.orgs[0], c.orgs[1], c.orgs[2]
	fmt.Fprintf(w, `
Try it:
  # Helios Energie reads the coalition collection: GREEN and AMBER objects, and
  # the TLP:RED indicator CERT-Nord addressed to it alone
  curl -s -H 'Authorization: Bearer %[1]s' %[4]s/%[5]s/collections/%[6]s/manifest/
  # Banca Aurora reads the same collection: no TLP:RED indicator
  curl -s -H 'Authorization: Bearer %[2]s' %[4]s/%[5]s/collections/%[6]s/manifest/
  # Banca Aurora is not in the energy ISAC: 404
  curl -s -H 'Authorization: Bearer %[2]s' %[4]s/%[5]s/collections/%[7]s/objects/
  # anyone reads the public advisories, without a key
  curl -s %[4]s/%[5]s/collections/%[8]s/objects/
  # CERT-Nord (admin key: %[3]s) can publish with any TAXII 2.1 client

`, helios.token, bank.token, cert.token, url, demoRoot, c.collections[0].id, c.collections[1].id, c.collections[2].id)
	printPostures(w, url, c, postures)
	printDemoSamples(w, url, c, sample)
	printDemoUsers(w, url, accounts)
	fmt.Fprint(w, "\nPress Ctrl-C to stop.\n")
}
