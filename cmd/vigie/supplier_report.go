package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/vigie-cti/vigie/posture"
)

// printPosture prints a posture report in format, and exits 1 when a
// requirement fails.
func printPosture(stdio Stdio, raw json.RawMessage, format string) error {
	var r posture.Report
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("posture report: %w", err)
	}
	var err error
	switch format {
	case "json":
		err = posture.WriteJSON(stdio.Out, &r)
	case "html":
		err = posture.WriteHTML(stdio.Out, &r)
	case "table":
		err = writePostureTable(stdio, &r)
	default:
		return fmt.Errorf("--format %q: want table, json or html", format)
	}
	if err != nil {
		return err
	}
	if r.Summary.Fail > 0 {
		return &exitError{Code: 1}
	}
	return nil
}

func writePostureTable(stdio Stdio, r *posture.Report) error {
	sup := ""
	if r.Supplier != "" {
		sup = " (supplier " + r.Supplier + ")"
	}
	fmt.Fprintf(stdio.Out, "%s%s against %s: %d pass, %d fail, %d unknown, %d disagree\n\n", r.Product, sup, r.Catalog, r.Summary.Pass, r.Summary.Fail, r.Summary.Unknown, r.Summary.Disagree)
	tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REQUIREMENT\tSTATUS\tEVIDENCE")
	for _, q := range r.Requirements {
		var ev []string
		for _, c := range q.Claims {
			ev = append(ev, "claimed "+strings.ToLower(c.Status))
		}
		for _, f := range q.Facts {
			ev = append(ev, f.Detail)
		}
		if q.Disagree {
			ev = append([]string{"DISAGREE: " + q.Note}, ev...)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", q.ID, q.Status, strings.Join(ev, "; "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.VEXOverdue) > 0 {
		fmt.Fprintf(stdio.Out, "\nAdvisories the supplier has not answered with VEX in time:\n")
		for _, o := range r.VEXOverdue {
			fmt.Fprintf(stdio.Out, "  %s  published %s, %d days ago\n", o.ID, o.Published.Format("2006-01-02"), o.Days)
		}
	}
	for _, s := range r.UnmatchedClaims {
		fmt.Fprintf(stdio.Err, "not counted: %s\n", s)
	}
	for _, s := range r.Ignored {
		fmt.Fprintf(stdio.Err, "not counted: %s\n", s)
	}
	return nil
}

// printRollUp prints a supplier roll-up, and exits 1 when a requirement
// fails for some product.
func printRollUp(stdio Stdio, raw json.RawMessage, format string) error {
	var r posture.RollUp
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("supplier posture: %w", err)
	}
	switch format {
	case "json":
		enc := json.NewEncoder(stdio.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(&r); err != nil {
			return err
		}
	case "table":
		fmt.Fprintf(stdio.Out, "%s against %s over %d products: %d pass, %d fail, %d unknown\n\n", r.Supplier, r.Catalog, len(r.Products), r.Summary.Pass, r.Summary.Fail, r.Summary.Unknown)
		tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PRODUCT\tPASS\tFAIL\tUNKNOWN\tDISAGREE")
		for _, p := range r.Products {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", p.Product, p.Summary.Pass, p.Summary.Fail, p.Summary.Unknown, p.Summary.Disagree)
		}
		fmt.Fprintln(tw, "\t\t\t\t")
		fmt.Fprintln(tw, "REQUIREMENT\tSTATUS\tPASS\tFAIL\tUNKNOWN")
		for _, q := range r.Requirements {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\n", q.ID, q.Status, q.Pass, q.Fail, q.Unknown)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("--format %q: want table or json for a supplier roll-up", format)
	}
	if r.Summary.Fail > 0 {
		return &exitError{Code: 1}
	}
	return nil
}
