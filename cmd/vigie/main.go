// Command vigie is the coalition hub, its administration tool, the sensor
// and the offline checkers, in one binary. Run "vigie help" for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}

// Stdio holds the streams a command reads and writes, so tests can run the
// real commands in-process.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// command is one subcommand: its name, a one-line summary for "vigie help",
// and the function that runs it with the arguments after its name.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, stdio Stdio, args []string) error
}

// commands lists every subcommand, in the order "vigie help" shows them.
func commands() []command {
	return []command{
		{"serve", "run the hub (TAXII 2.1 server, API)", runServe},
		{"demo", "run a hub seeded with a demo coalition", runDemo},
		{"admin", "manage organisations, keys, communities and collections", runAdmin},
		{"pattern", "check a STIX pattern or match it against observed data", runPattern},
		{"scan", "match files and logs against the shared indicators", runScan},
		{"sbom", "check an SBOM against advisories, or upload it to a hub", runSBOM},
		{"advisory", "import advisories (OSV, CSAF) into a hub", runAdvisory},
		{"misp", "import MISP events and feeds; export a collection as a MISP feed", runMISP},
		{"supplier", "keep your suppliers and see who supplies your products", runSupplier},
		{"catalog", "import and list control catalogs (OSPS Baseline, SSDF, CRA)", runCatalog},
		{"watch", "manage your organisation's watchlist on a hub", runWatch},
		{"webhook", "manage the webhooks that receive your alerts", runWebhook},
		{"alerts", "list or follow your organisation's alerts", runAlerts},
		{"export", "write indicators for Zeek, Suricata, DNS (RPZ) and firewalls", runExport},
		{"sample", "submit a file for static triage, find similar samples, download", runSample},
		{"version", "print the version, the commit and whether YARA is built in", runVersion},
	}
}

// exitError carries an exit status other than 2 (error), such as 1 for "no
// match" or "hits found"; Message may be empty.
type exitError struct {
	Code    int
	Message string
}

func (e *exitError) Error() string { return e.Message }

// Run runs the command named by args[0] and returns the process exit status:
// 0 success, 1 a negative answer (no match, hits found, findings), 2 error.
func Run(ctx context.Context, args []string, stdio Stdio) int {
	if len(args) == 0 {
		usage(stdio.Err)
		return 2
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return Run(ctx, []string{args[1], "--help"}, stdio)
		}
		usage(stdio.Out)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, stdio, args[1:])
		var ee *exitError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ee):
			if ee.Message != "" {
				fmt.Fprintln(stdio.Err, ee.Message)
			}
			return ee.Code
		default:
			fmt.Fprintf(stdio.Err, "vigie %s: %v\n", c.name, err)
			return 2
		}
	}
	fmt.Fprintf(stdio.Err, "vigie: unknown command %q\n\n", args[0])
	usage(stdio.Err)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, "vigie: early warning and threat sharing for cyber-security coalitions\n\nUsage: vigie COMMAND [flags] [args]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun \"vigie COMMAND --help\" for the flags and examples of one command.\n")
}

// newFlagSet returns a flag set that prints its usage, with a description
// and examples, to stdio.Err and returns errors instead of exiting.
func newFlagSet(stdio Stdio, name, synopsis, help string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdio.Err)
	fs.Usage = func() {
		fmt.Fprintf(stdio.Err, "Usage: %s\n\n%s\n", synopsis, help)
		if hasFlags(fs) {
			fmt.Fprint(stdio.Err, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}
