package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/vigie-cti/vigie/attest"
)

// runSupplierVerify reads an attestation offline and checks its
// signatures against the keys of --trust.
func runSupplierVerify(stdio Stdio, args []string) error {
	fs := newFlagSet(stdio, "supplier verify", "vigie supplier verify [--trust KEY.pem] [--json] FILE", supplierHelp)
	var trust listFlag
	fs.Var(&trust, "trust", "PEM public key or certificate to check signatures with, repeatable")
	asJSON := fs.Bool("json", false, "print JSON")
	arg, err := oneArg(fs, args, "want one attestation FILE")
	if err != nil {
		return err
	}
	var keys []attest.Key
	for _, path := range trust {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		ks, err := attest.ParseKeys(b)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		keys = append(keys, ks...)
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		return err
	}
	doc, err := attest.Read(data, keys)
	if err != nil {
		return err
	}
	if *asJSON {
		err = printJSON(stdio, map[string]any{"kind": doc.Kind, "title": doc.Title(), "subjects": doc.Subjects(), "source": doc.Source(),
			"verification": doc.Verification, "scorecard": doc.Scorecard, "provenance": doc.Provenance, "vsa": doc.VSA, "cyclonedx": doc.CDXA})
	} else {
		fmt.Fprintf(stdio.Out, "%s: %s\n", doc.Kind, doc.Title())
		if src := doc.Source(); src != "" {
			fmt.Fprintf(stdio.Out, "source: %s\n", src)
		}
		if s := doc.Subjects(); len(s) > 0 {
			fmt.Fprintf(stdio.Out, "subjects: %s\n", strings.Join(s, ", "))
		}
		if v := doc.Verification; v != nil {
			fmt.Fprintf(stdio.Out, "signatures: %s", v.Status)
			if v.KeyID != "" {
				fmt.Fprintf(stdio.Out, " (key %s)", v.KeyID)
			}
			if v.Reason != "" {
				fmt.Fprintf(stdio.Out, " (%s)", v.Reason)
			}
			fmt.Fprintln(stdio.Out)
		}
	}
	if err != nil {
		return err
	}
	if doc.Verification != nil && doc.Verification.Status == attest.Invalid {
		return &exitError{Code: 1, Message: "a signature does not verify"}
	}
	return nil
}
